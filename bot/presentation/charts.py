"""Chart images for staff: one horizontal bar per area, recorded as a share of the target."""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

from bot.i18n import format_share

_BAR_HEIGHT = 22
_LABEL_WIDTH = 260
_BAR_WIDTH = 420
_MARGIN = 16


def progress_bars(bars: list[tuple[str, float]], *, title: str, language: str = "id") -> bytes:
    """A PNG: `title`, then for each (label, percent) a bar from 0 to 100 %."""
    font = ImageFont.load_default(size=14)
    height = _MARGIN * 3 + _BAR_HEIGHT * (len(bars) + 1)
    image = Image.new("RGB", (_LABEL_WIDTH + _BAR_WIDTH + _MARGIN * 3 + 60, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((_MARGIN, _MARGIN), title, fill="black", font=font)
    for index, (label, percent) in enumerate(bars):
        top = _MARGIN * 2 + _BAR_HEIGHT * (index + 1)
        shown = label if len(label) <= 32 else label[:31] + "…"
        draw.text((_MARGIN, top + 3), shown, fill="black", font=font)
        left = _MARGIN + _LABEL_WIDTH
        draw.rectangle((left, top + 2, left + _BAR_WIDTH, top + _BAR_HEIGHT - 4), fill="#e6e6e6")
        filled = left + int(_BAR_WIDTH * max(0.0, min(percent, 100.0)) / 100)
        colour = "#2e7d32" if percent >= 98 else "#f9a825" if percent >= 80 else "#c62828"
        draw.rectangle((left, top + 2, filled, top + _BAR_HEIGHT - 4), fill=colour)
        draw.text(
            (left + _BAR_WIDTH + 8, top + 3),
            format_share(percent, language),
            fill="black",
            font=font,
        )
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
