"""Replies several features send alike: a summons with its pin, the sessions one may move to,
the welcome after linking."""

from __future__ import annotations

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update

from bot.context import BotContext
from bot.presentation import privacy
from bot.presentation import summons as views
from bot.services import summonses
from bot.services.registration import Linked
from bot.services.summonses import SummonsView


async def send_summons(
    context: BotContext, chat_id: int, summons: SummonsView, *, parent: bool = False
) -> None:
    """The summons message with its buttons, then the place's pin when it has coordinates."""
    _ = context.gettext
    await context.bot.send_message(
        chat_id,
        views.summons_text(summons, _, context.language, context.settings.zone, parent=parent),
        reply_markup=views.summons_keyboard(summons, _, parent=parent),
    )
    if summons.latitude is not None and summons.longitude is not None:
        await context.bot.send_venue(
            chat_id,
            latitude=summons.latitude,
            longitude=summons.longitude,
            title=summons.place,
            address=summons.address or summons.place,
        )


async def offer_sessions(context: BotContext, chat_id: int, summons: SummonsView) -> None:
    """Sessions with free places to move to, one button each."""
    _ = context.gettext
    settings = context.settings
    async with context.session() as session:
        options = await summonses.move_options(
            session,
            exclude=summons.session_id,
            now=context.clock.now(),
            deadline=summonses.deadline_for(settings.election_date, settings.zone),
            target_id=summons.target_id,
            zone=settings.zone,
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


async def welcome_linked(update: Update, context: BotContext, linked: Linked) -> None:
    """Greet by name, then the summons if there is one (its reminders were queued with the
    link), then the phone question, the last message of linking."""
    assert update.effective_user
    _ = context.gettext
    chat_id = update.effective_user.id
    await context.bot.send_message(
        chat_id,
        _(
            "Halo, {name}! Akun Telegram Anda sekarang terhubung dengan data perekaman KTP-el Anda."
        ).format(name=linked.name),
    )
    if linked.summons is not None:
        await send_summons(context, chat_id, linked.summons)
    await context.bot.send_message(
        chat_id,
        _(
            "Agar petugas bisa menghubungi Anda bila jadwal berubah, Anda boleh membagikan nomor "
            "telepon lewat tombol di bawah (tidak wajib)."
        )
        + "\n\n"
        + privacy.teen_notice(context.settings, _, context.language),
        reply_markup=ReplyKeyboardMarkup(
            [
                [KeyboardButton(_("📱 Bagikan nomor telepon"), request_contact=True)],
                [KeyboardButton(_("Lewati"))],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        ),
    )
