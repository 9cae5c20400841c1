"""Staff planning in Telegram: a new session at a known place, more seats for a session, and
the summons of every unsummoned teen, shown as a dry run first. Each typed answer is checked
when it is typed; a mistake is explained and the question stays open."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain.steps import Step
from bot.handlers.access import Member, guarded
from bot.handlers.replies import typed_when, when_example
from bot.i18n import format_day, format_hours
from bot.presentation import keyboards
from bot.presentation import schedule as schedule_views
from bot.presentation.buttons import (
    SESSIONS,
    SUMMONING,
    AddSeats,
    CreateSession,
    DropChange,
    NewSessionAt,
    RunSummons,
)
from bot.presentation.texts import shorten
from bot.services import conversations, schedule, summoning
from bot.services.conversations import Conversation
from bot.services.schedule import Change


@guarded("sessions")
async def pick_place(update: Update, context: BotContext, member: Member) -> None:
    """➕ Jadwal baru: at which place."""
    assert update.effective_chat
    _ = context.gettext
    if update.callback_query:
        await update.callback_query.answer()
    async with context.session() as session:
        found = await schedule.places(session)
    if not found:
        await update.effective_chat.send_message(
            _("Belum ada tempat. Impor jadwal dulu: rekam import sessions BERKAS")
        )
        return
    rows = [
        [InlineKeyboardButton(shorten(p.name), callback_data=SESSIONS.encode(NewSessionAt(p.id)))]
        for p in found
    ]
    await update.effective_chat.send_message(
        _("Di mana jadwal baru itu?"), reply_markup=InlineKeyboardMarkup(rows)
    )


@guarded("sessions")
async def ask_when(update: Update, context: BotContext, member: Member) -> None:
    """The place is chosen: ask the day, the hours and the seats in one line."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    _ = context.gettext
    await query.answer()
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.go(
            session,
            convo.account_id,
            Step.SESSION_NEW,
            place_id=SESSIONS.read(query.data, NewSessionAt).place_id,
        )
    await update.effective_chat.send_message(
        _("Tulis tanggal, jam dan jumlah tempat ({example}). Ketik /staf untuk batal.").format(
            example=when_example(context, _, seats=True)
        )
    )


@guarded("sessions")
async def check_new(update: Update, context: BotContext, member: Member) -> None:
    """The typed line: checked now; a mistake keeps the question open."""
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    checked = typed_when(context, message.text, context.office.deadline, seats=True)
    if isinstance(checked, str):
        await message.reply_text(checked)
        return
    starts, ends, rest = checked
    if not rest.isdigit():
        await message.reply_text(
            _("Tulis juga jumlah tempatnya di akhir ({example}).").format(
                example=when_example(context, _, seats=True)
            )
        )
        return
    if (refused := schedule.check_seats(int(rest))) is not None:  # the service's rule
        deadline, zone = context.office.deadline, context.office.zone
        await message.reply_text(
            schedule_views.refusal(refused, _, context.language, deadline, zone)
        )
        return
    zone = context.office.zone
    day = starts.astimezone(zone).date()
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is None or convo.step != Step.SESSION_NEW:
            return
        await conversations.go(
            session,
            convo.account_id,
            Step.SESSION_NEW_CONFIRM,
            after=convo.step,
            place_id=convo.data["place_id"],
            starts=starts.isoformat(),
            ends=ends.isoformat(),
            capacity=int(rest),
        )
    await message.reply_text(
        _("Buat jadwal {day} {hours} dengan {capacity} tempat?").format(
            day=format_day(day, context.language),
            hours=format_hours(starts, ends, context.language, zone),
            capacity=int(rest),
        ),
        reply_markup=keyboards.confirm(
            _, _("✅ Ya, buat"), SESSIONS.encode(CreateSession()), SESSIONS.encode(DropChange())
        ),
    )


async def type_new(update: Update, context: BotContext, convo: Conversation) -> None:
    """The new session's line (the sender's role is checked again by `check_new`)."""
    await check_new(update, context)


@guarded("sessions")
async def create(update: Update, context: BotContext, member: Member) -> None:
    """✅ Ya, buat."""
    query = update.callback_query
    assert query and update.effective_user and update.effective_chat
    _ = context.gettext
    outcome = Change.GONE
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.end(session, convo.account_id)
        if convo.step == Step.SESSION_NEW_CONFIRM:
            outcome, _created = await schedule.create(
                session,
                int(convo.data["place_id"]),
                starts_at=datetime.fromisoformat(str(convo.data["starts"])),
                ends_at=datetime.fromisoformat(str(convo.data["ends"])),
                capacity=int(convo.data["capacity"]),
                now=context.clock.now(),
                deadline=context.office.deadline,
                by=member.telegram_id,
            )
    await query.answer()
    await query.edit_message_reply_markup(None)
    if outcome == Change.DONE:
        text = _("✅ Jadwal dibuat. Remaja di daftar tunggu ditawari tempatnya.")
    elif outcome == Change.GONE:
        text = _("Jadwal ini sudah tidak bisa dibuat; mulai lagi dengan /sesi.")
    else:  # the schedule service's reason, as the dashboard says it
        text = (
            schedule_views.refusal(
                outcome, _, context.language, context.office.deadline, context.office.zone
            )
            + " "
            + _("Mulai lagi dengan /sesi.")
        )
    await update.effective_chat.send_message(text)


