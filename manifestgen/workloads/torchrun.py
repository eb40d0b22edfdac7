"""What a command line asks of torchrun: whether it starts it, and the options it gives.

torchrun's options end at the script (or `-m module`); what follows belongs to the
script, so `--nnodes` after `train.py` is the script's business, not torchrun's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

# What starts torchrun: its console script, or the module behind it.
LAUNCHERS = ("torchrun", "torch.distributed.run", "torch.distributed.launch")
# torchrun options that take no value.
_FLAGS = frozenset(
    {"--standalone", "--no-python", "--no_python", "--run-path", "--run_path", "--help", "-h"}
)
_MODULE = frozenset({"-m", "--module"})


@dataclass(frozen=True)
class TorchrunCall:
    # Option (spelled with dashes, e.g. --nproc-per-node) -> value ("" for flags).
    options: dict[str, str] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        return self.options.get(name)


def _launcher_end(words: Sequence[str]) -> int | None:
    """Index just after the word that starts torchrun, or None."""
    for index, word in enumerate(words):
        if word.rsplit("/", 1)[-1] in LAUNCHERS or word in LAUNCHERS:
            return index + 1
    return None


def starts_torchrun(words: Sequence[str]) -> bool:
    return any(name in word for word in words for name in LAUNCHERS)


def launcher_options(
    words: Sequence[str], start: int, flags: frozenset[str] = frozenset()
) -> dict[str, str]:
    """A launcher's options from words[start:], up to its script (the first word that is
    not an option, `-m`, or `--`): option spelled with dashes -> value ("" for `flags`).
    Shared by the launchers that read `--opt value` and `--opt=value` alike."""
    options: dict[str, str] = {}
    index = start
    while index < len(words):
        word = words[index]
        if not word.startswith("-") or word in _MODULE or word == "--":
            break
        name, equals, value = word.partition("=")
        name = name.replace("_", "-") if name.startswith("--") else name
        if not equals and word not in flags and index + 1 < len(words):
            index += 1
            value = words[index]
        options[name] = value
        index += 1
    return options


def torchrun_call(words: Sequence[str]) -> TorchrunCall | None:
    """torchrun's own options in `words` (command then args), or None without torchrun."""
    start = _launcher_end(words)
    if start is None:
        return None
    return TorchrunCall(launcher_options(words, start, _FLAGS))
