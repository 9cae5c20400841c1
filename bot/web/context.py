"""What every dashboard request reaches: the office's settings, database, catalogs and clock,
the overview's figures and the imports under way."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from bot.clock import Clock
from bot.config import Settings
from bot.db.engine import Database
from bot.i18n import Catalogs
from bot.services.office import Office
from bot.web.figures_cache import FiguresCache
from bot.web.import_jobs import ImportJobs


@dataclass
class WebServices:
    settings: Settings
    db: Database
    catalogs: Catalogs
    clock: Clock
    office: Office = field(init=False)  # from the settings, frozen for the process's life
    figures: FiguresCache = field(init=False)
    imports: ImportJobs = field(init=False)

    def __post_init__(self) -> None:
        self.office = Office.of(self.settings)
        self.figures = FiguresCache(self.db, self.clock)
        self.imports = ImportJobs(self.clock, self.figures.invalidate)


def services_of(request: Request) -> WebServices:
    services: WebServices = request.app.state.services
    return services
