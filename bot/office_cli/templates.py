"""`rekam templates FOLDER`: the sample files the office fills in (bot/services/templates.py),
in CSV and XLSX."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import load_settings
from bot.i18n import Gettext
from bot.office_cli.common import Refused
from bot.services import sheets
from bot.services.templates import NAMES, template


def add_command(commands: Any, _: Gettext) -> None:
    made = commands.add_parser(
        "templates",
        help=_("tulis contoh berkas impor (sasaran, jadwal, sudah rekam) dalam CSV dan XLSX"),
    )
    made.add_argument("folder", metavar=_("FOLDER"))
    made.set_defaults(handler=cmd_templates)


def cmd_templates(args: argparse.Namespace, _: Gettext) -> int:
    """Write the six sample files; refuse to overwrite a file the office may have filled in."""
    settings = load_settings()
    today = Clock(settings.zone).today()
    folder = Path(args.folder)
    tables = {name: template(kind, settings, today) for kind, name in NAMES.items()}
    paths = [folder / f"{name}.{kind}" for name in tables for kind in ("csv", "xlsx")]
    present = [str(path) for path in paths if path.exists()]
    if present:
        raise Refused(_("Sudah ada, tidak ditimpa: {paths}").format(paths=", ".join(present)))
    folder.mkdir(parents=True, exist_ok=True)
    for path in paths:
        header, rows = tables[path.stem]
        sheets.write(path, header, rows)
        print(path)
    print(
        _(
            "Contoh berkas ditulis ke {folder}. Baris CONTOH dibuat-buat: ganti dengan data kantor, "
            "lalu impor dengan rekam import targets / sessions / recorded BERKAS."
        ).format(folder=folder)
    )
    return 0
