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

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from telegram import Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.db import leases
from bot.db.engine import Database
from bot.db.models import OutboxMessage
from bot.delivery import unreachable
from bot.delivery.attempts import MAX_ATTEMPTS, Result, backoff, retry_after_seconds
from bot.delivery.budget import Bulk, ClaimExpired, SendBudget
from bot.delivery.reads import Drafts
from bot.domain.kinds import OutboxState
from bot.i18n import Catalogs
from bot.presentation.outbox import Outgoing, Text

log = logging.getLogger(__name__)

MEMBERSHIP = timedelta(seconds=15)
MEMBER_PREFIX = "dispatcher:"
OVERLAP = 2  # batches under way at once
CLAIM_MARGIN = 2.0  # seconds of a claim kept unused: a send that starts later may be late


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
    ) -> None:
        self.bot = bot
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

    async def claim(self, limit: int) -> list[tuple[OutboxMessage, Outgoing | None]]:
        """Take up to `limit` due rows of this process's chats, at most one per chat, each
        rendered as it will be sent (None: it no longer applies).

        Per chat only the oldest due row is a candidate, even while it waits for a retry or is
        in flight elsewhere: a chat's messages go out in the order they were queued (the pin
        never before its summons)."""
        now = self.clock.now()
        index, count = self.partition
        waiting = OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING))
        due = and_(
            OutboxMessage.due_at <= now, waiting, func.abs(OutboxMessage.chat_id) % count == index
        )
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
        candidates = (
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_(first_per_chat), claimable)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
        async with self.db.session() as session:
            if session.get_bind().dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            # (SQLite: the transaction began IMMEDIATE, so this process is the only writer.)
            ids = list((await session.execute(candidates)).scalars())
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
            return [(row, await drafts.render(row)) for row in rows]

    # --- sending -----------------------------------------------------------------------

    async def _send(self, row: OutboxMessage, outgoing: Outgoing) -> Result:
        """One send, paced as bulk by the bot's budget (which also adds allow_paid_broadcast
        in paid mode and pauses everyone on a 429), and not sent at all if the row's claim
        runs out while it waits for its turn (a long 429 pause): it is claimed afresh."""
        assert row.lease_until is not None
        left = (row.lease_until - self.clock.now()).total_seconds() - CLAIM_MARGIN
        bulk = Bulk(until=self.budget.pacer.clock() + left)
        try:
            sent: Message
            if isinstance(outgoing, Text):
                sent = await self.bot.send_message(
                    row.chat_id, outgoing.text, reply_markup=outgoing.markup, rate_limit_args=bulk
                )
            else:
                sent = await self.bot.send_venue(
                    row.chat_id,
                    latitude=outgoing.latitude,
                    longitude=outgoing.longitude,
                    title=outgoing.title,
                    address=outgoing.address,
                    rate_limit_args=bulk,
                )
        except ClaimExpired:
            return Result(
                row.id,
                row.attempts,
                OutboxState.PENDING,
                "claim ran out before its turn",
                retry_in=0.0,
            )
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            return Result(
                row.id,
                row.attempts,
                OutboxState.PENDING,
                f"429 retry after {wait:g}s",
                retry_in=wait,
            )
        except Forbidden as error:
            return Result(
                row.id,
                row.attempts,
                OutboxState.UNREACHABLE,
                str(error),
                account_id=row.account_id,
                unreachable=True,
            )
        except BadRequest as error:
            return Result(row.id, row.attempts, OutboxState.FAILED, str(error))
        except (NetworkError, TelegramError) as error:  # timeouts, 5xx, connection resets
            if row.attempts >= MAX_ATTEMPTS:
                return Result(row.id, row.attempts, OutboxState.FAILED, f"gave up: {error}")
            return Result(
                row.id,
                row.attempts,
                OutboxState.PENDING,
                str(error),
                retry_in=backoff(row.attempts, self.retry_base).total_seconds(),
            )
        return Result(row.id, row.attempts, OutboxState.SENT, message_id=sent.message_id)

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
            }
            for result in results
        ]
        async with self.db.session() as session:
            if rows:
                await session.execute(statement, rows)
            for result in results:
                if result.unreachable and result.account_id is not None:
                    await unreachable.mark(
                        session, result.account_id, now, self.settings.default_language
                    )
        self.sent += sum(r.state == OutboxState.SENT for r in results)

    # --- the loop ----------------------------------------------------------------------

    async def _claimed(self) -> list[tuple[OutboxMessage, Outgoing | None]]:
        await self._heartbeat()
        rows = await self.claim(self.batch or self._batch_size())
        if not rows:
            self.budget.pacer.forget_idle_chats()
        return rows

    def _batch_size(self) -> int:
        """A second of sending at this process's share of the rate (the paid rate in paid
        mode), and never more than the pacer sends well within a lease: a claimed row that
        waits in the pacer past its lease would be claimed again by another process."""
        rate = self.budget.pacer.rate
        within_lease = rate * self.settings.dispatch_lease_seconds / (2 * OVERLAP)
        return max(1, min(max(10, int(rate)), int(within_lease)))

    async def _complete(self, rows: list[tuple[OutboxMessage, Outgoing | None]]) -> None:
        """Send a claimed batch (paced) and record every result."""
        results: list[Result] = []
        sends = []
        for row, outgoing in rows:
            if outgoing is None:
                results.append(
                    Result(row.id, row.attempts, OutboxState.CANCELLED, "no longer applies")
                )
            else:
                sends.append(self._send(row, outgoing))
        results += await asyncio.gather(*sends)
        await self.record(results)

    async def cycle(self) -> int:
        """Claim, send and record one batch; the number of rows handled."""
        rows = await self._claimed()
        if rows:
            await self._complete(rows)
        return len(rows)

    async def _completed(self, rows: list[tuple[OutboxMessage, Outgoing | None]]) -> None:
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
        batches: set[asyncio.Task[None]] = set()
        stopping = asyncio.ensure_future(stop.wait())
        try:
            while not stop.is_set():
                if len(batches) >= OVERLAP:
                    await asyncio.wait(batches, return_when=asyncio.FIRST_COMPLETED)
                    continue
                rows = []
                try:
                    rows = await self._claimed()
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
                if rows:
                    batch = asyncio.create_task(self._completed(rows))
                    batches.add(batch)
                    batch.add_done_callback(batches.discard)
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
