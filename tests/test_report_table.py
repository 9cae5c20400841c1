"""`rekam report` on a terminal: within 100 characters whatever the areas are called, numbers
in the office's locale, and its help in plain Indonesian (issue 23)."""

from __future__ import annotations

from dataclasses import fields

import pytest

from bot.cli import main
from bot.i18n import Catalogs
from bot.presentation import report
from bot.services import figures


def line(area: str, target: int, recorded: int) -> figures.Figures:
    zero = {f.name: 0 for f in fields(figures.Figures) if f.name not in ("area", "parent_area")}
    given = {"area": area, "parent_area": "", "target": target, "recorded": recorded}
    return figures.Figures(**(zero | given))


def test_the_terminal_table_fits_100_characters_with_numbers_in_the_office_locale() -> None:
    _ = Catalogs().gettext("id")
    long_name = "Sekolah Menengah Kejuruan Negeri " + "Teknologi Informasi dan Komunikasi " * 5
    lines = [line(long_name, 12_345, 1_234), line("SMA Negeri 1", 10, 1)]
    table = report.figure_table([*lines, figures.total(lines)], _, "id")
    assert table.rows[0][0].endswith("…") and table.rows[0][0].startswith("Sekolah Menengah")
    assert table.rows[0][1:] == ("12.345", "0", "0", "0", "1.234", "11.111", "10,0%")
    assert table.rows[-1][0] == "JUMLAH"
    widths = [
        max(len(cell) for cell in column) for column in zip(table.header, *table.rows, strict=True)
    ]
    assert sum(widths) + 2 * (len(widths) - 1) <= 100


def test_report_help_lists_the_columns_and_speaks_indonesian(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["report", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    for column in report.COLUMNS:
        assert column.name in said.replace("- ", "-")  # argparse may wrap after a hyphen
    assert "kelurahan, kecamatan atau sekolah" in said
    assert "bawaan: table" not in said and "school" not in said
