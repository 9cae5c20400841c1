"""Impor / Ekspor on the dashboard, over HTTP against the real bot: an admin's upload goes in as
`rekam import` does (totals, every rejected row with its number and reason, as a CSV too) and
the overview moves; a crafted file of 200,000 bad rows is imported beside the bot, which keeps
answering, with its progress shown and its rejected rows counted, listed and downloadable;
files that cannot be read, too big, past the limits or not CSV/XLSX change nothing; staff who
are not admin download but cannot upload; the report equals `rekam report` and carries no
formula; a school's letters come as one PDF."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.cli import main
from bot.db.models import Event, Target
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.sheets import ID_HEADER, person, write_csv, write_xlsx
from tests.support.uploads import upload
from tests.support.web import client, csrf_of, dashboard_bot, overview, signed_in

CSV = "text/csv"


@pytest.fixture
async def bot(sqlite_url: str):  # type: ignore[no-untyped-def]
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def targets_in(bot: BotHarness) -> int:
    async with bot.db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Target)) or 0)


def a_list_with_bad_rows(folder: Path) -> Path:
    """Rows 2-4 good; row 5 a bad NIK, row 6 an impossible date, row 7 row 2's NIK again."""
    bad_nik, bad_date, again = person(4), person(5), person(1)
    bad_nik[0] = "12345"
    bad_date[2] = "31-02-2009"
    return write_csv(
        folder / "sasaran.csv",
        ID_HEADER,
        [person(1), person(2), person(3), bad_nik, bad_date, again],
    )


def total_target(page: httpx.Response) -> int:
    found = re.search(r'id="total-target" data-value="(\d+)"', page.text)
    assert found, "no total on the overview"
    return int(found.group(1))


async def test_an_admin_uploads_a_list_sees_every_rejected_row_and_the_figures_move(
    database_url: str, tmp_path: Path
) -> None:
    async with dashboard_bot(database_url) as bot, signed_in(bot, "Admin", admin=True) as (_, web):
        assert total_target(await web.get("/")) == 0  # counted, and kept for 30 s
        done = await upload(web, a_list_with_bad_rows(tmp_path))
        assert done.status_code == 200, done.text
        assert "Ditambah 3, diperbarui 0, tetap 0, ditolak 3." in done.text
        table = done.text.split('id="rejected-rows"')[1].split("</table>")[0]
        rows = re.findall(
            r'<tr><td class="num">(\d+)</td>'
            r"<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>",
            table,
        )
        # Each row with who it is (the NIK masked) and its column, as the file names it.
        assert [row[:4] for row in rows] == [
            ("5", "Remaja Uji 4", "*****", "NIK"),
            ("6", "Remaja Uji 5", "3599************", "Tanggal Lahir"),
            ("7", "Remaja Uji 1", "3599************", "NIK"),
        ]
        assert rows[0][4].startswith("NIK salah")
        assert rows[1][4] == "tanggal tidak terbaca atau tidak ada di kalender"
        assert rows[2][4] == "NIK sudah ada di baris sebelumnya"
        link = re.search(r'href="(/berkas/ditolak/[^"]+)"', done.text)
        assert link
        report = await web.get(link.group(1))
        assert report.status_code == 200 and report.headers["content-type"].startswith(CSV)
        assert "sasaran-csv-ditolak.csv" in report.headers["content-disposition"]
        lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
        assert lines[0] == ["baris", "Nama", "NIK", "kolom", "alasan"]
        assert [line[0] for line in lines[1:]] == ["5", "6", "7"]
        assert await targets_in(bot) == 3
        assert total_target(await overview(web)) == 3  # the upload counted afresh
        async with client(bot) as stranger:  # the report is its uploader's alone
            assert (await stranger.get(link.group(1))).status_code == 401
        again = await upload(web, a_list_with_bad_rows(tmp_path))  # importing again is safe
        assert "Ditambah 0, diperbarui 0, tetap 3, ditolak 3." in again.text
        assert await targets_in(bot) == 3


