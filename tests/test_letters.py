"""Printed letters (`rekam letters`) as an office signs them: the settings behind the letterhead
and the number, what one letter says, long names that wrap and stay on their page, the link
printed under the QR, and running numbers that are kept on a reprint and never handed out twice."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import delete, select

from bot.config import SettingsError, load_settings
from bot.db.engine import Database
from bot.db.models import LetterNumber, ServiceSession, Summons, Target
from bot.domain.summons_rules import deadline_for
from bot.i18n import Catalogs
from bot.presentation import letters as pages
from bot.services import letters, notices, summoning
from tests.support.harness import make_settings
from tests.support.offices import NOW, seeded_office

ZONE = ZoneInfo("Asia/Jakarta")
_ = Catalogs().gettext("id")
HEAD = pages.Letterhead(
    government="Pemerintah Kota Contoh",
    office="Dinas Kependudukan dan Pencatatan Sipil Kota Contoh",
    address="Jl. Merdeka No. 1, Kota Contoh",
    phone="(0342) 000-000",
    logo=None,
    city="Kota Contoh",
    head_name="Drs. Budi Santoso, M.Si.",
    head_rank="Pembina Utama Muda (IV/c)",
    head_nip="197005122000031004",
    number_pattern="470/{n}/410.207/2026",
)


def a_letter(**changes: Any) -> letters.Letter:
    starts = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 08.00 WIB
    values: dict[str, Any] = {
        "name": "Sekar Ayu Wulandari",
        "nik": "3572************",
        "code": "K7M2PQ4X",
        "school": "SMA Negeri 1 Kota Contoh",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=3),
        "place": "Kantor Dinas Dukcapil",
        "address": "Jl. Merdeka No. 1",
        "bring": "Kartu Keluarga",
        "services": ("rekam",),
        "number": 123,
        **changes,
    }
    return letters.Letter(**values)


def compose(letter: letters.Letter, head: pages.Letterhead = HEAD) -> pages.Page:
    return pages.compose(
        letter,
        head,
        bot_username="RekamUjiBot",
        _=_,
        language="id",
        zone=ZONE,
        today=date(2026, 12, 1),
    )


# Settings


@pytest.mark.parametrize(
    "pattern", ["470/410.207/2026", "470/{nomor}/2026", "{n}/{n}", "470/{0}/2026", "470/{n"]
)
def test_a_letter_number_pattern_needs_n_once(
    monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    monkeypatch.setenv("LETTER_NUMBER", pattern)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith("LETTER_NUMBER: ") and "{n}" in str(caught.value)


def test_the_letterhead_settings_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (20, 24), "navy").save(logo)
    monkeypatch.setenv("LETTER_NUMBER", "470/{n:03d}/410.207/2026")
    monkeypatch.setenv("OFFICE_LOGO", str(logo))
    monkeypatch.setenv("OFFICE_HEAD_NIP", "19700512 200003 1 004")
    settings = load_settings()
    assert settings.letter_number.format(n=7) == "470/007/410.207/2026"
    assert settings.office_logo == logo
    assert pages.spaced_nip(settings.office_head_nip) == "19700512 200003 1 004"
    assert pages.Letterhead.of(settings).logo == logo


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("OFFICE_LOGO", "{tmp}/tidak-ada.png", "tidak-ada.png"),
        ("OFFICE_LOGO", "{tmp}/logo.gif", "PNG"),
        ("OFFICE_HEAD_NIP", "1970051220000310", "18"),
    ],
)
def test_a_missing_logo_or_a_short_nip_stops_start_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, says: str
) -> None:
    (tmp_path / "logo.gif").write_bytes(b"GIF89a")
    monkeypatch.setenv(variable, value.format(tmp=tmp_path))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value).startswith(f"{variable}: ") and says in str(caught.value)


# What a letter says


def test_a_letter_says_what_a_surat_dinas_says() -> None:
    page = compose(a_letter())
    assert page.kop == (
        "PEMERINTAH KOTA CONTOH",
        "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KOTA CONTOH",
    )
    assert page.contact == ("Jl. Merdeka No. 1, Kota Contoh", "Telp. (0342) 000-000")
    assert page.dated == "Kota Contoh, 1 Desember 2026"
    assert dict(page.heading)["Nomor"] == "470/123/410.207/2026"
    assert page.addressee[:2] == ("Yth. Sdr./Sdri. Sekar Ayu Wulandari", "NIK 3572************")
    assert dict(page.details) == {
        "Hari/tanggal": "Sabtu, 5 Desember 2026",
        "Waktu": "08.00–11.00 WIB",
        "Tempat": "Kantor Dinas Dukcapil",
        "Alamat": "Jl. Merdeka No. 1",
        "Layanan": "perekaman KTP-el",
        "Yang dibawa": "Kartu Keluarga",
    }
    assert page.link == "https://t.me/RekamUjiBot?start=K7M2PQ4X"
    assert "K7M2PQ4X" in page.reschedule and "(0342) 000-000" in page.reschedule
    assert page.position == "KEPALA DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL KOTA CONTOH"
    assert (page.signer, page.nip) == ("Drs. Budi Santoso, M.Si.", "NIP. 19700512 200003 1 004")


def test_an_office_that_set_nothing_still_gets_a_letter_to_sign_by_hand() -> None:
    bare = pages.Letterhead.of(make_settings("sqlite+aiosqlite:///unused.db"))
    page = compose(a_letter(), bare)
    assert page.kop == ("DINAS DUKCAPIL KOTA UJI",) and page.contact == ()
    assert page.dated == "1 Desember 2026"
    assert dict(page.heading)["Nomor"] == "470/123"
    assert (page.signer, page.rank, page.nip) == ("", "", "")


@pytest.fixture
def printed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text fpdf2 puts on a page, in order."""
    from fpdf import FPDF

    texts: list[str] = []
    cell = FPDF.cell

    def recording(self: FPDF, *args: Any, **kwargs: Any) -> Any:
        text = kwargs.get("text", args[2] if len(args) > 2 else "")
        texts.append(text)
        return cell(self, *args, **kwargs)

    monkeypatch.setattr(FPDF, "cell", recording)
    yield texts


