"""The demo agrees with itself: the banner's NIKs encode the birth dates and sexes it names,
the teen called Rina holds Rina's letter, names fit the sex their NIK says, every value the
README's script uses is one the demo fills in (and names a record that exists), and the
settings name the bot, as the dashboard's letters need."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.clock import FrozenClock
from bot.db.codes import codes_of
from bot.db.migrate import upgrade
from bot.db.models import Target
from bot.db.vault import vault_of
from bot.demo.chat import demo_settings, script_values
from bot.demo.seed import GIVEN_FEMALE, GIVEN_MALE, INVITED_NAME, DemoHint, seed
from bot.domain import nik as nik_rules
from bot.emulator import TelegramEmulator
from tests.support.harness import database

README = Path(__file__).resolve().parents[1] / "README.md"
ZONE = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 12, 5)


def _seeded(tmp_path: Path) -> tuple[DemoHint, list[tuple[str, str, date, str | None, str]]]:
    """The sample office as the demo seeds it: its hint, and every target as (NIK, name,
    birth date, sex, invitation code)."""
    url = f"sqlite+aiosqlite:///{tmp_path}/demo.db"
    clock = FrozenClock(ZONE, datetime(2026, 12, 5, 9, 0, tzinfo=ZONE))

    async def run() -> tuple[DemoHint, list[tuple[str, str, date, str | None, str]]]:
        db = database(url)
        await upgrade(db)
        async with db.session() as session:
            hint = await seed(
                session, clock=clock, election=date(2027, 1, 20), staff_ids=(900000001,)
            )
        async with db.session() as session:
            vault = vault_of(session)
            targets = [
                (vault.open(t.nik_sealed), t.name, t.birth_date, t.sex, codes_of(vault, t).invite)
                for t in await session.scalars(select(Target))
            ]
        await db.dispose()
        return hint, targets

    return asyncio.run(run())


def test_the_banner_and_the_records_agree(tmp_path: Path) -> None:
    hint, targets = _seeded(tmp_path)
    # The NIK offered for /daftar encodes the birth date the banner gives with it, and is on no list.
    spare = nik_rules.parse(hint.spare_nik, today=TODAY)
    assert spare.birth_date == hint.spare_birth_date
    assert hint.spare_nik not in {nik for nik, *_ in targets}
    # Rina's letter is Rina's: her code, her birth date, her NIK (which her parent types).
    (rina,) = [t for t in targets if t[4] == hint.invite_code]
    nik, name, born, sex, _code = rina
    assert name == INVITED_NAME and name.split()[0] == "Rina"
    assert (nik, born, sex) == (hint.teen_nik, hint.birth_date, "P")
    # Every record: the NIK's birth date and sex are the record's, the given name fits the sex.
    for nik, name, born, sex, _code in targets:
        read = nik_rules.parse(nik, today=TODAY)
        assert read.birth_date == born, name
        assert sex == ("P" if read.female else "L"), name
        given = name.split()[0]
        if name != INVITED_NAME:
            assert given in (GIVEN_FEMALE if read.female else GIVEN_MALE), (name, sex)


def test_the_readme_script_uses_only_values_the_demo_fills(tmp_path: Path) -> None:
    hint, targets = _seeded(tmp_path)
    values = script_values(hint)
    script = README.read_text(encoding="utf-8").split("```text", 1)[1].split("```", 1)[0]
    used = set(re.findall(r"\{([a-z_]+)\}", script))
    assert used and used <= set(values), used - set(values)
    # The parent links with a NIK the office has listed, with the birth date it encodes.
    parent = script.split(":parent", 1)[1].split(":staff", 1)[0]
    typed = re.findall(r"\{([a-z_]+)\}", parent)
    niks = {nik: born for nik, _name, born, *_ in targets}
    assert values[typed[0]] in niks
    assert niks[values[typed[0]]].strftime("%d-%m-%Y") == values[typed[1]]
    # The teen in the script is Rina, whose letter it opens.
    assert "Rina opens the invitation" in script


def test_the_demo_names_its_bot_for_the_letters(tmp_path: Path) -> None:
    settings = demo_settings(TelegramEmulator(), tmp_path, "id")
    assert settings.bot_username == "rekam_demo_bot"
