"""Becoming a known teen: the by-name invitation link, and /daftar step by step."""

from __future__ import annotations

from datetime import UTC, date, datetime

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.context import BotContext
from bot.db.models import Account
from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, DateProblem, parse_birth_date
from bot.domain.eligibility import eligibility
from bot.domain.kinds import PreferredDays, Role
from bot.domain.steps import Step
from bot.handlers.summons import send_summons
from bot.i18n import N_, Gettext, format_day
from bot.services import accounts, conversations, notices, registration, summonses
from bot.services.outbox import Recipient
from bot.services.registration import Claim, Registration

TRIES = 3
_INVITE_PAYLOAD = r"^/start [A-Za-z0-9]{6,16}$"
PREFERENCE_LABELS = {
    PreferredDays.WEEKDAY: N_("Hari kerja (Senin–Jumat)"),
    PreferredDays.WEEKEND: N_("Akhir pekan (Sabtu–Minggu)"),
    PreferredDays.SCHOOL: N_("Saat petugas datang ke sekolah"),
    PreferredDays.ANY: N_("Kapan saja"),
}
NIK_PROBLEMS = {
    nik_rules.NikProblem.NOT_DIGITS: N_("NIK hanya berisi angka. Coba tulis lagi."),
    nik_rules.NikProblem.WRONG_LENGTH: N_(
        "NIK harus 16 angka; yang Anda tulis {count} angka. Coba tulis lagi."
    ),
    nik_rules.NikProblem.BAD_DATE: N_(
        "NIK itu tidak berisi tanggal lahir yang benar. Periksa "
        "lagi di Kartu Keluarga, lalu tulis lagi."
    ),
    nik_rules.NikProblem.OUTSIDE_REGION: N_(
        "NIK itu terdaftar di luar wilayah kantor ini. "
        "Silakan mendaftar di Dukcapil daerah asal NIK Anda."
    ),
}
DATE_PROBLEMS = {
    DateProblem.UNREADABLE: N_("Tanggal itu tidak terbaca. Contoh: 12-03-2008 atau 12 Maret 2008."),
    DateProblem.IMPOSSIBLE: N_("Tanggal itu tidak ada di kalender. Periksa lagi, lalu tulis lagi."),
    DateProblem.FUTURE: N_(
        "Tanggal lahir tidak bisa di masa depan. Periksa lagi, lalu tulis lagi."
    ),
}


def _now() -> datetime:
    return datetime.now(UTC)


def _ask_date(_: Gettext) -> str:
    return _("Tulis tanggal lahir Anda (contoh: 12-03-2008 atau 12 Maret 2008).")


def _preference_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(label), callback_data=f"pref:{choice.value}")]
            for choice, label in PREFERENCE_LABELS.items()
        ]
    )


async def _ensure(update: Update, context: BotContext) -> Account:
    assert update.effective_user
    async with context.session() as session:
        return await accounts.ensure(session, update.effective_user.id, context.language)


# --- the by-name invitation ----------------------------------------------------------------


async def open_invitation(update: Update, context: BotContext) -> None:
    """/start <code>: an invitation link; ask for the birth date before linking anything."""
    assert update.effective_message and update.effective_user and context.args
    _ = context.gettext
    code = context.args[0].upper()
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        target = await registration.target_of(session, account)
        if target is None:
            accounts.set_step(account, "invite_date", code=code, tries=0)
    if target is not None:
        await update.effective_message.reply_text(
            _(
                "Akun ini sudah terhubung dengan data {name}. Ketik /jadwal untuk jadwal Anda."
            ).format(name=target.name)
        )
        return
    await update.effective_message.reply_text(
        _(
            "Halo! Anda membuka undangan perekaman KTP-el dari {office}. Untuk memastikan ini benar "
            "Anda, tulis tanggal lahir Anda (contoh: 12-03-2008).\n\nGanti bahasa: /bahasa"
        ).format(office=context.settings.office_name)
    )


