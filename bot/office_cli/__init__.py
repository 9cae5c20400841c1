"""The office's desk commands of `rekam`: import, templates, sessions, summon, invites, letters,
broadcast, report, staff. Thin: each parses, calls a service, prints; one module per area."""

from __future__ import annotations

import argparse
from typing import Any

from bot.i18n import N_, Gettext
from bot.office_cli.calls import cmd_broadcast, cmd_invites, cmd_letters, cmd_summon
from bot.office_cli.common import add_operator
from bot.office_cli.desk import cmd_desk
from bot.office_cli.home_visits import add_command as add_home_visits
from bot.office_cli.keys import add_commands as add_key_commands
from bot.office_cli.lists import cmd_import
from bot.office_cli.people import cmd_purge, cmd_review
from bot.office_cli.person import cmd_person
from bot.office_cli.reports import add_report_arguments, cmd_report, cmd_staff
from bot.office_cli.sessions import add_command as add_sessions
from bot.office_cli.staff_invite import add_invite_parser
from bot.office_cli.templates import add_command as add_templates
from bot.office_cli.unreached import add_command as add_unreached
from bot.office_cli.whatsapp import add_command as add_whatsapp

TELEGRAM_ID = N_("nomor akun Telegram petugas (angka, bukan @nama)")


def add_commands(commands: Any, _: Gettext) -> None:
    """The office commands, under `rekam`."""
    imp = commands.add_parser(
        "import", help=_("impor daftar sasaran, jadwal, atau yang sudah rekam (CSV/XLSX)")
    )
    imp.add_argument(
        "kind",
        choices=("targets", "sessions", "recorded"),
        metavar=_("JENIS"),
        help=_("targets (daftar sasaran), sessions (jadwal) atau recorded (yang sudah rekam)"),
    )
    imp.add_argument("file", metavar=_("BERKAS"))
    imp.add_argument(
        "--rejects",
        metavar=_("BERKAS"),
        help=_("tulis baris yang ditolak ke sini (.csv/.xlsx; - untuk keluaran standar)"),
    )
    imp.set_defaults(handler=cmd_import)
    add_templates(commands, _)
    add_sessions(commands, _)

    summon = commands.add_parser("summon", help=_("panggil sasaran yang belum dipanggil ke jadwal"))
    summon.add_argument("--dry-run", action="store_true", help=_("hitung saja, tanpa menyimpan"))
    summon.set_defaults(handler=cmd_summon)

    invites = commands.add_parser("invites", help=_("tulis daftar undangan dengan nama (CSV/XLSX)"))
    invites.add_argument(
        "file", metavar=_("BERKAS"), help=_(".csv atau .xlsx; - untuk CSV di keluaran standar")
    )
    invites.add_argument("--bot", help=_("nama pengguna bot (bawaan: BOT_USERNAME)"))
    invites.add_argument("--school", help=_("hanya siswa sekolah ini"))
    invites.set_defaults(handler=cmd_invites)

    printed = commands.add_parser("letters", help=_("surat panggilan siap cetak (PDF)"))
    printed.add_argument("file", metavar=_("BERKAS.pdf"))
    printed.add_argument("--bot", help=_("nama pengguna bot (bawaan: BOT_USERNAME)"))
    printed.add_argument("--school", help=_("hanya siswa sekolah ini"))
    printed.add_argument("--all", action="store_true", help=_("juga remaja yang sudah di Telegram"))
    printed.set_defaults(handler=cmd_letters)
    add_unreached(commands, _)
    add_whatsapp(commands, _)

    cast = commands.add_parser("broadcast", help=_("kirim siaran"))
    who = cast.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--session", type=int, metavar="ID", help=_("nomor jadwal (lihat: rekam sessions)")
    )
    who.add_argument("--kelurahan", metavar=_("NAMA"))
    who.add_argument("--school", metavar=_("NAMA"))
    who.add_argument("--all-pending", action="store_true")
    # Kept so scripts that pass it still run: a broadcast to nobody is refused all the same.
    cast.add_argument("--yes", action="store_true", help=argparse.SUPPRESS)
    cast.add_argument("text", nargs="+", metavar=_("TEKS"))
    cast.set_defaults(handler=cmd_broadcast)

    report = commands.add_parser("report", help=_("angka per kelurahan / kecamatan / sekolah"))
    add_report_arguments(report, _)
    report.add_argument(
        "--format",
        choices=("table", "csv", "xlsx"),
        help=_(
            "table (tabel di layar), csv atau xlsx; bila tidak diisi: menurut akhiran nama "
            "berkas -o, atau tabel di layar"
        ),
    )
    report.add_argument(
        "-o", "--output", metavar=_("BERKAS"), help=_("berkas tujuan; - untuk keluaran standar")
    )
    report.set_defaults(handler=cmd_report)

    members = commands.add_parser("staff", help=_("tambah, undang, atau hapus petugas"))
    member_actions = members.add_subparsers(dest="action", required=True, metavar=_("PERINTAH"))
    add = member_actions.add_parser("add", help=_("jadikan petugas"))
    add.add_argument("telegram_id", type=int, metavar="ID", help=_(TELEGRAM_ID))
    add.add_argument(
        "--admin",
        action="store_true",
        help=_("jadikan admin (boleh impor data dan mengatur petugas)"),
    )
    add.add_argument("--name", metavar=_("NAMA"), help=_("nama petugas, tampil di riwayat"))
    add_invite_parser(member_actions, _)
    remove = member_actions.add_parser("remove", help=_("hapus dari petugas"))
    remove.add_argument("telegram_id", type=int, metavar="ID", help=_(TELEGRAM_ID))
    for parser in (add, remove):
        parser.set_defaults(handler=cmd_staff)
    checks = commands.add_parser("review", help=_("pendaftaran /daftar yang menunggu petugas"))
    check_actions = checks.add_subparsers(dest="action", metavar=_("PERINTAH"))
    checks.set_defaults(handler=cmd_review, action="list")
    check_actions.add_parser("list", help=_("tampilkan yang menunggu")).set_defaults(
        handler=cmd_review
    )
    decided = []
    for action, helptext in (("approve", _("setujui")), ("reject", _("tolak"))):
        decide = check_actions.add_parser(action, help=helptext)
        decide.add_argument("id", type=int, metavar="ID")
        decide.set_defaults(handler=cmd_review)
        decided.append(decide)

    add_home_visits(commands, _)
    add_key_commands(commands, _)

    wipe = commands.add_parser(
        "purge", help=_("hapus data pribadi setelah masa simpan (aman dijalankan tiap hari)")
    )
    wipe.add_argument("--dry-run", action="store_true", help=_("hitung saja, tanpa menghapus"))
    wipe.set_defaults(handler=cmd_purge)

    look = commands.add_parser("person", help=_("semua yang diketahui kantor tentang satu remaja"))
    look.add_argument("who", metavar=_("NIK|KODE"))
    look.add_argument("--json", action="store_true", help=_("keluaran JSON"))
    look.set_defaults(handler=cmd_person)

    counter = commands.add_parser(
        "desk", help=_("meja perekaman: cari remaja, catat terekam / belum / batalkan")
    )
    counter.set_defaults(handler=cmd_desk)

    for parser in (imp, summon, cast, add, remove, wipe, look, counter, *decided):
        add_operator(parser, _)
