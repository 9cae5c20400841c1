"""Ringkasan: target, recorded, remaining and the share recorded, for the office and per
kecamatan, then a kecamatan's kelurahan, then a kelurahan's schools; with the trend per day.
The same figures as `rekam report`, counted in one pass for every area (figures_cache)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.services import figures
from bot.services.web_access import Viewer
from bot.web import charts
from bot.web.access import staff_only
from bot.web.context import services_of
from bot.web.render import render


@staff_only()
async def overview(request: Request, viewer: Viewer) -> Response:
    web = services_of(request)
    kecamatan = request.query_params.get("kecamatan")
    kelurahan = request.query_params.get("kelurahan")
    if kelurahan is not None and kecamatan is not None:
        counted = await web.figures.report(
            figures.By.SCHOOL, in_kelurahan=(kecamatan[:100], kelurahan[:100])
        )
        lines = counted.value
        level = "school"
    elif kecamatan is not None:
        counted = await web.figures.report(figures.By.KELURAHAN)
        lines = [line for line in counted.value if line.parent_area == kecamatan]
        level = "kelurahan"
    else:
        counted = await web.figures.report(figures.By.KECAMATAN)
        lines = counted.value
        level = "kecamatan"
    trend = await web.figures.trend(web.settings.zone)
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
        trend=charts.daily(trend.value, web.clock.today()),
        per_day=trend.value[-14:],
        chart=charts,
    )


routes = [Route("/", overview, methods=["GET"])]
