"""Belum terjangkau: the teens no channel reaches (bot/services/unreached.py), by school and
kelurahan, as `rekam unreached` lists them; the call round's list (CSV), their letters to send
through the schools (a POST: printing hands out letter numbers), and a home visit asked for
one of them (it joins the Kunjungan rumah queue). Listing them is an event per person.

`?kecamatan=&kelurahan=&sekolah=` narrows all of it to one area, as the overview's
"belum terjangkau" cells link to it ("" for a record without one)."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Channel
from bot.i18n import N_
from bot.presentation import unreached as views
from bot.services import accounts, events, home_visits, letters, sheets, unreached
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web import letters as web_letters
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.letters import NO_BOT_NAME, NO_LETTERS
from bot.web.render import refusal, render

PATH = "/belum-terjangkau"
VISIT_ASKED = N_("Kunjungan rumah untuk {name} masuk antrean Kunjungan rumah.")
_AREA = (("kecamatan", "kecamatan"), ("kelurahan", "kelurahan"), ("sekolah", "school"))
_LONGEST = 200  # as the office's list keeps a name


def _area(request: Request) -> tuple[unreached.Area, dict[str, str]]:
    """The area the address asks for, and its part of the address (to keep on the links)."""
    given = {
        name: request.query_params[name][:_LONGEST]
        for name, _field in _AREA
        if name in request.query_params
    }
    area = unreached.Area(**{field: given.get(name) for name, field in _AREA})
    return area, given


def _shown(request: Request, viewer: Viewer, given: dict[str, str]) -> str:
    """The area as the page names it ("Utara › Mawar"), "" for everywhere."""
    _, _language = fields.words(request, viewer)
    return " › ".join(
        value or (_("(tanpa sekolah)") if name == "sekolah" else _("(tanpa wilayah)"))
        for name, value in given.items()
    )


def _with(given: dict[str, str]) -> str:
    return "?" + urlencode(given) if given else ""


def link(
    kecamatan: str | None = None, kelurahan: str | None = None, school: str | None = None
) -> str:
    """The list of one area's unreached teens (None: any; "" none on the record)."""
    wanted = {"kecamatan": kecamatan, "kelurahan": kelurahan, "sekolah": school}
    return PATH + _with({name: value for name, value in wanted.items() if value is not None})


@staff_only()
async def show_unreached(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    area, given = _area(request)
    async with web.db.session() as session:
        people = await unreached.unreached(session, area=area)
        events.listed(
            session, unreached.target_ids(people), by=viewer.by, channel=Channel.WEB, where=PATH
        )
    said = None
    asked = request.query_params.get("kunjungan", "")
    if asked.isdigit() and fields.sealed(viewer, request.query_params.get("s"), "kunjungan", asked):
        name = await _name_of(request, int(asked))
        said = fields.flash(request, viewer, VISIT_ASKED, problem=False, name=name or "")
    return render(
        request,
        viewer,
        "unreached.html",
        people=people,
        why=views.WHY,
        flash=said,
        area=_shown(request, viewer, given),
        query=_with(given),
    )


async def _name_of(request: Request, target_id: int) -> str | None:
    async with services_of(request).db.reading() as session:
        return await accounts.target_name(session, target_id)


@staff_only()
async def call_list(request: Request, viewer: Viewer) -> Response:
    """The call round's list: whole numbers, so a download is an event per person."""
    web = services_of(request)
    _, _language = fields.words(request, viewer)
    area, _given = _area(request)
    async with web.db.session() as session:
        people = await unreached.unreached(session, area=area)
        events.listed(
            session,
            unreached.target_ids(people),
            by=viewer.by,
            channel=Channel.WEB,
            where=PATH + "/telepon.csv",
        )
    header, rows = views.rows(people, _)
    buffer = BytesIO()
    sheets.write_to(buffer, "csv", header, rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="belum-terjangkau.csv"'},
    )


@staff_only()
async def printed_letters(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    settings = web.settings
    if not settings.bot_username:
        return _refused(request, viewer, NO_BOT_NAME, 409)
    area, _given = _area(request)
    async with web.db.session() as session:
        people = await unreached.unreached(session, area=area)
        found = (
            await letters.letters(
                session, school=None, everyone=True, only=unreached.target_ids(people)
            )
            if people
            else []
        )
        if found:
            web_letters.printed(session, found, by=viewer.by, unreached=True)
    if not found:
        return _refused(request, viewer, NO_LETTERS, 404)
    return Response(
        web_letters.pdf(web, found),
        media_type="application/pdf",
        headers={"content-disposition": 'attachment; filename="surat-belum-terjangkau.pdf"'},
    )


@staff_only()
async def ask_visit(request: Request, viewer: Viewer) -> Response:
    """A home visit for one unreached teen: her request joins the queue, staff on duty told."""
    web = services_of(request)
    form = await request.form()
    target_id = fields.an_id(form.get("orang"))
    async with web.db.session() as session:
        people = await unreached.unreached(session)
        if target_id is None or target_id not in unreached.target_ids(people):
            return _refused(request, viewer, N_("Remaja itu tidak ada di daftar ini lagi."), 404)
        await home_visits.requested(
            session,
            target_id,
            None,
            now=web.clock.now(),
            default_language=web.settings.default_language,
            duty=web.settings.duty_staff,
        )
    seal = fields.seal(viewer, "kunjungan", target_id)
    _area_asked, given = _area(request)  # back to the list it was asked from
    back = urlencode({**given, "kunjungan": target_id, "s": seal})
    return RedirectResponse(f"{PATH}?{back}", status_code=303)


def _refused(request: Request, viewer: Viewer, text: str, status: int) -> Response:
    return refusal(request, viewer, status, text)


routes = [
    Route(PATH, show_unreached, methods=["GET"]),
    Route(PATH + "/telepon.csv", call_list, methods=["GET"]),
    Route(PATH + "/surat", printed_letters, methods=["POST"]),
    Route(PATH + "/kunjungan", ask_visit, methods=["POST"]),
]
