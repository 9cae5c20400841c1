"""The office's desk commands of `rekam`: import, summon, invites, letters, broadcast, report,
staff. Thin: each parses, calls a service, prints."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from bot.clock import Clock
from bot.config import Settings, SettingsError, load_settings
from bot.db.engine import Database
from bot.domain.kinds import Audience, Channel
from bot.domain.nik import mask
from bot.domain.table_rows import HeaderError, Problem
from bot.i18n import N_, Gettext
from bot.presentation import letters as letter_pages
from bot.services import broadcasts, figures, imports, letters, notices, sheets, staff, summoning
from bot.services.summonses import deadline_for

T = TypeVar("T")

PROBLEMS = {
    Problem.BAD_NIK: N_("NIK salah (harus 16 angka dengan tanggal lahir yang benar)"),
    Problem.OUTSIDE_REGION: N_("NIK di luar wilayah kantor ini"),
    Problem.BAD_DATE: N_("tanggal tidak terbaca atau mustahil"),
    Problem.DATE_MISMATCH: N_("tanggal lahir tidak sama dengan tanggal di NIK"),
    Problem.DUPLICATE: N_("NIK sudah ada di baris sebelumnya"),
    Problem.MISSING_NAME: N_("nama kosong"),
    Problem.NAME_TOO_LONG: N_("nama lebih dari 200 karakter"),
    Problem.MISSING_VALUE: N_("kolom wajib kosong"),
    Problem.BAD_TIME: N_("jam tidak terbaca, atau selesai sebelum mulai"),
    Problem.BAD_NUMBER: N_("bukan angka yang benar"),
    Problem.BAD_KIND: N_("jenis tempat tidak dikenal"),
    Problem.CAPACITY_BELOW_BOOKED: N_("kapasitas lebih kecil dari jumlah yang sudah dipanggil"),
}


def _with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a migrated database, and close it."""

    async def run() -> T:
        from bot.db.migrate import upgrade

        database = Database(settings.database_url)
        try:
            await upgrade(database)
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def _progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" baris", unit_scale=True, file=sys.stderr)


