"""Staff and home visits in Telegram: the queue (/kunjungan, or 🏠 in the menu), picking one
request or a round of several and typing the day and hours, and what happened at the door."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.kinds import Channel, HomeVisitState
from bot.domain.steps import Step
from bot.handlers.access import Member, guarded
from bot.handlers.replies import typed_when, when_example
from bot.i18n import Gettext
from bot.presentation import home_visits as views
from bot.presentation.buttons import HOME_VISITS, PickVisit, VisitOutcome
from bot.services import conversations, home_visits
from bot.services.conversations import Conversation
from bot.services.home_visits import WRONG_HOURS, Request

# Why a visit did not record the teen, as the buttons say it (kept in the event).
_NOT_RECORDED = {"away": "not_at_home", "fail": "could_not_record"}
_SHOWN = 30  # entries per /kunjungan: a chat is no place for a long list (the CLI exports it)


def _buttons(request: Request, _: Gettext) -> InlineKeyboardMarkup:
    if request.state == HomeVisitState.REQUESTED:
        return InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("🗓️ Jadwalkan"), callback_data=HOME_VISITS.encode(PickVisit(request.id))
                    )
                ]
            ]
        )
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("✅ Sudah direkam"),
                    callback_data=HOME_VISITS.encode(VisitOutcome(request.id, "rec")),
                )
            ],
            [
                InlineKeyboardButton(
                    _("🚪 Tidak di rumah"),
                    callback_data=HOME_VISITS.encode(VisitOutcome(request.id, "away")),
                )
            ],
            [
                InlineKeyboardButton(
                    _("⚠️ Tidak bisa direkam"),
                    callback_data=HOME_VISITS.encode(VisitOutcome(request.id, "fail")),
                )
            ],
        ]
    )


@guarded("home_visits")
async def show_queue(update: Update, context: BotContext, member: Member) -> None:
    """Waiting requests oldest first, then scheduled visits, each with what staff can do."""
    assert update.effective_chat
    if update.callback_query:
        await update.callback_query.answer()
    _ = context.gettext
    async with context.session() as session:
        found = await home_visits.queue(session)
    if not found:
        await update.effective_chat.send_message(_("Tidak ada permintaan kunjungan rumah."))
        return
    waiting = sum(1 for r in found if r.state == HomeVisitState.REQUESTED)
    await update.effective_chat.send_message(
        _("Kunjungan rumah: {waiting} menunggu jadwal, {planned} terjadwal.").format(
            waiting=waiting, planned=len(found) - waiting
        )
    )
    for request in found[:_SHOWN]:
        await update.effective_chat.send_message(
            views.entry(request, _, context.language, context.office.zone),
            reply_markup=_buttons(request, _),
        )


@guarded("home_visits")
async def pick_request(update: Update, context: BotContext, member: Member) -> None:
    """🗓️ on a waiting request: chosen for the next visit (a round, if pressed on several),
    then the day and hours are asked."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    visit_id = HOME_VISITS.read(query.data, PickVisit).visit_id
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        chosen = [int(i) for i in convo.data.get("visits", [])]
        if convo.step != Step.HOME_VISIT_TIME:
            chosen = []
        if visit_id not in chosen:
            chosen.append(visit_id)
        await conversations.go(session, convo.account_id, Step.HOME_VISIT_TIME, visits=chosen)
        names = [r.name for r in [await home_visits.request_of(session, i) for i in chosen] if r]
    await query.answer()
    _ = context.gettext
    await update.effective_chat.send_message(
        _(
            "Dipilih: {names}.\nTulis tanggal dan jam kunjungan ({example}). Untuk satu "
            "putaran, tekan dulu 🗓️ pada permintaan lain di kecamatan yang sama. Ketik /batal "
            "untuk batal."
        ).format(names=", ".join(names), example=when_example(context, _, seats=False))
    )


@guarded("home_visits")
async def schedule_visits(update: Update, context: BotContext, member: Member) -> None:
    """The typed day and hours: every chosen teen gets a visit then, and their summons."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    when = typed_when(context, message.text, context.office.deadline, seats=False)
    if isinstance(when, str) or when[2]:  # the words /sesi says for wrong hours, at once
        await message.reply_text(
            when
            if isinstance(when, str)
            else _("Format tidak dikenali ({example}).").format(
                example=when_example(context, _, seats=False)
            )
        )
        return
    starts_at, ends_at, _rest = when
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is None or convo.step != Step.HOME_VISIT_TIME:
            return  # the step changed under us (another command): nothing to schedule
        chosen = [int(i) for i in convo.data.get("visits", [])]
        outcome, reach = await home_visits.schedule(
            session,
            chosen,
            starts_at=starts_at,
            ends_at=ends_at,
            now=context.clock.now(),
            deadline=context.office.deadline,
            policy=context.office.policy,
            by=str(member.telegram_id),
            channel=Channel.TELEGRAM,
        )
        if outcome not in WRONG_HOURS:  # a wrong hour may be typed again
            await conversations.end(session, convo.account_id)
    await message.reply_text(
        views.scheduled(
            outcome, reach, _, context.language, context.office.deadline, context.office.zone
        )
    )


async def type_visit_time(update: Update, context: BotContext, convo: Conversation) -> None:
    """The day and hours typed (the sender's role is checked again by `schedule_visits`)."""
    await schedule_visits(update, context)


@guarded("home_visits")
async def record_outcome(update: Update, context: BotContext, member: Member) -> None:
    """What happened at the door: recorded, or not (then the request waits again)."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    pressed = HOME_VISITS.read(query.data, VisitOutcome)
    visit, how = pressed.visit_id, pressed.how
    async with context.session() as session:
        reach = await home_visits.finish(
            session,
            int(visit),
            recorded=how == "rec",
            reason=_NOT_RECORDED.get(how),
            by=str(member.telegram_id),
            channel=Channel.TELEGRAM,
            now=context.clock.now(),
        )
    await query.answer()
    await query.edit_message_reply_markup(None)
    await update.effective_chat.send_message(
        views.finished(reach, how == "rec", context.gettext, context.language)
    )
