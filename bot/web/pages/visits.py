"""Kunjungan rumah: the home-visit queue (waiting requests oldest first, then the visits
planned), where each home is, a visit for one teen or a round of several in one kecamatan,
and what happened at the door. Scheduling and the outcome go through bot/services/home_visits.py
as /kunjungan's buttons do in Telegram, so the teen and the parents are summoned home through
the outbox with the usual buttons and reminders.

The map is offline: map tiles need the internet, an office may not have it. A home with
coordinates gets a link to OpenStreetMap and a dot on a plain SVG plot; one without (a teen's
record carries none) shows its address with a link to search the map for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Channel, HomeVisitState
from bot.i18n import N_
from bot.presentation import home_visits as views
from bot.services import events, home_visits
from bot.services.home_visits import Scheduled
from bot.services.outbox import Reach
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.fields import Flash
from bot.web.render import render

PICK_ONE = N_("Pilih minimal satu permintaan.")
NO_OUTCOME = N_("Pilih hasil kunjungan.")
# The buttons' values: recorded at the door, or not (with the reason kept in the event, as
# the Telegram buttons keep it).
_OUTCOMES = {
    "terekam": (True, None),
    "tidak-di-rumah": (False, "not_at_home"),
    "gagal": (False, "could_not_record"),
}
_WHEN = ("tanggal", "mulai", "selesai")
PLOT_WIDTH, PLOT_HEIGHT, PLOT_PAD = 320, 220, 18


@dataclass(frozen=True)
class Row:
    """One request as the page lists it, with where its home is."""

    request: home_visits.Request
    area: str
    pin: tuple[float, float] | None
    map_link: str  # the pin on OpenStreetMap, or a search for the address


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    number: int  # the row's number in the map list
    name: str


def _row(request: home_visits.Request, pin: tuple[float, float] | None) -> Row:
    area = ", ".join(part for part in (request.kelurahan, request.kecamatan) if part)
    if pin is not None:
        link = f"https://www.openstreetmap.org/?mlat={pin[0]:.5f}&mlon={pin[1]:.5f}"
    else:
        wanted = ", ".join(part for part in (request.address, area) if part)
        link = "https://www.openstreetmap.org/search?query=" + quote(wanted)
    return Row(request, area, pin, link)


def plot(rows: list[Row]) -> list[Dot]:
    """The pinned homes scaled into the plot, north up (a sketch of who lives near whom)."""
    pinned = [(number, row) for number, row in enumerate(rows, start=1) if row.pin]
    if not pinned:
        return []
    lats = [row.pin[0] for _, row in pinned if row.pin]
    lons = [row.pin[1] for _, row in pinned if row.pin]
    span = max(max(lats) - min(lats), max(lons) - min(lons)) or 1.0
    width, height = PLOT_WIDTH - 2 * PLOT_PAD, PLOT_HEIGHT - 2 * PLOT_PAD
    dots = []
    for number, row in pinned:
        assert row.pin is not None
        lat, lon = row.pin
        x = PLOT_PAD + (lon - min(lons)) / span * width if len(pinned) > 1 else PLOT_WIDTH / 2
        y = PLOT_PAD + (max(lats) - lat) / span * height if len(pinned) > 1 else PLOT_HEIGHT / 2
        dots.append(Dot(round(x, 1), round(y, 1), number, row.request.name))
    return dots


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    flash: Flash | None = None,
    status: int = 200,
    typed: dict[str, str] | None = None,
    picked: frozenset[int] = frozenset(),
) -> Response:
    web = services_of(request)
    async with web.db.session() as session:
        queue = await home_visits.queue(session)
        pins = await home_visits.pins(session, [r.id for r in queue])
        # Names, addresses and reasons (often about health): who saw them is kept.
        events.listed(
            session,
            [r.target_id for r in queue],
            by=viewer.by,
            channel=Channel.WEB,
            where="kunjungan",
        )
    rows = [_row(r, pins.get(r.id)) for r in queue]
    return render(
        request,
        viewer,
        "visits.html",
        status=status,
        flash=flash,
        waiting=[r for r in rows if r.request.state == HomeVisitState.REQUESTED],
        planned=[r for r in rows if r.request.state == HomeVisitState.SCHEDULED],
        rows=rows,
        dots=plot(rows),
        plot_size=(PLOT_WIDTH, PLOT_HEIGHT),
        typed=typed or dict.fromkeys(_WHEN, ""),
        picked=picked,
        today=web.clock.today().isoformat(),
        day_of=lambda moment: moment.astimezone(web.settings.zone).date(),
    )


def _office(request: Request) -> tuple[datetime, ZoneInfo]:
    """What the refusal of wrong hours names: election day, in the office's zone."""
    web = services_of(request)
    return web.office.deadline, web.office.zone


