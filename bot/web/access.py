"""Every dashboard page and action checks, at that moment, that a signed-in staff member is
asking (admins where it says so), and every form carries the session's CSRF token. Anyone else
gets a refusal page that says how to sign in, never the page."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response

from bot.i18n import N_
from bot.services import web_access
from bot.services.web_access import Viewer
from bot.web.context import services_of
from bot.web.render import refusal

COOKIE = "rekam_sesi"
View = Callable[[Request, Viewer], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]

NOT_SIGNED_IN = N_(
    "Anda belum masuk, atau sesi Anda sudah berakhir. Kirim /dasbor ke bot Rekam di Telegram "
    "untuk mendapat tautan masuk."
)
ADMINS_ONLY = N_("Halaman ini hanya untuk admin.")
BAD_FORM = N_(
    "Formulir ini kedaluwarsa atau tidak berasal dari dasbor. Buka halamannya lagi lalu ulangi."
)


async def current_viewer(request: Request) -> Viewer | None:
    """The staff member signed in on this request, read from the database now."""
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    web = services_of(request)
    idle = timedelta(minutes=web.settings.web_idle_minutes)
    now = web.clock.now()
    async with web.db.reading() as session:
        found, upkeep, row_id = await web_access.look(session, cookie, now=now, idle=idle)
    if upkeep != web_access.Upkeep.NONE and row_id is not None:
        async with web.db.session() as session:
            await web_access.keep_up(session, row_id, upkeep, now=now)
    return found


def staff_only(*, admin: bool = False) -> Callable[[View], Endpoint]:
    """A page or action for signed-in staff (admins when `admin`); a POST must carry the
    session's CSRF token in its `csrf` field."""

    def decorate(view: View) -> Endpoint:
        @wraps(view)
        async def endpoint(request: Request) -> Response:
            viewer = await current_viewer(request)
            if viewer is None:
                return refusal(request, None, 401, NOT_SIGNED_IN)
            if admin and not viewer.is_admin:
                return refusal(request, viewer, 403, ADMINS_ONLY)
            if request.method == "POST":
                form = await request.form()
                sent = form.get("csrf")
                if not isinstance(sent, str) or not hmac.compare_digest(sent, viewer.csrf):
                    return refusal(request, viewer, 403, BAD_FORM)
            return await view(request, viewer)

        return endpoint

    return decorate
