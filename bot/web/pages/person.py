"""Orang: everything the office knows about one teen, as `rekam person` prints it. Opening the
page is an event naming the viewer (person.look); the NIK is masked until the viewer presses
"Tampilkan NIK", which is a POST and an event of its own: who saw whose full NIK."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Actor, Channel, ContactOf, ContactSource
from bot.domain.phones import PhoneProblem
from bot.i18n import N_
from bot.presentation import history
from bot.presentation.person import LINK_METHODS, LINK_STATES, REVIEWS, SOURCES, number_line
from bot.presentation.summons import REASON_LABELS
from bot.services import contacts, holding, person
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

NUMBER_SAVED = N_("Nomor telepon disimpan.")
NUMBER_REMOVED = N_("Nomor telepon dihapus dari data ini.")
NUMBER_PROBLEMS = {
    PhoneProblem.UNREADABLE: N_(
        "Nomor tidak terbaca. Tulis seperti 0812-3456-7890 atau +62 812 3456 7890."
    ),
    PhoneProblem.INVALID: N_(
        "Nomor itu tidak ada: terlalu pendek, terlalu panjang, atau awalannya salah. Periksa lagi."
    ),
    PhoneProblem.NOT_MOBILE: N_(
        "Itu nomor telepon rumah atau kantor. Yang dipakai hanya nomor HP, yang bisa menerima "
        "WhatsApp dan SMS."
    ),
}
_SAID = {"disimpan": NUMBER_SAVED, "dihapus": NUMBER_REMOVED}


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
        history=history,
        reason_labels=REASON_LABELS,
        sources=SOURCES,
        reviews=REVIEWS,
        link_states=LINK_STATES,
        link_methods=LINK_METHODS,
        number_line=number_line,
        flash=flash,
    )


@staff_only()
async def show_person(request: Request, viewer: Viewer) -> Response:
    released = request.query_params.get("dilepas") == "1"
    said = fields.flash(request, viewer, RELEASED, problem=False) if released else None
    number = request.query_params.get("nomor", "")
    if number in _SAID and fields.sealed(
        viewer, request.query_params.get("s"), "nomor", number, request.path_params["target_id"]
    ):
        said = fields.flash(request, viewer, _SAID[number], problem=False)
    return await _page(request, viewer, reveal=False, flash=said)


@staff_only()
async def put_number(request: Request, viewer: Viewer) -> Response:
    """A number typed on the person page, the teen's or a guardian's: put on the record, or
    the page again saying why not; "Hapus" takes it off."""
    web = services_of(request)
    target_id = fields.an_id(request.path_params["target_id"])
    form: FormData = await request.form()
    try:
        whose = ContactOf(str(form.get("milik")))
    except ValueError:
        whose = None
    if target_id is None or whose is None:
        return refusal(request, viewer, 404, NO_SUCH_PERSON)
    async with web.db.session() as session:
        if form.get("hapus") is not None:
            await contacts.remove(
                session, target_id, whose, actor=Actor.STAFF, channel=Channel.WEB, by=viewer.by
            )
            outcome: contacts.Saved | contacts.Refused | None = None
        else:
            outcome = await contacts.put(
                session,
                target_id,
                whose,
                str(form.get("nomor") or "")[:60],
                source=ContactSource.STAFF,
                actor=Actor.STAFF,
                channel=Channel.WEB,
                now=web.clock.now(),
                whatsapp_consent=form.get("izin_wa") == "ya",
                by=viewer.by,
            )
    if isinstance(outcome, contacts.Refused):
        if outcome.problem is None:
            return refusal(request, viewer, 404, NO_SUCH_PERSON)
        said = fields.flash(request, viewer, NUMBER_PROBLEMS[outcome.problem], problem=True)
        return await _page(request, viewer, reveal=False, flash=said)
    done = "dihapus" if outcome is None else "disimpan"
    seal = fields.seal(viewer, "nomor", done, target_id)
    return RedirectResponse(f"/orang/{target_id}?nomor={done}&s={seal}", status_code=303)


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
    Route("/orang/{target_id}/telepon", put_number, methods=["POST"]),
]
