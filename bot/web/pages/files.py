"""Impor / Ekspor: admins hand in the target list, a sessions file or the recording office's list
(what `rekam import` does, through the same service: bot/services/file_imports.py) and see the
totals, the rejected rows counted by reason and the first thousand of them; every staff member
downloads the figures report (the same columns and numbers as `rekam report`) and a school's
printed letters.

A file is imported by a process of its own (bot/web/import_jobs.py), never in the request: the
upload answers at once with the import's page, which shows how far it has read and refreshes
itself (static/live.js) until the outcome is there. The bot's buttons, answered by this same
process, wait for none of it."""

from __future__ import annotations

import asyncio
import re
import shutil
from io import BytesIO
from pathlib import Path, PurePath
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from bot.domain.kinds import Audience
from bot.files import open_private
from bot.i18n import N_, Gettext
from bot.presentation import report as report_columns
from bot.presentation import tables
from bot.services import broadcasts, figures, letters, sheets, templates
from bot.services.file_imports import FileKind
from bot.services.web_access import Viewer
from bot.web import fields
from bot.web import letters as web_letters
from bot.web.access import Endpoint, current_viewer, staff_only
from bot.web.context import services_of
from bot.web.import_jobs import Progress, Upload
from bot.web.letters import NO_BOT_NAME, NO_LETTERS
from bot.web.limits import FORM_SLACK, MAX_UPLOAD, TOO_BIG, UPLOAD_LIMITS, UPLOAD_PATH
from bot.web.render import render

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
NO_FILE = N_("Pilih berkas yang akan diunggah.")
WRONG_KIND = N_("Berkas harus .csv atau .xlsx.")
BUSY = N_("Impor lain sedang berjalan. Tunggu sampai selesai, lalu unggah lagi.")
GONE = N_("Laporan baris yang ditolak ini sudah tidak ada; unggah berkasnya lagi.")
NO_IMPORT = N_("Impor ini sudah tidak ada; unggah berkasnya lagi untuk melihat hasilnya.")
_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
    values.setdefault("job", None)
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
        latest=web.imports.latest(viewer.telegram_id),
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
    with open_private(path) as handle:
        while chunk := upload.file.read(1 << 20):
            copied += len(chunk)
            if copied > MAX_UPLOAD:
                return None
            handle.write(chunk)
    return path


