"""/daftar step by step: consent, NIK, birth date, name, preferred days; then matched against
the target list or kept for staff review."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.eligibility import eligibility
from bot.domain.kinds import PreferredDays
from bot.domain.steps import Step
from bot.handlers.replies import welcome_linked
from bot.i18n import N_, Gettext, format_day
from bot.presentation import texts
from bot.services import answers, conversations, notices, registration
from bot.services.conversations import Conversation
from bot.services.registration import Registration

PREFERENCE_LABELS = {
    PreferredDays.WEEKDAY: N_("Hari kerja (Senin–Jumat)"),
    PreferredDays.WEEKEND: N_("Akhir pekan (Sabtu–Minggu)"),
    PreferredDays.SCHOOL: N_("Saat petugas datang ke sekolah"),
    PreferredDays.ANY: N_("Kapan saja"),
}


def _preference_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_(label), callback_data=f"pref:{choice.value}")]
            for choice, label in PREFERENCE_LABELS.items()
        ]
    )


async def start_registration(update: Update, context: BotContext) -> None:
    """/daftar: the privacy notice first, then NIK, birth date, name and preferred days."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    user_id = update.effective_user.id
    async with context.session() as session:
        await conversations.ensure(session, user_id, context.language)
        mine = await answers.mine(session, user_id)
        lock = await registration.registration_lock(session, user_id, None, now=context.clock.now())
    if mine.registered:
        await update.effective_message.reply_text(
            _("Anda sudah terdaftar sebagai {name}. Ketik /jadwal untuk jadwal Anda.").format(
                name=mine.name
            )
        )
        return
    if lock is not None:
        await update.effective_message.reply_text(
            texts.locked(lock.until, _, context.language, context.settings.zone)
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
        convo = await conversations.ensure(session, update.effective_user.id, context.language)
        if convo.target_id is not None:
            return
        # An old consent button pressed again starts nothing while /daftar is locked.
        lock = await registration.registration_lock(
            session, convo.telegram_id, None, now=context.clock.now()
        )
        if lock is None:
            registration.record_consent(session, convo.account_id)
            await conversations.go(session, convo.account_id, Step.NIK)
    if lock is not None:
        await query.edit_message_text(
            texts.locked(lock.until, _, context.language, context.settings.zone)
        )
        return
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(
        update.effective_user.id,
        _("Terima kasih. Tulis NIK Anda (16 angka, ada di Kartu Keluarga)."),
    )


async def answer_nik(update: Update, context: BotContext, convo: Conversation) -> None:
    """The NIK: its form is checked here; whether it is on the list is never said."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    try:
        parsed = nik_rules.parse(
            message.text, today=context.clock.today(), regions=context.settings.office_region_codes
        )
    except nik_rules.NikError as error:
        await message.reply_text(texts.nik_problem(error, message.text, _))
        return
    async with context.session() as session:
        lock = await registration.registration_lock(
            session, convo.telegram_id, str(parsed), now=context.clock.now()
        )
        if lock is None:
            await conversations.go(
                session, convo.account_id, Step.BIRTH_DATE, after=convo.step, nik=str(parsed)
            )
        else:
            await conversations.end(session, convo.account_id)
    if lock is not None:
        await message.reply_text(
            texts.locked(lock.until, _, context.language, context.settings.zone)
        )
        return
    await message.reply_text(_("Tulis tanggal lahir Anda (contoh: 12-03-2008 atau 12 Maret 2008)."))


async def answer_birth_date(update: Update, context: BotContext, convo: Conversation) -> None:
    """The birth date: it must be the one inside the NIK; too young is told when to come."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    today = context.clock.today()
    try:
        born = parse_birth_date(message.text, today=today)
    except DateError as error:
        await message.reply_text(_(texts.DATE_PROBLEMS[error.problem]))
        return
    nik = str(convo.data["nik"])
    try:
        nik_rules.check_birth_date(nik_rules.parse(nik, today=today), born)
    except nik_rules.NikError:
        await _mismatch(update, context, convo, nik)
        return
    allowed = eligibility(born, today=today, election=context.settings.election_date)
    async with context.session() as session:
        if allowed.may_record:
            await conversations.go(
                session,
                convo.account_id,
                Step.NAME,
                after=convo.step,
                nik=nik,
                born=born.isoformat(),
            )
        else:
            await conversations.end(
                session, convo.account_id
            )  # nothing of a too-young teen is kept
    if not allowed.may_record:
        await message.reply_text(
            _(
                "Terima kasih! Perekaman KTP-el bisa dilakukan mulai usia 16 tahun. Anda bisa datang "
                "mulai {day}. Sampai jumpa!"
            ).format(day=format_day(allowed.may_record_from, context.language))
        )
        return
    await message.reply_text(_("Tulis nama lengkap Anda sesuai Kartu Keluarga."))


async def _mismatch(update: Update, context: BotContext, convo: Conversation, nik: str) -> None:
    """A NIK and a birth date that disagree: a refused guess; back to the NIK, or locked."""
    assert update.effective_message
    _ = context.gettext
    async with context.session() as session:
        lock = await registration.refuse_registration(
            session, convo.telegram_id, convo.account_id, nik, now=context.clock.now()
        )
        if lock is not None:
            await conversations.end(session, convo.account_id)
        else:
            await conversations.go(session, convo.account_id, Step.NIK, after=convo.step)
    if lock is not None:
        await update.effective_message.reply_text(
            texts.locked(lock.until, _, context.language, context.settings.zone)
        )
        return
    await update.effective_message.reply_text(
        _(
            "NIK dan tanggal lahir tidak cocok. Periksa keduanya di Kartu Keluarga, lalu tulis "
            "NIK Anda lagi."
        )
    )


async def answer_name(update: Update, context: BotContext, convo: Conversation) -> None:
    """The full name; then which days suit them."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    name = " ".join(message.text.split())
    if not 2 <= len(name) <= 100 or not any(c.isalpha() for c in name):
        await message.reply_text(_("Tulis nama lengkap Anda (2–100 huruf), sesuai Kartu Keluarga."))
        return
    async with context.session() as session:
        await conversations.go(
            session,
            convo.account_id,
            Step.PREFERENCE,
            after=convo.step,
            nik=convo.data["nik"],
            born=convo.data["born"],
            name=name,
        )
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
        await query.answer(_(texts.STALE_BUTTON))
        return
    result = None
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        if convo is not None and convo.step == Step.PREFERENCE:
            result = await registration.register(
                session,
                convo.account_id,
                nik=str(convo.data["nik"]),
                birth_date=parse_iso(convo.data["born"]),
                name=str(convo.data["name"]),
                preferred=preferred,
                now=context.clock.now(),
                policy=notices.Policy.of(context.settings),
            )
    if result is None:
        await query.answer(_(texts.STALE_BUTTON))
        return
    await query.answer()
    await query.edit_message_text(
        _("Pilihan: {choice} ✓").format(choice=_(PREFERENCE_LABELS[preferred]))
    )
    if result.outcome == Registration.LINKED:
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "Data Anda cocok dengan daftar sasaran. Anda akan dipanggil ke jadwal perekaman di "
                "obrolan ini."
            ),
        )
        await welcome_linked(update, context, result)
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


def parse_iso(value: object) -> date:
    return date.fromisoformat(str(value))
