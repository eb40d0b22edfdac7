"""How a plan words things, shared by the Markdown and SVG formats, and Markdown escaping.

Names in a plan come from specs and from out/ paths, which come from pull requests: a
name that Markdown would read as markup (a table cell break `|`, a link, an HTML tag, a
mention) must render as the text it is.
"""

from __future__ import annotations

import re

from manifestgen.plan.model import GpuRow, JobChange
from manifestgen.report.escape import printable

# Names made of these characters read the same in a code span, and look like names.
_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~<>&@:.-])")


def escape(text: str) -> str:
    """`text` as Markdown that renders it literally (control characters made visible)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", printable(text))


def name(text: str) -> str:
    """A name: a code span when that is safe, else escaped text."""
    return f"`{text}`" if _PLAIN.fullmatch(text) else escape(text)


def arrow(before: object, after: object) -> str:
    return str(after) if before == after else f"{before} → {after}"


def quota_text(row: GpuRow) -> str:
    after = "none" if row.quota_after is None else str(row.quota_after)
    if row.quota_before is None:
        return after
    return arrow(str(row.quota_before), after)


def limits_text(row: GpuRow) -> str:
    before, after = dict(row.limits_before), dict(row.limits_after)
    parts = [
        f"{capacity} {arrow(before.get(capacity, '—'), after.get(capacity, '—'))}"
        for capacity in sorted(set(before) | set(after))
    ]
    return ", ".join(parts) if parts else "no pool"


CHANGE_TEXT = {
    "created": "created",
    "recreated": "recreated",
    "updated": "updated in place",
    "completed": "deleted (state: Completed)",
    "deleted": "deleted (spec removed)",
}


def starts_from(job: JobChange) -> str:
    """What the new run starts from, or what becomes of a deleted job's claim."""
    claim = name(job.claim) if job.claim else ""
    if job.change == "updated":
        return ""
    if job.checkpoints == "resumes":
        return f"resumes from the checkpoints in claim {claim}"
    if job.checkpoints == "new-claim":
        return f"new, empty claim {claim}: trains from the start"
    if job.checkpoints == "kept":
        return f"claim {claim} stays on the cluster"
    return "no checkpoints: trains from the start" if job.after else ""
