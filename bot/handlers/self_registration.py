"""/daftar step by step: consent, NIK, birth date, name, preferred days; then matched against
the target list or kept for staff review."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.domain import nik as nik_rules
from bot.domain.dates import DateError, parse_birth_date
from bot.domain.eligibility import RECORDING_AGE, AgeProblem, add_years
from bot.domain.kinds import PreferredDays
from bot.domain.names import clean_name
from bot.domain.retention import NOTICE_VERSION
from bot.domain.steps import Step
from bot.i18n import N_, Gettext, format_day
from bot.presentation import buttons, privacy, texts
from bot.services import answers, consents, conversations, registration
from bot.services.conversations import Conversation

PREFERENCE_LABELS = {
    PreferredDays.WEEKDAY: N_("Hari kerja (Senin–Jumat)"),
    PreferredDays.WEEKEND: N_("Akhir pekan (Sabtu–Minggu)"),
    PreferredDays.SCHOOL: N_("Saat petugas datang ke sekolah"),
    PreferredDays.ANY: N_("Kapan saja"),
}


def _preference_keyboard(_: Gettext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _(label), callback_data=buttons.PREFERENCE.encode(buttons.Preference(choice))
                )
            ]
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
    if mine.in_review:
        await update.effective_message.reply_text(
            _("Data Anda sedang diperiksa petugas. Hasilnya akan dikabarkan di obrolan ini.")
        )
        return
    if lock is not None:
        await update.effective_message.reply_text(
            texts.locked(lock.until, _, context.language, context.office.zone)
        )
        return
    await update.effective_message.reply_text(
        _("Sebelum mendaftar, mohon baca.")
        + "\n\n"
        + privacy.teen_notice(context.settings, _, context.language)
        + "\n\n"
        + _("Apakah Anda setuju?"),
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        _("✅ Saya setuju"),
                        callback_data=buttons.CONSENT.encode(buttons.Consent("yes")),
                    )
                ],
                [
                    InlineKeyboardButton(
                        _("❌ Tidak setuju"),
                        callback_data=buttons.CONSENT.encode(buttons.Consent("no")),
                    )
                ],
            ]
        ),
    )


async def answer_consent(update: Update, context: BotContext) -> None:
    """The consent buttons: record consent and ask for the NIK, or stop kindly."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    await query.answer()
    if buttons.CONSENT.read(query.data, buttons.Consent).answer != "yes":
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
            consents.record(session, convo.account_id, notice_version=NOTICE_VERSION)
            await conversations.go(session, convo.account_id, Step.NIK)
    if lock is not None:
        await query.edit_message_text(
            texts.locked(lock.until, _, context.language, context.office.zone)
        )
        return
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(
        update.effective_user.id,
        texts.with_way_out(_("Terima kasih. Tulis NIK Anda (16 angka, ada di Kartu Keluarga)."), _),
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
        await message.reply_text(texts.with_way_out(texts.nik_problem(error, message.text, _), _))
        return
    async with context.session() as session:
        lock = await registration.nik_typed(session, convo, parsed, now=context.clock.now())
    if lock is not None:
        await message.reply_text(texts.locked(lock.until, _, context.language, context.office.zone))
        return
    await message.reply_text(
        texts.with_way_out(
            _("Tulis tanggal lahir Anda (contoh: 12-03-2008 atau 12 Maret 2008)."), _
        )
    )


async def answer_birth_date(update: Update, context: BotContext, convo: Conversation) -> None:
    """The birth date: it must be the one inside the NIK; too young is told when to come."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    today = context.clock.today()
    try:
        born = parse_birth_date(message.text, today=today)
    except DateError as error:
        await message.reply_text(texts.with_way_out(_(texts.DATE_PROBLEMS[error.problem]), _))
        return
    if born != date.fromisoformat(str(convo.data["nik_born"])):
        await _mismatch(update, context, convo)
        return
    election = context.settings.election_date
    async with context.session() as session:
        refused = await registration.birth_date_given(
            session, convo, born, today=today, election=election
        )
    if refused is not None and refused.problem == AgeProblem.TOO_OLD:
        await message.reply_text(
            _(
                "Terima kasih! Pendaftaran di sini untuk pemilih pemula. Pada hari pemilihan, "
                "{day}, Anda sudah berusia {age} tahun. Bila Anda belum merekam KTP-el, "
                "silakan datang langsung ke kantor Dukcapil."
            ).format(day=format_day(refused.on, context.language), age=refused.age)
        )
        return
    if refused is not None:
        await message.reply_text(
            _(
                "Terima kasih! Perekaman KTP-el bisa dilakukan mulai usia 16 tahun. Anda bisa datang "
                "mulai {day}. Sampai jumpa!"
            ).format(day=format_day(add_years(born, RECORDING_AGE), context.language))
        )
        return
    await message.reply_text(
        texts.with_way_out(_("Tulis nama lengkap Anda sesuai Kartu Keluarga."), _)
    )


async def _mismatch(update: Update, context: BotContext, convo: Conversation) -> None:
    """A NIK and a birth date that disagree: a refused guess; back to the NIK, or locked."""
    assert update.effective_message
    _ = context.gettext
    async with context.session() as session:
        mismatch = await registration.refuse_registration(session, convo, now=context.clock.now())
    if mismatch.lock is not None:
        await update.effective_message.reply_text(
            texts.locked(mismatch.lock.until, _, context.language, context.office.zone)
        )
        return
    await update.effective_message.reply_text(
        texts.warned(
            _(
                "NIK dan tanggal lahir tidak cocok. Periksa keduanya di Kartu Keluarga, lalu "
                "tulis NIK Anda lagi."
            ),
            mismatch.tries_left,
            _,
        )
        + "\n\n"
        + _(texts.WAY_OUT)
    )


async def answer_name(update: Update, context: BotContext, convo: Conversation) -> None:
    """The full name; then which days suit them."""
    message = update.effective_message
    assert message and message.text
    _ = context.gettext
    # An override or a zero-width character would turn the name around or hide it on staff's
    # screens: none is kept.
    name = clean_name(message.text)
    if not 2 <= len(name) <= 100 or not any(c.isalpha() for c in name):
        await message.reply_text(
            texts.with_way_out(
                _("Tulis nama lengkap Anda (2–100 huruf), sesuai Kartu Keluarga."), _
            )
        )
        return
    async with context.session() as session:
        await conversations.go(
            session,
            convo.account_id,
            Step.PREFERENCE,
            after=convo.step,
            nik_hash=convo.data["nik_hash"],
            nik_sealed=convo.data["nik_sealed"],
            born=convo.data["born"],
            name=name,
        )
    await message.reply_text(
        texts.with_way_out(_("Kapan Anda paling mudah datang?"), _),
        reply_markup=_preference_keyboard(_),
    )


async def answer_preference(update: Update, context: BotContext) -> None:
    """Preferred days: the last /daftar answer. Whatever the NIK turns out to be, staff check
    it, and the answer is the same."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    preferred = buttons.PREFERENCE.read(query.data, buttons.Preference).days
    async with context.session() as session:
        convo = await conversations.current(session, update.effective_user.id)
        waiting = convo is not None and convo.step == Step.PREFERENCE
        if convo is not None and waiting:
            await registration.register(session, convo, preferred=preferred)
    if not waiting:
        await query.answer(_(texts.STALE_BUTTON))
        return
    await query.answer()
    await query.edit_message_text(
        _("Pilihan: {choice} ✓").format(choice=_(PREFERENCE_LABELS[preferred]))
    )
    await context.bot.send_message(
        update.effective_user.id,
        _(
            "Terima kasih. Data Anda kami teruskan ke petugas untuk diperiksa; hasilnya akan "
            "dikabarkan di obrolan ini.\n\nPunya surat undangan dari kantor? Itu jalan yang pasti: "
            "ketik kode di surat itu di sini. Surat hilang? Datanglah ke meja perekaman dengan "
            "membawa Kartu Keluarga; petugas mencetakkan surat Anda."
        ),
    )
