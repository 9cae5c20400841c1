"""The WhatsApp client against the emulator: what a sender notices when it sends, and what it
may do about it (the answer to a send, then the statuses on the webhook)."""

from __future__ import annotations

import pytest

from bot.channels.whatsapp import (
    Refusal,
    RefusedError,
    Row,
    Section,
    Sent,
    WhatsAppProblem,
)
from bot.emulator.whatsapp import Fault, Limits
from tests.support.whatsapp import World, whatsapp_world

SARI = "6281234567890"
BUDI = "+62 813-0000-1111"
BUDI_ID = "6281300001111"
STRANGER = "6289999999999"
DAY = 24 * 3600


async def _with_template(world: World, name: str = "panggilan_rekam") -> None:
    info = await world.client.submit_template(
        name, "id", "Halo {{1}}, perekaman e-KTP Anda {{2}}.", ["Sari", "Senin 09.00"]
    )
    assert info.status == "APPROVED"


def _sent(answer: Sent | Refusal) -> Sent:
    assert isinstance(answer, Sent), answer
    return answer


def _refused(answer: Sent | Refusal) -> Refusal:
    assert isinstance(answer, Refusal), answer
    return answer


async def test_a_template_goes_outside_the_window_and_is_billed() -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(SARI, "Sari")
        await _with_template(world)
        sent = _sent(
            await world.client.send_template(SARI, "panggilan_rekam", "id", ["Sari", "Senin"])
        )
        statuses = world.statuses(sent.message_id)
        assert [s.status for s in statuses] == ["sent", "delivered"]
        assert all(s.problem is None and s.recipient == SARI for s in statuses)
        assert world.emulator.stats()["billed"] == {"utility": 1}


async def test_free_text_outside_the_window_fails_later_with_131047() -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(SARI, "Sari")
        sent = _sent(await world.client.send_text(SARI, "Halo"))  # accepted first, as Meta does
        [status] = world.statuses(sent.message_id)
        assert status.status == "failed" and status.problem is not None
        assert status.problem.problem is WhatsAppProblem.OUTSIDE_WINDOW
        assert status.problem.code == 131047 and not status.problem.retryable


async def test_once_the_user_writes_text_and_buttons_go_free_for_24_hours() -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(SARI, "Sari")
        world.emulator.user_text(SARI, "halo")
        world.inbound()
        text = _sent(await world.client.send_text(SARI, "Selamat datang"))
        buttons = _sent(
            await world.client.send_buttons(SARI, "Datang?", [("ya", "Ya"), ("tidak", "Tidak")])
        )
        await _with_template(world)
        template = _sent(
            await world.client.send_template(SARI, "panggilan_rekam", "id", ["A", "B"])
        )
        for sent in (text, buttons, template):
            assert [s.status for s in world.statuses(sent.message_id)] == ["sent", "delivered"]
        assert world.emulator.stats()["billed"] == {}  # service, and utility in the window
        world.clock.step(DAY + 1)
        late = _sent(await world.client.send_text(SARI, "Masih di sana?"))
        [status] = world.statuses(late.message_id)
        assert status.problem is not None
        assert status.problem.problem is WhatsAppProblem.OUTSIDE_WINDOW


async def test_a_number_not_on_whatsapp_fails_later_with_131026() -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(STRANGER, "Tanpa WA", is_user=False)
        await _with_template(world)
        sent = _sent(
            await world.client.send_template(STRANGER, "panggilan_rekam", "id", ["A", "B"])
        )
        [status] = world.statuses(sent.message_id)
        assert status.status == "failed" and status.problem is not None
        assert status.problem.problem is WhatsAppProblem.NOT_A_USER
        assert not status.problem.retryable
        assert world.emulator.stats()["billed"] == {}  # never arrived, never charged


async def test_a_template_not_approved_in_that_language_is_refused_with_132001() -> None:
    async with whatsapp_world(review_delay=None) as world:
        world.emulator.add_user(SARI, "Sari")
        info = await world.client.submit_template("pengingat", "id", "Besok {{1}}.", ["09.00"])
        assert info.status == "PENDING"
        pending = _refused(await world.client.send_template(SARI, "pengingat", "id", ["09.00"]))
        assert pending.problem is WhatsAppProblem.TEMPLATE_MISSING and pending.code == 132001
        assert not pending.retryable
        world.emulator.templates.decide(info.id, approve=True)
        _sent(await world.client.send_template(SARI, "pengingat", "id", ["09.00"]))
        english = _refused(await world.client.send_template(SARI, "pengingat", "en", ["09.00"]))
        assert english.problem is WhatsAppProblem.TEMPLATE_MISSING


