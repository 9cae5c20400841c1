"""Callback data as typed values: a payload is a template filled with a value's fields (an int is
1-9 digits, a Literal or an enum one of its values, an `Annotated[str, regex]` what the regex
allows) and nothing else is read back. Telegram keeps at most 64 bytes: `encode` refuses more.
The codecs themselves, one per feature, are in bot/presentation/buttons.py."""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Callable
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args, get_origin, get_type_hints

LIMIT = 64  # bytes of callback data Telegram keeps

T = TypeVar("T")
K = TypeVar("K")

Reader = Callable[[str], Any]


def _field(hint: Any) -> tuple[str, Reader]:
    """The regex a field's text must match, and how it is read back."""
    if hint is int:
        return r"\d{1,9}", int
    if get_origin(hint) is Literal:
        return "|".join(re.escape(str(v)) for v in get_args(hint)), str
    if isinstance(hint, type) and issubclass(hint, enum.StrEnum):
        return "|".join(re.escape(m.value) for m in hint), hint
    if get_origin(hint) is Annotated:
        return get_args(hint)[1], str
    raise TypeError(f"no callback-data form for {hint!r}")


def _compile(template: str, kind: type[Any]) -> tuple[re.Pattern[str], dict[str, Reader]]:
    hints = get_type_hints(kind, include_extras=True)
    regex, readers = "", {}
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        regex += re.escape(literal)
        if name:
            pattern, readers[name] = _field(hints[name])
            regex += f"(?P<{name}>{pattern})"
    return re.compile(regex), readers


class Codec(Generic[T]):
    """One feature's callback data: each shape is a template and the frozen value it holds."""

    def __init__(self, *shapes: tuple[str, type[T]]) -> None:
        self._shapes = [(template, kind, *_compile(template, kind)) for template, kind in shapes]

    def encode(self, value: T) -> str:
        for template, kind, _regex, readers in self._shapes:
            if type(value) is kind:
                data = template.format(**{name: _text(getattr(value, name)) for name in readers})
                if len(data.encode()) > LIMIT or self.decode(data) != value:
                    raise ValueError(f"{value!r} does not fit in callback data")
                return data
        raise TypeError(f"{type(value).__name__} is not a button of this feature")

    @property
    def kinds(self) -> tuple[type[T], ...]:
        """The values this feature's buttons hold."""
        return tuple(kind for _template, kind, _regex, _readers in self._shapes)

    def decode(self, data: object) -> T | None:
        """The value the data holds, or None for anything this feature never wrote."""
        if not isinstance(data, str) or len(data.encode()) > LIMIT:
            return None
        for _template, kind, regex, readers in self._shapes:
            match = regex.fullmatch(data)
            if match:
                return kind(**{name: read(match[name]) for name, read in readers.items()})
        return None

    def pattern(self, *accepted: type[T] | T) -> Callable[[object], bool]:
        """For a CallbackQueryHandler: the data decodes to one of these kinds (a class) or values."""
        kinds = tuple(a for a in accepted if isinstance(a, type))
        values = [a for a in accepted if not isinstance(a, type)]

        def matches(data: object) -> bool:
            value = self.decode(data)
            return value is not None and (isinstance(value, kinds) or value in values)

        return matches

    def read(self, data: object, kind: type[K]) -> K:
        """The value a handler's pattern already accepted."""
        value = self.decode(data)
        assert isinstance(value, kind), data
        return value


def _text(value: object) -> str:
    return value.value if isinstance(value, enum.Enum) else str(value)
