"""How fast `manifestgen verify` is, next to the `kubernetes-validate` CLI, on one machine.

    .venv/bin/python benchmarks/verify_throughput.py [--resources 10000] [--repeat 5]

Writes a seeded corpus of valid manifests (built-in kinds and custom resources of 14 kinds
of the upstream CRDs) to a temporary directory, then times cold processes, wall and CPU:
`manifestgen verify` on the whole corpus (CRD cache warm, then without cache), on its
built-in part and on its custom part, and `kubernetes-validate --strict` on the built-in part
(it knows no custom resources); then both tools on one small file. Then, on a synthetic
repository of `--build-specs` specs: build cold and warm, check, validate of one changed
spec, start-up, and what Argo CD renders of out/ (directory sources, kustomize beside
them). Prints one table and whether the targets are met. `--sweep` also times one against
two workers on growing corpora; `--build-only` leaves out the verify rows.

Runs are timed as a user runs the tool: with manifestgen's bytecode compiled and cached
(it is compiled once before the first row, whatever PYTHONDONTWRITEBYTECODE says).
`--no-bytecode` times instead a copy of the package that has no bytecode and may write
none, so every run compiles manifestgen's modules from source (the installed libraries
keep theirs), as a shell with PYTHONDONTWRITEBYTECODE=1 does on a fresh checkout.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.argocd_render import PARSE_DIRECTORY, kustomize_roots  # noqa: E402
from benchmarks.corpus import CUSTOM, Corpus, write_corpus  # noqa: E402
from benchmarks.spec_repo import write_spec_repo  # noqa: E402

# The targets (resources per CPU-second, CPU ratio against kubernetes-validate).
TARGET_BUILTIN_RATE = 10_000.0
TARGET_CUSTOM_RATE = 5_000.0
TARGET_RATIO = 150.0
# CPU seconds (medians) of the start-up rows.
TARGET_VERSION_CPU = 0.15
TARGET_PLATFORM_CPU = 0.3
TARGET_VALIDATE_ONE_CPU = 0.5

ROW_WHOLE = "verify corpus, CRD cache warm"
ROW_BUILTIN = "verify built-in part"
ROW_CUSTOM = "verify custom part (CEL included)"
ROW_KV = "kubernetes-validate --strict, built-in part"
ROW_SMALL = "verify 1 small file, no CRDs"
ROW_SMALL_CRDS = "verify 1 small file + CRDs, cache warm"
ROW_KV_SMALL = "kubernetes-validate --strict, 1 small file"
ROW_VALIDATE_ONE = "validate 1 changed spec"
ROW_VERSION = "start-up: --version"
ROW_PLATFORM = "validate of a Platform alone"
ROW_ARGOCD = "Argo CD directory sources: parse every file"

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
    """Cold runs of one command: wall and CPU seconds (user + system, children included)."""

    label: str
    resources: int
    seconds: tuple[float, ...]
    cpu: tuple[float, ...]
    peer: str = ""  # the label of the row this one is compared with

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    @property
    def rate(self) -> float:
        """Resources per CPU-second: what matters on a shared CI runner or a busy laptop."""
        return self.resources / self.cpu_median


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default_crds = os.environ.get("MANIFESTGEN_TEST_CRDS") or str(REPO.parent / "shared" / "crds")
    parser.add_argument("--resources", type=int, default=10_000, help="corpus size")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing")
    parser.add_argument("--single-runs", type=int, default=10, help="runs on the small file")
    parser.add_argument(
        "--kv-repeat", type=int, default=3, help="runs of kubernetes-validate (~1 min each)"
    )
    parser.add_argument("--crds", type=Path, default=Path(default_crds), help="CRD directory")
    parser.add_argument("--kubernetes-version", default="1.33")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--build-specs", type=int, default=1000, help="specs of the synthetic repo (0: no build)"
    )
    parser.add_argument("--build-repeat", type=int, default=3, help="runs of each build row")
    parser.add_argument("--sweep", action="store_true", help="also time 1 vs 2 workers by size")
    parser.add_argument(
        "--build-only", action="store_true", help="only the rows of the synthetic repository"
    )
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="only validate of 1 changed spec, --version and a Platform alone (after one "
        "untimed build of the synthetic repository, which warms its caches)",
    )
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="time a copy of manifestgen without bytecode, compiled from source on every run",
    )
    return parser.parse_args(argv)


class Bench:
    """Runs commands as cold processes, with a private cache, and times them."""

    def __init__(self, work: Path, args: argparse.Namespace) -> None:
        self.work = work
        self.args = args
        self.cache = work / "cache"
        self.env = {**os.environ, "PYTHONPATH": str(REPO), "MANIFESTGEN_CACHE_DIR": str(self.cache)}
        self.env.pop("MANIFESTGEN_CRDS", None)
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        if args.no_bytecode:
            source = work / "source"
            shutil.copytree(
                REPO / "manifestgen",
                source / "manifestgen",
                ignore=shutil.ignore_patterns("__pycache__"),
            )
            self.env["PYTHONPATH"] = str(source)
            self.env["PYTHONDONTWRITEBYTECODE"] = "1"
        else:
            # What a user's first run leaves behind, done before any timing.
            compile_all = [sys.executable, "-m", "compileall", "-q", str(REPO / "manifestgen")]
            subprocess.run(compile_all, env=self.env, check=True, capture_output=True)

    def verify(self, *args: str | Path) -> list[str]:
        version = ("--kubernetes-version", self.args.kubernetes_version)
        return [sys.executable, "-m", "manifestgen", "verify", *version, *map(str, args)]

    def run(
        self, command: list[str], *, cwd: Path = REPO, before: Callable[[], None] | None = None
    ) -> tuple[float, float]:
        """Wall and CPU seconds of one run; `before` prepares it (outside the timing)."""
        if before is not None:
            before()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=self.env, capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode(errors="replace")[-2000:]
            raise SystemExit(f"failed ({done.returncode}): {' '.join(command)}\n{output}")
        cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
        return elapsed, cpu

    def fresh_cache(self) -> None:
        shutil.rmtree(self.cache, ignore_errors=True)

    def time(
        self,
        label: str,
        resources: int,
        command: list[str],
        runs: int,
        *,
        cwd: Path = REPO,
        before: Callable[[], None] | None = None,
        peer: str = "",
    ) -> Timing:
        results = [self.run(command, cwd=cwd, before=before) for _ in range(runs)]
        timing = Timing(
            label, resources, tuple(r[0] for r in results), tuple(r[1] for r in results), peer
        )
        print(
            f"  {label}: median {timing.median:.3f} s wall, {timing.cpu_median:.3f} s CPU",
            file=sys.stderr,
            flush=True,
        )
        return timing


def _kubernetes_validate() -> str:
    found = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    found = found or shutil.which("kubernetes-validate")
    if found is None:
        raise SystemExit("kubernetes-validate not found: pip install kubernetes-validate")
    return found


def measure_verify(bench: Bench, corpus: Corpus) -> list[Timing]:
    args, crds = bench.args, bench.args.crds
    repeat, single = args.repeat, args.single_runs
    whole = bench.verify(corpus.root, "--crds", crds)
    bench.run(whole, before=bench.fresh_cache)  # fills the cache, and fails if anything is invalid
    small = bench.work / "small.yaml"
    small.write_text(SMALL_FILE)
    kv = [_kubernetes_validate(), "--strict", "--quiet", "-k", f"{args.kubernetes_version}.0"]
    builtin_files = [str(p) for p, _ in corpus.builtin_files]
    custom = corpus.resources - corpus.builtin_resources
    return [
        bench.time(ROW_WHOLE, corpus.resources, whole, repeat),
        bench.time("verify corpus, --no-cache", corpus.resources, [*whole, "--no-cache"], repeat),
        bench.time(ROW_BUILTIN, corpus.builtin_resources, bench.verify(corpus.root / "builtin"),
                   repeat, peer=ROW_KV),
        bench.time(ROW_CUSTOM, custom, bench.verify(corpus.root / "custom", "--crds", crds),
                   repeat),
        bench.time(ROW_KV, corpus.builtin_resources, [*kv, *builtin_files], args.kv_repeat),
        bench.time(ROW_SMALL, 2, bench.verify(small), single, peer=ROW_KV_SMALL),
        bench.time(ROW_SMALL_CRDS, 2, bench.verify(small, "--crds", crds), single,
                   peer=ROW_KV_SMALL),
        bench.time("verify 1 small file + CRDs, cache cold", 2,
                   bench.verify(small, "--crds", crds), single, before=bench.fresh_cache,
                   peer=ROW_KV_SMALL),
        bench.time(ROW_KV_SMALL, 2, [*kv, str(small)], single),
    ]  # fmt: skip


def measure_build(bench: Bench) -> list[Timing]:
    """The rows of a synthetic repository: build cold and warm, validate one spec, start-up,
    and what Argo CD's repo-server does with each Application's directory of out/."""
    specs, repeat = bench.args.build_specs, bench.args.build_repeat
    repo = bench.work / "repo"
    jobs = write_spec_repo(REPO, repo, specs)
    tool = [sys.executable, "-m", "manifestgen"]

    def cold() -> None:
        bench.fresh_cache()
        shutil.rmtree(repo / "out", ignore_errors=True)

    def startup() -> list[Timing]:
        return [
            bench.time(ROW_VALIDATE_ONE, 1, [*tool, "validate", str(jobs[0])], repeat,
                       cwd=repo, before=lambda: _touch(jobs[0])),
            # Outside the repository: `-m` puts the working directory first on sys.path,
            # and the package there has bytecode even when --no-bytecode times a copy.
            bench.time(ROW_VERSION, 0, [*tool, "--version"], bench.args.single_runs,
                       cwd=bench.work),
            bench.time(ROW_PLATFORM, 0, [*tool, "validate"], bench.args.single_runs,
                       cwd=_platform_only(bench.work / "platform-only")),
        ]  # fmt: skip

    if bench.args.startup_only:
        bench.run([*tool, "build"], cwd=repo)  # the repository's caches, as a user has them
        return startup()
    rows = [
        bench.time(f"build {specs} specs, cold", specs, [*tool, "build"], repeat, cwd=repo,
                   before=cold),
        bench.time(f"build {specs} specs, nothing changed", specs, [*tool, "build"], repeat,
                   cwd=repo),
        bench.time(f"check {specs} specs, nothing changed", specs, [*tool, "check"], repeat,
                   cwd=repo),
        *startup(),
    ]  # fmt: skip
    # Each Application's directory (it has a kustomization.yaml for local use): what Argo
    # CD's repo-server reads as a directory source, and what kustomize would cost instead.
    sources = kustomize_roots(repo / "out")
    parse = " && ".join(
        f"{shlex.join([sys.executable, '-c', PARSE_DIRECTORY, str(d)])} > /dev/null"
        for d in sources
    )
    rows.append(bench.time(ROW_ARGOCD, 0, ["sh", "-c", parse], repeat))
    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    kubectl = kubectl or shutil.which("kubectl")
    if kubectl is not None:
        script = " && ".join(f"{kubectl} kustomize {d} > /dev/null" for d in sources)
        rows.append(bench.time("kubectl kustomize of every Application dir", 0,
                               ["sh", "-c", script], repeat))  # fmt: skip
    return rows


def _touch(spec: Path) -> None:
    # A real edit (one more trailing newline), so that no cache can treat it as unchanged.
    spec.write_text(spec.read_text() + "\n")


def _platform_only(root: Path) -> Path:
    (root / "specs").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "specs" / "platform.yaml", root / "specs" / "platform.yaml")
    return root


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


def _spread(values: tuple[float, ...]) -> str:
    return f"{min(values):.3f}-{max(values):.3f}"


def report(corpus: Corpus | None, timings: list[Timing], args: argparse.Namespace) -> None:
    print(f"machine: {_machine()}; load average {os.getloadavg()[0]:.1f} at the end")
    if corpus is not None:
        size = sum(p.stat().st_size for p, _ in (*corpus.builtin_files, *corpus.custom_files))
        custom = corpus.resources - corpus.builtin_resources
        files = len(corpus.builtin_files) + len(corpus.custom_files)
        print(
            f"corpus: {corpus.resources} resources ({corpus.builtin_resources} built-in, "
            f"{custom} custom of {len(CUSTOM)} kinds) in {files} files, {size / 1e6:.1f} MB; "
            f"Kubernetes {args.kubernetes_version}; CRDs {args.crds}"
        )
    bytecode = "compiled from source every run" if args.no_bytecode else "cached"
    print(f"manifestgen's bytecode: {bytecode}")
    print(
        "each row: cold processes; wall and CPU seconds (user + system, worker processes "
        "included) as median and min-max; res/CPU-s is resources per CPU-second; 'vs peer' is "
        "the peer's CPU seconds over this row's, on the same files\n"
    )
    header = (
        f"{'run':<44} {'n':>6} {'runs':>4} {'wall s':>8} {'wall min-max':>13} {'CPU s':>8} "
        f"{'CPU min-max':>13} {'res/CPU-s':>9} {'vs peer':>8}"
    )
    print(header)
    print("-" * len(header))
    by_label = {t.label: t for t in timings}
    for t in timings:
        rate = f"{t.rate:>9.0f}" if t.resources >= 1000 else f"{'-':>9}"
        peer = by_label.get(t.peer)
        ratio = f"{peer.cpu_median / t.cpu_median:>7.1f}x" if peer else f"{'-':>8}"
        print(
            f"{t.label:<44} {t.resources:>6} {len(t.seconds):>4} {t.median:>8.3f} "
            f"{_spread(t.seconds):>13} {t.cpu_median:>8.3f} {_spread(t.cpu):>13} {rate} {ratio}"
        )
    _targets(by_label)


def _verify_targets(rows: dict[str, Timing]) -> list[tuple[str, str, bool]]:
    if ROW_BUILTIN not in rows:
        return []
    builtin, custom, kv = rows[ROW_BUILTIN], rows[ROW_CUSTOM], rows[ROW_KV]
    ratio = kv.cpu_median / builtin.cpu_median
    single, kv_single = rows[ROW_SMALL_CRDS], rows[ROW_KV_SMALL]
    return [
        (f"built-in kinds >= {TARGET_BUILTIN_RATE:.0f} res/CPU-s", f"{builtin.rate:.0f}",
         builtin.rate >= TARGET_BUILTIN_RATE),
        (f"custom resources >= {TARGET_CUSTOM_RATE:.0f} res/CPU-s", f"{custom.rate:.0f}",
         custom.rate >= TARGET_CUSTOM_RATE),
        (f">= {TARGET_RATIO:.0f}x kubernetes-validate CPU, same files", f"{ratio:.1f}x",
         ratio >= TARGET_RATIO),
        ("1 file + CRDs (cache warm) faster than k-v, CPU",
         f"{single.cpu_median:.3f} s vs {kv_single.cpu_median:.3f} s",
         single.cpu_median < kv_single.cpu_median),
    ]  # fmt: skip


def _startup_targets(rows: dict[str, Timing]) -> list[tuple[str, str, bool]]:
    limits = (
        (ROW_VERSION, TARGET_VERSION_CPU),
        (ROW_PLATFORM, TARGET_PLATFORM_CPU),
        (ROW_VALIDATE_ONE, TARGET_VALIDATE_ONE_CPU),
    )
    return [
        (f"{label} <= {limit:g} CPU s", f"{rows[label].cpu_median:.3f}",
         rows[label].cpu_median <= limit)
        for label, limit in limits
        if label in rows
    ]  # fmt: skip


def _targets(rows: dict[str, Timing]) -> None:
    checks = _verify_targets(rows) + _startup_targets(rows)
    print("\ntargets:")
    for name, value, met in checks:
        print(f"  {name:<50} {value:<24} {'met' if met else 'MISSED'}")


def sweep(bench: Bench, args: argparse.Namespace) -> None:
    print("\none vs two workers (median wall seconds of 5 cold runs, with CRDs, cache warm):")
    print(f"{'resources':>9} {'MB':>6} {'1 worker s':>11} {'2 workers s':>12}")
    for size in (25, 100, 250, 1000, 2000, 4000):
        corpus = write_corpus(bench.work / f"sweep-{size}", size, seed=args.seed)
        megabytes = sum(p.stat().st_size for p in corpus.root.rglob("*.yaml")) / 1e6
        medians = [
            statistics.median(
                bench.run(bench.verify(corpus.root, "--crds", args.crds, "--workers", w))[0]
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
        bench = Bench(work, args)
        corpus: Corpus | None = None
        timings: list[Timing] = []
        if not (args.build_only or args.startup_only):
            corpus = write_corpus(work / "corpus", args.resources, seed=args.seed)
            timings = measure_verify(bench, corpus)
        if args.build_specs:
            timings += measure_build(bench)
        report(corpus, timings, args)
        if args.sweep and corpus is not None:
            sweep(bench, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
