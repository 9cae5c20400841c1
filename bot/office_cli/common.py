"""What the office commands share: a migrated database for one command, a progress bar, and
how a rejected row is explained."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.config import Settings
from bot.db.engine import Database
from bot.domain.table_rows import HeaderError, Problem, limit_of
from bot.i18n import N_, Gettext
from bot.services import sheets
from bot.services.imports import Rejected

T = TypeVar("T")

PROBLEMS = {
    Problem.BAD_NIK: N_("NIK salah (harus 16 angka dengan tanggal lahir yang benar)"),
    Problem.OUTSIDE_REGION: N_("NIK di luar wilayah kantor ini"),
    Problem.BAD_DATE: N_("tanggal tidak terbaca atau mustahil"),
    Problem.DATE_MISMATCH: N_("tanggal lahir tidak sama dengan tanggal di NIK"),
    Problem.DUPLICATE: N_("NIK sudah ada di baris sebelumnya"),
    Problem.MISSING_NAME: N_("nama kosong"),
    Problem.NAME_TOO_LONG: N_("nama lebih dari 200 karakter"),
    Problem.TOO_LONG: N_("isi kolom {column} lebih dari {limit} karakter"),
    Problem.CELL_TOO_LARGE: N_("ada sel yang terlalu besar untuk dibaca"),
    Problem.MISSING_VALUE: N_("kolom wajib kosong"),
    Problem.BAD_TIME: N_("jam tidak terbaca, atau selesai sebelum mulai"),
    Problem.BAD_NUMBER: N_("bukan angka yang benar"),
    Problem.BAD_KIND: N_("jenis tempat tidak dikenal"),
    Problem.POSSIBLE_DUPLICATE: N_(
        "mungkin jadwal yang sudah ada (tempat dan tanggal sama, jam lain); beri kolom kode "
        "untuk memindahkan jadwal itu, atau ubah tempatnya bila memang jadwal baru"
    ),
    Problem.CAPACITY_BELOW_BOOKED: N_("kapasitas lebih kecil dari jumlah yang sudah dipanggil"),
    Problem.OUTSIDE_AGE: N_(
        "usianya di luar daftar sasaran (TARGET_MIN_AGE: 17 tahun pada hari pemilihan, atau 16 "
        "tahun ke atas hari ini)"
    ),
}


def explain(rejected: Rejected, _: Gettext) -> str:
    """Why a row was left out, in the office's language, with its column and that column's
    limit where the reason names them."""
    return _(PROBLEMS[rejected.problem]).format(
        column=rejected.column, limit=limit_of(rejected.column)
    )


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a migrated database, and close it."""

    async def run() -> T:
        from bot.db.migrate import upgrade

        key = settings.data_key.get_secret_value() if settings.data_key else None
        database = Database(settings.database_url, data_key=key)
        try:
            await upgrade(database)
            return await work(database)
        finally:
            await database.dispose()

    return asyncio.run(run())


def operator(args: argparse.Namespace) -> str:
    """Who ran the command, for its events: --by, else the account logged in to this computer."""
    name = getattr(args, "by", None) or getpass.getuser()
    return str(name)[:64]


def add_operator(parser: argparse.ArgumentParser, _: Gettext) -> None:
    parser.add_argument(
        "--by", metavar=_("NAMA"), help=_("siapa yang menjalankan (bawaan: pengguna komputer)")
    )


def read_file(settings: Settings, work: Callable[[Database], Awaitable[T]], _: Gettext) -> T | None:
    """`with_database(settings, work)` for a command that reads the office's file: a file it
    cannot read is said in one line (which column is missing, which format, which encoding),
    and None comes back."""
    try:
        return with_database(settings, work)
    except HeaderError as error:
        said = _("Kolom wajib tidak ada di baris judul: {columns}").format(
            columns=", ".join(error.missing)
        )
    except sheets.UnknownFormatError:
        said = _("Berkas harus .csv atau .xlsx.")
    except sheets.UnreadableTextError as error:
        said = (
            _("Berkas ini tersimpan sebagai UTF-16; buka di Excel lalu simpan sebagai CSV UTF-8.")
            if error.utf16
            else _(
                "Berkas ini bukan teks UTF-8 maupun Windows-1252; buka di Excel lalu simpan sebagai CSV UTF-8."
            )
        )
    print(said, file=sys.stderr)
    return None


def progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" baris", unit_scale=True, file=sys.stderr)
