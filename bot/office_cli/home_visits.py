"""`rekam homevisits`: the queue of home-visit requests (printed or exported), scheduling a
visit for one teen or a round, and what happened at the door."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date, datetime, time
from typing import Any

from bot.clock import Clock
from bot.config import load_settings
from bot.db.engine import Database
from bot.domain.kinds import Channel, HomeVisitState
from bot.i18n import Gettext, format_when
from bot.office_cli.common import (
    add_operator,
    operator,
    sheet_output,
    with_database,
    write_table,
)
from bot.presentation import home_visits as views
from bot.services import home_visits
from bot.services.home_visits import Request, Scheduled
from bot.services.office import Office
from bot.services.outbox import Reach

_HOURS = re.compile(r"^(\d{1,2})[.:](\d{2})\s*[-–]\s*(\d{1,2})[.:](\d{2})$")


def add_command(commands: Any, _: Gettext) -> None:
    visits = commands.add_parser("homevisits", help=_("antrean permintaan kunjungan rumah"))
    visits.add_argument(
        "--format",
        choices=("table", "csv", "xlsx"),
        help=_(
            "table (tabel di layar), csv atau xlsx; bila tidak diisi: menurut akhiran nama "
            "berkas -o, atau tabel di layar"
        ),
    )
    visits.add_argument(
        "-o", "--output", metavar=_("BERKAS"), help=_("berkas tujuan; - untuk keluaran standar")
    )
    visits.set_defaults(handler=cmd_homevisits, action="list")
    actions = visits.add_subparsers(dest="action", metavar=_("PERINTAH"))
    plan = actions.add_parser("schedule", help=_("jadwalkan kunjungan (satu atau satu putaran)"))
    plan.add_argument("--date", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    plan.add_argument("--hours", required=True, metavar="08.00-12.00")
    plan.add_argument("ids", type=int, nargs="+", metavar="ID")
    done = actions.add_parser("done", help=_("catat hasil kunjungan"))
    done.add_argument("id", type=int, metavar="ID")
    done.add_argument(
        "--not-recorded", metavar=_("ALASAN"), help=_("tidak di rumah / tidak bisa direkam")
    )
    for parser in (plan, done):
        parser.set_defaults(handler=cmd_homevisits)
        add_operator(parser, _)


def _rows(
    found: list[Request], _: Gettext, language: str, settings: Any
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    header = (
        "ID",
        _("nama"),
        _("kelurahan"),
        _("kecamatan"),
        _("alamat"),
        _("alasan"),
        _("diminta"),
        _("jadwal kunjungan"),
    )
    rows = [
        (
            r.id,
            r.name,
            r.kelurahan,
            r.kecamatan,
            r.address,
            r.reason,
            format_when(r.requested_at, language, settings.zone),
            format_when(r.starts_at, language, settings.zone)
            if r.state == HomeVisitState.SCHEDULED and r.starts_at
            else "",
        )
        for r in found
    ]
    return header, rows


def cmd_homevisits(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    if args.action == "schedule":
        return _schedule(args, _, settings)
    if args.action == "done":
        return _done(args, _, settings)

    async def listing(database: Database) -> list[Request]:
        async with database.reading() as session:
            return await home_visits.queue(session)

    fmt, path = sheet_output(args, "kunjungan-rumah", _)
    header, rows = _rows(with_database(settings, listing), _, settings.default_language, settings)
    said = sys.stdout
    if fmt == "table":
        for row in rows:
            print("  ".join(str(value) for value in row if value != ""))
    else:
        write_table(path, fmt, header, rows)
        if path is None:
            said = sys.stderr  # standard output carries the file alone
        else:
            print(_("Antrean ditulis ke {path}.").format(path=path))
    print(_("{count} permintaan kunjungan rumah.").format(count=len(rows)), file=said)
    return 0


def _schedule(args: argparse.Namespace, _: Gettext, settings: Any) -> int:
    match = _HOURS.match(args.hours.strip())
    try:
        opens = time(int(match.group(1)), int(match.group(2))) if match else None
        closes = time(int(match.group(3)), int(match.group(4))) if match else None
    except ValueError:
        opens = closes = None
    if opens is None or closes is None:
        print(_("Jam tidak terbaca. Contoh: --hours 08.00-12.00"))
        return 1
    zone, clock, office = settings.zone, Clock(settings.zone), Office.of(settings)

    async def work(database: Database) -> tuple[Scheduled, Reach]:
        async with database.session() as session:
            return await home_visits.schedule(
                session,
                args.ids,
                starts_at=datetime.combine(args.date, opens, tzinfo=zone),
                ends_at=datetime.combine(args.date, closes, tzinfo=zone),
                now=clock.now(),
                deadline=office.deadline,
                policy=office.policy,
                by=operator(args),
                channel=Channel.CLI,
            )

    outcome, reach = with_database(settings, work)
    print(
        views.scheduled(outcome, reach, _, settings.default_language, office.deadline, office.zone)
    )
    return 0 if outcome == Scheduled.DONE else 1


def _done(args: argparse.Namespace, _: Gettext, settings: Any) -> int:
    clock = Clock(settings.zone)

    async def work(database: Database) -> Reach | None:
        async with database.session() as session:
            return await home_visits.finish(
                session,
                args.id,
                recorded=args.not_recorded is None,
                reason=args.not_recorded,
                by=operator(args),
                channel=Channel.CLI,
                now=clock.now(),
            )

    reach = with_database(settings, work)
    print(views.finished(reach, args.not_recorded is None, _, settings.default_language))
    return 0 if reach is not None else 1