async def answer_invitation(update: Update, context: BotContext, account: Account) -> None:
    """The birth date for an invitation: link, or one neutral answer whatever was wrong."""
    assert update.effective_message and update.effective_message.text
    _ = context.gettext
    data = accounts.step_data(account)
    try:
        born = parse_birth_date(update.effective_message.text, today=_today(context))
    except DateError as error:
        await update.effective_message.reply_text(_(DATE_PROBLEMS[error.problem]))
        return
    async with context.session() as session:
        result = await registration.claim_invitation(
            session, account.telegram_id, data["code"], born, now=context.clock.now()
        )
        if result.outcome == Claim.LOCKED:
            await conversations.end(session, account.id)
    if result.outcome == Claim.LINKED:
        assert result.target_id is not None and result.name is not None
        await _welcome_linked(update, context, result.target_id, result.name)
    elif result.outcome == Claim.LOCKED:
        await update.effective_message.reply_text(
            _(
                "Maaf, data tidak cocok. Untuk keamanan, coba lagi setelah satu jam, atau datang ke "
                "kantor Dukcapil dengan membawa Kartu Keluarga."
            )
        )
    else:
        await update.effective_message.reply_text(
            _(
                "Maaf, kode undangan atau tanggal lahir tidak cocok. Periksa surat undangan Anda, "
                "lalu tulis lagi tanggal lahir Anda."
            )
        )


async def _welcome_linked(update: Update, context: BotContext, target_id: int, name: str) -> None:
    """Greet by name, then the summons if there is one, else ask which days suit them."""
    assert update.effective_user
    _ = context.gettext
    chat_id = update.effective_user.id
    await context.bot.send_message(
        chat_id,
        _(
            "Halo, {name}! Akun Telegram Anda sekarang terhubung dengan data perekaman KTP-el Anda."
        ).format(name=name),
    )
    async with context.session() as session:
        summons = await summonses.for_target(session, target_id)
        account = await accounts.find(session, chat_id)
        assert account is not None
        accounts.set_step(account, "phone")
        if summons is not None:
            # Linked after the summons went out: shown below at once; the reminders still
            # ahead are queued, so nobody is silently skipped.
            await notices.linked_late(
                session,
                Recipient(chat_id, account.language, account.id),
                summons_id=summons.id,
                session_id=summons.session_id,
                starts_at=summons.starts_at,
                policy=notices.Policy.of(context.settings),
                now=_now(),
                include_summons=False,
            )
    if summons is not None:
        await send_summons(context, chat_id, summons)
    await context.bot.send_message(
        chat_id,
        _(
            "Agar petugas bisa menghubungi Anda bila jadwal berubah, Anda boleh membagikan nomor "
            "telepon lewat tombol di bawah (tidak wajib)."
        ),
        reply_markup=ReplyKeyboardMarkup(
            [
                [KeyboardButton(_("📱 Bagikan nomor telepon"), request_contact=True)],
                [KeyboardButton(_("Lewati"))],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        ),
    )


async def share_phone(update: Update, context: BotContext) -> None:
    """A contact from the phone-number button: kept only if it is the sender's own number."""
    message = update.effective_message
    assert message and message.contact and update.effective_user
    _ = context.gettext
    if message.contact.user_id != update.effective_user.id:
        await message.reply_text(
            _("Kirim nomor Anda sendiri lewat tombol 📱, bukan kontak orang lain.")
        )
        return
    async with context.session() as session:
        account = await accounts.find(session, update.effective_user.id)
        if account is None or account.target_id is None:
            return
        accounts.save_phone(session, account, message.contact.phone_number)
        accounts.clear_step(account)
    await message.reply_text(
        _("Terima kasih, nomor Anda sudah disimpan."), reply_markup=ReplyKeyboardRemove()
    )


async def skip_phone(update: Update, context: BotContext, account: Account) -> None:
    """Any text while the phone button is offered: no number, keyboard away."""
    assert update.effective_message
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        if fresh is not None:
            accounts.clear_step(fresh)
    await update.effective_message.reply_text(
        context.gettext("Baik. Ketik /jadwal kapan saja untuk melihat jadwal Anda."),
        reply_markup=ReplyKeyboardRemove(),
    )


# --- /daftar --------------------------------------------------------------------------------


def _today(context: BotContext) -> date:
    return datetime.now(context.settings.zone).date()


async def start_registration(update: Update, context: BotContext) -> None:
    """/daftar: the privacy notice first, then NIK, birth date, name and preferred days."""
    assert update.effective_message
    _ = context.gettext
    account = await _ensure(update, context)
    async with context.session() as session:
        target = await registration.target_of(session, account)
    if target is not None:
        await update.effective_message.reply_text(
            _("Anda sudah terdaftar sebagai {name}. Ketik /jadwal untuk jadwal Anda.").format(
                name=target.name
            )
        )
        return
    async with context.session() as session:
        locked = await registration.registration_lock(
            session, account.telegram_id, None, now=context.clock.now()
        )
    if locked is not None:
        await update.effective_message.reply_text(
            _(
                "Untuk keamanan, pendaftaran ditunda sementara. Coba lagi nanti, atau datang ke "
                "kantor Dukcapil dengan membawa Kartu Keluarga."
            )
        )
        return
    await update.effective_message.reply_text(
        _(
            "Sebelum mendaftar, mohon baca:\n"
            "• Yang kami simpan: NIK, nama, tanggal lahir, pilihan hari, dan akun Telegram Anda.\n"
            "• Untuk apa: memanggil Anda ke jadwal perekaman KTP-el dan mengingatkan Anda.\n"
            "• Berapa lama: sampai setelah hari pemungutan suara ({election}); setelah itu dihapus, "
            "kecuali catatan perekaman yang wajib disimpan kantor.\n"
            "• Siapa yang melihat: petugas {office}, dan orang tua/wali yang Anda tautkan.\n"
            "Anda bisa menghapus data Anda kapan saja dengan /hapus.\n\n"
            "Apakah Anda setuju?"
        ).format(
            election=format_day(context.settings.election_date, context.language),
            office=context.settings.office_name,
        ),
        reply_markup=InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(_("✅ Saya setuju"), callback_data="consent:yes")],
                [InlineKeyboardButton(_("❌ Tidak setuju"), callback_data="consent:no")],
            ]
        ),
    )


