"""`rekam import recorded`: the office's recording list marks teens recorded."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.record_rows import RECORD_HEADERS
from bot.i18n import Gettext
from bot.office_cli.common import (
    column_names,
    operator,
    read_file,
    rejects_path,
    report_rejected,
)
from bot.services import record_imports, sheets


def cmd_import_recorded(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # NIKs are looked up by their keyed hash
    path = Path(args.file)
    report = rejects_path(args, path, _)  # a wrong name is refused before, not after
    clock = Clock(settings.zone)
    now = clock.now()
    today = now.astimezone(clock.zone).date()
    columns: dict[str, str] = {}

    async def work(database: Database) -> record_imports.RecordImport:
        with sheets.opened(path) as (header, rows):
            columns.update(column_names(header, RECORD_HEADERS))
            return await record_imports.import_recorded(
                database,
                header,
                rows,
                today=today,
                now=now,
                zone=settings.zone,
                statuses=settings.recorded_statuses,
                by=operator(args),
            )

    result = read_file(settings, work, _, path)
    if result is None:
        return 1
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
        report_rejected(result.rejected, report, columns, _)
    return 0
