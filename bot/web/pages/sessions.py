"""Jadwal: the sessions ahead; a new one at a known place; more seats; a session moved or
cancelled only after a page that says how many teens (and their parents) will be told. Every
change goes through bot/services/schedule.py as /sesi's does in Telegram, so everyone affected
is told through the outbox in their own language. Days and hours are the office's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Channel
from bot.i18n import N_
from bot.presentation import schedule as schedule_views
from bot.services import schedule, staff
from bot.services.outbox import Reach
from bot.services.schedule import Change
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import WebServices, services_of
from bot.web.fields import Flash
from bot.web.render import render

DONE = {
    "dibuat": N_("✅ Jadwal dibuat. Remaja di daftar tunggu ditawari tempatnya."),
    "tempat": N_("✅ Sekarang {count} tempat."),
    "dipindah": N_("✅ Jadwal dipindahkan."),
    "dibatalkan": N_("✅ Jadwal dibatalkan."),
}
_TELLS = ("dipindah", "dibatalkan")  # their redirect says who was told
GONE = N_("Jadwal ini sudah tidak ada atau sudah dibatalkan.")
NO_PLACE = N_("Pilih tempatnya.")
UNKNOWN_PLACE = N_("Tempat itu tidak ada.")
_TYPED = ("tempat", "tanggal", "mulai", "selesai", "kapasitas")


def _day_of(web: WebServices) -> Callable[[datetime], date]:
    """The office's calendar day of an instant (templates' `day` takes a date)."""
    return lambda moment: moment.astimezone(web.settings.zone).date()


def _typed(form: FormData) -> dict[str, str]:
    """What was typed, to show again beside the problem."""
    return {key: str(form.get(key) or "") for key in _TYPED}


def _hours(web: WebServices, form: FormData) -> fields.Hours | str:
    return fields.hours(
        form.get("tanggal"),
        form.get("mulai"),
        form.get("selesai"),
        today=web.clock.today(),
        zone=web.settings.zone,
    )


def _refusal(request: Request, viewer: Viewer, change: Change) -> str:
    """The schedule service's reason, as /sesi and `rekam` say it."""
    web = services_of(request)
    _, language = fields.words(request, viewer)
    return schedule_views.refusal(change, _, language, web.office.deadline, web.settings.zone)


def _done(request: Request, viewer: Viewer) -> Flash | None:
    """The line an action's redirect asked for (?ok=…&n=…), if it names one; after a move or
    a cancellation, with who the service told (a hand-made address shows nothing)."""
    said = request.query_params.get("ok", "")
    text = DONE.get(said)
    if text is None:
        return None
    count = fields.an_id(request.query_params.get("n")) or 0
    flash = fields.flash(request, viewer, text, problem=False, count=count)
    if said not in _TELLS:
        return flash
    reach = fields.told_of(request, viewer)
    if reach is None:
        return None
    _, language = fields.words(request, viewer)
    return Flash(flash.text + " " + schedule_views.reached(reach, _, language))


