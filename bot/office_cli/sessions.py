"""`rekam sessions`: the sessions with their ids (what `broadcast --session ID` takes), places,
days, hours and seats."""

from __future__ import annotations

import argparse
from typing import Any

from bot.clock import Clock
from bot.config import load_settings
from bot.db.engine import Database
from bot.i18n import Gettext, format_day, format_hours
from bot.office_cli.common import print_table, with_database
from bot.services import schedule


def add_command(commands: Any, _: Gettext) -> None:
    listed = commands.add_parser(
        "sessions", help=_("daftar jadwal: kode, tempat, tanggal, jam, terisi, jumlah tempat, sisa")
    )
    listed.add_argument(
        "--all", action="store_true", help=_("juga jadwal yang sudah lewat dan yang dibatalkan")
    )
    listed.set_defaults(handler=cmd_sessions)


def cmd_sessions(args: argparse.Namespace, _: Gettext) -> int:
    """The sessions from today on (every one with --all), in the office's zone and language."""
    settings = load_settings()
    clock = Clock(settings.zone)
    language, zone = settings.default_language, settings.zone

    async def work(database: Database) -> list[schedule.Listed]:
        async with database.reading() as session:
            return await schedule.listing(session, since=None if args.all else clock.now())

    found = with_database(settings, work)
    if not found:
        print(_("Belum ada jadwal. Impor jadwal dengan: rekam import sessions BERKAS"))
        return 0
    header = (
        "ID",
        _("kode"),
        _("tempat"),
        _("tanggal"),
        _("jam"),
        _("terisi"),
        _("jumlah tempat"),
        _("sisa"),
        _("keterangan"),
    )
    rows = [
        (
            s.id,
            s.code or "",
            s.place,
            format_day(s.starts_at.astimezone(zone).date(), language),
            format_hours(s.starts_at, s.ends_at, language, zone),
            s.booked,
            s.capacity,
            max(s.capacity - s.booked, 0),
            _("dibatalkan") if s.cancelled else "",
        )
        for s in found
    ]
    print_table(header, rows)
    print(_("{count} jadwal.").format(count=len(found)))
    return 0
