"""What every dashboard request reaches: the office's settings, database, catalogs and clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.i18n import Catalogs
from bot.web.figures_cache import FiguresCache


@dataclass
class WebServices:
    settings: Settings
    db: Database
    catalogs: Catalogs
    clock: Clock
    figures: FiguresCache = field(init=False)

    def __post_init__(self) -> None:
        self.figures = FiguresCache(self.db, self.clock)


def services_of(request: Request) -> WebServices:
    services: WebServices = request.app.state.services
    return services
