"""Tinjauan: /daftar registrations waiting for staff (what was typed beside what the office's
record says) and parents' requests to link to a child without Telegram. Each is approved or
rejected through the services /tinjau and 👪 use in Telegram, so the person hears the same
words through the outbox. A decision posted twice, or for an id that is not waiting, changes
nothing and says so."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Actor, Channel
from bot.i18n import N_
from bot.presentation.review import DECISIONS, LINK_DECIDED, pending_text
from bot.services import events, guardians, holding, review
from bot.services.review import Decision
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.fields import Flash
from bot.web.render import render

# What a decision left on the page, in the same words /tinjau and `rekam review` use.
DONE = {
    "disetujui": DECISIONS[Decision.APPROVED],
    "ditolak": DECISIONS[Decision.REJECTED],
    "tautan-disetujui": LINK_DECIDED[True],
    "tautan-ditolak": LINK_DECIDED[False],
}
LINK_GONE = N_("Permintaan ini sudah diputuskan.")
NO_VERDICT = N_("Pilih Setujui atau Tolak.")
_VERDICTS = {"setujui": True, "tolak": False}
SHOWN = 200
ALERTS_FOR = timedelta(days=14)
# Each trust alert as the page lists it; the same ones reach admins in Telegram at once.
ALERT_TEXTS = {
    holding.CLAIM_LISTED: N_(
        "Daftar kantor kini memuat data yang dulu disetujui lewat /daftar: akun itu dilepas, "
        "pendaftarannya kembali ke tinjauan."
    ),
    holding.LETTER_TOOK_BACK: N_(
        "Surat undangan dibuka pemiliknya: akun yang dulu disetujui lewat /daftar dilepas."
    ),
    "claim_conflict": N_(
        "Surat undangan dibuka dengan tanggal lahir yang benar, padahal data ini sudah "
        "terhubung dengan akun lain: periksa di meja dengan Kartu Keluarga."
    ),
    "guardian_disowned": N_("Remaja menyatakan seseorang yang terhubung bukan orang tua/walinya."),
}


async def _page(
    request: Request, viewer: Viewer, *, flash: Flash | None = None, status: int = 200
) -> Response:
    web = services_of(request)
    _, language = fields.words(request, viewer)
    async with web.db.session() as session:
        claims = await review.pending(session, limit=SHOWN)
        links = await guardians.pending(session)
        alerts = await holding.alerts(session, since=web.clock.now() - ALERTS_FOR)
        events.record(  # who was shown the queue (names, masked NIKs, birth dates)
            session,
            "review_queue_viewed",
            actor=Actor.STAFF,
            channel=Channel.WEB,
            by=viewer.by,
            registrations=[item.id for item in claims],
            parent_links=[link.id for link in links[:SHOWN]],
        )
    return render(
        request,
        viewer,
        "review.html",
        status=status,
        flash=flash,
        claims=[
            (item, pending_text(item, _, language, web.settings.zone).splitlines())
            for item in claims
        ],
        links=links[:SHOWN],
        alerts=alerts,
        alert_texts=ALERT_TEXTS,
    )


@staff_only()
async def show_review(request: Request, viewer: Viewer) -> Response:
    text = DONE.get(request.query_params.get("ok", ""))
    flash = fields.flash(request, viewer, text, problem=False) if text else None
    return await _page(request, viewer, flash=flash)


async def _refused(request: Request, viewer: Viewer, problem: str, status: int) -> Response:
    """The queue again, saying why nothing was decided."""
    return await _page(
        request, viewer, flash=fields.flash(request, viewer, problem, problem=True), status=status
    )


@staff_only()
async def decide_claim(request: Request, viewer: Viewer) -> Response:
    """Setujui (the account is linked, told, and summoned) or Tolak (told)."""
    web = services_of(request)
    claim_id = fields.an_id(request.path_params["claim_id"])
    approve = _VERDICTS.get(str((await request.form()).get("keputusan")))
    if claim_id is None:
        return await _refused(request, viewer, DECISIONS[Decision.GONE], 409)
    if approve is None:
        return await _refused(request, viewer, NO_VERDICT, 400)
    async with web.db.session() as session:
        decision = await review.decide(
            session,
            claim_id,
            approve=approve,
            by=viewer.by,
            channel=Channel.WEB,
            now=web.clock.now(),
            policy=web.office.policy,
        )
    if decision not in (Decision.APPROVED, Decision.REJECTED):
        return await _refused(request, viewer, DECISIONS[decision], 409)
    web.figures.invalidate()
    return RedirectResponse(f"/tinjauan?ok={'disetujui' if approve else 'ditolak'}", 303)


@staff_only()
async def decide_link(request: Request, viewer: Viewer) -> Response:
    """A parent's NIK request: approved (told, and sent the child's summons) or refused."""
    web = services_of(request)
    link_id = fields.an_id(request.path_params["link_id"])
    approve = _VERDICTS.get(str((await request.form()).get("keputusan")))
    if link_id is None:
        return await _refused(request, viewer, LINK_GONE, 409)
    if approve is None:
        return await _refused(request, viewer, NO_VERDICT, 400)
    async with web.db.session() as session:
        link = await guardians.decide(
            session,
            link_id,
            approve=approve,
            staff_id=viewer.telegram_id,
            now=web.clock.now(),
            policy=web.office.policy,
            channel=Channel.WEB,
        )
    if link is None:
        return await _refused(request, viewer, LINK_GONE, 409)
    verdict = "tautan-disetujui" if approve else "tautan-ditolak"
    return RedirectResponse(f"/tinjauan?ok={verdict}", 303)


routes = [
    Route("/tinjauan", show_review, methods=["GET"]),
    Route("/tinjauan/{claim_id}", decide_claim, methods=["POST"]),
    Route("/tinjauan/tautan/{link_id}", decide_link, methods=["POST"]),
]
