"""Staff broadcast in Telegram: choose who (a session, a kelurahan, a school, everyone
pending), type the text, see a preview with how many will receive it, then confirm."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.db.models import Region, School, Staff
from bot.domain.kinds import Audience, Channel
from bot.handlers.staff import guarded, now
from bot.i18n import Gettext, format_day, format_hours
from bot.services import accounts, broadcasts, staff

_MAX_BUTTONS = 90


def _audience_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_("Semua yang belum merekam"), callback_data="bc:all")],
            [InlineKeyboardButton(_("Peserta satu jadwal"), callback_data="bc:pick:session")],
            [InlineKeyboardButton(_("Satu kelurahan"), callback_data="bc:pick:kelurahan")],
            [InlineKeyboardButton(_("Satu sekolah"), callback_data="bc:pick:school")],
        ]
    )


@guarded("broadcast")
async def choose_audience(update: Update, context: BotContext, member: Staff) -> None:
    """Step 1: who should receive it."""
    assert update.effective_chat
    if update.callback_query:
        await update.callback_query.answer()
    await update.effective_chat.send_message(
        context.gettext("Siaran untuk siapa?"), reply_markup=_audience_keyboard(context.gettext)
    )


async def _choices(context: BotContext, kind: str) -> list[tuple[str, str]]:
    """(label, callback data) of every session ahead, kelurahan or school."""
    zone, language = context.settings.zone, context.language
    async with context.session() as session:
        if kind == "session":
            start = now() - timedelta(hours=12)
            found = await staff.sessions_between(session, start, start + timedelta(days=60))
            return [
                (
                    f"{format_day(s.starts_at.astimezone(zone).date(), language)} "
                    f"{format_hours(s.starts_at, s.ends_at, language, zone)} · {s.place}",
                    f"bc:s:{s.id}",
                )
                for s in found
                if s.state == "open"
            ]
        if kind == "kelurahan":
            rows = await session.execute(
                select(Region.id, Region.kelurahan)
                .where(Region.kelurahan != "")
                .order_by(Region.kelurahan)
            )
            return [(name, f"bc:k:{region_id}") for region_id, name in rows]
        rows = await session.execute(select(School.id, School.name).order_by(School.name))
        return [(name, f"bc:c:{school_id}") for school_id, name in rows]


@guarded("broadcast")
async def pick_value(update: Update, context: BotContext, member: Staff) -> None:
    """Step 1b: which session, kelurahan or school."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    await query.answer()
    choices = await _choices(context, query.data.removeprefix("bc:pick:"))
    _ = context.gettext
    if not choices:
        await update.effective_chat.send_message(_("Belum ada pilihan untuk itu."))
        return
    keyboard = [
        [InlineKeyboardButton(label[:60], callback_data=data)]
        for label, data in choices[:_MAX_BUTTONS]
    ]
    await update.effective_chat.send_message(
        _("Pilih salah satu:"), reply_markup=InlineKeyboardMarkup(keyboard)
    )


async def _audience_of(context: BotContext, data: str) -> tuple[Audience, str | None] | None:
    """The audience a button names, with the value the broadcast service matches on."""
    if data == "bc:all":
        return Audience.ALL_PENDING, None
    kind, _, number = data.removeprefix("bc:").partition(":")
    if not number.isdigit():
        return None
    async with context.session() as session:
        if kind == "s":
            return Audience.SESSION, number
        if kind == "k":
            region = await session.get(Region, int(number))
            return (Audience.KELURAHAN, region.kelurahan) if region else None
        if kind == "c":
            school = await session.get(School, int(number))
            return (Audience.SCHOOL, school.name) if school else None
    return None


@guarded("broadcast")
async def ask_text(update: Update, context: BotContext, member: Staff) -> None:
    """Step 2: the audience is known; ask for the message."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    _ = context.gettext
    audience = await _audience_of(context, query.data)
    if audience is None:
        await query.answer(_("Tombol ini sudah tidak berlaku."))
        return
    await query.answer()
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        accounts.set_step(account, "broadcast_text", audience=audience[0].value, value=audience[1])
    await update.effective_chat.send_message(
        _("Tulis pesan siaran (paling banyak {limit} karakter). Ketik /staf untuk batal.").format(
            limit=broadcasts.MAX_TEXT
        )
    )


@guarded("broadcast")
async def preview(update: Update, context: BotContext, member: Staff) -> None:
    """Step 3: the typed text as it will be read, and how many will receive it."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    if len(message.text) > broadcasts.MAX_TEXT:
        await message.reply_text(
            _("Pesan terlalu panjang ({length} karakter; paling banyak {limit}).").format(
                length=len(message.text), limit=broadcasts.MAX_TEXT
            )
        )
        return
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        data = accounts.step_data(account)
        audience = Audience(data["audience"])
        who = await broadcasts.recipients(session, audience, data.get("value"))
        accounts.set_step(
            account,
            "broadcast_confirm",
            audience=audience.value,
            value=data.get("value"),
            text=message.text,
        )
    header = _("📢 Pesan dari {office}:").format(office=context.settings.office_name)
    await message.reply_text(
        _("Pratinjau:")
        + f"\n\n{header}\n\n{message.text}\n\n"
        + _("Akan dikirim ke {count} orang.").format(count=len(who)),
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(_("📢 Kirim sekarang"), callback_data="bc:send")],
                [InlineKeyboardButton(_("Batal"), callback_data="bc:drop")],
            ]
        ),
    )


@guarded("broadcast")
async def confirm(update: Update, context: BotContext, member: Staff) -> None:
    """Step 4: send (queue) it, or drop it."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        data = (
            accounts.step_data(account)
            if accounts.step_of(account) == "broadcast_confirm"
            else None
        )
        accounts.clear_step(account)
        sent = None
        if data is not None and query.data == "bc:send":
            sent = await broadcasts.send(
                session,
                audience=Audience(data["audience"]),
                value=data.get("value"),
                text=data["text"],
                by=member.telegram_id,
                channel=Channel.TELEGRAM,
                now=now(),
            )
    await query.answer()
    if data is None:
        text = _("Siaran ini sudah dikirim atau dibatalkan.")
    elif sent is None:
        text = _("Siaran dibatalkan.")
    else:
        text = _("✅ Siaran diantrekan untuk {count} orang.").format(count=sent.recipients)
    await query.edit_message_reply_markup(None)
    assert update.effective_chat
    await update.effective_chat.send_message(text)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("siaran", choose_audience, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(choose_audience, pattern=r"^st:broadcast$"))
    app.add_handler(
        CallbackQueryHandler(pick_value, pattern=r"^bc:pick:(session|kelurahan|school)$")
    )
    app.add_handler(CallbackQueryHandler(confirm, pattern=r"^bc:(send|drop)$"))
    app.add_handler(CallbackQueryHandler(ask_text, pattern=r"^bc:(all|[skc]:\d{1,10})$"))
