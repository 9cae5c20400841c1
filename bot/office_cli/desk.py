"""`rekam desk`: the recording desk at a laptop. Find someone (attendance code, NIK, or
a name, with or without a birth date), then r (recorded), n (came, not recorded) or u (undo a wrong mark). An
empty line or Ctrl-D ends it."""

from __future__ import annotations

import argparse
import asyncio

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.desk import QueryError, Reason, parse_query
from bot.domain.kinds import Channel
from bot.i18n import Gettext
from bot.office_cli.common import operator, with_database
from bot.presentation import desk as views
from bot.services import desk, desk_search
from bot.services.desk_search import Found
from bot.services.office import Office

_REASON_KEYS = {"1": Reason.DOCUMENTS, "2": Reason.DEVICE, "3": Reason.OTHER}


async def _ask(prompt: str) -> str | None:
    """One typed line, or None at Ctrl-D (input() blocks, so it runs off the event loop)."""
    try:
        return (await asyncio.to_thread(input, prompt)).strip()
    except EOFError:
        return None


async def _choose(matches: list[Found], _: Gettext, language: str) -> Found | None:
    if len(matches) == 1:
        return matches[0]
    print(views.several(len(matches), _))
    for number, found in enumerate(matches, start=1):
        print(f"  {number}. {views.choice_label(found, _, language)}")
    picked = await _ask(_("Nomor: "))
    if picked and picked.isdigit() and 1 <= int(picked) <= len(matches):
        return matches[int(picked) - 1]
    return None


def cmd_desk(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # found by NIK, shown masked
    clock = Clock(settings.zone)
    by, language, zone = operator(args), settings.default_language, settings.zone
    deadline = Office.of(settings).deadline

    async def work(database: Database) -> None:
        while True:
            typed = await _ask(_("Kode / NIK / nama (dan tanggal lahir) (kosong: selesai): "))
            if not typed:
                return
            try:
                query = parse_query(typed, today=clock.today())
            except QueryError as error:
                print(_(views.PROBLEMS[error.problem]))
                continue
            async with database.session() as session:
                matches = await desk_search.look_up(session, query, by=by, channel=Channel.CLI)
            found = await _choose(matches, _, language) if matches else None
            if found is None:
                print(views.none_found(_) if not matches else _("Dilewati."))
                continue
            print(views.person(found, _, language, zone))
            action = await _ask(
                _("[r] terekam  [n] datang, belum terekam  [u] batalkan tanda terekam: ")
            )
            await _act((action or "").casefold(), found, database)

    async def _act(action: str, found: Found, database: Database) -> None:
        reason = None
        if action == "n":
            picked = await _ask(_("Alasan: [1] dokumen kurang  [2] alat bermasalah  [3] lainnya: "))
            reason = _REASON_KEYS.get(picked or "", Reason.OTHER)
        async with database.session() as session:
            now, tid = clock.now(), found.target_id
            if action == "r":
                result = await desk.record(session, tid, by=by, channel=Channel.CLI, now=now)
                outcome = "recorded"
            elif action == "n" and reason is not None:
                result = await desk.unrecorded(
                    session, tid, reason, by=by, channel=Channel.CLI, now=now, deadline=deadline
                )
                outcome = "unrecorded"
            elif action == "u":
                result = await desk.undo(session, tid, by=by, channel=Channel.CLI, now=now)
                outcome = "undo"
            else:
                print(_("Dilewati."))
                return
        print(views.done(outcome, result, found.name, _))

    with_database(settings, work)
    return 0
