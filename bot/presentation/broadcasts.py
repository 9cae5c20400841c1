"""What every front end says about a broadcast (Telegram's /siaran, the dashboard's Siaran,
`rekam broadcast`): one text per refusal and one line for how far it reaches, rendered from
the service's answer (bot/services/broadcasts.py)."""

from __future__ import annotations

from bot.config import Settings
from bot.i18n import N_, Gettext, format_number
from bot.services.audiences import Reach
from bot.services.broadcasts import MAX_TEXT, PHONE_MOST_SMS, Outcome, Refusal

REFUSALS = {
    Refusal.EMPTY: N_("Tulis pesannya dulu."),
    Refusal.TOO_LONG: N_("Pesan terlalu panjang ({length} karakter; paling banyak {limit})."),
    Refusal.NOBODY: N_(
        "Siaran ini tidak sampai ke siapa pun: tidak ada penerima yang belum merekam, di "
        "Telegram maupun di nomor telepon. Tidak ada yang dikirim."
    ),
    Refusal.TOO_LONG_FOR_SMS: N_(
        "Pesan terlalu panjang untuk SMS: {parts} SMS, paling banyak {most}. Sebagian penerima "
        "hanya bisa dihubungi lewat WhatsApp atau SMS; persingkat pesannya."
    ),
}


def refusal(outcome: Outcome, _: Gettext, language: str) -> str:
    """Why the broadcast is not sent, in the words every front end uses."""
    assert outcome.refused is not None
    return str(_(REFUSALS[outcome.refused])).format(
        length=format_number(outcome.length, language),
        limit=format_number(MAX_TEXT, language),
        parts=format_number(outcome.sms_parts, language),
        most=format_number(PHONE_MOST_SMS, language),
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


def channels_line(outcome: Outcome, _: Gettext, language: str, settings: Settings) -> str:
    """'32 lewat Telegram, 120 lewat WhatsApp (≈ Rp 39.600), 48 lewat SMS (≈ Rp 28.800).':
    the copies on each channel, with what the phone ones cost where the office set a price
    (WHATSAPP_COST a message, SMS_COST an SMS: a long text is several)."""
    reach = outcome.reach
    assert reach is not None

    def priced(line: str, count: int, price: int | None) -> str:
        said = str(_(line)).format(count=format_number(count, language))
        if price is None:
            return said
        amount = format_number(count * price, language)
        return said + " " + str(_("(≈ Rp {amount})")).format(amount=amount)

    parts = [str(_("{count} lewat Telegram")).format(count=format_number(reach.telegram, language))]
    if reach.whatsapp:
        parts.append(priced(N_("{count} lewat WhatsApp"), reach.whatsapp, settings.whatsapp_cost))
    if reach.sms:
        cost = settings.sms_cost * outcome.sms_parts if settings.sms_cost is not None else None
        parts.append(priced(N_("{count} lewat SMS"), reach.sms, cost))
    return ", ".join(parts) + "."


def will_reach(outcome: Outcome, _: Gettext, language: str, settings: Settings) -> str:
    """The preview's last lines: how many copies go out, on which channels, and how much of
    the audience that is."""
    reach = outcome.reach
    assert reach is not None
    return (
        str(_("Akan dikirim ke {count} orang.")).format(count=format_number(reach.chats, language))
        + "\n"
        + channels_line(outcome, _, language, settings)
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
