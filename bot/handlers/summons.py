"""The summons in the chat: /jadwal, /ganti, /kode, and the buttons under a summons."""

from __future__ import annotations

from telegram import InputFile, Update

from bot.context import BotContext
from bot.domain import summons_rules
from bot.domain.kinds import Answer, SummonsState
from bot.domain.steps import Step
from bot.handlers.replies import offer_sessions, send_summons
from bot.i18n import Gettext
from bot.presentation import buttons, texts
from bot.presentation import summons as views
from bot.presentation.texts import STALE
from bot.services import answers, conversations, guardians, summonses
from bot.services.answers import Pressed
from bot.services.conversations import Conversation
from bot.services.summonses import Outcome, SummonsView

ACTIONS = {"ok": Answer.CONFIRM, "no": Answer.DECLINE, "hv": Answer.HOME_VISIT, "to": Answer.MOVE}


def _not_registered(_: Gettext) -> str:
    return str(_("Anda belum terdaftar. Ketik /daftar, atau buka tautan dari surat undangan Anda."))


async def show_schedule(update: Update, context: BotContext) -> None:
    """/jadwal: the current summons with its buttons, or where the person stands."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        mine = await answers.mine(session, update.effective_user.id)
    if mine.summons is not None:
        await send_summons(context, update.effective_user.id, mine.summons)
        return
    if mine.children is not None:
        await _show_children(update, context, mine.children)
        return
    if mine.in_review:
        text = _("Data Anda sedang diperiksa petugas. Hasilnya akan dikabarkan di obrolan ini.")
    elif mine.registered:
        text = _(
            "Anda sudah terdaftar, {name}. Jadwal perekaman Anda akan dikirim ke obrolan ini."
        ).format(name=mine.name)
    else:
        text = _not_registered(_)
    await update.effective_message.reply_text(text)


async def _show_children(
    update: Update, context: BotContext, children: tuple[answers.ChildSchedule, ...]
) -> None:
    """/jadwal of a parent: each linked child's summons with its buttons."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    if not children:
        await update.effective_message.reply_text(
            _("Belum ada anak yang terhubung. Ketik /ortu untuk menghubungkan anak Anda.")
        )
    for child in children:
        if child.summons is None:
            await update.effective_message.reply_text(
                _("{name} belum mendapat jadwal perekaman. Jadwalnya akan dikirim ke sini.").format(
                    name=child.name
                )
            )
        else:
            await send_summons(context, update.effective_user.id, child.summons, parent=True)


async def change_schedule(update: Update, context: BotContext) -> None:
    """/ganti: sessions with free seats to move to."""
    assert update.effective_user
    async with context.session() as session:
        mine = await answers.mine(session, update.effective_user.id)
    if mine.summons is None or mine.summons.state in summons_rules.FINAL:
        await show_schedule(update, context)  # a parent picks from each child's 🔁 button
        return
    await offer_sessions(context, update.effective_user.id, mine.summons)


async def show_code(update: Update, context: BotContext) -> None:
    """/kode: the personal code and a QR of the staff's attendance link."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        mine = await answers.mine(session, update.effective_user.id)
        if mine.target_id is not None:
            parents_code = await guardians.parent_code_of(session, mine.target_id)
    if not mine.registered or mine.attend_code is None or mine.target_id is None:
        await update.effective_message.reply_text(_not_registered(_))
        return
    link = f"https://t.me/{context.bot.username}?start=hadir_{mine.attend_code}"
    await update.effective_message.reply_photo(
        InputFile(views.qr_png(link), filename="kode.png"),
        caption=_(
            "Kode kehadiran Anda: {code}\n\nTunjukkan kode QR ini kepada petugas saat "
            "perekaman; petugas memindainya untuk mencatat kehadiran Anda."
        ).format(code=mine.attend_code),
    )
    await update.effective_message.reply_text(
        _(
            "Kode untuk orang tua/wali Anda: {code}\nBerikan hanya kepada orang tua/wali Anda: "
            "dengan kode ini dan tanggal lahir Anda mereka bisa menghubungkan diri (/ortu {code}). "
            "Anda akan diberi tahu setiap kali ada yang terhubung."
        ).format(code=parents_code)
    )


async def press_summons_button(update: Update, context: BotContext) -> None:
    """Any button under a summons: parsed, then checked against the database and the presser.
    An answer (✅, a reason for ❌, a new session) is checked and applied in one unit of work,
    committed before the presser sees the result."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    press = buttons.SUMMONS.read(query.data, buttons.SummonsPress)
    action, argument = press.verb, press.argument
    # ❌ asks for a reason ("other": typed) and 🏠 asks why: those are answered in two steps.
    answering = action in ("ok", "to") or (action == "no" and argument not in (None, "other"))
    typing = {"hv": Step.HOME_VISIT, "no": Step.DECLINE_REASON}.get(action)
    if answering or (action == "no" and argument is None):
        typing = None
    result = None
    async with context.session() as session:
        found = await answers.pressed(
            session,
            update.effective_user.id,
            press.summons_id,
            press.revision,
            lock=answering,
        )
        if found is not None and action == "hv" and found.summons.home:
            found = None  # a home visit offers no 🏠: a forged one is a stale button
        if found is not None and answering:
            result = await answers.answer(
                session,
                found,
                ACTIONS[action],
                argument,
                now=context.clock.now(),
                office=context.office,
                duty=context.settings.duty_staff,
            )
        if found is not None and typing is None and (found.conversing or not answering):
            # Any other press of this summons ends a reason still being asked for: free text
            # typed later must not decline it. An answer skips the write when nothing was
            # being asked (most ✅): a reason asked for in another bot process at this moment
            # is outdated by the new revision an applied answer gives the summons (an answer
            # refused, the session full, changes nothing, and the reason stays asked, as if it
            # had come after). ↩️ and the rest always write: nothing else outdates a reason.
            await conversations.end(session, found.account_id)
        if found is not None and typing is not None:
            await conversations.go(
                session,
                found.account_id,
                typing,
                summons_id=found.summons.id,
                revision=found.summons.revision,
            )
    if found is None:
        await query.answer(_(STALE))
    elif result is not None:
        await show_answer(update, context, found, ACTIONS[action], *result)
    elif action == "no" and argument == "other":
        await query.answer()
        await query.edit_message_text(
            texts.with_way_out(
                _("Tuliskan alasannya singkat (paling banyak {limit} karakter).").format(
                    limit=summonses.NOTE_LIMIT
                ),
                _,
            ),
            reply_markup=views.back_keyboard(found.summons, _),
        )
    elif action == "no":
        await query.answer()
        await query.edit_message_text(
            views.decline_question(found.summons, _, parent=found.parent),
            reply_markup=views.reasons_keyboard(found.summons, _),
        )
    elif action == "bk":
        await query.answer()
        await query.edit_message_text(
            views.summons_text(
                found.summons, _, context.language, context.office.zone, parent=found.parent
            ),
            reply_markup=views.summons_keyboard(found.summons, _, parent=found.parent),
        )
    elif action == "mv":
        await query.answer()
        await offer_sessions(context, update.effective_user.id, found.summons)
    elif action == "ics":
        await query.answer()
        await context.bot.send_document(
            update.effective_user.id,
            InputFile(
                views.calendar_file(found.summons, _, context.office.zone, context.clock.now()),
                filename="perekaman-ktp-el.ics",
            ),
            caption=_("Buka berkas ini untuk menyimpan jadwal ke kalender ponsel Anda."),
        )
    elif action == "hv":
        await query.answer()
        await context.bot.send_message(
            update.effective_user.id,
            texts.with_way_out(
                _(
                    "Tuliskan singkat mengapa perlu kunjungan ke rumah (misalnya: disabilitas, "
                    "sakit; paling banyak {limit} karakter). Petugas akan menghubungi Anda."
                ).format(limit=summonses.NOTE_LIMIT),
                _,
            ),
        )
    else:
        await query.answer(_(STALE))


