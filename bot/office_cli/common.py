"""What the office commands share: a migrated database for one command, a progress bar, how a
rejected row and a file that cannot be read or written are explained, output files (`-` is
standard output), refusing an unknown name with the names it may have meant, and asking before
doing something that reaches nobody."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import getpass
import os
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.config import Settings
from bot.db.engine import Database
from bot.domain.table_rows import Rejected
from bot.files import PRIVATE
from bot.i18n import Gettext
from bot.presentation import tables
from bot.presentation.tables import column_label, column_names, explain
from bot.services import sheets

__all__ = ["column_label", "column_names", "explain"]  # kept here for the commands that use them

T = TypeVar("T")


class Refused(Exception):
    """A command that will not go on; `said` is the sentence (already in the office's language)
    that tells the clerk why and what to do. `rekam` prints it and exits 1."""

    def __init__(self, said: str) -> None:
        super().__init__(said)
        self.said = said


@dataclass(frozen=True)
class Rejects:
    """Where the rejected rows go: `path` (None: standard output); `fresh`, a name of ours
    that must not overwrite anything (numbered -2, -3, ... when taken)."""

    path: Path | None
    fresh: bool = False


def rejects_path(args: argparse.Namespace, path: Path, _: Gettext) -> Rejects:
    """Where the rejected rows go: --rejects (`-`, standard output), else NAME-EXT-ditolak.csv
    next to the file: sasaran.csv and sasaran.xlsx each have their own. Called before the
    import starts, so a wrong name is refused before anything changes."""
    if args.rejects:
        return Rejects(output_file(args.rejects, ("csv", "xlsx"), _))
    extension = path.suffix.lstrip(".").casefold()
    stem = f"{path.stem}-{extension}" if extension else path.stem
    return Rejects(path.with_name(f"{stem}-ditolak.csv"), fresh=True)


def _claimed(path: Path) -> Path:
    """`path`, or the first of path-2, path-3, ... that does not exist yet, created empty
    (mode 0600) at once so that nothing else takes it meanwhile."""
    candidate, number = path, 1
    while True:
        try:
            os.close(os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
            return candidate
        except FileExistsError:
            number += 1
            candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")


def report_rejected(
    rejected: list[Rejected],
    rejects: Rejects,
    columns: dict[str, str],
    _: Gettext,
    language: str = "id",
) -> None:
    """The rejected rows with their row number, name, masked NIK, column and reason, in a
    file (or as CSV on standard output) and, the first ten, on the screen."""
    header, rows = tables.rejected_rows(rejected, columns, _, language)
    said = sys.stdout
    report = rejects.path
    if report is None:
        said = sys.stderr  # standard output carries the file alone
        write_table(None, "csv", header, rows)
    else:
        if rejects.fresh:
            report = _claimed(report)
        sheets.write(report, header, rows)
    for one in rejected[:10]:
        reason = explain(one, _, columns, language)
        who = " ".join(part for part in (one.name, one.nik) if part)
        line = _("  baris {row} ({who}): {reason}") if who else _("  baris {row}: {reason}")
        print(line.format(row=one.row, who=who, reason=reason), file=said)
    if report is not None:
        print(_("Semua baris yang ditolak dan alasannya: {path}").format(path=report))


def print_table(
    header: Sequence[Any], rows: Sequence[Sequence[Any]], right: Iterable[int] = ()
) -> None:
    """Columns as wide as their widest cell; numbers (and the columns `right`) to the right,
    text to the left."""
    widths = [max(len(str(v)) for v in column) for column in zip(header, *rows, strict=True)]
    aligned = frozenset(right)
    for row in (header, *rows):
        print(
            "  ".join(
                str(v).rjust(w) if isinstance(v, int | float) or i in aligned else str(v).ljust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )


def write_table(
    path: Path | None, kind: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """A CSV or XLSX file, or (path None) the same written to standard output."""
    if path is not None:
        sheets.write(path, header, rows)
        return
    sys.stdout.flush()
    sheets.write_to(sys.stdout.buffer, kind, header, rows)
    sys.stdout.buffer.flush()


def file_problem(error: OSError | UnicodeDecodeError, _: Gettext, path: object = None) -> str:
    """A file that cannot be opened, read or written, said as a sentence that names it."""
    name = str(getattr(error, "filename", None) or path or "")
    if isinstance(error, UnicodeDecodeError):
        return _("Berkas {path} bukan teks UTF-8; simpan ulang sebagai UTF-8.").format(path=name)
    if isinstance(error, FileNotFoundError):
        return _("Berkas atau foldernya tidak ada: {path}").format(path=name)
    if isinstance(error, IsADirectoryError):
        return _("{path} adalah folder, bukan berkas.").format(path=name)
    if isinstance(error, PermissionError):
        return _("Tidak ada izin untuk membuka {path}; periksa hak akses berkas itu.").format(
            path=name
        )
    return _("Berkas {path} tidak bisa dibuka atau ditulis.").format(path=name)


def output_file(text: str | None, formats: Iterable[str], _: Gettext) -> Path | None:
    """The file an output option names, None for `-` (standard output). Its extension must be
    one of `formats` (a report in a .txt file is a report no program opens); a name without
    one gets the first."""
    if text is None or text == "-":
        return None
    allowed = tuple(formats)
    path = Path(text)
    suffix = path.suffix.casefold().lstrip(".")
    if not suffix:
        return path.with_name(f"{path.name}.{allowed[0]}")
    if suffix not in allowed:
        raise Refused(
            _("Nama berkas {path} harus berakhiran {extensions}.").format(
                path=text, extensions=" / ".join(f".{f}" for f in allowed)
            )
        )
    return path


def sheet_output(args: argparse.Namespace, default: str, _: Gettext) -> tuple[str, Path | None]:
    """The format and file of a listing command's `--format` and `-o`: a file's extension names
    the format when --format does not (and must match it when it does); `-` is standard
    output; a file format without -o goes to `default`.FORMAT."""
    fmt = args.format
    if args.output and args.output != "-" and fmt is None:
        suffix = Path(args.output).suffix.casefold().lstrip(".")
        fmt = suffix if suffix in ("csv", "xlsx") else None
        if fmt is None:
            raise Refused(
                _("Nama berkas {path} harus berakhiran .csv / .xlsx.").format(path=args.output)
            )
    fmt = fmt or ("csv" if args.output == "-" else "table")
    if fmt == "table":
        if args.output:
            raise Refused(_("Tabel hanya tampil di layar; untuk berkas pakai --format csv/xlsx."))
        return fmt, None
    return fmt, output_file(args.output or f"{default}.{fmt}", (fmt,), _)


def known_name(value: str, known: Iterable[str], what: str, _: Gettext, *, exact: bool) -> str:
    """`value` as the database holds it, or Refused naming the closest names (a misspelled
    kelurahan must not reach 0 people in silence). Without `exact`, case and spaces do not
    count."""
    names = sorted(set(known))
    folded = {" ".join(n.split()).casefold(): n for n in names}
    typed = " ".join(value.split())
    if typed in names:
        return typed
    if not exact and typed.casefold() in folded:
        return folded[typed.casefold()]
    close = difflib.get_close_matches(typed.casefold(), list(folded), n=3, cutoff=0.6)
    said = _('{what} "{name}" tidak ada di daftar kantor.').format(what=what, name=typed)
    if close:
        said += " " + _("Maksudnya: {names}?").format(
            names=", ".join(f'"{folded[c]}"' for c in close)
        )
    raise Refused(said)


def confirm(question: str, *, yes: bool, _: Gettext) -> bool:
    """Ask `question` (y/t) on the terminal. With --yes it is answered yes; with no terminal to
    ask at (a script, a pipe), no: a command waiting for an answer nobody can give hangs."""
    if yes:
        return True
    if not sys.stdin.isatty():
        return False
    try:
        answer = input(question + " " + _("[y/t]") + " ")
    except EOFError:
        return False
    return answer.strip().casefold() in ("y", "ya")


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a migrated database, and close it."""

    async def run() -> T:
        from bot.db.migrate import upgrade

        key = settings.data_key.get_secret_value() if settings.data_key else None
        database = Database(settings.database_url, data_key=key, phones=settings.phones)
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


def read_file(
    settings: Settings, work: Callable[[Database], Awaitable[T]], _: Gettext, path: Path
) -> T | None:
    """`with_database(settings, work)` for a command that reads the office's file at `path`: a
    file it cannot read is said in one line (which column is missing, which format, which
    encoding, or that the file is missing or locked), and None comes back."""
    try:
        return with_database(settings, work)
    except OSError as error:
        if error.filename is None:  # not the file: the database server, the network
            raise
        said = file_problem(error, _)
    except tables.UNREADABLE as error:
        said = tables.unreadable(error, _, path)
    print(said, file=sys.stderr)
    return None


def progress(enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(unit=" baris", unit_scale=True, file=sys.stderr)