def _done(request: Request, viewer: Viewer) -> Flash | None:
    """The line an action's redirect asked for (?ok=…), in the same words as in Telegram."""
    _, language = fields.words(request, viewer)
    said = request.query_params.get("ok")
    if said == "dijadwalkan":
        reach = fields.told_of(request, viewer)  # None: an address not made by the action
        return (
            Flash(views.scheduled(Scheduled.DONE, reach, _, language, *_office(request)))
            if reach
            else None
        )
    if said == "terekam":
        reach = fields.told_of(request, viewer)
        return Flash(views.finished(reach, True, _, language)) if reach else None
    if said == "kembali":
        return Flash(views.finished(Reach(), False, _, language))
    return None


@staff_only()
async def show_visits(request: Request, viewer: Viewer) -> Response:
    return await _page(request, viewer, flash=_done(request, viewer))


@staff_only()
async def schedule_visits(request: Request, viewer: Viewer) -> Response:
    """The picked requests get a visit at these hours, all or none (a round: one kecamatan)."""
    web = services_of(request)
    form = await request.form()
    _, _language = fields.words(request, viewer)
    typed = {key: str(form.get(key) or "") for key in _WHEN}
    chosen = fields.ids(form.getlist("kunjungan"))
    picked = frozenset(chosen or ())
    if chosen is None:
        flash = Flash(
            views.scheduled(Scheduled.GONE, Reach(), _, _language, *_office(request)), problem=True
        )
        return await _page(request, viewer, flash=flash, status=409, typed=typed)
    if not chosen:
        flash = fields.flash(request, viewer, PICK_ONE, problem=True)
        return await _page(request, viewer, flash=flash, status=400, typed=typed)
    deadline = web.office.deadline
    when = fields.hours(
        *(form.get(key) for key in _WHEN),
        today=web.clock.today(),
        zone=web.settings.zone,
    )
    if isinstance(when, str):
        flash = fields.flash(request, viewer, when, problem=True)
        return await _page(request, viewer, flash=flash, status=400, typed=typed, picked=picked)
    async with web.db.session() as session:
        outcome, reach = await home_visits.schedule(
            session,
            chosen,
            starts_at=when.starts_at,
            ends_at=when.ends_at,
            now=web.clock.now(),
            deadline=deadline,
            policy=web.office.policy,
            by=viewer.by,
            channel=Channel.WEB,
        )
    if outcome != Scheduled.DONE:
        flash = Flash(
            views.scheduled(outcome, reach, _, _language, *_office(request)), problem=True
        )
        status = 409 if outcome == Scheduled.GONE else 400
        return await _page(request, viewer, flash=flash, status=status, typed=typed, picked=picked)
    web.figures.invalidate()
    return RedirectResponse(f"/kunjungan?{fields.told(viewer, 'dijadwalkan', reach)}", 303)


@staff_only()
async def record_outcome(request: Request, viewer: Viewer) -> Response:
    """What happened at the door: recorded (everything ends, as at the desk), or not (the
    request waits in the queue again)."""
    web = services_of(request)
    _, _language = fields.words(request, viewer)
    visit_id = fields.an_id(request.path_params["visit_id"])
    outcome = _OUTCOMES.get(str((await request.form()).get("hasil")))
    if visit_id is None:
        return await _page(
            request,
            viewer,
            flash=Flash(views.finished(None, False, _, _language), True),
            status=409,
        )
    if outcome is None:
        flash = fields.flash(request, viewer, NO_OUTCOME, problem=True)
        return await _page(request, viewer, flash=flash, status=400)
    recorded, reason = outcome
    async with web.db.session() as session:
        reach = await home_visits.finish(
            session,
            visit_id,
            recorded=recorded,
            reason=reason,
            by=viewer.by,
            channel=Channel.WEB,
            now=web.clock.now(),
        )
    if reach is None:
        flash = Flash(views.finished(None, False, _, _language), True)
        return await _page(request, viewer, flash=flash, status=409)
    web.figures.invalidate()
    if recorded:
        return RedirectResponse(f"/kunjungan?{fields.told(viewer, 'terekam', reach)}", 303)
    return RedirectResponse("/kunjungan?ok=kembali", 303)


routes = [
    Route("/kunjungan", show_visits, methods=["GET"]),
    Route("/kunjungan/jadwal", schedule_visits, methods=["POST"]),
    Route("/kunjungan/{visit_id}/hasil", record_outcome, methods=["POST"]),
]
