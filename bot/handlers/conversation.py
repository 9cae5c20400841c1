"""Typed messages, routed by the step stored on the person's account (a restart loses nothing):
one read of the account, then the step's handler with what the conversation has collected."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from bot.context import BotContext
from bot.domain.codes import looks_like_code
from bot.domain.steps import FLOW, Expects, Step
from bot.handlers import (
    invitation,
    parents,
    phone,
    self_registration,
    staff,
    staff_broadcast,
    staff_desk,
    staff_home_visits,
    staff_plan,
    staff_sessions,
    summons,
)
from bot.handlers.common import unknown_text
from bot.services import conversations
from bot.services.conversations import Conversation

StepHandler = Callable[[Update, BotContext, Conversation], Awaitable[None]]


async def _typed_code(update: Update, context: BotContext, convo: Conversation) -> None:
    """An attendance code typed by staff (the role is checked again when it arrives)."""
    await staff.answer_code(update, context)


# Every step that expects text, and who answers it (a test checks none is missing).
TEXT_STEPS: dict[Step, StepHandler] = {
    Step.INVITE_DATE: invitation.answer_invitation,
    Step.PHONE: phone.skip_phone,
    Step.NIK: self_registration.answer_nik,
    Step.BIRTH_DATE: self_registration.answer_birth_date,
    Step.NAME: self_registration.answer_name,
    Step.HOME_VISIT: summons.answer_home_visit,
    Step.DECLINE_REASON: summons.answer_decline_reason,
    Step.PARENT_CODE_DATE: parents.answer_child_date,
    Step.PARENT_NIK: parents.answer_child_nik,
    Step.PARENT_NIK_DATE: parents.answer_child_nik_date,
    Step.STAFF_CODE: _typed_code,
    Step.STAFF_DESK: staff_desk.type_query,
    Step.BROADCAST_TEXT: staff_broadcast.type_broadcast,
    Step.SESSION_MOVE: staff_sessions.type_new_time,
    Step.SESSION_NEW: staff_plan.type_new,
    Step.SESSION_CAPACITY: staff_plan.type_capacity,
    Step.HOME_VISIT_TIME: staff_home_visits.type_visit_time,
}


# Steps whose answer (a NIK, a date) can never look like a letter's code: a code typed there is
# the letter the teen was told to type, so it opens the invitation instead (leaving the step).
_CODE_OPENS_LETTER = frozenset({Step.NIK, Step.BIRTH_DATE, Step.INVITE_DATE})


async def route_text(update: Update, context: BotContext) -> None:
    """Hand a typed message to the step waiting for it, or answer that nothing is."""
    assert update.effective_user and update.effective_message
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
    step = convo.step if convo is not None else None
    typed = update.effective_message.text or ""
    if step in _CODE_OPENS_LETTER and looks_like_code(typed):
        await invitation.typed_code(update, context)
    elif convo is not None and step is not None and step in TEXT_STEPS:
        await TEXT_STEPS[step](update, context, convo)
    elif step is not None and FLOW[step].expects == Expects.BUTTON:
        await update.effective_message.reply_text(
            context.gettext("Silakan pilih salah satu tombol di pesan sebelumnya.")
        )
    elif looks_like_code(typed):
        await invitation.typed_code(update, context)
    else:
        await unknown_text(update, context)
