"""Calling teens: `rekam summon`, `invites`, `letters` and `broadcast`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings, SettingsError, load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.kinds import Audience, Channel
from bot.i18n import N_, Gettext
from bot.office_cli.common import (
    Refused,
    known_name,
    operator,
    output_file,
    with_database,
    write_table,
)
from bot.presentation import broadcasts as said
from bot.presentation import letters as letter_pages
from bot.services import broadcasts, letters, schedule, summoning
from bot.services.office import Office


def cmd_summon(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    clock, office = Clock(settings.zone), Office.of(settings)

    async def work(database: Database) -> summoning.SummonResult:
        async with database.session() as session:
            result = await summoning.summon_all(
                session,
                now=clock.now(),
                deadline=office.deadline,
                policy=office.policy,
                dry_run=args.dry_run,
                by=operator(args),
            )
            if args.dry_run:
                await session.rollback()
            return result

    result = with_database(settings, work)
    if args.dry_run:
        print(_("Hanya dihitung: tidak ada yang disimpan atau dikirim."))
    print(
        _("Dipanggil {summoned} remaja ke {sessions} jadwal; {waiting} menunggu tempat.").format(
            summoned=f"{result.summoned:,}", sessions=result.sessions, waiting=f"{result.waiting:,}"
        )
    )
    if result.too_young:
        print(_("{count} sasaran belum 16 tahun: dipanggil nanti.").format(count=result.too_young))
    if not args.dry_run:
        print(
            _("Pesan panggilan sedang dikirim ke {count} remaja yang sudah di Telegram.").format(
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


def bot_username_of(args: argparse.Namespace, settings: Settings) -> str:
    name = (args.bot or settings.bot_username or "").lstrip("@")
    if not name:
        raise SettingsError(
            "BOT_USERNAME", N_("wajib diisi untuk tautan undangan (atau pakai --bot)")
        )
    return name


async def school_named(session: AsyncSession, name: str | None, _: Gettext) -> str | None:
    """The school as the office's list spells it, or Refused with the names it may mean."""
    if name is None:
        return None
    schools = [choice.name for choice in await broadcasts.school_choices(session)]
    return known_name(name, schools, _("Sekolah"), _, exact=False)


async def kelurahan_named(session: AsyncSession, name: str | None, _: Gettext) -> str | None:
    """The kelurahan as the office's list spells it, or Refused with the names it may mean."""
    if name is None:
        return None
    names = [choice.name for choice in await broadcasts.kelurahan_choices(session)]
    return known_name(name, names, _("Kelurahan"), _, exact=False)


def cmd_invites(args: argparse.Namespace, _: Gettext) -> int:
    path = output_file(args.file, ("csv", "xlsx"), _)
    settings = load_settings()
    require_data_key(settings)  # the list shows each NIK masked
    username = bot_username_of(args, settings)

    async def work(database: Database) -> list[tuple[str, str, str]]:
        async with database.session() as session:
            school = await school_named(session, args.school, _)
            return await letters.invitations(session, school=school)

    found = with_database(settings, work)
    rows: Iterator[tuple[str, str, str, str]] = (
        (masked, name, code, f"https://t.me/{username}?start={code}")
        for masked, name, code in found
    )
    kind = path.suffix.casefold().lstrip(".") if path else "csv"
    write_table(path, kind, (_("NIK"), _("nama"), _("kode"), _("tautan")), rows)
    said = _("{count} undangan ditulis ke {path}.") if path else _("{count} undangan ditulis.")
    print(said.format(count=len(found), path=path), file=sys.stdout if path else sys.stderr)
    return 0


def cmd_letters(args: argparse.Namespace, _: Gettext) -> int:
    path = output_file(args.file, ("pdf",), _)
    if path is None:
        raise Refused(_("Surat ditulis ke berkas PDF; beri nama berkasnya, mis. surat.pdf."))
    settings = load_settings()
    require_data_key(settings)  # each letter shows the teen's NIK masked
    username = bot_username_of(args, settings)

    async def work(database: Database) -> list[letters.Letter]:
        async with database.session() as session:
            school = await school_named(session, args.school, _)
            return await letters.letters(session, school=school, everyone=args.all)

    found = with_database(settings, work)
    pages = letter_pages.write_pdf(
        path,
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
    print(_("{count} surat ditulis ke {path}.").format(count=pages, path=path))
    return 0


def _audience(args: argparse.Namespace) -> tuple[Audience, str | None]:
    if args.session is not None:
        return Audience.SESSION, str(args.session)
    if args.kelurahan:
        return Audience.KELURAHAN, args.kelurahan
    if args.school:
        return Audience.SCHOOL, args.school
    return Audience.ALL_PENDING, None


async def _known_audience(
    session: AsyncSession, audience: Audience, value: str | None, _: Gettext
) -> str | None:
    """The audience's value as the database holds it; Refused for a session, kelurahan or
    school the office does not have (a typo must not reach nobody in silence)."""
    if audience == Audience.SESSION:
        ids = {str(listed.id) for listed in await schedule.listing(session, since=None)}
        if value not in ids:
            raise Refused(
                _("Tidak ada jadwal nomor {id}. Nomor jadwal ada di daftar: rekam sessions").format(
                    id=value
                )
            )
        return value
    if audience == Audience.KELURAHAN:
        return await kelurahan_named(session, value or "", _)
    if audience == Audience.SCHOOL:
        return await school_named(session, value, _)
    return value


def cmd_broadcast(args: argparse.Namespace, _: Gettext) -> int:
    settings = load_settings()
    clock = Clock(settings.zone)
    language = settings.default_language
    audience, value = _audience(args)
    text = " ".join(args.text).strip()

    async def judging(database: Database) -> tuple[str | None, broadcasts.Outcome]:
        async with database.reading() as session:
            known = await _known_audience(session, audience, value, _)
            judged = await broadcasts.judge(
                session, audience=audience, value=known, text=text, office=settings.office_name
            )
            return known, judged

    value, judged = with_database(settings, judging)
    if judged.refused is not None:
        raise Refused(said.refusal(judged, _, language))
    assert judged.reach is not None
    print(said.will_reach(judged, _, language, settings))

    async def work(database: Database) -> broadcasts.Outcome:
        async with database.session() as session:
            return await broadcasts.send(
                session,
                audience=audience,
                value=value,
                text=text,
                office=settings.office_name,
                by=0,
                channel=Channel.CLI,
                operator=operator(args),
                now=clock.now(),
            )

    sent = with_database(settings, work)
    if sent.refused is not None:
        raise Refused(said.refusal(sent, _, language))
    print(said.sending(sent, _, language).removeprefix("✅ "))
    return 0