async def test_the_wrong_number_of_template_parameters_is_refused_with_132000() -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(SARI, "Sari")
        await _with_template(world)
        refusal = _refused(
            await world.client.send_template(SARI, "panggilan_rekam", "id", ["Sari"])
        )
        assert refusal.problem is WhatsAppProblem.TEMPLATE_PARAMS and refusal.code == 132000
        assert not refusal.retryable


async def test_templates_are_reviewed_and_listed_with_their_status() -> None:
    async with whatsapp_world() as world:
        good = await world.client.submit_template("jadwal", "id", "Jadwal {{1}}.", ["Senin"])
        promo = await world.client.submit_template("promo_ktp", "id", "Diskon untuk {{1}}!", ["A"])
        gap = await world.client.submit_template("celah", "id", "Halo {{2}}.", ["A"])
        no_example = await world.client.submit_template("tanpa_contoh", "id", "Halo {{1}}.")
        listed = {t.name: t.status for t in await world.client.list_templates()}
        assert listed == {
            "jadwal": "APPROVED",
            "promo_ktp": "REJECTED",
            "celah": "REJECTED",
            "tanpa_contoh": "REJECTED",
        }
        assert (good.status, promo.status, gap.status, no_example.status) == (
            "APPROVED",
            "REJECTED",
            "REJECTED",
            "REJECTED",
        )
        with pytest.raises(RefusedError) as twice:
            await world.client.submit_template("jadwal", "id", "Jadwal {{1}}.", ["Senin"])
        assert twice.value.refusal.problem is WhatsAppProblem.BAD_REQUEST


async def test_the_pair_rate_refuses_a_burst_to_one_user_and_says_when_to_retry() -> None:
    async with whatsapp_world(limits=Limits(pair_burst=3)) as world:
        world.emulator.add_user(SARI, "Sari")
        world.emulator.user_text(SARI, "halo")
        for number in range(3):
            _sent(await world.client.send_text(SARI, f"pesan {number}"))
        refusal = _refused(await world.client.send_text(SARI, "satu lagi"))
        assert refusal.problem is WhatsAppProblem.RATE_LIMITED and refusal.code == 131056
        assert refusal.retryable and refusal.retry_after == 6.0
        world.clock.step(6)
        _sent(await world.client.send_text(SARI, "satu lagi"))
        stats = world.emulator.stats()
        assert stats["refused"] == 1 and stats["per_recipient_peak_one_second"] == 3


async def test_throughput_past_the_number_limit_is_refused_with_130429() -> None:
    async with whatsapp_world(limits=Limits(per_second=4)) as world:
        await _with_template(world)
        numbers = [f"62812000000{n:02d}" for n in range(5)]
        for number in numbers:
            world.emulator.add_user(number, "Warga")
        answers = [
            await world.client.send_template(n, "panggilan_rekam", "id", ["A", "B"])
            for n in numbers
        ]
        assert [isinstance(a, Sent) for a in answers] == [True] * 4 + [False]
        refusal = _refused(answers[-1])
        assert refusal.problem is WhatsAppProblem.RATE_LIMITED and refusal.code == 130429
        assert refusal.retryable
        world.clock.step(1)
        _sent(await world.client.send_template(numbers[-1], "panggilan_rekam", "id", ["A", "B"]))
        assert world.emulator.stats()["peak_one_second"] == 4


async def test_the_tier_fails_the_first_new_user_past_it_and_never_a_conversation_open() -> None:
    async with whatsapp_world(limits=Limits(tier=3)) as world:
        await _with_template(world)
        numbers = [f"62812000001{n:02d}" for n in range(5)]
        for number in numbers:
            world.emulator.add_user(number, "Warga")

        async def invite(number: str) -> list[str]:
            sent = _sent(
                await world.client.send_template(number, "panggilan_rekam", "id", ["A", "B"])
            )
            return [s.status for s in world.statuses(sent.message_id)]

        assert [await invite(n) for n in numbers[:3]] == [["sent", "delivered"]] * 3
        [failed] = world.statuses(
            _sent(
                await world.client.send_template(numbers[3], "panggilan_rekam", "id", ["A", "B"])
            ).message_id
        )
        assert failed.problem is not None
        assert failed.problem.problem is WhatsAppProblem.TIER_LIMIT and failed.problem.retryable
        assert await invite(numbers[0]) == ["sent", "delivered"]  # already reached today
        world.emulator.user_text(numbers[4], "halo")  # a user who wrote is never limited
        world.inbound()
        assert await invite(numbers[4]) == ["sent", "delivered"]
        assert world.emulator.stats()["unique_recipients_24h"] == 3
        world.clock.step(DAY + 1)
        assert await invite(numbers[3]) == ["sent", "delivered"]


