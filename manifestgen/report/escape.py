"""The one place that makes untrusted text safe to print.

Diagnostics quote what the user wrote (keys, values, file names, documents piped into
`verify`), and those come from pull requests. A raw ESC or C1 character in a message
would let a spec drive the reader's terminal (hide lines, rewrite the screen, set the
window title, forge a hyperlink), a raw newline would forge a diagnostic line of its own,
and bidirectional overrides would make text read differently from what it is. Every
reporter passes the text it emits through `printable`, which writes such characters as
visible escapes (`\\x1b`, `\\u202e`) instead; lone surrogates, which cannot be encoded
at all, and the non-characters U+FFFE/U+FFFF are escaped the same way.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


# The same set less tab and newline, which XML keeps (ElementTree writes them as &#9; and
# &#10; in attributes, and its indentation uses them). The rest are either forbidden by
# XML 1.0 (C0 controls, U+FFFE, U+FFFF, surrogates), so a report holding them is not
# well-formed and CI tools reject it, or terminal controls for whoever reads the file.
_XML_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control, bidi-override and unencodable character escaped."""
    return _UNSAFE.sub(_escape, text)


def xml_safe(text: str) -> str:
    """Serialized XML with every character XML 1.0 forbids (and terminal controls) escaped."""
    return _XML_UNSAFE.sub(_escape, text)


def printable_lines(lines: list[str]) -> str:
    """Escaped lines, each ended by a newline: the body of a text report."""
    return "".join(f"{printable(line)}\n" for line in lines)
