"""The dashboard's import page offers the same sample files as `rekam templates` (issue 23):
each downloads from its link, and goes back in as it is, nothing rejected."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.uploads import upload
from tests.support.web import dashboard_bot, signed_in


async def test_the_import_page_offers_each_template_and_each_imports_cleanly(
    database_url: str, tmp_path: Path
) -> None:
    async with dashboard_bot(database_url) as bot, signed_in(bot, "Admin", admin=True) as (_, web):
        page = await web.get("/berkas")
        assert page.status_code == 200
        offered = page.text.split('id="templates"', 1)[1].split("</ul>", 1)[0]
        links = re.findall(r'href="(/berkas/contoh/[^"]+)"', offered)
        assert links == [
            f"/berkas/contoh/{kind}.{fmt}"
            for kind in ("targets", "sessions", "recorded")
            for fmt in ("csv", "xlsx")
        ]
        expected = {
            "targets": "Ditambah 6, diperbarui 0, tetap 0, ditolak 0.",
            "sessions": "Ditambah 3, diperbarui 0, tetap 0, ditolak 0.",
            "recorded": "Ditandai sudah rekam 2",
        }
        for kind in ("targets", "sessions", "recorded"):
            got = await web.get(f"/berkas/contoh/{kind}.xlsx")
            assert got.status_code == 200
            name = re.search(r'filename="([^"]+)"', got.headers["content-disposition"])
            assert name is not None and name.group(1).startswith("contoh-")
            path = tmp_path / name.group(1)
            path.write_bytes(got.content)
            done = await upload(web, path, kind)
            assert expected[kind] in done.text, done.text[-2000:]
        assert (await web.get("/berkas/contoh/lain.csv")).status_code == 404
