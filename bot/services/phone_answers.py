"""What a number wrote by SMS or WhatsApp, read as an answer to the summons on its record.

A message is believed only from a number on a record, the teen's or her guardian's
(contacts.owners): it answers for that record and nobody else's. The words are the summons'
own ("Balas YA jika datang, TIDAK jika tidak bisa, GANTI untuk jadwal lain"): YA confirms,
TIDAK declines, GANTI numbers up to three other sessions, a number then moves to that session,
BERHENTI stops SMS to the number. WhatsApp's buttons carry the same words as ids. Anything
else gets a short help, never silence. The answer goes through summonses.respond, as a press
in Telegram does (seats, reminders, the others told, the event), with the channel it came on.

The service decides and returns what happened (`Heard`); bot/presentation/phone_replies.py
words it, and `reply` queues those words to the number in the same unit of work.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ContactPoint, OutboxMessage
from bot.domain import summons_rules
from bot.domain.kinds import Actor, Answer, Channel, ContactOf
from bot.domain.outbox_kinds import Kind
from bot.services import contacts, events, ladder, outbox, summonses
from bot.services.office import Office
from bot.services.options import SessionOption
from bot.services.outbox import Message, Recipient
from bot.services.summonses import Outcome, Press, Presser, SummonsView

WINDOW = timedelta(hours=24)  # WhatsApp's customer-service window after a person writes
MOST_CHOICES = 3

_WORDS = {
    "ya": "yes",
    "y": "yes",
    "iya": "yes",
    "yes": "yes",
    "datang": "yes",
    "ok": "yes",
    "tidak": "no",
    "tdk": "no",
    "no": "no",
    "ga": "no",
    "gak": "no",
    "ganti": "change",
    "berhenti": "stop",
    "stop": "stop",
    "rumah": "home",
    # Javanese replies to a Javanese summons ("Wangsuli YA ...") still say these sometimes.
    "inggih": "yes",
    "nggih": "yes",
    "boten": "no",
    "mboten": "no",
    "gantos": "change",
}
_PICK = re.compile(r"^\s*([1-9])\s*$")


class What(enum.StrEnum):
    UNKNOWN_NUMBER = "unknown_number"  # on no record: nothing believed
    SEVERAL = "several"  # on several records with a summons open: which child?
    NO_SUMMONS = "no_summons"  # believed, but nothing to answer
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CHOICES = "choices"  # GANTI: the sessions numbered (none: `choices` empty)
    MOVED = "moved"
    HOME_VISIT = "home_visit"
    FULL = "full"  # the session has no place left
    STALE = "stale"  # the summons can no longer be answered that way
    STOPPED = "stopped"  # BERHENTI: no more SMS
    STOPPED_WHATSAPP = "stopped_whatsapp"  # BERHENTI on WhatsApp: its yes withdrawn
    HELP = "help"  # words nobody understood


@dataclass(frozen=True)
class Heard:
    """What came of one message: what was done, for whom, and where to answer it."""

    what: What
    contact_id: int | None = None
    summons: SummonsView | None = None
    choices: tuple[SessionOption, ...] = ()
    names: tuple[str, ...] = field(default=())  # SEVERAL: the children the number is for


def word_of(text: str | None, button: str | None) -> str:
    """The answer a message gives: a button's id, else its first word, lower case."""
    if button:
        return button.strip().casefold()
    words = (text or "").strip().casefold().split()
    return words[0].strip(".,!") if words else ""


