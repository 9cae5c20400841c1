"""`rekam report` (the figures, as a table, CSV or XLSX) and `rekam staff`."""

from __future__ import annotations

import argparse
import sys

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
from bot.presentation import tables
from bot.services import figures, staff


def cmd_report(args: argparse.Namespace, _: Gettext) -> int:
    fmt, path = sheet_output(args, f"laporan-{args.by}", _)
    settings = load_settings()

    async def work(database: Database) -> list[figures.Figures]:
        return await figures.report(database.reading, figures.By(args.by))

    lines = with_database(settings, work)
    whole = figures.total(lines)
    header, rows = tables.figure_rows([*lines, whole], _)
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
        _("Sasaran {target}, terekam {recorded}, sisa {remaining} ({percent:.1f}%).").format(
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
