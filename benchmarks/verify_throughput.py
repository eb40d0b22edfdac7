"""How fast `manifestgen verify` is, next to the `kubernetes-validate` CLI, on one machine.

    .venv/bin/python benchmarks/verify_throughput.py [--resources 10000] [--repeat 5]

Writes a seeded corpus of valid manifests (built-in kinds and custom resources of the
upstream CRDs) to a temporary directory, then times cold processes: `manifestgen verify`
on the whole corpus (CRD cache warm, then without cache), on its built-in part and on a
small subset, and `kubernetes-validate --strict` on that subset (it checks only built-in
kinds and is far too slow for the whole corpus); then `manifestgen verify` on one small
file. Prints a table and whether the targets of issue 3 are met. `--sweep` also times one
against two workers on growing corpora (where parallelism starts to pay).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.corpus import CUSTOM, Corpus, write_corpus  # noqa: E402

TARGET_RATIO = 100.0
TARGET_RATE = 5_000.0
TARGET_SINGLE = 0.5

SMALL_FILE = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ml}
data: {epochs: "10"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: trainer, namespace: ml}
automountServiceAccountToken: false
"""


@dataclass(frozen=True)
class Timing:
    label: str
    resources: int
    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def rate(self) -> float:
        return self.resources / self.median


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_crds = os.environ.get("MANIFESTGEN_TEST_CRDS") or str(REPO.parent / "shared" / "crds")
    parser.add_argument("--resources", type=int, default=10_000, help="corpus size")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing")
    parser.add_argument("--single-runs", type=int, default=10, help="runs on the small file")
    parser.add_argument(
        "--kv-resources",
        type=int,
        default=0,
        help="built-in resources given to kubernetes-validate (default 0: all of them, the same "
        "files as the 'verify built-in part' row)",
    )
    parser.add_argument(
        "--kv-repeat", type=int, default=3, help="runs of kubernetes-validate (~1 min each)"
    )
    parser.add_argument("--crds", type=Path, default=Path(default_crds), help="CRD directory")
    parser.add_argument("--kubernetes-version", default="1.33")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sweep", action="store_true", help="also time 1 vs 2 workers by size")
    return parser.parse_args(argv)


class Bench:
    """Runs commands as cold processes from the checkout, with a private CRD cache."""

    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work = work
        self.args = args
        self.cache = work / "cache"
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "MANIFESTGEN_CACHE_DIR": str(self.cache)}
        self.env.pop("MANIFESTGEN_CRDS", None)

    def verify(self, *args: str | Path) -> list[str]:
        version = ("--kubernetes-version", self.args.kubernetes_version)
        return [sys.executable, "-m", "manifestgen", "verify", *version, *map(str, args)]

    def run(self, command: list[str], *, fresh_cache: bool = False) -> float:
        if fresh_cache:
            shutil.rmtree(self.cache, ignore_errors=True)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
            raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{output}")
        return elapsed

    def time(
        self, label: str, resources: int, command: list[str], runs: int, fresh: bool = False
    ) -> Timing:
        seconds = tuple(self.run(command, fresh_cache=fresh) for _ in range(runs))
        timing = Timing(label, resources, seconds)
        print(f"  {label}: median {timing.median:.3f} s", file=sys.stderr, flush=True)
        return timing


def _subset(corpus: Corpus, resources: int) -> tuple[list[Path], int]:
    files: list[Path] = []
    count = 0
    for path, n in corpus.builtin_files:
        if 0 < resources <= count:
            break
        files.append(path)
        count += n
    return files, count


def _kubernetes_validate() -> str:
    found = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    found = found or shutil.which("kubernetes-validate")
    if found is None:
        raise SystemExit("kubernetes-validate not found: pip install kubernetes-validate")
    return found


def measure(bench: Bench, corpus: Corpus) -> tuple[list[Timing], Timing]:
    args, crds = bench.args, bench.args.crds
    repeat = args.repeat
    whole = bench.verify(corpus.root, "--crds", crds)
    bench.run(whole, fresh_cache=True)  # fills the cache, and fails if anything is invalid
    subset, subset_count = _subset(corpus, args.kv_resources)
    small = bench.work / "small.yaml"
    small.write_text(SMALL_FILE)
    kv = [_kubernetes_validate(), "--strict", "--quiet", "-k", f"{args.kubernetes_version}.0"]
    timings = [
        bench.time("verify corpus, CRD cache warm", corpus.resources, whole, repeat),
        bench.time("verify corpus, --no-cache", corpus.resources, [*whole, "--no-cache"], repeat),
        bench.time(
            "verify built-in part",
            corpus.builtin_resources,
            bench.verify(corpus.root / "builtin"),
            repeat,
        ),
    ]
    if subset_count < corpus.builtin_resources:
        timings.append(bench.time("verify k-v subset", subset_count, bench.verify(*subset), repeat))
    reference = bench.time(
        "kubernetes-validate --strict, same files",
        subset_count,
        [*kv, *map(str, subset)],
        args.kv_repeat,
    )
    single = args.single_runs
    timings += [
        reference,
        bench.time("verify 1 small file, no CRDs", 2, bench.verify(small), single),
        bench.time("verify 1 small file + CRDs, cache warm", 2,
                   bench.verify(small, "--crds", crds), single),
        bench.time("verify 1 small file + CRDs, cache cold", 2,
                   bench.verify(small, "--crds", crds), single, fresh=True),
    ]  # fmt: skip
    return timings, reference


