"""What a credential looks like: well-known token shapes, and secret-named settings.

A small detector written for this project rather than a general scanner: it judges
single values (an env var, an argument, a hyperparameter), not files, so it needs no
line heuristics, and it is a handful of compiled regular expressions that import in
well under a millisecond, which matters to a pre-commit hook that runs on every commit.

Two kinds of evidence:

- a *shape* that only credentials have (a private key block, `ghp_...`, `AKIA...`),
  found anywhere inside any string;
- a *name* that says the value is one (`DB_PASS`, `apiKey`, `--hf-token`), judged on
  the name's last word so that `TOKENIZERS_PARALLELISM`, `max_tokens` or
  `password_min_length` are not credentials, with the value not a reference
  (`$(VAR)`, `${VAR}`, a file path) and not empty.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# The marker that declares a flagged value not to be a credential, put in a comment on
# the value's line; the same convention as other scanners' inline allow markers.
ALLOW_MARKER = "manifestgen: allow-credential"

# Shapes by kind; each is specific enough to search for inside longer text.
_SHAPES: tuple[tuple[str, str], ...] = (
    ("private key", r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"),
    (
        "AWS access key ID",
        r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}(?![A-Z0-9])",
    ),
    (
        "GitHub token",
        r"(?<![A-Za-z0-9])(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})",
    ),
    ("GitLab token", r"(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}"),
    ("Slack token", r"(?<![A-Za-z0-9])xox[abposre]-[A-Za-z0-9-]{10,}"),
    ("Slack webhook", r"hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]+"),
    ("Hugging Face token", r"(?<![A-Za-z0-9])hf_[A-Za-z0-9]{20,}"),
    ("OpenAI or Anthropic key", r"(?<![A-Za-z0-9_-])sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}"),
    ("Stripe key", r"(?<![A-Za-z0-9])[rs]k_live_[A-Za-z0-9]{20,}"),
    ("Google API key", r"(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}"),
    ("JSON web token", r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    ("password in a URL", r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@$]+:(?!\$)[^/\s@]+@"),
    # 40 hex digits: W&B, Datadog and many other API keys. Git commits have the same
    # shape, so fields that hold commits or image tags are exempt (`HEX_EXEMPT_FIELDS`).
    ("40-hex API key", r"(?<![0-9A-Fa-f])(?=[0-9]*[A-Fa-f])[0-9A-Fa-f]{40}(?![0-9A-Fa-f])"),
)
_SHAPE = re.compile("|".join(f"(?P<s{i}>{pattern})" for i, (_, pattern) in enumerate(_SHAPES)))
# No shape matches fewer characters (a Slack token: `xoxb-` and ten more).
_SHORTEST_SHAPE = 15
HEX_KIND = "40-hex API key"
# Object fields whose 40-hex value is a git commit (Argo CD) or an image tag, not a key.
HEX_EXEMPT_FIELDS = frozenset({"targetRevision", "image"})

# The last word (or last two words run together) of a name that holds a credential.
_SECRET_WORDS = frozenset(
    {
        "pass",
        "passwd",
        "password",
        "passphrase",
        "pwd",
        "secret",
        "token",
        "credential",
        "credentials",
        "apikey",
        "accesskey",
        "secretkey",
        "privatekey",
        "authtoken",
    }
)
_WORD_BREAK = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
# `NAME=value`, `--name=value` or `export NAME=value` inside a longer string.
_ASSIGNMENT = re.compile(r"(?:^|(?<=[\s;&|'\"(]))-{0,2}([A-Za-z_][A-Za-z0-9_.-]*)=([^\s'\";&|)]+)")
_REFERENCE = re.compile(r"^(?:\$\(|\$\{|\$[A-Za-z_]|/|\./|~/|file://|<)")


@dataclass(frozen=True)
class Finding:
    """A credential in a value: its kind, the text that shows it, and for a secret-named
    setting, the name."""

    kind: str
    text: str
    named: str | None = None


# Generated objects repeat the same short strings (names, labels, keys) many times.
@functools.lru_cache(maxsize=8192)
def is_secret_name(name: str) -> bool:
    """Whether a setting called `name` holds a credential (`DB_PASS`, `hfToken`, `api-key`)."""
    words = [w.lower() for w in _WORD_BREAK.split(name) if w]
    if not words:
        return False
    last = words[-1]
    pair = "".join(words[-2:])
    return (
        last in _SECRET_WORDS
        or pair in _SECRET_WORDS
        or last.endswith(("password", "passwd", "apikey"))
    )


def is_literal(value: str) -> bool:
    """A value written out, not a reference to one kept elsewhere (or nothing at all)."""
    stripped = value.strip()
    return bool(stripped) and _REFERENCE.match(stripped) is None


@functools.lru_cache(maxsize=8192)
def shapes(text: str) -> tuple[Finding, ...]:
    """Every credential shape found inside `text`."""
    if len(text) < _SHORTEST_SHAPE:
        return ()
    return tuple(
        Finding(_SHAPES[int((match.lastgroup or "s0")[1:])][0], match.group())
        for match in _SHAPE.finditer(text)
    )


def named_value(name: str, value: str) -> Finding | None:
    """A finding when a secret-named setting holds a literal value."""
    if is_secret_name(name) and is_literal(value):
        return Finding("secret value", value.strip(), named=name)
    return None


def assignments(text: str) -> list[Finding]:
    """Secret-named `NAME=value` assignments inside a string (a shell line, a flag)."""
    found = []
    for match in _ASSIGNMENT.finditer(text):
        finding = named_value(match.group(1), match.group(2))
        if finding is not None:
            found.append(finding)
    return found


def flag_name(argument: str) -> str | None:
    """`--db-password` → `db-password`; None for anything that is not a bare flag."""
    if argument.startswith("-") and "=" not in argument:
        name = argument.lstrip("-")
        return name or None
    return None
