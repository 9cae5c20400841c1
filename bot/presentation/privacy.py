"""The privacy notices, said exactly as the code keeps them: what is held, why, until when
(`rekam purge`: RETENTION_DAYS after election day), who sees it, and how to erase it."""

from __future__ import annotations

from datetime import date

from bot.config import Settings
from bot.domain.retention import purge_day as _purge_day
from bot.i18n import Gettext, format_day


def purge_day(settings: Settings) -> date:
    """The day personal data is deleted: RETENTION_DAYS after election day."""
    return _purge_day(settings.election_date, settings.retention_days)


def teen_notice(settings: Settings, _: Gettext, language: str) -> str:
    """For a teen, before /daftar and before a phone number is kept."""
    return str(
        _(
            "Tentang data Anda:\n"
            "• Yang kami simpan: NIK (disimpan tersandi), nama, tanggal lahir, "
            "pilihan hari, jawaban Anda, dan akun Telegram Anda; nomor telepon hanya bila Anda "
            "membagikannya.\n"
            "• Untuk apa: memanggil Anda ke jadwal perekaman KTP-el dan mengingatkan Anda.\n"
            "• Berapa lama: sampai {purge} ({days} hari setelah hari pemungutan suara); lalu "
            "dihapus, kecuali catatan bahwa Anda sudah merekam, yang wajib disimpan kantor.\n"
            "• Siapa yang melihat: petugas {office}, dan orang tua/wali yang terhubung dengan Anda "
            "(Anda diberi tahu setiap kali ada yang menghubungkan diri).\n"
            "Anda bisa menghapus data Anda kapan saja dengan /hapus."
        ).format(
            purge=format_day(purge_day(settings), language),
            days=settings.retention_days,
            office=settings.office_name,
        )
    )


def held_for_guardian(child: str, _: Gettext, language: str, settings: Settings) -> str:
    """For a guardian who just linked: what the office holds about the child, and until when."""
    return str(
        _(
            "Yang disimpan kantor tentang {name}: NIK (disimpan tersandi), nama, tanggal lahir, "
            "alamat, sekolah, jadwal dan jawabannya, sampai {purge}. Anak Anda diberi tahu bahwa "
            "Anda terhubung. Anda bisa memutuskan hubungan dengan /ortu, dan menghapus data Anda "
            "dengan /hapus."
        ).format(name=child, purge=format_day(purge_day(settings), language))
    )
