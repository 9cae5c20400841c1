"""Which DATA_KEY a database belongs to.

Every NIK and code is found by its keyed hash, so a process started with another valid key
finds none of them: an import under it adds every row of the list again, and every sealed
value it is shown fails to open. The database therefore keeps one value derived from its key
(`Vault.check_value`: an HMAC of a fixed label, from which the key cannot be worked back), written
the first time a key is used with it; a process with another key is refused before it does
anything (`rekam run`, `rekam web` and every office command check it after migrating).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import KeyCheck, Target
from bot.db.vault import Vault

ROW = 1


class WrongDataKeyError(RuntimeError):
    """DATA_KEY is not the key this database's NIKs and codes were kept under."""


async def _opens_what_is_there(session: AsyncSession, vault: Vault) -> bool:
    """For a database with data but no check value yet (made before there was one): whether
    the key opens a NIK already sealed in it."""
    sealed = await session.scalar(
        select(Target.nik_sealed).where(Target.nik_sealed != "").limit(1)  # "": purged
    )
    if sealed is None:
        return True
    try:
        vault.open(sealed)
    except ValueError:
        return False
    return True


async def check(session: AsyncSession, vault: Vault) -> None:
    """WrongDataKeyError unless `vault`'s key is the database's; the first key used with a
    database (one that opens what is already sealed in it) becomes its key here."""
    stored = await session.scalar(select(KeyCheck.check_value).where(KeyCheck.id == ROW))
    if stored is None:
        if not await _opens_what_is_there(session, vault):
            raise WrongDataKeyError("DATA_KEY opens none of the NIKs sealed in this database")
        try:
            async with session.begin_nested():
                session.add(KeyCheck(id=ROW, check_value=vault.check_value))
        except IntegrityError:  # another process wrote it first: compare with theirs
            stored = await session.scalar(select(KeyCheck.check_value).where(KeyCheck.id == ROW))
    if stored is not None and stored != vault.check_value:
        raise WrongDataKeyError("DATA_KEY is not this database's key")


async def replace(session: AsyncSession, vault: Vault) -> None:
    """The database is now kept under `vault`'s key (bot/services/rekey.py, in the same unit
    of work that re-sealed everything)."""
    row = await session.get(KeyCheck, ROW, with_for_update=True)
    if row is None:
        session.add(KeyCheck(id=ROW, check_value=vault.check_value))
    else:
        row.check_value = vault.check_value
