"""Staff broadcast in Telegram: choose who (a session, a kelurahan, a school, everyone
pending), type the text, see a preview with how many will receive it, then confirm."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.kinds import Audience, Channel, SessionState
from bot.domain.steps import Step
from bot.handlers.access import Member, guarded
from bot.i18n import Gettext, format_day, format_hours
from bot.presentation import broadcasts as said
from bot.presentation import buttons, keyboards
from bot.presentation.outbox import broadcast_text
from bot.presentation.texts import STALE_BUTTON, shorten
from bot.services import broadcasts, conversations, staff
from bot.services.conversations import Conversation

MAX_BUTTONS = 90
_BY_LETTER = {"s": Audience.SESSION, "k": Audience.KELURAHAN, "c": Audience.SCHOOL}


def _pick(kind: Literal["session", "kelurahan", "school"]) -> str:
    return buttons.BROADCAST.encode(buttons.PickAudience(kind))


def _chosen(kind: Literal["s", "k", "c"], value_id: int) -> str:
    return buttons.BROADCAST.encode(buttons.AudienceChoice(kind, value_id))


def _send(choice: Literal["send", "drop"]) -> str:
    return buttons.BROADCAST.encode(buttons.SendBroadcast(choice))


def _audience_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Semua yang belum merekam"),
                    callback_data=buttons.BROADCAST.encode(buttons.Everyone()),
                )
            ],
            [InlineKeyboardButton(_("Peserta satu jadwal"), callback_data=_pick("session"))],
            [InlineKeyboardButton(_("Satu kelurahan"), callback_data=_pick("kelurahan"))],
            [InlineKeyboardButton(_("Satu sekolah"), callback_data=_pick("school"))],
        ]
    )


@guarded("broadcast")
async def choose_audience(update: Update, context: BotContext, member: Member) -> None:
    """Step 1: who should receive it."""
    assert update.effective_chat
    if update.callback_query:
        await update.callback_query.answer()
    await update.effective_chat.send_message(
        context.gettext("Siaran untuk siapa?"), reply_markup=_audience_keyboard(context.gettext)
    )


async def _choices(context: BotContext, kind: str) -> list[tuple[str, str]]:
    """(label, callback data) of every session ahead, kelurahan or school."""
    zone, language = context.office.zone, context.language
    async with context.session() as session:
        if kind == "session":
            start = context.clock.now() - timedelta(hours=12)
            found = await staff.sessions_between(session, start, start + timedelta(days=60))
            return [
                (
                    f"{format_day(s.starts_at.astimezone(zone).date(), language)} "
                    f"{format_hours(s.starts_at, s.ends_at, language, zone)} · {s.place}",
                    _chosen("s", s.id),
                )
                for s in found
                if s.state == SessionState.OPEN
            ]
        if kind == "kelurahan":
            return [
                (c.name, _chosen("k", c.id)) for c in await broadcasts.kelurahan_choices(session)
            ]
        return [(c.name, _chosen("c", c.id)) for c in await broadcasts.school_choices(session)]


@guarded("broadcast")
async def pick_value(update: Update, context: BotContext, member: Member) -> None:
    """Step 1b: which session, kelurahan or school."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    await query.answer()
    choices = await _choices(context, buttons.BROADCAST.read(query.data, buttons.PickAudience).kind)
    _ = context.gettext
    if not choices:
        await update.effective_chat.send_message(_("Belum ada pilihan untuk itu."))
        return
    keyboard = [
        [InlineKeyboardButton(shorten(label), callback_data=data)]
        for label, data in choices[:MAX_BUTTONS]
    ]
    await update.effective_chat.send_message(
        _("Pilih salah satu:"), reply_markup=InlineKeyboardMarkup(keyboard)
    )


@guarded("broadcast")
async def ask_text(update: Update, context: BotContext, member: Member) -> None:
    """Step 2: the audience is known; ask for the message."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    _ = context.gettext
    pressed = buttons.BROADCAST.decode(query.data)
    chosen = pressed if isinstance(pressed, buttons.AudienceChoice) else None
    audience = _BY_LETTER[chosen.kind] if chosen else Audience.ALL_PENDING
    async with context.session() as session:
        value = (
            await broadcasts.audience_value(session, audience, chosen.value_id) if chosen else None
        )
        if audience == Audience.ALL_PENDING or value is not None:
            convo = await conversations.ensure(session, update.effective_user.id, context.language)
            await conversations.go(
                session, convo.account_id, Step.BROADCAST_TEXT, audience=audience.value, value=value
            )
    if audience != Audience.ALL_PENDING and value is None:
        await query.answer(_(STALE_BUTTON))
        return
    await query.answer()
    await update.effective_chat.send_message(
        _("Tulis pesan siaran (paling banyak {limit} karakter). Ketik /staf untuk batal.").format(
            limit=broadcasts.MAX_TEXT
        )
    )


@guarded("broadcast")
async def preview(update: Update, context: BotContext, member: Member) -> None:
    """Step 3: the typed text as it will be read, and how many will receive it; or the
    service's refusal (too long: type it again; nobody to reach: nothing to send)."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _, language = context.gettext, context.language
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is None or convo.step != Step.BROADCAST_TEXT:
            return  # the step changed under us (another command): nothing to preview
        audience = Audience(convo.data["audience"])
        judged = await broadcasts.judge(
            session,
            audience=audience,
            value=convo.data.get("value"),
            text=message.text,
            office=context.settings.office_name,
        )
        if judged.refused == broadcasts.Refusal.NOBODY:
            await conversations.end(session, convo.account_id)
        elif judged.refused is None:
            await conversations.go(
                session,
                convo.account_id,
                Step.BROADCAST_CONFIRM,
                after=convo.step,
                audience=audience.value,
                value=convo.data.get("value"),
                text=message.text,
            )
    if judged.refused is not None:
        await message.reply_text(said.refusal(judged, _, language))
        return
    assert judged.reach is not None
    shown = broadcast_text(_, context.settings.office_name, message.text)
    await message.reply_text(
        _("Pesan akan terlihat seperti ini:")
        + f"\n\n{shown}\n\n"
        + said.will_reach(judged, _, language, context.settings),
        reply_markup=keyboards.confirm(_, _("📢 Kirim sekarang"), _send("send"), _send("drop")),
    )


async def type_broadcast(update: Update, context: BotContext, convo: Conversation) -> None:
    """The text typed for a broadcast (its sender's role is checked again by `preview`)."""
    await preview(update, context)


@guarded("broadcast")
async def confirm(update: Update, context: BotContext, member: Member) -> None:
    """Step 4: send (queue) it, or drop it."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    sent = None
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        waiting = convo.step == Step.BROADCAST_CONFIRM
        await conversations.end(session, convo.account_id)
        if waiting and buttons.BROADCAST.decode(query.data) == buttons.SendBroadcast("send"):
            sent = await broadcasts.send(
                session,
                audience=Audience(convo.data["audience"]),
                value=convo.data.get("value"),
                text=str(convo.data["text"]),
                office=context.settings.office_name,
                by=member.telegram_id,
                channel=Channel.TELEGRAM,
                now=context.clock.now(),
            )
    await query.answer()
    if not waiting:
        text = _("Siaran ini sudah dikirim atau dibatalkan.")
    elif sent is None:
        text = _("Siaran dibatalkan.")
    elif sent.refused is not None:
        text = said.refusal(sent, _, context.language)
    else:
        text = said.sending(sent, _, context.language)
    await query.edit_message_reply_markup(None)
    assert update.effective_chat
    await update.effective_chat.send_message(text)
