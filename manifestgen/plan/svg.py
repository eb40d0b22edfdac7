"""A small bar chart of GPU demand against quota, per cluster and GPU type, as SVG.

One row per cluster and GPU type, each with two bars (before, after) and a tick at the
quota of each side; bars over their quota are drawn in red. Written by hand (no plotting
library), with integer coordinates and a fixed order, so the same plan gives the same
bytes. Every label goes through XML escaping, after control characters are made visible.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from manifestgen.plan.model import GpuRow, Plan
from manifestgen.report.escape import printable

_WIDTH = 720
_LABEL = 64  # left column: "before", "after"
_BARS = 560  # the bar area; the value labels follow the bars
_BAR = 14
_HEADING = 20  # each row's "cluster / GPU type" line, above its bars
_ROW = _HEADING + 2 * _BAR + 16
_TOP = 52
_COLOURS = {"before": "#9aa5b1", "after": "#2f6fb3", "over": "#c62828", "quota": "#111111"}


def _text(x: int, y: int, content: str, **attributes: str) -> str:
    extra = "".join(f" {key.replace('_', '-')}={quoteattr(v)}" for key, v in attributes.items())
    return f'<text x="{x}" y="{y}"{extra}>{escape(printable(content))}</text>'


def _bar(x: int, y: int, width: int, colour: str, title: str) -> str:
    return (
        f'<rect x="{x}" y="{y}" width="{width}" height="{_BAR}" fill="{colour}">'
        f"<title>{escape(printable(title))}</title></rect>"
    )


def _scale(rows: list[tuple[str, GpuRow]]) -> int:
    values = [1]
    for _, row in rows:
        values += [row.demand_before, row.demand_after]
        values += [q for q in (row.quota_before, row.quota_after) if q is not None]
    return max(values)


def _side(y: int, side: str, demand: int, quota: int | None, scale: int, label: str) -> list[str]:
    width = _BARS * demand // scale
    over = quota is not None and demand > quota
    colour = _COLOURS["over" if over else side]
    limit = "unknown" if quota is None else str(quota)
    parts = [
        _text(_LABEL - 8, y + _BAR - 3, side, text_anchor="end", font_size="11"),
        _bar(_LABEL, y, width, colour, f"{label} {side}: {demand} GPUs, quota {limit}"),
        _text(_LABEL + width + 6, y + _BAR - 3, f"{demand} / {limit}", font_size="11"),
    ]
    if quota is not None:
        x = _LABEL + _BARS * quota // scale
        parts.append(
            f'<line x1="{x}" y1="{y - 2}" x2="{x}" y2="{y + _BAR + 2}" '
            f'stroke="{_COLOURS["quota"]}" stroke-width="2"/>'
        )
    return parts


def _row(index: int, cluster: str, row: GpuRow, scale: int) -> list[str]:
    y = _TOP + index * _ROW + _HEADING
    label = f"{cluster} / {row.gpu_type}"
    return [
        _text(8, y - 6, label, font_weight="bold", font_size="12"),
        *_side(y, "before", row.demand_before, row.quota_before, scale, label),
        *_side(y + _BAR + 4, "after", row.demand_after, row.quota_after, scale, label),
    ]


def _legend() -> list[str]:
    y = 36
    return [
        _bar(8, y - 11, 14, _COLOURS["before"], "before"),
        _text(28, y, "before", font_size="11"),
        _bar(88, y - 11, 14, _COLOURS["after"], "after"),
        _text(108, y, "after", font_size="11"),
        _bar(160, y - 11, 14, _COLOURS["over"], "over quota"),
        _text(180, y, "over quota", font_size="11"),
        f'<line x1="262" y1="{y - 12}" x2="262" y2="{y + 2}" stroke="#111111" stroke-width="2"/>',
        _text(270, y, "quota (label: demand / quota)", font_size="11"),
    ]


def render_svg(plan: Plan) -> str:
    """The chart; a plan with no GPU types gives a chart that says so."""
    rows = [(c.name, row) for c in plan.clusters for row in c.gpus]
    height = _TOP + max(len(rows), 1) * _ROW + 10
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif">',
        f'<rect width="{_WIDTH}" height="{height}" fill="#ffffff"/>',
        _text(
            8, 18, "GPU demand against quota, before and after", font_weight="bold", font_size="14"
        ),
        *_legend(),
    ]
    if not rows:
        parts.append(_text(8, _TOP + 14, "No GPU demand or quota on any cluster.", font_size="12"))
    scale = _scale(rows)
    for index, (cluster, row) in enumerate(rows):
        parts += _row(index, cluster, row, scale)
    return "\n".join([*parts, "</svg>"]) + "\n"
