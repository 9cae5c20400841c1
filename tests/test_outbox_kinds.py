"""Outbox kinds: each has its group and its renderer, and rows queued in a real database render
as their reader will see them at the moment of sending."""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.db.engine import Database
from bot.db.migrate import upgrade
from bot.db.models import Broadcast, OutboxMessage, ServiceSession, Summons, WaitingTeen
from bot.delivery.reads import LOADERS, Drafts
from bot.domain.outbox_kinds import KINDS, SUMMONS_GROUPS, Group, Kind
from bot.i18n import Catalogs
from bot.presentation.outbox import RENDERERS, Draft, Facts, Need, Outgoing, Text, Venue
from bot.services import outbox
from bot.services.outbox import Message, Recipient
from tests.support import factories
from tests.support.harness import database, make_settings

TEEN_CHAT, PARENT_CHAT = 1001, 1002


def test_every_kind_has_a_spec_and_a_renderer() -> None:
    assert set(KINDS) == set(Kind)
    assert set(RENDERERS) == set(Kind)


def test_every_value_a_renderer_may_need_has_a_loader() -> None:
    assert set(LOADERS) == set(Need)
    assert list(LOADERS).index(Need.SUMMONS) < list(LOADERS).index(Need.OPTIONS)


def test_a_renderer_is_a_function_of_values(sqlite_url: str) -> None:
    """No database: the values a kind needs are handed in, and a missing one means the row no
    longer applies."""
    settings, gettext = make_settings(sqlite_url), Catalogs().gettext("id")
    broadcast = RENDERERS[Kind.BROADCAST]
    assert broadcast.needs == {Need.BROADCAST}
    draft = Draft({"broadcast_id": 1}, "id", gettext, settings, Facts(broadcast="Bawa KK."))
    assert broadcast.render(draft) == Text("📢 Pesan dari Dinas Dukcapil Kota Uji:\n\nBawa KK.")
    assert broadcast.render(Draft({"broadcast_id": 1}, "id", gettext, settings)) is None


def test_kinds_and_groups_keep_the_values_the_database_already_holds() -> None:
    assert {kind.value: KINDS[kind].group.value for kind in Kind} == {
        "summons": "summons",
        "venue": "summons",
        "reminder": "reminder",
        "guardian_unlinked": "notice",
        "session_moved": "summons",
        "answered": "summons",
        "no_show": "offer",
        "session_cancelled": "summons",
        "unanswered": "escalation",
        "broadcast": "broadcast",
        "unreachable": "notice",
        "link_approved": "notice",
        "link_declined": "notice",
        "place_offer": "offer",
        "claim_approved": "notice",
        "claim_rejected": "notice",
        "claim_reopened": "notice",
        "account_released": "notice",
        "guardian_linked": "notice",
        "staff_alert": "notice",
        "recorded": "notice",
        "desk_unrecorded": "offer",
        "phone_reply": "notice",
    }
    assert SUMMONS_GROUPS == (Group.SUMMONS, Group.REMINDER, Group.ESCALATION)


def _imported(source: Path) -> set[str]:
    """Every module (or module.name) `source` imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_delivery_services_and_the_renderer_never_import_handlers() -> None:
    package = Path(__file__).parent.parent / "bot"
    sources = [
        *(package / "delivery").glob("*.py"),
        *(package / "services").glob("*.py"),
        *(package / "presentation" / "outbox").glob("*.py"),
    ]
    reaching = {
        f"{source.relative_to(package)}: {name}"
        for source in sources
        for name in _imported(source)
        if name == "bot.handlers" or name.startswith("bot.handlers.")
    }
    assert reaching == set()


def test_a_message_is_built_by_name_and_its_group_follows_its_kind() -> None:
    nudge = Message(kind=Kind.UNANSWERED, due_at=datetime.now(UTC), summons_id=1)
    assert nudge.group is Group.ESCALATION
    with pytest.raises(TypeError):
        Message(Kind.UNANSWERED, datetime.now(UTC))  # type: ignore[misc]


@dataclass
class Office:
    db: Database
    settings: Settings
    clock: FrozenClock
    summons: Summons
    other: ServiceSession  # a session still ahead, other than the summons' own

    async def queue(self, message: Message, *, parent: bool = False, language: str = "id") -> int:
        """Queue `message` for one reader as the services do; the row's id."""
        chat = PARENT_CHAT if parent else TEEN_CHAT
        async with self.db.session() as session:
            await outbox.enqueue(session, [Recipient(chat, language, parent=parent)], [message])
            query = select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1)
            return int((await session.execute(query)).scalar_one())

    async def render(self, row_id: int) -> Outgoing | None:
        async with self.db.session() as session:
            row = await session.get(OutboxMessage, row_id)
            assert row is not None
            drafts = Drafts(session, Catalogs(), self.settings, self.clock)
            await drafts.prepare([row])
            return await drafts.render(row)

    def about_summons(self, kind: Kind, **params: object) -> Message:
        return Message(
            kind=kind,
            due_at=self.clock.now(),
            params={
                "summons_id": self.summons.id,
                "session_id": self.summons.session_id,
                **params,
            },
            summons_id=self.summons.id,
        )


