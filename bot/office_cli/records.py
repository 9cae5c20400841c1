"""`rekam import recorded`: the office's recording list marks teens recorded."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.i18n import Gettext
from bot.office_cli.common import (
    operator,
    read_file,
    rejects_path,
    report_rejected,
)
from bot.services import file_imports
from bot.services.record_imports import RecordImport


def cmd_import_recorded(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # NIKs are looked up by their keyed hash
    path = Path(args.file)
    report = rejects_path(args, path, _)  # a wrong name is refused before, not after
    now = Clock(settings.zone).now()

    async def work(database: Database) -> file_imports.Imported:
        return await file_imports.import_file(
            database, settings, file_imports.FileKind.RECORDED, path, now=now, by=operator(args)
        )

    imported = read_file(settings, work, _, path)
    if imported is None:
        return 1
    result = imported.result
    assert isinstance(result, RecordImport)
    print(
        _(
            "Ditandai sudah rekam {marked}, sudah terekam sebelumnya {already}, tidak ada di "
            "daftar sasaran {unknown}, status lain (dilewati) {skipped}, ditolak {rejected}."
        ).format(
            marked=result.marked,
            already=result.already,
            unknown=result.not_on_list,
            skipped=result.skipped,
            rejected=len(result.rejected),
        )
    )
    if result.rejected:
        report_rejected(result.rejected, report, imported.columns, _, settings.default_language)
    return 0
