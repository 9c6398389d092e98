"""Server-rendered SVG of a pathway: micro-credentials as boxes, prerequisites as arrows.

`pathway_graph(...)` returns one ``<svg>`` element as a string (every text escaped), laid
out in columns by prerequisite depth with the occupation last. It is built to be read:
``role="img"`` with ``<title>`` and ``<desc>`` (referenced by ``aria-labelledby``), each
box's status written as a word, not only as a colour, and no script or inline style (the
CSP forbids them; the colours are presentation attributes, restyled by the ``.pw-graph``
rules in ``pathways.css``). Pages show an equivalent table beside it for screen readers.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

NODE_WIDTH = 230
NODE_HEIGHT = 58
COLUMN_GAP = 70
ROW_GAP = 22
MARGIN = 16
# Fill and stroke per status, when the stylesheet is not applied (e.g. a saved SVG).
COLOURS = {
    "earned": ("#dff3e4", "#1e6b34"),
    "in_progress": ("#fff4d6", "#8a5a00"),
    "planned": ("#e3edfb", "#1d4f91"),
    "missing": ("#ffffff", "#5c5c5c"),
    "goal": ("#f0e8fa", "#4b2a7a"),
}


@dataclass(frozen=True)
class GraphNode:
    """One micro-credential box: `status` is earned / in_progress / planned / missing."""

    code: str
    label: str
    status: str
    status_text: str
    prerequisites: tuple[str, ...] = ()
    counts_toward_goal: bool = True


def _shorten(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _depths(nodes: Sequence[GraphNode]) -> dict[str, int]:
    by_code = {node.code: node for node in nodes}
    depth: dict[str, int] = {}

    def visit(code: str, trail: frozenset[str]) -> int:
        if code in depth:
            return depth[code]
        prerequisites = [p for p in by_code[code].prerequisites if p in by_code and p not in trail]
        value = 1 + max((visit(p, trail | {code}) for p in prerequisites), default=-1)
        depth[code] = value
        return value

    for node in nodes:
        visit(node.code, frozenset())
    return depth


def pathway_graph(
    nodes: Sequence[GraphNode],
    *,
    goal_code: str,
    goal_label: str,
    goal_status: str,
    title: str,
    description: str,
    graph_id: str = "pathway-graph",
) -> str:
    """The pathway as an accessible SVG string (see the module docstring)."""
    depths = _depths(nodes)
    columns: dict[int, list[GraphNode]] = {}
    for node in nodes:
        columns.setdefault(depths[node.code], []).append(node)
    goal_column = (max(columns) + 1) if columns else 0
    rows = max((len(column) for column in columns.values()), default=1)
    height = MARGIN * 2 + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP
    width = MARGIN * 2 + (goal_column + 1) * NODE_WIDTH + goal_column * COLUMN_GAP
    position: dict[str, tuple[int, int]] = {}
    for column, members in columns.items():
        offset = (height - len(members) * NODE_HEIGHT - (len(members) - 1) * ROW_GAP) // 2
        for row, node in enumerate(members):
            position[node.code] = (
                MARGIN + column * (NODE_WIDTH + COLUMN_GAP),
                offset + row * (NODE_HEIGHT + ROW_GAP),
            )
    goal_x = MARGIN + goal_column * (NODE_WIDTH + COLUMN_GAP)
    goal_y = (height - NODE_HEIGHT) // 2
    title_id, desc_id = f"{graph_id}-title", f"{graph_id}-desc"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="pw-graph" role="img" '
        f'id="{escape(graph_id)}" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        "<defs>",
        f'<marker id="{graph_id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M 0 0 L 10 5 L 0 10 z" fill="#333333"/></marker>',
        "</defs>",
    ]
    for node in nodes:
        x, y = position[node.code]
        for prerequisite in node.prerequisites:
            if prerequisite not in position:
                continue
            px, py = position[prerequisite]
            out.append(
                f'<line class="pw-edge pw-edge-prerequisite" x1="{px + NODE_WIDTH}" '
                f'y1="{py + NODE_HEIGHT // 2}" x2="{x}" y2="{y + NODE_HEIGHT // 2}" '
                f'stroke="#333333" stroke-width="2" marker-end="url(#{graph_id}-arrow)"/>'
            )
        if node.counts_toward_goal:
            out.append(
                f'<line class="pw-edge pw-edge-goal" x1="{x + NODE_WIDTH}" '
                f'y1="{y + NODE_HEIGHT // 2}" x2="{goal_x}" y2="{goal_y + NODE_HEIGHT // 2}" '
                f'stroke="#8c8c8c" stroke-width="1" stroke-dasharray="4 3"/>'
            )
    for node in nodes:
        x, y = position[node.code]
        out.append(_box(x, y, node.code, node.label, node.status, node.status_text))
    out.append(_box(goal_x, goal_y, goal_code, goal_label, "goal", goal_status))
    out.append("</svg>")
    return "".join(out)


def _box(x: int, y: int, code: str, label: str, status: str, status_text: str) -> str:
    fill, stroke = COLOURS.get(status, COLOURS["missing"])
    dash = ' stroke-dasharray="5 3"' if status == "missing" else ""
    return (
        f'<g class="pw-node pw-node-{escape(status)}">'
        f"<title>{escape(f'{code}: {label} ({status_text})')}</title>"
        f'<rect x="{x}" y="{y}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"{dash}/>'
        f'<text x="{x + 10}" y="{y + 18}" class="pw-code" font-size="13" font-weight="bold" '
        f'fill="#1a1a1a">{escape(code)}</text>'
        f'<text x="{x + 10}" y="{y + 34}" class="pw-label" font-size="12" '
        f'fill="#1a1a1a">{escape(_shorten(label))}</text>'
        f'<text x="{x + 10}" y="{y + 50}" class="pw-status" font-size="12" '
        f'fill="#1a1a1a">{escape(status_text)}</text>'
        "</g>"
    )
