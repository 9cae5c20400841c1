"""Keeping the catalogs in messages/ in step with the code: extract, update, check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LANGUAGES
from bot.paths import messages_dir

_KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
_PROJECT = "rekam"


def _new_catalog(locale: str | None = None) -> Catalog:
    catalog = Catalog(
        locale=locale,
        project=_PROJECT,
        version="",
        fuzzy=False,
        copyright_holder="Rekam contributors",
        msgid_bugs_address="",
        last_translator="Rekam contributors",
        language_team="Rekam",
    )
    catalog.header_comment = "# Rekam message catalog. Edit msgstr only; msgids come from the code."
    return catalog


def extract(source: Path) -> Catalog:
    """Every translatable message in the package under `source`."""
    catalog = _new_catalog()
    found = extract_from_dir(
        str(source),
        method_map=[("**.py", "python"), ("web/templates/**.html", "jinja2.ext:babel_extract")],
        keywords=_KEYWORDS,
        comment_tags=("Translators:",),
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(str(Path(source.name) / filename), lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=False)


def _po_path(directory: Path, language: str) -> Path:
    return directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def update(source: Path, directory: Path | None = None) -> None:
    """Rewrite messages.pot from the code and merge it into each language's .po."""
    directory = directory or messages_dir()
    template = extract(source)
    _write(directory / f"{DOMAIN}.pot", template)
    for language in LANGUAGES:
        path = _po_path(directory, language)
        catalog = _read(path, language) if path.exists() else _new_catalog(language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = (
            False  # a fuzzy header would be dropped when compiled, and its charset with it
        )
        catalog.obsolete.clear()
        _write(path, catalog)


@dataclass(frozen=True)
class Problem:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def _ids(messages: Iterable[object]) -> set[object]:
    return {message.id for message in messages if message.id}  # type: ignore[attr-defined]


def check(source: Path, directory: Path | None = None) -> list[Problem]:
    """What is out of date or untranslated; empty when the catalogs are complete."""
    directory = directory or messages_dir()
    code_ids = _ids(extract(source))
    problems: list[Problem] = []
    template_path = directory / f"{DOMAIN}.pot"
    template_ids = _ids(_read(template_path)) if template_path.exists() else set()
    for message_id in sorted(map(str, code_ids - template_ids)):
        problems.append(
            Problem(template_path.name, f"missing {message_id!r} (run: rekam catalogs update)")
        )
    for message_id in sorted(map(str, template_ids - code_ids)):
        problems.append(
            Problem(template_path.name, f"stale {message_id!r} (run: rekam catalogs update)")
        )
    for language in LANGUAGES:
        path = _po_path(directory, language)
        if not path.exists():
            problems.append(Problem(str(path.relative_to(directory)), "missing catalog"))
            continue
        catalog = _read(path, language)
        where = f"{language}/{path.name}"
        present = _ids(catalog)
        for message_id in sorted(map(str, code_ids - present)):
            problems.append(Problem(where, f"missing {message_id!r}"))
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                problems.append(Problem(where, f"fuzzy {message.id!r}"))
            elif not all(strings):
                problems.append(Problem(where, f"untranslated {message.id!r}"))
    return problems
