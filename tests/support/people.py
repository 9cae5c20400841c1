"""People who talk to the bot in tests: staff, teens, parents, and the words they meet."""

from __future__ import annotations

from datetime import date

from bot.db.models import (
    ServiceSession,
    Target,
)
from bot.domain.kinds import (
    Channel,
)
from bot.emulator import UserClient
from bot.presentation.menu import command_like
from bot.services import staff
from tests.support import factories
from tests.support.harness import (
    BotHarness,
    onboard,
    until,
    until_phone_question,
)


async def linked(bot: BotHarness, target: Target, name: str = "Rina") -> UserClient:
    teen = bot.user(name)
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(target.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    return teen


PARENT_SUMMONS = "📣 Panggilan perekaman KTP-el untuk anak Anda, "


async def new_parent(bot: BotHarness, name: str = "Ibu Sri") -> UserClient:
    parent = bot.user(name)
    await onboard(parent, role="👪")
    return parent


async def link_with_code(parent: UserClient, target: Target) -> str:
    """/ortu CODE (the teen's parent code, else the letter's), then the child's birth date;
    returns the first reply to the date."""
    parent.send(f"/ortu {target.parent_code or target.invite_code}")
    await parent.next_message()
    parent.send(target.birth_date.strftime("%d-%m-%Y"))
    return (await parent.next_message()).text


NEUTRAL_INVITE = "Maaf, kode undangan atau tanggal lahir tidak cocok."


REVIEW = "Terima kasih. Data Anda kami teruskan ke petugas untuk diperiksa"


def dmy(day: date) -> str:
    return day.strftime("%d-%m-%Y")


async def begin_daftar(teen: UserClient) -> None:
    """/daftar up to the NIK question, consenting."""
    teen.send("/daftar")
    assert "Apakah Anda setuju?" in (await teen.next_message()).text
    teen.press("✅")
    assert "Tulis NIK Anda" in (await teen.next_message()).text


async def register(
    teen: UserClient, *, nik: str, born: date, name: str, preference: str = "Akhir pekan"
) -> list[str]:
    """Walk /daftar; returns what the bot said after the last answer."""
    await begin_daftar(teen)
    teen.send(nik)
    assert "tanggal lahir" in (await teen.next_message()).text
    teen.send(dmy(born))
    reply = await teen.next_message()
    if "nama lengkap" not in reply.text:
        return [reply.text]
    teen.send(name)
    assert "Kapan Anda paling mudah datang?" in (await teen.next_message()).text
    teen.press(preference)
    return [(await teen.next_message()).text]


UNKNOWN = "Maaf, perintah itu tidak saya kenal. Ketik /bantuan untuk daftar perintah."


def unknown(command: str) -> str:
    """What a command that does not exist gets: a near miss of everyone's commands is named."""
    meant = command_like(command)
    return (
        UNKNOWN if meant is None else f"Maksud Anda /{meant}? Ketik /bantuan untuk daftar perintah."
    )


async def staff_member(
    bot: BotHarness, name: str = "Petugas", *, admin: bool = False
) -> UserClient:
    person = bot.user(name)
    async with bot.db.session() as session:
        await staff.add(session, person.id, admin=admin, by=None, channel=Channel.CLI)
    return person


async def said(person: UserClient, text: str) -> str:
    person.send(text)
    return (await person.next_message()).text


async def teens_at(
    bot: BotHarness, *names: str, session: ServiceSession
) -> list[tuple[Target, UserClient]]:
    found = []
    for serial, name in enumerate(names, start=1):
        target = await factories.add_target(
            bot.db, bot.settings, name=f"{name} Uji", serial=serial, code=f"{name.upper()[:4]}2345"
        )
        await factories.summon(bot.db, bot.settings, target, session)
        found.append((target, await linked_teen(bot, target, name)))
    return found


STALE = "Tombol ini sudah tidak berlaku. Ketik /jadwal untuk jadwal terbaru."


async def linked_teen(
    bot: BotHarness, target: Target, first_name: str = "Rina", language: str | None = None
) -> UserClient:
    """A teen who opened their invitation and skipped the phone question."""
    teen = bot.user(first_name)
    if language:
        teen.send("/start")
        await teen.next_message()
        teen.press({"en": "English", "jv": "Basa Jawa"}[language])
        await teen.next_message()  # the welcome, in that language
    teen.send(f"/start {target.invite_code}")
    await teen.next_message()
    teen.send(target.birth_date.strftime("%d-%m-%Y"))
    await until_phone_question(teen)
    teen.send("Lewati")
    await teen.next_message()
    return teen


def summons_message(teen: UserClient):  # type: ignore[no-untyped-def]
    return next(m for m in reversed(teen.messages) if m.text.startswith("📣"))


ERASED = "Data Anda sudah dihapus"


async def erase(person: UserClient) -> None:
    """/hapus, confirmed, until the bot says it is done (its message is edited)."""
    person.send("/hapus")
    asked = await person.next_message()
    await person.answer(person.press("🗑", message=asked))

    async def done() -> bool:
        return person.message(asked.message_id).text.startswith(ERASED)

    await until(done)
