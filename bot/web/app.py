"""The dashboard as one Starlette application: every page module's routes, the shipped static
files (no CDN: an office may be offline), and headers that keep pages out of caches, frames and
other sites' reach."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.context import WebServices
from bot.web.limits import BodyLimit
from bot.web.pages import (
    broadcast,
    desk,
    files,
    login,
    overview,
    person,
    review,
    sessions,
    staff_admin,
    today,
    unreached,
    visits,
)

PAGES = (
    login,
    overview,
    today,
    desk,
    person,
    visits,
    unreached,
    review,
    sessions,
    broadcast,
    files,
    staff_admin,
)

STATIC = Path(__file__).resolve().parent / "static"
# Nothing is loaded from elsewhere (an office may be offline; the home-visit map is a link).
_POLICY = (
    "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
_HEADERS = [
    (b"content-security-policy", _POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # The login link's token must not travel on to another site in a Referer header.
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """Security headers on every response; pages (not static files) are never cached."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + _HEADERS
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def routes() -> list[BaseRoute]:
    found: list[BaseRoute] = []
    for page in PAGES:
        found.extend(page.routes)
    found.append(Mount("/static", StaticFiles(directory=STATIC), name="static"))
    return found


def dashboard(services: WebServices) -> ASGIApp:
    """The dashboard application for this office: its security headers outermost (on error
    pages too), then the body limit, then the pages."""
    app = Starlette(routes=routes())
    app.state.services = services
    return SecurityHeaders(BodyLimit(app, services.catalogs))
