"""Hari ini: the office's sessions of today (its zone, not UTC's day) with how many were
summoned, confirmed, came and are recorded; the list refreshes itself every 15 seconds
(live.js), so a screen at the desk fills up as the morning goes."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.domain.kinds import SessionState
from bot.services import staff
from bot.services.web_access import Viewer
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import render


@staff_only()
async def show_today(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    today = web.clock.today()
    start = datetime.combine(today, time(0), tzinfo=web.settings.zone)
    async with web.db.reading() as session:
        sessions = await staff.sessions_between(session, start, start + timedelta(days=1))
    return render(
        request,
        viewer,
        "today.html",
        today=today,
        sessions=sessions,
        cancelled=SessionState.CANCELLED,
        counted_at=web.clock.now(),
    )


routes = [Route("/hari-ini", show_today, methods=["GET"])]
