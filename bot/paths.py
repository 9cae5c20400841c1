"""Where the catalogs and migrations are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def messages_dir() -> Path:
    """The Babel catalogs (messages.pot and <lang>/LC_MESSAGES/messages.po)."""
    return _data_dir("messages")


def migrations_dir() -> Path:
    """The Alembic scripts."""
    return _data_dir("migrations")


def fonts_dir() -> Path:
    """The fonts letters are printed in, shipped inside the package (bot/fonts/)."""
    return _PACKAGE / "fonts"
