"""Printable one-page summons letters (PDF) for teens without Telegram and for schools: name,
service, day, hours, place, what to bring, and the QR of the teen's invitation link. What each
letter says comes from bot/services/letters.py."""

from __future__ import annotations

from collections.abc import Iterable
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.files import open_private
from bot.i18n import Gettext, format_day, format_hours, service_names
from bot.services.letters import Letter

# A font with every letter a name may hold; the PDF core fonts stop at Latin-1.
_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
)


def _document() -> tuple[Any, str]:
    """An A4 document and the font family to write in (fpdf2 loads only for letters)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    font = next((path for path in _FONTS if path.exists()), None)
    if font is None:
        return pdf, "helvetica"
    pdf.add_font("body", fname=str(font))
    return pdf, "body"


def _printable(text: str, family: str) -> str:
    """The core PDF fonts stop at Latin-1: anything else becomes '?' rather than an error."""
    if family == "helvetica":
        return text.encode("latin-1", "replace").decode("latin-1")
    return text


def write_pdf(
    path: Path,
    items: Iterable[Letter],
    *,
    office: str,
    bot_username: str,
    _: Gettext,
    language: str,
    zone: ZoneInfo,
) -> int:
    """One page per letter; returns how many pages were written."""
    import segno

    pdf, family = _document()

    def printable(text: str) -> str:
        return _printable(text, family)

    pages = 0
    for letter in items:
        pdf.add_page()
        pages += 1
        pdf.set_font(family, size=11)
        pdf.multi_cell(0, 6, printable(office), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(family, size=16)
        pdf.multi_cell(
            0,
            9,
            printable(_("Panggilan Perekaman KTP Elektronik")),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.ln(4)
        pdf.set_font(family, size=12)
        lines = [_("Kepada: {name}").format(name=letter.name)]
        if letter.school:
            lines.append(_("Sekolah: {school}").format(school=letter.school))
        lines.append(_("Layanan: {services}").format(services=service_names(letter.services, _)))
        if letter.starts_at and letter.ends_at:
            day = format_day(letter.starts_at.astimezone(zone).date(), language)
            lines.append(_("Hari: {day}").format(day=day))
            lines.append(
                _("Jam: {hours}").format(
                    hours=format_hours(letter.starts_at, letter.ends_at, language, zone)
                )
            )
        if letter.place:
            lines.append(_("Tempat: {place}").format(place=letter.place))
        if letter.address:
            lines.append(_("Alamat: {address}").format(address=letter.address))
        if letter.bring:
            lines.append(_("Yang dibawa: {bring}").format(bring=letter.bring))
        for line in lines:
            pdf.multi_cell(0, 7, printable(line), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        link = f"https://t.me/{bot_username}?start={letter.code}"
        buffer = BytesIO()
        segno.make(link, error="m").save(buffer, kind="png", scale=6, border=2)
        buffer.seek(0)
        pdf.image(buffer, w=50)
        pdf.ln(2)
        pdf.set_font(family, size=10)
        pdf.multi_cell(
            0,
            6,
            printable(
                _(
                    "Pindai kode QR ini dengan ponsel untuk menerima pengingat dan mengubah jadwal "
                    "lewat Telegram, atau tunjukkan surat ini kepada petugas. Kode Anda: {code}"
                ).format(code=letter.code)
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if pages:
        with open_private(path) as handle:  # names, schools and invitation codes
            handle.write(pdf.output())
    return pages
