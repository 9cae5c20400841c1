"""What every front end says about a broadcast (Telegram's /siaran, the dashboard's Siaran,
`rekam broadcast`): one text per refusal and one line for how far it reaches, rendered from
the service's answer (bot/services/broadcasts.py)."""

from __future__ import annotations

from bot.i18n import N_, Gettext, format_number
from bot.services.broadcasts import MAX_TEXT, Outcome, Reach, Refusal

REFUSALS = {
    Refusal.EMPTY: N_("Tulis pesannya dulu."),
    Refusal.TOO_LONG: N_("Pesan terlalu panjang ({length} karakter; paling banyak {limit})."),
    Refusal.NOBODY: N_(
        "Siaran ini tidak sampai ke siapa pun: tidak ada penerima di Telegram yang belum "
        "merekam. Tidak ada yang dikirim."
    ),
}


def refusal(outcome: Outcome, _: Gettext, language: str) -> str:
    """Why the broadcast is not sent, in the words every front end uses."""
    assert outcome.refused is not None
    return str(_(REFUSALS[outcome.refused])).format(
        length=format_number(outcome.length, language), limit=format_number(MAX_TEXT, language)
    )


def reach_line(reach: Reach, _: Gettext, language: str) -> str:
    """'Belum merekam: 36 — 1 dapat dijangkau, 35 tidak.'"""
    return str(
        _("Belum merekam: {pending} — {reachable} dapat dijangkau, {unreachable} tidak.")
    ).format(
        pending=format_number(reach.pending, language),
        reachable=format_number(reach.reachable, language),
        unreachable=format_number(reach.unreachable, language),
    )


def will_reach(reach: Reach, _: Gettext, language: str) -> str:
    """The preview's last lines: how many copies go out, and how much of the audience that is."""
    return (
        str(_("Akan dikirim ke {count} orang.")).format(count=format_number(reach.chats, language))
        + "\n"
        + reach_line(reach, _, language)
    )


def sending(outcome: Outcome, _: Gettext, language: str) -> str:
    """The confirmation once it is queued."""
    text = str(_("✅ Siaran sedang dikirim ke {count} orang.")).format(
        count=format_number(outcome.recipients, language)
    )
    if outcome.reach is None:
        return text
    return text + "\n" + reach_line(outcome.reach, _, language)
