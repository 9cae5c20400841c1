"""Encrypted backups of the office database (`rekam backup FILE`, `rekam restore FILE`).

A backup is encrypted with a key derived from DATA_KEY (bot/db/vault.py: `backup_key`), not
with a passphrase of its own: the database is of no use without DATA_KEY anyway (no NIK or
code opens), so a backup needs that key and no second secret to keep or lose. Keep DATA_KEY
apart from the backups (docs/privacy.md says where).

The file: a header (MAGIC, the kind of copy, a random salt that gives this file its own key,
and a tag of that key, so that a file of another key is told apart from a damaged one), then
the copy in chunks of CHUNK bytes, each sealed with AES-256-GCM; the nonce counts the
chunks and marks the last one, and every chunk carries the header as associated data, so a
chunk cut off, moved or changed, or a file cut short, is refused rather than restored.

SQLite: the copy is taken with SQLite's own backup API (consistent while the bot runs) into a
private temporary file, encrypted from there, and the temporary file removed. PostgreSQL:
`pg_dump --format=custom` is encrypted as it streams, and restored with `pg_restore`.
"""

from __future__ import annotations

import enum
import hmac
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import URL, make_url

from bot.db.vault import Vault
from bot.files import create_private, open_private

MAGIC = b"REKAM-BACKUP-1\n"
CHUNK = 1 << 20
_TAG = 16
_SALT = 16
_HEADER = len(MAGIC) + 1 + _SALT + _TAG


class Kind(enum.Enum):
    SQLITE = b"S"  # an SQLite database file
    POSTGRESQL = b"P"  # a pg_dump archive (custom format)


class Problem(enum.Enum):
    NOT_A_BACKUP = "not_a_backup"
    WRONG_KEY = "wrong_key"  # made with another DATA_KEY
    DAMAGED = "damaged"  # cut short or altered
    OTHER_KIND = "other_kind"  # an SQLite backup for a PostgreSQL office, or the reverse
    NOT_A_DATABASE = "not_a_database"  # opened, but SQLite does not read it as a database
    TOOL_FAILED = "tool_failed"  # pg_dump or pg_restore said no


class BackupError(RuntimeError):
    def __init__(self, problem: Problem, detail: str = "") -> None:
        super().__init__(problem.value + (f": {detail}" if detail else ""))
        self.problem = problem
        self.detail = detail


def _key_tag(key: bytes) -> bytes:
    return hmac.new(key, b"rekam:backup-key", "sha256").digest()[:_TAG]


def _nonce(index: int, last: bool) -> bytes:
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def seal_stream(vault: Vault, kind: Kind, source: IO[bytes], target: IO[bytes]) -> None:
    """Write `source`, encrypted, to `target`."""
    salt = os.urandom(_SALT)
    key = vault.backup_key(salt)
    header = MAGIC + kind.value + salt + _key_tag(key)
    aead = AESGCM(key)
    target.write(header)
    index, piece = 0, source.read(CHUNK)
    while True:
        following = source.read(CHUNK)
        last = not following
        target.write(aead.encrypt(_nonce(index, last), piece, header))
        if last:
            return
        index, piece = index + 1, following


def open_stream(vault: Vault, source: IO[bytes], target: IO[bytes]) -> Kind:
    """Write the copy in `source` to `target`, decrypted; BackupError if it is no backup,
    another key's, or damaged. What was written before a damaged chunk is not to be used."""
    header = source.read(_HEADER)
    if len(header) < _HEADER or not header.startswith(MAGIC):
        raise BackupError(Problem.NOT_A_BACKUP)
    try:
        kind = Kind(header[len(MAGIC) : len(MAGIC) + 1])
    except ValueError:
        raise BackupError(Problem.NOT_A_BACKUP) from None
    salt = header[len(MAGIC) + 1 : len(MAGIC) + 1 + _SALT]
    key = vault.backup_key(salt)
    if not hmac.compare_digest(_key_tag(key), header[-_TAG:]):
        raise BackupError(Problem.WRONG_KEY)
    aead = AESGCM(key)
    index, piece = 0, source.read(CHUNK + _TAG)
    while True:
        following = source.read(CHUNK + _TAG)
        last = not following
        try:
            target.write(aead.decrypt(_nonce(index, last), piece, header))
        except InvalidTag:
            raise BackupError(Problem.DAMAGED) from None
        if last:
            return kind
        index, piece = index + 1, following


@contextmanager
def _private_directory(near: Path | None = None) -> Iterator[Path]:
    """A temporary directory only this account can read (0700), removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="rekam-", dir=near))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _sqlite_path(url: URL) -> Path:
    assert url.database, "an SQLite database in a file"
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The server's address for pg_dump and pg_restore, and their environment: the password
    goes in PGPASSWORD, not on a command line every account on the computer can read."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def backup(database_url: str, vault: Vault, target: IO[bytes]) -> Kind:
    """An encrypted copy of the whole database, written to `target`."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with _private_directory() as folder:
            copy = folder / "copy.db"
            source = sqlite3.connect(_sqlite_path(url))
            destination = sqlite3.connect(copy)
            try:
                source.backup(destination)
            finally:
                destination.close()
                source.close()
            with copy.open("rb") as plain:
                seal_stream(vault, Kind.SQLITE, plain, target)
        return Kind.SQLITE
    address, env = _libpq(url)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--dbname={address}"]
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors, env=env) as dump,
    ):
        assert dump.stdout is not None
        seal_stream(vault, Kind.POSTGRESQL, dump.stdout, target)
        dump.wait()
        errors.seek(0)
        said = errors.read().decode(errors="replace").strip()
    if dump.returncode != 0:
        raise BackupError(Problem.TOOL_FAILED, said.splitlines()[-1] if said else "pg_dump")
    return Kind.POSTGRESQL


def restore(database_url: str, vault: Vault, source: IO[bytes]) -> Kind:
    """Put the database back as the backup in `source` holds it, replacing what is there.
    Nothing is changed unless the whole backup opened with this key."""
    url = make_url(database_url)
    sqlite = url.get_backend_name() == "sqlite"
    live = _sqlite_path(url) if sqlite else None
    with _private_directory(live.resolve().parent if live else None) as folder:
        opened = folder / "opened"
        with open_private(opened) as plain:
            kind = open_stream(vault, source, plain)
        if kind != (Kind.SQLITE if sqlite else Kind.POSTGRESQL):
            raise BackupError(Problem.OTHER_KIND)
        if live is not None:
            _restore_sqlite(opened, live)
        else:
            _restore_postgresql(opened, url)
    return kind


def _restore_sqlite(opened: Path, live: Path) -> None:
    try:
        copy = sqlite3.connect(opened)
        try:
            checked = copy.execute("PRAGMA quick_check").fetchone()
            if checked is None or checked[0] != "ok":
                raise BackupError(Problem.NOT_A_DATABASE)
            create_private(live)  # a new database file is its owner's alone
            destination = sqlite3.connect(live)
            try:
                copy.backup(destination)  # page by page, under SQLite's own locks
            finally:
                destination.close()
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(Problem.NOT_A_DATABASE, str(error)) from None


def _restore_postgresql(opened: Path, url: URL) -> None:
    address, env = _libpq(url)
    command = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        f"--dbname={address}",
        str(opened),
    ]
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip()
        raise BackupError(Problem.TOOL_FAILED, said.splitlines()[-1] if said else "pg_restore")
