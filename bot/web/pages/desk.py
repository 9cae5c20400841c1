"""Meja perekaman: the Telegram desk at a browser. Staff type an attendance code, a NIK or
"Name, DD-MM-YYYY" (read by the same `parse_query`), see who matches, and say what happened:
recorded, came but not recorded (with a reason), or undo of a wrong mark.

The search is a POST, so a NIK never lands in an address (the browser's history on a shared
office computer, a proxy's log). Each action is a POST answered by a redirect to the desk with
its result and the person it was for, signed with the session's form token: reloading never
repeats it, and an address typed by hand shows no one."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.desk import QueryError, Reason, parse_query
from bot.domain.kinds import Channel
from bot.i18n import N_
from bot.presentation.desk import PROBLEMS, REASONS, STATES
from bot.services import desk
from bot.services.desk import Done, Found
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import render

LONGEST_QUERY = 200

RESULTS = {
    "recorded": N_(
        "{name} ditandai sudah direkam. Yang memakai Telegram (remaja dan orang tua yang "
        "terhubung) menerima ucapan terima kasih."
    ),
    "unrecorded": N_(
        "{name}: datang, belum direkam. Bila sudah dipanggil dan memakai Telegram, ia diberi "
        "tahu dan ditawari jadwal berikutnya (atau masuk daftar tunggu bila tidak ada)."
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


def _seal(viewer: Viewer, result: str, target_id: int | None) -> str:
    said = f"{result}:{target_id}".encode()
    return hmac.new(viewer.csrf.encode(), said, hashlib.sha256).hexdigest()[:24]


def _back(viewer: Viewer, result: str, target_id: int | None = None) -> RedirectResponse:
    values: dict[str, str | int] = {"hasil": result, "tanda": _seal(viewer, result, target_id)}
    if target_id is not None:
        values["orang"] = target_id
    return RedirectResponse("/meja?" + urlencode(values), status_code=303)


def _page(
    request: Request,
    viewer: Viewer,
    *,
    typed: str = "",
    problem: str | None = None,
    found: list[Found] | None = None,
    result: str = "",
) -> Response:
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
        result_name=found[0].name if found and result else "—",
        result_is_problem=result in _PROBLEMS,
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
    if result not in RESULTS or not hmac.compare_digest(sent, _seal(viewer, result, named)):
        return _page(request, viewer)  # an address typed or changed by hand shows no one
    found: list[Found] = []
    if named is not None:
        async with web.db.session() as session:
            one = await desk.look_at(session, named, by=viewer.by, channel=Channel.WEB)
        found = [one] if one is not None else []
    return _page(request, viewer, found=found or None, result=result)


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
        found = await desk.look_up(session, query, by=viewer.by, channel=Channel.WEB)
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
    if done == Done.DONE:
        web.figures.invalidate()
    return _back(viewer, _OUTCOMES[outcome].get(done, "gone"), target_id)


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
