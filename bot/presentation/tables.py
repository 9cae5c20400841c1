"""The office's tables as people read them, the same from `rekam` and from the dashboard: the
figures report's columns and rows, why an imported row was left out (in the words of the
office's own column names), and why a file could not be read at all."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from bot.domain.kinds import PLACE_KINDS_SHOWN
from bot.domain.record_rows import RECORD_HEADERS
from bot.domain.table_rows import (
    SESSION_HEADERS,
    TARGET_HEADERS,
    HeaderError,
    Problem,
    column_names,
    limit_of,
)
from bot.i18n import N_, Gettext, format_number
from bot.services import figures, sheets
from bot.services.imports import Rejected

PROBLEMS = {
    Problem.BAD_NIK: N_("NIK salah (harus 16 angka dengan tanggal lahir yang benar)"),
    Problem.OUTSIDE_REGION: N_("NIK di luar wilayah kantor ini"),
    Problem.BAD_DATE: N_("tanggal tidak terbaca atau tidak ada di kalender"),
    Problem.DATE_MISMATCH: N_("tanggal lahir tidak sama dengan tanggal di NIK"),
    Problem.DUPLICATE: N_("NIK sudah ada di baris sebelumnya"),
    Problem.MISSING_NAME: N_("nama kosong"),
    Problem.NAME_TOO_LONG: N_("nama lebih dari 200 karakter"),
    Problem.TOO_LONG: N_("isi kolom {column} lebih dari {limit} karakter"),
    Problem.CELL_TOO_LARGE: N_("ada sel yang terlalu besar untuk dibaca"),
    Problem.MISSING_VALUE: N_("kolom wajib kosong"),
    Problem.BAD_TIME: N_("jam tidak terbaca, atau selesai sebelum mulai"),
    Problem.BAD_NUMBER: N_("bukan angka yang benar"),
    Problem.BAD_KIND: N_("jenis tempat tidak dikenal; yang dikenal: {kinds}"),
    Problem.POSSIBLE_DUPLICATE: N_(
        "mungkin jadwal yang sudah ada (tempat dan tanggal sama, jam lain); beri kolom kode "
        "untuk memindahkan jadwal itu, atau ubah tempatnya bila memang jadwal baru"
    ),
    Problem.CAPACITY_BELOW_BOOKED: N_(
        "jumlah tempat lebih kecil dari jumlah remaja yang sudah dipanggil"
    ),
    Problem.OUTSIDE_AGE: N_(
        "usianya di luar daftar sasaran (TARGET_MIN_AGE: 17 tahun pada hari pemilihan, atau 16 "
        "tahun ke atas hari ini)"
    ),
}

# What a file may be, as far as reading it goes: the errors `unreadable` explains.
UNREADABLE = (
    HeaderError,
    zipfile.BadZipFile,
    sheets.UnknownFormatError,
    sheets.UnreadableTextError,
    sheets.OversizedWorkbookError,
    sheets.OverLimitError,
    UnicodeDecodeError,
)
_OVER_LIMIT = {
    sheets.Measure.ROWS: N_(
        "Berkas {path} berisi lebih dari {limit} baris data. Tidak ada yang diimpor; bagi "
        "berkasnya lalu impor per bagian."
    ),
    sheets.Measure.CELLS: N_(
        "Berkas {path} berisi lebih dari {limit} sel. Tidak ada yang diimpor; hapus kolom yang "
        "tidak dipakai, atau bagi berkasnya lalu impor per bagian."
    ),
    sheets.Measure.UNPACKED: N_(
        "Berkas {path} menjadi lebih dari {limit} MB saat dibuka. Tidak ada yang diimpor; bagi "
        "berkasnya, atau simpan sebagai CSV."
    ),
}


def _office_names() -> dict[str, str]:
    # Every header table lists a field's Indonesian name first: that name is the one the
    # templates carry and the one an error names when the file has no such column.
    names: dict[str, str] = {}
    for known in (TARGET_HEADERS, SESSION_HEADERS, RECORD_HEADERS):
        for header, field in known.items():
            names.setdefault(field, header)
    return names


OFFICE_COLUMNS = _office_names()

__all__ = ["column_names"]  # read with the rest of a table's words


def column_label(field: str, columns: dict[str, str] | None = None) -> str:
    """The office's name for a field: as its file names it, else the Indonesian header."""
    return (columns or {}).get(field) or OFFICE_COLUMNS.get(field, field)