async def show_answer(
    update: Update,
    context: BotContext,
    found: Pressed,
    action: Answer,
    outcome: Outcome,
    fresh: SummonsView | None,
) -> None:
    """The result, once committed: the pressed message edited, or a new summons."""
    _ = context.gettext
    query = update.callback_query
    if outcome == Outcome.STALE or fresh is None:
        if query:
            await query.answer(_(STALE))
        return
    if outcome == Outcome.FULL:
        if query:
            await query.answer(
                _("Maaf, tempat di jadwal itu baru saja penuh. Pilih jadwal lain."), show_alert=True
            )
        await offer_sessions(context, found.telegram_id, fresh)
        return
    thanks = views.answer_thanks(fresh, _, parent=found.parent)
    if fresh.state == SummonsState.DECLINED:
        await context.bot.send_message(
            found.telegram_id, views.declined_note(fresh, _, parent=found.parent)
        )
    if query is not None and action != Answer.MOVE:
        await query.answer(thanks.get(fresh.state, ""))
        await query.edit_message_text(
            views.summons_text(
                fresh, _, context.language, context.office.zone, parent=found.parent
            ),
            reply_markup=views.summons_keyboard(fresh, _, parent=found.parent),
        )
        return
    if query is None and action == Answer.DECLINE:
        return  # the typed reason: told above
    if query is not None:
        await query.answer(thanks.get(fresh.state, ""))
        await query.edit_message_text(_("Jadwal Anda sudah diganti. Jadwal baru:"))
    else:
        await context.bot.send_message(found.telegram_id, thanks.get(fresh.state, ""))
    if action == Answer.MOVE:
        await send_summons(context, found.telegram_id, fresh, parent=found.parent)


async def answer_home_visit(update: Update, context: BotContext, convo: Conversation) -> None:
    """The short reason for a home visit, typed after pressing 🏠: checked again, as a press."""
    await _answer_typed(update, context, convo, Answer.HOME_VISIT, None)


async def answer_decline_reason(update: Update, context: BotContext, convo: Conversation) -> None:
    """The reason typed after ❌ → "Alasan lain": checked again, as a press."""
    await _answer_typed(update, context, convo, Answer.DECLINE, "other")


async def _answer_typed(
    update: Update,
    context: BotContext,
    convo: Conversation,
    action: Answer,
    argument: str | None,
) -> None:
    assert update.effective_message and update.effective_message.text
    _ = context.gettext
    note = update.effective_message.text.strip()
    result = None
    async with context.session() as session:
        found = await answers.pressed(
            session,
            convo.telegram_id,
            int(convo.data["summons_id"]),
            int(convo.data["revision"]),
            lock=True,
        )
        if found is not None:
            result = await answers.answer(
                session,
                found,
                action,
                argument,
                now=context.clock.now(),
                office=context.office,
                duty=context.settings.duty_staff,
                note=note,
            )
        if result is None or result[0] != Outcome.TOO_LONG:
            await conversations.end(session, convo.account_id)
    if result is not None and result[0] == Outcome.TOO_LONG:  # the step stays open
        await update.effective_message.reply_text(
            _("Terlalu panjang ({count} karakter). Tulis paling banyak {limit} karakter.").format(
                count=len(note), limit=summonses.NOTE_LIMIT
            )
        )
        return
    if found is None or result is None:
        await update.effective_message.reply_text(
            _("Jadwal Anda sudah berubah. Ketik /jadwal untuk jadwal terbaru.")
        )
        return
    await show_answer(update, context, found, action, *result)
