"""Pages from Jinja templates (bot/web/templates), in the viewer's language: `_` and the
number and date formats of bot/i18n, in the office's zone. Autoescaped throughout."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot import i18n
from bot.presentation.summons import guardian_label
from bot.services.web_access import Viewer
from bot.web import nav
from bot.web.context import services_of

_ENVIRONMENT = Environment(
    loader=PackageLoader("bot.web", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(
    request: Request,
    viewer: Viewer | None,
    template: str,
    *,
    status: int = 200,
    **values: Any,
) -> HTMLResponse:
    """`template` filled in for this viewer (or for nobody signed in: the office's language)."""
    web = services_of(request)
    language = web.catalogs.language(viewer.language if viewer else None)
    zone = web.settings.zone
    _ = web.catalogs.gettext(language)

    def when(moment: datetime) -> str:
        return i18n.format_when(moment, language, zone)

    def hours(start: datetime, end: datetime) -> str:
        return i18n.format_hours(start, end, language, zone)

    def day(value: date) -> str:
        return i18n.format_day(value, language)

    page = _ENVIRONMENT.get_template(template).render(
        _=_,
        lang=language,
        languages=i18n.LANGUAGE_NAMES,
        viewer=viewer,
        csrf=viewer.csrf if viewer else "",
        menu=[entry for entry in nav.MENU if viewer and (viewer.is_admin or not entry.admin)],
        here=nav.active(request.url.path),
        path=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        office=web.settings.office_name,
        number=lambda value: i18n.format_number(value, language),
        share=lambda value: i18n.format_share(value, language),
        when=when,
        hours=hours,
        day=day,
        clock=lambda moment: i18n.format_clock(moment, language, zone),
        zone=i18n.zone_abbreviation(zone),
        guardian_label=guardian_label,
        **values,
    )
    return HTMLResponse(page, status_code=status)


def refusal(request: Request, viewer: Viewer | None, status: int, message: str) -> HTMLResponse:
    """A page that says, in the viewer's words, why nothing else is shown."""
    return render(request, viewer, "refused.html", status=status, message=message)
