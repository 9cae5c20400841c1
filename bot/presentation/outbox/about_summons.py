"""Outbox kinds about one summons at one session: the summons, its pin, reminders, a moved or
cancelled session, others' answers, a missed session. Each gets the summons as it is now
(`@renders_summons`) and renders nothing once it no longer applies.
"""

from __future__ import annotations

from bot.domain import summons_rules
from bot.domain.kinds import SummonsState
from bot.domain.outbox_kinds import Kind
from bot.i18n import N_
from bot.presentation import summons as views
from bot.presentation.outbox.registry import Draft, Need, Outgoing, Text, Venue, renders_summons
from bot.services.summonses import ANSWERS, SummonsView  # a constant and a value type

REMINDER_HEADERS = {
    "h3": N_("⏰ Pengingat: jadwal perekaman KTP-el Anda tinggal 3 hari lagi."),
    "h1": N_("⏰ Pengingat: besok jadwal perekaman KTP-el Anda."),
    "morning": N_("⏰ Hari ini jadwal perekaman KTP-el Anda."),
}
# A parent's copy is about the child.
PARENT_REMINDER_HEADERS = {
    "h3": N_("⏰ Pengingat: jadwal perekaman KTP-el {name} tinggal 3 hari lagi."),
    "h1": N_("⏰ Pengingat: besok jadwal perekaman KTP-el {name}."),
    "morning": N_("⏰ Hari ini jadwal perekaman KTP-el {name}."),
}
# A reminder is pointless once the teen has said no, asked for a home visit, or come.
_NO_REMINDER = frozenset(
    {
        SummonsState.DECLINED,
        SummonsState.HOME_VISIT,
        SummonsState.ATTENDED,
        SummonsState.NO_SHOW,
        SummonsState.UNRECORDED,
    }
)


@renders_summons(Kind.SUMMONS)
def render_summons(draft: Draft, summons: SummonsView) -> Outgoing | None:
    if summons.state in summons_rules.FINAL:
        return None
    return Text(draft.body(summons), draft.keyboard(summons))


@renders_summons(Kind.VENUE)
def render_venue(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """The place's pin, right after its summons (none for a place without coordinates)."""
    if summons.latitude is None or summons.longitude is None:
        return None
    return Venue(
        summons.latitude, summons.longitude, summons.place, summons.address or summons.place
    )


@renders_summons(Kind.REMINDER)
def render_reminder(draft: Draft, summons: SummonsView) -> Outgoing | None:
    if summons.state in _NO_REMINDER:
        return None
    headers = PARENT_REMINDER_HEADERS if draft.parent else REMINDER_HEADERS
    header = draft.gettext(headers[str(draft.params.get("which"))]).format(name=summons.name)
    return Text(f"{header}\n\n{draft.body(summons)}", draft.keyboard(summons))


@renders_summons(Kind.SESSION_MOVED)
def render_session_moved(draft: Draft, summons: SummonsView) -> Outgoing | None:
    if summons.state not in summons_rules.EXPECTED:
        return None
    _ = draft.gettext
    header = (
        _("📅 Petugas mengubah jadwal perekaman {name}. Jadwal yang baru:")
        if draft.parent
        else _("📅 Petugas mengubah jadwal perekaman Anda. Jadwal yang baru:")
    ).format(name=summons.name)
    return Text(f"{header}\n\n{draft.body(summons)}", draft.keyboard(summons))


@renders_summons(Kind.ANSWERED)
def render_answered(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """To everyone else linked to the summons: who answered, and what."""
    if summons.state not in ANSWERS:
        return None
    header = views.answered_header(
        summons,
        draft.gettext,
        by_parent=draft.params.get("by") == "parent",
        to_parent=draft.parent,
    )
    return Text(f"{header}\n\n{draft.body(summons)}", draft.keyboard(summons))


@renders_summons(Kind.UNANSWERED)
def render_unanswered(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """To parents, 48 hours on: the teen has still not answered."""
    if summons.state != SummonsState.SUMMONED:
        return None
    _ = draft.gettext
    return Text(
        _(
            "{name} belum menjawab panggilan perekaman KTP-el selama 2 hari. Mohon ingatkan "
            "{name} untuk membuka Telegram dan menekan ✅ atau ❌, atau hubungi kantor "
            "Dukcapil."
        ).format(name=summons.name)
        + "\n\n"
        + draft.body(summons)
    )


@renders_summons(Kind.NO_SHOW, {Need.OPTIONS})
def render_no_show(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """A missed session: say so kindly and offer the sessions still before election day."""
    if summons.state != SummonsState.NO_SHOW:
        return None  # already moved on
    _ = draft.gettext
    if draft.parent:
        return Text(
            _(
                "{name} tidak datang ke jadwal perekaman {day}. Mohon bantu {name} "
                "memilih jadwal baru lewat Telegram (/ganti), atau datang ke kantor "
                "Dukcapil."
            ).format(name=summons.name, day=draft.day(summons))
        )
    text = _(
        "Kami belum melihat Anda di jadwal perekaman {day}. Tidak apa-apa: masih ada "
        "waktu sebelum hari pemungutan suara."
    ).format(day=draft.day(summons))
    return _with_options(draft, summons, text)


@renders_summons(Kind.DESK_UNRECORDED, {Need.OPTIONS})
def render_desk_unrecorded(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """Came to the desk, not recorded there: why, kindly, and the sessions still ahead."""
    if summons.state != SummonsState.UNRECORDED:
        return None  # already moved on, or recorded after all
    _ = draft.gettext
    reasons = {
        "documents": _("dokumen yang diperlukan belum lengkap"),
        "device": _("alat perekaman sedang bermasalah"),
    }
    reason = reasons.get(str(draft.params.get("reason")), _("ada kendala di meja perekaman"))
    text = _(
        "Terima kasih sudah datang ke jadwal perekaman {day}. KTP-el {name} belum bisa direkam "
        "karena {reason}."
    ).format(day=draft.day(summons), name=summons.name, reason=reason)
    return _with_options(draft, summons, text)


@renders_summons(Kind.SESSION_CANCELLED, {Need.OPTIONS})
def render_session_cancelled(draft: Draft, summons: SummonsView) -> Outgoing | None:
    """Staff cancelled the session: say so, and offer the sessions still ahead."""
    if summons.state not in summons_rules.EXPECTED:
        return None  # already moved on
    _ = draft.gettext
    text = _("Maaf, jadwal perekaman {name} pada {day} di {place} dibatalkan oleh petugas.").format(
        name=summons.name, day=draft.day(summons), place=summons.place
    )
    return _with_options(draft, summons, text)


def _with_options(draft: Draft, summons: SummonsView, text: str) -> Text:
    """`text`, then the sessions still ahead as buttons; a parent is asked to help their child
    choose (the buttons are the teen's)."""
    _ = draft.gettext
    if draft.parent:
        return Text(
            text
            + "\n\n"
            + _("Mohon bantu {name} memilih jadwal baru lewat /ganti.").format(name=summons.name)
        )
    options = draft.facts.options
    if not options:
        return Text(text + "\n\n" + _("Petugas akan menambah jadwal; Anda akan dikabari di sini."))
    markup = views.options_keyboard(summons, list(options), _, draft.language, draft.settings.zone)
    return Text(text + "\n\n" + _("Pilih jadwal baru:"), markup)
