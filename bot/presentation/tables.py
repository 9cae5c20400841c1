"""The office's tables as people read them, the same from `rekam` and from the dashboard: the
figures report's columns and rows, why an imported row was left out (in the words of the
office's own column names), and why a file could not be read at all."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence

from bot.domain.kinds import PLACE_KINDS_SHOWN
from bot.domain.record_rows import RECORD_HEADERS
from bot.domain.session_rows import SESSION_HEADERS
from bot.domain.table_rows import (
    HeaderError,
    Problem,
    Rejected,
    column_names,
    limit_of,
)
from bot.domain.target_rows import TARGET_HEADERS
from bot.i18n import N_, Gettext, format_day, format_number
from bot.services.sheets import (
    Measure,
    OverLimitError,
    OversizedWorkbookError,
    UnknownFormatError,
    UnreadableTextError,
)

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
    Problem.TOO_YOUNG: N_(
        "belum cukup umur untuk daftar sasaran: pada {day} baru berusia {age} tahun "
        "(daftar sasaran: 17 tahun pada hari pemilihan, atau 16 tahun ke atas bila "
        "TARGET_MIN_AGE=16)"
    ),
    Problem.TOO_OLD: N_(
        "bukan pemilih pemula: pada hari pemilihan, {day}, sudah berusia {age} tahun, dan "
        "sudah 17 tahun pada pemilihan sebelumnya"
    ),
    Problem.NIK_AS_NUMBER: N_(
        "NIK tersimpan sebagai angka (seperti 3.57201E+15) sehingga angka terakhirnya hilang: di "
        "Excel, format kolom NIK sebagai Teks, ketik ulang NIK-nya, lalu simpan dan impor lagi"
    ),
    Problem.PAST_DATE: N_("tanggal jadwal sudah lewat; jadwal hanya untuk hari ini dan sesudahnya"),
    Problem.PAST_TIME: N_("jam mulai jadwal sudah lewat"),
    Problem.AFTER_ELECTION: N_(
        "jadwal pada atau sesudah hari pemungutan suara; perekaman untuk pemilu ini selesai "
        "sebelum hari itu"
    ),
    Problem.SESSION_CANCELLED: N_(
        "jadwal dengan kode ini sudah dibatalkan; beri kode baru untuk jadwal baru"
    ),
    Problem.TOO_MANY_SEATS: N_(
        "jumlah tempat terlalu besar untuk satu jadwal (paling banyak 100.000)"
    ),
    Problem.PHONE_UNREADABLE: N_(
        "nomor telepon tidak terbaca (tulis seperti 0812-3456-7890 atau +62 812 3456 7890); "
        "baris tetap masuk tanpa nomor ini"
    ),
    Problem.PHONE_INVALID: N_(
        "nomor telepon tidak ada (terlalu pendek, terlalu panjang, atau awalan salah); baris "
        "tetap masuk tanpa nomor ini"
    ),
    Problem.PHONE_NOT_MOBILE: N_(
        "nomor telepon rumah atau kantor, bukan HP: tidak bisa menerima WhatsApp atau SMS; "
        "baris tetap masuk tanpa nomor ini"
    ),
}
# The column cell of a reason that is about the whole row (one the reader could not hold).
WHOLE_ROW = N_("(seluruh baris)")

# What a file may be, as far as reading it goes: the errors `unreadable` explains.
UNREADABLE = (
    HeaderError,
    zipfile.BadZipFile,
    UnknownFormatError,
    UnreadableTextError,
    OversizedWorkbookError,
    OverLimitError,
    UnicodeDecodeError,
)
_OVER_LIMIT = {
    Measure.ROWS: N_(
        "Berkas {path} berisi lebih dari {limit} baris data. Tidak ada yang diimpor; bagi "
        "berkasnya lalu impor per bagian."
    ),
    Measure.CELLS: N_(
        "Berkas {path} berisi lebih dari {limit} sel. Tidak ada yang diimpor; hapus kolom yang "
        "tidak dipakai, atau bagi berkasnya lalu impor per bagian."
    ),
    Measure.UNPACKED: N_(
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


def explain(
    rejected: Rejected, _: Gettext, columns: dict[str, str] | None = None, language: str = "id"
) -> str:
    """Why a row was left out, in the office's language, with its column (as the file names
    it) and that column's limit where the reason names them; for an age, the day and the
    age on it (dates in `language`)."""
    return _(PROBLEMS[rejected.problem]).format(
        column=column_label(rejected.column, columns),
        limit=limit_of(rejected.column),
        kinds=", ".join(PLACE_KINDS_SHOWN),
        day=format_day(rejected.on, language) if rejected.on else "",
        age=rejected.age if rejected.age is not None else "",
    )


def rejected_header(_: Gettext, columns: dict[str, str] | None = None) -> tuple[str, ...]:
    """The rejects file's header: row, the row's name (its place, for a sessions file, as
    the file names that column), its masked NIK, the column, the reason."""
    named = "place" if columns and "place" in columns else "name"
    return (_("baris"), column_label(named, columns), "NIK", _("kolom"), _("alasan"))


def rejected_lines(
    rejected: Iterable[Rejected], columns: dict[str, str], _: Gettext, language: str = "id"
) -> Iterator[tuple[int, str, str, str, str]]:
    """The rejected-rows report's rows, one at a time: row number, name, masked NIK, column
    (as the file names it; "(seluruh baris)" for a row the reader could not hold) and reason;
    each reason said once, however many rows share it (a million, say)."""
    said: dict[tuple[Problem, str, int | None], tuple[str, str]] = {}
    for r in rejected:
        key = (r.problem, r.column, r.age)
        words = said.get(key)
        if words is None:
            label = column_label(r.column, columns) if r.column else _(WHOLE_ROW)
            words = said[key] = (label, explain(r, _, columns, language))
        yield (r.row, r.name, r.nik, *words)


def rejected_rows(
    rejected: Sequence[Rejected], columns: dict[str, str], _: Gettext, language: str = "id"
) -> tuple[tuple[str, ...], list[tuple[int, str, str, str, str]]]:
    """The rejected-rows report: its header and every row (rejected_lines)."""
    return rejected_header(_, columns), list(rejected_lines(rejected, columns, _, language))


def unreadable(error: Exception, _: Gettext, name: object, language: str = "id") -> str:
    """Why the file `name` could not be read at all (one of UNREADABLE), as one sentence
    (numbers in `language`)."""
    if isinstance(error, OverLimitError):
        limit = error.limit // (1024 * 1024) if error.measure == Measure.UNPACKED else error.limit
        return _(_OVER_LIMIT[error.measure]).format(path=name, limit=format_number(limit, language))
    if isinstance(error, HeaderError):
        return _("Kolom wajib tidak ada di baris judul: {columns}").format(
            columns=", ".join(column_label(field) for field in error.missing)
        )
    if isinstance(error, UnicodeDecodeError):
        return _("Berkas {path} bukan teks UTF-8; simpan ulang sebagai UTF-8.").format(path=name)
    if isinstance(error, OversizedWorkbookError):
        return _(
            "Berkas {path} membengkak berlebihan saat dibuka, tidak seperti buku kerja biasa; "
            "buka di Excel lalu simpan lagi sebagai .xlsx, atau kirim sebagai CSV."
        ).format(path=name)
    if isinstance(error, zipfile.BadZipFile):  # an .xlsx that is not a workbook (renamed, cut)
        return _(
            "Berkas {path} bukan buku kerja XLSX yang utuh; buka di Excel lalu simpan lagi "
            "sebagai .xlsx."
        ).format(path=name)
    if isinstance(error, UnreadableTextError):
        if error.utf16:
            return _(
                "Berkas ini tersimpan sebagai UTF-16; buka di Excel lalu simpan sebagai CSV UTF-8."
            )
        return _(
            "Berkas ini bukan teks UTF-8 maupun Windows-1252; buka di Excel lalu simpan sebagai CSV UTF-8."
        )
    return _("Berkas harus .csv atau .xlsx.")