async def answer_consent(update: Update, context: BotContext) -> None:
    """The consent buttons: record consent and ask for the NIK, or stop kindly."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    await query.answer()
    if query.data != "consent:yes":
        await query.edit_message_text(
            _(
                "Baik, tidak ada data yang disimpan. Anda tetap bisa datang langsung ke kantor "
                "Dukcapil membawa Kartu Keluarga."
            )
        )
        return
    async with context.session() as session:
        account = await accounts.ensure(session, update.effective_user.id, context.language)
        if account.target_id is not None:
            return
        registration.record_consent(session, account.id)
        accounts.set_step(account, "nik", tries=0)
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(
        update.effective_user.id,
        _("Terima kasih. Tulis NIK Anda (16 angka, ada di Kartu Keluarga)."),
    )


async def answer_nik(update: Update, context: BotContext, account: Account) -> None:
    """The NIK: its form is checked here; whether it is on the list is never said."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    try:
        parsed = nik_rules.parse(
            message.text, today=_today(context), regions=context.settings.office_region_codes
        )
    except nik_rules.NikError as error:
        digits = sum(c.isdigit() for c in message.text)
        await message.reply_text(_(NIK_PROBLEMS[error.problem]).format(count=digits))
        return
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        accounts.set_step(
            fresh, "birth_date", nik=str(parsed), tries=accounts.step_data(account).get("tries", 0)
        )
    await message.reply_text(_ask_date(_))


