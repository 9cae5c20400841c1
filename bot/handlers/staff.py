"""Staff in Telegram: /staf, today's sessions, attendance (QR deep link, /hadir, typed codes),
/statistik, and admins managing staff. Every action reads the role from the database at the
moment it is taken; anyone else gets the ordinary "unknown command" answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode

from bot.context import BotContext
from bot.domain.kinds import Channel
from bot.domain.steps import Step
from bot.handlers.access import Member, guarded
from bot.i18n import Gettext
from bot.presentation import buttons, charts
from bot.presentation import staff as staff_views
from bot.services import conversations, figures, lockout, staff, web_access

HADIR = r"^/start hadir_[A-Za-z0-9]{6,16}$"


def _item(name: buttons.MenuName) -> str:
    return buttons.STAFF_MENU.encode(buttons.MenuItem(name))


def menu_keyboard(_: Gettext, member: Member) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(_("📋 Jadwal hari ini"), callback_data=_item("today"))],
        [InlineKeyboardButton(_("✅ Catat kehadiran"), callback_data=_item("attend"))],
        [InlineKeyboardButton(_("🧾 Meja perekaman"), callback_data=_item("desk"))],
        [InlineKeyboardButton(_("📢 Kirim siaran"), callback_data=_item("broadcast"))],
        [
            InlineKeyboardButton(
                _("🗓️ Jadwal: buat, tambah tempat, pindah, batalkan"),
                callback_data=_item("sessions"),
            )
        ],
        [InlineKeyboardButton(_("📣 Panggil sasaran"), callback_data=_item("summon"))],
        [InlineKeyboardButton(_("📊 Statistik"), callback_data=_item("stats"))],
        [
            InlineKeyboardButton(
                _("👪 Permintaan terhubung dari orang tua"), callback_data=_item("parents")
            )
        ],
        [InlineKeyboardButton(_("🔎 Tinjau pendaftaran"), callback_data=_item("review"))],
        [InlineKeyboardButton(_("🏠 Kunjungan rumah"), callback_data=_item("homevisits"))],
        [InlineKeyboardButton(_("🖥️ Dasbor web"), callback_data=_item("dasbor"))],
    ]
    if member.is_admin:
        rows.append([InlineKeyboardButton(_("👥 Petugas"), callback_data=_item("staff"))])
    return InlineKeyboardMarkup(rows)


@guarded("staf")
async def show_menu(update: Update, context: BotContext, member: Member) -> None:
    """/staf: what staff can do here."""
    assert update.effective_message and update.effective_user
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.end(session, convo.account_id)
    _ = context.gettext
    await update.effective_message.reply_text(
        _("Menu petugas {office}:").format(office=context.settings.office_name),
        reply_markup=menu_keyboard(_, member),
    )


async def _reply(update: Update, text: str, **kwargs: object) -> None:
    """Answer a button press or a command the same way: a new message in the chat."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    assert update.effective_chat
    await update.effective_chat.send_message(text, **kwargs)  # type: ignore[arg-type]


@guarded("today")
async def show_today(update: Update, context: BotContext, member: Member) -> None:
    """Today's sessions with summoned / confirmed / attended counts."""
    _ = context.gettext
    zone, language = context.office.zone, context.language
    today = context.clock.today()
    start = datetime.combine(today, time(0), tzinfo=zone)
    async with context.session() as session:
        sessions = await staff.sessions_between(session, start, start + timedelta(days=1))
    await _reply(update, staff_views.today(today, sessions, _, language, zone))


@guarded("attend")
async def ask_code(update: Update, context: BotContext, member: Member) -> None:
    """Attendance by typing: every code typed next is marked, until /staf."""
    await _take_codes(update, context)


async def _take_codes(update: Update, context: BotContext) -> None:
    assert update.effective_user
    async with context.session() as session:
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        await conversations.go(session, convo.account_id, Step.STAFF_CODE)
    await _reply(
        update,
        context.gettext(
            "Ketik kode kehadiran remaja (8 huruf/angka), atau pindai QR-nya dengan kamera. "
            "Setiap kode yang Anda ketik akan dicatat; ketik /staf untuk selesai."
        ),
    )


