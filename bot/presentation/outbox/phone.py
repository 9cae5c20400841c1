"""The outbox kinds that also go to a phone number (KindSpec.phone), as WhatsApp and SMS carry
them: one text per kind, in the office's catalogs, used three ways.

- As an SMS: the text with its values, in the GSM alphabet (a name's "ṣ" becomes "s": one
  character outside it would send the whole SMS as UCS-2, 67 characters a part), shortened to
  at most two SMS by cutting the place's name, then the teen's.
- As a WhatsApp template outside the 24-hour window: the same text with {{1}}, {{2}}, ... for
  its values (`TEMPLATES`, submitted by `rekam whatsapp templates`), sent by name with the
  values in order.
- As WhatsApp text inside the window, with reply buttons (✅ ❌ 🔁) where the person can answer.

Every answer the texts ask for ("Balas YA ...") is read by bot/services/phone_answers.py, from
SMS and WhatsApp alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.sms.segments import count, gsm, signed
from bot.domain import summons_rules
from bot.domain.kinds import SummonsState
from bot.domain.outbox_kinds import Kind
from bot.i18n import N_, Gettext, format_day, format_hours
from bot.presentation.outbox.notices import broadcast_text
from bot.presentation.outbox.registry import Draft, Need
from bot.services.summonses import ANSWERS, SummonsView

MOST_SMS = 2  # the summons carries name, date, hours and place in at most two SMS
REPLY_HINT = N_("Balas YA jika datang, TIDAK jika tidak bisa, GANTI untuk jadwal lain.")

# One text per kind, with named values; a template's {{n}} follow VALUES' order.
TEXTS = {
    Kind.SUMMONS: N_("Panggilan perekaman KTP-el untuk {name}: {day}, {hours}, di {place}."),
    Kind.REMINDER: N_("Pengingat perekaman KTP-el untuk {name}: {day}, {hours}, di {place}."),
    Kind.SESSION_MOVED: N_(
        "Petugas mengubah jadwal perekaman KTP-el {name}. Jadwal baru: {day}, {hours}, di {place}."
    ),
    Kind.SESSION_CANCELLED: N_(
        "Maaf, jadwal perekaman KTP-el {name} pada {day} di {place} dibatalkan petugas. Balas "
        "GANTI untuk memilih jadwal lain."
    ),
    Kind.ANSWERED: N_("Jawaban untuk panggilan perekaman KTP-el {name}: {answer}."),
    Kind.RECORDED: N_(
        "Terima kasih: KTP-el {name} sudah direkam. Pencetakan KTP-el dan aktivasi IKD bisa "
        "mulai {day} di {office}."
    ),
    Kind.BROADCAST: N_("Pesan dari {office} tentang perekaman KTP-el: {text}"),
}
# The values of each text, in the order a WhatsApp template numbers them.
VALUES = {
    Kind.SUMMONS: ("name", "day", "hours", "place"),
    Kind.REMINDER: ("name", "day", "hours", "place"),
    Kind.SESSION_MOVED: ("name", "day", "hours", "place"),
    Kind.SESSION_CANCELLED: ("name", "day", "place"),
    Kind.ANSWERED: ("name", "answer"),
    Kind.RECORDED: ("name", "day", "office"),
    Kind.BROADCAST: ("office", "text"),
}
# The template languages WhatsApp has, of Rekam's three: it has no Javanese, so a Javanese
# reader's template goes in Indonesian (texts inside the window and SMS stay Javanese).
TEMPLATE_LANGUAGES = ("id", "en")


def template_language(language: str) -> str:
    """The language a template is sent and submitted in for a reader of `language`."""
    return language if language in TEMPLATE_LANGUAGES else "id"


# WhatsApp's names for the templates (lower case and underscores, as Meta wants them).
TEMPLATES = {
    Kind.SUMMONS: "rekam_panggilan",
    Kind.REMINDER: "rekam_pengingat",
    Kind.SESSION_MOVED: "rekam_perubahan",
    Kind.SESSION_CANCELLED: "rekam_pembatalan",
    Kind.ANSWERED: "rekam_jawaban",
    Kind.RECORDED: "rekam_terima_kasih",
    Kind.BROADCAST: "rekam_siaran",
}
# The kinds whose text asks for an answer: the reply hint follows, and buttons in the window.
ASKS = frozenset({Kind.SUMMONS, Kind.REMINDER, Kind.SESSION_MOVED})
ANSWER_WORDS = {
    SummonsState.CONFIRMED: N_("akan datang"),
    SummonsState.DECLINED: N_("tidak bisa datang"),
    SummonsState.HOME_VISIT: N_("minta petugas datang ke rumah"),
}
BUTTONS = (
    ("ya", N_("✅ Datang")),
    ("tidak", N_("❌ Tidak bisa")),
    ("ganti", N_("🔁 Ganti jadwal")),
)


@dataclass(frozen=True)
class Said:
    """One message for a phone: its text as an SMS and as WhatsApp text, its template for
    outside the window (name and values in order), and the reply buttons (id, title).
    `sms_text`, when set, is the SMS as it goes, never shortened (a staff broadcast, whose
    length the service held to its limit)."""

    kind: Kind
    text: str
    template: str
    values: tuple[str, ...]
    buttons: tuple[tuple[str, str], ...] = ()
    sms_text: str | None = None
    # Inside WhatsApp's window, a list to pick from (id, title, description), opened by a
    # button labelled `menu`: GANTI's sessions.
    rows: tuple[tuple[str, str, str], ...] = ()
    menu: str = ""

    def sms(self) -> str:
        """The text as an SMS: the GSM alphabet, at most MOST_SMS of them."""
        if self.sms_text is not None:
            return self.sms_text
        return fit(gsm(self.text))


def fit(text: str) -> str:
    """`text` in at most MOST_SMS SMS: its longest line shortened, ten characters at a time
    (GANTI's list keeps every number and the start of every place)."""
    lines = text.split("\n")
    while count("\n".join(lines)) > MOST_SMS:
        longest = max(range(len(lines)), key=lambda i: len(lines[i]))
        if len(lines[longest]) <= 24:
            break
        lines[longest] = lines[longest][:-11].rstrip() + "."
    return "\n".join(lines)


def template_body(kind: Kind, _: Gettext) -> str:
    """The kind's text as a WhatsApp template: {{1}}, {{2}}, ... for its values, in the
    reader's language, with the reply hint where it asks."""
    body = _(TEXTS[kind]).format(
        **{name: "{{" + str(index + 1) + "}}" for index, name in enumerate(VALUES[kind])}
    )
    return f"{body} {_(REPLY_HINT)}" if kind in ASKS else body


# Meta reviews a template with an example of each value.
_EXAMPLES = {
    "name": "Rina Lestari",
    "day": "Sabtu, 12 Desember 2026",
    "hours": "08.00–12.00 WIB",
    "place": "Kantor Kecamatan Klojen",
    "answer": N_("akan datang"),
    "office": "Dinas Kependudukan dan Pencatatan Sipil",
    "text": N_("Sesi hari Sabtu di Kantor Kecamatan Klojen dimulai pukul 09.00, bukan 08.00."),
}


def template_examples(kind: Kind, _: Gettext) -> list[str]:
    """An example of each of the template's values, for Meta's review."""
    return [_(_EXAMPLES[name]) for name in VALUES[kind]]


def template_definition(kind: Kind, _: Gettext, language: str) -> dict[str, object]:
    """The kind's template as Meta takes it (POST /message_templates): a utility template, its
    body in the reader's language, with an example of each value."""
    examples = template_examples(kind, _)
    return {
        "name": TEMPLATES[kind],
        "language": language,
        "category": "UTILITY",
        "components": [
            {
                "type": "BODY",
                "text": template_body(kind, _),
                "example": {"body_text": [examples]},
            }
        ],
    }


def _said(kind: Kind, draft: Draft, values: dict[str, str]) -> Said:
    _ = draft.gettext
    hint = f" {_(REPLY_HINT)}" if kind in ASKS else ""

    def text(cut: dict[str, str]) -> str:
        return gsm(_(TEXTS[kind]).format(**cut) + hint)

    # Two SMS at most: the place's name is cut first, then the teen's.
    fitted = dict(values)
    for key in ("place", "name"):
        # Each turn takes ten characters off (a name keeps twelve and its full stop).
        while key in fitted and count(text(fitted)) > MOST_SMS and len(fitted[key]) > 13:
            fitted[key] = fitted[key][: max(12, len(fitted[key]) - 11)].rstrip() + "."
    buttons = tuple((i, _(title)) for i, title in BUTTONS) if kind in ASKS else ()
    return Said(
        kind,
        text(fitted),
        TEMPLATES[kind],
        tuple(values[name] for name in VALUES[kind]),
        buttons,
    )


def _session_values(draft: Draft, summons: SummonsView) -> dict[str, str]:
    zone = draft.settings.zone
    return {
        "name": summons.name,
        "day": draft.day(summons),
        "hours": format_hours(summons.starts_at, summons.ends_at, draft.language, zone),
        "place": summons.place if not summons.home else draft.gettext("rumah Anda"),
    }


PhoneRender = Callable[[Draft], Said | None]
PHONE_RENDERERS: dict[Kind, tuple[frozenset[Need], PhoneRender]] = {}


def _about_summons(kind: Kind, still: Callable[[SummonsView], bool]) -> None:
    def render(draft: Draft) -> Said | None:
        summons = draft.facts.summons
        if summons is None or summons.session_id != draft.params.get("session_id"):
            return None
        if not still(summons):
            return None
        values = _session_values(draft, summons)
        if kind == Kind.ANSWERED:
            values["answer"] = draft.gettext(ANSWER_WORDS[summons.state])
        return _said(kind, draft, values)

    PHONE_RENDERERS[kind] = (frozenset({Need.SUMMONS}), render)


# The phone's summons asks for an answer: once given (on any channel), it is not sent.
_about_summons(Kind.SUMMONS, lambda s: s.state in (SummonsState.SUMMONED, SummonsState.MOVED))
_about_summons(
    Kind.REMINDER,
    lambda s: s.state in (SummonsState.SUMMONED, SummonsState.CONFIRMED, SummonsState.MOVED),
)
_about_summons(Kind.SESSION_MOVED, lambda s: s.state in summons_rules.EXPECTED)
_about_summons(Kind.SESSION_CANCELLED, lambda s: s.state in summons_rules.EXPECTED)
_about_summons(Kind.ANSWERED, lambda s: s.state in ANSWERS)


def _recorded(draft: Draft) -> Said | None:
    found = draft.facts.recorded
    if found is None:
        return None
    name, seventeen = found
    values = {
        "name": name,
        "day": format_day(seventeen, draft.language),
        "office": draft.settings.office_name,
    }
    return _said(Kind.RECORDED, draft, values)


PHONE_RENDERERS[Kind.RECORDED] = (frozenset({Need.RECORDED}), _recorded)


def _broadcast(draft: Draft) -> Said | None:
    """Staff's text: in the window as on Telegram, under the office's name; outside it the
    template, whose value may hold no line break (Meta refuses one); as an SMS, as the
    service measured it (`signed`)."""
    text = draft.facts.broadcast
    if text is None:
        return None
    office = draft.settings.office_name
    return Said(
        Kind.BROADCAST,
        broadcast_text(draft.gettext, office, text),
        TEMPLATES[Kind.BROADCAST],
        (office, " ".join(text.split())),
        sms_text=signed(office, text),
    )


PHONE_RENDERERS[Kind.BROADCAST] = (frozenset({Need.BROADCAST}), _broadcast)


def _reply(draft: Draft) -> Said | None:
    """An answer to what a number wrote, rendered when it was decided (phone_answers.py)."""
    text = draft.params.get("text")
    if not isinstance(text, str):
        return None
    buttons = tuple(
        (str(b[0]), str(b[1])) for b in draft.params.get("buttons") or () if len(b) == 2
    )
    rows = tuple(
        (str(r[0]), str(r[1]), str(r[2])) for r in draft.params.get("rows") or () if len(r) == 3
    )
    menu = draft.gettext("Pilih jadwal") if rows else ""
    return Said(Kind.PHONE_REPLY, text, "", (), buttons, rows=rows, menu=menu)


PHONE_RENDERERS[Kind.PHONE_REPLY] = (frozenset(), _reply)