async def test_a_wrong_token_is_an_auth_refusal_never_retried() -> None:
    async with whatsapp_world(token="EAA-wrong") as world:
        world.emulator.add_user(SARI, "Sari")
        refusal = _refused(await world.client.send_text(SARI, "Halo"))
        assert refusal.problem is WhatsAppProblem.AUTH and refusal.code == 190
        assert not refusal.retryable
        with pytest.raises(RefusedError) as refused:
            await world.client.list_templates()
        assert refused.value.refusal.problem is WhatsAppProblem.AUTH


async def test_a_502_and_a_timeout_are_server_refusals_worth_retrying() -> None:
    async with whatsapp_world(read_timeout=0.05) as world:
        world.emulator.add_user(SARI, "Sari")
        world.emulator.user_text(SARI, "halo")
        world.emulator.inject(Fault("messages", status=502))
        bad_gateway = _refused(await world.client.send_text(SARI, "Halo"))
        assert bad_gateway.problem is WhatsAppProblem.SERVER and bad_gateway.retryable
        world.emulator.inject(Fault("messages", status=None, delay=0.2))
        timeout = _refused(await world.client.send_text(SARI, "Halo"))
        assert timeout.problem is WhatsAppProblem.SERVER and timeout.retryable
        await world.emulator.until_accepted(1)  # the call it gave up on went through anyway
        _sent(await world.client.send_text(SARI, "Halo"))
        assert world.emulator.stats()["accepted"] == 2


@pytest.mark.parametrize(
    ("buttons", "code"),
    [
        ([("a", "A"), ("b", "B"), ("c", "C"), ("d", "D")], 131009),
        ([], 131009),
        ([("a", "x" * 21)], 100),
        ([("a", "A"), ("a", "B")], 131009),
        ([("i" * 257, "A")], 100),
        ([("a", "")], 131008),
    ],
)
async def test_reply_buttons_past_the_cloud_api_limits_are_refused(
    buttons: list[tuple[str, str]], code: int
) -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(SARI, "Sari")
        world.emulator.user_text(SARI, "halo")
        refusal = _refused(await world.client.send_buttons(SARI, "Pilih", buttons))
        assert refusal.problem is WhatsAppProblem.BAD_REQUEST and refusal.code == code
        assert not refusal.retryable
        assert world.emulator.stats()["accepted"] == 0


def _rows(count: int, title: str = "Baris") -> list[Row]:
    return [Row(f"r{n}", title) for n in range(count)]


@pytest.mark.parametrize(
    ("sections", "code"),
    [
        ([Section("Pagi", _rows(6)), Section("Siang", _rows(5))], 131009),  # 11 rows in all
        ([Section("", _rows(1, "x" * 25))], 100),
        ([Section(f"S{n}", [Row(f"r{n}", "x")]) for n in range(11)], 131009),
        ([Section("Pagi", [Row("r", "a", "d" * 73)])], 100),
    ],
)
async def test_lists_past_the_cloud_api_limits_are_refused(
    sections: list[Section], code: int
) -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(SARI, "Sari")
        world.emulator.user_text(SARI, "halo")
        refusal = _refused(await world.client.send_list(SARI, "Pilih jam", "Jam", sections))
        assert refusal.problem is WhatsAppProblem.BAD_REQUEST and refusal.code == code


async def test_a_list_within_the_limits_goes_and_its_pick_comes_back() -> None:
    async with whatsapp_world() as world:
        world.emulator.add_user(BUDI, "Budi")
        world.emulator.user_text(BUDI, "jadwal")
        world.inbound()
        sections = [Section("Pagi", _rows(5)), Section("Siang", [Row("s1", "13.00", "Aula")])]
        sent = _sent(await world.client.send_list(BUDI, "Pilih jam", "Jam", sections))
        assert sent.wa_id == BUDI_ID
        world.emulator.pick(BUDI_ID, sent.message_id, "s1")
        replies = [item for item in world.inbound() if not hasattr(item, "status")]
        assert [(r.list_id, r.context_id) for r in replies] == [("s1", sent.message_id)]
