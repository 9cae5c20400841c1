"""Time-driven work that exactly one process does at a time (a database lease, not luck):
no-shows after a session closes (offered the next sessions), freed places offered to the
waiting list, and housekeeping (old update ids, conversations abandoned for a day)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.db import leases
from bot.db.engine import Database
from bot.db.models import EarlyStatus, ProcessedUpdate, Summons, WebhookEvent
from bot.domain.outbox_kinds import Kind
from bot.services import ladder, outbox, retention, summoning, summonses, waiting
from bot.services.office import Office
from bot.services.outbox import Message

log = logging.getLogger(__name__)

LEASE_NAME = "planner"
INTERVAL = timedelta(seconds=60)
NO_SHOW_GRACE = timedelta(hours=1)
KEEP_UPDATE_IDS = timedelta(days=2)
# Meta delivers a webhook again for up to seven days: an event seen is remembered longer.
KEEP_WEBHOOK_EVENTS = timedelta(days=8)


class Planner:
    """One per process; only the lease holder does anything in a round."""

    def __init__(self, db: Database, settings: Settings, clock: Clock) -> None:
        self.db = db
        self.settings = settings
        self.office = Office.of(settings)
        self.clock = clock
        self.name = f"planner:{uuid.uuid4().hex[:12]}"
        self.rounds = 0

    async def round(self, now: datetime | None = None) -> bool:
        """One planning round (at `now`, else the clock's); False when another process holds
        the lease."""
        now = now or self.clock.now()
        async with self.db.session() as session:
            if not await leases.acquire(session, LEASE_NAME, self.name, now=now, ttl=INTERVAL * 2):
                return False
            await self._no_shows(session, now)
            await waiting.join_stranded(session, now=now)
            await self._offers(session, now)
            wait = timedelta(hours=self.settings.ladder_wait_hours)
            await ladder.climb(session, now=now, wait=wait)
            await session.execute(
                delete(ProcessedUpdate).where(ProcessedUpdate.at < now - KEEP_UPDATE_IDS)
            )
            # What a channel said of a message that was never ours, and webhook events seen.
            await session.execute(delete(EarlyStatus).where(EarlyStatus.at < now - KEEP_UPDATE_IDS))
            await session.execute(
                delete(WebhookEvent).where(WebhookEvent.at < now - KEEP_UPDATE_IDS)
            )
            await retention.forget_abandoned_conversations(session, now)
        await self._newly_of_age(now)
        self.rounds += 1
        return True

    async def _newly_of_age(self, now: datetime) -> None:
        """Once a day, the teens who turned 16 are summoned. In its own unit of work: seats
        taken meanwhile (SeatsChangedError) undo only this, and the next round tries again."""
        try:
            async with self.db.session() as session:
                done = await summoning.summon_newly_of_age(
                    session, now=now, deadline=self.office.deadline, policy=self.office.policy
                )
        except summoning.SeatsChangedError:
            log.info("seats changed while summoning the newly 16; trying again next round")
            return
        if done is not None and done.summoned + done.waiting:
            log.info("summoned %d newly 16, %d waiting", done.summoned, done.waiting)

    async def _no_shows(self, session: AsyncSession, now: datetime) -> None:
        """Missed sessions: the teen (and parents) hear of it, with the sessions still ahead;
        when none is left, the teen joins the waiting list for the next freed place."""
        for summons_id in await summonses.mark_no_shows(session, now=now, grace=NO_SHOW_GRACE):
            summons = await session.get(Summons, summons_id)
            assert summons is not None
            ahead = await summonses.move_options(
                session,
                exclude=summons.session_id,
                now=now,
                deadline=self.office.deadline,
                target_id=summons.target_id,
                zone=self.settings.zone,
            )
            if not ahead:
                await waiting.join(session, summons.target_id, now=now)
            offer = Message(
                kind=Kind.NO_SHOW,
                due_at=now,
                params={"summons_id": summons_id, "session_id": summons.session_id},
                summons_id=summons_id,
                dedupe=f"no_show:{summons_id}:{summons.session_id}",
            )
            await outbox.enqueue(
                session, await outbox.recipients_of(session, summons.target_id), [offer]
            )

    async def _offers(self, session: AsyncSession, now: datetime) -> None:
        """Freed places go to waiting teens (and their linked parents), each offer a message
        with a button."""
        made = await waiting.offer_places(
            session, now=now, deadline=self.office.deadline, zone=self.settings.zone
        )
        for offer in made:
            message = Message(
                kind=Kind.PLACE_OFFER,
                due_at=now,
                params={
                    "entry_id": offer.entry_id,
                    "session_id": offer.session_id,
                    "target_id": offer.target_id,
                },
                dedupe=f"place_offer:{offer.entry_id}:{offer.session_id}:{offer.expires_at.isoformat()}",
            )
            # The parents too: either may take the place (a teen may not be on Telegram).
            everyone = await outbox.recipients_of(session, offer.target_id)
            await outbox.enqueue(session, everyone, [message])
