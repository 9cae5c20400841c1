"""Calling teens: `rekam summon`, `invites`, `letters` and `broadcast`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from bot.clock import Clock
from bot.config import Settings, SettingsError, load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.kinds import Audience, Channel
from bot.i18n import N_, Gettext
from bot.office_cli.common import operator, with_database
from bot.presentation import letters as letter_pages
from bot.services import broadcasts, letters, notices, sheets, summoning
from bot.services.summonses import deadline_for


def cmd_summon(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    clock = Clock(settings.zone)

    async def work(database: Database) -> summoning.SummonResult:
        async with database.session() as session:
            result = await summoning.summon_all(
                session,
                now=clock.now(),
                deadline=deadline_for(settings.election_date, settings.zone),
                policy=notices.Policy.of(settings),
                dry_run=args.dry_run,
                by=operator(args),
            )
            if args.dry_run:
                await session.rollback()
            return result

    result = with_database(settings, work)
    if args.dry_run:
        print(_("Uji coba: tidak ada yang disimpan atau dikirim."))
    print(
        _("Dipanggil {summoned} remaja ke {sessions} jadwal; {waiting} menunggu tempat.").format(
            summoned=f"{result.summoned:,}", sessions=result.sessions, waiting=f"{result.waiting:,}"
        )
    )
    if result.too_young:
        print(_("{count} sasaran belum 16 tahun: dipanggil nanti.").format(count=result.too_young))
    if not args.dry_run:
        print(
            _("Pesan panggilan diantrekan untuk {count} remaja yang sudah di Telegram.").format(
                count=result.messages_queued
            )
        )
    for shortage in result.shortages:
        area = ", ".join(a for a in (shortage.kelurahan, shortage.kecamatan) if a) or _(
            "wilayah tidak diketahui"
        )
        print(
            _(
                "KURANG TEMPAT: {area}: {count} remaja tanpa jadwal sebelum hari pemungutan suara; tambahkan jadwal."
            ).format(area=area, count=shortage.teens)
        )
    return 0


def _bot_username(args: argparse.Namespace, settings: Settings) -> str:
    name = (args.bot or settings.bot_username or "").lstrip("@")
    if not name:
        raise SettingsError(
            "BOT_USERNAME", N_("wajib diisi untuk tautan undangan (atau pakai --bot)")
        )
    return name


def cmd_invites(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    require_data_key(settings)  # the list shows each NIK masked
    username = _bot_username(args, settings)

    async def work(database: Database) -> list[tuple[str, str, str]]:
        async with database.session() as session:
            return await letters.invitations(session, school=args.school)

    found = with_database(settings, work)
    rows: Iterator[tuple[str, str, str, str]] = (
        (masked, name, code, f"https://t.me/{username}?start={code}")
        for masked, name, code in found
    )
    sheets.write(Path(args.file), (_("NIK"), _("nama"), _("kode"), _("tautan")), rows)
    print(_("{count} undangan ditulis ke {path}.").format(count=len(found), path=args.file))
    return 0


def cmd_letters(args: argparse.Namespace, _: Gettext) -> int:
    if Path(args.file).suffix.casefold() != ".pdf":
        print(_("Nama berkas surat harus berakhiran .pdf."), file=sys.stderr)
        return 1
    settings = load_settings()
    require_data_key(settings)  # each letter shows the teen's NIK masked
    username = _bot_username(args, settings)

    async def work(database: Database) -> list[letters.Letter]:
        async with database.session() as session:
            return await letters.letters(session, school=args.school, everyone=args.all)

    found = with_database(settings, work)
    pages = letter_pages.write_pdf(
        Path(args.file),
        found,
        head=letter_pages.Letterhead.of(settings),
        bot_username=username,
        _=_,
        language=settings.default_language,
        zone=settings.zone,
        today=Clock(settings.zone).today(),
    )
    if not pages:
        print(_("Tidak ada surat untuk dicetak."))
        return 0
    print(_("{count} surat ditulis ke {path}.").format(count=pages, path=args.file))
    return 0


def cmd_broadcast(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    clock = Clock(settings.zone)
    if args.session is not None:
        audience, value = Audience.SESSION, str(args.session)
    elif args.kelurahan:
        audience, value = Audience.KELURAHAN, args.kelurahan
    elif args.school:
        audience, value = Audience.SCHOOL, args.school
    else:
        audience, value = Audience.ALL_PENDING, None
    text = " ".join(args.text).strip()
    if not text or len(text) > broadcasts.MAX_TEXT:
        print(
            _("Teks siaran kosong atau lebih dari {limit} karakter.").format(
                limit=broadcasts.MAX_TEXT
            ),
            file=sys.stderr,
        )
        return 1

    async def work(database: Database) -> int:
        async with database.session() as session:
            sent = await broadcasts.send(
                session,
                audience=audience,
                value=value,
                text=text,
                by=0,
                channel=Channel.CLI,
                operator=operator(args),
                now=clock.now(),
            )
            return sent.recipients

    count = with_database(settings, work)
    print(_("Siaran diantrekan untuk {count} orang.").format(count=count))
    return 0
