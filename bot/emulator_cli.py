"""`rekam emulator`: the Bot API emulator on a loopback port, and beside it the WhatsApp Cloud
API and SMS gateway emulators, for benchmarks, several processes and trying the channels by
hand; each prints the settings that point `rekam run` at it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any

from bot.emulator.latency import parse_duration
from bot.i18n import Gettext
from bot.logs import setup_logging


def add_command(commands: Any, _: Gettext) -> None:
    emulator = commands.add_parser("emulator", help=_("jalankan emulator Bot API Telegram lokal"))
    emulator.add_argument("--host", default="127.0.0.1")
    emulator.add_argument("--port", type=int, default=8081)
    emulator.add_argument("--token", default="123456:TEST-emulator-token-000000000000000")
    emulator.add_argument("--no-limits", action="store_true", help=_("matikan batas kecepatan"))
    emulator.add_argument(
        "--latency",
        type=parse_duration,
        default=0.0,
        help=_("waktu pulang-pergi tiap panggilan, mis. 250ms"),
    )
    emulator.add_argument(
        "--jitter",
        type=parse_duration,
        default=0.0,
        help=_("variasi waktu pulang-pergi, mis. 20ms"),
    )
    emulator.add_argument(
        "--whatsapp-port", type=int, default=8082, help=_("emulator WhatsApp (0: tidak)")
    )
    emulator.add_argument("--sms-port", type=int, default=8083, help=_("emulator SMS (0: tidak)"))
    emulator.add_argument(
        "--public",
        default="http://127.0.0.1:8090",
        help=_("alamat pendengar publik rekam run (webhook WhatsApp dan SMS)"),
    )
    emulator.set_defaults(handler=cmd_emulator)


def cmd_emulator(args: argparse.Namespace, _: Gettext) -> int:
    from bot.emulator import Limits, TelegramEmulator
    from bot.emulator.latency import Latency
    from bot.emulator.server import serve

    setup_logging(logging.WARNING)
    try:
        latency = Latency(args.latency, args.jitter)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    emulator = TelegramEmulator(
        args.token, limits=Limits(enabled=not args.no_limits), latency=latency
    )
    print(
        _(
            "Emulator Bot API: TELEGRAM_API_BASE_URL=http://{host}:{port}/bot  BOT_TOKEN={token}"
        ).format(host=args.host, port=args.port, token=args.token),
        flush=True,
    )
    asyncio.run(_emulators(args, emulator, latency, serve, _))
    return 0


async def _emulators(
    args: argparse.Namespace, telegram: Any, latency: Any, serve_telegram: Any, _: Gettext
) -> None:
    """Telegram's emulator, and (unless their port is 0) WhatsApp's and the SMS gateway's,
    whose webhooks go to `rekam run`'s public listener (`--public`)."""
    from bot.emulator import sms as sms_emulator
    from bot.emulator import whatsapp as whatsapp_emulator
    from bot.emulator.whatsapp.webhook import subscribe

    serving = [serve_telegram(telegram, args.host, args.port)]
    public = args.public.rstrip("/")
    if args.whatsapp_port:
        whatsapp = whatsapp_emulator.WhatsAppEmulator(latency=latency)
        secret, verify = "emulator-app-secret", "emulator-verify-token"
        subscribe(whatsapp, whatsapp_emulator.WebhookConfig(f"{public}/whatsapp", secret, verify))
        print(
            _(
                "Emulator WhatsApp: WHATSAPP_API_URL=http://{host}:{port}  WHATSAPP_TOKEN={token}"
                "  WHATSAPP_PHONE_ID={phone}  WHATSAPP_WABA_ID={waba}"
                "  WHATSAPP_APP_SECRET={secret}  WHATSAPP_VERIFY_TOKEN={verify}"
            ).format(
                host=args.host,
                port=args.whatsapp_port,
                token=whatsapp.token,
                phone=whatsapp.phone_number_id,
                waba=whatsapp.waba_id,
                secret=secret,
                verify=verify,
            ),
            flush=True,
        )
        serving.append(whatsapp_emulator.serve(whatsapp, args.host, args.whatsapp_port))
    if args.sms_port:
        gateway = sms_emulator.SmsGatewayEmulator(latency=latency)
        print(
            _(
                "Emulator SMS: SMS_GATEWAY_URL=http://{host}:{port}/3rdparty/v1"
                "  SMS_GATEWAY_LOGIN={login}  SMS_GATEWAY_PASSWORD={password}"
                "  SMS_WEBHOOK_KEY={key}  PUBLIC_BASE_URL={public}"
            ).format(
                host=args.host,
                port=args.sms_port,
                login=gateway.login,
                password=gateway.password,
                key="emulator-signing-key",
                public=public,
            ),
            flush=True,
        )
        serving.append(sms_emulator.serve(gateway, args.host, args.sms_port))
    await asyncio.gather(*serving)
