"""The generated badge design of a credential: one layout, drawn as SVG here (pure).

Each micro-credential gets its own design from its code: a hexagon in one of a set of
dark colours (white text on each passes WCAG AA), a ring of notches whose count comes from
the code, the code large, the title wrapped to at most three lines, and the issuer. An
occupation certification is a shield with a star. The layout is plain data, so the PNG
renderer (`badge_png`) draws exactly the same shapes and lines; text is wrapped here with
the widths of the shipped font (DejaVu Sans Condensed Bold), estimated per character class.

The SVG carries `<title>` and `<desc>` and `role="img"`, so a screen reader announces what
the badge is; it uses presentation attributes only (no `<style>`, no script, no external
reference), so it renders under any content security policy and inside an `<img>`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from math import cos
from math import pi
from math import sin
from xml.sax.saxutils import escape
from xml.sax.saxutils import quoteattr

SIZE = 512
FONT_FAMILY = "'DejaVu Sans Condensed', 'DejaVu Sans', 'Arial Narrow', Arial, sans-serif"
FONT_FILE = "DejaVuSansCondensed-Bold.ttf"

# Background colours; each gives a contrast ratio of at least 7:1 with white text.
PALETTE = (
    "#1d4e89",  # blue
    "#0b5d4b",  # green
    "#6a1b4d",  # plum
    "#7a2e0e",  # rust
    "#2e3a59",  # slate
    "#4a2c82",  # violet
    "#00587a",  # teal
    "#5b3a1a",  # brown
)
INK = "#ffffff"
ACCENT = "#ffd166"  # the ring and the star: decoration, never the only carrier of meaning
CERTIFICATION_COLOUR = "#14213d"

# Advance widths of DejaVu Sans Condensed Bold in em, by character class (measured on the
# shipped font, rounded up so that estimated lines never overflow).
_WIDE = set("MWmw@%")
_NARROW = set("ijlI.,:;'!|ftr()[] ")


def char_width(char: str) -> float:
    if char in _NARROW:
        return 0.34
    if char in _WIDE:
        return 0.86
    if char.isupper() or char.isdigit():
        return 0.66
    return 0.58


def text_width(text: str, size: float) -> float:
    return sum(char_width(c) for c in text) * size


def wrap(text: str, size: float, width: float, max_lines: int) -> list[str]:
    """Words into lines no wider than `width`; the last line ends in an ellipsis if cut."""
    words = text.split()
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if text_width(candidate, size) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        kept = lines[:max_lines]
        last = kept[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1].rstrip()
        kept[-1] = last + "…"
        lines = kept
    # A single word wider than the line is cut too.
    fitted = []
    for line in lines:
        while text_width(line, size) > width and len(line) > 1:
            line = line[:-2] + "…"
        fitted.append(line)
    return fitted


@dataclass(frozen=True)
class BadgeFacts:
    """What the badge shows; `label` ("MICRO-CREDENTIAL", "MICROTITRE"...) comes translated."""

    code: str
    title: str
    issuer: str
    label: str
    is_certification: bool = False
    alt: str = ""  # the accessible name; a sentence naming code, title, issuer
    description: str = ""  # the accessible description of the picture


@dataclass(frozen=True)
class Polygon:
    points: tuple[tuple[float, float], ...]
    fill: str
    stroke: str = "none"
    stroke_width: float = 0


@dataclass(frozen=True)
class Circle:
    cx: float
    cy: float
    r: float
    fill: str


@dataclass(frozen=True)
class Line:
    """One line of text, centred on `x`; `y` is the baseline."""

    text: str
    x: float
    y: float
    size: float
    fill: str = INK
    letter_spacing: float = 0


@dataclass(frozen=True)
class Layout:
    size: int
    shapes: tuple[Polygon | Circle, ...]
    lines: tuple[Line, ...]
    title: str
    description: str


def colour_for(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def notches_for(code: str) -> int:
    """6 to 17 notches on the ring: the code's own pattern."""
    return 6 + hashlib.sha256(code.encode("utf-8")).digest()[1] % 12


def _regular(cx: float, cy: float, r: float, sides: int, rotation: float = -pi / 2):
    return tuple(
        (
            round(cx + r * cos(rotation + 2 * pi * i / sides), 2),
            round(cy + r * sin(rotation + 2 * pi * i / sides), 2),
        )
        for i in range(sides)
    )


def _star(cx: float, cy: float, outer: float, inner: float):
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -pi / 2 + pi * i / 5
        points.append((round(cx + radius * cos(angle), 2), round(cy + radius * sin(angle), 2)))
    return tuple(points)


