"""The summons in the chat: /jadwal, /ganti, /kode, and the buttons under a summons."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.db.models import Account, Summons, Target
from bot.domain.kinds import Actor, Role, SummonsState, TargetReview
from bot.i18n import N_, Gettext
from bot.presentation import summons as views
from bot.services import accounts, family, notices, registration, summonses
from bot.services.summonses import Outcome, SummonsView

_PRESS = re.compile(r"^sm:(\d{1,10}):(\d{1,6}):([a-z]{2,3})(?:\.([a-z0-9]{1,12}))?$")
STALE = N_("Tombol ini sudah tidak berlaku. Ketik /jadwal untuk jadwal terbaru.")
_ACTIONS = {"ok": "confirm", "no": "decline", "hv": "home_visit", "to": "move"}


def _now() -> datetime:
    return datetime.now(UTC)


async def send_summons(
    context: BotContext, chat_id: int, summons: SummonsView, *, parent: bool = False
) -> None:
    """The summons message with its buttons, then the place's pin when it has coordinates."""
    _ = context.gettext
    zone = context.settings.zone
    await context.bot.send_message(
        chat_id,
        views.summons_text(summons, _, context.language, zone, parent=parent),
        reply_markup=views.summons_keyboard(summons, _),
    )
    if summons.latitude is not None and summons.longitude is not None:
        await context.bot.send_venue(
            chat_id,
            latitude=summons.latitude,
            longitude=summons.longitude,
            title=summons.place,
            address=summons.address or summons.place,
        )


async def _mine(
    context: BotContext, telegram_id: int
) -> tuple[Account | None, Target | None, SummonsView | None]:
    """The person's account, the target it is linked to, and that target's summons."""
    async with context.session() as session:
        account = await accounts.find(session, telegram_id)
        target = await registration.target_of(session, account) if account else None
        summons = await summonses.for_target(session, target.id) if target else None
    return account, target, summons


def _not_registered(_: Gettext) -> str:
    return _("Anda belum terdaftar. Ketik /daftar, atau buka tautan dari surat undangan Anda.")


async def show_schedule(update: Update, context: BotContext) -> None:
    """/jadwal: the current summons with its buttons, or where the teen stands."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    account, target, summons = await _mine(context, update.effective_user.id)
    if summons is not None:
        await send_summons(context, update.effective_user.id, summons)
        return
    if account is not None and account.role == Role.PARENT and target is None:
        await _show_children_schedules(update, context, account)
        return
    if (target is not None and target.review == TargetReview.PENDING) or (
        account is not None and accounts.step_of(account) == "review"
    ):
        text = _("Data Anda sedang diperiksa petugas. Hasilnya akan dikabarkan di obrolan ini.")
    elif target is not None:
        text = _(
            "Anda sudah terdaftar, {name}. Jadwal perekaman Anda akan dikirim ke obrolan ini."
        ).format(name=target.name)
    else:
        text = _not_registered(_)
    await update.effective_message.reply_text(text)


async def change_schedule(update: Update, context: BotContext) -> None:
    """/ganti: sessions with free seats to move to."""
    assert update.effective_message and update.effective_user
    _account, _target, summons = await _mine(context, update.effective_user.id)
    if summons is None or summons.state in summonses.FINAL:
        await show_schedule(update, context)  # a parent picks from each child's 🔁 button
        return
    await _offer_sessions(context, update.effective_user.id, summons)


async def _offer_sessions(context: BotContext, chat_id: int, summons: SummonsView) -> None:
    _ = context.gettext
    settings = context.settings
    async with context.session() as session:
        options = await summonses.move_options(
            session,
            exclude=summons.session_id,
            now=_now(),
            deadline=summonses.deadline_for(settings.election_date, settings.zone),
        )
    if not options:
        await context.bot.send_message(
            chat_id,
            _(
                "Maaf, belum ada jadwal lain yang masih punya tempat. Petugas akan menambah jadwal; "
                "Anda akan dikabari di sini."
            ),
        )
        return
    await context.bot.send_message(
        chat_id,
        _("Pilih jadwal baru (tempat yang masih tersedia):"),
        reply_markup=views.options_keyboard(summons, options, _, context.language, settings.zone),
    )


async def _show_children_schedules(update: Update, context: BotContext, account: Account) -> None:
    """/jadwal of a parent: each linked child's summons with its buttons."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        children = [c for c in await family.children_of(session, account) if c.state == "active"]
        found = [(c, await summonses.for_target(session, c.target_id)) for c in children]
    if not children:
        await update.effective_message.reply_text(
            _("Belum ada anak yang tertaut. Ketik /ortu untuk menautkan anak Anda.")
        )
    for child, summons in found:
        if summons is None:
            await update.effective_message.reply_text(
                _("{name} belum mendapat jadwal perekaman. Jadwalnya akan dikirim ke sini.").format(
                    name=child.name
                )
            )
        else:
            await send_summons(context, update.effective_user.id, summons, parent=True)


