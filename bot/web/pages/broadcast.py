"""Siaran: staff pick who (everyone pending, one session's people, one kelurahan, one school),
type the text, see it exactly as it will arrive with how many it reaches, then send it: the
same audiences, limits and service (bot/services/broadcasts.py) as /siaran in Telegram."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Audience, Channel
from bot.i18n import N_, format_day, format_hours
from bot.presentation import broadcasts as said
from bot.presentation.outbox import broadcast_text
from bot.services import broadcasts
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import staff_only
from bot.web.context import WebServices, services_of
from bot.web.render import render

AUDIENCES = {
    Audience.ALL_PENDING: N_("Semua yang belum merekam"),
    Audience.SESSION: N_("Peserta satu jadwal"),
    Audience.KELURAHAN: N_("Satu kelurahan"),
    Audience.SCHOOL: N_("Satu sekolah"),
}
# The form field that names the session, kelurahan or school of each audience.
_FIELDS = {Audience.SESSION: "jadwal", Audience.KELURAHAN: "kelurahan", Audience.SCHOOL: "sekolah"}
GONE = N_("Pilih jadwal, kelurahan atau sekolah yang masih ada.")


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@dataclass(frozen=True)
class Chosen:
    """The audience a form names, as the broadcast service matches it."""

    audience: Audience
    number: int | None  # the session, kelurahan or school picked (None: everyone pending)
    value: str | None  # what broadcasts.recipients matches on
    label: str


async def _session_choices(session: AsyncSession, web: WebServices, language: str) -> list[Choice]:
    """The open sessions ahead, as /siaran in Telegram offers them."""
    zone = web.settings.zone
    start = web.clock.now() - timedelta(hours=12)
    found = await broadcasts.session_choices(session, start, start + timedelta(days=60))
    return [
        Choice(
            s.id,
            f"{format_day(s.starts_at.astimezone(zone).date(), language)} "
            f"{format_hours(s.starts_at, s.ends_at, language, zone)} · {s.place}",
        )
        for s in found
    ]


async def _choices(
    session: AsyncSession, web: WebServices, language: str
) -> dict[str, list[Choice]]:
    return {
        "jadwal": await _session_choices(session, web, language),
        "kelurahan": [Choice(c.id, c.name) for c in await broadcasts.kelurahan_choices(session)],
        "sekolah": [Choice(c.id, c.name) for c in await broadcasts.school_choices(session)],
    }


async def _chosen(
    session: AsyncSession, form: FormData, choices: dict[str, list[Choice]]
) -> Chosen | None:
    """The audience the form names, or None when it names nothing that is still there."""
    try:
        audience = Audience(str(form.get("audience", "")))
    except ValueError:
        return None
    if audience == Audience.ALL_PENDING:
        return Chosen(audience, None, None, "")
    field = _FIELDS[audience]
    number = fields.an_id(form.get(field))
    if number is None:
        return None
    label = next((c.label for c in choices[field] if c.id == number), None)
    value = await broadcasts.audience_value(session, audience, number)
    if label is None or value is None:  # a session no longer open, a kelurahan gone
        return None
    return Chosen(audience, number, value, label)


def _text(form: FormData) -> str:
    # Browsers send a textarea's line breaks as CRLF; Telegram counts (and shows) them as one.
    return str(form.get("teks", "")).replace("\r\n", "\n").strip()


async def _page(
    request: Request,
    viewer: Viewer,
    *,
    status: int = 200,
    form: FormData | None = None,
    choices: dict[str, list[Choice]] | None = None,
    **values: object,
) -> Response:
    web = services_of(request)
    language = web.catalogs.language(viewer.language)
    async with web.db.reading() as session:
        if choices is None:
            choices = await _choices(session, web, language)
        sent = await broadcasts.recent(session)
    values.setdefault("problem", None)
    values.setdefault("preview", None)
    return render(
        request,
        viewer,
        "broadcast.html",
        status=status,
        audiences=AUDIENCES,
        choices=choices,
        recent=sent,
        limit=broadcasts.MAX_TEXT,
        picked={
            "audience": str(form.get("audience", "")) if form else "",
            **{name: fields.an_id(form.get(name)) if form else None for name in _FIELDS.values()},
        },
        typed=_text(form) if form else "",
        sent_to=fields.an_id(request.query_params.get("dikirim")),
        **values,
    )


async def _checked(
    request: Request, viewer: Viewer
) -> tuple[Chosen, str, dict[str, list[Choice]]] | Response:
    """The form's audience and text (and the choices the form offers), or the form again
    saying the audience it names is gone. The text is judged by the service."""
    form = await request.form()
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    async with web.db.reading() as session:
        choices = await _choices(session, web, web.catalogs.language(viewer.language))
        chosen = await _chosen(session, form, choices)
    if chosen is None:
        return await _page(request, viewer, status=400, form=form, choices=choices, problem=_(GONE))
    return chosen, _text(form), choices


@staff_only()
async def compose(request: Request, viewer: Viewer) -> Response:
    """The form: who, and what."""
    return await _page(request, viewer)


@staff_only()
async def preview(request: Request, viewer: Viewer) -> Response:
    """The text as it will arrive, how many it reaches, and the button that sends it; or the
    service's refusal."""
    checked = await _checked(request, viewer)
    if isinstance(checked, Response):
        return checked
    chosen, text, choices = checked
    web = services_of(request)
    language = web.catalogs.language(viewer.language)
    _ = web.catalogs.gettext(language)
    async with web.db.reading() as session:
        judged = await broadcasts.judge(
            session,
            audience=chosen.audience,
            value=chosen.value,
            text=text,
            office=web.settings.office_name,
        )
    form = await request.form()
    if judged.reach is None:  # the text itself is refused: the form again, text kept
        problem = said.refusal(judged, _, language)
        return await _page(request, viewer, status=400, form=form, choices=choices, problem=problem)
    return await _page(
        request,
        viewer,
        form=form,
        choices=choices,
        preview={
            "chosen": chosen,
            "shown": broadcast_text(_, web.settings.office_name, text),
            "text": text,
            "count": judged.reach.chats,
            "reach": said.reach_line(judged.reach, _, language),
            "channels": said.channels_line(judged, _, language, web.settings),
            "field": _FIELDS.get(chosen.audience, ""),
            "key": secrets.token_urlsafe(24),  # this preview's send goes out once
        },
        problem=said.refusal(judged, _, language) if judged.refused else None,
    )


