"""`rekam import`: the target list and the sessions, with every rejected row explained."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.i18n import Gettext
from bot.office_cli.common import (
    operator,
    progress,
    read_file,
    rejects_path,
    report_rejected,
)
from bot.office_cli.records import cmd_import_recorded
from bot.presentation import schedule as schedule_views
from bot.services import file_imports
from bot.services.imports import ImportResult


def cmd_import(args: argparse.Namespace, _: Gettext) -> int:
    if args.kind == "recorded":  # its own columns and outcome
        return cmd_import_recorded(args, _)
    settings = load_settings()
    if args.kind == "targets":
        require_data_key(settings)  # NIKs are hashed and sealed as they go in
    path = Path(args.file)
    report = rejects_path(args, path, _)  # a wrong name is refused before, not after
    now = Clock(settings.zone).now()
    bar = progress(sys.stderr.isatty() and args.kind == "targets")

    async def work(database: Database) -> file_imports.Imported:
        return await file_imports.import_file(
            database,
            settings,
            file_imports.FileKind(args.kind),
            path,
            now=now,
            by=operator(args),
            progress=bar.update if bar else None,
        )

    try:
        imported = read_file(settings, work, _, path)
    finally:
        if bar:
            bar.close()
    if imported is None:
        return 1
    result = imported.result
    assert isinstance(result, ImportResult)
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
        if result.untold:
            print(schedule_views.untold(result.untold, _, settings.default_language))
    if result.marked_recorded:
        print(
            _("Ditandai sudah rekam menurut kolom status: {count}.").format(
                count=result.marked_recorded
            )
        )
    if result.numbers_refused:
        print(
            _(
                "Nomor telepon tidak dipakai: {count} (barisnya tetap masuk; alasannya di "
                "laporan penolakan)."
            ).format(count=len(result.numbers_refused))
        )
    if imported.rejected:
        report_rejected(imported.rejected, report, imported.columns, _, settings.default_language)
    return 0
