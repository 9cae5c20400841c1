"""/hapus: delete my data, after a confirmation."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.presentation import buttons, keyboards
from bot.services import privacy


async def ask_erase(update: Update, context: BotContext) -> None:
    """/hapus: say what will go and what the office must keep, then ask."""
    assert update.effective_message
    _ = context.gettext
    await update.effective_message.reply_text(
        _(
            "Hapus data Anda? Akun Telegram Anda dilepas dari data perekaman. Nomor telepon, "
            "pilihan hari, alasan kunjungan rumah, pendaftaran yang belum diperiksa, dan hubungan dengan "
            "orang tua/wali dihapus, dan pesan yang masih antre tidak dikirim lagi. Kantor hanya "
            "menyimpan yang wajib: catatan perekaman, dan bukti persetujuan Anda (ditandai ditarik)."
        ),
        reply_markup=keyboards.confirm(
            _,
            _("🗑 Ya, hapus data saya"),
            buttons.ERASE.encode(buttons.Erase("yes")),
            buttons.ERASE.encode(buttons.Erase("no")),
        ),
    )


async def confirm_erase(update: Update, context: BotContext) -> None:
    """The confirmation buttons of /hapus."""
    query = update.callback_query
    assert query and query.data and update.effective_user
    _ = context.gettext
    await query.answer()
    if buttons.ERASE.read(query.data, buttons.Erase).answer != "yes":
        await query.edit_message_text(_("Baik, data Anda tidak dihapus."))
        return
    async with context.session() as session:
        erased = await privacy.erase_account_of(
            session, update.effective_user.id, context.clock.now()
        )
    text = _(
        "Data Anda sudah dihapus. Terima kasih. Anda bisa mulai lagi kapan saja dengan /start."
    )
    if erased.parents_told:
        text += "\n\n" + _(
            "Orang tua/wali yang terhubung dengan Anda ({count}) kami beri tahu bahwa mereka tidak "
            "lagi menerima pesan tentang Anda."
        ).format(count=erased.parents_told)
    await query.edit_message_text(text)
