"""Regions and schools an import names, each made the first time a file names it and
remembered by name for the rest of the file (the target list's and the sessions' imports)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Region, School
from bot.db.queries import insert_or_ignore
from bot.domain.target_rows import TargetRow


class Directory:
    """Regions and schools by name, created the first time a file names them."""

    def __init__(self) -> None:
        self.regions: dict[tuple[str, str], int] = {}
        self.schools: dict[str, int] = {}

    async def region(
        self, session: AsyncSession, kecamatan: str | None, kelurahan: str | None
    ) -> int | None:
        if not kecamatan and not kelurahan:
            return None
        key = (kecamatan or "", kelurahan or "")
        if key not in self.regions:
            row = {"kecamatan": key[0], "kelurahan": key[1]}
            await insert_or_ignore(session, Region, row, "kecamatan", "kelurahan")
            found = await session.execute(
                select(Region.id).where(Region.kecamatan == key[0], Region.kelurahan == key[1])
            )
            self.regions[key] = found.scalar_one()
        return self.regions[key]

    async def school(
        self, session: AsyncSession, name: str | None, region_id: int | None
    ) -> int | None:
        if not name:
            return None
        if name not in self.schools:
            row = {"name": name[:200], "region_id": region_id}
            await insert_or_ignore(session, School, row, "name")
            found = await session.execute(select(School.id).where(School.name == name[:200]))
            self.schools[name] = found.scalar_one()
        return self.schools[name]

    async def ids_of(
        self, session: AsyncSession, rows: list[TargetRow]
    ) -> list[tuple[int | None, int | None]]:
        """The region and school of each row, made the first time a row names them (a school
        in the region of that row): dictionaries for a chunk's rows, the database once a name."""
        regions, schools = self.regions, self.schools
        ids: list[tuple[int | None, int | None]] = []
        for row in rows:
            kecamatan, kelurahan, school = row.kecamatan, row.kelurahan, row.school
            region_id = school_id = None
            if kecamatan or kelurahan:
                region_id = regions.get((kecamatan or "", kelurahan or ""))
                if region_id is None:
                    region_id = await self.region(session, kecamatan, kelurahan)
            if school:
                school_id = schools.get(school)
                if school_id is None:
                    school_id = await self.school(session, school, region_id)
            ids.append((region_id, school_id))
        return ids
