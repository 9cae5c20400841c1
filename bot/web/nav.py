"""The dashboard's pages as staff find them in its menu, in this order."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class Entry:
    path: str
    label: str
    admin: bool = False


MENU: tuple[Entry, ...] = (
    Entry("/", N_("Ringkasan")),
    Entry("/hari-ini", N_("Hari ini")),
    Entry("/meja", N_("Meja perekaman")),
    Entry("/kunjungan", N_("Kunjungan rumah")),
    Entry("/belum-terjangkau", N_("Belum terjangkau")),
    Entry("/tinjauan", N_("Tinjauan")),
    Entry("/jadwal", N_("Jadwal")),
    Entry("/siaran", N_("Siaran")),
    Entry("/berkas", N_("Impor / Ekspor")),
    Entry("/petugas", N_("Petugas"), admin=True),
)


def active(path: str) -> str:
    """The menu entry a page belongs to ('/orang/12' belongs to none; '/meja?q=' to '/meja')."""
    best = "/"
    for entry in MENU:
        if entry.path != "/" and (path == entry.path or path.startswith(entry.path + "/")):
            best = entry.path
    return best if best != "/" or path == "/" else ""
