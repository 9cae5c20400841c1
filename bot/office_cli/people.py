"""Commands about people: `rekam review` (the /daftar registrations waiting for staff) and
`rekam purge` (personal data deleted after the retention period)."""

from __future__ import annotations

import argparse

from bot.clock import Clock
from bot.config import load_settings, require_data_key
from bot.db.engine import Database
from bot.domain.kinds import Channel
from bot.domain.retention import purge_day
from bot.i18n import Gettext, format_day
from bot.office_cli.common import operator, with_database
from bot.presentation.review import decision_text, pending_text
from bot.services import retention, review
from bot.services.office import Office
from bot.services.review import Decision


def cmd_review(args: argparse.Namespace, _: Gettext) -> int:
    """List the waiting registrations, or approve / reject one."""
    settings = load_settings()
    require_data_key(settings)  # staff see each NIK masked
    clock = Clock(settings.zone)
    language = settings.default_language

    async def listing(database: Database) -> list[review.Pending]:
        async with database.session() as session:
            return await review.pending(session)

    if args.action == "list":
        waiting = with_database(settings, listing)
        for item in waiting:
            print(pending_text(item, _, language, settings.zone), end="\n\n")
        print(_("{count} pendaftaran menunggu.").format(count=len(waiting)))
        return 0

    async def deciding(database: Database) -> Decision:
        async with database.session() as session:
            return await review.decide(
                session,
                args.id,
                approve=args.action == "approve",
                by=operator(args),
                channel=Channel.CLI,
                now=clock.now(),
                policy=Office.of(settings).policy,
            )

    decision = with_database(settings, deciding)
    print(decision_text(decision, _))
    return 0 if decision in (Decision.APPROVED, Decision.REJECTED) else 1


def cmd_purge(args: argparse.Namespace, _: Gettext) -> int:
    """Delete personal data once RETENTION_DAYS after election day have passed; before that,
    say when, and change nothing (so it can run every day)."""
    settings = load_settings()
    clock = Clock(settings.zone)
    due = purge_day(settings.election_date, settings.retention_days)
    if clock.today() < due:
        print(
            _("Belum waktunya: data pribadi dihapus mulai {day} (RETENTION_DAYS={days}).").format(
                day=format_day(due, settings.default_language), days=settings.retention_days
            )
        )
        return 0

    async def work(database: Database) -> retention.Purged:
        async with database.session() as session:
            found = await retention.purge(
                session, now=clock.now(), by=operator(args), dry_run=args.dry_run
            )
            if args.dry_run:
                await session.rollback()
            return found

    found = with_database(settings, work)
    labels = {
        "targets": _("data sasaran dikosongkan (nama, NIK, tanggal lahir, alamat)"),
        "accounts": _("akun Telegram"),
        "parent_links": _("hubungan dengan orang tua/wali"),
        "claims": _("pendaftaran /daftar"),
        "queued_messages": _("pesan yang belum terkirim"),
        "waiting": _("daftar tunggu"),
        "guesses": _("catatan percobaan yang salah"),
        "numbers": _("nomor telepon"),
    }
    heading = _("Akan dihapus:") if args.dry_run else _("Dihapus:")
    print(heading)
    for name, label in labels.items():
        print(f"  {getattr(found, name):>9,}  {label}")
    print(_("Angka perekaman per wilayah dan sekolah tetap ada."))
    return 0
