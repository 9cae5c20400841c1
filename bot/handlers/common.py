"""What everyone can do: start, choose a language and a role, get help."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, Update

from bot.context import BotContext
from bot.domain.kinds import Role
from bot.i18n import LANGUAGE_NAMES, LANGUAGES
from bot.presentation import buttons
from bot.presentation.menu import command_for, command_lines, greeting_language
from bot.services import accounts, conversations, staff

_ROLES = {"teen": Role.TEEN, "parent": Role.PARENT}


def _language_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    LANGUAGE_NAMES[code],
                    callback_data=buttons.LANGUAGE.encode(buttons.ChooseLanguage(code)),
                )
            ]
            for code in LANGUAGES
        ]
    )


def _role_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    _ = context.gettext
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("🧑 Saya pemilih pemula (16–17 tahun)"),
                    callback_data=buttons.ROLE.encode(buttons.ChooseRole("teen")),
                )
            ],
            [
                InlineKeyboardButton(
                    _("👪 Saya orang tua / wali"),
                    callback_data=buttons.ROLE.encode(buttons.ChooseRole("parent")),
                )
            ],
        ]
    )


async def start(update: Update, context: BotContext) -> None:
    """Greet, then ask for a language."""
    assert update.effective_user and update.effective_message
    async with context.session() as session:
        await accounts.ensure(session, update.effective_user.id, context.language)
    _ = context.gettext
    await update.effective_message.reply_text(
        _(
            "Halo! Saya Rekam, asisten {office} untuk perekaman KTP elektronik pemilih pemula."
        ).format(office=context.settings.office_name)
        + "\n\n"
        + _("Pilih bahasa / Choose a language / Pilih basa:"),
        reply_markup=_language_keyboard(),
    )


async def change_language(update: Update, context: BotContext) -> None:
    """/bahasa: offer the languages again."""
    assert update.effective_message
    await update.effective_message.reply_text(
        context.gettext("Pilih bahasa / Choose a language / Pilih basa:"),
        reply_markup=_language_keyboard(),
    )


async def choose_language(update: Update, context: BotContext) -> None:
    """A language button: switch, then ask the role of a newcomer."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    code = buttons.LANGUAGE.read(query.data, buttons.ChooseLanguage).code
    async with context.session() as session:
        account = await accounts.choose_language(
            session, update.effective_user.id, code, context.office.language
        )
        role = account.role
    context.language = code  # the reader switched: speak the new language from here on
    context.services.languages.remember(update.effective_user.id, code)
    _ = context.gettext
    await query.answer()
    await query.edit_message_text(_("Bahasa: {language} ✓").format(language=LANGUAGE_NAMES[code]))
    if role == Role.NONE:
        await context.bot.send_message(
            update.effective_user.id,
            _(
                "Selamat datang di Rekam!\n\n"
                "Rekam membantu pemilih pemula merekam KTP elektronik sebelum hari pemungutan "
                "suara: Anda dipanggil dengan nama ke jadwal dan tempat perekaman, diingatkan "
                "sebelumnya, dan kehadiran Anda dicatat oleh kantor Dukcapil.\n\n"
                "Anda siapa?"
            ),
            reply_markup=_role_keyboard(context),
        )


