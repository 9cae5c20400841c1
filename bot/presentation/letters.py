"""Printable summons letters (PDF), one A4 page each, laid out as an office's surat dinas
(../shared/surat-dinas.md): letterhead, number, addressee with the masked NIK, the summons, the
QR of the teen's invitation link with the same link printed under it, and the signature block.
`compose` decides what a letter says; `write_pdf` lays it out. Who gets one, and its running
number, come from bot/services/letters.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.files import open_private
from bot.i18n import Gettext, format_dated, format_day, format_hours, service_names
from bot.paths import fonts_dir
from bot.services.letters import Letter

if TYPE_CHECKING:
    from collections.abc import Iterable

    from bot.config import Settings

# A4 in millimetres, with the margins offices use for a surat dinas.
_LEFT, _RIGHT, _TOP, _BOTTOM = 25.0, 20.0, 10.0, 10.0
_PAGE_WIDTH = 210.0
_WIDTH = _PAGE_WIDTH - _LEFT - _RIGHT
_LOGO = 24.0
_QR = 30.0
_LINE = 5.0
# Lines a name, a school, a place or an address may take before it is cut: with these the
# longest letter still fits its page (tests/test_letters.py prints one).
_MOST = 2
_LABEL = 32.0  # the labels of the Nomor block and of the details, aligned on their colons
_SIGNATURE_X = 112.0


@dataclass(frozen=True)
class Letterhead:
    """The office as its letters show it (the OFFICE_* and LETTER_NUMBER settings)."""

    government: str
    office: str
    address: str
    phone: str
    logo: Path | None
    city: str
    head_name: str
    head_rank: str
    head_nip: str
    number_pattern: str

    @classmethod
    def of(cls, settings: Settings) -> Letterhead:
        return cls(
            government=settings.office_government,
            office=settings.office_name,
            address=settings.office_address,
            phone=settings.office_phone,
            logo=settings.office_logo,
            city=settings.office_city,
            head_name=settings.office_head_name,
            head_rank=settings.office_head_rank,
            head_nip=settings.office_head_nip,
            number_pattern=settings.letter_number,
        )


@dataclass(frozen=True)
class Page:
    """Everything one letter says, in reading order, before it is laid out."""

    kop: tuple[str, ...]  # the government and the office, in capitals
    contact: tuple[str, ...]  # the address; the phone
    dated: str  # "Blitar, 1 Desember 2026"
    heading: tuple[tuple[str, str], ...]  # Nomor, Sifat, Lampiran, Hal
    addressee: tuple[str, ...]
    opening: str
    details: tuple[tuple[str, str], ...]
    reschedule: str
    link: str  # exactly what the QR encodes
    parents: str
    closing: str
    position: str
    signer: str
    rank: str
    nip: str


def spaced_nip(nip: str) -> str:
    """'19700512 200003 1 004': an 18-digit NIP as it is printed (8-6-1-3)."""
    if len(nip) != 18:
        return nip
    return f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"


def invitation_link(bot_username: str, code: str) -> str:
    """The deep link a letter's QR opens, and prints for those who cannot scan it."""
    return f"https://t.me/{bot_username}?start={code}"


def _details(
    letter: Letter, _: Gettext, language: str, zone: ZoneInfo
) -> tuple[tuple[str, str], ...]:
    """The summons as an aligned list: day, hours, place, address, services, what to bring."""
    details: list[tuple[str, str]] = []
    if letter.starts_at and letter.ends_at:
        day = format_day(letter.starts_at.astimezone(zone).date(), language)
        details.append((_("Hari/tanggal"), day))
        details.append((_("Waktu"), format_hours(letter.starts_at, letter.ends_at, language, zone)))
    if letter.place:
        details.append((_("Tempat"), letter.place))
    if letter.address:
        details.append((_("Alamat"), letter.address))
    details.append((_("Layanan"), service_names(letter.services, _)))
    if letter.bring:
        details.append((_("Yang dibawa"), letter.bring))
    return tuple(details)


