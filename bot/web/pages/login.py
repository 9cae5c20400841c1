"""Signing in with the one-time link from /dasbor, changing language, and signing out.

Opening the link shows a button; only pressing it spends the link and opens a session (a
link preview or a virus scanner that fetches the address does not use it up). The press must
come from that page: another site's form posting to the link (to sign an office's browser in
as someone else, say) is refused and leaves the link unspent."""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.i18n import LANGUAGES, N_
from bot.services import web_access
from bot.services.web_access import Viewer
from bot.web.access import BAD_FORM, COOKIE, staff_only
from bot.web.context import services_of
from bot.web.render import refusal, render

LINK_SPENT = N_(
    "Tautan masuk ini sudah dipakai, sudah lewat 10 menit, atau bukan untuk petugas. Kirim "
    "/dasbor ke bot Rekam di Telegram untuk tautan baru."
)


# The sign-in page's form token, kept in a cookie only that page's form is posted with: a
# page of another site can neither read it nor (SameSite=Strict) post with it.
PRESS_COOKIE = "rekam_masuk"
# What a browser says of who sent a request (Sec-Fetch-Site): the page itself, or the person
# (typed, bookmarked). Other sites, sibling subdomains included, may not press the button.
_OWN_PAGE = ("same-origin", "none")


async def show_link(request: Request) -> Response:
    web = services_of(request)
    token = request.path_params["token"]
    async with web.db.reading() as session:
        usable = await web_access.link_is_open(session, token, now=web.clock.now())
    if not usable:
        return refusal(request, None, 403, LINK_SPENT)
    press = secrets.token_urlsafe(32)
    response = render(request, None, "login.html", press=press)
    response.set_cookie(
        PRESS_COOKIE,
        press,
        max_age=int(web_access.LINK_LIFETIME.total_seconds()),
        path="/masuk/",
        httponly=True,
        secure=web.settings.dashboard_url.startswith("https://"),
        samesite="strict",
    )
    return response


async def _pressed_on_the_page(request: Request) -> bool:
    """The sign-in form was posted from the page that showed it: the browser says the request
    is not another site's, and the form's token is the one in the page's cookie."""
    if request.headers.get("sec-fetch-site", "same-origin") not in _OWN_PAGE:
        return False
    kept = request.cookies.get(PRESS_COOKIE, "")
    sent = (await request.form()).get("csrf")
    return bool(kept) and isinstance(sent, str) and hmac.compare_digest(sent, kept)


async def use_link(request: Request) -> Response:
    web = services_of(request)
    if not await _pressed_on_the_page(request):
        return refusal(request, None, 403, BAD_FORM)
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
    response.delete_cookie(PRESS_COOKIE, path="/masuk/")
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
