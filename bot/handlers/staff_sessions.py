"""Staff moving or cancelling a session in Telegram: pick the session, see how many teens it
affects, give the new day and hours (or confirm the cancellation), and everyone is told."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.kinds import SessionState
from bot.domain.steps import Step
from bot.handlers.access import Member, guarded
from bot.handlers.replies import typed_when, when_example
from bot.i18n import format_day, format_hours
from bot.presentation import keyboards
from bot.presentation import schedule as schedule_views
from bot.presentation.buttons import (
    SESSIONS,
    AddSeats,
    ApplyCancel,
    ApplyMove,
    CancelSession,
    DropChange,
    MoveSession,
    NewSession,
    ShowSession,
)
from bot.presentation.texts import shorten
from bot.services import conversations, schedule, staff
from bot.services.conversations import Conversation
from bot.services.outbox import Reach
from bot.services.schedule import Change


def _label(context: BotContext, starts_at: datetime, ends_at: datetime, place: str) -> str:
    zone, language = context.office.zone, context.language
    day = format_day(starts_at.astimezone(zone).date(), language)
    return f"{day} {format_hours(starts_at, ends_at, language, zone)} · {place}"


@guarded("sessions")
async def list_sessions(update: Update, context: BotContext, member: Member) -> None:
    """The open sessions ahead, one button each."""
    assert update.effective_chat
    if update.callback_query:
        await update.callback_query.answer()
    async with context.session() as session:
        found = await staff.sessions_between(session, context.clock.now(), context.office.deadline)
    rows = [
        [
            InlineKeyboardButton(
                shorten(_label(context, s.starts_at, s.ends_at, s.place)),
                callback_data=SESSIONS.encode(ShowSession(s.id)),
            )
        ]
        for s in found
        if s.state == SessionState.OPEN
    ][:90]
    _ = context.gettext
    rows.insert(
        0, [InlineKeyboardButton(_("➕ Jadwal baru"), callback_data=SESSIONS.encode(NewSession()))]
    )
    await update.effective_chat.send_message(
        _("Pilih jadwal:") if len(rows) > 1 else _("Tidak ada jadwal yang akan datang."),
        reply_markup=InlineKeyboardMarkup(rows),
    )


@guarded("sessions")
async def show_session(update: Update, context: BotContext, member: Member) -> None:
    """One session: how many are expected, and the two things staff can do to it."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    session_id = SESSIONS.read(query.data, ShowSession).session_id
    _ = context.gettext
    async with context.session() as session:
        found = await staff.open_session(session, session_id)
        count = await schedule.affected_count(session, session_id)
    await query.answer()
    if found is None:
        await update.effective_chat.send_message(_("Jadwal ini sudah tidak ada."))
        return
    await update.effective_chat.send_message(
        _("{session}\n{count} remaja dipanggil ke jadwal ini.").format(
            session=_label(context, found.starts_at, found.ends_at, found.place), count=count
        ),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("🕒 Pindah ke hari/jam lain"),
                        callback_data=SESSIONS.encode(MoveSession(session_id)),
                    )
                ],
                [
                    InlineKeyboardButton(
                        _("➕ Tambah tempat"), callback_data=SESSIONS.encode(AddSeats(session_id))
                    )
                ],
                [
                    InlineKeyboardButton(
                        _("✖️ Batalkan jadwal"),
                        callback_data=SESSIONS.encode(CancelSession(session_id)),
                    )
                ],
            ]
        ),
    )


