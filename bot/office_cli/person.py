"""`rekam person NIK|KODE [--json]`: everything the office knows about one teen."""

from __future__ import annotations

import argparse
import json
import sys

from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.kinds import Channel
from bot.i18n import Gettext
from bot.office_cli.common import operator, with_database
from bot.presentation.person import person_text
from bot.services import person


def cmd_person(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # found by NIK, shown masked

    async def work(database: Database) -> person.Person | None:
        async with database.session() as session:
            target_id = await person.find(session, args.who)
            if target_id is None:
                return None
            return await person.look(session, target_id, by=operator(args), channel=Channel.CLI)

    found = with_database(settings, work)
    if found is None:
        print(_("Tidak ada remaja dengan NIK atau kode itu."), file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
    else:
        print(person_text(found, _, settings.default_language, settings.zone))
    return 0
