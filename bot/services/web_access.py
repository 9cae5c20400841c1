"""Who may open the dashboard: one-time links sent by /dasbor, the sessions they open, and the
check every request makes (the staff row at that moment, as the bot does).

Only hashes of the link and of the session cookie are stored: a copy of the database opens
nothing. A link works once, within LINK_LIFETIME, and only as the staff member it was sent to.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Account, Staff, WebLogin, WebSession
from bot.domain.kinds import Actor, Channel
from bot.services import events

LINK_LIFETIME = timedelta(minutes=10)
# A session is never kept longer than a working day, however busy.
LONGEST_SESSION = timedelta(hours=12)
# seen_at is written at most this often (not on every page a busy desk opens).
SEEN_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Viewer:
    """The staff member behind a request, as read at that moment."""

    telegram_id: int
    is_admin: bool
    language: str
    csrf: str
    session_id: int

    @property
    def by(self) -> str:
        """How events name this viewer ("staff:<telegram id>", as the CLI and bot do)."""
        return f"staff:{self.telegram_id}"


async def issue_link(session: AsyncSession, telegram_id: int, *, now: datetime) -> str:
    """A new one-time login token for this staff member (the caller checked they are staff)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebLogin(
            token_hash=_hash(token),
            telegram_id=telegram_id,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
    )
    events.record(
        session,
        "web_link_sent",
        actor=Actor.STAFF,
        channel=Channel.TELEGRAM,
        by=f"staff:{telegram_id}",
    )
    return token


async def link_is_open(session: AsyncSession, token: str, *, now: datetime) -> bool:
    """Whether this link would still sign someone in (shown before the button is pressed)."""
    login = await session.scalar(select(WebLogin).where(WebLogin.token_hash == _hash(token)))
    return login is not None and login.used_at is None and login.expires_at > now


async def redeem(
    session: AsyncSession, token: str, *, now: datetime, default_language: str
) -> str | None:
    """Use a login link: a new session's cookie token, or None when the link is unknown, used,
    expired, or its staff member is no longer staff. The link is spent either way."""
    spent = await session.execute(
        update(WebLogin)
        .where(
            WebLogin.token_hash == _hash(token),
            WebLogin.used_at.is_(None),
            WebLogin.expires_at > now,
        )
        .values(used_at=now)
        .returning(WebLogin.telegram_id)
    )
    telegram_id = spent.scalar_one_or_none()
    if telegram_id is None or await _staff(session, telegram_id) is None:
        return None
    language = await session.scalar(
        select(Account.language).where(Account.telegram_id == telegram_id)
    )
    cookie = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_hash(cookie),
            telegram_id=telegram_id,
            csrf=secrets.token_urlsafe(32),
            language=language or default_language,
            created_at=now,
            seen_at=now,
        )
    )
    events.record(
        session, "web_login", actor=Actor.STAFF, channel=Channel.WEB, by=f"staff:{telegram_id}"
    )
    return cookie


async def _staff(session: AsyncSession, telegram_id: int) -> Staff | None:
    return await session.scalar(select(Staff).where(Staff.telegram_id == telegram_id))


class Upkeep(enum.Enum):
    """What a session needs written after it was read: most requests need nothing, so the check
    every page makes reads only (on SQLite it then waits for no writer, the bot's presses
    included)."""

    NONE = "none"
    TOUCH = "touch"  # seen_at is over SEEN_EVERY old
    END = "end"  # idle, too old, or its staff member removed


async def look(
    session: AsyncSession, cookie: str, *, now: datetime, idle: timedelta
) -> tuple[Viewer | None, Upkeep, int | None]:
    """The staff member this cookie signs in (None when it is unknown, idle too long, too old,
    or its staff member was removed), what the session row needs written, and its id. Reads
    only; `keep_up` writes."""
    row = await session.scalar(select(WebSession).where(WebSession.token_hash == _hash(cookie)))
    if row is None:
        return None, Upkeep.NONE, None
    staff = await _staff(session, row.telegram_id)
    if staff is None or row.seen_at + idle < now or row.created_at + LONGEST_SESSION < now:
        return None, Upkeep.END, row.id
    found = Viewer(row.telegram_id, staff.is_admin, row.language, row.csrf, row.id)
    return found, Upkeep.TOUCH if row.seen_at + SEEN_EVERY < now else Upkeep.NONE, row.id


async def keep_up(session: AsyncSession, session_id: int, upkeep: Upkeep, *, now: datetime) -> None:
    """Write what `look` found the session needs: ended, or seen now."""
    if upkeep == Upkeep.END:
        await session.execute(delete(WebSession).where(WebSession.id == session_id))
    elif upkeep == Upkeep.TOUCH:
        await session.execute(
            update(WebSession).where(WebSession.id == session_id).values(seen_at=now)
        )


async def set_language(session: AsyncSession, session_id: int, language: str) -> None:
    await session.execute(
        update(WebSession).where(WebSession.id == session_id).values(language=language)
    )


async def end(session: AsyncSession, cookie: str) -> None:
    """Log out: this session only."""
    await session.execute(delete(WebSession).where(WebSession.token_hash == _hash(cookie)))


async def end_all(session: AsyncSession, telegram_id: int) -> None:
    """Every session and unused link of one person (removed from the staff)."""
    await session.execute(delete(WebSession).where(WebSession.telegram_id == telegram_id))
    await session.execute(
        delete(WebLogin).where(WebLogin.telegram_id == telegram_id, WebLogin.used_at.is_(None))
    )