async def received(
    session: AsyncSession,
    *,
    channel: Channel,
    number: str,
    text: str | None,
    button: str | None = None,
    now: datetime,
    office: Office,
    written_at: datetime | None = None,
) -> Heard:
    """Read one message from `number` (E.164) and do what it says, if it may. `written_at`:
    when the person wrote it (a webhook delivered again later opens no longer window)."""
    points = await contacts.points(session, number)
    if not points:
        return Heard(What.UNKNOWN_NUMBER)
    if channel == Channel.WHATSAPP:
        until = min(written_at or now, now) + WINDOW
        for point in points:  # they wrote: the window is open, and they are on WhatsApp
            if point.whatsapp_window_until is None or point.whatsapp_window_until < until:
                point.whatsapp_window_until = until
            point.whatsapp_user = True
    word = word_of(text, button)
    meaning = _WORDS.get(word)
    first = points[0]
    if meaning == "stop":  # this channel stops for this number; what waited moves down
        for point in points:
            if channel == Channel.SMS:
                point.sms_stopped_at = now
            else:
                point.whatsapp_consent_at = None
            events.record(
                session,
                "sms_stopped" if channel == Channel.SMS else "whatsapp_stopped",
                actor=_actor(point),
                channel=channel,
                target_id=point.target_id,
            )
            await ladder.fall_number(session, point.id, failed=channel, why="stopped", now=now)
        return Heard(What.STOPPED if channel == Channel.SMS else What.STOPPED_WHATSAPP, first.id)
    one_each = {point.target_id: point for point in reversed(points)}  # the first per record
    open_ = [  # the summonses a message can still answer (a recorded sibling's cannot)
        (point, found)
        for _target, point in sorted(one_each.items())
        if (found := await summonses.for_target(session, point.target_id)) is not None
        and found.state not in summons_rules.FINAL
    ]
    if len(open_) > 1:  # one number, several children: which one ("YA 2")?
        open_ = _which_child(open_, text, word)
        if len(open_) > 1:
            return Heard(What.SEVERAL, first.id, names=tuple(s.name for _, s in open_))
    if not open_:
        return Heard(What.NO_SUMMONS, first.id)
    point, summons = open_[0]
    if meaning == "change":
        return await _choices(session, point, summons, now=now, office=office)
    picked = _PICK.match(word) or (word.startswith("sesi:") and word[5:].isdigit())
    if picked:
        return await _pick(session, point, summons, word, channel=channel, now=now, office=office)
    action = {"yes": Answer.CONFIRM, "no": Answer.DECLINE, "home": Answer.HOME_VISIT}.get(
        meaning or ""
    )
    if action is None:
        return Heard(What.HELP, point.id, summons)
    argument = "other" if action == Answer.DECLINE else None
    point.sms_choices = None  # another answer: the numbered list no longer stands
    outcome = await _respond(session, point, summons, action, argument, channel, now, office)
    if outcome == Outcome.DONE:
        done = {
            Answer.CONFIRM: What.CONFIRMED,
            Answer.DECLINE: What.DECLINED,
            Answer.HOME_VISIT: What.HOME_VISIT,
        }[action]
        return Heard(done, point.id, await summonses.view(session, summons.id))
    return Heard(What.FULL if outcome == Outcome.FULL else What.STALE, point.id, summons)


def _which_child(
    open_: list[tuple[ContactPoint, SummonsView]], text: str | None, word: str
) -> list[tuple[ContactPoint, SummonsView]]:
    """The child a message from a number on several records is about: its number in the
    list SEVERAL showed ("YA 2", "GANTI 1"), or, for a bare number after GANTI, the one child
    whose numbered list still stands. All of them when it does not say."""
    words = (text or "").split()
    if len(words) >= 2 and words[1].isdigit() and 1 <= int(words[1]) <= len(open_):
        return [open_[int(words[1]) - 1]]
    if _PICK.match(word):
        listed = [
            (point, summons)
            for point, summons in open_
            if (point.sms_choices or {}).get("summons") == summons.id
        ]
        if len(listed) == 1:
            return listed
    return open_


def _actor(point: ContactPoint) -> Actor:
    return Actor.TEEN if point.whose == ContactOf.TEEN else Actor.PARENT


