"""The outbox dispatcher: claims due rows with a lease, sends them paced, records each result.

Several processes may dispatch from one PostgreSQL database. Each claims rows with
FOR UPDATE SKIP LOCKED, so no row is claimed twice; each registers a live lease, and they split
the chats between them (by chat id) and the office's rate (evenly), so together they stay
within Telegram's limits. A crash leaves claimed rows in 'sending' until their lease expires;
then another claim takes them again: only rows in flight at a crash can be sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, func, not_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.db import leases
from bot.db.engine import Database
from bot.db.models import OutboxMessage
from bot.delivery import limits, unreachable
from bot.delivery.attempts import Result
from bot.delivery.budget import SendBudget
from bot.delivery.claims import (
    Claimed,
    down_the_ladder,
    early_statuses,
    numbers_of,
    windows_closed,
)
from bot.delivery.phones import Phones
from bot.delivery.reads import Drafts
from bot.delivery.telegram_send import send_telegram
from bot.domain.kinds import Channel, OutboxState
from bot.domain.quiet_hours import quiet
from bot.i18n import Catalogs
from bot.presentation.outbox import Outgoing
from bot.presentation.outbox.phone import Said

log = logging.getLogger(__name__)

MEMBERSHIP = timedelta(seconds=15)
MEMBER_PREFIX = "dispatcher:"
OVERLAP = 2  # batches under way at once


class Dispatcher:
    """One per process. `run()` until the stop event is set."""

    def __init__(
        self,
        bot: ExtBot[Any],
        db: Database,
        catalogs: Catalogs,
        settings: Settings,
        clock: Clock,
        *,
        batch: int | None = None,
        idle: float = 0.5,
        retry_base: float = 1.0,
        phones: Phones | None = None,
    ) -> None:
        self.bot = bot
        self.phones = phones or Phones()
        self.db = db
        self.catalogs = catalogs
        self.settings = settings
        self.clock = clock
        self.name = f"{MEMBER_PREFIX}{uuid.uuid4().hex[:12]}"
        # The bot's own budget: its sends are paced there, as bulk, behind every reply.
        if not isinstance(bot.rate_limiter, SendBudget):
            raise TypeError("the dispatcher sends through a bot whose rate limiter is a SendBudget")
        self.budget = bot.rate_limiter
        self.batch = batch  # None: sized to this process's share at each claim
        self.idle = idle
        self.retry_base = retry_base
        self.partition = (0, 1)
        self.sent = 0
        self._heartbeat_at = 0.0

    # --- membership: who shares the work --------------------------------------------------

    async def _heartbeat(self) -> None:
        loop_time = asyncio.get_running_loop().time()
        if loop_time - self._heartbeat_at < MEMBERSHIP.total_seconds() / 3:
            return
        now = self.clock.now()
        async with self.db.session() as session:
            await leases.acquire(session, self.name, self.name, now=now, ttl=MEMBERSHIP)
            members = await leases.live(session, MEMBER_PREFIX, now=now)
        count = max(1, len(members))
        index = members.index(self.name) if self.name in members else 0
        self.partition = (index, count)
        self.budget.share(count)
        self._heartbeat_at = loop_time

    async def leave(self) -> None:
        """Give up membership so the others take over this share at once."""
        try:
            async with self.db.session() as session:
                await leases.release(session, self.name, self.name)
        except SQLAlchemyError:
            log.warning("could not release dispatcher lease %s", self.name)

    # --- claiming ----------------------------------------------------------------------

    async def claim(self, limit: int, channel: Channel = Channel.TELEGRAM) -> list[Claimed]:
        """Take up to `limit` due rows of this process's chats on `channel`, at most one per
        chat, each rendered as it will be sent (None: it no longer applies); a phone row with
        its number.

        Per chat only the oldest due row is a candidate, even while it waits for a retry or is
        in flight elsewhere: a chat's messages go out in the order they were queued (the pin
        never before its summons)."""
        now = self.clock.now()
        index, count = self.partition
        waiting = OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING))
        due = and_(
            OutboxMessage.due_at <= now, waiting, func.abs(OutboxMessage.chat_id) % count == index
        )
        if quiet(self.settings.quiet_hours, now.astimezone(self.settings.zone).hour):
            # Only what is urgent is due; it is not held behind a chat's morning messages.
            due = and_(due, OutboxMessage.urgent.is_(True))
        claimable = or_(
            and_(
                OutboxMessage.state == OutboxState.PENDING,
                or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until <= now),
            ),
            and_(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.lease_until < now),
        )
        ranked = (
            select(
                OutboxMessage.id,
                func.row_number()
                .over(
                    partition_by=OutboxMessage.chat_id,
                    order_by=(OutboxMessage.due_at, OutboxMessage.id),
                )
                .label("n"),
            )
            .where(due)
            .subquery()
        )
        first_per_chat = select(ranked.c.id).where(ranked.c.n == 1)
        wanted = [OutboxMessage.id.in_(first_per_chat), claimable, OutboxMessage.channel == channel]
        async with self.db.session() as session:
            ids = await self._candidates(session, wanted, limit)
            if not ids:
                return []
            # A phone channel's daily limit, counted only when something is due on it.
            allowed = await limits.allowance(session, channel, self.settings, now)
            if allowed is not None and (allowed.holds is not None or allowed.rows < len(ids)):
                if allowed.holds is not None:
                    await limits.tell_if_held(session, channel, wanted, allowed, self.settings, now)
                    wanted.append(not_(allowed.holds))
                ids = await self._candidates(session, wanted, min(limit, allowed.rows))
                if not ids:
                    return []
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    state=OutboxState.SENDING,
                    lease_until=now + timedelta(seconds=self.settings.dispatch_lease_seconds),
                    claimed_by=self.name,
                    attempts=OutboxMessage.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            rows = (
                (
                    await session.execute(
                        select(OutboxMessage)
                        .where(OutboxMessage.id.in_(ids))
                        .order_by(OutboxMessage.due_at, OutboxMessage.id)
                    )
                )
                .scalars()
                .all()
            )
            drafts = Drafts(session, self.catalogs, self.settings, self.clock)
            await drafts.prepare(list(rows))
            numbers = await numbers_of(session, rows) if channel != Channel.TELEGRAM else {}
            return [
                Claimed(row, await drafts.render(row), numbers.get(row.contact_id or 0))
                for row in rows
            ]

    async def _candidates(
        self, session: AsyncSession, wanted: list[ColumnElement[bool]], limit: int
    ) -> list[int]:
        """The ids of up to `limit` rows `wanted`, oldest due first, locked on PostgreSQL."""
        if limit <= 0:
            return []
        candidates = (
            select(OutboxMessage.id)
            .where(*wanted)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        # (SQLite: the transaction began IMMEDIATE, so this process is the only writer.)
        return list((await session.execute(candidates)).scalars())

    # --- sending -----------------------------------------------------------------------

    async def _send(self, claimed: Claimed) -> Result:
        row, outgoing = claimed.row, claimed.message
        if isinstance(outgoing, Said):
            if claimed.number is None:  # the number left the record since it was queued
                return Result(row.id, row.attempts, OutboxState.CANCELLED, "number removed")
            return await self.phones.send(row, outgoing, claimed.number, self.clock.now())
        assert outgoing is not None
        return await self._telegram(row, outgoing)

    async def _telegram(self, row: OutboxMessage, outgoing: Outgoing) -> Result:
        return await send_telegram(
            self.bot, self.budget, self.clock, row, outgoing, self.retry_base
        )

    # --- recording ---------------------------------------------------------------------

    async def record(self, results: list[Result]) -> None:
        """Write every result of a batch in one executemany."""
        now = self.clock.now()
        table = cast(Table, OutboxMessage.__table__)
        # Only our own claim: if our lease ran out and another process reclaimed the row, its
        # attempt number moved on and this late result changes nothing.
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("b_id"),
                table.c.state == OutboxState.SENDING,
                table.c.attempts == bindparam("b_attempt"),
            )
            .values(
                state=bindparam("b_state"),
                last_error=bindparam("b_error"),
                lease_until=bindparam("b_lease"),
                sent_at=bindparam("b_sent_at"),
                telegram_message_id=bindparam("b_message_id"),
                external_id=bindparam("b_external_id"),
            )
        )
        sent = OutboxState.SENT
        rows = [
            {
                "b_id": result.row_id,
                "b_attempt": result.attempt,
                "b_state": result.state,
                "b_error": result.error,
                # A retry is held, not re-dated: it keeps its place at the head of its chat.
                "b_lease": None
                if result.retry_in is None
                else now + timedelta(seconds=result.retry_in),
                "b_sent_at": now if result.state == sent else None,
                "b_message_id": result.message_id if result.state == sent else None,
                "b_external_id": result.external_id,
            }
            for result in results
        ]
        async with self.db.session() as session:
            if rows:
                await session.execute(statement, rows)
            await early_statuses(session, results, now)
            await windows_closed(session, results)
            for result in results:
                if result.fall:
                    await down_the_ladder(session, result, now)
                if result.unreachable and result.account_id is not None:
                    await unreachable.mark(
                        session, result.account_id, now, self.settings.default_language
                    )
        self.sent += sum(r.state == OutboxState.SENT for r in results)

    # --- the loop ----------------------------------------------------------------------

    def _channels(self) -> list[Channel]:
        """Telegram, and the phone channels this process can send on."""
        phones = [c for c in (Channel.WHATSAPP, Channel.SMS) if self.phones.on(c)]
        return [Channel.TELEGRAM, *phones]

    async def _claimed(self, channel: Channel = Channel.TELEGRAM) -> list[Claimed]:
        if channel == Channel.TELEGRAM:
            rows = await self.claim(self.batch or self._batch_size())
            if not rows:
                self.budget.pacer.forget_idle_chats()
            return rows
        lease = self.settings.dispatch_lease_seconds
        return await self.claim(self.phones.batch(channel, lease), channel)

    def _batch_size(self) -> int:
        """A second of sending at this process's share of the rate (the paid rate in paid
        mode), and never more than the pacer sends well within a lease: a claimed row that
        waits in the pacer past its lease would be claimed again by another process."""
        rate = self.budget.pacer.rate
        within_lease = rate * self.settings.dispatch_lease_seconds / (2 * OVERLAP)
        return max(1, min(max(10, int(rate)), int(within_lease)))

    async def _complete(self, rows: list[Claimed]) -> None:
        """Send a claimed batch (paced) and record every result."""
        results: list[Result] = []
        sends = []
        for claimed in rows:
            if claimed.message is None:
                row = claimed.row
                results.append(
                    Result(row.id, row.attempts, OutboxState.CANCELLED, "no longer applies")
                )
            else:
                sends.append(self._send(claimed))
        results += await asyncio.gather(*sends)
        await self.record(results)

    async def cycle(self) -> int:
        """Claim, send and record one batch of each channel; the number of rows handled."""
        await self._heartbeat()
        handled = 0
        for channel in self._channels():
            rows = await self._claimed(channel)
            if rows:
                await self._complete(rows)
            handled += len(rows)
        return handled

    async def _completed(self, rows: list[Claimed]) -> None:
        try:
            await self._complete(rows)
        except Exception:
            # Its rows stay 'sending' until their lease ends; then they are claimed again.
            log.exception("dispatcher: a batch could not be recorded")

    async def run(self, stop: asyncio.Event) -> None:
        """Dispatch until `stop` is set; a database outage pauses sending and resumes after.

        Two batches are under way at once: while one finishes (its last sends answered, its
        results recorded) the next is already claimed and waiting for the pacer, so the rate
        is the pacer's and not one batch per round trip plus a database write."""
        pause = self.idle
        # Each channel's batches apart: an SMS batch paced at 20 a minute never holds
        # Telegram's back.
        under_way: dict[Channel, set[asyncio.Task[None]]] = {c: set() for c in self._channels()}
        batches: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                ready = [c for c, tasks in under_way.items() if len(tasks) < OVERLAP]
                if not ready:
                    await asyncio.wait(batches, return_when=asyncio.FIRST_COMPLETED)
                    continue
                claimed = False
                try:
                    await self._heartbeat()
                    for channel in ready:
                        rows = await self._claimed(channel)
                        if rows:
                            batch = asyncio.create_task(self._completed(rows))
                            for tasks in (batches, under_way[channel]):
                                tasks.add(batch)
                                batch.add_done_callback(tasks.discard)
                            claimed = True
                    pause = self.idle
                except (SQLAlchemyError, OSError) as error:
                    log.warning(
                        "dispatcher: database unavailable (%s); retrying in %.0fs",
                        type(error).__name__,
                        pause,
                    )
                    pause = min(pause * 2, 30.0)
                except Exception:
                    # A bug must not silence every message of the office: log it, back off.
                    log.exception("dispatcher: cycle failed; retrying in %.0fs", pause)
                    pause = min(pause * 2, 30.0)
                if claimed:
                    continue
                # Nothing due: wait for the pause, a stop, or a batch ending (its chats' next).
                await asyncio.wait(
                    {stopping, *batches}, timeout=pause, return_when=asyncio.FIRST_COMPLETED
                )
            if batches:
                await asyncio.gather(*batches)
        finally:
            stopping.cancel()
        await self.leave()