async def show_code(update: Update, context: BotContext) -> None:
    """/kode: the personal code and a QR of the staff's attendance link."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    _account, target, _summons = await _mine(context, update.effective_user.id)
    if target is None:
        await update.effective_message.reply_text(_not_registered(_))
        return
    link = f"https://t.me/{context.bot.username}?start=hadir_{target.invite_code}"
    await update.effective_message.reply_photo(
        InputFile(views.qr_png(link), filename="kode.png"),
        caption=_(
            "Kode Anda: {code}\n\nTunjukkan kode QR ini kepada petugas saat perekaman; "
            "petugas memindainya untuk mencatat kehadiran Anda."
        ).format(code=target.invite_code),
    )


async def _pressable(
    session: AsyncSession,
    context: BotContext,
    telegram_id: int,
    match: re.Match[str] | None,
    *,
    answering: bool,
) -> tuple[Account | None, SummonsView | None]:
    """The presser and the summons, if this button is theirs (or their child's) and current,
    locked when the press answers it."""
    account = await accounts.find(session, telegram_id)
    if match is None:
        return None, None
    summons = await summonses.view(session, int(match.group(1)), lock=answering)
    if account is None or summons is None or summons.revision != int(match.group(2)):
        return None, None
    # A teen acts for themselves, a linked parent for their child; nobody for anyone else.
    if summons.target_id != account.target_id and summons.target_id not in (
        await family.allowed_targets(session, account)
    ):
        return None, None
    return account, summons


async def press_summons_button(update: Update, context: BotContext) -> None:
    """Any button under a summons: parsed, then checked against the database and the presser.
    An answer (✅, a reason for ❌, a new session) is checked and applied in one unit of work,
    committed before the presser sees the result."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    match = _PRESS.match(query.data)
    action, argument = (match.group(3), match.group(4)) if match else ("", None)
    # ❌ without a reason asks for one and 🏠 asks why: those are answered in two steps.
    answering = action in ("ok", "to") or (action == "no" and argument is not None)
    result = None
    async with context.session() as session:
        account, summons = await _pressable(
            session, context, update.effective_user.id, match, answering=answering
        )
        if account is not None and summons is not None and answering:
            result = await _answer(session, context, account, summons, _ACTIONS[action], argument)
    _ = context.gettext
    if account is None or summons is None:
        await query.answer(_(STALE))
    elif result is not None:
        await _show_answer(update, context, account, summons, _ACTIONS[action], *result)
    elif action == "no":
        await query.answer()
        await query.edit_message_reply_markup(views.reasons_keyboard(summons, _))
    elif action == "mv":
        await query.answer()
        await _offer_sessions(context, update.effective_user.id, summons)
    elif action == "ics":
        await query.answer()
        await context.bot.send_document(
            update.effective_user.id,
            InputFile(
                views.calendar_file(summons, _, context.settings.zone, _now()),
                filename="perekaman-ktp-el.ics",
            ),
            caption=_("Buka berkas ini untuk menyimpan jadwal ke kalender ponsel Anda."),
        )
    elif action == "hv":
        async with context.session() as session:
            fresh_account = await accounts.find(session, update.effective_user.id)
            assert fresh_account is not None
            accounts.set_step(
                fresh_account, "home_visit", summons_id=summons.id, revision=summons.revision
            )
        await query.answer()
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "Tuliskan singkat mengapa perlu kunjungan ke rumah (misalnya: disabilitas, sakit). "
                "Petugas akan menghubungi Anda."
            ),
        )
    else:
        await query.answer(_(STALE))