async def _listing(
    request: Request,
    viewer: Viewer,
    *,
    flash: Flash | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    web = services_of(request)
    async with web.db.reading() as session:
        ahead = await schedule.listing(session, since=web.clock.now())
        places = await schedule.places(session, limit=500)
    return render(
        request,
        viewer,
        "sessions.html",
        status=status,
        sessions=ahead,
        places=places,
        flash=flash,
        typed=typed or dict.fromkeys(_TYPED, ""),
        today=web.clock.today().isoformat(),
        day_of=_day_of(web),
    )


async def _gone(request: Request, viewer: Viewer, status: int) -> Response:
    return await _listing(
        request, viewer, flash=fields.flash(request, viewer, GONE, problem=True), status=status
    )


async def _detail(
    request: Request,
    viewer: Viewer,
    *,
    flash: Flash | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
) -> Response:
    """One open session with its counts and the three changes staff can make to it."""
    web = services_of(request)
    session_id = fields.an_id(request.path_params["session_id"])
    if session_id is None:
        return await _gone(request, viewer, 404)
    async with web.db.session() as session:
        found = await staff.open_session(session, session_id)
        affected = await schedule.affected_count(session, session_id) if found else 0
    if found is None:
        return await _gone(request, viewer, 404)
    return render(
        request,
        viewer,
        "session.html",
        status=status,
        found=found,
        affected=affected,
        flash=flash,
        typed=typed or dict.fromkeys(_TYPED, ""),
        today=web.clock.today().isoformat(),
        day_of=_day_of(web),
    )


@staff_only()
async def show_sessions(request: Request, viewer: Viewer) -> Response:
    return await _listing(request, viewer, flash=_done(request, viewer))


@staff_only()
async def show_session(request: Request, viewer: Viewer) -> Response:
    return await _detail(request, viewer, flash=_done(request, viewer))


def _new_problem(
    place_id: int | None, when: fields.Hours | str, capacity: int | None
) -> str | None:
    """The first thing wrong with a new session's form, before anything is written."""
    if place_id is None:
        return NO_PLACE
    if isinstance(when, str):
        return when
    return fields.COUNT_PROBLEM if capacity is None else None


@staff_only()
async def create_session(request: Request, viewer: Viewer) -> Response:
    """A new session at a known place (never a home: a visit is made for one teen)."""
    web = services_of(request)
    form = await request.form()
    place_id = fields.an_id(form.get("tempat"))
    when = _hours(web, form)
    capacity = fields.seats(form.get("kapasitas"))
    problem = _new_problem(place_id, when, capacity)
    if problem is None:
        assert place_id is not None and capacity is not None and isinstance(when, fields.Hours)
        async with web.db.session() as session:
            outcome, _created = await schedule.create(
                session,
                place_id,
                starts_at=when.starts_at,
                ends_at=when.ends_at,
                capacity=capacity,
                now=web.clock.now(),
                deadline=web.office.deadline,
                by=viewer.by,
                channel=Channel.WEB,
            )
        if outcome == Change.DONE:
            web.figures.invalidate()
            return RedirectResponse("/jadwal?ok=dibuat", 303)
        problem = UNKNOWN_PLACE if outcome == Change.GONE else _refusal(request, viewer, outcome)
    return await _listing(
        request,
        viewer,
        flash=fields.flash(request, viewer, problem, problem=True),
        status=400,
        typed=_typed(form),
    )


async def _refused_here(request: Request, viewer: Viewer, form: FormData, problem: str) -> Response:
    """The session's page again, saying what was wrong, with what was typed kept."""
    flash = fields.flash(request, viewer, problem, problem=True)
    return await _detail(request, viewer, flash=flash, status=400, typed=_typed(form))


@staff_only()
async def resize_session(request: Request, viewer: Viewer) -> Response:
    """More seats (or fewer, never below the teens already called)."""
    web = services_of(request)
    form = await request.form()
    session_id = fields.an_id(request.path_params["session_id"])
    capacity = fields.seats(form.get("kapasitas"))
    if session_id is None:
        return await _gone(request, viewer, 404)
    if capacity is None:
        return await _refused_here(request, viewer, form, fields.COUNT_PROBLEM)
    async with web.db.session() as session:
        outcome = await schedule.enlarge(
            session, session_id, capacity, by=viewer.by, channel=Channel.WEB
        )
    if outcome == Change.GONE:
        return await _gone(request, viewer, 409)
    if outcome != Change.DONE:
        return await _refused_here(request, viewer, form, _refusal(request, viewer, outcome))
    web.figures.invalidate()
    return RedirectResponse(f"/jadwal/{session_id}?ok=tempat&n={capacity}", 303)


async def _confirm(
    request: Request, viewer: Viewer, session_id: int, *, move: fields.Hours | None
) -> Response:
    """The question before a move (move given) or a cancellation, with how many it reaches."""
    web = services_of(request)
    async with web.db.session() as session:
        found = await staff.open_session(session, session_id)
        reach = await schedule.preview(session, session_id) if found else Reach()
    if found is None:
        return await _gone(request, viewer, 404)
    form = await request.form()
    _, language = fields.words(request, viewer)
    return render(
        request,
        viewer,
        "session_confirm.html",
        found=found,
        ahead=schedule_views.ahead(reach, _, language).split("\n"),
        move=move,
        typed=_typed(form),
        day_of=_day_of(web),
    )


@staff_only()
async def move_session(request: Request, viewer: Viewer) -> Response:
    """New day and hours: asked first with the count, then (yakin) done and everyone told."""
    web = services_of(request)
    form = await request.form()
    session_id = fields.an_id(request.path_params["session_id"])
    if session_id is None:
        return await _gone(request, viewer, 404)
    when = _hours(web, form)
    if isinstance(when, str):
        return await _refused_here(request, viewer, form, when)
    early = schedule.check_hours(
        when.starts_at, when.ends_at, now=web.clock.now(), deadline=web.office.deadline
    )
    if early is not None:  # the service's rule, asked before the question, not after
        return await _refused_here(request, viewer, form, _refusal(request, viewer, early))
    if form.get("yakin") != "1":
        return await _confirm(request, viewer, session_id, move=when)
    async with web.db.session() as session:
        outcome, reach = await schedule.move(
            session,
            session_id,
            starts_at=when.starts_at,
            ends_at=when.ends_at,
            now=web.clock.now(),
            deadline=web.office.deadline,
            policy=web.office.policy,
            by=viewer.by,
            channel=Channel.WEB,
        )
    if outcome == Change.GONE:
        return await _gone(request, viewer, 409)
    if outcome != Change.DONE:  # the clock passed the hour while the question was open
        return await _refused_here(request, viewer, form, _refusal(request, viewer, outcome))
    web.figures.invalidate()
    return RedirectResponse(f"/jadwal/{session_id}?{fields.told(viewer, 'dipindah', reach)}", 303)


@staff_only()
async def cancel_session(request: Request, viewer: Viewer) -> Response:
    """Asked first with the count; then (yakin) cancelled, and its teens offered the rest."""
    web = services_of(request)
    form = await request.form()
    session_id = fields.an_id(request.path_params["session_id"])
    if session_id is None:
        return await _gone(request, viewer, 404)
    if form.get("yakin") != "1":
        return await _confirm(request, viewer, session_id, move=None)
    async with web.db.session() as session:
        outcome, reach = await schedule.cancel(
            session,
            session_id,
            now=web.clock.now(),
            deadline=web.office.deadline,
            by=viewer.by,
            channel=Channel.WEB,
        )
    if outcome == Change.GONE:
        return await _gone(request, viewer, 409)
    web.figures.invalidate()
    return RedirectResponse(f"/jadwal?{fields.told(viewer, 'dibatalkan', reach)}", 303)


routes = [
    Route("/jadwal", show_sessions, methods=["GET"]),
    Route("/jadwal/baru", create_session, methods=["POST"]),
    Route("/jadwal/{session_id}", show_session, methods=["GET"]),
    Route("/jadwal/{session_id}/tempat", resize_session, methods=["POST"]),
    Route("/jadwal/{session_id}/pindah", move_session, methods=["POST"]),
    Route("/jadwal/{session_id}/batal", cancel_session, methods=["POST"]),
]