@guarded("sessions")
async def ask_capacity(update: Update, context: BotContext, member: Member) -> None:
    """➕ Tambah tempat: how many seats in all."""
    query = update.callback_query
    assert query and query.data and update.effective_user and update.effective_chat
    await query.answer()
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.go(
            session,
            convo.account_id,
            Step.SESSION_CAPACITY,
            session_id=SESSIONS.read(query.data, AddSeats).session_id,
        )
    await update.effective_chat.send_message(
        context.gettext("Tulis jumlah tempat yang baru (seluruhnya), misalnya 80.")
    )


@guarded("sessions")
async def set_capacity(update: Update, context: BotContext, member: Member) -> None:
    message = update.effective_message
    assert message and message.text and update.effective_user
    _ = context.gettext
    typed = message.text.strip()
    if not typed.isdigit() or len(typed) > 9:  # the number itself is the service's to judge
        await message.reply_text(_("Tulis satu angka, misalnya 80."))
        return
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is None or convo.step != Step.SESSION_CAPACITY:
            return
        outcome = await schedule.enlarge(
            session, int(convo.data["session_id"]), int(typed), by=member.telegram_id
        )
        if outcome not in (Change.FEWER, Change.NO_SEATS, Change.TOO_MANY_SEATS):  # type again
            await conversations.end(session, convo.account_id)
    if outcome == Change.DONE:
        await message.reply_text(_("✅ Sekarang {count} tempat.").format(count=int(typed)))
    else:
        await message.reply_text(
            schedule_views.refusal(
                outcome, _, context.language, context.office.deadline, context.office.zone
            )
        )


async def type_capacity(update: Update, context: BotContext, convo: Conversation) -> None:
    await set_capacity(update, context)


@guarded("summon")
async def summon_preview(update: Update, context: BotContext, member: Member) -> None:
    """📣 Panggil sasaran: what a summons now would do, nothing written yet."""
    assert update.effective_chat
    _ = context.gettext
    if update.callback_query:
        await update.callback_query.answer()
    async with context.session() as session:
        plan = await summoning.summon_all(
            session,
            now=context.clock.now(),
            deadline=context.office.deadline,
            policy=context.office.policy,
            dry_run=True,
        )
    lines = [
        _(
            "Jika diteruskan: {summoned} remaja akan dipanggil ke {sessions} jadwal; {waiting} menunggu "
            "tempat."
        ).format(summoned=plan.summoned, sessions=plan.sessions, waiting=plan.waiting)
    ]
    lines += [
        _("Kurang tempat: {area}: {count} remaja.").format(
            area=", ".join(a for a in (s.kelurahan, s.kecamatan) if a) or "?", count=s.teens
        )
        for s in plan.shortages[:10]
    ]
    if not plan.summoned:
        await update.effective_chat.send_message("\n".join(lines))
        return
    await update.effective_chat.send_message(
        "\n".join(lines),
        reply_markup=keyboards.confirm(
            _,
            _("📣 Panggil sekarang"),
            SUMMONING.encode(RunSummons("run")),
            SUMMONING.encode(RunSummons("drop")),
        ),
    )


@guarded("summon")
async def summon_run(update: Update, context: BotContext, member: Member) -> None:
    """The confirmation: summon for real (the plan is made again: seats may have changed)."""
    query = update.callback_query
    assert query and query.data and update.effective_chat
    _ = context.gettext
    await query.answer()
    await query.edit_message_reply_markup(None)
    if SUMMONING.read(query.data, RunSummons).choice != "run":
        await update.effective_chat.send_message(_("Tidak ada yang dipanggil."))
        return
    async with context.session() as session:
        done = await summoning.summon_all(
            session,
            now=context.clock.now(),
            deadline=context.office.deadline,
            policy=context.office.policy,
            dry_run=False,
            by=str(member.telegram_id),
        )
    await update.effective_chat.send_message(
        _(
            "✅ {summoned} remaja dipanggil; pesan sedang dikirim ke {queued} remaja yang di Telegram."
        ).format(summoned=done.summoned, queued=done.messages_queued)
    )
