"""`rekam`'s argument parser in the office's language.

argparse writes its own words (`usage:`, `positional arguments`, `show this help message and
exit`, `error: the following arguments are required`) from Python's gettext domain, which has
no Indonesian. Here they come from our catalogs: the help option and the section titles are
added in translation, and an error argparse raises is matched against argparse's own English
templates and said again in the office's language (the arguments, values and choices it names
are kept as they are).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from functools import partial
from typing import Any, NoReturn

from bot.i18n import N_, Gettext

# argparse's error templates (its gettext msgids, unchanged since Python 3.9; 3.12 quotes the
# choices differently, which the patterns allow) -> what the office reads.
_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), message)
    for pattern, message in (
        (
            r"the following arguments are required: (?P<arguments>.*)",
            N_("argumen ini wajib diisi: {arguments}"),
        ),
        (
            r"argument (?P<argument>.+?): invalid choice: (?P<value>.*?) "
            r"\(choose from (?P<choices>.*)\)",
            N_("{argument}: {value} tidak dikenal; pilih salah satu: {choices}"),
        ),
        (
            r"argument (?P<argument>.+?): invalid (?P<type>\S+) value: (?P<value>.*)",
            N_("{argument}: nilai {value} tidak benar"),
        ),
        (
            r"argument (?P<argument>.+?): expected .*",
            N_("{argument}: nilainya tidak ada atau kurang"),
        ),
        (
            r"argument (?P<argument>.+?): not allowed with argument (?P<other>.*)",
            N_("{argument} tidak bisa dipakai bersama {other}"),
        ),
        (
            r"argument (?P<argument>.+?): ignored explicit argument (?P<value>.*)",
            N_("{argument} tidak menerima nilai {value}"),
        ),
        (
            r"one of the arguments (?P<arguments>.*) is required",
            N_("salah satu argumen ini wajib diisi: {arguments}"),
        ),
        (r"unrecognized arguments: (?P<arguments>.*)", N_("argumen tidak dikenal: {arguments}")),
        (
            r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)",
            N_("opsi {option} bisa berarti: {matches}"),
        ),
    )
)


def translate_error(message: str, _: Gettext) -> str:
    """argparse's English error said in the office's language (an unknown one as it is)."""
    for pattern, said in _ERRORS:
        match = pattern.fullmatch(message)
        if match is None:
            continue
        found = dict(match.groupdict())
        if "choices" in found:  # 'a', 'b' (3.11) or a, b (3.12.7+): the words alone
            found["choices"] = ", ".join(
                choice.strip().strip("'\"") for choice in found["choices"].split(",")
            )
        return _(said).format(**found)
    return message


class OfficeFormatter(argparse.HelpFormatter):
    """Help text whose `usage:` is the office's word for it."""

    def __init__(self, prog: str, *, gettext: Gettext, **kwargs: Any) -> None:
        super().__init__(prog, **kwargs)
        self._gettext = gettext

    def add_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
        if prefix is None:
            _ = self._gettext
            prefix = _("penggunaan:") + " "
        super().add_usage(usage, actions, groups, prefix)


class OfficeParser(argparse.ArgumentParser):
    """An ArgumentParser (and its sub-command parsers) that speaks the office's language."""

    def __init__(self, *args: Any, gettext: Gettext, **kwargs: Any) -> None:
        self.gettext = gettext
        kwargs.setdefault("formatter_class", partial(OfficeFormatter, gettext=gettext))
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        # argparse names its two sections once, in English, as it is built.
        self._positionals.title = gettext("argumen posisi")
        self._optionals.title = gettext("opsi")
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help=gettext("tampilkan bantuan ini lalu keluar"),
        )

    def add_subparsers(self, **kwargs: Any) -> Any:
        parser_class: Callable[..., OfficeParser] = partial(OfficeParser, gettext=self.gettext)
        kwargs.setdefault("parser_class", parser_class)
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> NoReturn:
        """The usage line, then the error in the office's language; exit 2 as argparse does."""
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {translate_error(message, self.gettext)}\n")
