"""`rekam staff invite`: a one-time link that makes whoever opens it in Telegram staff, once an
admin confirms there (bot/services/staff_invites.py). Nobody needs to know a Telegram id."""

from __future__ import annotations

import argparse
from datetime import timedelta

from bot.clock import Clock
from bot.config import SettingsError, load_settings
from bot.db.engine import Database
from bot.domain.kinds import Channel
from bot.i18n import N_, Gettext, format_when
from bot.office_cli.common import add_operator, operator, with_database
from bot.services import staff_invites


def add_invite_parser(actions: argparse._SubParsersAction, _: Gettext) -> None:  # type: ignore[type-arg]
    invite = actions.add_parser(
        "invite",
        help=_("buat tautan sekali pakai untuk calon petugas (admin menyetujui di Telegram)"),
    )
    invite.add_argument(
        "--jam", type=int, default=24, metavar=_("JAM"), help=_("berlaku berapa jam (bawaan: 24)")
    )
    invite.add_argument(
        "--bot", metavar=_("NAMA_BOT"), help=_("nama pengguna bot (bawaan: BOT_USERNAME)")
    )
    invite.set_defaults(handler=cmd_staff_invite)
    add_operator(invite, _)


def cmd_staff_invite(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    username = (args.bot or settings.bot_username or "").lstrip("@")
    if not username:
        raise SettingsError(
            "BOT_USERNAME", N_("wajib diisi untuk tautan undangan (atau pakai --bot)")
        )
    hours = max(1, min(args.jam, 24 * 7))
    clock = Clock(settings.zone)
    now = clock.now()

    async def work(database: Database) -> str:
        async with database.session() as session:
            return await staff_invites.create(
                session,
                by=operator(args),
                channel=Channel.CLI,
                now=now,
                lifetime=timedelta(hours=hours),
            )

    token = with_database(settings, work)
    until = format_when(now + timedelta(hours=hours), settings.default_language, settings.zone)
    print(staff_invites.link(username, token))
    print(
        _(
            "Kirim tautan ini kepada calon petugas. Tautan berlaku sekali, sampai {until}. Setelah "
            "ia membukanya di Telegram, setiap admin diminta memutuskan."
        ).format(until=until)
    )
    return 0
