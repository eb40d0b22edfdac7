"""How much input one file may hold: the one table of input limits.

Files come from pull requests, so a hostile one must fail fast with a located error,
not run for minutes or exhaust memory. The limits are checked before any YAML is built
(`source/guard.py`), in front of whichever loader reads the file: ruamel for specs,
libyaml for `manifestgen verify`. Specs are small, hand-written documents (the example
Platform has about 100 values and 6 levels); `verify` reads whatever Kubernetes accepts,
so its limits are wider. The README's "Security model" section prints this table
(`markdown_table`), and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

KIB: Final = 1024
MIB: Final = 1024 * KIB


@dataclass(frozen=True)
class Limits:
    """The most one input file may hold; None means "no limit of this kind"."""

    file_bytes: int
    line_chars: int | None
    # Every scalar, mapping and sequence, an alias counted as the values it stands for:
    # what the loaded data holds once aliases are expanded.
    values: int | None
    # Values that aliases stand for (a billion-laughs file is small but expands hugely).
    alias_values: int
    depth: int
    integer_digits: int


# ruamel's round-trip loader reads about 10,000 values a second on a shared core, so
# 10,000 values keep the worst spec under about a second. A job's hyperparameters may
# fill a ConfigMap (1 MiB; MG246 says when they do not fit), so a spec may hold that
# and the rest of the job, and a line may be as long as the longest value a ConfigMap
# can hold. No more: ruamel reads long comment lines in more than linear time (1 MB of
# them took 1.6 s, 2 MB 6.7 s).
SPEC_LIMITS: Final = Limits(
    file_bytes=1280 * KIB,
    line_chars=1 * MIB,
    values=10_000,
    alias_values=10_000,
    depth=32,
    integer_digits=100,
)

# etcd stores objects of at most 1.5 MiB, so no object Kubernetes can hold has more
# than about a million values: aliases may stand for that many, no more. The deepest
# upstream CRD in use nests 47 levels. Plain values are bounded by the file size
# (kubectl's List output has no aliases and can be large).
VERIFY_LIMITS: Final = Limits(
    file_bytes=64 * MIB,
    line_chars=None,
    values=None,
    alias_values=1_000_000,
    depth=100,
    integer_digits=100,
)


@dataclass(frozen=True)
class LimitInfo:
    """What a limit means and the diagnostic code that reports it (for the README)."""

    what: str
    code: str


LIMIT_INFO: Final[dict[str, LimitInfo]] = {
    "file_bytes": LimitInfo("file size", "MG106"),
    "line_chars": LimitInfo("line length (characters)", "MG107"),
    "values": LimitInfo("values in a file, aliases expanded", "MG108"),
    "alias_values": LimitInfo("values that aliases stand for, per file", "MG108"),
    "depth": LimitInfo("nesting depth of mappings and sequences", "MG109"),
    "integer_digits": LimitInfo("digits of an integer", "MG111"),
}


def describe(value: int | None, name: str) -> str:
    """A limit as the README shows it: `1 MiB`, `1,048,576`, `no limit`."""
    if value is None:
        return "no limit"
    if name == "file_bytes":
        return f"{value // MIB} MiB" if value % MIB == 0 else f"{value // KIB:,} KiB"
    return f"{value:,}"


def markdown_table() -> str:
    """The limits as the Markdown table the README holds."""
    rows = [
        "| limit | specs | `verify` | code |",
        "|---|---|---|---|",
    ]
    for field in fields(Limits):
        info = LIMIT_INFO[field.name]
        spec = describe(getattr(SPEC_LIMITS, field.name), field.name)
        verify = describe(getattr(VERIFY_LIMITS, field.name), field.name)
        rows.append(f"| {info.what} | {spec} | {verify} | {info.code} |")
    return "\n".join(rows) + "\n"
