"""`rekam unreached`: the teens no channel reaches, by school and kelurahan; with `-o` the call
round's file, with `--letters` the letters to send through their schools."""

from __future__ import annotations

import argparse
from typing import Any

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.i18n import Gettext
from bot.office_cli.calls import bot_username_of, kelurahan_named, school_named
from bot.office_cli.common import output_file, with_database
from bot.presentation import letters as letter_pages
from bot.presentation import unreached as views
from bot.services import letters, sheets, unreached


def add_command(commands: Any, _: Gettext) -> None:
    listed = commands.add_parser(
        "unreached", help=_("remaja yang tidak terjangkau saluran mana pun: surat dan telepon")
    )
    listed.add_argument("--school", help=_("hanya siswa sekolah ini"))
    listed.add_argument("--kelurahan", help=_("hanya remaja kelurahan ini"))
    listed.add_argument(
        "-o", "--output", metavar=_("BERKAS"), help=_("daftar telepon (.csv/.xlsx)")
    )
    listed.add_argument("--letters", metavar=_("BERKAS.pdf"), help=_("surat panggilan mereka"))
    listed.add_argument("--bot", help=_("nama pengguna bot (bawaan: BOT_USERNAME)"))
    listed.set_defaults(handler=cmd_unreached)


def cmd_unreached(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # the list shows masked NIKs and whole numbers
    table = output_file(args.output, ("csv", "xlsx"), _) if args.output else None
    pdf = output_file(args.letters, ("pdf",), _) if args.letters else None
    username = bot_username_of(args, settings) if pdf is not None else ""

    async def work(database: Database) -> tuple[list[unreached.Unreached], list[letters.Letter]]:
        async with database.session() as session:
            school = await school_named(session, args.school, _)
            kelurahan = await kelurahan_named(session, args.kelurahan, _)
            area = unreached.Area(kelurahan=kelurahan, school=school)
            people = await unreached.unreached(session, area=area)
            printed: list[letters.Letter] = []
            if pdf is not None and people:
                printed = await letters.letters(
                    session, school=None, everyone=True, only=unreached.target_ids(people)
                )
            return people, printed

    people, printed = with_database(settings, work)
    print("\n".join(views.lines(people, _)))
    if table is not None:
        header, rows = views.rows(people, _)
        sheets.write(table, header, rows)
        print(_("Daftar telepon ditulis ke {path}.").format(path=table))
    if pdf is not None and printed:
        pages = letter_pages.write_pdf(
            pdf,
            printed,
            head=letter_pages.Letterhead.of(settings),
            bot_username=username,
            _=_,
            language=settings.default_language,
            zone=settings.zone,
            today=Clock(settings.zone).today(),
        )
        print(_("{count} surat ditulis ke {path}.").format(count=pages, path=pdf))
    return 0