@staff_only()
async def send(request: Request, viewer: Viewer) -> Response:
    """Queue it for everyone it reaches now (the dispatcher sends it), unless the service
    refuses it (nobody to reach, the text empty or too long)."""
    checked = await _checked(request, viewer)
    if isinstance(checked, Response):
        return checked
    chosen, text, _choices_offered = checked
    web = services_of(request)
    language = web.catalogs.language(viewer.language)
    _ = web.catalogs.gettext(language)
    form = await request.form()
    key = form.get("kunci")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        async with web.db.reading() as session:
            judged = await broadcasts.judge(
                session,
                audience=chosen.audience,
                value=chosen.value,
                text=text,
                office=web.settings.office_name,
            )
        problem = said.refusal(judged, _, language) if judged.reach is None else _(GONE)
        return await _page(request, viewer, status=400, form=form, problem=problem)
    try:
        async with web.db.session() as session:
            sent = await broadcasts.send(
                session,
                audience=chosen.audience,
                value=chosen.value,
                text=text,
                office=web.settings.office_name,
                by=viewer.telegram_id,
                channel=Channel.WEB,
                now=web.clock.now(),
                operator=viewer.by,
                once=key,
            )
            reached = sent.recipients
    except IntegrityError:  # the same form at the same instant (a double click): sent once
        async with web.db.reading() as session:
            first = await broadcasts.sent_by_key(session, key)
            if first is None:
                raise
            reached = first.recipients
    else:
        if sent.refused is not None:
            status = 409 if sent.refused == broadcasts.Refusal.NOBODY else 400
            problem = said.refusal(sent, _, language)
            return await _page(request, viewer, status=status, form=form, problem=problem)
    # A reload of the page that says so must not send it again.
    return RedirectResponse(f"/siaran?dikirim={reached}", status_code=303)


_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")

routes = [
    Route("/siaran", compose, methods=["GET"]),
    Route("/siaran/pratinjau", preview, methods=["POST"]),
    Route("/siaran/kirim", send, methods=["POST"]),
]
