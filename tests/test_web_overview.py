"""The overview's drill-down against `rekam report`'s figures, with the names offices really
have: two kecamatan each with a kelurahan called Sukamaju."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.db.models import Target
from bot.services import imports
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.people import linked, staff_member
from tests.support.sheets import ID_HEADER, person
from tests.support.web import client, dashboard_bot, figures_changed, login_link, overview, sign_in

# (kecamatan, kelurahan, school) per serial: Sukamaju in both kecamatan.
HOMES = {
    1: ("Utara", "Sukamaju", "SMA Negeri 1 Uji"),
    2: ("Utara", "Sukamaju", "SMA Negeri 1 Uji"),
    3: ("Selatan", "Sukamaju", "SMK Negeri 9 Uji"),
    4: ("Selatan", "Sukamaju", "SMK Negeri 9 Uji"),
    5: ("Selatan", "Sukamaju", "SMK Negeri 9 Uji"),
    6: ("Selatan", "Kenanga", "SMA Negeri 1 Uji"),
}


async def listed(bot: BotHarness) -> None:
    rows = []
    for serial, (kecamatan, kelurahan, school) in HOMES.items():
        row = person(serial, born=date(2009, 4, serial))
        row[4], row[5], row[7] = kelurahan, kecamatan, school
        rows.append(row)
    now = datetime.now(UTC)
    result = await imports.import_targets(
        bot.db,
        ID_HEADER,
        iter(list(enumerate(rows, start=2))),
        today=now.date(),
        now=now,
        regions=bot.settings.office_region_codes,
    )
    assert result.added == len(HOMES)


def targets_shown(page: str) -> dict[str, int]:
    """Each line's area and target, read off the table."""
    found = re.findall(r'<tr data-area="([^"]*)">.*?<td class="num" data-value="(\d+)"', page, re.S)
    return {area: int(target) for area, target in found}


async def test_a_kelurahan_name_in_two_kecamatan_is_two_places(database_url: str) -> None:
    async with dashboard_bot(database_url) as bot:
        await listed(bot)
        figures_changed(bot)
        desk = await staff_member(bot, "Dewi")
        async with client(bot) as web:
            await sign_in(web, await login_link(desk))
            whole = (await overview(web)).text
            assert targets_shown(whole) == {"Selatan": 4, "Utara": 2}
            # Came and recorded are two figures, side by side.
            assert 'id="total-attended" data-value="0"' in whole
            assert 'id="total-recorded" data-value="0"' in whole
            north = await overview(web, kecamatan="Utara")
            assert targets_shown(north.text) == {"Sukamaju": 2}
            schools = await overview(web, **{"kecamatan": "Utara", "kelurahan": "Sukamaju"})
            assert targets_shown(schools.text) == {"SMA Negeri 1 Uji": 2}
            south = await overview(web, **{"kecamatan": "Selatan", "kelurahan": "Sukamaju"})
            assert targets_shown(south.text) == {"SMK Negeri 9 Uji": 3}
            nowhere = await overview(web, **{"kecamatan": "Timur", "kelurahan": "Sukamaju"})
            assert nowhere.status_code == 200 and targets_shown(nowhere.text) == {}


async def test_the_overview_shows_how_far_the_office_reaches(sqlite_url: str) -> None:
    """Jangkauan: Rina on Telegram is reached, Sari (nothing to send on) is unreached and links
    to the unreached list; an office on Telegram alone shows no phone columns."""
    async with dashboard_bot(sqlite_url) as bot:
        rina = await factories.add_target(bot.db, bot.settings, name="Rina Uji", code="RINA2345")
        sari = await factories.add_target(
            bot.db, bot.settings, name="Sari Uji", serial=2, code="SARI2345"
        )
        place = await factories.add_place(bot.db, "Kantor Kecamatan Klojen")
        soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4)
        await linked(bot, rina, "Rina")
        await factories.summon(bot.db, bot.settings, rina, soon)
        await factories.summon(bot.db, bot.settings, sari, soon)
        figures_changed(bot)
        desk = await staff_member(bot, "Dewi")
        async with client(bot) as web:
            await sign_in(web, await login_link(desk))
            page = (await overview(web)).text
    table = page[page.index('id="jangkauan"') :]
    table = table[: table.index("</table>")]
    assert "WhatsApp" not in table and "SMS" not in table
    total = table[table.index('class="total"') :]
    # Telegram, called, answered, waiting, unreached
    assert re.findall(r'data-value="(\d+)"', total) == ["1", "2", "0", "2", "1"]
    assert '<a href="/belum-terjangkau">1</a>' in total


async def test_each_unreached_count_opens_the_list_of_its_own_area(database_url: str) -> None:
    """Every "belum terjangkau" cell, on every level, opens the list of its own area's teens,
    as many as it counts; the list names its area, and its call list narrows the same way."""
    async with dashboard_bot(database_url) as bot:
        await listed(bot)  # nobody on Telegram and no numbers: every teen called is unreached
        place = await factories.add_place(bot.db, "Kantor Kecamatan Uji")
        soon = await factories.add_session(bot.db, bot.settings, place, days_ahead=4)
        async with bot.db.session() as session:
            targets = list(await session.scalars(select(Target).order_by(Target.id)))
        for target in targets:
            await factories.summon(bot.db, bot.settings, target, soon)
        figures_changed(bot)
        desk = await staff_member(bot, "Dewi")
        async with client(bot) as web:
            await sign_in(web, await login_link(desk))
            opened = {}
            for params in (
                {},
                {"kecamatan": "Selatan"},
                {"kecamatan": "Selatan", "kelurahan": "Sukamaju"},
            ):
                page = (await overview(web, **params)).text
                table = page[page.index('id="jangkauan"') :]
                cells = re.findall(r'data-value="(\d+)"><a href="([^"]+)">', table)
                assert len(cells) >= 2  # each line's and the total's
                for count, href in cells:
                    shown = await web.get(html.unescape(href))
                    assert f"Belum terjangkau: {count} remaja." in shown.text, href
                    opened[html.unescape(href)] = shown.text
            south_sukamaju = opened["/belum-terjangkau?kecamatan=Selatan&kelurahan=Sukamaju"]
            assert "Hanya: Selatan › Sukamaju" in south_sukamaju
            names = set(re.findall(r"Remaja Uji \d", south_sukamaju))
            assert names == {"Remaja Uji 3", "Remaja Uji 4", "Remaja Uji 5"}
            csv_link = re.search(r'href="(/belum-terjangkau/telepon\.csv[^"]*)"', south_sukamaju)
            assert csv_link is not None
            calls = await web.get(html.unescape(csv_link.group(1)))
            assert set(re.findall(r"Remaja Uji \d", calls.text)) == names
            whole = opened["/belum-terjangkau"]
            assert "Hanya:" not in whole and len(set(re.findall(r"Remaja Uji \d", whole))) == 6
