"""The recording desk in Telegram (/meja, or "🧾 Meja perekaman" in /staf): staff type an
attendance code, a NIK or a name (with or without a birth date), pick the person, then one outcome: recorded,
came but not recorded (with a reason), or undo of a wrong mark. Every press is checked
against the staff table when it arrives, like every staff action."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.desk import QueryError, Reason, parse_query
from bot.domain.kinds import Channel
from bot.domain.steps import Step
from bot.handlers.access import Member, guarded
from bot.i18n import Gettext
from bot.presentation import desk as views
from bot.presentation import keyboards
from bot.presentation.buttons import DESK, DeskOutcome, DeskPick, DeskReason, DeskUndo
from bot.services import conversations, desk, desk_search
from bot.services.conversations import Conversation
from bot.services.desk_search import Found


def _outcomes(found: Found, _: Gettext) -> InlineKeyboardMarkup:
    """What staff can say about this person: undo once recorded, else the two outcomes."""
    if found.recorded_at is not None:
        buttons = [(_("↩️ Batalkan tanda terekam"), DESK.encode(DeskOutcome("u", found.target_id)))]
    else:
        buttons = [
            (_("✅ Terekam"), DESK.encode(DeskOutcome("r", found.target_id))),
            (_("📝 Datang, belum terekam"), DESK.encode(DeskOutcome("n", found.target_id))),
        ]
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


async def _show(update: Update, context: BotContext, found: Found) -> None:
    assert update.effective_chat
    _ = context.gettext
    text = views.person(found, _, context.language, context.office.zone)
    await update.effective_chat.send_message(text, reply_markup=_outcomes(found, _))


@guarded("desk")
async def open_desk(update: Update, context: BotContext, member: Member) -> None:
    """/meja: every line typed next looks someone up, until /staf."""
    assert update.effective_user and update.effective_chat
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.go(session, convo.account_id, Step.STAFF_DESK)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await update.effective_chat.send_message(views.asking(context.gettext))


@guarded("desk_typed")
async def _look_up(update: Update, context: BotContext, member: Member) -> None:
    assert update.effective_message and update.effective_message.text
    _ = context.gettext
    try:
        query = parse_query(update.effective_message.text, today=context.clock.today())
    except QueryError as error:
        await update.effective_message.reply_text(_(views.PROBLEMS[error.problem]))
        return
    async with context.session() as session:
        matches = await desk_search.look_up(
            session, query, by=str(member.telegram_id), channel=Channel.TELEGRAM
        )
    if not matches:
        await update.effective_message.reply_text(views.none_found(_))
    elif len(matches) == 1:
        await _show(update, context, matches[0])
    else:
        rows = [
            [
                InlineKeyboardButton(
                    views.choice_label(m, _, context.language),
                    callback_data=DESK.encode(DeskPick(m.target_id)),
                )
            ]
            for m in matches
        ]
        await update.effective_message.reply_text(
            views.several(len(matches), _), reply_markup=InlineKeyboardMarkup(rows)
        )


async def type_query(update: Update, context: BotContext, convo: Conversation) -> None:
    """A code, NIK or name typed at the desk (the role is checked again when it arrives)."""
    await _look_up(update, context)


@guarded("desk")
async def pick_person(update: Update, context: BotContext, member: Member) -> None:
    """One of several matches chosen."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    async with context.session() as session:
        found = await desk_search.one(session, DESK.read(query.data, DeskPick).target_id)
    await query.answer()
    if found is None:
        await update.effective_chat.send_message(views.none_found(context.gettext))
        return
    await _show(update, context, found)


@guarded("desk")
async def choose_outcome(update: Update, context: BotContext, member: Member) -> None:
    """Recorded at once; "came, not recorded" asks why first, and undo asks to be sure."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    _ = context.gettext
    pressed = DESK.read(query.data, DeskOutcome)
    action, target = pressed.outcome, pressed.target_id
    if action == "n":
        await query.answer()
        rows = [
            [InlineKeyboardButton(_(label), callback_data=DESK.encode(DeskReason(target, reason)))]
            for reason, label in views.REASONS.items()
        ]
        await update.effective_chat.send_message(
            _("Kenapa belum terekam?"), reply_markup=InlineKeyboardMarkup(rows)
        )
        return
    if action == "u":  # a mark taken back is asked about first, as on the dashboard
        await query.answer()
        async with context.session() as session:
            found = await desk_search.one(session, target)
        if found is None:
            await update.effective_chat.send_message(_("Data orang ini sudah tidak ada."))
            return
        await update.effective_chat.send_message(
            views.undo_question(found.name, _),
            reply_markup=keyboards.confirm(
                _,
                _("↩️ Ya, batalkan tanda terekam"),
                DESK.encode(DeskUndo("yes", target)),
                DESK.encode(DeskUndo("no", target)),
            ),
        )
        return
    await _apply(update, context, member, target, "recorded", None)


@guarded("desk")
async def confirm_undo(update: Update, context: BotContext, member: Member) -> None:
    """The undo asked about: taken back, or left as it is."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    pressed = DESK.read(query.data, DeskUndo)
    await query.edit_message_reply_markup(None)
    if pressed.answer == "yes":
        await _apply(update, context, member, pressed.target_id, "undo", None)
        return
    await query.answer()
    await update.effective_chat.send_message(context.gettext("Tidak ada yang diubah."))


@guarded("desk")
async def give_reason(update: Update, context: BotContext, member: Member) -> None:
    """Came, not recorded, for this reason."""
    query = update.callback_query
    assert query and query.data
    pressed = DESK.read(query.data, DeskReason)
    await _apply(update, context, member, pressed.target_id, "unrecorded", pressed.reason)


async def _apply(
    update: Update,
    context: BotContext,
    member: Member,
    target_id: int,
    outcome: str,
    reason: Reason | None,
) -> None:
    query = update.callback_query
    assert query and update.effective_chat
    by, now = str(member.telegram_id), context.clock.now()
    async with context.session() as session:
        if outcome == "recorded":
            done = await desk.record(session, target_id, by=by, channel=Channel.TELEGRAM, now=now)
        elif outcome == "unrecorded" and reason is not None:
            deadline = context.office.deadline
            done = await desk.unrecorded(
                session,
                target_id,
                reason,
                by=by,
                channel=Channel.TELEGRAM,
                now=now,
                deadline=deadline,
            )
        else:
            done = await desk.undo(session, target_id, by=by, channel=Channel.TELEGRAM, now=now)
        found = await desk_search.one(session, target_id)
    await query.answer()
    if found is None:
        await update.effective_chat.send_message(context.gettext("Data orang ini sudah tidak ada."))
        return
    await update.effective_chat.send_message(views.done(outcome, done, found.name, context.gettext))
