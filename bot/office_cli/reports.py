"""`rekam report` (the figures, as a table, CSV or XLSX) and `rekam staff`."""

from __future__ import annotations

import argparse
import sys

from bot.config import load_settings
from bot.db.engine import Database
from bot.domain.kinds import Channel
from bot.i18n import Gettext, format_number, format_share
from bot.office_cli.common import (
    known_name,
    operator,
    print_table,
    sheet_output,
    with_database,
    write_table,
)
from bot.presentation import report
from bot.presentation import staff as staff_views
from bot.services import figures, staff
from bot.services.staff import Roster

# `--by` in the office's words; the English names it took before still work.
BY = {"kelurahan": figures.By.KELURAHAN, "kecamatan": figures.By.KECAMATAN}
BY |= {"sekolah": figures.By.SCHOOL}
BY_ALIASES = {"school": "sekolah", "desa": "kelurahan", "village": "kelurahan"}
BY_ALIASES |= {"district": "kecamatan"}


def by_name(text: str) -> str:
    """`--by`'s value as one of BY's names (an alias becomes the name it stands for)."""
    typed = text.strip().casefold()
    return BY_ALIASES.get(typed, typed)


def add_report_arguments(parser: argparse.ArgumentParser, _: Gettext) -> None:
    """`rekam report`'s options."""
    parser.add_argument(
        "--by",
        type=by_name,
        choices=tuple(BY),
        default="kelurahan",
        metavar=_("PER"),
        help=_("dikelompokkan per kelurahan, kecamatan atau sekolah (bawaan: kelurahan)"),
    )
    parser.add_argument(
        "--columns",
        metavar=_("KOLOM"),
        help=_(
            "kolom yang tampil di layar, dipisah koma, atau {all} untuk semuanya; bawaan: "
            "{essential}. Semua kolom: {names}. Berkas CSV/XLSX selalu memuat semua kolom."
        ).format(
            all=report.ALL,
            essential=", ".join(report.ESSENTIAL),
            names=", ".join(column.name for column in report.COLUMNS),
        ),
    )


def _columns(text: str | None, _: Gettext) -> tuple[str, ...]:
    """The columns --columns names (every one for `semua`), or Refused naming the closest."""
    if text is None:
        return report.ESSENTIAL
    names = [name.strip().casefold() for name in text.split(",") if name.strip()]
    if names == [report.ALL]:
        return tuple(column.name for column in report.COLUMNS)
    known = [column.name for column in report.COLUMNS]
    return tuple(known_name(name, known, _("Kolom"), _, exact=True) for name in names)


def cmd_report(args: argparse.Namespace, _: Gettext) -> int:
    fmt, path = sheet_output(args, f"laporan-{args.by}", _)
    columns = _columns(args.columns, _)
    settings = load_settings()
    language = settings.default_language

    # A file has every column; a terminal counts reach only for the columns that show it.
    reach = fmt != "table" or report.needs_reach(columns)

    async def work(database: Database) -> list[figures.Figures]:
        return await figures.report(database.reading, BY[args.by], reach=reach)

    lines = with_database(settings, work)
    whole = figures.total(lines)
    said = sys.stdout
    if fmt == "table":
        table = report.figure_table([*lines, whole], _, language, columns)
        print_table(table.header, table.rows, right=table.numbers)
    else:
        header, rows = report.figure_rows([*lines, whole], _)
        write_table(path, fmt, header, rows)
        if path is None:
            said = sys.stderr  # standard output carries the file alone (a pipe, a redirect)
        else:
            print(_("Laporan ditulis ke {path}.").format(path=path))
    print(
        _("Sasaran {target}, terekam {recorded}, sisa {remaining} ({percent}).").format(
            target=format_number(whole.target, language),
            recorded=format_number(whole.recorded, language),
            remaining=format_number(whole.remaining, language),
            percent=format_share(whole.percent, language),
        ),
        file=said,
    )
    return 0


def cmd_staff(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()

    async def work(database: Database) -> Roster:
        async with database.session() as session:
            if args.action == "add":
                return await staff.add(
                    session,
                    args.telegram_id,
                    admin=args.admin,
                    by=operator(args),
                    channel=Channel.CLI,
                    name=args.name,
                )
            return await staff.remove(
                session, args.telegram_id, by=operator(args), channel=Channel.CLI
            )

    change = with_database(settings, work)
    removing = args.action != "add"
    print(
        staff_views.roster(
            change,
            args.telegram_id,
            admin=bool(getattr(args, "admin", False)),
            removing=removing,
            _=_,
        )
    )
    return 0 if change in (Roster.ADDED, Roster.UPDATED, Roster.REMOVED) else 1
