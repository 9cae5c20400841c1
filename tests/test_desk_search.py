"""Finding a person at the desk: by name alone, by name and birth date with or without a
comma, in any case, with or without accents; each candidate with school and kelurahan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Event, Region, School, Target
from bot.domain.desk import ByCode, ByName, parse_query
from bot.domain.kinds import Channel
from bot.i18n import Catalogs
from bot.presentation import desk as views
from bot.services import desk_search
from bot.services.desk_search import Found
from tests.support import factories
from tests.support.harness import database, make_settings

TODAY = date(2026, 12, 1)


def test_a_name_alone_or_with_a_birth_date_without_a_comma_is_read() -> None:
    assert parse_query("rina lestari", today=TODAY) == ByName("rina lestari")
    assert parse_query("Rina Lestari 12-03-2009", today=TODAY) == ByName(
        "Rina Lestari", date(2009, 3, 12)
    )
    assert parse_query("rina 12 maret 2009", today=TODAY) == ByName("rina", date(2009, 3, 12))
    assert parse_query("Gîta", today=TODAY) == ByName("Gîta")
    # one word of a code's shape: a code when it has a digit, else a name that may be a code
    assert parse_query("h5432anir", today=TODAY) == ByCode("H5432ANIR")
    assert parse_query("Rahmawati", today=TODAY) == ByName("Rahmawati", maybe_code="RAHMAWATI")


_WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèüñ", min_size=2, max_size=12)


@given(
    st.lists(_WORD, min_size=1, max_size=3),
    st.dates(min_value=date(1990, 1, 1), max_value=TODAY),
    st.sampled_from(["{name}, {day}", "{name} {day}", "{name},{day}"]),
)
def test_any_name_and_birth_date_is_read_with_or_without_a_comma(
    words: list[str], born: date, form: str
) -> None:
    name = " ".join(words).title()
    typed = form.format(name=name, day=born.strftime("%d-%m-%Y"))
    assert parse_query(typed, today=TODAY) == ByName(name, born)


@pytest.fixture
async def office(database_url: str) -> AsyncIterator[dict[str, object]]:
    """Gîta Santoso at SMA Negeri 1, Kelurahan Sukorejo; Gita Rahayu elsewhere; Budi."""
    db = database(database_url)
    await upgrade(db)
    settings = make_settings(database_url)
    gita = await factories.add_target(db, settings, name="Gîta Santoso", code="GITA2345")
    other = await factories.add_target(
        db, settings, name="Gita Rahayu", code="GITB2345", serial=2, age=16
    )
    await factories.add_target(
        db, settings, name="Budi Santoso", code="BUDI2345", serial=3, female=False
    )
    async with db.session() as session:
        region = Region(kecamatan="Kecamatan Uji", kelurahan="Sukorejo")
        school = School(name="SMA Negeri 1")
        session.add_all([region, school])
        await session.flush()
        row = await session.get(Target, gita.id)
        assert row is not None
        row.region_id, row.school_id = region.id, school.id
    yield {"db": db, "gita": gita, "other": other}
    await db.dispose()


async def _find(office: dict[str, object], typed: str) -> list[Found]:
    db = office["db"]
    assert isinstance(db, Database)
    async with db.session() as session:
        return await desk_search.search(session, parse_query(typed, today=TODAY))


async def _names(office: dict[str, object], typed: str) -> list[str]:
    return [found.name for found in await _find(office, typed)]


async def test_a_name_is_found_in_any_case_with_or_without_accents(
    office: dict[str, object],
) -> None:
    gita = office["gita"]
    born = gita.birth_date.strftime("%d-%m-%Y")  # type: ignore[attr-defined]
    assert await _names(office, "gita") == ["Gita Rahayu", "Gîta Santoso"]
    assert await _names(office, "GÎTA") == ["Gita Rahayu", "Gîta Santoso"]
    assert await _names(office, "santoso gita") == ["Gîta Santoso"]
    assert await _names(office, "sant") == ["Budi Santoso", "Gîta Santoso"]
    for typed in (f"gita santoso {born}", f"GITA, {born}", f"Gita {born}"):
        assert await _names(office, typed) == ["Gîta Santoso"], typed
    assert await _find(office, "siti") == []


async def test_a_name_is_found_written_with_or_without_its_apostrophe_hyphen_or_space(
    office: dict[str, object],
) -> None:
    db, settings = office["db"], make_settings("sqlite+aiosqlite:///unused.db")
    assert isinstance(db, Database)
    await factories.add_target(db, settings, name="Nur'aini Putri", code="NURA2345", serial=4)
    await factories.add_target(db, settings, name="Siti Nuraini", code="SITI2345", serial=5)
    await factories.add_target(db, settings, name="Ahmad Al-Fatih", code="AHMA2345", serial=6)
    await factories.add_target(db, settings, name="Nur Hasanah", code="NURH2345", serial=7)
    for typed in ("nuraini", "nur'aini", "nur aini", "Nur’aini", "nur-aini"):
        assert await _names(office, typed) == ["Nur'aini Putri", "Siti Nuraini"], typed
    for typed in ("alfatih", "al fatih", "al-fatih", "fatih"):
        assert await _names(office, typed) == ["Ahmad Al-Fatih"], typed
    assert await _names(office, "nur") == ["Nur Hasanah", "Nur'aini Putri", "Siti Nuraini"]
    assert await _names(office, "nurh") == ["Nur Hasanah"]
    assert await _find(office, "raini") == []  # a run that starts inside a word is no match


async def test_each_candidate_says_school_and_kelurahan(office: dict[str, object]) -> None:
    found = {f.name: f for f in await _find(office, "gita")}
    assert (found["Gîta Santoso"].school, found["Gîta Santoso"].kelurahan) == (
        "SMA Negeri 1",
        "Sukorejo",
    )
    label = views.choice_label(found["Gîta Santoso"], Catalogs().gettext("id"), "id")
    assert "SMA Negeri 1" in label and "Sukorejo" in label


async def test_a_code_typed_in_lower_case_without_digits_is_still_found(
    office: dict[str, object],
) -> None:
    code = office["gita"].attend_code  # type: ignore[attr-defined]
    assert await _names(office, code.lower()) == ["Gîta Santoso"]


async def test_a_desk_search_is_recorded_for_each_person_shown(office: dict[str, object]) -> None:
    db = office["db"]
    assert isinstance(db, Database)
    async with db.session() as session:
        query = parse_query("gita", today=TODAY)
        await desk_search.look_up(session, query, by="staff:1", channel=Channel.WEB)
    async with db.session() as session:
        kinds = list(await session.scalars(select(Event.kind)))
    assert kinds.count(desk_search.LISTED) == 2
