"""The grouped SQL counts behind the figures (bot/services/figures.py), each per (kelurahan,
school): targets, summonses, home visits, and who is reached. Plain SQL both backends read the
same way.

Each count walks the smaller side and looks each target up by its key: the summonses, then each
one's target (joining every target to its summons instead cost a million index searches for a
million targets, 3 s; this is about a third of that, docs/benchmarks.md); the home visits; and
for reach, what carries a message (unblocked accounts, active parent links, numbers), each
target's numbers read in the order of their covering index (ix_contact_points_reach).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.engine import phones_of
from bot.domain.kinds import Channel, LinkState, OutboxState, SummonsState, TargetReview
from bot.domain.outbox_kinds import Kind

Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Rows = list[tuple[Any, ...]]

# Plain SQL both backends read the same way. The CROSS JOIN makes SQLite walk the summonses and
# look up each target, not the other way round; PostgreSQL plans it as the join it is.
TARGETS = text(
    "SELECT region_id, school_id, count(*), "
    "sum(CASE WHEN recorded_at IS NOT NULL THEN 1 ELSE 0 END) "
    "FROM targets WHERE review = :accepted GROUP BY region_id, school_id"
)
SUMMONSES = text(
    "SELECT t.region_id, t.school_id, s.state, "
    "CASE WHEN t.recorded_at IS NULL THEN 1 ELSE 0 END AS open, count(*) "
    "FROM summonses s CROSS JOIN targets t "
    "WHERE t.id = s.target_id AND t.review = :accepted "
    "GROUP BY t.region_id, t.school_id, s.state, open"
)
HOME_VISITS = text(
    "SELECT t.region_id, t.school_id, h.state, count(*) "
    "FROM home_visits h CROSS JOIN targets t "
    "WHERE t.id = h.target_id AND t.review = :accepted "
    "GROUP BY t.region_id, t.school_id, h.state"
)
# Who a channel reaches (bot/services/outbox.py: recipients_of_many reads the same), per area:
# the families each channel reaches, and how many of the teens waiting for an answer (not
# recorded) something reaches. A phone channel counts only where the office has it (:whatsapp
# and :sms are 1 or 0). Numbers first: each target's numbers are read in the order of their
# covering index (ix_contact_points_reach, no sort), then the target looked up by its key.
PHONE_REACH = text(
    "SELECT t.region_id, t.school_id, sum(r.wa), sum(r.sms), "
    "sum(CASE WHEN s.state IN (:summoned, :moved) AND t.recorded_at IS NULL "
    "AND r.wa + r.sms > 0 THEN 1 ELSE 0 END) "
    "FROM (SELECT target_id, max(CASE WHEN whatsapp_consent_at IS NOT NULL "
    "AND whatsapp_user IS NOT FALSE THEN :whatsapp ELSE 0 END) AS wa, "
    "max(CASE WHEN sms_stopped_at IS NULL THEN :sms ELSE 0 END) AS sms "
    "FROM contact_points GROUP BY target_id) r "
    "CROSS JOIN targets t LEFT JOIN summonses s ON s.target_id = t.id "
    "WHERE t.id = r.target_id AND t.review = :accepted GROUP BY t.region_id, t.school_id"
)
# Then Telegram (the teen's unblocked account or an active parent link to an unblocked one):
# the families, those waiting, and those waiting whom a number reaches too (counted once).
TELEGRAM_REACH = text(
    "SELECT t.region_id, t.school_id, count(*), "
    "sum(CASE WHEN s.state IN (:summoned, :moved) AND t.recorded_at IS NULL THEN 1 ELSE 0 END), "
    "sum(CASE WHEN s.state IN (:summoned, :moved) AND t.recorded_at IS NULL "
    "AND EXISTS (SELECT 1 FROM contact_points c "
    "WHERE c.target_id = g.target_id AND ((c.whatsapp_consent_at IS NOT NULL "
    "AND c.whatsapp_user IS NOT FALSE AND :whatsapp = 1) "
    "OR (c.sms_stopped_at IS NULL AND :sms = 1))) THEN 1 ELSE 0 END) "
    "FROM (SELECT target_id FROM accounts WHERE target_id IS NOT NULL "
    "AND unreachable_at IS NULL UNION SELECT p.target_id FROM parent_links p "
    "JOIN accounts a ON a.id = p.parent_account_id "
    "WHERE p.state = :active AND a.unreachable_at IS NULL) g "
    "CROSS JOIN targets t LEFT JOIN summonses s ON s.target_id = t.id "
    "WHERE t.id = g.target_id AND t.review = :accepted GROUP BY t.region_id, t.school_id"
)

# And the waiting teens a channel reaches whose summons (or its change) failed on every rung
# and went out nowhere: the few failed rows first (ix_outbox_state_due), each summons and
# target then by its key. The same teens as bot/services/unreached.py's UNDELIVERED.
UNDELIVERED = text(
    "SELECT t.region_id, t.school_id, count(DISTINCT s.id) "
    "FROM outbox o CROSS JOIN summonses s CROSS JOIN targets t "
    "WHERE o.state IN (:failed, :unreachable) AND o.message_key IN (:summons, :moved_key) "
    "AND s.id = o.summons_id AND s.state IN (:summoned, :moved) "
    "AND t.id = s.target_id AND t.recorded_at IS NULL AND t.review = :accepted "
    "AND NOT EXISTS (SELECT 1 FROM outbox d WHERE d.summons_id = o.summons_id "
    "AND d.message_key IN (:summons, :moved_key) AND d.state IN (:sent, :pending, :sending)) "
    "AND (EXISTS (SELECT 1 FROM accounts a WHERE a.target_id = t.id "
    "AND a.unreachable_at IS NULL) "
    "OR EXISTS (SELECT 1 FROM parent_links p JOIN accounts pa ON pa.id = p.parent_account_id "
    "WHERE p.target_id = t.id AND p.state = :active AND pa.unreachable_at IS NULL) "
    "OR EXISTS (SELECT 1 FROM contact_points c WHERE c.target_id = t.id "
    "AND ((c.whatsapp_consent_at IS NOT NULL AND c.whatsapp_user IS NOT FALSE "
    "AND :whatsapp = 1) OR (c.sms_stopped_at IS NULL AND :sms = 1)))) "
    "GROUP BY t.region_id, t.school_id"
)


async def rows(sessions: Sessions, query: TextClause, **values: object) -> Rows:
    async with sessions() as session:
        rows = await session.execute(query, {"accepted": TargetReview.ACCEPTED.value, **values})
        return [tuple(row) for row in rows]


async def answers_and_reach(sessions: Sessions, reach: bool) -> tuple[Rows, ...]:
    """The summonses and, with `reach`, who is reached: in one unit of work, so that they all
    see the office at one instant (the unreached are the waiting less the reached: counted at two
    instants, an answer between them could make them -1). PostgreSQL's default isolation gives
    each statement its own snapshot: this unit of work asks for one (REPEATABLE READ); on
    SQLite, a read transaction already reads one."""
    async with sessions() as session:
        if (await session.connection()).dialect.name == "postgresql":
            await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        phones = phones_of(session)
        values = {
            "accepted": TargetReview.ACCEPTED.value,
            "summoned": SummonsState.SUMMONED.value,
            "moved": SummonsState.MOVED.value,
            "active": LinkState.ACTIVE.value,
            "whatsapp": int(Channel.WHATSAPP.value in phones),
            "sms": int(Channel.SMS.value in phones),
            "failed": OutboxState.FAILED.value,
            "unreachable": OutboxState.UNREACHABLE.value,
            "sent": OutboxState.SENT.value,
            "pending": OutboxState.PENDING.value,
            "sending": OutboxState.SENDING.value,
            "summons": Kind.SUMMONS.value,
            "moved_key": Kind.SESSION_MOVED.value,
        }
        queries = (SUMMONSES, PHONE_REACH, TELEGRAM_REACH, UNDELIVERED) if reach else (SUMMONSES,)
        found = []
        for query in queries:
            found.append([tuple(row) for row in await session.execute(query, values)])
        return tuple(found + [[] for _ in range(4 - len(found))])
