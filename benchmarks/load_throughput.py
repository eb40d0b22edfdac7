"""How long the spec loader takes per spec: libyaml's events against ruamel's round trip.

    .venv/bin/python benchmarks/load_throughput.py [--specs 1000] [--repeat 7]

Writes the synthetic repository of the build benchmark (`spec_repo.py`: the Platform
and `--specs` job specs copied from specs/) and loads every file in this process, the
input limits included, `--repeat` times each way, alternating: with `load_source` as it
is (the libyaml path, ruamel for what it leaves) and with ruamel's round-trip loader for
every file (what every spec cost before). Prints, per spec, the median and min-max of
CPU milliseconds, and how many files took the libyaml path. Both must give the same
documents and diagnostics; the script stops if they do not.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.spec_repo import write_spec_repo  # noqa: E402
from manifestgen.source import fast_loader, loader  # noqa: E402
from manifestgen.source.guard import check_yaml  # noqa: E402
from manifestgen.source.limits import SPEC_LIMITS  # noqa: E402

Load = Callable[[str, str], Any]


def ruamel_only(path: str, text: str) -> Any:
    """The loader before the libyaml path: limits, then ruamel for every file."""
    problem = check_yaml(text, SPEC_LIMITS, exact=loader._events)
    if problem is not None:
        return (), (loader.input_diagnostic(path, problem),)
    return loader._load_rt(path, text)


def cpu_ms_per_spec(load: Load, texts: list[tuple[str, str]]) -> float:
    start = time.process_time()
    for path, text in texts:
        load(path, text)
    return (time.process_time() - start) * 1000 / len(texts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--specs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "repo"
        write_spec_repo(REPO, root, args.specs)
        files = sorted((root / "specs").rglob("*.yaml"))
        texts = [(p.relative_to(root).as_posix(), p.read_text()) for p in files]
    for path, text in texts:
        if loader.load_source(path, text) != ruamel_only(path, text):
            raise SystemExit(f"{path}: the two loaders disagree")
    fast = sum(fast_loader.fast_load(text) is not None for _, text in texts)
    ways: dict[str, Load] = {
        "ruamel round trip (before)": ruamel_only,
        "load_source (now)": loader.load_source,
    }
    times: dict[str, list[float]] = {label: [] for label in ways}
    for _ in range(args.repeat):
        for label, load in ways.items():
            times[label].append(cpu_ms_per_spec(load, texts))
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.system()}")
    print(f"{len(texts)} files ({fast} on the libyaml path), {args.repeat} runs each")
    print(f"{'loader':28} {'CPU ms/spec':>12} {'min-max':>13} {'CPU s, all':>11}")
    for label, found in times.items():
        median = statistics.median(found)
        print(
            f"{label:28} {median:12.3f} {min(found):6.3f}-{max(found):6.3f} "
            f"{median * len(texts) / 1000:11.2f}"
        )
    before, now = (statistics.median(t) for t in times.values())
    print(f"speed-up: {before / now:.1f}x")


if __name__ == "__main__":
    main()
