"""The texts WhatsApp and SMS carry (bot/presentation/outbox/phone.py): every kind sent to a
phone has one; an SMS summons stays within two SMS in the GSM alphabet whatever the name and
place; a WhatsApp template numbers the same values the SMS fills in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.channels.sms.segments import Encoding, segments
from bot.domain.kinds import SummonsState
from bot.domain.outbox_kinds import KINDS, Kind
from bot.i18n import Catalogs
from bot.presentation.outbox import Draft, Facts
from bot.presentation.outbox.phone import (
    PHONE_RENDERERS,
    TEMPLATES,
    Said,
    template_body,
    template_definition,
)
from bot.services.summonses import SummonsView
from tests.support.harness import make_settings

START = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)


def summons(name: str, place: str) -> SummonsView:
    return SummonsView(
        id=1,
        revision=0,
        state=SummonsState.SUMMONED,
        target_id=1,
        name=name,
        session_id=7,
        starts_at=START,
        ends_at=START + timedelta(hours=4),
        services=("rekam",),
        bring="",
        place=place,
        address="",
        latitude=None,
        longitude=None,
    )


def said(sqlite_url: str, name: str, place: str, language: str = "id") -> Said:
    settings = make_settings(sqlite_url)
    gettext = Catalogs().gettext(language)
    draft = Draft(
        {"session_id": 7, "summons_id": 1},
        language,
        gettext,
        settings,
        Facts(summons=summons(name, place)),
    )
    found = PHONE_RENDERERS[Kind.SUMMONS][1](draft)
    assert found is not None
    return found


def test_every_kind_sent_to_a_phone_has_its_text_and_template() -> None:
    phone = {kind for kind, spec in KINDS.items() if spec.phone}
    assert phone == set(PHONE_RENDERERS)
    assert phone - {Kind.PHONE_REPLY} == set(TEMPLATES)


def test_a_summons_sms_says_who_when_and_where_in_at_most_two_sms(sqlite_url: str) -> None:
    short = said(sqlite_url, "Rina Lestari", "Kantor Kecamatan Klojen")
    assert short.text.startswith(
        "Panggilan perekaman KTP-el untuk Rina Lestari: Sabtu, 12 Desember"
    )
    assert "08.00–12.00 WIB".replace("–", "-") in short.text  # the dash is not GSM: a hyphen
    assert short.text.endswith("GANTI untuk jadwal lain.")
    assert segments(short.sms()).count <= 2
    # A 200-character name of another script and a long place still fit two GSM-7 SMS.
    long = said(sqlite_url, "Ṣiti Nur'aini ʻAbdullah " * 9, "Gedung Serbaguna Kelurahan " * 6)
    shape = segments(long.sms())
    assert shape.encoding == Encoding.GSM7 and shape.count <= 2
    assert long.text.startswith("Panggilan perekaman KTP-el untuk Siti Nur'aini")
    assert "Balas YA jika datang" in long.text  # the way to answer is never cut


def test_the_template_numbers_the_values_the_sms_fills_in(sqlite_url: str) -> None:
    gettext = Catalogs().gettext("id")
    body = template_body(Kind.SUMMONS, gettext)
    assert body.startswith("Panggilan perekaman KTP-el untuk {{1}}: {{2}}, {{3}}, di {{4}}.")
    found = said(sqlite_url, "Rina Lestari", "Balai Kelurahan Mawar")
    assert found.template == "rekam_panggilan"
    assert found.values[0] == "Rina Lestari" and found.values[3] == "Balai Kelurahan Mawar"
    definition = template_definition(Kind.SUMMONS, gettext, "id")
    assert definition["category"] == "UTILITY"
    jv = template_body(Kind.SUMMONS, Catalogs().gettext("jv"))
    assert "{{4}}" in jv and "Wangsuli YA" in jv