async def test_xlsx_lists_and_the_offices_recorded_list_go_in(
    bot: BotHarness, tmp_path: Path
) -> None:
    book = write_xlsx(tmp_path / "sasaran.xlsx", ID_HEADER, [person(1), person(2)])
    recorded = write_csv(
        tmp_path / "rekam.csv", ["NIK", "Tanggal Rekam"], [[person(2)[0], "30-11-2026"]]
    )
    sessions = write_csv(
        tmp_path / "jadwal.csv",
        ["tempat", "alamat", "jenis", "tanggal", "mulai", "selesai", "kapasitas"],
        [
            ["MPP Kota", "Jl. Merdeka 1", "mpp", "30-12-2026", "08.00", "11.00", "50"],
            ["MPP Kota", "Jl. Merdeka 1", "mpp", "31-12-2026", "11.00", "08.00", "50"],
        ],
    )
    async with signed_in(bot, "Admin", admin=True) as (_, web):
        assert "Ditambah 2," in (await upload(web, book)).text
        marked = await upload(web, recorded, "recorded")
        assert "Ditandai sudah rekam 1, sudah terekam sebelumnya 0" in marked.text
        planned = await upload(web, sessions, "sessions", name='jadwal "Desember".csv')
        assert "Ditambah 1, diperbarui 0, tetap 0, ditolak 1." in planned.text
        assert "jam tidak terbaca, atau selesai sebelum mulai" in planned.text
        link = re.search(r'href="(/berkas/ditolak/[^"]+)"', planned.text)
        assert link
        report = await web.get(link.group(1))
        named = re.fullmatch(
            r'attachment; filename="(jadwal-[A-Za-z0-9._-]+-ditolak\.csv)"',
            report.headers["content-disposition"],
        )
        assert named, report.headers["content-disposition"]  # no quote of the file's own
    async with bot.db.session() as session:
        done = await session.scalar(select(func.count()).where(Target.recorded_at.is_not(None)))
    assert done == 1