async def _respond(
    session: AsyncSession,
    point: ContactPoint,
    summons: SummonsView,
    action: Answer,
    argument: str | None,
    channel: Channel,
    now: datetime,
    office: Office,
) -> Outcome:
    # Locked and read with its session in one statement, as a press in Telegram is: respond()
    # then reads neither again. The revision is the one the message was read at, so a change
    # in between is STALE, as an old button is.
    found = await summonses.locked_view(session, summons.id)
    return await summonses.respond(
        session,
        Press(summons.id, summons.revision, action, argument),
        Presser(None, _actor(point), frozenset({point.target_id}), channel, point.id),
        office=office,
        now=now,
        locked=found[1] if found is not None else None,
    )


async def _choices(
    session: AsyncSession,
    point: ContactPoint,
    summons: SummonsView,
    *,
    now: datetime,
    office: Office,
) -> Heard:
    """GANTI: up to three sessions ahead, numbered and remembered for this number."""
    options = await summonses.move_options(
        session,
        exclude=summons.session_id,
        now=now,
        deadline=office.deadline,
        target_id=summons.target_id,
        zone=office.zone,
    )
    shown = tuple(options[:MOST_CHOICES])
    point.sms_choices = {
        "summons": summons.id,
        "revision": summons.revision,
        "sessions": [option.id for option in shown],
    }
    return Heard(What.CHOICES, point.id, summons, shown)


async def _pick(
    session: AsyncSession,
    point: ContactPoint,
    summons: SummonsView,
    word: str,
    *,
    channel: Channel,
    now: datetime,
    office: Office,
) -> Heard:
    """A number after GANTI (or a WhatsApp list row "sesi:<id>"): move to that session."""
    remembered = point.sms_choices or {}
    point.sms_choices = None  # a list answers one number, once
    current = (
        remembered.get("summons") == summons.id and remembered.get("revision") == summons.revision
    )
    choices = [int(i) for i in remembered.get("sessions", [])] if current else []
    if word.startswith("sesi:"):
        session_id: int | None = int(word[5:]) if int(word[5:]) in choices else None
    else:
        index = int(word) - 1
        session_id = choices[index] if index < len(choices) else None
    if session_id is None:
        return Heard(What.STALE, point.id, summons)
    outcome = await _respond(
        session, point, summons, Answer.MOVE, str(session_id), channel, now, office
    )
    if outcome == Outcome.DONE:
        return Heard(What.MOVED, point.id, await summonses.view(session, summons.id))
    return Heard(What.FULL if outcome == Outcome.FULL else What.STALE, point.id, summons)


async def reply(
    session: AsyncSession,
    contact_id: int,
    text: str,
    *,
    buttons: tuple[tuple[str, str], ...] = (),
    rows: tuple[tuple[str, str, str], ...] = (),
    channel: Channel,
    language: str,
    now: datetime,
    heard_what: What,
) -> None:
    """Queue the words of an answer to the number, on the channel it wrote on (WhatsApp's
    buttons, or its list of `rows`, with them). An answer nobody asked for (help, "no
    summons", "which child?") goes at most once an hour to a number: whoever keeps writing
    cannot make the office pay for an SMS each time."""
    unasked = heard_what in UNASKED
    if unasked and await _helped_lately(session, contact_id, now):
        return
    who = Recipient(-contact_id, language, None, False, contact_id, channel)
    message = Message(
        kind=Kind.PHONE_REPLY,
        due_at=now,
        params={
            "text": text,
            "buttons": [list(b) for b in buttons],
            "rows": [list(r) for r in rows],
            "unasked": unasked,
        },
        urgent=True,  # they have just written: the answer does not wait for the morning
    )
    await outbox.enqueue(session, [who], [message])


UNASKED = frozenset({What.HELP, What.NO_SUMMONS, What.SEVERAL})
HELP_EVERY = timedelta(hours=1)


async def _helped_lately(session: AsyncSession, contact_id: int, now: datetime) -> bool:
    rows = await session.scalars(
        select(OutboxMessage.params).where(
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.message_key == Kind.PHONE_REPLY.value,
            OutboxMessage.created_at > now - HELP_EVERY,
        )
    )
    return any(bool((params or {}).get("unasked")) for params in rows)
