"""Signing in with the one-time link from /dasbor, changing language, and signing out.

Opening the link shows a button; only pressing it spends the link and opens a session (a
link preview or a virus scanner that fetches the address does not use it up)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.i18n import LANGUAGES, N_
from bot.services import web_access
from bot.services.web_access import Viewer
from bot.web.access import COOKIE, staff_only
from bot.web.context import services_of
from bot.web.render import refusal, render

LINK_SPENT = N_(
    "Tautan masuk ini sudah dipakai, sudah lewat 10 menit, atau bukan untuk petugas. Kirim "
    "/dasbor ke bot Rekam di Telegram untuk tautan baru."
)


async def show_link(request: Request) -> Response:
    web = services_of(request)
    token = request.path_params["token"]
    async with web.db.reading() as session:
        usable = await web_access.link_is_open(session, token, now=web.clock.now())
    if not usable:
        return refusal(request, None, 403, LINK_SPENT)
    return render(request, None, "login.html")


async def use_link(request: Request) -> Response:
    web = services_of(request)
    async with web.db.session() as session:
        cookie = await web_access.redeem(
            session,
            request.path_params["token"],
            now=web.clock.now(),
            default_language=web.settings.default_language,
        )
    if cookie is None:
        return refusal(request, None, 403, LINK_SPENT)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=int(web_access.LONGEST_SESSION.total_seconds()),
        httponly=True,
        secure=web.settings.dashboard_url.startswith("https://"),
        samesite="lax",  # the link arrives from Telegram: a strict cookie would not follow it
    )
    return response


@staff_only()
async def sign_out(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    async with web.db.session() as session:
        await web_access.end(session, request.cookies.get(COOKIE, ""))
    response = render(request, None, "logged_out.html")
    response.delete_cookie(COOKIE)
    return response


@staff_only()
async def change_language(request: Request, viewer: Viewer) -> Response:
    form = await request.form()
    language = form.get("language")
    if isinstance(language, str) and language in LANGUAGES:
        async with services_of(request).db.session() as session:
            await web_access.set_language(session, viewer.session_id, language)
    back = form.get("back")
    # Back to the page it was changed on: a path of this site only, never another address.
    if not isinstance(back, str) or not back.startswith("/") or back.startswith("//"):
        back = "/"
    return RedirectResponse(back, 303)


routes = [
    Route("/masuk/{token}", show_link, methods=["GET"]),
    Route("/masuk/{token}", use_link, methods=["POST"]),
    Route("/keluar", sign_out, methods=["POST"]),
    Route("/bahasa", change_language, methods=["POST"]),
]
