"""What an invitation to become staff says: to whoever opened the link, to the admins asked,
and to each of them once an admin has answered."""

from __future__ import annotations

from bot.i18n import Gettext
from bot.services.staff_invites import Decided, Decision, Opened, Opening


def opened(opening: Opening, asked: int, _: Gettext) -> str:
    """The answer to `/start staf-<token>`."""
    if opening.outcome == Opened.ASKED and opening.fresh and not asked:
        return _(
            "Permintaan Anda menjadi petugas tercatat, tetapi tidak ada admin yang bisa "
            "dihubungi lewat Telegram. Mohon hubungi admin kantor."
        )
    if opening.outcome == Opened.ASKED and not opening.fresh:
        # Opened again: the admins were asked (or not) the first time; it waits either way.
        # No promise to tell: an admin may add them by id on the Petugas page, which tells no
        # one; /staf works from that moment.
        return _(
            "🕓 Permintaan Anda menjadi petugas masih menunggu keputusan admin kantor. Setelah "
            "disetujui, ketik /staf untuk mulai."
        )
    return {
        Opened.ASKED: _(
            "🕓 Permintaan Anda menjadi petugas sudah diteruskan ke admin kantor. Anda akan "
            "dikabari di sini setelah admin menyetujui atau menolaknya."
        ),
        Opened.USED: _("Tautan undangan ini sudah dipakai. Mintalah tautan baru kepada admin."),
        Opened.EXPIRED: _(
            "Tautan undangan ini sudah kedaluwarsa. Mintalah tautan baru kepada admin."
        ),
        Opened.UNKNOWN: _(
            "Tautan undangan ini tidak dikenal. Periksa lagi tautannya, atau "
            "mintalah tautan baru kepada admin."
        ),
        Opened.ALREADY_STAFF: _(
            "Anda sudah menjadi petugas; tautan ini tidak dipakai. Ketik /staf."
        ),
        Opened.REFUSED: _("Permintaan Anda menjadi petugas sudah ditolak admin."),
    }[opening.outcome]


def admin_question(name: str, telegram_id: int, made_by: str, _: Gettext) -> str:
    """To each admin: who opened which link (its maker), so a link that went astray shows."""
    return _(
        "👤 {name} (ID Telegram {id}) membuka tautan undangan petugas yang dibuat oleh "
        "{maker}. Jadikan petugas?"
    ).format(name=name or _("(tanpa nama)"), id=telegram_id, maker=made_by or "—")


def decided_for_admin(decision: Decision, told: bool, _: Gettext) -> str:
    name = decision.name or str(decision.telegram_id or "")
    if decision.outcome == Decided.GONE:
        return _("Permintaan ini sudah tidak ada.")
    if decision.outcome == Decided.ALREADY:
        return (
            _("Sudah diputuskan admin lain: {name} disetujui menjadi petugas.")
            if decision.confirmed
            else _("Sudah diputuskan admin lain: permintaan {name} ditolak.")
        ).format(name=name)
    if decision.outcome == Decided.CONFIRMED:
        said = _("✅ {name} sekarang petugas.")
    else:
        said = _("❌ Permintaan {name} ditolak.")
    told_or_not = (
        _("Ia sudah diberi tahu.") if told else _("Ia belum bisa diberi tahu lewat Telegram.")
    )
    return said.format(name=name) + " " + told_or_not


def decided_for_person(decision: Decision, _: Gettext) -> str:
    if decision.outcome == Decided.CONFIRMED:
        return _("✅ Admin menyetujui: Anda sekarang petugas. Ketik /staf untuk mulai.")
    return _("Permintaan Anda menjadi petugas tidak disetujui admin.")
