"""The `rekam` command line: parses, calls services, prints one clear line on error."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot import office_cli
from bot.config import MissingTokenError, Settings, SettingsError, load_settings, require_data_key
from bot.db.engine import Database
from bot.db.keys import WrongDataKeyError
from bot.db.vault import MissingDataKeyError, new_key
from bot.demo.lines import script_format
from bot.emulator_cli import add_command as add_emulator_command
from bot.event_loop import serve
from bot.i18n import LANGUAGES, Catalogs, Gettext
from bot.logs import redact, setup_logging
from bot.office_cli.arguments import OfficeParser
from bot.office_cli.common import Refused, file_problem

if TYPE_CHECKING:
    from bot.context import RekamApp

Handler = Callable[[argparse.Namespace, Gettext], int]
log = logging.getLogger(__name__)


def _cli_language() -> str:
    # Settings may be the very thing that is broken, so read the language on its own.
    language = os.environ.get("DEFAULT_LANGUAGE", "id")
    return language if language in LANGUAGES else "id"


# --- commands ------------------------------------------------------------------------------


def cmd_demo(args: argparse.Namespace, _: Gettext) -> int:
    from bot.demo.chat import run_demo

    setup_logging(logging.WARNING)
    try:
        lines = Path(args.script).read_text(encoding="utf-8").splitlines() if args.script else None
    except UnicodeDecodeError as error:
        raise Refused(file_problem(error, _, args.script)) from None
    asyncio.run(run_demo(lines=lines, out=sys.stdout, language=args.language or _cli_language()))
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _run_until_stopped(app: RekamApp, webhook: bool, receive: bool, web: bool) -> None:
    from bot.runtime import running

    stop = _stop_on_signals()
    async with running(app, webhook=webhook, receive=receive, web=web):
        if web:
            print(
                app.bot_data.catalogs.gettext(app.bot_data.settings.default_language)(
                    "Dasbor: {url} (staf masuk dengan /dasbor di bot)"
                ).format(url=app.bot_data.settings.dashboard_url),
                flush=True,
            )
        await stop.wait()


def cmd_run(args: argparse.Namespace, _: Gettext) -> int:
    from bot.app import build_application  # the Telegram library loads only for the bot
    from bot.inbound.telegram import require_webhook

    settings = load_settings()
    if args.webhook:
        require_webhook(settings)  # its address and secret, named if missing
    app = build_application(settings)  # a missing token is reported before anything starts
    setup_logging()
    web = settings.web_enabled and not args.dispatch_only
    serve(_run_until_stopped(app, args.webhook, not args.dispatch_only, web))
    return 0


async def _serve_dashboard(settings: Settings, _: Gettext) -> None:
    from bot.clock import Clock
    from bot.db.migrate import upgrade
    from bot.web.context import WebServices
    from bot.web.server import serving

    database = Database(
        settings.database_url, data_key=require_data_key(settings), phones=settings.phones
    )
    services = WebServices(
        settings,
        database,
        Catalogs(default_language=settings.default_language),
        Clock(settings.zone),
    )
    stop = _stop_on_signals()
    try:
        await upgrade(database)
        async with serving(services) as url:
            print(_("Dasbor: {url} (staf masuk dengan /dasbor di bot)").format(url=url), flush=True)
            await stop.wait()
    finally:
        await database.dispose()


def cmd_web(args: argparse.Namespace, _: Gettext) -> int:
    """The dashboard alone (a second machine beside the bot's), on the same database."""
    settings = load_settings()
    setup_logging()
    serve(_serve_dashboard(settings, _))
    return 0


async def _upgrade(url: str, data_key: str | None) -> tuple[str | None, str | None]:
    """The schema's revision before and after bringing it to the newest."""
    from bot.db.migrate import revision_of, upgrade

    database = Database(url, data_key=data_key)  # to seal what an old schema kept in clear
    try:
        before = await revision_of(database)
        await upgrade(database)
        return before, await revision_of(database)
    finally:
        await database.dispose()


def _database_name(url: str) -> str:
    """The SQLite file (a full path), or the server's URL without its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).resolve())
    return parsed.render_as_string(hide_password=True)


def cmd_keygen(args: argparse.Namespace, _: Gettext) -> int:
    """A new DATA_KEY on standard output (nothing else, so it can be redirected)."""
    print(new_key())
    return 0


def cmd_db_upgrade(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    key = settings.data_key.get_secret_value() if settings.data_key else None
    before, after = asyncio.run(_upgrade(settings.database_url, key))
    name = _database_name(settings.database_url)
    if before is None:
        said = _("Basis data baru dibuat: {database}, versi skema {revision}.")
    elif before != after:
        said = _("Basis data {database} dinaikkan dari versi skema {old} ke {revision}.")
    else:
        said = _("Basis data {database} sudah versi terbaru ({revision}).")
    print(said.format(database=name, revision=after, old=before))
    return 0


def cmd_db_revision(args: argparse.Namespace, _: Gettext) -> int:
    from alembic import command

    from bot.db.migrate import alembic_config, next_revision_id

    settings = load_settings()
    key = settings.data_key.get_secret_value() if settings.data_key else None
    asyncio.run(_upgrade(settings.database_url, key))
    config = alembic_config(settings.database_url)
    command.revision(config, message=args.message, autogenerate=True, rev_id=next_revision_id())
    return 0


def cmd_catalogs(args: argparse.Namespace, _: Gettext) -> int:
    from bot import catalogs

    source = Path(__file__).resolve().parent
    if args.action == "update":
        catalogs.update(source)
        return 0
    problems = catalogs.check(source)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(_("{count} masalah di katalog pesan.").format(count=len(problems)), file=sys.stderr)
        return 1
    print(_("Katalog pesan lengkap."))
    return 0


# --- parser --------------------------------------------------------------------------------


def build_parser(_: Gettext) -> argparse.ArgumentParser:
    parser = OfficeParser(
        prog="rekam",
        gettext=_,
        description=_("Rekam: bot Telegram dan alat kantor untuk perekaman KTP-el pemilih pemula."),
    )
    parser.add_argument("--debug", action="store_true", help=_("tampilkan jejak galat lengkap"))
    commands = parser.add_subparsers(dest="command", required=True, metavar=_("PERINTAH"))

    demo = commands.add_parser(
        "demo",
        help=_("coba Rekam tanpa token dan tanpa jaringan"),
        epilog=script_format(_),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--script", metavar=_("BERKAS"), help=_("jalankan percakapan dari berkas"))
    demo.add_argument("--language", choices=LANGUAGES, help=_("bahasa demo"))
    demo.set_defaults(handler=cmd_demo)

    run = commands.add_parser("run", help=_("jalankan bot (BOT_TOKEN wajib)"))
    run.add_argument("--webhook", action="store_true", help=_("terima pembaruan lewat webhook"))
    run.add_argument(
        "--dispatch-only",
        action="store_true",
        help=_("hanya kirim pesan antrean (proses tambahan; tanpa menerima pembaruan)"),
    )
    run.set_defaults(handler=cmd_run)

    web = commands.add_parser(
        "web", help=_("jalankan dasbor web saja (bot berjalan di tempat lain, basis data sama)")
    )
    web.set_defaults(handler=cmd_web)

    db = commands.add_parser("db", help=_("basis data kantor"))
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar=_("PERINTAH"))
    db_commands.add_parser("upgrade", help=_("terapkan migrasi")).set_defaults(
        handler=cmd_db_upgrade
    )
    revision = db_commands.add_parser(
        "revision", help=_("buat migrasi baru dari model (pengembang)")
    )
    revision.add_argument("-m", "--message", required=True)
    revision.set_defaults(handler=cmd_db_revision)

    add_emulator_command(commands, _)

    keygen = commands.add_parser("keygen", help=_("cetak DATA_KEY baru (kunci penyimpanan NIK)"))
    keygen.set_defaults(handler=cmd_keygen)

    catalogs = commands.add_parser(
        "catalogs", help=_("perbarui atau periksa katalog pesan (pengembang)")
    )
    catalogs.add_argument("action", choices=("update", "check"))
    catalogs.set_defaults(handler=cmd_catalogs)
    office_cli.add_commands(commands, _)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rekam` command."""
    language = _cli_language()
    _ = Catalogs(default_language=language).gettext(language)
    args = build_parser(_).parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args, _)
    except KeyboardInterrupt:
        return 130
    except Refused as refusal:
        print(refusal.said, file=sys.stderr)
    except SettingsError as error:
        print(_("Pengaturan salah: {error}").format(error=error.describe(_)), file=sys.stderr)
    except WrongDataKeyError:
        print(
            _(
                "DATA_KEY ini bukan kunci basis data ini: isi DATA_KEY dengan kunci yang disimpan "
                "kantor untuk basis data ini (kunci baru dari rekam keygen tidak membukanya); "
                "mengganti kunci: rekam rekey."
            ),
            file=sys.stderr,
        )
    except MissingDataKeyError:
        print(
            _(
                "DATA_KEY belum diisi, padahal basis data ini menyimpan NIK dan kode tersegel: "
                "isi DATA_KEY dengan kunci yang disimpan kantor untuk basis data ini."
            ),
            file=sys.stderr,
        )
    except MissingTokenError:
        print(_("BOT_TOKEN belum diisi. Untuk mencoba tanpa token: rekam demo"), file=sys.stderr)
    except Exception as error:
        if args.debug:
            raise
        if isinstance(error, OSError) and error.filename:  # a file named on the command line
            print(file_problem(error, _), file=sys.stderr)
            return 1
        print(
            _("Gagal: {error}").format(error=redact(f"{type(error).__name__}: {error}")),
            file=sys.stderr,
        )
    return 1


if __name__ == "__main__":
    sys.exit(main())
