"""The office database: targets, people on Telegram, places, sessions, summonses, the event log
and the outbox. Every instant is a timezone-aware UTC datetime. One cohesive data model, kept
in one module on purpose (Alembic compares it whole with the migrations)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.db.types import BigId, UTCDateTime, enum_column, utcnow
from bot.domain.kinds import (
    Actor,
    Audience,
    Channel,
    ClaimState,
    ContactOf,
    ContactSource,
    HomeVisitState,
    LinkMethod,
    LinkState,
    OutboxState,
    PlaceKind,
    PreferredDays,
    Role,
    SessionState,
    SummonsState,
    TargetReview,
    TargetSource,
)

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Region(Base):
    """A kelurahan (or desa) and its kecamatan."""

    __tablename__ = "regions"
    __table_args__ = (
        UniqueConstraint("kecamatan", "kelurahan", name="uq_regions_kecamatan_kelurahan"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kecamatan: Mapped[str] = mapped_column(String(100))
    kelurahan: Mapped[str] = mapped_column(String(100))


class School(Base):
    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))


class Target(Base):
    """A resident on the office's target list (sasaran), or a teen who registered themselves."""

    __tablename__ = "targets"
    # Covers the report's count of targets per area and school (bot/services/figures.py).
    __table_args__ = (
        Index("ix_targets_figures", "review", "region_id", "school_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The NIK is never stored in clear (bot/db/vault.py): a keyed hash to find the record, and
    # a sealed copy to show it (masked, or whole to staff).
    nik_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nik_sealed: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    # Indexed for the desk's "name, birth date" search (a million targets).
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    sex: Mapped[str | None] = mapped_column(String(1))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    # The pesantren or prison whose list the target came on (bot/domain/venues.py): its
    # sessions are for them only.
    institution: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[TargetSource] = mapped_column(
        enum_column(TargetSource), default=TargetSource.IMPORTED
    )
    review: Mapped[TargetReview] = mapped_column(
        enum_column(TargetReview), default=TargetReview.ACCEPTED
    )
    preferred_days: Mapped[PreferredDays] = mapped_column(
        enum_column(PreferredDays), default=PreferredDays.ANY
    )
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Three codes, each kept as the NIK is (bot/db/vault.py): a keyed hash to find the record
    # (bot/db/codes.py) and a sealed copy to print or show it, so a copy of the database links
    # no one. The invitation code is on the paper letter: it links a Telegram account (with
    # the birth date), the teen's or a parent's, and is never shown at a session desk.
    invite_hash: Mapped[str] = mapped_column(String(32), unique=True)
    invite_sealed: Mapped[str] = mapped_column(String(64))
    # The code staff scan at a session (the QR of /kode): it marks attendance and links nothing.
    attend_hash: Mapped[str] = mapped_column(String(32), unique=True)
    attend_sealed: Mapped[str] = mapped_column(String(64))
    # The code a teen on Telegram gives their parents (/kode); made when first shown. Once a
    # teen's account holds the record, the letter's code no longer links anyone.
    parent_hash: Mapped[str | None] = mapped_column(String(32), unique=True)
    parent_sealed: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship(lazy="raise")
    school: Mapped[School | None] = relationship(lazy="raise")


class Account(Base):
    """A Telegram user who has talked to the bot: a teen, a parent, or not yet either."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(5))
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.NONE)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id"), unique=True)
    unreachable_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The step of a multi-message conversation (registration, linking), kept here and not in
    # memory so that a restart of the bot never loses where a teen was.
    conversation: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ContactPoint(Base):
    """A phone number on a teen's record, hers or a parent's or guardian's (one of each): where
    WhatsApp and SMS reach the family, and whose numbers an answer is believed from.

    Kept as the NIK is (bot/db/vault.py): a keyed hash to find whose number wrote, and a sealed
    copy to send to it and show it to staff.
    """

    __tablename__ = "contact_points"
    __table_args__ = (
        UniqueConstraint("target_id", "whose", name="uq_contact_points_target_whose"),
        # Covers the figures' reach per channel (bot/services/figures.py): each target's
        # numbers read in order, with no sort and no row looked up.
        Index(
            "ix_contact_points_reach",
            "target_id",
            "whatsapp_consent_at",
            "whatsapp_user",
            "sms_stopped_at",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    whose: Mapped[ContactOf] = mapped_column(enum_column(ContactOf))
    # A guardian's number can be on several siblings' records: not unique.
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    phone_sealed: Mapped[str] = mapped_column(String(120))
    source: Mapped[ContactSource] = mapped_column(enum_column(ContactSource))
    # When the office recorded the family's yes to WhatsApp messages (the list's izin_wa, or
    # staff); Meta's policy sends no template to a number without one.
    whatsapp_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the number answered BERHENTI: no more SMS to it.
    sms_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False once WhatsApp said the number is not one of its users (131026); None: not known.
    whatsapp_user: Mapped[bool | None] = mapped_column(Boolean)
    # Until when WhatsApp lets free-form messages (buttons, lists) reach the number: 24 hours
    # after it last wrote. Outside it, only approved templates.
    whatsapp_window_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The sessions GANTI numbered for this number, for one summons at one revision:
    # {"summons": id, "revision": n, "sessions": [session id, ...]}; a number answers them.
    sms_choices: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Staff(Base):
    """A Telegram account allowed to act for the office."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    # The name the office knows them by (shown in a teen's history and on the Petugas page):
    # given with `rekam staff add --name`, or their Telegram name when they joined by invitation.
    name: Mapped[str | None] = mapped_column(String(200))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    added_by: Mapped[int | None] = mapped_column(BigInteger)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class StaffInvite(Base):
    """A one-time link (`rekam staff invite`) that makes whoever opens it staff once an admin
    confirms: only its hash is kept; it works once, before it expires."""

    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who opened it (their Telegram id and name), then the admin's decision.
    opened_by: Mapped[int | None] = mapped_column(BigInteger)
    opened_name: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed: Mapped[bool | None] = mapped_column(Boolean)


class ParentLink(Base):
    """A parent or guardian linked to a child on the target list."""

    __tablename__ = "parent_links"
    __table_args__ = (
        UniqueConstraint("parent_account_id", "target_id", name="uq_parent_links_parent_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parent_account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"), index=True)
    state: Mapped[LinkState] = mapped_column(enum_column(LinkState), default=LinkState.PENDING)
    method: Mapped[LinkMethod] = mapped_column(enum_column(LinkMethod))
    # The parent's name as Telegram showed it when they linked, so the child knows who it is.
    parent_name: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)


class Place(Base):
    """Where recording happens: an office, the MPP, a school, a car-free-day stand, a home."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text, default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[PlaceKind] = mapped_column(enum_column(PlaceKind), default=PlaceKind.OFFICE)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"))


class ServiceSession(Base):
    """A dated recording session at a place, with hours, a capacity and what to bring."""

    __tablename__ = "service_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    # The office's own code for the session (the sessions file's `kode`): a re-import with a
    # changed day, hours or place moves this session instead of adding a second one.
    code: Mapped[str | None] = mapped_column(String(32), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats held by summonses. Taking one is a conditional UPDATE (booked < capacity), so two
    # teens can never both get the last place, on SQLite or PostgreSQL, without explicit locks.
    booked: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    bring: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[SessionState] = mapped_column(
        enum_column(SessionState), default=SessionState.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    place: Mapped[Place] = relationship(lazy="raise")


class Summons(Base):
    """A target's call to one session (one current summons per target), and its answer."""

    __tablename__ = "summonses"
    __table_args__ = (Index("ix_summonses_session_state", "session_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("targets.id", ondelete="CASCADE"), unique=True
    )
    session_id: Mapped[int] = mapped_column(ForeignKey("service_sessions.id"))
    state: Mapped[SummonsState] = mapped_column(
        enum_column(SummonsState), default=SummonsState.SUMMONED
    )
    reason: Mapped[str | None] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    # Bumped on every change; buttons carry it, so a press on an outdated message changes nothing.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Event(Base):
    """One change of state, appended and never updated: who, what, when, through which channel.

    account_id and target_id carry no foreign key on purpose: deleting a resident's personal
    data must leave the office's record of what happened intact.
    """

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_target_at", "target_id", "at"),
        Index("ix_events_account_at", "account_id", "at"),
        Index("ix_events_claimant_at", "claimant", "at"),
        Index("ix_events_subject_at", "subject", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[Actor] = mapped_column(enum_column(Actor))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    account_id: Mapped[int | None] = mapped_column(Integer)
    target_id: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(50))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # A refused guess (bot/services/lockout.py): who guessed (Telegram user id) and at what.
    claimant: Mapped[int | None] = mapped_column(BigInteger)
    subject: Mapped[str | None] = mapped_column(String(64))


class OutboxMessage(Base):
    """A message to send later, written in the same transaction as the change that caused it."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_due", "state", "due_at"),
        # The phone channels' daily limits count their sends (bot/delivery/limits.py).
        Index("ix_outbox_channel_sent", "channel", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # Reminders and notices about one summons, so a decline or a move can cancel them at once.
    summons_id: Mapped[int | None] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message_key: Mapped[str] = mapped_column(String(100))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(5))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[OutboxState] = mapped_column(
        enum_column(OutboxState), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Which dispatcher process claimed it last (for operators, and tests of several processes).
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The rung of the ladder the row is on (bot/delivery/ladder.py): Telegram (chat_id), or
    # WhatsApp or SMS to a number on a record (contact_id; chat_id is then -contact_id, so a
    # number's messages stay in order as a chat's do). `tried`: the rungs already failed, in
    # order ("telegram,whatsapp"). One row per message and person, whatever the rung: a
    # message moves down the ladder, it is never copied to a second channel.
    channel: Mapped[Channel] = mapped_column(enum_column(Channel), default=Channel.TELEGRAM)
    contact_id: Mapped[int | None] = mapped_column(Integer, index=True)
    tried: Mapped[str] = mapped_column(String(60), default="")
    # The channel's own id for the message (a wamid, the SMS gateway's id), for its statuses.
    external_id: Mapped[str | None] = mapped_column(String(100), index=True)
    # What the channel said of it since (delivered, read, failed) and when.
    delivery: Mapped[str | None] = mapped_column(String(20))
    delivery_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Sent during QUIET_HOURS too: a change to a session today, an answer to someone who has
    # just written. Everything else waits for the morning.
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)


class EarlyStatus(Base):
    """What a channel said of a message before the dispatcher recorded that it sent it (its
    webhook can beat the send's own answer): applied when the id is written."""

    __tablename__ = "early_statuses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    external_id: Mapped[str] = mapped_column(String(100), index=True)
    state: Mapped[str] = mapped_column(String(20))
    why: Mapped[str] = mapped_column(String(500))
    passes: Mapped[bool] = mapped_column(Boolean)
    not_a_user: Mapped[bool] = mapped_column(Boolean)
    closed_window: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookEvent(Base):
    """WhatsApp messages and SMS gateway events already handled: both may deliver one again
    (a retry after a slow answer), and an answer must count once."""

    __tablename__ = "webhook_events"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Broadcast(Base):
    """A message staff sent to a group of residents; its copies are outbox rows."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    audience_value: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The dashboard's preview form's one-time key: the same form sent twice (a double click)
    # finds its broadcast here and is not sent again.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class Consent(Base):
    """Consent to the privacy notice, with the notice's version. Withdrawing it (/hapus) is
    recorded, not deleted: the row stays, without the account, as proof of what was agreed."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    # Whose data it covers (no foreign key: erasing the record must not erase the proof).
    target_id: Mapped[int | None] = mapped_column(Integer)
    # teen: /daftar or an invitation; parent: a guardian linking a child
    given_as: Mapped[str] = mapped_column(String(20), default="teen", server_default="teen")
    notice_version: Mapped[str] = mapped_column(String(20))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Claim(Base):
    """Someone's /daftar answers, waiting for staff: a listed record is linked only through its
    paper invitation or by staff approving this (what matched is worked out when shown)."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    # The record with this NIK: the office's, or the one this registration created.
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("targets.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    preferred_days: Mapped[PreferredDays] = mapped_column(
        enum_column(PreferredDays), default=PreferredDays.ANY
    )
    state: Mapped[ClaimState] = mapped_column(
        enum_column(ClaimState), default=ClaimState.PENDING, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))


class Lease(Base):
    """A named lock with an expiry, held by one process: the reminder planner's leadership,
    and each live dispatcher's membership (so processes can share the sending rate)."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedUpdate(Base):
    """Update ids already handled in webhook mode: Telegram may deliver one twice."""

    __tablename__ = "processed_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class WaitingTeen(Base):
    """A teen who has no place yet (no session left in their area when summoned, or a missed
    session with none left to move to), in the order they started waiting. A freed place is
    offered to the first of them it suits; an offer that expires goes to the next."""

    __tablename__ = "waiting_list"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("targets.id", ondelete="CASCADE"), unique=True
    )
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    offered_session_id: Mapped[int | None] = mapped_column(ForeignKey("service_sessions.id"))
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offers: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class HomeVisit(Base):
    """A teen's (or their parent's) 🏠 request, one per teen: the reason they gave, and where
    staff stand with it. The visit itself is an ordinary session at a Place of kind `home`."""

    __tablename__ = "home_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_id: Mapped[int] = mapped_column(
        ForeignKey("targets.id", ondelete="CASCADE"), unique=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[HomeVisitState] = mapped_column(
        enum_column(HomeVisitState), default=HomeVisitState.REQUESTED, index=True
    )
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_sessions.id", ondelete="SET NULL")
    )
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LetterNumber(Base):
    """The running number ({n} of LETTER_NUMBER) of one printed summons letter: one per summons
    and the session it names, so a reprint keeps its number and a moved summons gets a new one.
    The id is the number: AUTOINCREMENT (SQLite) or a sequence (PostgreSQL) never hands out one
    twice, even after a purge deletes the row with its summons."""

    __tablename__ = "letter_numbers"
    __table_args__ = (UniqueConstraint("summons_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    summons_id: Mapped[int] = mapped_column(ForeignKey("summonses.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(
        ForeignKey("service_sessions.id", ondelete="CASCADE"), index=True
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebLogin(Base):
    """A one-time dashboard link sent by /dasbor: only its hash is kept; it opens one session,
    for the staff member it was sent to, within minutes."""

    __tablename__ = "web_logins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WebSession(Base):
    """A staff member signed in to the dashboard: the cookie's hash, the form token, and when
    it was last used (an idle session ends). Ended by logout, by idleness, or when the staff
    member is removed; every request checks the staff row again anyway."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KeyCheck(Base):
    """One row: a value derived from the DATA_KEY the database's NIKs and codes are kept
    under (never the key itself), so that a process started with another key refuses to run
    rather than add every row of the list again under it (bot/db/keys.py)."""

    __tablename__ = "key_check"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    check_value: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# SQLite reuses the highest id of a deleted row unless a table says AUTOINCREMENT: a new
# stranger's account must never inherit an erased one's id (its events, its locks).
for _table in Base.metadata.tables.values():
    _table.dialect_options["sqlite"]["autoincrement"] = True
