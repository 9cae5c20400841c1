"""The figures report as people read it, the same from `rekam report` and from the dashboard's
download: every column once, by the name `--columns` takes; the file keeps them all (numbers as
numbers, for a spreadsheet), the terminal shows the essential ones within 100 characters, with
numbers and percentages in the office's locale."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import N_, Gettext, format_number, format_share
from bot.services.figures import Figures

WIDTH = 100  # a terminal's columns the table fits in
_GAP = 2  # spaces between two columns


@dataclass(frozen=True)
class Column:
    name: str  # what --columns takes
    label: str  # the header, through the catalogs
    value: Callable[[Figures], Any]
    reach: bool = False  # counted only with reach (figures.count(reach=True))


# In the order the file has them: who each channel can reach, who was called, who holds an answer
# and who still waits for one, then the sessions. "Terjangkau lewat …" counts families per channel
# (one may be on several; a message goes on the first that works); "belum terjangkau" are the
# waiting teens nothing reaches, those of the unreached list. "kunjungan rumah diminta" counts
# every request for a home visit (figures.visits_requested); the summonses answered "home visit"
# are among them, so that count is not a column of its own.
COLUMNS = (
    Column("bagian-dari", N_("bagian dari"), lambda f: f.parent_area),
    Column("sasaran", N_("sasaran"), lambda f: f.target),
    Column("lewat-telegram", N_("terjangkau lewat Telegram"), lambda f: f.telegram, reach=True),
    Column("lewat-whatsapp", N_("terjangkau lewat WhatsApp"), lambda f: f.whatsapp, reach=True),
    Column("lewat-sms", N_("terjangkau lewat SMS"), lambda f: f.sms, reach=True),
    Column("dipanggil", N_("dipanggil"), lambda f: f.summoned),
    Column("dijawab", N_("sudah menjawab"), lambda f: f.answered),
    Column("menunggu", N_("menunggu jawaban"), lambda f: f.waiting),
    Column("belum-terjangkau", N_("belum terjangkau"), lambda f: f.unreached, reach=True),
    Column("konfirmasi", N_("konfirmasi"), lambda f: f.confirmed),
    Column("tidak-bisa-datang", N_("tidak bisa datang"), lambda f: f.declined),
    Column("pindah-jadwal", N_("pindah jadwal"), lambda f: f.moved),
    Column("kunjungan-diminta", N_("kunjungan rumah diminta"), lambda f: f.visits_requested),
    Column(
        "kunjungan-dijadwalkan", N_("kunjungan rumah dijadwalkan"), lambda f: f.visits_scheduled
    ),
    Column("kunjungan-selesai", N_("kunjungan rumah selesai"), lambda f: f.visits_done),
    Column("hadir", N_("hadir"), lambda f: f.attended),
    Column("tidak-datang", N_("tidak datang"), lambda f: f.no_show),
    Column("belum-terekam", N_("datang, belum terekam"), lambda f: f.unrecorded),
    Column("terekam", N_("terekam"), lambda f: f.recorded),
    Column("sisa", N_("sisa"), lambda f: f.remaining),
    Column("persen", N_("% terekam"), lambda f: round(f.percent, 2)),
)
BY_NAME = {column.name: column for column in COLUMNS}
# What the terminal shows without --columns: how far the office has got.
ESSENTIAL = ("sasaran", "dipanggil", "konfirmasi", "hadir", "terekam", "sisa", "persen")
ALL = "semua"


def needs_reach(names: Sequence[str]) -> bool:
    """Whether any of these columns is counted only with reach (the costliest part)."""
    return any(BY_NAME[name].reach for name in names)


def _area(line: Figures, last: bool, _: Gettext) -> str:
    return _("JUMLAH") if last else line.area or _("(tanpa wilayah)")


def figure_rows(lines: list[Figures], _: Gettext) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The report file `rekam report` writes and the dashboard offers: one row per area, the
    last line (the office's total, figures.total) as JUMLAH; every column, numbers as numbers."""
    header = (_("wilayah"), *(_(column.label) for column in COLUMNS))
    rows = [
        (_area(line, line is lines[-1], _), *(column.value(line) for column in COLUMNS))
        for line in lines
    ]
    return header, rows


def _shown(value: Any, language: str) -> str:
    if isinstance(value, float):
        return format_share(value, language)
    if isinstance(value, int):
        return format_number(value, language)
    return str(value)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


@dataclass(frozen=True)
class Table:
    """The report for a terminal: cells as text, and which columns are numbers (right-aligned)."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    numbers: frozenset[int]


def figure_table(
    lines: list[Figures], _: Gettext, language: str, names: Sequence[str] = ESSENTIAL
) -> Table:
    """The report for a terminal: the area and the columns `names` (ESSENTIAL unless asked),
    numbers through Babel ("1.234", "10,0%"); area names cut short ("…") so that the essential
    columns fit WIDTH characters."""
    chosen = [BY_NAME[name] for name in names]
    header = (_("wilayah"), *(_(column.label) for column in chosen))
    cells = [
        [
            _area(line, line is lines[-1], _),
            *(_shown(column.value(line), language) for column in chosen),
        ]
        for line in lines
    ]
    widths = [
        max(len(str(value)) for value in column) for column in zip(header, *cells, strict=True)
    ]
    others = sum(widths[1:]) + _GAP * (len(widths) - 1)
    room = max(WIDTH - others, len(header[0]), 12)
    rows = [(_cut(row[0], room), *row[1:]) for row in cells]
    numbers = frozenset(
        index for index, column in enumerate(chosen, start=1) if column.name != "bagian-dari"
    )
    return Table((_cut(header[0], room), *header[1:]), rows, numbers)