def compose(
    letter: Letter,
    head: Letterhead,
    *,
    bot_username: str,
    _: Gettext,
    language: str,
    zone: ZoneInfo,
    today: date,
) -> Page:
    """What one letter says, in the office's language and time zone."""
    reschedule = _(
        "Jika waktu tersebut tidak sesuai, atau untuk menerima pengingat lewat Telegram, pindai "
        "kode QR ini dengan ponsel atau buka tautan di bawahnya. Kode undangan Saudara/i: {code}."
    ).format(code=letter.code)
    if head.phone:
        reschedule += " " + _("Untuk pertanyaan, hubungi {phone}.").format(phone=head.phone)
    contact = [head.address] if head.address else []
    if head.phone:
        contact.append(_("Telp. {phone}").format(phone=head.phone))
    dated = format_dated(today, language)
    if set(letter.services) <= {"rekam"}:
        subject = _("Panggilan Perekaman KTP-el")
    else:  # printing or IKD too: the details name them
        subject = _("Panggilan Pelayanan KTP-el")
    addressee = [_("Yth. Sdr./Sdri. {name}").format(name=letter.name)]
    addressee.append(_("NIK {nik}").format(nik=letter.nik))
    if letter.school:
        addressee.append(letter.school)
    addressee.append(_("di tempat"))
    return Page(
        kop=tuple(line.upper() for line in (head.government, head.office) if line),
        contact=tuple(contact),
        dated=f"{head.city}, {dated}" if head.city else dated,
        heading=(
            (_("Nomor"), head.number_pattern.format(n=letter.number)),
            (_("Sifat"), _("Biasa")),
            (_("Lampiran"), "-"),
            (_("Hal"), subject),
        ),
        addressee=tuple(addressee),
        opening=_(
            "Dalam rangka pelayanan KTP elektronik bagi penduduk yang berusia 16 dan 17 tahun "
            "menjelang Pemilihan Umum, bersama ini kami mengundang Saudara/i untuk hadir pada:"
        ),
        details=_details(letter, _, language, zone),
        reschedule=reschedule,
        link=invitation_link(bot_username, letter.code),
        parents=_(
            "Kepada Bapak/Ibu orang tua atau wali: mohon bantu putra-putri Anda hadir tepat waktu."
        ),
        closing=_(
            "Demikian undangan ini kami sampaikan. Atas perhatian Saudara/i, kami ucapkan "
            "terima kasih."
        ),
        position=_("Kepala {office}").format(office=head.office).upper(),
        signer=head.head_name,
        rank=head.head_rank,
        nip=_("NIP. {nip}").format(nip=spaced_nip(head.head_nip)) if head.head_nip else "",
    )


