"""Replies several features send alike: a summons with its pin, the sessions one may move to,
the welcome after linking."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from telegram import KeyboardButton, ReplyKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.dates import DateError, DateProblem, parse_day_and_hours
from bot.i18n import N_, Gettext
from bot.presentation import privacy
from bot.presentation import schedule as schedule_views
from bot.presentation import summons as views
from bot.services import schedule, summonses
from bot.services.registration import Linked
from bot.services.summonses import SummonsView


async def send_summons(
    context: BotContext, chat_id: int, summons: SummonsView, *, parent: bool = False
) -> None:
    """The summons message with its buttons, then the place's pin when it has coordinates."""
    _ = context.gettext
    await context.bot.send_message(
        chat_id,
        views.summons_text(summons, _, context.language, context.office.zone, parent=parent),
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
    zone = context.office.zone
    async with context.session() as session:
        options = await summonses.move_options(
            session,
            exclude=summons.session_id,
            now=context.clock.now(),
            deadline=context.office.deadline,
            target_id=summons.target_id,
            zone=zone,
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
        reply_markup=views.options_keyboard(summons, options, _, context.language, zone),
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


# --- a session's day and hours, typed by staff (new session, moved session) ---------------

_WHEN_PROBLEMS = {
    DateProblem.PAST: N_("Tanggal itu sudah lewat. Tulis tanggal hari ini atau sesudahnya."),
    DateProblem.BAD_HOURS: N_("Jam selesai harus sesudah jam mulai, misalnya 08.00-11.00."),
}


def when_example(context: BotContext, _: Gettext, *, seats: bool) -> str:
    """An example line whose date is always ahead (tomorrow), never one already past."""
    day = (context.clock.today() + timedelta(days=1)).strftime("%d-%m-%Y")
    if seats:
        return str(_("misalnya: {day} 08.00-11.00 50").format(day=day))
    return str(_("misalnya: {day} 08.00-11.00").format(day=day))


def when_problem(error: DateError, _: Gettext) -> str:
    said = _WHEN_PROBLEMS.get(error.problem)
    return str(_(said)) if said else str(_("Format tanggal dan jam tidak dikenali."))


def typed_when(
    context: BotContext, text: str, deadline: datetime, *, seats: bool
) -> tuple[datetime, datetime, str] | str:
    """A typed "day hours [rest]", checked now: (starts, ends, rest), or what is wrong with it
    with an example, for staff to retype while the question stays open."""
    _ = context.gettext
    try:
        day, start, end, rest = parse_day_and_hours(text, today=context.clock.today())
    except DateError as error:
        return when_problem(error, _) + " " + when_example(context, _, seats=seats)
    zone = context.office.zone
    starts, ends = _at(day, start, zone), _at(day, end, zone)
    refused = schedule.check_hours(starts, ends, now=context.clock.now(), deadline=deadline)
    if refused is not None:  # the service's rule, asked now so staff retype at once
        return schedule_views.refusal(refused, _, context.language, deadline, zone)
    return starts, ends, rest


def _at(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)