async def _answer(
    session: AsyncSession,
    context: BotContext,
    account: Account,
    summons: SummonsView,
    action: str,
    argument: str | None,
) -> tuple[Outcome, SummonsView | None]:
    """Apply the answer; the summons as it now is (read again only when it moved)."""
    settings = context.settings
    outcome = await summonses.respond(
        session,
        summons_id=summons.id,
        revision=summons.revision,
        target_ids={summons.target_id},
        action=action,
        argument=argument,
        actor=Actor.TEEN if account.target_id == summons.target_id else Actor.PARENT,
        account_id=account.id,
        now=_now(),
        deadline=summonses.deadline_for(settings.election_date, settings.zone),
        policy=notices.Policy.of(settings),
    )
    changed = await session.get(Summons, summons.id)  # from the identity map: no query
    if changed is None:
        return outcome, None
    if changed.session_id != summons.session_id:
        return outcome, await summonses.view(session, summons.id)
    return outcome, replace(summons, state=changed.state, revision=changed.revision)


async def apply_answer(
    update: Update,
    context: BotContext,
    account: Account,
    summons: SummonsView,
    action: str,
    argument: str | None,
) -> None:
    """Change the summons and show the result. The caller has checked that `account` may act
    for this summons (its own, or its child's)."""
    async with context.session() as session:
        outcome, fresh = await _answer(session, context, account, summons, action, argument)
    await _show_answer(update, context, account, summons, action, outcome, fresh)


async def _show_answer(
    update: Update,
    context: BotContext,
    account: Account,
    summons: SummonsView,
    action: str,
    outcome: Outcome,
    fresh: SummonsView | None,
) -> None:
    """The result, once committed: the pressed message edited, or a new summons."""
    _ = context.gettext
    settings = context.settings
    parent = account.target_id != summons.target_id
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
        await _offer_sessions(context, account.telegram_id, fresh)
        return
    thanks = {
        SummonsState.CONFIRMED: _("Terima kasih! Kami tunggu kedatangan Anda."),
        SummonsState.DECLINED: _("Tercatat. Anda bisa memilih jadwal lain dengan 🔁."),
        SummonsState.MOVED: _("Jadwal Anda sudah diganti."),
        SummonsState.HOME_VISIT: _("Permintaan kunjungan ke rumah sudah diteruskan ke petugas."),
    }
    if query is not None and action != "move":
        await query.answer(thanks.get(fresh.state, ""))
        await query.edit_message_text(
            views.summons_text(fresh, _, context.language, settings.zone, parent=parent),
            reply_markup=views.summons_keyboard(fresh, _),
        )
        return
    if query is not None:
        await query.answer(thanks.get(fresh.state, ""))
        await query.edit_message_text(_("Jadwal Anda sudah diganti. Jadwal baru:"))
    else:
        await context.bot.send_message(account.telegram_id, thanks.get(fresh.state, ""))
    if action == "move":
        await send_summons(context, account.telegram_id, fresh, parent=parent)


async def answer_home_visit(update: Update, context: BotContext, account: Account) -> None:
    """The short reason for a home visit, typed after pressing 🏠."""
    assert update.effective_message and update.effective_message.text
    data = accounts.step_data(account)
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        accounts.clear_step(fresh)
        summons = await summonses.view(session, int(data["summons_id"]))
    if summons is None or summons.revision != int(data["revision"]):
        await update.effective_message.reply_text(
            context.gettext("Jadwal Anda sudah berubah. Ketik /jadwal untuk jadwal terbaru.")
        )
        return
    await apply_answer(
        update, context, account, summons, "home_visit", update.effective_message.text.strip()
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("jadwal", show_schedule, filters=private))
    app.add_handler(CommandHandler("ganti", change_schedule, filters=private))
    app.add_handler(CommandHandler("kode", show_code, filters=private))
    app.add_handler(CallbackQueryHandler(press_summons_button, pattern=f"^{views.PRESS_PREFIX}"))
