"""`rekam import recorded`: the office's recording list marks teens recorded."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.i18n import Gettext
from bot.office_cli.common import explain, operator, read_file
from bot.services import record_imports, sheets


def cmd_import_recorded(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # NIKs are looked up by their keyed hash
    path = Path(args.file)
    clock = Clock(settings.zone)
    now = clock.now()
    today = now.astimezone(clock.zone).date()

    async def work(database: Database) -> record_imports.RecordImport:
        with sheets.opened(path) as (header, rows):
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

    result = read_file(settings, work, _)
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
        report = Path(args.rejects) if args.rejects else path.with_name(f"{path.stem}-ditolak.csv")
        sheets.write(
            report,
            (_("baris"), _("kolom"), _("alasan")),
            ((r.row, r.column, explain(r, _)) for r in result.rejected),
        )
        for rejected in result.rejected[:10]:
            print(
                _("  baris {row}: {reason}").format(row=rejected.row, reason=explain(rejected, _))
            )
        print(_("Semua baris yang ditolak dan alasannya: {path}").format(path=report))
    return 0
