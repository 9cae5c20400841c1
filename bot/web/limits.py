"""How much a request may send: every form a few hundred kilobytes, the import's upload its
file's limit. Counted as the body arrives, before Starlette's form parser stores any of it (it
writes file parts to disk with no limit of its own), so a huge body fills neither the disk nor
the memory of the process that also runs the bot. And how much an uploaded file may hold once
read (UPLOAD_LIMITS): 20 MB of .xlsx can unpack to gigabytes, or a million rows."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.i18n import N_, Catalogs
from bot.services.sheets import Limits

MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_PATH = "/berkas/impor"
TOO_BIG = N_(
    "Berkas terlalu besar: paling besar {limit} MB. Bagi berkasnya lalu unggah per bagian."
)
# What an upload may hold. A real list of 20 MB is about 200,000 rows of CSV (450,000 with three
# columns) or 500,000 rows of .xlsx, some 250 MB unpacked; a million rows, ten million cells or
# 512 MB unpacked is a file made to keep the import busy (a crafted 433 KB .xlsx held 200,000
# rows, a 2 MB one a million). Refused whole, before a row goes in (bot/services/sheets.py).
UPLOAD_LIMITS = Limits(rows=1_000_000, cells=10_000_000, unpacked=512 * 1024 * 1024)
FORM_LIMIT = 256 * 1024  # a broadcast's text is 3,500 characters; nothing else comes near
FORM_SLACK = 64 * 1024  # the upload's form around its file (boundaries, token, kind)
TOO_MUCH = N_("Kiriman ini terlalu besar untuk dasbor. Tidak ada yang diubah.")


def limit_of(path: str) -> tuple[int, str]:
    """The most a request to `path` may send, and what a bigger one is told."""
    if path == UPLOAD_PATH:
        return MAX_UPLOAD + FORM_SLACK, TOO_BIG
    return FORM_LIMIT, TOO_MUCH


class BodyLimit:
    def __init__(self, app: ASGIApp, catalogs: Catalogs) -> None:
        self.app = app
        self.catalogs = catalogs

    def _text(self, said: str) -> str:
        _ = self.catalogs.gettext(self.catalogs.default_language)
        return _(said).format(limit=MAX_UPLOAD // (1024 * 1024))

    def _refusal(self, said: str) -> HTMLResponse:
        page = f"<!doctype html><meta charset=utf-8><p>{self._text(said)}</p>"
        return HTMLResponse(page, status_code=413)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        most, said = limit_of(str(scope.get("path", "")))
        stated = dict(scope.get("headers", [])).get(b"content-length")
        if stated is not None and stated.isdigit() and int(stated) > most:
            await self._refusal(said)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            # Raised inside the page that reads the body: Starlette answers it with a 413.
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > most:
                    raise HTTPException(413, detail=self._text(said))
            return message

        await self.app(scope, counted, send)