@pytest.fixture
async def office(sqlite_url: str) -> AsyncIterator[Office]:
    """Rina summoned to a session in five days at a place with a pin; another a week on."""
    settings = make_settings(sqlite_url)
    db = database(sqlite_url)
    await upgrade(db)
    place = await factories.add_place(db)
    first = await factories.add_session(db, settings, place, days_ahead=5)
    other = await factories.add_session(db, settings, place, days_ahead=7)
    target = await factories.add_target(db, settings)
    summons = await factories.summon(db, settings, target, first)
    try:
        yield Office(db, settings, FrozenClock(settings.zone, datetime.now(UTC)), summons, other)
    finally:
        await db.dispose()


async def test_a_reminder_renders_in_the_readers_language_with_the_summons_below(
    office: Office,
) -> None:
    to_teen = await office.queue(office.about_summons(Kind.REMINDER, which="h1"), language="en")
    to_parent = await office.queue(office.about_summons(Kind.REMINDER, which="h3"), parent=True)

    english = await office.render(to_teen)
    assert isinstance(english, Text)
    assert english.text.startswith("⏰ Reminder: your e-KTP recording is tomorrow.\n\n")
    parents = await office.render(to_parent)
    assert isinstance(parents, Text)
    header, summons = parents.text.split("\n\n", 1)
    assert header == "⏰ Pengingat: jadwal perekaman KTP-el Rina Lestari tinggal 3 hari lagi."
    assert summons.startswith("📣 Panggilan perekaman KTP-el untuk anak Anda, Rina Lestari")
    assert parents.markup is not None  # a parent acts for the child: the same buttons


async def test_a_venue_is_the_places_pin(office: Office) -> None:
    pin = await office.render(await office.queue(office.about_summons(Kind.VENUE)))
    assert pin == Venue(-7.97, 112.63, "Mal Pelayanan Publik", "Jl. Contoh No. 1")


async def test_a_cancelled_session_offers_the_sessions_still_ahead(office: Office) -> None:
    told = await office.render(await office.queue(office.about_summons(Kind.SESSION_CANCELLED)))
    assert isinstance(told, Text)
    assert told.text.startswith("Maaf, jadwal perekaman Rina Lestari pada ")
    assert told.text.endswith("\n\nPilih jadwal baru:")
    assert told.markup is not None
    (only,) = told.markup.inline_keyboard
    assert only[0].callback_data == f"sm:{office.summons.id}:0:to.{office.other.id}"


async def test_a_broadcast_is_staffs_text_under_the_offices_name(office: Office) -> None:
    async with office.db.session() as session:
        broadcast = Broadcast(created_by=1, audience="all_pending", text="Bawa KK.", recipients=1)
        session.add(broadcast)
        await session.flush()
    message = Message(
        kind=Kind.BROADCAST, due_at=office.clock.now(), params={"broadcast_id": broadcast.id}
    )
    shown = await office.render(await office.queue(message))
    assert shown == Text("📢 Pesan dari Dinas Dukcapil Kota Uji:\n\nBawa KK.")


async def test_a_row_about_a_session_the_summons_has_left_no_longer_applies(
    office: Office,
) -> None:
    stale = office.about_summons(Kind.REMINDER, which="h1", session_id=office.other.id)
    assert await office.render(await office.queue(stale)) is None


async def test_a_place_offer_expires_by_the_injected_clock(office: Office) -> None:
    now = office.clock.now()
    async with office.db.session() as session:
        entry = WaitingTeen(
            target_id=office.summons.target_id,
            offered_session_id=office.other.id,
            offer_expires_at=now + timedelta(hours=1),
        )
        session.add(entry)
        await session.flush()
    offer = Message(
        kind=Kind.PLACE_OFFER,
        due_at=now,
        params={"entry_id": entry.id, "session_id": office.other.id},
    )
    row_id = await office.queue(offer)

    shown = await office.render(row_id)
    assert isinstance(shown, Text)
    assert shown.text.startswith("🎟️ Ada tempat kosong untuk perekaman KTP-el Anda: ")
    office.clock.move_to(now + timedelta(hours=2))
    assert await office.render(row_id) is None


async def test_a_row_of_an_unknown_kind_no_longer_applies(office: Office) -> None:
    async with office.db.session() as session:
        row = OutboxMessage(
            chat_id=TEEN_CHAT, kind=Group.NOTICE, message_key="retired", params={}, language="id"
        )
        session.add(row)
        await session.flush()
    assert await office.render(row.id) is None
