"""A masked NIK read as someone who wants the whole NIK would read it (issue 22, item 5): every
command line, export, letter and dashboard page that shows one is rendered, the masked NIK is
taken from it with the birth date and sex shown beside it, and the NIKs that agree with all of
it are counted. At least 10,000 must remain, or the "Tampilkan NIK" record is bypassed."""

from __future__ import annotations

import asyncio
import csv
import json
import re
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.domain import nik as nik_rules
from bot.i18n import Catalogs, format_day
from bot.presentation import letters as letter_pages
from bot.services import letters
from tests.support import factories
from tests.support.harness import database, make_settings
from tests.support.people import register
from tests.support.web import dashboard_bot, searched, signed_in

ENOUGH = 10_000
# Sixteen characters of digits and stars, with at least one star: a masked NIK, whatever form.
MASKED = re.compile(r"(?<![0-9*])(?=[0-9*]{0,15}\*)[0-9*]{16}(?![0-9*])")


def _fits(shown: str, digits: str) -> bool:
    return all(c in ("*", d) for c, d in zip(shown, digits, strict=True))


def candidates(masked: str, *, nik: str, born: date, female: bool) -> int:
    """The NIKs that agree with `masked` for someone who knows the birth date and the sex (shown
    beside it, or known to whoever reads a letter) and the office's province and regency: the
    kecamatan 01-99 and the serial 0001-9999 wherever they are hidden."""
    day = born.day + (40 if female else 0)
    if not _fits(masked[:4], nik[:4]):
        return 0
    if not _fits(masked[6:12], f"{day:02d}{born.month:02d}{born.year % 100:02d}"):
        return 0
    kecamatan = sum(_fits(masked[4:6], f"{k:02d}") for k in range(1, 100))
    serials = sum(_fits(masked[12:], f"{s:04d}") for s in range(1, 10_000))
    return kecamatan * serials


def masked_in(text: str) -> list[str]:
    found: list[str] = MASKED.findall(text)
    assert found, f"no masked NIK in: {text[:500]}"
    return found


def test_the_counting_would_catch_the_old_mask() -> None:
    """The old '3599********0001' beside a birth date left one NIK per kecamatan."""
    born = date(2009, 3, 12)
    nik = nik_rules.build("359901", born, female=True, serial=1)
    old = f"{nik[:4]}{'*' * 8}{nik[12:]}"
    assert candidates(old, nik=nik, born=born, female=True) == 99
    assert candidates(nik_rules.mask(nik), nik=nik, born=born, female=True) >= ENOUGH


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Rina on the list, summoned, with no Telegram account: she gets a printed letter."""
    url = f"sqlite+aiosqlite:///{tmp_path}/kantor.db"
    monkeypatch.setenv("DATABASE_URL", url)

    async def prepare() -> dict[str, Any]:
        db = database(url)
        await upgrade(db)
        settings = make_settings(url)
        rina = await factories.add_target(db, settings, code="RINA2345", serial=1)
        place = await factories.add_place(db)
        await factories.summon(db, settings, rina, await factories.add_session(db, settings, place))
        letter_text = await _letter_text(db, settings.zone)
        await db.dispose()
        return {
            "nik": rina.nik,  # type: ignore[attr-defined]
            "born": rina.birth_date,
            "letter": letter_text,
        }

    return asyncio.run(prepare())


async def _letter_text(db: Database, zone: Any) -> str:
    """Everything Rina's printed letter says (the PDF is laid out from these lines)."""
    async with db.session() as session:
        (letter,) = await letters.letters(session, school=None, everyone=True)
    head = letter_pages.Letterhead(
        government="Pemerintah Kota Uji",
        office="Dinas Dukcapil Kota Uji",
        address="",
        phone="",
        logo=None,
        city="Kota Uji",
        head_name="",
        head_rank="",
        head_nip="",
        number_pattern="470/{n}",
    )
    page = letter_pages.compose(
        letter,
        head,
        bot_username="RekamUjiBot",
        _=Catalogs().gettext("id"),
        language="id",
        zone=zone,
        today=date.today(),
    )
    return json.dumps(astuple(page), ensure_ascii=False)


def test_command_lines_exports_and_letters_leave_ten_thousand_niks(
    office: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nik, born = office["nik"], office["born"]
    assert main(["person", nik, "--by", "Uji"]) == 0
    person = capsys.readouterr().out
    assert f"Lahir: {format_day(born, 'id')}" in person  # the date is beside the mask
    assert main(["person", "RINA2345", "--json", "--by", "Uji"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert as_json["birth_date"] == born.isoformat()
    invites = tmp_path / "undangan.csv"
    assert main(["invites", str(invites), "--bot", "RekamUjiBot"]) == 0
    with invites.open(encoding="utf-8-sig", newline="") as opened:
        rows = list(csv.reader(opened))
    shown = {
        "rekam person": person,
        "rekam person --json": as_json["nik"],
        "rekam invites": "\n".join(",".join(row) for row in rows),
        "letter": office["letter"],
    }
    for where, text in shown.items():
        assert nik not in text, where
        for masked in masked_in(text):
            found = candidates(masked, nik=nik, born=born, female=True)
            assert found >= ENOUGH, f"{where}: {masked} leaves {found} NIKs"


async def test_dashboard_pages_and_the_review_queue_leave_ten_thousand_niks(
    sqlite_url: str,
) -> None:
    async with dashboard_bot(sqlite_url) as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        nik, born = rina.nik, rina.birth_date  # type: ignore[attr-defined]
        sekar_born = factories.born_aged(bot.settings, 16)
        sekar_nik = nik_rules.build(factories.REGION, sekar_born, female=True, serial=77)
        await register(bot.user("Sekar"), nik=sekar_nik, born=sekar_born, name="Sekar Ayu")
        async with signed_in(bot) as (_, web):
            person = (await web.get(f"/orang/{rina.id}")).text
            desk = (await searched(web, factories.attend_code_of("RINA2345"))).text
            review = (await web.get("/tinjauan")).text
        for where, text in (("person", person), ("desk", desk)):
            assert format_day(born, "id") in text, where  # shown beside the mask
            assert nik not in text, where
            for masked in masked_in(text):
                found = candidates(masked, nik=nik, born=born, female=True)
                assert found >= ENOUGH, f"{where}: {masked} leaves {found} NIKs"
        assert format_day(sekar_born, "id") in review and sekar_nik not in review
        for masked in masked_in(review):
            found = candidates(masked, nik=sekar_nik, born=sekar_born, female=True)
            assert found >= ENOUGH, f"review: {masked} leaves {found} NIKs"
