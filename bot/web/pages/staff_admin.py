"""Petugas (admins only): who is staff, adding someone (as staff or admin) by their Telegram id,
and removing someone, which ends their dashboard sessions at once (bot/services/staff.py, as
/petugas_tambah and /petugas_hapus do in Telegram). Nobody removes or demotes themself, and the
only admin stays one (the service's rules): an office must not lose its last admin by a slip."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.domain.kinds import Channel
from bot.i18n import N_
from bot.presentation import staff as staff_views
from bot.services import staff, staff_invites
from bot.services.staff import Roster
from bot.services.web_access import Viewer
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import render

BAD_ID = N_("ID Telegram adalah angka, misalnya 123456789.")
NO_BOT_NAME = N_(
    "Tautan undangan memerlukan nama pengguna bot: isi BOT_USERNAME di pengaturan, lalu jalankan "
    "ulang Rekam."
)


def _telegram_id(value: object) -> int | None:
    text = str(value or "").strip()
    return (
        int(text)
        if text.isascii() and text.isdigit() and len(text) <= 15 and int(text) > 0
        else None
    )


async def _page(request: Request, viewer: Viewer, *, status: int = 200, **values: Any) -> Response:
    web = services_of(request)
    async with web.db.reading() as session:
        members = await staff.roster(session)
        waiting = await staff_invites.waiting(session, now=web.clock.now())
    values.setdefault("done", None)
    values.setdefault("invite", None)
    values.setdefault("problem", None)
    return render(
        request, viewer, "staff.html", status=status, members=members, waiting=waiting, **values
    )


@staff_only(admin=True)
async def show_staff(request: Request, viewer: Viewer) -> Response:
    """The staff list with the forms that change it."""
    return await _page(request, viewer)


@staff_only(admin=True)
async def add_staff(request: Request, viewer: Viewer) -> Response:
    """Make a Telegram account staff, or change whether they are admin."""
    form = await request.form()
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    telegram_id = _telegram_id(form.get("telegram_id"))
    admin = form.get("admin") == "1"
    if telegram_id is None:
        return await _page(request, viewer, status=400, problem=_(BAD_ID))
    async with web.db.session() as session:
        change = await staff.add(
            session,
            telegram_id,
            admin=admin,
            by=viewer.telegram_id,
            channel=Channel.WEB,
            name=str(form.get("name") or ""),
        )
    return await _said(
        request,
        viewer,
        change,
        staff_views.roster(change, telegram_id, admin=admin, removing=False, _=_),
    )


@staff_only(admin=True)
async def remove_staff(request: Request, viewer: Viewer) -> Response:
    """Take someone off the staff; their dashboard sessions end with it."""
    form = await request.form()
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    telegram_id = _telegram_id(form.get("telegram_id"))
    if telegram_id is None:
        return await _page(request, viewer, status=400, problem=_(BAD_ID))
    async with web.db.session() as session:
        change = await staff.remove(
            session, telegram_id, by=viewer.telegram_id, channel=Channel.WEB
        )
    return await _said(
        request,
        viewer,
        change,
        staff_views.roster(change, telegram_id, admin=False, removing=True, _=_),
    )


_REFUSED = {Roster.NOT_STAFF: 404, Roster.YOURSELF: 400, Roster.LAST_ADMIN: 409}


async def _said(request: Request, viewer: Viewer, change: Roster, text: str) -> Response:
    """The page after a change: what it did, or (with its status) why it did nothing."""
    if change in _REFUSED:
        return await _page(request, viewer, status=_REFUSED[change], problem=text)
    return await _page(request, viewer, done=text)


@staff_only(admin=True)
async def invite_staff(request: Request, viewer: Viewer) -> Response:
    """A one-time link for someone whose Telegram id nobody knows: whoever opens it becomes
    staff once an admin confirms in Telegram (bot/services/staff_invites.py)."""
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    username = (web.settings.bot_username or "").lstrip("@")
    if not username:
        return await _page(request, viewer, status=409, problem=_(NO_BOT_NAME))
    now = web.clock.now()
    async with web.db.session() as session:
        token = await staff_invites.create(session, by=viewer.by, channel=Channel.WEB, now=now)
    return await _page(
        request,
        viewer,
        invite=staff_invites.link(username, token),
        invite_until=now + staff_invites.LIFETIME,
    )


routes = [
    Route("/petugas", show_staff, methods=["GET"]),
    Route("/petugas/tambah", add_staff, methods=["POST"]),
    Route("/petugas/hapus", remove_staff, methods=["POST"]),
    Route("/petugas/undang", invite_staff, methods=["POST"]),
]
