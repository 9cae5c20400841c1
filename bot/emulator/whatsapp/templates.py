"""Message templates: submitted PENDING, then APPROVED or REJECTED, as WhatsApp Manager does.

Meta's review is opaque; the emulator's is deterministic. With `review_delay` None a template
stays PENDING until the control surface approves or rejects it; with a delay (0: at once) it is
reviewed by rule once that many seconds passed: REJECTED with INVALID_FORMAT when its `{{n}}`
are not 1..n or its example does not give one value each, with TAG_CONTENT_MISMATCH when a
UTILITY template reads like marketing; APPROVED otherwise.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.whatsapp.errors import GraphError, Json

CATEGORIES = ("UTILITY", "MARKETING", "AUTHENTICATION")
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")
_PARAM = re.compile(r"\{\{(\d+)\}\}")
# Words that make a "utility" message read as an offer (English and Indonesian).
_MARKETING = re.compile(r"\b(promo|diskon|gratis|discount|sale|offer|voucher|hadiah)\b", re.I)


@dataclass
class Template:
    id: str
    name: str
    language: str
    category: str
    components: list[Json]
    submitted_at: float
    status: str = "PENDING"
    rejected_reason: str = "NONE"

    @property
    def body(self) -> str:
        for component in self.components:
            if str(component.get("type", "")).upper() == "BODY":
                return str(component.get("text", ""))
        return ""

    @property
    def params(self) -> int:
        return len(set(_PARAM.findall(self.body)))

    def as_json(self) -> Json:
        return {
            "name": self.name,
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
            **({"rejected_reason": self.rejected_reason} if self.status == "REJECTED" else {}),
        }


def _verdict(template: Template) -> tuple[str, str]:
    numbers = sorted({int(n) for n in _PARAM.findall(template.body)})
    if numbers != list(range(1, len(numbers) + 1)):
        return "REJECTED", "INVALID_FORMAT"
    if numbers:
        body = next(c for c in template.components if str(c.get("type", "")).upper() == "BODY")
        example: Any = (body.get("example") or {}).get("body_text")
        if not (isinstance(example, list) and example and len(example[0]) == len(numbers)):
            return "REJECTED", "INVALID_FORMAT"
    if template.category == "UTILITY" and _MARKETING.search(template.body):
        return "REJECTED", "TAG_CONTENT_MISMATCH"
    return "APPROVED", "NONE"


class TemplateStore:
    """The templates of one WhatsApp Business Account."""

    def __init__(self, clock: Callable[[], float], review_delay: float | None = 0.0) -> None:
        self.clock = clock
        self.review_delay = review_delay
        self._by_id: dict[str, Template] = {}
        self._ids = itertools.count(1_000_000_000_001)

    def submit(self, body: Json) -> Template:
        """A new template, or the GraphError (100) for a body that cannot be one."""
        name = body.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise GraphError(100, "Param name must be lowercase letters, digits and underscores.")
        language = body.get("language")
        if not isinstance(language, str) or not language:
            raise GraphError(100, "The parameter language is required.")
        category = str(body.get("category", "")).upper()
        if category not in CATEGORIES:
            raise GraphError(
                100, "Param category must be one of {UTILITY, MARKETING, AUTHENTICATION}."
            )
        components = body.get("components")
        if not isinstance(components, list) or not any(
            isinstance(c, dict) and str(c.get("type", "")).upper() == "BODY" and c.get("text")
            for c in components
        ):
            raise GraphError(100, "The parameter components must hold a BODY with text.")
        if self.find(name, language) is not None:
            raise GraphError(100, "Content in this language already exists.")
        template = Template(
            id=str(next(self._ids)),
            name=name,
            language=language,
            category=category,
            components=components,
            submitted_at=self.clock(),
        )
        self._by_id[template.id] = template
        self._review(template)
        return template

    def _review(self, template: Template) -> None:
        delay = self.review_delay
        due = delay is not None and self.clock() >= template.submitted_at + delay
        if template.status == "PENDING" and due:
            template.status, template.rejected_reason = _verdict(template)

    def all(self) -> list[Template]:
        for template in self._by_id.values():
            self._review(template)
        return list(self._by_id.values())

    def find(self, name: str, language: str) -> Template | None:
        for template in self.all():
            if template.name == name and template.language == language:
                return template
        return None

    def decide(self, template_id: str, approve: bool, reason: str = "INVALID_FORMAT") -> Template:
        """The reviewer's verdict, from the control surface."""
        template = self._by_id[template_id]
        template.status = "APPROVED" if approve else "REJECTED"
        template.rejected_reason = "NONE" if approve else reason
        return template
