"""What Argo CD's repo-server must do to render out/ for each layout choice, on one machine.

    .venv/bin/python benchmarks/argocd_render.py [--specs 1000] [--repeat 3] [--out DIR]

Builds a synthetic repository of `--specs` specs (or takes an existing out/ with `--out`), then
times, as cold processes (wall and CPU seconds, median and min-max), the manifest generation
the repo-server runs for every Application under each choice:

- kustomize: `kubectl kustomize` of every kustomization root under out/ (a directory with a
  kustomization.yaml and none above it): what an Application with a kustomize source runs.
- kustomize per namespace: the same, with one kustomization per out/<cluster>/<namespace>/
  (one Application per team namespace), written beside a copy of out/.
- directory: a plain directory source (`directory.recurse: true`) per top directory: the
  repo-server reads and parses every YAML file; modelled by libyaml's C loader, which does what
  Go's YAML unmarshalling must at least do (a lower bound, as Argo CD's own parser is not here).

Argo CD renders each Application in its own process with a timeout (ARGOCD_EXEC_TIMEOUT, 90 s
by default), so the table also gives the slowest single Application of each choice.
"""

from __future__ import annotations

import argparse
import resource
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

from benchmarks.spec_repo import write_spec_repo  # noqa: E402

KUSTOMIZATION = "kustomization.yaml"

# One directory source as the repo-server sees it: every YAML file under it, parsed.
PARSE_DIRECTORY = """
import sys, pathlib, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
count = 0
for path in sorted(pathlib.Path(sys.argv[1]).rglob("*.yaml")):
    count += sum(1 for _ in yaml.load_all(path.read_bytes(), Loader=loader))
print(count)
"""


@dataclass(frozen=True)
class Choice:
    """One layout: the commands the repo-server runs, one per Application."""

    name: str
    applications: list[tuple[str, list[str]]]  # (Application source, command)


@dataclass(frozen=True)
class Timing:
    choice: str
    applications: int
    wall: tuple[float, ...]  # every Application rendered once, per run
    cpu: tuple[float, ...]
    slowest: str  # the Application with the largest median CPU
    slowest_cpu: float


def _run(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def kustomize_roots(out: Path) -> list[Path]:
    """Directories with a kustomization.yaml and none in a directory above them."""
    found = sorted(p.parent for p in out.rglob(KUSTOMIZATION))
    return [d for d in found if not any(a in found for a in d.parents)]


def per_namespace_copy(out: Path, work: Path) -> list[Path]:
    """A copy of out/ with one kustomization per namespace directory of each cluster."""
    copy = work / "out-per-namespace"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(out, copy)
    roots: list[Path] = []
    for cluster in sorted(p for p in copy.iterdir() if p.is_dir()):
        for namespace in sorted(p for p in cluster.iterdir() if p.is_dir()):
            files = sorted(
                str(f.relative_to(namespace))
                for f in namespace.rglob("*.yaml")
                if f.name != KUSTOMIZATION
            )
            for stale in namespace.rglob(KUSTOMIZATION):
                stale.unlink()
            lines = ["apiVersion: kustomize.config.k8s.io/v1beta1", "kind: Kustomization",
                     "resources:", *(f"- {f}" for f in files)]  # fmt: skip
            (namespace / KUSTOMIZATION).write_text("\n".join(lines) + "\n")
            roots.append(namespace)
    return roots


def choices(out: Path, work: Path, kubectl: str | None) -> list[Choice]:
    result: list[Choice] = []
    tops = sorted(p for p in out.iterdir() if p.is_dir())
    result.append(
        Choice(
            "directory (recurse), per top directory",
            [
                (str(d.relative_to(out)), [sys.executable, "-c", PARSE_DIRECTORY, str(d)])
                for d in tops
            ],
        )
    )
    if kubectl is not None:
        roots = kustomize_roots(out)
        result.append(
            Choice(
                "kustomize, as generated",
                [(str(d.relative_to(out)), [kubectl, "kustomize", str(d)]) for d in roots],
            )
        )
        copy = work / "out-per-namespace"
        result.append(
            Choice(
                "kustomize, per namespace directory",
                [
                    (str(d.relative_to(copy)), [kubectl, "kustomize", str(d)])
                    for d in per_namespace_copy(out, work)
                ],
            )
        )
    return result


def measure(choice: Choice, repeat: int) -> Timing:
    per_app: dict[str, list[float]] = {name: [] for name, _ in choice.applications}
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeat):
        wall_total = cpu_total = 0.0
        for name, command in choice.applications:
            wall, cpu = _run(command)
            wall_total += wall
            cpu_total += cpu
            per_app[name].append(cpu)
        walls.append(wall_total)
        cpus.append(cpu_total)
    slowest = max(per_app, key=lambda n: statistics.median(per_app[n]))
    print(f"  {choice.name}: median {statistics.median(cpus):.2f} s CPU", file=sys.stderr)
    return Timing(
        choice.name,
        len(choice.applications),
        tuple(walls),
        tuple(cpus),
        slowest,
        statistics.median(per_app[slowest]),
    )


def _spread(values: tuple[float, ...]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def report(out: Path, timings: list[Timing]) -> None:
    files = sum(1 for _ in out.rglob("*.yaml"))
    tops = {d.name: sum(1 for _ in d.rglob("*.yaml")) for d in out.iterdir() if d.is_dir()}
    print(f"out/: {files} YAML files; " + ", ".join(f"{k} {v}" for k, v in sorted(tops.items())))
    print("each row: every Application of the choice rendered once per run, as cold processes;")
    print("CPU is user + system seconds; 'slowest app' is the median CPU of the costliest one\n")
    header = (
        f"{'choice':<40} {'apps':>5} {'wall s':>8} {'wall min-max':>13} {'CPU s':>8} "
        f"{'CPU min-max':>13} {'slowest app (CPU s)':>32}"
    )
    print(header)
    print("-" * len(header))
    for t in timings:
        slowest = f"{t.slowest} {t.slowest_cpu:.2f}"
        print(
            f"{t.choice:<40} {t.applications:>5} {statistics.median(t.wall):>8.2f} "
            f"{_spread(t.wall):>13} {statistics.median(t.cpu):>8.2f} {_spread(t.cpu):>13} "
            f"{slowest:>32}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--specs", type=int, default=1000, help="specs of the synthetic repo")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each choice")
    parser.add_argument("--out", type=Path, help="time this out/ instead of a synthetic one")
    args = parser.parse_args(argv)
    kubectl = shutil.which("kubectl", path=str(Path(sys.executable).parent))
    kubectl = kubectl or shutil.which("kubectl")
    with tempfile.TemporaryDirectory(prefix="manifestgen-argocd-") as temporary:
        work = Path(temporary)
        out = args.out
        if out is None:
            repo = work / "repo"
            write_spec_repo(REPO, repo, args.specs)
            subprocess.run(
                [sys.executable, "-m", "manifestgen", "build", "--quiet"],
                cwd=repo,
                check=True,
                env={
                    "PYTHONPATH": str(REPO),
                    "MANIFESTGEN_CACHE_DIR": str(work / "cache"),
                    "PATH": str(Path(sys.executable).parent),
                },
            )
            out = repo / "out"
        timings = [measure(c, args.repeat) for c in choices(out.resolve(), work, kubectl)]
        report(out.resolve(), timings)
        if kubectl is None:
            print("\nkubectl not found: the kustomize rows were not measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())