async def answer_birth_date(update: Update, context: BotContext, account: Account) -> None:
    """The birth date: it must be the one inside the NIK; too young is told when to come."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    data = accounts.step_data(account)
    today = _today(context)
    try:
        born = parse_birth_date(message.text, today=today)
    except DateError as error:
        await message.reply_text(_(DATE_PROBLEMS[error.problem]))
        return
    parsed = nik_rules.parse(data["nik"], today=today)
    try:
        nik_rules.check_birth_date(parsed, born)
    except nik_rules.NikError:
        await _mismatch(update, context, account, data["nik"])
        return
    allowed = eligibility(born, today=today, election=context.settings.election_date)
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        if allowed.may_record:
            accounts.set_step(fresh, "name", nik=data["nik"], born=born.isoformat())
        else:
            accounts.clear_step(fresh)  # nothing of a too-young teen is kept
    if not allowed.may_record:
        await message.reply_text(
            _(
                "Terima kasih! Perekaman KTP-el bisa dilakukan mulai usia 16 tahun. Anda bisa datang "
                "mulai {day}. Sampai jumpa!"
            ).format(day=format_day(allowed.may_record_from, context.language))
        )
        return
    await message.reply_text(_("Tulis nama lengkap Anda sesuai Kartu Keluarga."))


async def _mismatch(update: Update, context: BotContext, account: Account, nik: str) -> None:
    assert update.effective_message
    _ = context.gettext
    async with context.session() as session:
        lock = await registration.refuse_registration(
            session, account.telegram_id, account.id, nik, now=context.clock.now()
        )
        if lock is not None:
            await conversations.end(session, account.id)
        else:
            await conversations.go(session, account.id, Step.NIK)
    if lock is not None:
        await update.effective_message.reply_text(
            _(
                "Untuk keamanan, pendaftaran ditunda sementara. Coba lagi nanti, atau datang ke "
                "kantor Dukcapil dengan membawa Kartu Keluarga."
            )
        )
    else:
        await update.effective_message.reply_text(
            _(
                "NIK dan tanggal lahir tidak cocok. Periksa keduanya di Kartu Keluarga, lalu tulis "
                "NIK Anda lagi."
            )
        )


async def answer_name(update: Update, context: BotContext, account: Account) -> None:
    """The full name; then which days suit them."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    name = " ".join(message.text.split())
    if not 2 <= len(name) <= 100 or not any(c.isalpha() for c in name):
        await message.reply_text(_("Tulis nama lengkap Anda (2–100 huruf), sesuai Kartu Keluarga."))
        return
    data = accounts.step_data(account)
    async with context.session() as session:
        fresh = await accounts.find(session, account.telegram_id)
        assert fresh is not None
        accounts.set_step(fresh, "preference", nik=data["nik"], born=data["born"], name=name)
    await message.reply_text(
        _("Kapan Anda paling mudah datang?"), reply_markup=_preference_keyboard(_)
    )


async def answer_preference(update: Update, context: BotContext) -> None:
    """Preferred days: the last /daftar answer, then the match against the list."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    try:
        preferred = PreferredDays(query.data.removeprefix("pref:"))
    except ValueError:
        await query.answer(_("Tombol ini sudah tidak berlaku."))
        return
    async with context.session() as session:
        account = await accounts.find(session, update.effective_user.id)
        if account is None or accounts.step_of(account) != "preference":
            await query.answer(_("Tombol ini sudah tidak berlaku."))
            return
        data = accounts.step_data(account)
        result = await registration.register(
            session,
            account,
            nik=data["nik"],
            birth_date=datetime.fromisoformat(data["born"]).date(),
            name=data["name"],
            preferred=preferred,
        )
        if result.outcome == Registration.REVIEW and result.target_id is None:
            accounts.set_step(account, "review")  # looks exactly like a self-registration
        else:
            accounts.clear_step(account)
        if result.outcome != Registration.LINKED:
            account.role = Role.TEEN
    await query.answer()
    await query.edit_message_text(
        _("Pilihan: {choice} ✓").format(choice=_(PREFERENCE_LABELS[preferred]))
    )
    if result.outcome == Registration.LINKED:
        assert result.target_id is not None and result.name is not None
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "Data Anda cocok dengan daftar sasaran. Anda akan dipanggil ke jadwal perekaman di "
                "obrolan ini."
            ),
        )
        await _welcome_linked(update, context, result.target_id, result.name)
    elif result.outcome == Registration.ALREADY_RECORDED:
        assert result.recorded_at is not None
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "KTP-el Anda sudah direkam pada {day}. Tidak perlu merekam lagi. Pencetakan KTP-el "
                "dan aktivasi IKD bisa dilakukan mulai usia 17 tahun di kantor Dukcapil."
            ).format(
                day=format_day(
                    result.recorded_at.astimezone(context.settings.zone).date(), context.language
                )
            ),
        )
    else:
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "Terima kasih. Data Anda kami teruskan ke petugas untuk diperiksa; hasilnya akan "
                "dikabarkan di obrolan ini."
            ),
        )


def register(app: Application) -> None:  # type: ignore[type-arg]
    private = filters.ChatType.PRIVATE
    app.add_handler(
        CommandHandler("start", open_invitation, filters=private & filters.Regex(_INVITE_PAYLOAD))
    )
    app.add_handler(CommandHandler("daftar", start_registration, filters=private))
    app.add_handler(CallbackQueryHandler(answer_consent, pattern=r"^consent:"))
    app.add_handler(CallbackQueryHandler(answer_preference, pattern=r"^pref:"))
    app.add_handler(MessageHandler(filters.CONTACT & private, share_phone))
