"""Thin Telegram adapters, one module per feature; this module registers every handler.

Order matters! Groups run lowest first, and in each group the first matching handler wins:
  -3  a webhook update seen before stops here (before anything reads or writes for it);
  -2  the reader's language, so everything after (the throttle included) speaks it;
  -1  a flood of presses is answered at once and goes no further, and so is an edited
      message (an edit is not a new answer); any other command (but those in _STAYS) first
      ends the conversation step the person was at: a command starts afresh;
   0  features, deep links before plain /start (a staff QR, a parent's link and an invitation
      all arrive as "/start <payload>"), then typed text by conversation step, then the
      catch-alls: an unknown command, an unexpected message, a stale button.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import BotContext
from bot.handlers import (
    access,
    common,
    conversation,
    errors,
    guards,
    invitation,
    parents,
    phone,
    privacy,
    self_registration,
    staff,
    staff_broadcast,
    staff_desk,
    staff_home_visits,
    staff_invites,
    staff_parent_links,
    staff_plan,
    staff_review,
    staff_sessions,
    summons,
    unlinking,
    waiting,
)
from bot.presentation import buttons

# The bot talks to people one to one; a group it is added to gets nothing from it.
PRIVATE = filters.ChatType.PRIVATE
# Commands that do not leave a conversation step: /batal says what it left itself; /bahasa
# only changes the language (the invitation's question offers it mid-step); a scanned QR or
# /hadir CODE marks attendance inside staff's code-taking, which must go on after it.
_STAYS = filters.Regex(r"^/(batal|bahasa|hadir)(@\w+)?(\s|$)") | filters.Regex(staff.HADIR)


Callback = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def _command(
    name: str, callback: Callback, payload: str | None = None
) -> CommandHandler[BotContext, None]:
    only = PRIVATE & filters.Regex(payload) if payload else PRIVATE
    return CommandHandler(name, callback, filters=only)


def _button(
    pattern: Callable[[object], bool], callback: Callback
) -> CallbackQueryHandler[BotContext, None]:
    """A button by what its data decodes to (bot/presentation/buttons.py): data no codec reads
    matches nothing here and reaches the stale-button answer at the end."""
    return CallbackQueryHandler(callback, pattern=pattern)


def _menu(*items: buttons.MenuName) -> Callable[[object], bool]:
    """Items of the /staf menu."""
    return buttons.STAFF_MENU.pattern(*(buttons.MenuItem(item) for item in items))


def handlers() -> list[tuple[int, BaseHandler[Update, BotContext, None]]]:
    """Every handler with its group, in the order they are tried."""
    return [
        (-3, TypeHandler(Update, guards.skip_seen_update)),
        (-2, TypeHandler(Update, guards.speak_readers_language)),
        (-1, CallbackQueryHandler(guards.slow_down)),
        (-1, MessageHandler(filters.UpdateType.EDITED, guards.ignore_edit)),
        (-1, MessageHandler(filters.COMMAND & PRIVATE & ~_STAYS, guards.leave_step)),
        # Deep links first: each "/start <payload>" form before the plain /start.
        (0, _command("start", staff.attend_by_link, staff.HADIR)),
        (0, _command("start", staff_invites.open_staff_invite, staff_invites.PAYLOAD)),
        (0, _command("start", parents.link_from_deep_link, parents.DEEP_LINK)),
        (0, _command("start", invitation.open_invitation, invitation.PAYLOAD)),
        (0, _command("start", common.start)),
        # Everyone
        (0, _command("bahasa", common.change_language)),
        (0, _command("bantuan", common.show_help)),
        (0, _command("help", common.show_help)),  # what people type first, in any language
        (0, _command("batal", common.cancel)),
        (0, _button(buttons.LANGUAGE.pattern(buttons.ChooseLanguage), common.choose_language)),
        (0, _button(buttons.ROLE.pattern(buttons.ChooseRole), common.choose_role)),
        # Teens: registering, the summons, erasing
        (0, _command("daftar", self_registration.start_registration)),
        (0, _button(buttons.CONSENT.pattern(buttons.Consent), self_registration.answer_consent)),
        (
            0,
            _button(
                buttons.PREFERENCE.pattern(buttons.Preference), self_registration.answer_preference
            ),
        ),
        (0, MessageHandler(filters.CONTACT & PRIVATE, phone.share_phone)),
        (0, _command("jadwal", summons.show_schedule)),
        (0, _command("ganti", summons.change_schedule)),
        (0, _command("kode", summons.show_code)),
        (0, _button(buttons.SUMMONS.pattern(buttons.SummonsPress), summons.press_summons_button)),
        (0, _button(buttons.WAITING.pattern(buttons.TakeOffer), waiting.take_offer)),
        (0, _command("hapus", privacy.ask_erase)),
        (0, _button(buttons.ERASE.pattern(buttons.Erase), privacy.confirm_erase)),
        # Parents
        (0, _command("ortu", parents.parents_command)),
        (0, _button(buttons.GUARDIANS.pattern(buttons.AskNik), parents.ask_nik)),
        (0, _button(buttons.GUARDIANS.pattern(buttons.AskRemove), unlinking.ask_remove)),
        (0, _button(buttons.GUARDIANS.pattern(buttons.Remove), unlinking.remove_link)),
        (0, _button(buttons.GUARDIANS.pattern(buttons.Keep), unlinking.keep_link)),
        (0, _button(buttons.GUARDIANS.pattern(buttons.Disown), unlinking.disown)),
        # Staff (each checks the role in the database when it runs)
        (0, _command("staf", staff.show_menu)),
        (0, _command("hadir", staff.attend_by_command)),
        (0, _button(buttons.ATTENDANCE.pattern(buttons.OtherDay), staff.decide_other_day)),
        (0, _command("statistik", staff.show_figures)),
        (0, _button(buttons.FIGURES.pattern(buttons.FiguresBy), staff.show_figures)),
        (0, _command("buka_kunci", staff.unlock)),
        (0, _command("petugas", staff.show_staff)),
        (0, _command("dasbor", staff.send_dashboard_link)),
        (0, _command("petugas_tambah", staff.add_staff)),
        (0, _command("petugas_hapus", staff.remove_staff)),
        (0, _button(staff_invites.DECIDE, staff_invites.decide_staff_invite)),
        (0, _button(_menu(*staff.MENU), staff.menu_button)),
        (0, _command("meja", staff_desk.open_desk)),
        (0, _button(_menu("desk"), staff_desk.open_desk)),
        (0, _button(buttons.DESK.pattern(buttons.DeskPick), staff_desk.pick_person)),
        (0, _button(buttons.DESK.pattern(buttons.DeskOutcome), staff_desk.choose_outcome)),
        (0, _button(buttons.DESK.pattern(buttons.DeskReason), staff_desk.give_reason)),
        (0, _button(buttons.DESK.pattern(buttons.DeskUndo), staff_desk.confirm_undo)),
        (0, _button(_menu("parents"), staff_parent_links.show_requests)),
        (0, _command("tinjau", staff_review.show_queue)),
        (0, _button(_menu("review"), staff_review.show_queue)),
        (0, _button(buttons.REVIEW.pattern(buttons.DecideReview), staff_review.decide)),
        (
            0,
            _button(
                buttons.LINK_REQUESTS.pattern(buttons.DecideLink), staff_parent_links.decide_request
            ),
        ),
        (0, _command("siaran", staff_broadcast.choose_audience)),
        (0, _button(_menu("broadcast"), staff_broadcast.choose_audience)),
        (0, _button(buttons.BROADCAST.pattern(buttons.PickAudience), staff_broadcast.pick_value)),
        (0, _button(buttons.BROADCAST.pattern(buttons.SendBroadcast), staff_broadcast.confirm)),
        (
            0,
            _button(
                buttons.BROADCAST.pattern(buttons.Everyone, buttons.AudienceChoice),
                staff_broadcast.ask_text,
            ),
        ),
        (0, _command("sesi", staff_sessions.list_sessions)),
        (0, _button(_menu("sessions"), staff_sessions.list_sessions)),
        (
            0,
            _button(
                buttons.SESSIONS.pattern(
                    buttons.ApplyMove, buttons.ApplyCancel, buttons.DropChange
                ),
                staff_sessions.apply_change,
            ),
        ),
        (0, _button(buttons.SESSIONS.pattern(buttons.MoveSession), staff_sessions.ask_new_time)),
        (0, _button(buttons.SESSIONS.pattern(buttons.CancelSession), staff_sessions.ask_cancel)),
        (0, _button(buttons.SESSIONS.pattern(buttons.ShowSession), staff_sessions.show_session)),
        (0, _button(buttons.SESSIONS.pattern(buttons.NewSession), staff_plan.pick_place)),
        (0, _button(buttons.SESSIONS.pattern(buttons.NewSessionAt), staff_plan.ask_when)),
        (0, _button(buttons.SESSIONS.pattern(buttons.CreateSession), staff_plan.create)),
        (0, _button(buttons.SESSIONS.pattern(buttons.AddSeats), staff_plan.ask_capacity)),
        (0, _command("panggil", staff_plan.summon_preview)),
        (0, _button(_menu("summon"), staff_plan.summon_preview)),
        (0, _button(buttons.SUMMONING.pattern(buttons.RunSummons), staff_plan.summon_run)),
        (0, _command("kunjungan", staff_home_visits.show_queue)),
        (0, _button(_menu("homevisits"), staff_home_visits.show_queue)),
        (
            0,
            _button(buttons.HOME_VISITS.pattern(buttons.PickVisit), staff_home_visits.pick_request),
        ),
        (
            0,
            _button(
                buttons.HOME_VISITS.pattern(buttons.VisitOutcome), staff_home_visits.record_outcome
            ),
        ),
        # Typed text, by the step the person is at
        (0, MessageHandler(filters.TEXT & ~filters.COMMAND & PRIVATE, conversation.route_text)),
        # Catch-alls, last
        (0, MessageHandler(filters.COMMAND & PRIVATE, access.unknown_command)),
        (0, MessageHandler(filters.TEXT & PRIVATE, common.unknown_text)),
        (0, MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, common.not_text)),
        (0, CallbackQueryHandler(access.stale_button)),
    ]


def register(app: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in order, and the error handler."""
    for group, handler in handlers():
        app.add_handler(handler, group=group)
    app.add_error_handler(errors.apologise)
