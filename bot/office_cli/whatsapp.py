"""`rekam whatsapp templates`: the message templates Rekam sends outside WhatsApp's 24-hour
window (summons, reminder, change, cancellation, answer, thank-you), with Meta's review state
in each language; `--submit` sends those not there yet for review.

WhatsApp has templates in Indonesian and English; it has no Javanese, so a Javanese office's
templates go in Indonesian (its texts inside the window and its SMS stay Javanese)."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bot.channels.whatsapp.client import TemplateInfo, WhatsAppClient
from bot.channels.whatsapp.problems import RefusedError
from bot.config import load_settings
from bot.i18n import Catalogs, Gettext
from bot.office_cli.common import Refused
from bot.presentation.outbox.phone import (
    TEMPLATE_LANGUAGES,
    TEMPLATES,
    template_body,
    template_examples,
)

LANGUAGES = TEMPLATE_LANGUAGES


def add_command(commands: Any, _: Gettext) -> None:
    whatsapp = commands.add_parser("whatsapp", help=_("WhatsApp: template pesan"))
    actions = whatsapp.add_subparsers(dest="action", required=True)
    listed = actions.add_parser("templates", help=_("template pesan dan status tinjauannya"))
    listed.add_argument("--submit", action="store_true", help=_("kirim yang belum ada"))
    listed.set_defaults(handler=cmd_templates)


async def submit_missing(client: WhatsAppClient, catalogs: Catalogs) -> None:
    """Send Meta every template of ours it does not have yet, in each of LANGUAGES."""
    there = {(t.name, t.language) for t in await client.list_templates()}
    for kind, name in TEMPLATES.items():
        for language in LANGUAGES:
            if (name, language) in there:
                continue
            gettext = catalogs.gettext(language)
            await client.submit_template(
                name, language, template_body(kind, gettext), template_examples(kind, gettext)
            )


def cmd_templates(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    token = settings.whatsapp_token
    if token is None or not settings.whatsapp_waba_id:
        raise Refused(_("Isi WHATSAPP_TOKEN dan WHATSAPP_WABA_ID dulu."))
    catalogs = Catalogs(default_language=settings.default_language)

    async def work() -> list[TemplateInfo]:
        async with WhatsAppClient(
            settings.whatsapp_api_url,
            settings.whatsapp_phone_id,
            token.get_secret_value(),
            waba_id=settings.whatsapp_waba_id,
        ) as client:
            if args.submit:
                await submit_missing(client, catalogs)
            return await client.list_templates()

    try:
        found = asyncio.run(work())
    except RefusedError as error:
        raise Refused(
            _("WhatsApp tidak menerimanya: {problem}").format(problem=error.refusal.detail or error)
        ) from None
    ours = {(t.name, t.language): t for t in found if t.name in TEMPLATES.values()}
    for name in TEMPLATES.values():
        for language in LANGUAGES:
            template = ours.get((name, language))
            state = template.status if template is not None else _("belum dikirim")
            print(f"{name:<22} {language:<3} {state}")
    wanted = [(name, language) for name in TEMPLATES.values() for language in LANGUAGES]
    if any(ours.get(key) is None or ours[key].status != "APPROVED" for key in wanted):
        print(_("Pesan di luar jendela 24 jam hanya terkirim dengan template yang disetujui."))
    return 0