async def _mark(
    update: Update, context: BotContext, member: Member, code: str, *, any_day: bool = False
) -> None:
    assert update.effective_chat
    _ = context.gettext
    async with context.session() as session:
        marked = await staff.mark_attended(
            session,
            code,
            staff_id=member.telegram_id,
            now=context.clock.now(),
            zone=context.office.zone,
            any_day=any_day,
        )
    await update.effective_chat.send_message(
        staff_views.marked(marked, code, _, context.language, context.office.zone),
        reply_markup=staff_views.other_day_keyboard(code, _)
        if marked.outcome == staff.Attendance.OTHER_DAY
        else None,
    )


@guarded("hadir")
async def decide_other_day(update: Update, context: BotContext, member: Member) -> None:
    """A teen summoned for another day: staff record them anyway, or not."""
    query = update.callback_query
    assert query and query.data
    decision = buttons.ATTENDANCE.read(query.data, buttons.OtherDay)
    await query.answer()
    await query.edit_message_reply_markup(None)
    if decision.verdict == "ok":
        await _mark(update, context, member, decision.code, any_day=True)
    else:
        assert update.effective_chat
        await update.effective_chat.send_message(
            context.gettext("Tidak dicatat. Minta ia datang pada jadwalnya, atau pilih /ganti.")
        )


@guarded("hadir")
async def attend_by_link(update: Update, context: BotContext, member: Member) -> None:
    """/start hadir_<code>: the teen's QR scanned by a staff phone."""
    assert context.args
    await _mark(update, context, member, context.args[0].removeprefix("hadir_"))


@guarded("hadir")
async def attend_by_command(update: Update, context: BotContext, member: Member) -> None:
    """/hadir CODE."""
    assert update.effective_message
    if not context.args:
        await _take_codes(update, context)
        return
    await _mark(update, context, member, context.args[0])


@guarded("attend_typed")
async def answer_code(update: Update, context: BotContext, member: Member) -> None:
    """A code typed while taking attendance (the role is checked again when it arrives)."""
    assert update.effective_message and update.effective_message.text
    await _mark(update, context, member, update.effective_message.text)


@guarded("statistik")
async def show_figures(update: Update, context: BotContext, member: Member) -> None:
    """/statistik: target, recorded, remaining and % per kelurahan (or, from its buttons, per
    kecamatan or school), every state in the totals, and a chart."""
    _ = context.gettext
    query = update.callback_query
    by = (
        buttons.FIGURES.read(query.data, buttons.FiguresBy).by
        if query and query.data
        else figures.By.KELURAHAN
    )
    lines = await figures.report(context.services.db.reading, by)
    whole = figures.total(lines)
    header = staff_views.figures_header(whole, _, context.language)
    await _reply(
        update,
        staff_views.figures_table(header, lines, _, context.language, by)
        + "\n"
        + staff_views.figure_states(whole, _, context.language, context.settings.phones),
        parse_mode=ParseMode.HTML,
        reply_markup=staff_views.figures_keyboard(by, _),
    )
    if lines:
        assert update.effective_chat
        image = charts.progress_bars(
            [(line.area or "—", line.percent) for line in lines[:25]],
            title=staff_views.chart_title(by, _),
            language=context.language,
        )
        await update.effective_chat.send_photo(
            InputFile(image, filename="statistik.png"), caption=header
        )


@guarded("unlock")
async def unlock(update: Update, context: BotContext, member: Member) -> None:
    """/buka_kunci KODE_ATAU_NIK: the owner came to the desk; guessing there is allowed again."""
    assert update.effective_message
    _ = context.gettext
    if not context.args:
        await update.effective_message.reply_text(_("Tulis: /buka_kunci KODE_ATAU_NIK"))
        return
    async with context.session() as session:
        lifted = await lockout.lift_typed(
            session,
            context.args[0],
            by=member.telegram_id,
            channel=Channel.TELEGRAM,
            now=context.clock.now(),
        )
    lines = []
    if lifted.subject_locked:
        lines.append(_("✅ Kode atau NIK itu tidak terkunci lagi: siapa pun bisa mencobanya lagi."))
    if lifted.people:
        lines.append(
            _(
                "✅ {count} orang yang terkunci karena salah mencobanya bisa mencoba lagi sekarang."
            ).format(count=lifted.people)
        )
    if not lifted.anything:
        lines.append(
            _(
                "Tidak ada yang terkunci untuk kode atau NIK itu. Percobaan yang salah sebelum "
                "ini tidak dihitung lagi."
            )
        )
    await update.effective_message.reply_text("\n".join(lines))


