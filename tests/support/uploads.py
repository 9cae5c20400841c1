"""Uploads on the dashboard in tests: the form sent as a browser sends it, the import's page
followed until the import has ended, and the files an attacker crafts (issue 22: a 433 KB
.xlsx that held 200,000 rows to reject)."""

from __future__ import annotations

import asyncio
import re
import time
import zipfile
from pathlib import Path

import httpx

from tests.support.web import csrf_of

RUNNING = re.compile(r'id="import-job"[^>]*data-live')
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Daftar" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_BOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def _cell(text: str, prefix: str = "") -> str:
    x = prefix
    return f'<{x}c t="inlineStr"><{x}is><{x}t>{text}</{x}t></{x}is></{x}c>'


def crafted_workbook(path: Path, rows: int, *, prefix: str = "") -> Path:
    """A valid .xlsx whose `rows` data rows are all the same bad row (a four-digit NIK), each
    numbered, so the sheet packs about 50 to 1: under the 100-to-1 check a zip bomb meets, and
    a few hundred kilobytes for 200,000 rows. `prefix` writes every tag with a namespace
    prefix ("x:"), which is the same XML to a reader."""
    ns = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    head += f'<{prefix}worksheet {ns}="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    header = "".join(_cell(t, prefix) for t in ("nik", "nama", "tanggal_lahir"))
    body = [head, f"<{prefix}sheetData>", f'<{prefix}row r="1">{header}</{prefix}row>']
    bad = "".join(_cell(t, prefix) for t in ("1234", "Nama Uji", "01-01-2009"))
    body.extend(f'<{prefix}row r="{n}">{bad}</{prefix}row>' for n in range(2, rows + 2))
    body.append(f"</{prefix}sheetData></{prefix}worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _BOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", "".join(body))
    return path


def is_running(page: httpx.Response) -> bool:
    """The import's page says it is still under way (and a browser would refresh it)."""
    return RUNNING.search(page.text) is not None


async def ended(
    web: httpx.AsyncClient, address: str, *, timeout: float = 120.0
) -> tuple[httpx.Response, list[httpx.Response]]:
    """The import's page once the import has ended, and every page shown while it ran (asked
    for every tenth of a second, as often as a person would never look)."""
    deadline = time.monotonic() + timeout
    seen: list[httpx.Response] = []
    while True:
        page = await web.get(address)
        assert page.status_code == 200, page.text
        if not is_running(page):
            return page, seen
        seen.append(page)
        assert time.monotonic() < deadline, f"the import at {address} never ended"
        await asyncio.sleep(0.1)


async def sent(
    web: httpx.AsyncClient, path: Path, kind: str = "targets", *, name: str | None = None
) -> httpx.Response:
    """The upload form sent with this file: a redirect to the import's page, or a refusal."""
    page = await web.get("/berkas")
    content = await asyncio.to_thread(path.read_bytes)
    return await web.post(
        "/berkas/impor",
        data={"csrf": csrf_of(page), "jenis": kind},
        files={"berkas": (name or path.name, content, "application/octet-stream")},
    )


async def upload(
    web: httpx.AsyncClient, path: Path, kind: str = "targets", *, name: str | None = None
) -> httpx.Response:
    """Upload as an admin does: the import's page once it has ended, or the refusal."""
    answer = await sent(web, path, kind, name=name)
    if answer.status_code != 303:
        return answer
    page, _ = await ended(web, answer.headers["location"])
    return page