def _machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores (nproc), {model or platform.processor()}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.machine()}"
    )


def report(
    corpus: Corpus, timings: list[Timing], reference: Timing, args: argparse.Namespace
) -> None:
    size = sum(p.stat().st_size for p, _ in (*corpus.builtin_files, *corpus.custom_files))
    custom = corpus.resources - corpus.builtin_resources
    print(f"machine: {_machine()}")
    print(
        f"corpus: {corpus.resources} resources ({corpus.builtin_resources} built-in, {custom} "
        f"custom of {len(CUSTOM)} kinds) in {len(corpus.builtin_files) + len(corpus.custom_files)}"
        f" files, {size / 1e6:.1f} MB; Kubernetes {args.kubernetes_version}; CRDs {args.crds}"
    )
    print(
        f"each row: {args.repeat} cold processes ({args.single_runs} for the small file, "
        f"{args.kv_repeat} for kubernetes-validate); kubernetes-validate checks only built-in "
        "kinds, so it runs on the built-in part\n"
    )
    header = (
        f"{'run':<42} {'resources':>9} {'median s':>9} {'min-max s':>13} {'res/s':>8} {'vs k-v':>8}"
    )
    print(header)
    print("-" * len(header))
    for t in timings:
        spread = f"{min(t.seconds):.3f}-{max(t.seconds):.3f}"
        # A throughput only means something over many resources, not for the small file.
        many = t.resources >= reference.resources
        rate = f"{t.rate:>8.0f}" if many else f"{'-':>8}"
        ratio = f"{t.rate / reference.rate:>7.1f}x" if many else f"{'-':>8}"
        print(f"{t.label:<42} {t.resources:>9} {t.median:>9.3f} {spread:>13} {rate} {ratio}")
    _targets(timings, reference)


def _targets(timings: list[Timing], reference: Timing) -> None:
    whole, _, builtin = timings[0], timings[1], timings[2]
    single = next(t for t in timings if t.label == "verify 1 small file, no CRDs")
    # The ratio is taken on the same files: kubernetes-validate cannot check the rest.
    same_files = builtin if builtin.resources == reference.resources else None
    ratio = (same_files.rate if same_files else whole.rate) / reference.rate
    checks = [
        (
            f">= {TARGET_RATIO:.0f}x kubernetes-validate on the same files",
            f"{ratio:.1f}x" + ("" if same_files else " (whole corpus vs a subset)"),
            ratio >= TARGET_RATIO,
        ),
        (
            f">= {TARGET_RATE:.0f} resources/s over the whole corpus",
            f"{whole.rate:.0f}/s",
            whole.rate >= TARGET_RATE,
        ),
        (
            f"cold single small file < {TARGET_SINGLE} s",
            f"{single.median:.3f} s",
            single.median < TARGET_SINGLE,
        ),
    ]
    print("\ntargets:")
    for name, value, met in checks:
        print(f"  {name:<45} {value:<40} {'met' if met else 'MISSED'}")


def sweep(bench: Bench, args: argparse.Namespace) -> None:
    print("\none vs two workers (median of 5 cold runs, with CRDs, cache warm):")
    print(f"{'resources':>9} {'MB':>6} {'1 worker s':>11} {'2 workers s':>12}")
    for size in (25, 100, 250, 1000, 2000, 4000):
        corpus = write_corpus(bench.work / f"sweep-{size}", size, seed=args.seed)
        megabytes = sum(p.stat().st_size for p in corpus.root.rglob("*.yaml")) / 1e6
        medians = [
            statistics.median(
                bench.run(bench.verify(corpus.root, "--crds", args.crds, "--workers", w))
                for _ in range(5)
            )
            for w in ("1", "2")
        ]
        print(f"{size:>9} {megabytes:>6.2f} {medians[0]:>11.3f} {medians[1]:>12.3f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    if not args.crds.is_dir():
        raise SystemExit(f"CRD directory not found: {args.crds} (use --crds)")
    with tempfile.TemporaryDirectory(prefix="manifestgen-bench-") as temporary:
        work = Path(temporary)
        corpus = write_corpus(work / "corpus", args.resources, seed=args.seed)
        bench = Bench(work, args)
        timings, reference = measure(bench, corpus)
        report(corpus, timings, reference, args)
        if args.sweep:
            sweep(bench, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
