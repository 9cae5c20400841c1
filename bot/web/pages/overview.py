"""Ringkasan: target, recorded, remaining and the share recorded, for the office and per
kecamatan, then a kecamatan's kelurahan, then a kelurahan's schools; how far the office reaches
there (each of its channels, reached, answered, unreached); and the trend per day.
The same figures as `rekam report`, counted in one pass for every area (figures_cache)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.services import figures
from bot.services.web_access import Viewer
from bot.web import charts
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.pages import unreached
from bot.web.render import render


@staff_only()
async def overview(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    kecamatan = request.query_params.get("kecamatan")
    kelurahan = request.query_params.get("kelurahan")
    within: tuple[str, str] | None = None
    if kelurahan is not None and kecamatan is not None:
        by, within, level = figures.By.SCHOOL, (kecamatan, kelurahan), "school"
    elif kecamatan is not None:
        by, level = figures.By.KELURAHAN, "kelurahan"
    else:
        by, level = figures.By.KECAMATAN, "kecamatan"
    # Both at once: each waits at most figures_cache.WAIT for a count under way.
    counted, trend = await asyncio.gather(
        web.figures.report(by, in_kelurahan=within), web.figures.trend(web.settings.zone)
    )
    lines = counted.value
    if level == "kelurahan":
        lines = [line for line in lines if line.parent_area == kecamatan]
    return render(
        request,
        viewer,
        "overview.html",
        lines=lines,
        whole=figures.total(lines),
        level=level,
        kecamatan=kecamatan,
        kelurahan=kelurahan,
        counted_at=counted.at,
        recounting=web.figures.stale(counted),
        trend=charts.daily(trend.value, web.clock.today()),
        per_day=trend.value[-14:],
        chart=charts,
        phones=web.settings.phones,
        unreached_of=_unreached_of(level, kecamatan, kelurahan),
    )


def _unreached_of(
    level: str, kecamatan: str | None, kelurahan: str | None
) -> Callable[[str | None], str]:
    """Where a line's "belum terjangkau" leads: that area's list (None: the total's, the list
    of the whole page's area)."""

    def of(area: str | None) -> str:
        if level == "kecamatan":
            return unreached.link(kecamatan=area)
        if level == "kelurahan":
            return unreached.link(kecamatan=kecamatan, kelurahan=area)
        return unreached.link(kecamatan=kecamatan, kelurahan=kelurahan, school=area)

    return of


routes = [Route("/", overview, methods=["GET"])]
