"""What the WhatsApp and SMS front ends share: one message from a number, answered in the unit
of work that applied it, and the services they need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.domain.kinds import Actor, Channel
from bot.i18n import Catalogs
from bot.presentation import phone_replies
from bot.services import deliveries, events, phone_answers
from bot.services.office import Office
from bot.services.phone_answers import What


@dataclass(frozen=True)
class Inbound:
    """The public listener's services (one per process)."""

    db: Database
    settings: Settings
    catalogs: Catalogs
    clock: Clock


async def heard(
    inbound: Inbound,
    channel: Channel,
    number: str,
    text: str | None,
    button: str | None,
    written_at: datetime | None = None,
    *,
    seen: str,
) -> What | None:
    """Apply one message from `number` and queue its answer to it; what it did (None: the
    webhook event `seen`, its channel's id for it, came before and changes nothing). The event
    is marked seen in the same unit of work as what it does: both or neither."""
    settings = inbound.settings
    language = settings.default_language
    _ = inbound.catalogs.gettext(language)
    now = inbound.clock.now()
    async with inbound.db.session() as session:
        if not await deliveries.first_time(session, seen, now):
            return None
        found = await phone_answers.received(
            session,
            channel=channel,
            number=number,
            text=text,
            button=button,
            now=now,
            office=Office.of(settings),
            written_at=written_at,
        )
        if found.contact_id is None:  # a number on no record: nothing is believed or answered
            events.record(session, "unknown_number", actor=Actor.SYSTEM, channel=channel)
            return found.what
        words = phone_replies.words(found, _, language, settings.zone, channel)
        whatsapp = channel == Channel.WHATSAPP
        await phone_answers.reply(
            session,
            found.contact_id,
            words.text,
            buttons=words.buttons if whatsapp else (),
            rows=words.rows if whatsapp else (),
            channel=channel,
            language=language,
            now=now,
            heard_what=found.what,
        )
    return found.what
