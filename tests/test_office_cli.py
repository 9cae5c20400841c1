"""The office's desk commands end to end on a real database: report totals in a table, CSV and
XLSX; invitation lists; printable letters; broadcasts; staff."""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.cli import main
from bot.db.migrate import upgrade
from bot.db.models import OutboxMessage, Staff, Target
from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.services import contacts, figures
from tests.support.harness import database
from tests.support.offices import seeded_office
from tests.support.sheets import ID_HEADER, person, write_csv


def test_report_prints_the_totals_offices_report(
    desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--by", "kelurahan"]) == 0
    out = capsys.readouterr().out
    assert "Sasaran 6, terekam 1, sisa 5 (16,7%)." in out
    lines = out.splitlines()
    assert re.split(r"\s{2,}", lines[0]) == [
        "wilayah",
        "sasaran",
        "dipanggil",
        "konfirmasi",
        "hadir",
        "terekam",
        "sisa",
        "% terekam",
    ]
    total = next(line for line in lines if line.startswith("JUMLAH"))
    assert re.split(r"\s+", total.strip())[1:] == ["6", "4", "1", "0", "1", "5", "16,7%"]
    assert all(len(line) <= 100 for line in lines)
    # More columns when asked for, by the names --help lists.
    assert main(["report", "--columns", "tidak-datang, belum-terekam,terekam"]) == 0
    asked = capsys.readouterr().out.splitlines()
    assert re.split(r"\s{2,}", asked[0]) == [
        "wilayah",
        "tidak datang",
        "datang, belum terekam",
        "terekam",
    ]
    assert main(["report", "--columns", "semua"]) == 0
    every = capsys.readouterr().out.splitlines()[0]
    assert "kunjungan rumah diminta" in every and "minta kunjungan rumah" not in every


def test_report_as_csv_and_xlsx_by_kecamatan(
    desk: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["report", "--by", "kecamatan", "--format", "csv", "-o", str(tmp_path / "lap")]) == 0
    )
    with (tmp_path / "lap.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["wilayah", "bagian dari", "sasaran"]
    assert rows[1][0] == "Utara" and rows[-1][0] == "JUMLAH" and rows[-1][2] == "6"
    # Every column once: a home visit asked for is counted in "kunjungan rumah diminta"; the
    # reach per channel, reached, answered and unreached beside the answers.
    assert len(rows[0]) == len(set(rows[0])) == 22
    assert rows[0][3:6] == [
        "terjangkau lewat Telegram",
        "terjangkau lewat WhatsApp",
        "terjangkau lewat SMS",
    ]
    assert rows[0][7:10] == ["sudah menjawab", "menunggu jawaban", "belum terjangkau"]
    assert "minta kunjungan rumah" not in rows[0] and rows[-1][-1] == "16.67"
    for by in ("sekolah", "school"):  # the English name still works
        path = tmp_path / f"lap-{by}.xlsx"
        assert main(["report", "--by", by, "--format", "xlsx", "-o", str(path)]) == 0
    assert (
        main(["report", "--by", "sekolah", "--format", "xlsx", "-o", str(tmp_path / "lap.xlsx")])
        == 0
    )
    sheet = load_workbook(tmp_path / "lap.xlsx").active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[-1][0] == "JUMLAH" and values[-1][2] == 6
    assert {v[0] for v in values[1:-1]} == {"SMK Uji", "(tanpa wilayah)"}


async def test_figures_count_answers_per_area(database_url: str) -> None:
    db = database(database_url)
    await upgrade(db)
    from tests.support.harness import make_settings

    await seeded_office(db, make_settings(database_url).zone, capacity=10)
    async with db.session() as session:
        await session.execute(
            update(Target).where(Target.name == "Remaja 2").values(recorded_at=datetime.now(UTC))
        )
    lines = await figures.report(db.session, figures.By.KELURAHAN)
    await db.dispose()
    assert {(line.area, line.parent_area, line.target, line.recorded) for line in lines} == {
        ("Mawar", "Utara", 3, 1),
        ("Melati", "Utara", 3, 0),
    }
    whole = figures.total(lines)
    assert (whole.target, whole.recorded, whole.remaining) == (6, 1, 5)


def test_invites_mask_the_nik_and_carry_the_deep_link(desk: str, tmp_path: Path) -> None:
    assert main(["invites", str(tmp_path / "undangan.csv")]) == 0
    with (tmp_path / "undangan.csv").open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 5  # the recorded teen needs no invitation
    for row in rows:
        assert row["NIK"] == "3599" + "*" * 12
        assert row["tautan"] == f"https://t.me/RekamUjiBot?start={row['kode']}"


def test_invites_need_the_bot_name(
    desk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BOT_USERNAME")
    assert main(["invites", str(tmp_path / "u.csv")]) == 1
    assert "BOT_USERNAME" in capsys.readouterr().err


def test_letters_one_page_each_for_teens_without_telegram(
    desk: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["letters", str(tmp_path / "surat.pdf")]) == 0
    # Four summoned (1, 2, 5, 6); 6 has recorded and 1 is on Telegram: letters for 2 and 5.
    assert "2 surat ditulis" in capsys.readouterr().out
    pdf = (tmp_path / "surat.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2
    assert main(["letters", str(tmp_path / "semua.pdf"), "--all"]) == 0
    assert "3 surat ditulis" in capsys.readouterr().out


def test_broadcast_and_staff_from_the_command_line(
    desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["broadcast", "--all-pending", "Besok", "libur"]) == 0
    out = capsys.readouterr().out
    assert "Siaran sedang dikirim ke 1 orang." in out  # only Remaja 1 is on Telegram
    assert "dapat dijangkau" in out
    assert main(["staff", "add", "5150", "--admin"]) == 0
    assert main(["staff", "remove", "6160"]) == 1  # nobody to remove: said, and a failure
    assert capsys.readouterr().out.splitlines() == [
        "✅ 5150 sekarang admin.",
        "6160 bukan petugas.",
    ]

    async def check() -> tuple[list[int], str]:
        db = database(desk)
        async with db.session() as session:
            ids = list((await session.execute(select(Staff.telegram_id))).scalars())
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.kind == "broadcast")
            )
        await db.dispose()
        assert row is not None
        return ids, str(row.chat_id)

    assert asyncio.run(check()) == ([5150], "777")


def test_import_then_summon_on_a_fresh_database_prints_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/baru.db")
    monkeypatch.setenv("OFFICE_REGION_CODES", "3599")
    assert (
        main(
            [
                "import",
                "targets",
                str(write_csv(tmp_path / "s.csv", ID_HEADER, [person(1), person(2)])),
            ]
        )
        == 0
    )
    assert main(["summon"]) == 0
    out = capsys.readouterr().out
    assert "Dipanggil 0 remaja ke 0 jadwal; 2 menunggu tempat." in out
    assert "KURANG TEMPAT: Mawar, Utara: 2 remaja" in out


def test_unreached_lists_who_no_channel_reaches_with_their_letters_and_call_list(
    desk: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Remaja 1 is on Telegram, 5 confirmed, 6 recorded: Remaja 2 is the one nobody reaches.
    A number on her record counts once the office sends SMS, and not before."""
    calls, pdf = tmp_path / "telepon.csv", tmp_path / "surat.pdf"
    assert main(["unreached", "-o", str(calls), "--letters", str(pdf)]) == 0
    out = capsys.readouterr().out
    assert "Belum terjangkau: 1 remaja." in out and "Remaja 2 (3599" in out
    assert "tidak ada saluran" in out and "1 surat ditulis" in out
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == 1
    with calls.open(encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["Nama"] == "Remaja 2" and row["NIK"] == "3599" + "*" * 12
    # One kelurahan's (as the overview's cell opens it): hers, and the other one's is empty.
    assert main(["unreached", "--kelurahan", "mawar"]) == 0
    assert "Belum terjangkau: 1 remaja." in capsys.readouterr().out
    assert main(["unreached", "--kelurahan", "Melati"]) == 0
    assert "Semua remaja yang dipanggil bisa dihubungi" in capsys.readouterr().out
    assert main(["unreached", "--kelurahan", "Mawra"]) == 1  # a typo is named, never "nobody"
    said = capsys.readouterr()
    assert "Mawar" in said.out + said.err and "Belum terjangkau" not in said.out

    async def number() -> None:
        db = database(desk)
        async with db.session() as session:
            teen = await session.scalar(select(Target).where(Target.name == "Remaja 2"))
            assert teen is not None
            await contacts.put(
                session,
                teen.id,
                ContactOf.TEEN,
                "0812-1111-0002",
                source=ContactSource.STAFF,
                actor=Actor.STAFF,
                channel=Channel.CLI,
                now=datetime.now(UTC),
            )
        await db.dispose()

    asyncio.run(number())
    assert main(["unreached"]) == 0
    out = capsys.readouterr().out
    assert "Belum terjangkau: 1 remaja." in out and "+6281211110002" in out  # no SMS set up
    monkeypatch.setenv("SMS_GATEWAY_URL", "http://127.0.0.1:9/")
    assert main(["unreached"]) == 0
    assert "Semua remaja yang dipanggil bisa dihubungi" in capsys.readouterr().out


def test_report_counts_the_unreached_as_rekam_unreached_lists_them(
    desk: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reach is counted when a column shows it (the costliest count); the teens it counts as
    unreached are the ones `rekam unreached` lists."""
    assert main(["report", "--columns", "dipanggil,dijawab,menunggu,belum-terjangkau"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert re.split(r"\s{2,}", out[0]) == [
        "wilayah",
        "dipanggil",
        "sudah menjawab",
        "menunggu jawaban",
        "belum terjangkau",
    ]
    total = next(line for line in out if line.startswith("JUMLAH"))
    assert re.split(r"\s+", total.strip())[1:] == ["4", "1", "2", "1"]
    assert main(["unreached"]) == 0
    listed = capsys.readouterr().out
    assert "Belum terjangkau: 1 remaja." in listed and "Remaja 2" in listed