def explain(rejected: Rejected, _: Gettext, columns: dict[str, str] | None = None) -> str:
    """Why a row was left out, in the office's language, with its column (as the file names
    it) and that column's limit where the reason names them."""
    return _(PROBLEMS[rejected.problem]).format(
        column=column_label(rejected.column, columns),
        limit=limit_of(rejected.column),
        kinds=", ".join(PLACE_KINDS_SHOWN),
    )


def rejected_header(_: Gettext) -> tuple[str, str, str]:
    return (_("baris"), _("kolom"), _("alasan"))


def rejected_lines(
    rejected: Iterable[Rejected], columns: dict[str, str], _: Gettext
) -> Iterator[tuple[int, str, str]]:
    """The rejected-rows report's rows, one at a time: row number, column (as the file names
    it) and reason; each reason said once, however many rows share it (a million, say)."""
    said: dict[tuple[Problem, str], tuple[str, str]] = {}
    for r in rejected:
        words = said.get((r.problem, r.column))
        if words is None:
            label = column_label(r.column, columns) if r.column else ""
            words = said[r.problem, r.column] = (label, explain(r, _, columns))
        yield (r.row, *words)


def rejected_rows(
    rejected: list[Rejected], columns: dict[str, str], _: Gettext
) -> tuple[tuple[str, ...], list[tuple[int, str, str]]]:
    """The rejected-rows report: its header and every row (rejected_lines)."""
    return rejected_header(_), list(rejected_lines(rejected, columns, _))


def unreadable(error: Exception, _: Gettext, name: object, language: str = "id") -> str:
    """Why the file `name` could not be read at all (one of UNREADABLE), as one sentence
    (numbers in `language`)."""
    if isinstance(error, sheets.OverLimitError):
        limit = (
            error.limit // (1024 * 1024)
            if error.measure == sheets.Measure.UNPACKED
            else error.limit
        )
        return _(_OVER_LIMIT[error.measure]).format(path=name, limit=format_number(limit, language))
    if isinstance(error, HeaderError):
        return _("Kolom wajib tidak ada di baris judul: {columns}").format(
            columns=", ".join(column_label(field) for field in error.missing)
        )
    if isinstance(error, UnicodeDecodeError):
        return _("Berkas {path} bukan teks UTF-8; simpan ulang sebagai UTF-8.").format(path=name)
    if isinstance(error, sheets.OversizedWorkbookError):
        return _(
            "Berkas {path} membengkak berlebihan saat dibuka, tidak seperti buku kerja biasa; "
            "buka di Excel lalu simpan lagi sebagai .xlsx, atau kirim sebagai CSV."
        ).format(path=name)
    if isinstance(error, zipfile.BadZipFile):  # an .xlsx that is not a workbook (renamed, cut)
        return _(
            "Berkas {path} bukan buku kerja XLSX yang utuh; buka di Excel lalu simpan lagi "
            "sebagai .xlsx."
        ).format(path=name)
    if isinstance(error, sheets.UnreadableTextError):
        if error.utf16:
            return _(
                "Berkas ini tersimpan sebagai UTF-16; buka di Excel lalu simpan sebagai CSV UTF-8."
            )
        return _(
            "Berkas ini bukan teks UTF-8 maupun Windows-1252; buka di Excel lalu simpan sebagai CSV UTF-8."
        )
    return _("Berkas harus .csv atau .xlsx.")


def figure_rows(
    lines: list[figures.Figures], _: Gettext
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """The report `rekam report` writes and the dashboard offers: one row per area, the last
    line (the office's total, figures.total) as JUMLAH."""
    header = (
        _("wilayah"),
        _("bagian dari"),
        _("sasaran"),
        _("dipanggil"),
        _("konfirmasi"),
        _("tidak bisa datang"),
        _("pindah jadwal"),
        _("minta kunjungan rumah"),
        _("kunjungan rumah diminta"),
        _("kunjungan rumah dijadwalkan"),
        _("kunjungan rumah selesai"),
        _("tidak bisa dihubungi"),
        _("hadir"),
        _("tidak datang"),
        _("datang, belum terekam"),
        _("terekam"),
        _("sisa"),
        "%",
    )
    rows = [
        (
            line.area or _("(tanpa wilayah)") if line is not lines[-1] else _("JUMLAH"),
            line.parent_area,
            line.target,
            line.summoned,
            line.confirmed,
            line.declined,
            line.moved,
            line.home_visit,
            line.visits_requested,
            line.visits_scheduled,
            line.visits_done,
            line.unreachable,
            line.attended,
            line.no_show,
            line.unrecorded,
            line.recorded,
            line.remaining,
            round(line.percent, 2),
        )
        for line in lines
    ]
    return header, rows