async def choose_role(update: Update, context: BotContext) -> None:
    """A role button: teen or parent / guardian."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    role = _ROLES[buttons.ROLE.read(query.data, buttons.ChooseRole).role]
    _ = context.gettext
    async with context.session() as session:
        await accounts.choose_role(session, update.effective_user.id, role, context.office.language)
    await query.answer()
    if role == Role.TEEN:
        text = _(
            "Terima kasih! Langkah berikutnya:\n"
            "• Punya surat undangan? Tulis kode undangannya di sini, atau pindai kode QR-nya "
            "dengan kamera ponsel.\n"
            "• Belum punya? Ketik /daftar.\n\n"
            "Panggilan perekaman dengan tanggal, jam dan tempatnya akan dikirim ke obrolan ini."
        )
    else:
        text = _(
            "Terima kasih! Langkah berikutnya: hubungkan akun Anda dengan anak Anda.\n"
            "• Anak Anda punya Telegram? Minta anak mengetik /kode, lalu tulis di sini: "
            "/ortu KODE\n"
            "• Anak punya surat undangan? Tulis: /ortu KODE-UNDANGAN\n"
            '• Tidak keduanya? Ketik /ortu lalu pilih "Anak tanpa Telegram: pakai NIK".\n\n'
            "Setelah terhubung, panggilan dan pengingat untuk anak Anda juga dikirim ke sini."
        )
    await query.edit_message_text(text)


async def show_help(update: Update, context: BotContext) -> None:
    """/bantuan: what the bot is for and the commands; staff see theirs too."""
    assert update.effective_message and update.effective_user
    _ = context.gettext
    async with context.session() as session:
        is_staff = await staff.member(session, update.effective_user.id) is not None
    await update.effective_message.reply_text(
        _("Rekam membantu pemilih pemula merekam KTP elektronik di {office}.").format(
            office=context.settings.office_name
        )
        + "\n\n"
        + command_lines(context.bot_data.catalogs, context.language, staff=is_staff)
    )


async def cancel(update: Update, context: BotContext) -> None:
    """/batal: leave whatever step the person is at (any other command leaves it too)."""
    assert update.effective_user and update.effective_message
    _ = context.gettext
    async with context.session() as session:
        left = await conversations.leave(session, update.effective_user.id)
    if left is None:
        text = _("Tidak ada langkah yang sedang berjalan. Ketik /bantuan untuk daftar perintah.")
    else:
        text = _(
            "Baik, langkah tadi dibatalkan. Pesan Anda berikutnya tidak lagi dibaca sebagai "
            "jawabannya. Ketik /bantuan untuk daftar perintah."
        )
    # The phone question's keyboard, should that be the step left, goes too.
    await update.effective_message.reply_text(text, reply_markup=ReplyKeyboardRemove())


async def unknown_text(update: Update, context: BotContext) -> None:
    """A message no conversation is waiting for: the command it is after, if we can tell; a
    greeting or a call for help gets the useful menu (the start menu for a newcomer, the
    commands for anyone else). Until the reader chooses a language, the answer is in the
    greeting's, else in their Telegram app's."""
    assert update.effective_message and update.effective_user
    typed = update.effective_message.text or ""
    async with context.session() as session:
        account = await accounts.find(session, update.effective_user.id)
        chosen = account is not None and account.language_chosen
        role = account.role if account is not None else Role.NONE
    greeting = greeting_language(typed)
    if not chosen:  # until they choose: the greeting's language, else their Telegram app's
        telegram = context.bot_data.catalogs.language(update.effective_user.language_code)
        context.language = greeting or telegram
    _ = context.gettext
    if typed == _("Lewati"):  # the phone question's key, pressed after a command left it
        await update.effective_message.reply_text(
            _("Baik. Ketik /jadwal kapan saja untuk melihat jadwal Anda."),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    command = command_for(typed)
    if command is None and greeting is not None:
        await (start(update, context) if role == Role.NONE else show_help(update, context))
        return
    if command is not None:
        await update.effective_message.reply_text(
            _("Untuk itu, ketik /{command}. Daftar semua perintah: /bantuan").format(
                command=command
            )
        )
        return
    await update.effective_message.reply_text(
        _("Maaf, saya belum mengerti pesan itu. Ketik /bantuan untuk daftar perintah.")
    )


async def not_text(update: Update, context: BotContext) -> None:
    """A sticker, photo, voice note or file: the bot reads typed text and buttons only."""
    assert update.effective_message
    await update.effective_message.reply_text(
        context.gettext(
            "Maaf, saya hanya bisa membaca teks dan tombol. Ketik jawaban Anda, atau /bantuan."
        )
    )
