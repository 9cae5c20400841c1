"""Meja perekaman: the Telegram desk at a browser. Staff type an attendance code, a NIK or
a name with or without a birth date (read by the same `parse_query`), see who matches, and say what happened:
recorded, came but not recorded (with a reason), or undo of a wrong mark.

The search is a POST, so a NIK never lands in an address (the browser's history on a shared
office computer, a proxy's log). Each action is a POST answered by a redirect to the desk with
its result and the person it was for, signed with the session's form token: reloading never
repeats it, and an address typed by hand shows no one."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.desk import QueryError, Reason, parse_query
from bot.domain.kinds import Channel
from bot.i18n import N_
from bot.presentation import desk as views
from bot.presentation.desk import PROBLEMS, REASONS, STATES
from bot.services import desk, desk_search
from bot.services.desk import Done
from bot.services.desk_search import Found
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import render

LONGEST_QUERY = 200

# What an action's redirect names; every outcome of the service is rendered from its result
# (presentation/desk.py, the same words as /meja and `rekam desk`), carried in `kabar`.
RESULTS = {
    "recorded": "recorded",
    "unrecorded": "unrecorded",
    "undone": "undo",
    "already": "recorded",
    "not_recorded": "undo",
}
PROBLEMS_AFTER = {
    "gone": N_("Orang itu tidak ada dalam data (mungkin sudah dihapus). Tidak ada yang diubah."),
    "reason": N_("Pilih alasan dari daftar. Tidak ada yang diubah."),
}
NONE_FOUND = N_("Tidak ditemukan. Periksa lagi, atau coba NIK-nya.")

_OUTCOMES = {
    "recorded": {Done.DONE: "recorded", Done.ALREADY: "already"},
    "unrecorded": {Done.DONE: "unrecorded", Done.ALREADY: "already"},
    "undo": {Done.DONE: "undone", Done.NOT_RECORDED: "not_recorded"},
}
_DONE_OF = {
    "recorded": Done.DONE,
    "unrecorded": Done.DONE,
    "undone": Done.DONE,
    "already": Done.ALREADY,
    "not_recorded": Done.NOT_RECORDED,
}
_TOLD = re.compile(r"([01])\.(\d{1,3})\.([01])\.(\d{1,3})\.([01])")


def _told_of(result: desk.Result) -> str:
    """Who the service told, for the redirect: teen.guardians.summoned.offered.waiting."""
    return ".".join(
        str(int(n))
        for n in (result.teen, result.guardians, result.summoned, result.offered, result.waiting)
    )


def _result_of(result: str, told: str) -> desk.Result | None:
    found = _TOLD.fullmatch(told)
    if found is None:
        return None
    teen, guardians, summoned, offered, waiting = (int(n) for n in found.groups())
    return desk.Result(
        _DONE_OF[result],
        teen=bool(teen),
        guardians=guardians,
        summoned=bool(summoned),
        offered=offered,
        waiting=bool(waiting),
    )


def _back(
    viewer: Viewer, result: str, target_id: int | None = None, told: desk.Result | None = None
) -> RedirectResponse:
    kabar = _told_of(told) if told is not None else ""
    values: dict[str, str | int] = {
        "hasil": result,
        "tanda": fields.seal(viewer, result, target_id, kabar),
    }
    if target_id is not None:
        values["orang"] = target_id
    if kabar:
        values["kabar"] = kabar
    return RedirectResponse("/meja?" + urlencode(values), status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    *,
    typed: str = "",
    problem: str | None = None,
    found: list[Found] | None = None,
    result: str = "",
    told: desk.Result | None = None,
) -> Response:
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    name = found[0].name if found else "—"
    shown = None
    if result in PROBLEMS_AFTER:
        shown = _(PROBLEMS_AFTER[result])
    elif told is not None:
        shown = views.done(RESULTS[result], told, name, _)
    return render(
        request,
        viewer,
        "desk.html",
        typed=typed,
        problem=problem,
        found=found,
        none_found=NONE_FOUND,
        most=desk_search.MOST,
        result=shown,
        result_is_problem=result in PROBLEMS_AFTER,
        states=STATES,
        reasons=REASONS,
    )


@staff_only()
async def show_desk(request: Request, viewer: Viewer) -> Response:
    """The search box; after an action, its result and the person it was for, as they are now."""
    web = services_of(request)
    result = request.query_params.get("hasil", "")
    named = fields.an_id(request.query_params.get("orang"))
    sent = request.query_params.get("tanda", "")
    kabar = request.query_params.get("kabar", "")
    told = _result_of(result, kabar) if result in RESULTS else None
    known = result in PROBLEMS_AFTER or told is not None
    if not known or not fields.sealed(viewer, sent, result, named, kabar):
        return _page(request, viewer)  # an address typed or changed by hand shows no one
    found: list[Found] = []
    if named is not None:
        async with web.db.session() as session:
            one = await desk_search.look_at(session, named, by=viewer.by, channel=Channel.WEB)
        found = [one] if one is not None else []
    return _page(request, viewer, found=found or None, result=result, told=told)


@staff_only()
async def search(request: Request, viewer: Viewer) -> Response:
    """Everyone matching what staff typed; each person shown is an event."""
    web = services_of(request)
    typed = str((await request.form()).get("q") or "").strip()[:LONGEST_QUERY]
    if not typed:
        return _page(request, viewer)
    try:
        query = parse_query(typed, today=web.clock.today())
    except QueryError as error:
        return _page(request, viewer, typed=typed, problem=PROBLEMS[error.problem])
    async with web.db.session() as session:
        found = await desk_search.look_up(session, query, by=viewer.by, channel=Channel.WEB)
    return _page(request, viewer, typed=typed, found=found)


async def _act(request: Request, viewer: Viewer, outcome: str) -> Response:
    """One outcome for the person the form names; back to the search it was pressed on."""
    web = services_of(request)
    form: FormData = await request.form()
    target_id = fields.an_id(form.get("orang"))
    if target_id is None:
        return _back(viewer, "gone")
    now = web.clock.now()
    async with web.db.session() as session:
        if outcome == "recorded":
            done = await desk.record(session, target_id, by=viewer.by, channel=Channel.WEB, now=now)
        elif outcome == "unrecorded":
            try:
                reason = Reason(str(form.get("alasan")))
            except ValueError:
                return _back(viewer, "reason", target_id)
            done = await desk.unrecorded(
                session,
                target_id,
                reason,
                by=viewer.by,
                channel=Channel.WEB,
                now=now,
                deadline=web.office.deadline,
            )
        else:
            done = await desk.undo(session, target_id, by=viewer.by, channel=Channel.WEB, now=now)
    if done.done == Done.DONE:
        web.figures.invalidate()
    return _back(viewer, _OUTCOMES[outcome].get(done.done, "gone"), target_id, done)


@staff_only()
async def mark_recorded(request: Request, viewer: Viewer) -> Response:
    return await _act(request, viewer, "recorded")


@staff_only()
async def mark_unrecorded(request: Request, viewer: Viewer) -> Response:
    return await _act(request, viewer, "unrecorded")


@staff_only()
async def undo_mark(request: Request, viewer: Viewer) -> Response:
    return await _act(request, viewer, "undo")


routes = [
    Route("/meja", show_desk, methods=["GET"]),
    Route("/meja", search, methods=["POST"]),
    Route("/meja/direkam", mark_recorded, methods=["POST"]),
    Route("/meja/belum-direkam", mark_unrecorded, methods=["POST"]),
    Route("/meja/batalkan", undo_mark, methods=["POST"]),
]
