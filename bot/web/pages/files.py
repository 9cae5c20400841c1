"""Impor / Ekspor: admins hand in the target list, a sessions file or the recording office's list
(what `rekam import` does, through the same service: bot/services/file_imports.py) and see the
totals and every rejected row with its reason; every staff member downloads the figures report
(the same columns and numbers as `rekam report`) and a school's printed letters.

A file is imported within its request: a 20 MB target list takes seconds, and the page that
answers shows the outcome. Rejected-rows reports are kept in memory, for their uploader only,
for an hour: they hold row numbers and reasons, never a row's contents."""

from __future__ import annotations

import re
import secrets
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path, PurePath
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.domain.kinds import Actor, Audience, Channel
from bot.i18n import N_
from bot.presentation import letters as letter_pages
from bot.presentation import tables
from bot.services import broadcasts, events, figures, letters, sheets
from bot.services.file_imports import FileKind, Imported, import_file
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web.access import Endpoint, current_viewer, staff_only
from bot.web.context import services_of
from bot.web.render import render

MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_PATH = "/berkas/impor"
# The form around the file (boundaries, the token, the kind) on top of the file itself.
_FORM_SLACK = 64 * 1024
SHOWN_REJECTS = 100
KINDS = {
    FileKind.TARGETS: N_("Daftar sasaran"),
    FileKind.SESSIONS: N_("Jadwal"),
    FileKind.RECORDED: N_("Yang sudah rekam (dari data kantor)"),
}
REPORTS = {
    figures.By.KECAMATAN: N_("per kecamatan"),
    figures.By.KELURAHAN: N_("per kelurahan"),
    figures.By.SCHOOL: N_("per sekolah"),
}
TOO_BIG = N_(
    "Berkas terlalu besar: paling besar {limit} MB. Bagi berkasnya lalu unggah per bagian."
)
NO_FILE = N_("Pilih berkas yang akan diunggah.")
WRONG_KIND = N_("Berkas harus .csv atau .xlsx.")
NO_LETTERS = N_("Tidak ada surat untuk dicetak.")
NO_BOT_NAME = N_("Surat memerlukan nama pengguna bot (BOT_USERNAME) untuk tautan undangannya.")
GONE = N_("Laporan baris yang ditolak ini sudah tidak ada; unggah berkasnya lagi.")
_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class _Kept:
    owner: int
    at: datetime
    name: str
    data: bytes


class RejectedReports:
    """The latest rejected-rows reports, each for the staff member who uploaded the file."""

    KEEP = timedelta(hours=1)
    MOST = 20

    def __init__(self) -> None:
        self._kept: OrderedDict[str, _Kept] = OrderedDict()

    def keep(self, owner: int, now: datetime, name: str, data: bytes) -> str:
        token = secrets.token_urlsafe(16)
        self._kept[token] = _Kept(owner, now, name, data)
        while len(self._kept) > self.MOST:
            self._kept.popitem(last=False)
        return token

    def take(self, token: str, owner: int, now: datetime) -> _Kept | None:
        kept = self._kept.get(token)
        if kept is None or kept.owner != owner or kept.at + self.KEEP < now:
            return None
        return kept


def _reports(request: Request) -> RejectedReports:
    state = request.app.state
    if not hasattr(state, "rejected_reports"):
        state.rejected_reports = RejectedReports()
    found: RejectedReports = state.rejected_reports
    return found