def _document() -> Any:
    """An A4 document in the fonts shipped with the package (fpdf2 loads only for letters)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(_LEFT, _TOP, _RIGHT)
    pdf.set_auto_page_break(auto=True, margin=_BOTTOM)
    fonts = fonts_dir()
    pdf.add_font("body", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    return pdf


def lines(pdf: Any, text: str, width: float, most: int | None = None) -> list[str]:
    """`text` broken into lines that fit `width` in the current font; a word too long for a
    line (a name without spaces) is broken inside rather than run off the page. Past `most`
    lines the text is cut with an ellipsis, so that every letter stays on its one page."""
    found = list(pdf.multi_cell(width, 5, text, dry_run=True, output="LINES"))
    if most is None or len(found) <= most:
        return found
    last = found[most - 1].rstrip()
    while last and pdf.get_string_width(last + "…") > width:
        last = last[:-1].rstrip()
    return [*found[: most - 1], last + "…"]


class _Sheet:
    """The document, writing wrapped text line by line. Most of a letter is the same on every
    page, and fpdf2's line breaking is the slow part of a page: each text is broken once."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self._wrapped: dict[tuple[str, float, float, str, int | None], list[str]] = {}

    def text(
        self,
        text: str,
        *,
        x: float = _LEFT,
        width: float = _WIDTH,
        height: float = _LINE,
        size: float = 11,
        style: str = "",
        align: str = "L",
        most: int | None = None,
    ) -> None:
        pdf = self.pdf
        pdf.set_font("body", style, size)
        key = (style, size, width, text, most)
        if key not in self._wrapped:
            self._wrapped[key] = lines(pdf, text, width, most)
        for line in self._wrapped[key]:
            pdf.set_x(x)
            pdf.cell(width, height, line, align=align, new_x="LMARGIN", new_y="NEXT")

    def aligned(self, rows: Iterable[tuple[str, str]], *, x: float) -> None:
        """Label, colon, value: the colons in one column, long values wrapped under themselves."""
        value_x = x + _LABEL + 4
        for label, value in rows:
            self.pdf.set_font("body", "", 11)
            self.pdf.set_x(x)
            self.pdf.cell(_LABEL, _LINE, label)
            self.pdf.cell(4, _LINE, ":")
            self.text(value or "-", x=value_x, width=_LEFT + _WIDTH - value_x, most=_MOST)

    def kop(self, page: Page, logo: Path | None) -> None:
        pdf = self.pdf
        top = pdf.get_y()
        if logo is not None:
            pdf.image(str(logo), x=_LEFT, y=top, h=_LOGO)
        # Centred on the page, within the room the logo leaves on both sides.
        x, width = _LEFT + _LOGO + 4, _WIDTH - 2 * (_LOGO + 4)
        for index, line in enumerate(page.kop):
            size = 15 if index == len(page.kop) - 1 else 13
            self.text(line, x=x, width=width, height=6.5, size=size, style="B", align="C")
        for line in page.contact:
            self.text(line, x=x, width=width, height=4.5, size=9, align="C")
        rule = max(pdf.get_y(), top + (_LOGO if logo is not None else 0)) + 2
        pdf.set_line_width(0.8)
        pdf.line(_LEFT, rule, _LEFT + _WIDTH, rule)
        pdf.set_line_width(0.2)
        pdf.line(_LEFT, rule + 1.2, _LEFT + _WIDTH, rule + 1.2)
        pdf.set_y(rule + 4)

    def qr(self, page: Page) -> None:
        """The QR on the left and, under it, the link it opens; the explanation on its right."""
        import segno

        image = BytesIO()
        segno.make(page.link, error="m").save(image, kind="png", scale=4, border=1)
        image.seek(0)
        pdf = self.pdf
        top = pdf.get_y()
        pdf.image(image, x=_LEFT, y=top, w=_QR, h=_QR)
        pdf.set_y(top + 2)
        self.text(page.reschedule, x=_LEFT + _QR + 5, width=_WIDTH - _QR - 5, height=5, size=10)
        beside = pdf.get_y()
        pdf.set_y(top + _QR + 1)
        self.text(page.link, height=5, size=10, style="B")
        pdf.set_y(max(pdf.get_y(), beside) + 2)

    def signature(self, page: Page) -> None:
        """The right half: the position, room to sign and stamp, the name underlined, the NIP."""
        signer = page.signer or "(" + "." * 40 + ")"
        for index, line in enumerate((page.position, signer, page.rank, page.nip)):
            if index == 1:
                self.pdf.ln(17)  # the signature and the office's stamp
            if line:
                style = "BU" if index == 1 and page.signer else ""
                width = _LEFT + _WIDTH - _SIGNATURE_X
                self.text(line, x=_SIGNATURE_X, width=width, style=style, align="C")

    def letter(self, page: Page, head: Letterhead) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.kop(page, head.logo)
        self.text(page.dated, align="R")
        pdf.ln(1)
        self.aligned(page.heading, x=_LEFT)
        pdf.ln(3)
        self.text(page.addressee[0], style="B", most=_MOST)
        for line in page.addressee[1:]:
            self.text(line, most=1)
        pdf.ln(3)
        self.text(page.opening)
        pdf.ln(1)
        self.aligned(page.details, x=_LEFT + 8)
        pdf.ln(3)
        self.qr(page)
        self.text(page.parents)
        pdf.ln(1)
        self.text(page.closing)
        pdf.ln(4)
        self.signature(page)


def pdf_of(
    items: Iterable[Letter],
    *,
    head: Letterhead,
    bot_username: str,
    _: Gettext,
    language: str,
    zone: ZoneInfo,
    today: date,
) -> tuple[bytes, int]:
    """The PDF of one page per letter, and how many pages it holds."""
    sheet = _Sheet(_document())
    pages = 0
    for letter in items:
        page = compose(
            letter, head, bot_username=bot_username, _=_, language=language, zone=zone, today=today
        )
        sheet.letter(page, head)
        pages += 1
    return (bytes(sheet.pdf.output()) if pages else b""), pages


def write_pdf(
    path: Path,
    items: Iterable[Letter],
    *,
    head: Letterhead,
    bot_username: str,
    _: Gettext,
    language: str,
    zone: ZoneInfo,
    today: date,
) -> int:
    """One page per letter in the file at `path`; returns how many pages were written."""
    document, pages = pdf_of(
        items,
        head=head,
        bot_username=bot_username,
        _=_,
        language=language,
        zone=zone,
        today=today,
    )
    if pages:
        with open_private(path) as handle:  # names, masked NIKs and invitation codes
            handle.write(document)
    return pages