def _download_name(sent: str) -> str:
    """The office's own file name with its extension (sasaran.xlsx: sasaran-xlsx-ditolak.csv,
    apart from sasaran.csv's), for a header: only letters, digits, dots and dashes."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", PurePath(sent).stem).strip(".-")
    extension = PurePath(sent).suffix.lstrip(".").casefold()
    return f"{stem[:80] or 'berkas'}-{extension or 'berkas'}-ditolak.csv"


@staff_only(admin=True)
async def upload(request: Request, viewer: Viewer) -> Response:
    """Save the uploaded file and start its import; the import's page."""
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
    name = PurePath(sent.filename).name
    if PurePath(name).suffix.casefold() not in (".csv", ".xlsx"):
        return await _page(request, viewer, status=400, problem=_(WRONG_KIND), kind=kind)
    if web.imports.busy():  # before 20 MB are copied for nothing
        return await _page(request, viewer, status=409, problem=_(BUSY), kind=kind)
    folder = web.imports.folder()
    path = await asyncio.to_thread(_saved, sent, folder)
    if path is None:
        shutil.rmtree(folder, ignore_errors=True)
        said = _(TOO_BIG).format(limit=MAX_UPLOAD // (1024 * 1024))
        return await _page(request, viewer, status=413, problem=said, kind=kind)
    token = await web.imports.start(
        Upload(
            owner=viewer.telegram_id,
            by=viewer.by,
            kind=kind,
            path=path,
            name=name,
            download=_download_name(name),
            language=web.catalogs.language(viewer.language),
            now=web.clock.now(),
        ),
        settings=web.settings,
        catalogs=web.catalogs.directory,
        limits=UPLOAD_LIMITS,
    )
    if token is None:
        return await _page(request, viewer, status=409, problem=_(BUSY), kind=kind)
    return RedirectResponse(f"{UPLOAD_PATH}/{token}", status_code=303)


def _shown(progress: Progress, _: Gettext, language: str) -> dict[str, Any]:
    """The import as its section shows it: the rejected rows' counts and first rows in words."""
    outcome = progress.outcome
    if outcome is None:
        return {"progress": progress, "counts": [], "first": []}
    columns = outcome.columns
    counts = [
        (
            tables.column_label(one.column, columns) if one.column else _(tables.WHOLE_ROW),
            tables.explain(one, _, columns, language),
            n,
        )
        for one, n in outcome.counts
    ]
    first = list(tables.rejected_lines(outcome.first, columns, _, language))
    return {"progress": progress, "counts": counts, "first": first}


@staff_only(admin=True)
async def imported(request: Request, viewer: Viewer) -> Response:
    """An import of this admin's: how far it has got, then what it did. Always 200 while it
    exists: live.js replaces the section only from a page that answered 200."""
    web = services_of(request)
    _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
    progress = web.imports.progress(
        request.path_params["token"], viewer.telegram_id, web.clock.now()
    )
    if progress is None:
        return await _page(request, viewer, status=404, problem=_(NO_IMPORT))
    return await _page(
        request,
        viewer,
        kind=progress.kind,
        job=_shown(progress, _, web.catalogs.language(viewer.language)),
    )


def _size_checked(endpoint: Endpoint) -> Endpoint:
    """A file over the limit is refused from its stated length, before it is read at all."""

    async def checked(request: Request) -> Response:
        length = request.headers.get("content-length", "")
        if length.isascii() and length.isdigit() and int(length) > MAX_UPLOAD + FORM_SLACK:
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
    """The rejected-rows report of an upload of this viewer's, as CSV, streamed from its file."""
    web = services_of(request)
    found = web.imports.report(request.path_params["token"], viewer.telegram_id, web.clock.now())
    if found is None:
        _ = web.catalogs.gettext(web.catalogs.language(viewer.language))
        return await _page(request, viewer, status=404, problem=_(GONE))
    path, name = found
    return FileResponse(
        path,
        media_type=_TYPES["csv"],
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


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
    header, rows = report_columns.figure_rows([*lines, figures.total(lines)], _)
    return _download(_table(kind, header, rows), f"laporan-{by}.{kind}", _TYPES[kind])


@staff_only()
async def template_file(request: Request, viewer: Viewer) -> Response:
    """`rekam templates`' sample file of one kind, as CSV or XLSX: the columns the import reads,
    with made-up rows that import cleanly as they are."""
    web = services_of(request)
    try:
        kind = FileKind(request.path_params["kind"])
    except ValueError:
        return Response(status_code=404)
    fmt = "xlsx" if request.path_params["format"] == "xlsx" else "csv"
    header, rows = templates.template(kind, web.settings, web.clock.today())
    return _download(_table(fmt, header, rows), f"{templates.NAMES[kind]}.{fmt}", _TYPES[fmt])


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
            web_letters.printed(session, found, by=viewer.by, school=school)
    if not found:
        return await _page(request, viewer, status=404, problem=_(NO_LETTERS))
    return _download(web_letters.pdf(web, found), "surat.pdf", "application/pdf")


routes = [
    Route("/berkas", files, methods=["GET"]),
    Route(UPLOAD_PATH, _size_checked(upload), methods=["POST"]),
    Route(UPLOAD_PATH + "/{token}", imported, methods=["GET"]),
    Route("/berkas/ditolak/{token}", rejected, methods=["GET"]),
    Route("/berkas/laporan", report, methods=["GET"]),
    Route("/berkas/contoh/{kind}.{format:str}", template_file, methods=["GET"]),
    Route("/berkas/surat", printed_letters, methods=["POST"]),
]