def _download(data: bytes, name: str, media_type: str) -> Response:
    return Response(
        data,
        media_type=media_type,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _table(kind: str, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> bytes:
    """A CSV or XLSX file, through the writer that keeps every cell from being a formula."""
    buffer = BytesIO()
    sheets.write_to(buffer, kind, header, rows)
    return buffer.getvalue()


async def _page(request: Request, viewer: Viewer, *, status: int = 200, **values: Any) -> Response:
    web = services_of(request)
    async with web.db.reading() as session:
        schools = await broadcasts.school_choices(session)
    values.setdefault("problem", None)
    values.setdefault("done", None)
    values.setdefault("kind", FileKind.TARGETS)
    return render(
        request,
        viewer,
        "files.html",
        status=status,
        kinds=KINDS,
        reports=REPORTS,
        schools=schools,
        limit_mb=MAX_UPLOAD // (1024 * 1024),
        **values,
    )


@staff_only()
async def files(request: Request, viewer: Viewer) -> Response:
    """Downloads for everyone; uploads for admins."""
    return await _page(request, viewer)


def _saved(upload: UploadFile, folder: Path) -> Path | None:
    """The upload copied to `folder` under a name of ours with its own suffix; None when it is
    bigger than MAX_UPLOAD (a request without a length, sent in chunks, is measured here)."""
    suffix = PurePath(upload.filename or "").suffix.casefold()
    path = folder / f"berkas{suffix}"
    copied = 0
    with path.open("wb") as handle:
        while chunk := upload.file.read(1 << 20):
            copied += len(chunk)
            if copied > MAX_UPLOAD:
                return None
            handle.write(chunk)
    return path


async def _imported(
    request: Request, viewer: Viewer, kind: FileKind, upload: UploadFile
) -> Imported | tuple[int, str]:
    """The file imported, or the status and the one sentence that say why it was not."""
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    name = PurePath(upload.filename or "").name
    if PurePath(name).suffix.casefold() not in (".csv", ".xlsx"):
        return 400, _(WRONG_KIND)
    with tempfile.TemporaryDirectory(prefix="rekam-unggah-") as folder:
        path = _saved(upload, Path(folder))
        if path is None:
            return 413, _(TOO_BIG).format(limit=MAX_UPLOAD // (1024 * 1024))
        try:
            return await import_file(
                web.db, web.settings, kind, path, now=web.clock.now(), by=viewer.by
            )
        except tables.UNREADABLE as error:
            return 400, tables.unreadable(error, _, name)


@staff_only(admin=True)
async def upload(request: Request, viewer: Viewer) -> Response:
    """Import the uploaded file; the totals and the rejected rows."""
    form = await request.form()
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    sent = form.get("berkas")
    try:
        kind = FileKind(str(form.get("jenis", "")))
    except ValueError:
        kind = FileKind.TARGETS
    if not isinstance(sent, UploadFile) or not sent.filename:
        return await _page(request, viewer, status=400, problem=_(NO_FILE), kind=kind)
    outcome = await _imported(request, viewer, kind, sent)
    if isinstance(outcome, tuple):
        status, said = outcome
        return await _page(request, viewer, status=status, problem=said, kind=kind)
    web.figures.invalidate()  # the overview and the report count afresh
    header, rows = tables.rejected_rows(outcome.rejected, outcome.columns, _)
    token = None
    if rows:
        # The office's own file name, in a header: only letters, digits, dots and dashes.
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePath(sent.filename).stem).strip(".-")
        stem = stem[:80] or "berkas"
        data = _table("csv", header, rows)
        token = _reports(request).keep(
            viewer.telegram_id, web.clock.now(), f"{stem}-ditolak.csv", data
        )
    return await _page(
        request,
        viewer,
        kind=kind,
        done={
            "kind": outcome.kind,
            "name": sent.filename,
            "result": outcome.result,
            "rejected": rows[:SHOWN_REJECTS],
            "rejected_count": len(rows),
            "token": token,
        },
    )


def _size_checked(endpoint: Endpoint) -> Endpoint:
    """A file over the limit is refused from its stated length, before it is read at all."""

    async def checked(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > MAX_UPLOAD + _FORM_SLACK:
            viewer = await current_viewer(request)
            if viewer is not None and viewer.is_admin:
                web = services_of(request)
                _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
                said = _(TOO_BIG).format(limit=MAX_UPLOAD // (1024 * 1024))
                return await _page(request, viewer, status=413, problem=said)
        return await endpoint(request)

    return checked


@staff_only()
async def rejected(request: Request, viewer: Viewer) -> Response:
    """The rejected-rows report of an upload of this viewer's, as CSV."""
    web = services_of(request)
    kept = _reports(request).take(request.path_params["token"], viewer.telegram_id, web.clock.now())
    if kept is None:
        _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
        return await _page(request, viewer, status=404, problem=_(GONE))
    return _download(kept.data, kept.name, _TYPES["csv"])


@staff_only()
async def report(request: Request, viewer: Viewer) -> Response:
    """`rekam report --by BY --format csv|xlsx`, counted now."""
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    try:
        by = figures.By(request.query_params.get("per", "kelurahan"))
    except ValueError:
        by = figures.By.KELURAHAN
    kind = "xlsx" if request.query_params.get("format") == "xlsx" else "csv"
    lines = await figures.report(web.db.reading, by)
    header, rows = tables.figure_rows([*lines, figures.total(lines)], _)
    return _download(_table(kind, header, rows), f"laporan-{by}.{kind}", _TYPES[kind])


@staff_only()
async def printed_letters(request: Request, viewer: Viewer) -> Response:
    """`rekam letters --school NAME [--all]`: one school's letters as a PDF. A POST with the
    form's token: printing hands out letter numbers for good and is an event, so no link
    from another site may do it in a staff member's name."""
    web = services_of(request)
    settings = web.settings
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    form = await request.form()
    picked = form.get("sekolah") or ""
    number = fields.an_id(picked)
    if not settings.bot_username:
        return await _page(request, viewer, status=409, problem=_(NO_BOT_NAME))
    everyone = form.get("semua") == "1"
    async with web.db.session() as session:
        school = (
            await broadcasts.audience_value(session, Audience.SCHOOL, number)
            if number is not None
            else None
        )
        found = (
            await letters.letters(session, school=school, everyone=everyone)
            if school is not None or not picked
            else []  # a school that is gone: no letters, never everyone's
        )
        if found:
            events.record(
                session,
                "letters_printed",
                actor=Actor.STAFF,
                channel=Channel.WEB,
                by=viewer.by,
                school=school,
                letters=len(found),
            )
    if not found:
        return await _page(request, viewer, status=404, problem=_(NO_LETTERS))
    document, _pages = letter_pages.pdf_of(
        found,
        head=letter_pages.Letterhead.of(settings),
        bot_username=settings.bot_username.lstrip("@"),
        _=web.catalogs.gettext(settings.default_language),
        language=settings.default_language,
        zone=settings.zone,
        today=web.clock.today(),
    )
    return _download(document, "surat.pdf", "application/pdf")


routes = [
    Route("/berkas", files, methods=["GET"]),
    Route(UPLOAD_PATH, _size_checked(upload), methods=["POST"]),
    Route("/berkas/ditolak/{token}", rejected, methods=["GET"]),
    Route("/berkas/laporan", report, methods=["GET"]),
    Route("/berkas/surat", printed_letters, methods=["POST"]),
]
