"""`rekam report` (the figures, as a table, CSV or XLSX) and `rekam staff`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import load_settings
from bot.db.engine import Database
from bot.domain.kinds import Channel
from bot.i18n import Gettext
from bot.office_cli.common import (
    operator,
    print_table,
    sheet_output,
    with_database,
    write_table,
)
from bot.services import figures, staff


def _figure_rows(
    lines: list[figures.Figures], _: Gettext
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    header = (
        _("wilayah"),
        _("bagian dari"),
        _("target"),
        _("dipanggil"),
        _("konfirmasi"),
        _("menolak"),
        _("pindah jadwal"),
        _("minta kunjungan rumah"),
        _("kunjungan rumah diminta"),
        _("kunjungan rumah dijadwalkan"),
        _("kunjungan rumah selesai"),
        _("tidak bisa dihubungi"),
        _("hadir"),
        _("tidak datang"),
        _("datang, belum terekam"),
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
            line.moved,
            line.home_visit,
            line.visits_requested,
            line.visits_scheduled,
            line.visits_done,
            line.unreachable,
            line.attended,
            line.no_show,
            line.unrecorded,
            line.recorded,
            line.remaining,
            round(line.percent, 2),
        )
        for line in lines
    ]
    return header, rows


def cmd_report(args: argparse.Namespace, _: Gettext) -> int:
    fmt, path = sheet_output(args, f"laporan-{args.by}", _)
    settings = load_settings()

    async def work(database: Database) -> list[figures.Figures]:
        return await figures.report(database.reading, figures.By(args.by))

    lines = with_database(settings, work)
    whole = figures.total(lines)
    header, rows = _figure_rows([*lines, whole], _)
    said = sys.stdout
    if fmt == "table":
        print_table(header, rows)
    else:
        write_table(path, fmt, header, rows)
        if path is None:
            said = sys.stderr  # standard output carries the file alone (a pipe, a redirect)
        else:
            print(_("Laporan ditulis ke {path}.").format(path=path))
    print(
        _("Target {target}, terekam {recorded}, sisa {remaining} ({percent:.1f}%).").format(
            target=f"{whole.target:,}",
            recorded=f"{whole.recorded:,}",
            remaining=f"{whole.remaining:,}",
            percent=whole.percent,
        ),
        file=said,
    )
    return 0


def cmd_staff(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()

    async def work(database: Database) -> bool:
        async with database.session() as session:
            if args.action == "add":
                return await staff.add(
                    session,
                    args.telegram_id,
                    admin=args.admin,
                    by=operator(args),
                    channel=Channel.CLI,
                )
            return await staff.remove(
                session, args.telegram_id, by=operator(args), channel=Channel.CLI
            )

    changed = with_database(settings, work)
    if args.action == "add":
        text = _("{id} sekarang admin.") if args.admin else _("{id} sekarang petugas.")
    else:
        text = _("{id} bukan petugas lagi.") if changed else _("{id} bukan petugas.")
    print(text.format(id=args.telegram_id))
    return 0
