"""`rekam demo` beyond Telegram: :wa plays Sekar, who has only WhatsApp, and :sms her father, who
has only SMS. Her summons reaches her as WhatsApp's template and him by SMS; her answer goes
through the WhatsApp emulator's signed webhook to the public listener and the real services;
his phone gets the echo. Played as a newcomer types it; the numbers and names are made up."""

from __future__ import annotations

import io
import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from bot.db.models import Event, Summons, Target
from bot.demo.chat import run_demo
from bot.demo.phones import Arrived, WhatsAppPhone, shown_lines
from bot.demo.seed import PHONE_TEEN, PHONE_TEEN_NAME
from bot.domain.kinds import Channel, SummonsState
from bot.emulator.whatsapp import WhatsAppEmulator
from bot.i18n import Catalogs
from tests.support.harness import until

SCRIPT = [
    ":wa",
    "maaf ini apa?",  # words nobody understood: help, with the reply buttons
    "ya",  # the id of a button on the newest message: pressed
    ":sms",
    "siapa ini",
    "BERHENTI",
    ":nope",
    ":quit",
]


async def _state_of_sekar(folder: Path) -> tuple[SummonsState, list[Channel]]:
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder / 'demo.db'}")
    try:
        async with engine.connect() as connection:
            sekar = select(Target.id).where(Target.name == PHONE_TEEN_NAME).scalar_subquery()
            state = await connection.scalar(select(Summons.state).where(Summons.target_id == sekar))
            channels = await connection.scalars(
                select(Event.channel).where(
                    Event.kind == "summons_confirm", Event.target_id == sekar
                )
            )
            return SummonsState(state), list(channels)
    finally:
        await engine.dispose()


async def test_sekar_answers_on_whatsapp_and_her_father_reads_it_by_sms(tmp_path: Path) -> None:
    out = io.StringIO()
    await run_demo(lines=iter(SCRIPT), out=out, folder=tmp_path)
    shown = out.getvalue()
    banner, _, played = shown.partition("\n[remaja] > :wa\n")
    assert ":wa adalah Sekar Permata, yang hanya punya WhatsApp (+6281200000011)" in banner
    # Before the first line: her summons as WhatsApp's template, his by SMS, labelled.
    assert "[Sekar, remaja, WhatsApp] 🤖 Panggilan perekaman KTP-el untuk Sekar Permata:" in banner
    assert "   (templat WhatsApp rekam_panggilan)\n" in banner
    assert "[Bapak Hadi, orang tua, SMS] 🤖 Panggilan perekaman KTP-el untuk Sekar Permata:" in (
        banner
    )
    assert "— Sekarang Anda berperan sebagai remaja, WhatsApp. —" in played

    # Unclear words get help with the buttons, listed with their ids.
    helped = played.split("[remaja, WhatsApp] > maaf ini apa?\n", 1)[1]
    assert helped.startswith("🤖 Balas YA jika datang, TIDAK jika tidak bisa")
    # BERHENTI on WhatsApp withdraws her yes to WhatsApp: the help says so, not "SMS".
    assert "berhenti menerima pesan WhatsApp dari kantor Dukcapil." in helped.split("\n", 1)[0]
    assert "   [ya] ✅ Datang\n   [tidak] ❌ Tidak bisa\n   [ganti] 🔁 Ganti jadwal\n" in helped

    # "ya" pressed the button: her confirmation, and the echo on her father's phone.
    answered = played.split("[remaja, WhatsApp] > ya\n", 1)[1].split("[remaja, WhatsApp] > ", 1)[0]
    assert "🤖 Terima kasih. Tercatat: Sekar Permata akan datang" in answered
    assert (
        "[Bapak Hadi, orang tua, SMS] 🤖 Jawaban untuk panggilan perekaman KTP-el Sekar Permata: "
        "akan datang." in answered
    )

    # Her father texts: unclear words get the SMS help, BERHENTI stops his SMS.
    assert re.search(r"\[orang tua, SMS\] > siapa ini\n🤖 Balas YA jika datang", played)
    assert re.search(r"\[orang tua, SMS\] > BERHENTI\n🤖 SMS dari kantor .* dihentikan", played)
    # A command the demo does not know gets the list of them, not silence.
    assert (
        "[orang tua, SMS] > :nope\nPerintah demo: :teen, :parent, :staff, :wa, :sms, :quit\n"
        in played
    )

    # The office's records: confirmed, by her WhatsApp answer.
    async def confirmed() -> bool:
        return (await _state_of_sekar(tmp_path))[0] == SummonsState.CONFIRMED

    await until(confirmed, what="Sekar's summons confirmed")
    assert (await _state_of_sekar(tmp_path))[1] == [Channel.WHATSAPP]


async def test_a_whatsapp_button_is_pressed_by_its_id_or_its_number() -> None:
    emulator = WhatsAppEmulator()
    emulator.add_user(PHONE_TEEN)
    emulator.user_text(PHONE_TEEN, "halo")  # the window is open: buttons may be sent
    buttons = [("ya", "✅ Datang"), ("tidak", "❌ Tidak bisa")]
    emulator.send(
        {
            "messaging_product": "whatsapp",
            "to": PHONE_TEEN,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Datang?"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": i, "title": t}} for i, t in buttons
                    ]
                },
            },
        }
    )
    sekar = WhatsAppPhone(emulator, PHONE_TEEN, "Sekar")
    (arrived,) = sekar.arrivals()
    assert arrived == Arrived("Datang?", tuple(buttons))
    assert sekar.arrivals() == [] and not sekar.has_new()
    _ = Catalogs().gettext("id")
    assert shown_lines(arrived, _) == ["Datang?", "[ya] ✅ Datang", "[tidak] ❌ Tidak bisa"]
    emulator.take_events()
    sekar.say("YA")  # a button's id, in any case: pressed
    sekar.say("mungkin")  # not a button's id: text
    assert sekar.press(2) and not sekar.press(3)
    sent = [
        event["entry"][0]["changes"][0]["value"]["messages"][0] for event in _messages(emulator)
    ]
    assert [m["type"] for m in sent] == ["interactive", "text", "interactive"]
    assert [m["interactive"]["button_reply"]["id"] for m in (sent[0], sent[2])] == ["ya", "tidak"]


def _messages(emulator: WhatsAppEmulator) -> list[dict[str, object]]:
    return [
        event
        for event in emulator.take_events()
        if "messages" in event["entry"][0]["changes"][0]["value"]
    ]