def _shield(colour: str) -> tuple[Polygon, ...]:
    outline = (
        (256, 20),
        (470, 86),
        (462, 270),
        (420, 372),
        (344, 446),
        (256, 494),
        (168, 446),
        (92, 372),
        (50, 270),
        (42, 86),
    )
    inner = tuple(
        (round(256 + (x - 256) * 0.92, 2), round(262 + (y - 262) * 0.92, 2)) for x, y in outline
    )
    return (
        Polygon(outline, ACCENT),
        Polygon(inner, colour),
        Polygon(_star(256, 96, 34, 14), ACCENT),
    )


def _hexagon(colour: str, notches: int) -> tuple[Polygon | Circle, ...]:
    shapes: list[Polygon | Circle] = [
        Polygon(_regular(256, 256, 248, 6), ACCENT),
        Polygon(_regular(256, 256, 232, 6), colour),
    ]
    # The notches: small diamonds on a circle under the hexagon's top edge.
    for i in range(notches):
        angle = -pi / 2 + 2 * pi * i / notches
        x, y = 256 + 196 * cos(angle), 256 + 196 * sin(angle)
        if 150 < y < 372:
            continue  # keep the text area clear
        shapes.append(Polygon(_regular(x, y, 7, 4, rotation=angle), ACCENT))
    return tuple(shapes)


def layout(facts: BadgeFacts) -> Layout:
    """The badge's shapes and lines of text, on a 512 × 512 canvas."""
    if facts.is_certification:
        colour = CERTIFICATION_COLOUR
        shapes: tuple[Polygon | Circle, ...] = _shield(colour)
        top = 164
    else:
        colour = colour_for(facts.code)
        shapes = _hexagon(colour, notches_for(facts.code))
        top = 150
    lines: list[Line] = []
    label_size = 20
    lines.append(Line(facts.label.upper(), 256, top, label_size, ACCENT, letter_spacing=1.5))
    code_size = 54.0
    while text_width(facts.code, code_size) > 320 and code_size > 28:
        code_size -= 2
    lines.append(Line(facts.code, 256, top + 62, code_size))
    title_size = 28.0
    title_lines = wrap(facts.title, title_size, 330, 3)
    y = top + 62 + 44
    for text in title_lines:
        lines.append(Line(text, 256, y, title_size))
        y += title_size * 1.18
    issuer_size = 18.0
    issuer_lines = wrap(facts.issuer, issuer_size, 250 if facts.is_certification else 270, 2)
    y = max(y + 14, 384 if not facts.is_certification else 372)
    for text in issuer_lines:
        lines.append(Line(text, 256, y, issuer_size, ACCENT))
        y += issuer_size * 1.25
    title = facts.alt or f"{facts.code} {facts.title} — {facts.issuer}"
    return Layout(SIZE, shapes, tuple(lines), title, facts.description)


def _points(points) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def svg(badge: Layout, *, id_prefix: str = "badge", standalone: bool = True) -> str:
    """The layout as an SVG document (`standalone`) or as an element to inline in HTML.

    `id_prefix` keeps the ids of several badges on one page apart.
    """
    title_id, desc_id = f"{id_prefix}-title", f"{id_prefix}-desc"
    labelled = title_id + (f" {desc_id}" if badge.description else "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {badge.size} {badge.size}"'
        f' width="{badge.size}" height="{badge.size}" role="img"'
        f' aria-labelledby="{labelled}">',
        f'<title id="{title_id}">{escape(badge.title)}</title>',
    ]
    if badge.description:
        parts.append(f'<desc id="{desc_id}">{escape(badge.description)}</desc>')
    parts.append('<g aria-hidden="true">')
    for shape in badge.shapes:
        if isinstance(shape, Circle):
            parts.append(
                f'<circle cx="{shape.cx:g}" cy="{shape.cy:g}" r="{shape.r:g}" fill="{shape.fill}"/>'
            )
        else:
            stroke = (
                f' stroke="{shape.stroke}" stroke-width="{shape.stroke_width:g}"'
                if shape.stroke != "none"
                else ""
            )
            parts.append(f'<polygon points="{_points(shape.points)}" fill="{shape.fill}"{stroke}/>')
    for line in badge.lines:
        spacing = f' letter-spacing="{line.letter_spacing:g}"' if line.letter_spacing else ""
        parts.append(
            f'<text x="{line.x:g}" y="{line.y:g}" text-anchor="middle"'
            f' font-family={quoteattr(FONT_FAMILY)} font-weight="bold"'
            f' font-size="{line.size:g}" fill="{line.fill}"{spacing}>{escape(line.text)}</text>'
        )
    parts.append("</g></svg>")
    document = "".join(parts)
    if standalone:
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + document + "\n"
    return document