def write(path: Path, *items: letters.Letter, head: pages.Letterhead = HEAD) -> int:
    return pages.write_pdf(
        path,
        items,
        head=head,
        bot_username="RekamUjiBot",
        _=_,
        language="id",
        zone=ZONE,
        today=date(2026, 12, 1),
    )


def page_count(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def test_the_link_the_qr_opens_is_printed_under_it(printed: list[str], tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("RGB", (20, 24), "navy").save(logo)
    head = pages.Letterhead(**{**HEAD.__dict__, "logo": logo})
    assert write(tmp_path / "surat.pdf", a_letter()) == 1
    assert write(tmp_path / "logo.pdf", a_letter(), head=head) == 1
    assert "https://t.me/RekamUjiBot?start=K7M2PQ4X" in printed
    for text in (
        "Nomor",
        "470/123/410.207/2026",
        "NIK 3572************",
        "Drs. Budi Santoso, M.Si.",
    ):
        assert text in printed
    assert "NIP. 19700512 200003 1 004" in printed


def test_a_long_or_unspaced_name_wraps_within_the_page(tmp_path: Path) -> None:
    pdf = pages._document()
    pdf.add_page()
    pdf.set_font("body", "B", 11)
    unspaced = "Ṡ" + "A" * 160 + "ŵ"
    lines = pages.lines(pdf, unspaced, 100)
    assert len(lines) > 1 and "".join(lines) == unspaced
    assert all(pdf.get_string_width(line) <= 100 for line in lines)
    cut = pages.lines(pdf, "Ni Luh Putu Ayu Śrī Dewi Kusumawardhani " * 20, 100, most=2)
    assert len(cut) == 2 and cut[-1].endswith("…")
    assert all(pdf.get_string_width(line) <= 100 for line in cut)


def test_the_longest_letter_stays_on_its_one_page(printed: list[str], tmp_path: Path) -> None:
    long = "Ni Luh Putu Ayu Śrī Dewi Kusumawardhani Prameswari Nguyễn Thị Ánh " * 6
    worst = a_letter(
        name=long,
        school="SMA Negeri 1 Kota Contoh " * 10,
        place="Kantor Dinas Dukcapil " * 10,
        address="Jl. Merdeka No. 1 " * 20,
        bring="Kartu Keluarga asli atau fotokopinya " * 10,
        services=("rekam", "cetak", "ikd"),
    )
    path = tmp_path / "surat.pdf"
    assert write(path, worst, a_letter()) == 2
    assert page_count(path) == 2
    assert any(text.startswith("Yth. Sdr./Sdri. Ni Luh Putu Ayu Śrī") for text in printed)


# Running numbers


async def summoned(db: Database) -> None:
    config = make_settings("sqlite+aiosqlite:///unused.db")
    found = await seeded_office(db, config.zone, capacity=10)
    async with db.session() as session:
        await summoning.summon_all(
            session,
            now=NOW,
            deadline=deadline_for(found["election"], config.zone),
            policy=notices.Policy.of(config),
            dry_run=False,
        )


async def printing(db: Database) -> dict[str, int]:
    async with db.session() as session:
        found = await letters.letters(session, school=None, everyone=True)
    return {letter.name: letter.number for letter in found}


async def test_numbers_are_kept_on_a_reprint_and_never_handed_out_again(
    database_url: str,
) -> None:
    from bot.db.migrate import upgrade
    from tests.support.harness import database

    db = database(database_url)
    try:
        await upgrade(db)
        await summoned(db)
        first = await printing(db)
        assert len(first) >= 3 and sorted(first.values()) == list(range(1, len(first) + 1))
        assert await printing(db) == first  # printed again: the same letters, the same numbers

        async def move(name: str) -> None:
            """The teen's summons now names another session: a new letter."""
            async with db.session() as session:
                summons = await session.scalar(
                    select(Summons).join(Target).where(Target.name == name)
                )
                assert summons is not None
                other = await session.scalar(
                    select(ServiceSession.id).where(ServiceSession.id != summons.session_id)
                )
                summons.session_id = other

        last, other = sorted(first, key=first.__getitem__)[-1], sorted(first)[0]
        await move(last)
        moved = await printing(db)
        assert moved[last] == len(first) + 1
        assert {name: n for name, n in moved.items() if name != last} == {
            name: n for name, n in first.items() if name != last
        }
        async with db.session() as session:  # `rekam purge` / `/hapus`: the teen is gone
            await session.execute(delete(Target).where(Target.name == last))
        async with db.session() as session:
            left = await session.scalars(select(LetterNumber.id))
            assert len(first) + 1 not in set(left)
        await move(other)
        again = await printing(db)
        assert last not in again and again[other] == len(first) + 2
    finally:
        await db.dispose()


async def test_letters_numbered_meanwhile_by_another_printing_keep_their_numbers(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db.migrate import upgrade
    from tests.support.harness import database

    db = database(sqlite_url)
    try:
        await upgrade(db)
        await summoned(db)
        async with db.session() as session:
            found = await letters.letters(session, school=None, everyone=True)
        read = letters._numbers
        calls = []

        async def before_the_other_laptop(session: Any, ids: list[int]) -> dict[Any, int]:
            calls.append(ids)
            return {} if len(calls) == 1 else await read(session, ids)

        monkeypatch.setattr(letters, "_numbers", before_the_other_laptop)
        async with db.session() as session:
            again = await letters.numbered(session, found)
            count = len(list(await session.scalars(select(LetterNumber.id))))
        assert [letter.number for letter in again] == [letter.number for letter in found]
        assert count == len(found)
    finally:
        await db.dispose()
