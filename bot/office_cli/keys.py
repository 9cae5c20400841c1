"""The key and the copies: `rekam rekey FILE` (keep everything under a new DATA_KEY),
`rekam backup FILE` (an encrypted copy of the database) and `rekam restore FILE`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.config import Settings, load_settings, require_data_key
from bot.db import backup
from bot.db.backup import BackupError, Problem
from bot.db.engine import Database
from bot.db.migrate import revision_of, upgrade
from bot.db.vault import BadDataKeyError, Vault
from bot.files import open_private
from bot.i18n import Gettext
from bot.office_cli.common import (
    Refused,
    add_operator,
    confirm,
    file_problem,
    operator,
    with_database,
)
from bot.services import rekey
from bot.services.rekey import Rekeyed, SameKeyError, StillRunningError


def _new_key(path: str, _: Gettext) -> Vault:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="ascii")
        return Vault(text.strip())
    except (BadDataKeyError, UnicodeDecodeError):
        raise Refused(
            _(
                "{path} tidak berisi kunci yang sah; buat kunci baru dengan: rekam keygen > {path}"
            ).format(path=path)
        ) from None


def cmd_rekey(args: argparse.Namespace, _: Gettext) -> int:
    """Seal and hash everything again under the key in FILE, in one transaction."""
    settings = load_settings()
    require_data_key(settings)
    new = _new_key(args.file, _)
    clock = Clock(settings.zone)

    async def work(database: Database) -> Rekeyed:
        async with database.session() as session:
            return await rekey.rekey(session, new, now=clock.now(), by=operator(args))

    try:
        done = with_database(settings, work)
    except SameKeyError:
        raise Refused(
            _(
                "Kunci di {path} sama dengan DATA_KEY sekarang; buat kunci baru: rekam keygen"
            ).format(path=args.file)
        ) from None
    except StillRunningError:
        raise Refused(
            _("Bot masih berjalan. Hentikan dulu setiap proses rekam run, lalu ulangi rekam rekey.")
        ) from None
    print(
        _(
            "Kunci diganti: {targets} sasaran (NIK dan kode), {subjects} catatan penguncian dan "
            "{conversations} percakapan kini tersegel dengan kunci baru."
        ).format(targets=done.targets, subjects=done.subjects, conversations=done.conversations)
    )
    if done.cleared or done.ended:
        print(
            _(
                "{cleared} catatan penguncian atas NIK atau kode yang tidak ada di daftar "
                "dikosongkan; {ended} percakapan yang menunggu tanggal lahir diakhiri."
            ).format(cleared=done.cleared, ended=done.ended)
        )
    print(
        _(
            "Sekarang isi DATA_KEY dengan kunci dari {path} di setiap komputer kantor; kunci lama "
            "tidak diterima lagi. Simpan kunci lama bersama cadangan yang dibuat sebelum ini."
        ).format(path=args.file)
    )
    return 0


def _unusable(error: BackupError, path: str, _: Gettext) -> str:
    said = {
        Problem.NOT_A_BACKUP: _("{path} bukan berkas cadangan Rekam."),
        Problem.WRONG_KEY: _(
            "Cadangan {path} dibuat dengan DATA_KEY lain: isi DATA_KEY dengan kunci yang "
            "dipakai saat cadangan itu dibuat."
        ),
        Problem.DAMAGED: _("Cadangan {path} rusak atau terpotong; tidak ada yang diubah."),
        Problem.OTHER_KIND: _(
            "Cadangan {path} dari basis data jenis lain (SQLite/PostgreSQL) daripada DATABASE_URL."
        ),
        Problem.NOT_A_DATABASE: _("Isi cadangan {path} bukan basis data yang utuh."),
        Problem.TOOL_FAILED: _("pg_dump/pg_restore gagal: {detail}"),
    }[error.problem]
    return said.format(path=path, detail=error.detail)


def cmd_backup(args: argparse.Namespace, _: Gettext) -> int:
    """An encrypted copy of the database in FILE (written beside it, then moved in place, so a
    failed backup never replaces a good one)."""
    settings = load_settings()
    key = require_data_key(settings)
    path = Path(args.file)
    partial = path.with_name(path.name + ".part")

    async def checked(database: Database) -> None:
        return None  # migrated, and the key is the database's (bot/db/keys.py)

    with_database(settings, checked)
    try:
        with open_private(partial) as written:
            backup.backup(settings.database_url, Vault(key), written)
        partial.replace(path)
    except BackupError as error:
        partial.unlink(missing_ok=True)
        raise Refused(_unusable(error, args.file, _)) from None
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise Refused(file_problem(error, _, args.file)) from None
    print(
        _(
            "Cadangan terenkripsi ditulis: {path}. Hanya DATA_KEY yang sama yang bisa "
            "memulihkannya (rekam restore {path}); simpan kunci itu terpisah dari cadangan."
        ).format(path=args.file)
    )
    return 0


async def _holds(settings: Settings) -> tuple[bool, bool]:
    """Whether the database has a schema with targets, and whether a bot process runs on it."""
    from sqlalchemy import func, select

    from bot.db import leases
    from bot.db.models import Target

    database = Database(settings.database_url)
    try:
        if await revision_of(database) is None:
            return False, False
        async with database.reading() as session:
            targets = await session.scalar(select(func.count()).select_from(Target))
            running = await leases.live(session, "", now=Clock(settings.zone).now())
        return bool(targets), bool(running)
    except Exception:
        return True, False
    finally:
        await database.dispose()


def cmd_restore(args: argparse.Namespace, _: Gettext) -> int:
    """Replace the database with the copy in FILE (made by `rekam backup` with this key)."""
    settings = load_settings()
    key = require_data_key(settings)
    holds, running = asyncio.run(_holds(settings))
    if running:
        raise Refused(
            _(
                "Bot masih berjalan. Hentikan dulu setiap proses rekam run, lalu ulangi rekam restore."
            )
        )
    question = _("Basis data sekarang berisi data sasaran dan akan diganti isi cadangan. Lanjut?")
    if holds and not confirm(question, yes=args.yes, _=_):
        print(_("Tidak ada yang diubah."))
        return 1
    try:
        with Path(args.file).open("rb") as source:
            backup.restore(settings.database_url, Vault(key), source)
    except BackupError as error:
        raise Refused(_unusable(error, args.file, _)) from None
    except OSError as error:
        raise Refused(file_problem(error, _, args.file)) from None

    async def checked() -> str | None:
        database = Database(settings.database_url, data_key=key)
        try:
            await upgrade(database)  # an older copy is brought up to date; the key checked
            return await revision_of(database)
        finally:
            await database.dispose()

    revision = asyncio.run(checked())
    print(
        _("Basis data dipulihkan dari {path} (versi skema {revision}).").format(
            path=args.file, revision=revision
        )
    )
    return 0


def add_commands(commands: Any, _: Gettext) -> None:
    """`rekam rekey`, `rekam backup` and `rekam restore`."""
    change = commands.add_parser(
        "rekey", help=_("ganti DATA_KEY: segel ulang semua NIK dan kode dengan kunci baru")
    )
    change.add_argument(
        "file", metavar=_("BERKAS"), help=_("berkas berisi kunci baru (dari rekam keygen); - stdin")
    )
    add_operator(change, _)
    change.set_defaults(handler=cmd_rekey)

    copy = commands.add_parser("backup", help=_("tulis cadangan basis data terenkripsi"))
    copy.add_argument("file", metavar=_("BERKAS"))
    copy.set_defaults(handler=cmd_backup)

    back = commands.add_parser("restore", help=_("pulihkan basis data dari cadangan rekam backup"))
    back.add_argument("file", metavar=_("BERKAS"))
    back.add_argument("--yes", action="store_true", help=_("ganti tanpa bertanya"))
    back.set_defaults(handler=cmd_restore)