@guarded("sessions")
async def ask_new_time(update: Update, context: BotContext, member: Member) -> None:
    """Moving: ask for the new day and hours."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    await query.answer()
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.go(
            session,
            convo.account_id,
            Step.SESSION_MOVE,
            session_id=SESSIONS.read(query.data, MoveSession).session_id,
        )
    _ = context.gettext
    await update.effective_chat.send_message(
        _("Tulis tanggal dan jam baru ({example}). Ketik /staf untuk batal.").format(
            example=when_example(context, _, seats=False)
        )
    )


@guarded("sessions")
async def confirm_move(update: Update, context: BotContext, member: Member) -> None:
    """The typed new time: check it, then ask for confirmation with the count."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    checked = typed_when(context, message.text, context.office.deadline, seats=False)
    if isinstance(checked, str) or checked[2]:  # the question stays open: retype
        await message.reply_text(
            checked
            if isinstance(checked, str)
            else _("Tulis tanggal dan jam saja ({example}).").format(
                example=when_example(context, _, seats=False)
            )
        )
        return
    parsed = checked[:2]
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is None or convo.step != Step.SESSION_MOVE:
            return  # the step changed under us (another command): nothing to confirm
        session_id = int(convo.data["session_id"])
        reach = await schedule.preview(session, session_id)
        await conversations.go(
            session,
            convo.account_id,
            Step.SESSION_MOVE_CONFIRM,
            after=convo.step,
            session_id=session_id,
            starts=parsed[0].isoformat(),
            ends=parsed[1].isoformat(),
        )
    await message.reply_text(
        _("Pindahkan jadwal ke {when}?").format(
            when=_label(context, parsed[0], parsed[1], "").rstrip(" ·")
        )
        + "\n"
        + schedule_views.ahead(reach, _, context.language),
        reply_markup=keyboards.confirm(
            _, _("✅ Ya, pindahkan"), SESSIONS.encode(ApplyMove()), SESSIONS.encode(DropChange())
        ),
    )


async def type_new_time(update: Update, context: BotContext, convo: Conversation) -> None:
    """The new time typed (its sender's role is checked again by `confirm_move`)."""
    await confirm_move(update, context)


@guarded("sessions")
async def ask_cancel(update: Update, context: BotContext, member: Member) -> None:
    """Cancelling: confirm first, with the count."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    session_id = SESSIONS.read(query.data, CancelSession).session_id
    async with context.session() as session:
        reach = await schedule.preview(session, session_id)
    await query.answer()
    _ = context.gettext
    await update.effective_chat.send_message(
        _("Batalkan jadwal ini? Remaja yang dipanggil ke sini ditawari jadwal lain.")
        + "\n"
        + schedule_views.ahead(reach, _, context.language),
        reply_markup=keyboards.confirm(
            _,
            _("✖️ Ya, batalkan"),
            SESSIONS.encode(ApplyCancel(session_id)),
            SESSIONS.encode(DropChange()),
        ),
    )


@guarded("sessions")
async def apply_change(update: Update, context: BotContext, member: Member) -> None:
    """The confirmation button: move or cancel, and say who was told and who was not."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    _ = context.gettext
    outcome, reach = Change.GONE, Reach()
    pressed = SESSIONS.decode(query.data)
    now = context.clock.now()
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.end(session, convo.account_id)
        if isinstance(pressed, ApplyMove) and convo.step == Step.SESSION_MOVE_CONFIRM:
            outcome, reach = await schedule.move(
                session,
                int(convo.data["session_id"]),
                starts_at=datetime.fromisoformat(str(convo.data["starts"])),
                ends_at=datetime.fromisoformat(str(convo.data["ends"])),
                now=now,
                deadline=context.office.deadline,
                policy=context.office.policy,
                by=member.telegram_id,
            )
        elif isinstance(pressed, ApplyCancel):
            outcome, reach = await schedule.cancel(
                session,
                pressed.session_id,
                now=now,
                deadline=context.office.deadline,
                by=member.telegram_id,
            )
    await query.answer()
    await query.edit_message_reply_markup(None)
    if isinstance(pressed, DropChange):
        text = _("Tidak ada yang diubah.")
    elif outcome == Change.DONE:
        text = _("✅ Selesai.") + "\n" + schedule_views.reached(reach, _, context.language)
    else:  # the schedule service's reason, as the dashboard says it
        text = schedule_views.refusal(
            outcome, _, context.language, context.office.deadline, context.office.zone
        )
    await update.effective_chat.send_message(text)
