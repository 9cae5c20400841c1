"""Meja perekaman: the Telegram desk at a browser. Staff type an attendance code, a NIK or
"Name, DD-MM-YYYY" (read by the same `parse_query`), see who matches, and say what happened:
recorded, came but not recorded (with a reason), or undo of a wrong mark. Each action is a
POST answered by a redirect back to the same search with its result (`hasil`), so reloading
the page never repeats it."""

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
from bot.presentation.desk import PROBLEMS, REASONS, STATES
from bot.services import desk, summonses
from bot.services.desk import Done, Found
from bot.services.web_access import Viewer
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import render

LONGEST_QUERY = 200
_ID = re.compile(r"[0-9]{1,9}")  # a target id as the pages write it; anything else is no one

RESULTS = {
    "recorded": N_(
        "{name} ditandai sudah direkam. Ucapan terima kasih dikirim ke remaja dan orang tuanya."
    ),
    "unrecorded": N_(
        "{name}: datang, belum direkam. Jadwal berikutnya sudah ditawarkan kepadanya."
    ),
    "undone": N_("Tanda rekam {name} dibatalkan."),
    "already": N_("{name} sudah terekam sebelumnya; tidak ada yang diubah."),
    "not_recorded": N_("{name} belum terekam; tidak ada yang dibatalkan."),
    "gone": N_("Orang itu tidak ada dalam data (mungkin sudah dihapus). Tidak ada yang diubah."),
    "reason": N_("Pilih alasan dari daftar. Tidak ada yang diubah."),
}
_PROBLEMS = frozenset({"gone", "reason"})
NONE_FOUND = N_("Tidak ditemukan. Periksa lagi, atau coba NIK-nya.")

_OUTCOMES = {
    "recorded": {Done.DONE: "recorded", Done.ALREADY: "already"},
    "unrecorded": {Done.DONE: "unrecorded", Done.ALREADY: "already"},
    "undo": {Done.DONE: "undone", Done.NOT_RECORDED: "not_recorded"},
}


def target_id_of(value: object) -> int | None:
    """The target id a form or address names, or None for anything a page would not write."""
    return int(value) if isinstance(value, str) and _ID.fullmatch(value) else None


def _back(query: str, result: str, target_id: int | None = None) -> RedirectResponse:
    values: dict[str, str | int] = {"q": query, "hasil": result}
    if target_id is not None:
        values["orang"] = target_id
    return RedirectResponse("/meja?" + urlencode(values), status_code=303)


@staff_only()
async def show_desk(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    typed = request.query_params.get("q", "").strip()[:LONGEST_QUERY]
    problem: str | None = None
    found: list[Found] | None = None
    if typed:
        try:
            query = parse_query(typed, today=web.clock.today())
        except QueryError as error:
            problem = PROBLEMS[error.problem]
        else:
            async with web.db.session() as session:
                found = await desk.look_up(session, query, by=viewer.by, channel=Channel.WEB)
    result = request.query_params.get("hasil", "")
    name = "—"
    named = target_id_of(request.query_params.get("orang"))
    if result in RESULTS and named is not None:
        async with web.db.reading() as session:
            one = await desk.one(session, named)
        name = one.name if one else name
    return render(
        request,
        viewer,
        "desk.html",
        typed=typed,
        problem=problem,
        found=found,
        none_found=NONE_FOUND,
        most=desk.MOST,
        result=RESULTS.get(result),
        result_name=name,
        result_is_problem=result in _PROBLEMS,
        states=STATES,
        reasons=REASONS,
    )


async def _act(request: Request, viewer: Viewer, outcome: str) -> Response:
    """One outcome for the person the form names; back to the search it was pressed on."""
    web = services_of(request)
    form: FormData = await request.form()
    typed = str(form.get("q") or "")[:LONGEST_QUERY]
    target_id = target_id_of(form.get("orang"))
    if target_id is None:
        return _back(typed, "gone")
    now = web.clock.now()
    async with web.db.session() as session:
        if outcome == "recorded":
            done = await desk.record(session, target_id, by=viewer.by, channel=Channel.WEB, now=now)
        elif outcome == "unrecorded":
            try:
                reason = Reason(str(form.get("alasan")))
            except ValueError:
                return _back(typed, "reason", target_id)
            done = await desk.unrecorded(
                session,
                target_id,
                reason,
                by=viewer.by,
                channel=Channel.WEB,
                now=now,
                deadline=summonses.deadline_for(web.settings.election_date, web.settings.zone),
            )
        else:
            done = await desk.undo(session, target_id, by=viewer.by, channel=Channel.WEB, now=now)
    if done == Done.DONE:
        web.figures.invalidate()
    return _back(typed, _OUTCOMES[outcome].get(done, "gone"), target_id)


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
    Route("/meja/direkam", mark_recorded, methods=["POST"]),
    Route("/meja/belum-direkam", mark_unrecorded, methods=["POST"]),
    Route("/meja/batalkan", undo_mark, methods=["POST"]),
]
