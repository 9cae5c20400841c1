"""Telegram's HTML parse mode: what the reader sees, or why Telegram would refuse the text."""

from __future__ import annotations

from html.parser import HTMLParser

_ALLOWED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
}


class EntityError(ValueError):
    """Text Telegram cannot parse; the message is Telegram's wording."""


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED:
            raise EntityError(f'Unsupported start tag "{tag}"')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise EntityError(f'Unexpected end tag "{tag}"')
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible_text(markup: str) -> str:
    """The text a reader sees for HTML `markup`; raises EntityError where Telegram would."""
    # A bare "<" or "&" that is not an entity is the classic bug: a name like "A<B" unescaped.
    for index, char in enumerate(markup):
        if char == "<" and not (
            markup[index + 1 : index + 2].isalpha() or markup[index + 1 : index + 2] == "/"
        ):
            raise EntityError(f"Unsupported start tag at byte offset {index}")
    parser = _Parser()
    parser.feed(markup)
    parser.close()
    if parser.open:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.open[-1]}"')
    return "".join(parser.text)
