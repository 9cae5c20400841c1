"""`rekam import`: the target list and the sessions, with every rejected row explained."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.eligibility import on_target_list
from bot.domain.table_rows import SESSION_HEADERS, TARGET_HEADERS
from bot.i18n import Gettext
from bot.office_cli.common import (
    column_names,
    operator,
    progress,
    read_file,
    rejects_path,
    report_rejected,
)
from bot.office_cli.records import cmd_import_recorded
from bot.services import imports, notices, session_imports, sheets
from bot.services.summonses import deadline_for


def cmd_import(args: argparse.Namespace, _: Gettext) -> int:
    if args.kind == "recorded":  # its own columns and outcome
        return cmd_import_recorded(args, _)
    settings = load_settings()
    if args.kind == "targets":
        require_data_key(settings)  # NIKs are hashed and sealed as they go in
    path = Path(args.file)
    report = rejects_path(args, path, _)  # a wrong name is refused before, not after
    clock = Clock(settings.zone)
    now = clock.now()
    today = now.astimezone(clock.zone).date()  # the office's date of that same instant
    bar = progress(sys.stderr.isatty() and args.kind == "targets")
    columns: dict[str, str] = {}

    async def work(database: Database) -> imports.ImportResult:
        with sheets.opened(path) as (header, rows):
            known = TARGET_HEADERS if args.kind == "targets" else SESSION_HEADERS
            columns.update(column_names(header, known))
            if args.kind == "targets":
                return await imports.import_targets(
                    database,
                    header,
                    rows,
                    today=today,
                    now=now,
                    regions=settings.office_region_codes,
                    progress=bar.update if bar else None,
                    by=operator(args),
                    on_list=partial(
                        on_target_list,
                        rule=settings.target_min_age,
                        today=today,
                        election=settings.election_date,
                    ),
                )
            return await session_imports.import_sessions(
                database,
                header,
                rows,
                today=today,
                zone=settings.zone,
                moving=session_imports.Moving(
                    now=now,
                    deadline=deadline_for(settings.election_date, settings.zone),
                    policy=notices.Policy.of(settings),
                    by=operator(args),
                ),
            )

    try:
        result = read_file(settings, work, _, path)
    finally:
        if bar:
            bar.close()
    if result is None:
        return 1
    print(
        _("Ditambah {added}, diperbarui {updated}, tetap {unchanged}, ditolak {rejected}.").format(
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=len(result.rejected),
        )
    )
    if result.moved:
        print(
            _("Jadwal dipindah menurut kodenya: {moved}; {told} remaja dikabari.").format(
                moved=result.moved, told=result.told
            )
        )
    if result.marked_recorded:
        print(
            _("Ditandai sudah rekam menurut kolom status: {count}.").format(
                count=result.marked_recorded
            )
        )
    if result.rejected:
        report_rejected(result.rejected, report, columns, _)
    return 0