async def test_files_that_cannot_be_read_or_are_too_big_change_nothing(
    bot: BotHarness, tmp_path: Path
) -> None:
    text = tmp_path / "catatan.txt"
    text.write_text("bukan daftar")
    no_nik = write_csv(tmp_path / "tanpa-nik.csv", ID_HEADER[1:], [person(1)[1:]])
    broken = tmp_path / "rusak.xlsx"
    broken.write_bytes(b"PK\x03\x04 bukan buku kerja")
    big = tmp_path / "besar.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(",".join(ID_HEADER) + "\n")
        row = ",".join(person(1)) + "\n"
        handle.write(row * (21 * 1024 * 1024 // len(row) + 1))
    async with signed_in(bot, "Admin", admin=True) as (_, web):
        refused = await upload(web, text)
        assert refused.status_code == 400 and "Berkas harus .csv atau .xlsx." in refused.text
        # Found out by the import's own process: said on the import's page.
        missing = await upload(web, no_nik)
        assert "Kolom wajib tidak ada di baris judul: nik" in missing.text
        unreadable = await upload(web, broken)
        assert "bukan buku kerja XLSX yang utuh" in unreadable.text
        too_big = await upload(web, big)
        assert too_big.status_code == 413 and "Berkas terlalu besar: paling besar 20 MB" in (
            too_big.text
        )
        # Sent in chunks, without a stated length: measured as it is read, refused the same.
        page = await web.get("/berkas")
        chunked = await web.post(
            "/berkas/impor",
            content=_chunks(_multipart(csrf_of(page), big)),
            headers={"content-type": f"multipart/form-data; boundary={_BOUNDARY}"},
        )
        assert chunked.status_code == 413 and "Berkas terlalu besar" in chunked.text
    assert await targets_in(bot) == 0


_BOUNDARY = "rekam-uji-batas"


def _multipart(csrf: str, path: Path) -> list[bytes]:
    head = (
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="jenis"\r\n\r\ntargets\r\n'
        f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="berkas"; filename="{path.name}"'
        "\r\nContent-Type: text/csv\r\n\r\n"
    )
    return [head.encode(), path.read_bytes(), f"\r\n--{_BOUNDARY}--\r\n".encode()]


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        for start in range(0, len(part), 1 << 20):
            yield part[start : start + (1 << 20)]


async def test_staff_who_are_not_admin_download_but_cannot_upload(
    bot: BotHarness, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "sasaran.csv", ID_HEADER, [person(1)])
    async with signed_in(bot, "Dewi") as (_, web):
        page = await web.get("/berkas")
        assert page.status_code == 200 and "Unduh laporan" in page.text
        assert 'action="/berkas/impor"' not in page.text
        refused = await upload(web, path)
        assert refused.status_code == 403 and "hanya untuk admin" in refused.text
        assert (await web.get("/berkas/laporan?per=kelurahan&format=csv")).status_code == 200
    async with signed_in(bot, "Admin", admin=True) as (_, web):
        page = await web.get("/berkas")
        with path.open("rb") as handle:
            forged = await web.post(  # no form token: a page elsewhere posting the file
                "/berkas/impor", data={"jenis": "targets"}, files={"berkas": ("a.csv", handle)}
            )
        assert forged.status_code == 403
    assert await targets_in(bot) == 0


async def test_the_report_is_rekam_reports_file_and_carries_no_formula(
    bot: BotHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [person(1), person(2), person(3)]
    rows[0][7] = '=HYPERLINK("http://jahat.example")'  # a school name that is a formula
    rows[1][1] = "@SUM(1+1)"  # a name too (it never reaches the report: names are private)
    path = write_csv(tmp_path / "sasaran.csv", ID_HEADER, rows)
    async with signed_in(bot, "Admin", admin=True) as (_, web):
        assert "Ditambah 3," in (await upload(web, path)).text
        downloads = {
            (by, kind): await web.get(f"/berkas/laporan?per={by}&format={kind}")
            for by in ("kecamatan", "kelurahan", "school")
            for kind in ("csv", "xlsx")
        }
    monkeypatch.setenv("DATABASE_URL", bot.settings.database_url)
    for (by, kind), got in downloads.items():
        assert got.status_code == 200
        assert f"laporan-{by}.{kind}" in got.headers["content-disposition"]
        written = tmp_path / f"cli-{by}.{kind}"
        code = await asyncio.to_thread(
            main, ["report", "--by", by, "--format", kind, "-o", str(written)]
        )
        assert code == 0
        if kind == "csv":
            assert got.content == written.read_bytes()
        else:
            assert _cells(got.content) == _cells(written.read_bytes())
    by_school = list(
        csv.reader(io.StringIO(downloads["school", "csv"].content.decode("utf-8-sig")))
    )
    schools = {line[0] for line in by_school[1:]}
    assert '\'=HYPERLINK("http://jahat.example")' in schools
    assert not any(cell.startswith(("=", "@", "+", "-")) for line in by_school for cell in line)
    sheet = _cells(downloads["school", "xlsx"].content)
    assert '\'=HYPERLINK("http://jahat.example")' in {row[0] for row in sheet}
    assert by_school[-1][0] == "JUMLAH" and by_school[-1][2] == "3"


def _cells(data: bytes) -> list[tuple[object, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


async def test_a_schools_letters_download_as_one_pdf(sqlite_url: str) -> None:
    async with dashboard_bot(sqlite_url, bot_username="RekamUjiBot") as bot:
        place = await factories.add_place(bot.db)
        service = await factories.add_session(bot.db, bot.settings, place)
        for serial in (1, 2):
            target = await factories.add_target(
                bot.db,
                bot.settings,
                name=f"Remaja {serial}",
                serial=serial,
                code=f"KODE{serial}234",
            )
            await factories.summon(bot.db, bot.settings, target, service)
        async with signed_in(bot, "Dewi") as (officer, web):
            page = await web.get("/berkas")
            assert "Surat panggilan (PDF)" in page.text
            csrf = csrf_of(page)
            assert (await web.get("/berkas/surat")).status_code == 405  # never by a mere link
            assert (await web.post("/berkas/surat", data={})).status_code == 403
            pdf = await web.post("/berkas/surat", data={"csrf": csrf})
            assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
            assert pdf.content.startswith(b"%PDF")
            assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.content)) == 2  # one each
            nobody = await web.post(  # a school that is not there
                "/berkas/surat", data={"csrf": csrf, "sekolah": "99999"}
            )
            assert nobody.status_code == 404 and "Tidak ada surat untuk dicetak." in nobody.text
        async with bot.db.session() as session:
            event = await session.scalar(select(Event).where(Event.kind == "letters_printed"))
        assert event is not None and event.data == {
            "by": f"staff:{officer.id}",
            "school": None,
            "letters": 2,
        }
