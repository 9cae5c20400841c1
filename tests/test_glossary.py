"""The glossary of docs/language.md holds in every text people read.

Each rule names words the glossary forbids; a test fails with the offending texts, so a
new message that says "kursi", "tertaut" or "Nimbali" is caught before anyone reads it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

import bot
from bot import catalogs

MESSAGES = Path(bot.__file__).resolve().parent.parent / "messages"

# Indonesian (the msgids): the term the glossary chose, and the words it replaced.
INDONESIAN = {
    "sasaran, not target": r"\btarget\b",
    "tempat, not kursi": r"\bkursi\b",
    "jumlah tempat, not kapasitas": r"\bkapasitas\b",
    "hubungkan / terhubung / putuskan a guardian, not tautan": (
        r"\b(tautkan|tertaut|menautkan|ditautkan)\b|lepas tautan|permintaan tautan"
        r"|tautan orang tua"
    ),
    "tidak bisa datang, not menolak": r"\bmenolak\b",
    "plain words for the sealed NIK": r"tidak tersimpan terbuka",
    "plain words for a port in use": r"\bmendengarkan\b",
}

# Javanese (the msgstrs of messages/jv).
JAVANESE = {
    "no è/é: one spelling": r"[èéÈÉ]",
    "ngulemi, not nimbali (the office never honours itself)": r"\b[Nn]imbali\b|dipuntimbali",
    "krama, not ngoko": r"\b(culake|culaken)\b",
    "Serataken:, not Serat: or Serat kode": r"\bSerat:|\bSerat kode\b",
    # Krama inggil is for a parent's child when the parent reads (putra panjenengan rawuh).
    "no krama inggil to a teen": (
        r"dados kagungan panjenengan|(?<!putra )(?<!putra-putri )panjenengan (?:\w+ ){0,2}rawuh"
    ),
    "no Indonesian left": (
        r"\b(alasan\w*|[Pp]encapaian|[Kk]apasitas|Setujui|tertaut|yang|tidak|sudah|belum"
        r"|dengan)\b"
    ),
    "serat ulem, not serat undangan": r"\b[Ss]erat undangan\b|\b[Kk]ode undangan\b",
    "daftar tengga / nengga, not entosan / ngentosi": r"\bentosan\b|\bngentosi\b",
    "pangeling, not pangeling-eling": r"pangeling-eling",
    "punika, not menika": r"\b[Mm]enika\b",
    "daftar, not pratelan": r"\b[Pp]ratelan\b",
    "siaran, not wara-wara": r"\b[Ww]ara-wara\b",
    "link, not tautan": r"\b[Tt]autan\b",
    "ngangge, not ngagem": r"\b(ngagem|dipunagem)\b",
    "sasaran, not target": r"\b[Tt]arget\b(?!\})",
}

# English (the msgstrs of messages/en): people are not "targets".
ENGLISH = {
    "people on the list, not targets": r"\b(the targets|target list|target data|Target)\b",
    "broadcast, not announcement": r"\b[Aa]nnouncement",
}


def _catalog(language: str) -> Catalog:
    with (MESSAGES / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=language)


def _pairs(language: str) -> Iterator[tuple[str, str]]:
    for message in _catalog(language):
        if message.id and isinstance(message.id, str) and isinstance(message.string, str):
            yield message.id, message.string


def _msgids() -> list[str]:
    source = Path(bot.__file__).resolve().parent
    return sorted(str(message.id) for message in catalogs.extract(source) if message.id)


@pytest.mark.parametrize("rule", sorted(INDONESIAN))
def test_indonesian_texts_use_the_glossary(rule: str) -> None:
    pattern = re.compile(INDONESIAN[rule], re.IGNORECASE)
    assert [text for text in _msgids() if pattern.search(re.sub(r"\{[^}]*\}", "", text))] == []


@pytest.mark.parametrize("rule", sorted(JAVANESE))
def test_javanese_texts_use_the_glossary(rule: str) -> None:
    pattern = re.compile(JAVANESE[rule])
    offending = [
        (msgid, msgstr)
        for msgid, msgstr in _pairs("jv")
        if pattern.search(re.sub(r"\{[^}]*\}", "", msgstr))
    ]
    assert offending == []


def test_javanese_taken_places_are_not_full() -> None:
    """ "Kebak" means full: a count of taken places is "kaisi"."""
    offending = [
        (msgid, msgstr)
        for msgid, msgstr in _pairs("jv")
        if re.search(r"\bterisi\b", msgid, re.IGNORECASE) and "kebak" in msgstr.lower()
    ]
    assert offending == []


def test_buttons_in_the_readers_own_voice_carry_no_honorifics() -> None:
    """Nobody honours themselves: "✅ Saya akan datang" is "Kula badhe dhateng"."""
    honorifics = re.compile(r"\b(rawuh|kagungan|mirsani|kersa\w*|ngagem|tindak)\b")
    offending = [
        (msgid, msgstr)
        for msgid, msgstr in _pairs("jv")
        if re.match(r"\W*(Saya|Ya,)", msgid) and honorifics.search(msgstr)
    ]
    assert offending == []


@pytest.mark.parametrize("rule", sorted(ENGLISH))
def test_english_texts_use_the_glossary(rule: str) -> None:
    pattern = re.compile(ENGLISH[rule])
    offending = [(msgid, msgstr) for msgid, msgstr in _pairs("en") if pattern.search(msgstr)]
    assert offending == []


def test_a_forbidden_word_is_caught() -> None:
    """The rules catch what the issue found in the catalogs, so they cannot pass vacuously."""
    found_in_issue_23 = {
        "Nimbali sasaran dhateng jadwal": "ngulemi, not nimbali (the office never honours itself)",
        "Inggih, culake gandhengan": "krama, not ngoko",
        "Serat kode undanganipun wonten mriki": "Serataken:, not Serat: or Serat kode",
        "Panggenan punika sapunika dados kagungan panjenengan.": "no krama inggil to a teen",
        "Pilih alasanipun.": "no Indonesian left",
        "Pencapaian": "no Indonesian left",
        "Kapasitas": "no Indonesian left",
        "mlebet daftar entosan": "daftar tengga / nengga, not entosan / ngentosi",
        "Tautan énggal": "no è/é: one spelling",
    }
    for text, rule in found_in_issue_23.items():
        assert re.search(JAVANESE[rule], text), (rule, text)
    for text in ("daftar jadwal: tempat, kursi", "Lepas tautan: {name}", "menolak 0"):
        assert any(re.search(p, text, re.IGNORECASE) for p in INDONESIAN.values()), text


@pytest.mark.parametrize("language", ["en", "jv"])
def test_translations_keep_placeholders_and_commands(language: str) -> None:
    """A reader types the command the text names; a lost {name} would show as a gap."""

    def kept(text: str) -> tuple[list[str], set[str]]:
        commands = set(re.findall(r"(?<![\w/])/[a-z_]+\b", text)) - {"/perintah"}
        return sorted(re.findall(r"\{[^{}]*\}", text)), commands

    offending = [
        (msgid, msgstr)
        for msgid, msgstr in _pairs(language)
        if kept(msgid) != kept(msgstr.replace("/prentah", "").replace("/command", ""))
    ]
    assert offending == []