@guarded("staff_list", admin=True)
async def show_staff(update: Update, context: BotContext, member: Member) -> None:
    """Admins: who is staff, and how to add or remove someone."""
    _ = context.gettext
    async with context.session() as session:
        members = await staff.everyone(session)
    lines = [_("Petugas:")]
    lines += [
        f"• {m.name or '—'} · {m.telegram_id}" + (_(" (admin)") if m.is_admin else "")
        for m in members
    ]
    lines.append(
        _("Tambah: /petugas_tambah ID_TELEGRAM [admin]\nHapus: /petugas_hapus ID_TELEGRAM")
    )
    lines.append(
        _(
            "Tidak tahu ID Telegram-nya? Buat tautan undangan di dasbor (halaman Petugas) atau "
            "dengan: rekam staff invite"
        )
    )
    await _reply(update, "\n".join(lines))


def _telegram_id(context: BotContext) -> int | None:
    text = context.args[0] if context.args else ""
    return int(text) if text.isdigit() and len(text) <= 15 else None


@guarded("staff_add", admin=True)
async def add_staff(update: Update, context: BotContext, member: Member) -> None:
    """/petugas_tambah ID [admin]."""
    assert update.effective_message
    _ = context.gettext
    telegram_id = _telegram_id(context)
    if telegram_id is None:
        await update.effective_message.reply_text(_("Tulis: /petugas_tambah ID_TELEGRAM [admin]"))
        return
    admin = len(context.args or []) > 1 and context.args[1].casefold() == "admin"  # type: ignore[index]
    async with context.session() as session:
        change = await staff.add(
            session, telegram_id, admin=admin, by=member.telegram_id, channel=Channel.TELEGRAM
        )
    await update.effective_message.reply_text(
        staff_views.roster(change, telegram_id, admin=admin, removing=False, _=_)
    )


@guarded("staff_remove", admin=True)
async def remove_staff(update: Update, context: BotContext, member: Member) -> None:
    """/petugas_hapus ID."""
    assert update.effective_message
    _ = context.gettext
    telegram_id = _telegram_id(context)
    if telegram_id is None:
        await update.effective_message.reply_text(_("Tulis: /petugas_hapus ID_TELEGRAM"))
        return
    async with context.session() as session:
        change = await staff.remove(
            session, telegram_id, by=member.telegram_id, channel=Channel.TELEGRAM
        )
    await update.effective_message.reply_text(
        staff_views.roster(change, telegram_id, admin=False, removing=True, _=_)
    )


@guarded("dasbor")
async def send_dashboard_link(update: Update, context: BotContext, member: Member) -> None:
    """/dasbor: a one-time link into the web dashboard, for this staff member only."""
    async with context.session() as session:
        token = await web_access.issue_link(session, member.telegram_id, now=context.clock.now())
    link = f"{context.settings.dashboard_url}/masuk/{token}"
    await _reply(
        update,
        context.gettext(
            "Tautan masuk dasbor (sekali pakai, berlaku 10 menit, hanya untuk Anda):\n{link}\n\n"
            "Jangan teruskan tautan ini. Minta lagi dengan /dasbor."
        ).format(link=link),
    )


# The /staf menu items answered here (the others open their own feature).
MENU: dict[buttons.MenuName, Callable[[Update, BotContext], Awaitable[None]]] = {
    "today": show_today,
    "attend": ask_code,
    "stats": show_figures,
    "staff": show_staff,
    "dasbor": send_dashboard_link,
}


async def menu_button(update: Update, context: BotContext) -> None:
    """A button of the staff menu (each action checks the role itself)."""
    query = update.callback_query
    assert query and query.data
    await MENU[buttons.STAFF_MENU.read(query.data, buttons.MenuItem).item](update, context)
