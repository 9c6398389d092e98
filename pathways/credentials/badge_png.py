"""The badge layout (`badge_image`) drawn as a PNG with Pillow and the shipped font.

Shapes are drawn at three times the size and scaled down, which smooths their edges (Pillow
does not anti-alias polygons); text is drawn with DejaVu Sans Condensed Bold from
`pathways/static/fonts`, so every machine draws the same picture and no font is fetched.
A line the font measures wider than the badge allows is drawn smaller, never clipped.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont

from pathways.credentials.badge_image import FONT_FILE
from pathways.credentials.badge_image import Circle
from pathways.credentials.badge_image import Layout

FONT_PATH = Path(__file__).resolve().parent.parent / "static" / "fonts" / FONT_FILE
SCALE = 3
MAX_TEXT_WIDTH = 340


@cache
def _font(size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size_px)


def _colour(value: str) -> tuple[int, int, int, int]:
    value = value.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), 255)


def render_png(badge: Layout, *, size: int | None = None) -> bytes:
    """The badge as PNG bytes (RGBA, transparent outside the shape), `size` pixels square."""
    size = size or badge.size
    big = badge.size * SCALE
    image = Image.new("RGBA", (big, big), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for shape in badge.shapes:
        if isinstance(shape, Circle):
            box = [
                (shape.cx - shape.r) * SCALE,
                (shape.cy - shape.r) * SCALE,
                (shape.cx + shape.r) * SCALE,
                (shape.cy + shape.r) * SCALE,
            ]
            draw.ellipse(box, fill=_colour(shape.fill))
        else:
            points = [(x * SCALE, y * SCALE) for x, y in shape.points]
            draw.polygon(points, fill=_colour(shape.fill))
    for line in badge.lines:
        size_px = round(line.size * SCALE)
        font = _font(size_px)
        spacing = line.letter_spacing * SCALE
        width = font.getlength(line.text) + spacing * max(len(line.text) - 1, 0)
        while width > MAX_TEXT_WIDTH * SCALE and size_px > 8 * SCALE:
            size_px -= SCALE
            font = _font(size_px)
            width = font.getlength(line.text) + spacing * max(len(line.text) - 1, 0)
        x = line.x * SCALE - width / 2
        y = line.y * SCALE
        fill = _colour(line.fill)
        if spacing:
            for char in line.text:
                draw.text((x, y), char, font=font, fill=fill, anchor="ls")
                x += font.getlength(char) + spacing
        else:
            draw.text((x, y), line.text, font=font, fill=fill, anchor="ls")
    image = image.resize((size, size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