def cmd_import(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    path = Path(args.file)
    clock = Clock(settings.zone)
    now = clock.now()
    today = now.astimezone(clock.zone).date()  # the office's date of that same instant
    bar = _progress(sys.stderr.isatty() and args.kind == "targets")

    async def work(database: Database) -> imports.ImportResult:
        with sheets.opened(path) as (header, rows):
            if args.kind == "targets":
                return await imports.import_targets(
                    database,
                    header,
                    rows,
                    today=today,
                    now=now,
                    regions=settings.office_region_codes,
                    progress=bar.update if bar else None,
                )
            return await imports.import_sessions(
                database, header, rows, today=today, zone=settings.zone
            )

    try:
        result = _with_database(settings, work)
    except HeaderError as error:
        print(
            _("Kolom wajib tidak ada di baris judul: {columns}").format(
                columns=", ".join(error.missing)
            ),
            file=sys.stderr,
        )
        return 1
    except sheets.UnknownFormatError:
        print(_("Berkas harus .csv atau .xlsx."), file=sys.stderr)
        return 1
    finally:
        if bar:
            bar.close()
    print(
        _("Ditambah {added}, diperbarui {updated}, tetap {unchanged}, ditolak {rejected}.").format(
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(result.rejected),
        )
    )
    if result.marked_recorded:
        print(
            _("Ditandai sudah rekam menurut kolom status: {count}.").format(
                count=result.marked_recorded
            )
        )
    if result.rejected:
        report = Path(args.rejects) if args.rejects else path.with_name(f"{path.stem}-ditolak.csv")
        sheets.write(
            report,
            (_("baris"), _("kolom"), _("alasan")),
            ((r.row, r.column, _(PROBLEMS[r.problem])) for r in result.rejected),
        )
        for rejected in result.rejected[:10]:
            print(
                _("  baris {row}: {reason}").format(
                    row=rejected.row, reason=_(PROBLEMS[rejected.problem])
                )
            )
        print(_("Semua baris yang ditolak dan alasannya: {path}").format(path=report))
    return 0


def cmd_summon(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    clock = Clock(settings.zone)

    async def work(database: Database) -> summoning.SummonResult:
        async with database.session() as session:
            result = await summoning.summon_all(
                session,
                now=clock.now(),
                deadline=deadline_for(settings.election_date, settings.zone),
                policy=notices.Policy.of(settings),
                dry_run=args.dry_run,
            )
            if args.dry_run:
                await session.rollback()
            return result

    result = _with_database(settings, work)
    if args.dry_run:
        print(_("Uji coba: tidak ada yang disimpan atau dikirim."))
    print(
        _("Dipanggil {summoned} remaja ke {sessions} jadwal; {waiting} menunggu tempat.").format(
            summoned=f"{result.summoned:,}", sessions=result.sessions, waiting=f"{result.waiting:,}"
        )
    )
    if result.too_young:
        print(_("{count} sasaran belum 16 tahun: dipanggil nanti.").format(count=result.too_young))
    if not args.dry_run:
        print(
            _("Pesan panggilan diantrekan untuk {count} remaja yang sudah di Telegram.").format(
                count=result.messages_queued
            )
        )
    for shortage in result.shortages:
        area = ", ".join(a for a in (shortage.kelurahan, shortage.kecamatan) if a) or _(
            "wilayah tidak diketahui"
        )
        print(
            _(
                "KURANG TEMPAT: {area}: {count} remaja tanpa jadwal sebelum hari pemungutan suara; tambahkan jadwal."
            ).format(area=area, count=shortage.teens)
        )
    return 0


def _bot_username(args: argparse.Namespace, settings: Settings) -> str:
    name = (args.bot or settings.bot_username or "").lstrip("@")
    if not name:
        raise SettingsError(
            "BOT_USERNAME", N_("wajib diisi untuk tautan undangan (atau pakai --bot)")
        )
    return name


def cmd_invites(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    username = _bot_username(args, settings)

    async def work(database: Database) -> list[tuple[str, str, str]]:
        async with database.session() as session:
            return await letters.invitations(session, school=args.school)

    found = _with_database(settings, work)
    rows: Iterator[tuple[str, str, str, str]] = (
        (mask(nik), name, code, f"https://t.me/{username}?start={code}")
        for nik, name, code in found
    )
    sheets.write(Path(args.file), (_("NIK"), _("nama"), _("kode"), _("tautan")), rows)
    print(_("{count} undangan ditulis ke {path}.").format(count=len(found), path=args.file))
    return 0


def cmd_letters(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    username = _bot_username(args, settings)

    async def work(database: Database) -> list[letters.Letter]:
        async with database.session() as session:
            return await letters.letters(session, school=args.school, everyone=args.all)

    found = _with_database(settings, work)
    pages = letter_pages.write_pdf(
        Path(args.file),
        found,
        office=settings.office_name,
        bot_username=username,
        _=_,
        language=settings.default_language,
        zone=settings.zone,
    )
    if not pages:
        print(_("Tidak ada surat untuk dicetak."))
        return 0
    print(_("{count} surat ditulis ke {path}.").format(count=pages, path=args.file))
    return 0


def cmd_broadcast(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    clock = Clock(settings.zone)
    if args.session is not None:
        audience, value = Audience.SESSION, str(args.session)
    elif args.kelurahan:
        audience, value = Audience.KELURAHAN, args.kelurahan
    elif args.school:
        audience, value = Audience.SCHOOL, args.school
    else:
        audience, value = Audience.ALL_PENDING, None
    text = " ".join(args.text).strip()
    if not text or len(text) > broadcasts.MAX_TEXT:
        print(
            _("Teks siaran kosong atau lebih dari {limit} karakter.").format(
                limit=broadcasts.MAX_TEXT
            ),
            file=sys.stderr,
        )
        return 1

    async def work(database: Database) -> int:
        async with database.session() as session:
            sent = await broadcasts.send(
                session,
                audience=audience,
                value=value,
                text=text,
                by=0,
                channel=Channel.CLI,
                now=clock.now(),
            )
            return sent.recipients

    count = _with_database(settings, work)
    print(_("Siaran diantrekan untuk {count} orang.").format(count=count))
    return 0


def _figure_rows(
    lines: list[figures.Figures], _: Gettext
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    header = (
        _("wilayah"),
        _("induk"),
        _("target"),
        _("dipanggil"),
        _("konfirmasi"),
        _("menolak"),
        _("hadir"),
        _("tidak datang"),
        _("terekam"),
        _("sisa"),
        "%",
    )
    rows = [
        (
            line.area or _("(tanpa wilayah)") if line is not lines[-1] else _("JUMLAH"),
            line.parent_area,
            line.target,
            line.summoned,
            line.confirmed,
            line.declined,
            line.attended,
            line.no_show,
            line.recorded,
            line.remaining,
            round(line.percent, 2),
        )
        for line in lines
    ]
    return header, rows


def cmd_report(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()

    async def work(database: Database) -> list[figures.Figures]:
        return await figures.report(database.reading, figures.By(args.by))

    lines = _with_database(settings, work)
    whole = figures.total(lines)
    header, rows = _figure_rows([*lines, whole], _)
    if args.format in ("csv", "xlsx"):
        path = Path(args.output or f"laporan-{args.by}.{args.format}")
        sheets.write(path.with_suffix(f".{args.format}"), header, rows)
        print(_("Laporan ditulis ke {path}.").format(path=path.with_suffix(f".{args.format}")))
    else:
        widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]
        for row in (header, *rows):
            print(
                "  ".join(
                    str(v).rjust(w) if isinstance(v, int | float) else str(v).ljust(w)
                    for v, w in zip(row, widths, strict=True)
                )
            )
    print(
        _("Target {target}, terekam {recorded}, sisa {remaining} ({percent:.1f}%).").format(
            target=f"{whole.target:,}",
            recorded=f"{whole.recorded:,}",
            remaining=f"{whole.remaining:,}",
            percent=whole.percent,
        )
    )
    return 0


def cmd_staff(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()

    async def work(database: Database) -> bool:
        async with database.session() as session:
            if args.action == "add":
                return await staff.add(
                    session, args.telegram_id, admin=args.admin, by=None, channel=Channel.CLI
                )
            return await staff.remove(session, args.telegram_id, by=None, channel=Channel.CLI)

    changed = _with_database(settings, work)
    if args.action == "add":
        text = _("{id} sekarang admin.") if args.admin else _("{id} sekarang petugas.")
    else:
        text = _("{id} bukan petugas lagi.") if changed else _("{id} bukan petugas.")
    print(text.format(id=args.telegram_id))
    return 0


def add_commands(commands: Any, _: Gettext) -> None:
    """The office commands, under `rekam`."""
    imp = commands.add_parser("import", help=_("impor daftar sasaran atau jadwal (CSV/XLSX)"))
    imp.add_argument("kind", choices=("targets", "sessions"))
    imp.add_argument("file", metavar=_("BERKAS"))
    imp.add_argument("--rejects", metavar=_("BERKAS"), help=_("tulis baris yang ditolak ke sini"))
    imp.set_defaults(handler=cmd_import)

    summon = commands.add_parser("summon", help=_("panggil sasaran yang belum dipanggil ke jadwal"))
    summon.add_argument("--dry-run", action="store_true", help=_("hitung saja, tanpa menyimpan"))
    summon.set_defaults(handler=cmd_summon)

    invites = commands.add_parser("invites", help=_("tulis daftar undangan dengan nama (CSV/XLSX)"))
    invites.add_argument("file", metavar=_("BERKAS"))
    invites.add_argument("--bot", help=_("nama pengguna bot (bawaan: BOT_USERNAME)"))
    invites.add_argument("--school", help=_("hanya siswa sekolah ini"))
    invites.set_defaults(handler=cmd_invites)

    printed = commands.add_parser("letters", help=_("surat panggilan siap cetak (PDF)"))
    printed.add_argument("file", metavar=_("BERKAS.pdf"))
    printed.add_argument("--bot", help=_("nama pengguna bot (bawaan: BOT_USERNAME)"))
    printed.add_argument("--school", help=_("hanya siswa sekolah ini"))
    printed.add_argument("--all", action="store_true", help=_("juga remaja yang sudah di Telegram"))
    printed.set_defaults(handler=cmd_letters)

    cast = commands.add_parser("broadcast", help=_("antrekan siaran"))
    who = cast.add_mutually_exclusive_group(required=True)
    who.add_argument("--session", type=int, metavar="ID")
    who.add_argument("--kelurahan", metavar=_("NAMA"))
    who.add_argument("--school", metavar=_("NAMA"))
    who.add_argument("--all-pending", action="store_true")
    cast.add_argument("text", nargs="+", metavar=_("TEKS"))
    cast.set_defaults(handler=cmd_broadcast)

    report = commands.add_parser("report", help=_("angka per kelurahan / kecamatan / sekolah"))
    report.add_argument("--by", choices=[b.value for b in figures.By], default="kelurahan")
    report.add_argument("--format", choices=("table", "csv", "xlsx"), default="table")
    report.add_argument("-o", "--output", metavar=_("BERKAS"))
    report.set_defaults(handler=cmd_report)

    members = commands.add_parser("staff", help=_("tambah atau hapus petugas"))
    member_actions = members.add_subparsers(dest="action", required=True, metavar=_("PERINTAH"))
    add = member_actions.add_parser("add", help=_("jadikan petugas"))
    add.add_argument("telegram_id", type=int)
    add.add_argument("--admin", action="store_true")
    remove = member_actions.add_parser("remove", help=_("hapus dari petugas"))
    remove.add_argument("telegram_id", type=int)
    for parser in (add, remove):
        parser.set_defaults(handler=cmd_staff)
