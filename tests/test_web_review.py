"""Tinjauan on the dashboard: /daftar registrations and parents' NIK link requests approved or
rejected from the page, the person told in Telegram exactly as when staff decide there; a
decision posted twice, an unknown or forged id, an unknown verdict or a missing token change
nothing and get a clear answer. Real bot, real emulator chats, real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.db.models import Account, Claim, Event, OutboxMessage, ParentLink, Target
from bot.domain import nik as nik_rules
from bot.domain.kinds import Channel, ClaimState, LinkState, TargetReview
from bot.emulator import UserClient
from tests.support import factories
from tests.support.harness import BotHarness
from tests.support.offices import family_office
from tests.support.people import PARENT_SUMMONS, REVIEW, new_parent, register, said
from tests.support.web import csrf_of, dashboard_bot, signed_in

GONE = "Pendaftaran ini sudah diputuskan atau pendaftarnya sudah tidak ada."


@pytest.fixture
async def bot(sqlite_url: str) -> AsyncIterator[BotHarness]:
    async with dashboard_bot(sqlite_url) as harness:
        yield harness


async def self_registered(bot: BotHarness) -> tuple[UserClient, Claim]:
    """A 16-year-old not on the list who registered with /daftar, and the claim staff decide."""
    born = factories.born_aged(bot.settings, 16)
    nik = nik_rules.build(factories.REGION, born, female=True, serial=77)
    teen = bot.user("Sekar")
    await register(teen, nik=nik, born=born, name="Sekar Ayu Permata")
    return teen, await claim_of(bot)


async def claim_of(bot: BotHarness) -> Claim:
    async with bot.db.session() as session:
        claim = await session.scalar(select(Claim))
    assert claim is not None
    return claim


async def test_an_approved_registration_links_the_teen_who_is_told(database_url: str) -> None:
    """A self-registration (a NIK not on the list) is approved from the page: the teen is
    linked and told."""
    async with dashboard_bot(database_url) as bot:
        teen, claim = await self_registered(bot)
        async with signed_in(bot) as (officer, web):
            page = await web.get("/tinjauan")
            assert page.status_code == 200
            assert "Sekar Ayu Permata" in page.text and "3599************" in page.text
            assert "Tidak ada di daftar sasaran (pendaftaran mandiri)." in page.text
            decided = await web.post(
                f"/tinjauan/{claim.id}", data={"csrf": csrf_of(page), "keputusan": "setujui"}
            )
            assert decided.status_code == 303
            after = await web.get(decided.headers["location"])
            assert "✅ Disetujui. Akun remaja terhubung, dan ia dikabari." in after.text
            assert "Tidak ada pendaftaran yang menunggu." in after.text
        told = await teen.next_message()
        assert told.text.startswith("✅ Petugas sudah memeriksa data Anda")
        async with bot.db.session() as session:
            account = await session.scalar(select(Account).where(Account.telegram_id == teen.id))
            approved = await session.scalar(select(Event).where(Event.kind == "claim_approved"))
        assert account is not None and account.target_id == claim.target_id
        assert approved is not None and approved.channel == Channel.WEB
        assert approved.data["by"] == f"staff:{officer.id}"


async def test_a_listed_nik_can_only_be_closed_and_a_forged_approval_links_nothing(
    database_url: str,
) -> None:
    """/daftar with a NIK on the office's list (issue 22, item 4): the page offers no approval,
    only closing, and an approval posted by hand is refused with the reason."""
    async with dashboard_bot(database_url) as bot:
        target = await factories.add_target(
            bot.db, bot.settings, name="Dimas Saputra", female=False
        )
        teen = bot.user("Dimas")
        answers = await register(
            teen, nik=target.nik, born=target.birth_date, name="dimas  SAPUTRA"
        )
        assert answers[-1].startswith(REVIEW)
        claim = await claim_of(bot)
        async with signed_in(bot) as (_officer, web):
            page = await web.get("/tinjauan")
            assert "Di daftar sasaran: Dimas Saputra — ditulis: dimas SAPUTRA" in page.text
            assert target.nik not in page.text  # staff see the masked NIK here
            assert (
                'value="setujui"' not in page.text and "Tutup: arahkan ke surat/meja" in page.text
            )
            forged = await web.post(
                f"/tinjauan/{claim.id}", data={"csrf": csrf_of(page), "keputusan": "setujui"}
            )
            assert forged.status_code == 409
            assert "Tidak bisa disetujui: data ini ada di daftar kantor" in forged.text
        async with bot.db.session() as session:
            account = await session.scalar(select(Account).where(Account.telegram_id == teen.id))
        assert account is not None and account.target_id is None
        assert (await claim_of(bot)).state == ClaimState.PENDING


async def test_a_rejected_self_registration_is_told_and_kept_out(bot: BotHarness) -> None:
    teen, claim = await self_registered(bot)
    async with signed_in(bot) as (_officer, web):
        page = await web.get("/tinjauan")
        assert "Tidak ada di daftar sasaran (pendaftaran mandiri)." in page.text
        decided = await web.post(
            f"/tinjauan/{claim.id}", data={"csrf": csrf_of(page), "keputusan": "tolak"}
        )
        assert decided.status_code == 303
        assert (
            "❌ Ditolak. Pendaftar dikabari cara masuk dengan surat undangan atau di meja."
            in (await web.get(decided.headers["location"])).text
        )
    told = await teen.next_message()
    assert told.text.startswith("Maaf, data pendaftaran Anda tidak dapat kami hubungkan.")
    async with bot.db.session() as session:
        target = await session.scalar(select(Target))
        rejected = await session.scalar(select(Event).where(Event.kind == "claim_rejected"))
    assert target is not None and target.review == TargetReview.REJECTED
    assert rejected is not None and rejected.channel == Channel.WEB
    assert (await claim_of(bot)).state == ClaimState.REJECTED


async def test_a_decision_posted_again_or_forged_changes_nothing(bot: BotHarness) -> None:
    teen, claim = await self_registered(bot)
    async with signed_in(bot) as (_officer, web):
        csrf = csrf_of(await web.get("/tinjauan"))
        unknown = await web.post("/tinjauan/99999", data={"csrf": csrf, "keputusan": "setujui"})
        assert unknown.status_code == 409 and GONE in unknown.text
        for forged in ("abc", "99999999999999999999", "-1"):
            answer = await web.post(
                f"/tinjauan/{forged}", data={"csrf": csrf, "keputusan": "setujui"}
            )
            assert answer.status_code == 409 and GONE in answer.text
        for verdict in ("", "hapus", "SETUJUI"):
            odd = await web.post(f"/tinjauan/{claim.id}", data={"csrf": csrf, "keputusan": verdict})
            assert odd.status_code == 400 and "Pilih Setujui atau Tolak." in odd.text
        missing = await web.post(f"/tinjauan/{claim.id}", data={"keputusan": "setujui"})
        assert missing.status_code == 403
        assert (await claim_of(bot)).state == ClaimState.PENDING
        first = await web.post(f"/tinjauan/{claim.id}", data={"csrf": csrf, "keputusan": "tolak"})
        assert first.status_code == 303
        again = await web.post(f"/tinjauan/{claim.id}", data={"csrf": csrf, "keputusan": "setujui"})
        assert again.status_code == 409 and GONE in again.text
    assert (await claim_of(bot)).state == ClaimState.REJECTED
    await teen.next_message()  # the one rejection
    async with bot.db.session() as session:
        decided = await session.scalar(
            select(func.count()).where(Event.kind.in_(("claim_approved", "claim_rejected")))
        )
        told = await session.scalars(
            select(OutboxMessage.message_key).where(
                OutboxMessage.chat_id == teen.id,
                OutboxMessage.message_key.in_(("claim_approved", "claim_rejected")),
            )
        )
        assert list(told) == ["claim_rejected"]  # and nothing more is on its way
    assert decided == 1


async def test_a_parents_nik_request_is_approved_from_the_page(bot: BotHarness) -> None:
    office = await family_office(bot)
    budi: Target = office["budi"]
    parent = await new_parent(bot, "Pak Joko")
    parent.send("/ortu")
    await parent.next_message()
    parent.press("Anak tanpa Telegram")
    await parent.next_message()
    await said(parent, budi.nik)
    await said(parent, budi.birth_date.strftime("%d-%m-%Y"))
    async with bot.db.session() as session:
        link = await session.scalar(select(ParentLink))
    assert link is not None
    async with signed_in(bot) as (officer, web):
        page = await web.get("/tinjauan")
        assert "Pak Joko" in page.text and "Budi Santoso" in page.text
        assert "3599************" in page.text
        csrf = csrf_of(page)
        decided = await web.post(
            f"/tinjauan/tautan/{link.id}", data={"csrf": csrf, "keputusan": "setujui"}
        )
        assert decided.status_code == 303
        after = await web.get(decided.headers["location"])
        assert "✅ Disetujui. Orang tua dikabari." in after.text
        assert "Tidak ada permintaan terhubung dari orang tua." in after.text
        again = await web.post(
            f"/tinjauan/tautan/{link.id}", data={"csrf": csrf, "keputusan": "tolak"}
        )
        assert again.status_code == 409 and "Permintaan ini sudah diputuskan." in again.text
        forged = await web.post("/tinjauan/tautan/x1", data={"csrf": csrf, "keputusan": "tolak"})
        assert forged.status_code == 409
    approved = await parent.next_message()
    assert approved.text.startswith(
        "✅ Petugas menyetujui permintaan Anda untuk terhubung dengan Budi Santoso."
    )
    summons = await parent.next_message()
    assert summons.text.startswith(PARENT_SUMMONS + "Budi Santoso")
    async with bot.db.session() as session:
        now_link = await session.get(ParentLink, link.id)
        event = await session.scalar(select(Event).where(Event.kind == "parent_link_approved"))
    assert now_link is not None and now_link.state == LinkState.ACTIVE
    assert event is not None and event.channel == Channel.WEB
    assert now_link.decided_by == officer.id
