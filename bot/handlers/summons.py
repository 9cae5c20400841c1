"""The summons in the chat: /jadwal, /ganti, /kode, and the buttons under a summons."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, filters

from bot.context import BotContext
from bot.db.models import Account, Actor, SummonsState, Target, TargetReview
from bot.handlers import views
from bot.i18n import Gettext
from bot.services import accounts, notices, registration, summonses
from bot.services.summonses import Outcome, SummonsView

_PRESS = re.compile(r"^sm:(\d{1,10}):(\d{1,6}):([a-z]{2,3})(?:\.([a-z0-9]{1,12}))?$")
_ACTIONS = {"ok": "confirm", "no": "decline", "hv": "home_visit", "to": "move"}


def _now() -> datetime:
    return datetime.now(UTC)


async def send_summons(context: BotContext, chat_id: int, summons: SummonsView) -> None:
    """The summons message with its buttons, then the place's pin when it has coordinates."""
    _ = context.gettext
    zone = context.settings.zone
    await context.bot.send_message(
        chat_id,
        views.summons_text(summons, _, context.language, zone),
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
        await show_schedule(update, context)
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


async def press_summons_button(update: Update, context: BotContext) -> None:
    """Any button under a summons: parsed, then checked against the database and the presser."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    match = _PRESS.match(query.data)
    async with context.session() as session:
        account = await accounts.find(session, update.effective_user.id)
        summons = await summonses.view(session, int(match.group(1))) if match else None
    mine = summons is not None and account is not None and account.target_id == summons.target_id
    if (
        match is None
        or summons is None
        or account is None
        or not mine
        or (summons.revision != int(match.group(2)))
    ):
        await query.answer(_("Tombol ini sudah tidak berlaku. Ketik /jadwal untuk jadwal terbaru."))
        return
    action, argument = match.group(3), match.group(4)
    if action == "no" and argument is None:
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
            account = await accounts.find(session, update.effective_user.id)
            assert account is not None
            accounts.set_step(
                account, "home_visit", summons_id=summons.id, revision=summons.revision
            )
        await query.answer()
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "Tuliskan singkat mengapa perlu kunjungan ke rumah (misalnya: disabilitas, sakit). "
                "Petugas akan menghubungi Anda."
            ),
        )
    elif action in _ACTIONS:
        await apply_answer(update, context, account, summons, _ACTIONS[action], argument)
    else:
        await query.answer(_("Tombol ini sudah tidak berlaku. Ketik /jadwal untuk jadwal terbaru."))


async def apply_answer(
    update: Update,
    context: BotContext,
    account: Account,
    summons: SummonsView,
    action: str,
    argument: str | None,
) -> None:
    """Change the summons and show the result: the pressed message edited, or a new summons."""
    _ = context.gettext
    settings = context.settings
    async with context.session() as session:
        outcome = await summonses.respond(
            session,
            summons_id=summons.id,
            revision=summons.revision,
            target_ids={summons.target_id},
            action=action,
            argument=argument,
            actor=Actor.TEEN,
            account_id=account.id,
            now=_now(),
            deadline=summonses.deadline_for(settings.election_date, settings.zone),
            policy=notices.Policy.of(settings),
        )
        fresh = await summonses.view(session, summons.id)
    query = update.callback_query
    if outcome == Outcome.STALE or fresh is None:
        if query:
            await query.answer(
                _("Tombol ini sudah tidak berlaku. Ketik /jadwal untuk jadwal terbaru.")
            )
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
            views.summons_text(fresh, _, context.language, settings.zone),
            reply_markup=views.summons_keyboard(fresh, _),
        )
        return
    if query is not None:
        await query.answer(thanks.get(fresh.state, ""))
        await query.edit_message_text(_("Jadwal Anda sudah diganti. Jadwal baru:"))
    else:
        await context.bot.send_message(account.telegram_id, thanks.get(fresh.state, ""))
    if action == "move":
        await send_summons(context, account.telegram_id, fresh)


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
    app.add_handler(CallbackQueryHandler(press_summons_button, pattern=r"^sm:"))
