"""Orang: everything the office knows about one teen, as `rekam person` prints it. Opening the
page is an event naming the viewer (person.look); the NIK is masked until the viewer presses
"Tampilkan NIK", which is a POST and an event of its own: who saw whose full NIK."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Channel
from bot.i18n import N_
from bot.presentation.desk import STATES
from bot.presentation.person import LINK_METHODS, LINK_STATES, REVIEWS, SOURCES
from bot.services import holding, person
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import refusal, render

NO_SUCH_PERSON = N_(
    "Tidak ada remaja dengan nomor itu; mungkin datanya sudah dihapus. Cari lagi di Meja perekaman."
)


RELEASED = N_(
    "Akun Telegram itu sudah dilepas dari data ini dan diberi tahu; orang tua/wali yang terhubung "
    "lewat kodenya menunggu tinjauan. Kode surat undangan sudah diganti: cetak ulang suratnya "
    "untuk pemilik data yang sebenarnya."
)


async def _page(
    request: Request, viewer: Viewer, *, reveal: bool, flash: fields.Flash | None = None
) -> Response:
    web = services_of(request)
    target_id = fields.an_id(request.path_params["target_id"])
    if target_id is None:
        return refusal(request, viewer, 404, NO_SUCH_PERSON)
    async with web.db.session() as session:
        found = await person.look_if_there(session, target_id, by=viewer.by, channel=Channel.WEB)
        full_nik = (
            await person.reveal_nik(session, target_id, by=viewer.by, channel=Channel.WEB)
            if found is not None and reveal
            else None
        )
    if found is None:
        return refusal(request, viewer, 404, NO_SUCH_PERSON)
    return render(
        request,
        viewer,
        "person.html",
        person=found,
        full_nik=full_nik,
        states=STATES,
        sources=SOURCES,
        reviews=REVIEWS,
        link_states=LINK_STATES,
        link_methods=LINK_METHODS,
        flash=flash,
    )


@staff_only()
async def show_person(request: Request, viewer: Viewer) -> Response:
    released = request.query_params.get("dilepas") == "1"
    said = fields.flash(request, viewer, RELEASED, problem=False) if released else None
    return await _page(request, viewer, reveal=False, flash=said)


@staff_only()
async def show_nik(request: Request, viewer: Viewer) -> Response:
    """The same page with the full NIK, for this response only (pages are never cached)."""
    return await _page(request, viewer, reveal=True)


@staff_only(admin=True)
async def release_account(request: Request, viewer: Viewer) -> Response:
    """Lepas akun: the account holding this record lets go of it (bot/services/holding.py)."""
    web = services_of(request)
    target_id = fields.an_id(request.path_params["target_id"])
    if target_id is None:
        return refusal(request, viewer, 404, NO_SUCH_PERSON)
    async with web.db.session() as session:
        released = await holding.release(
            session, target_id, by=viewer.by, channel=Channel.WEB, now=web.clock.now()
        )
    suffix = "?dilepas=1" if released else ""
    return RedirectResponse(f"/orang/{target_id}{suffix}", status_code=303)


routes = [
    Route("/orang/{target_id}", show_person, methods=["GET"]),
    Route("/orang/{target_id}/nik", show_nik, methods=["POST"]),
    Route("/orang/{target_id}/lepas", release_account, methods=["POST"]),
]
