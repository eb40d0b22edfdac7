"""How long `build` takes to write out/, by durability strategy, on one machine.

    .venv/bin/python benchmarks/write_throughput.py [--files 4539] [--repeat 5]

Renders a synthetic tree the size of a 1,000-spec repository (4,539 files of about
1 KB, 50 clusters of 20 teams, one directory per job) and times the write stage alone,
in this process: into an empty directory ("cold") and over a tree whose every file is
stale ("rewrite"), with each durability strategy: one syncfs for the staging filesystem
(Linux), the fsyncs of every written file and directory in flight together (where syncfs
does not exist), and the same fsyncs one after another (the fallback before); each ends
with one fsync of out/'s parent. Prints the
median and min-max of wall and CPU seconds. The machine's disk is shared and noisy:
compare rows of the same run.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from manifestgen.render.tree import OutputTree  # noqa: E402
from manifestgen.render.yaml import render_document  # noqa: E402
from manifestgen.write import durable, write_tree  # noqa: E402


def synthetic_tree(files: int, version: int) -> OutputTree:
    tree: dict[str, bytes] = {}
    for index in range(files):
        cluster, job = index % 50, index // 5
        path = f"cluster-{cluster:02d}/team-{job % 20:02d}/job-{job:05d}/file-{index % 5}.yaml"
        obj = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"job-{job:05d}-{index % 5}", "namespace": f"team-{job % 20}"},
            "data": {f"key{k}": f"value-{version}-{index}-{k}" * 3 for k in range(12)},
        }
        tree[path] = render_document(obj, f"specs/jobs/job-{job:05d}.yaml")
    return tree


@contextmanager
def fsync_together() -> Iterator[None]:
    with mock.patch.object(durable, "_syncfs", return_value=False):
        yield


def _one_by_one(paths: list[Path]) -> None:
    for path in paths:
        durable._fsync_path(path)


@contextmanager
def fsync_one_by_one() -> Iterator[None]:
    with (
        mock.patch.object(durable, "_syncfs", return_value=False),
        mock.patch.object(durable, "_fsync_together", _one_by_one),
    ):
        yield


@contextmanager
def one_syncfs() -> Iterator[None]:
    yield


STRATEGIES: dict[str, Callable[[], AbstractContextManager[None]]] = {
    "one syncfs (Linux)": one_syncfs,
    "fsync together (elsewhere)": fsync_together,
    "fsync one by one (before)": fsync_one_by_one,
}


def _time(out: Path, tree: OutputTree) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    write_tree(out, tree)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(files: int, repeat: int, scratch: Path) -> None:
    old, new = synthetic_tree(files, 1), synthetic_tree(files, 2)
    print(
        f"{'strategy':28} {'case':8} {'files':>6} {'wall s':>8} {'min-max':>13} "
        f"{'cpu s':>7} {'min-max':>13}"
    )
    for label, strategy in STRATEGIES.items():
        for case in ("cold", "rewrite"):
            walls, cpus = [], []
            for attempt in range(repeat):
                root = scratch / f"{case}-{attempt}"
                root.mkdir()
                if case == "rewrite":
                    write_tree(root / "out", old)
                with strategy():
                    wall, cpu = _time(root / "out", new)
                walls.append(wall)
                cpus.append(cpu)
                shutil.rmtree(root)
            print(
                f"{label:28} {case:8} {files:6d} {statistics.median(walls):8.3f} "
                f"{min(walls):6.3f}-{max(walls):6.3f} {statistics.median(cpus):7.3f} "
                f"{min(cpus):6.3f}-{max(cpus):6.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=4539)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=None, help="scratch directory (its disk)")
    args = parser.parse_args()
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.system()}")
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        measure(args.files, args.repeat, Path(scratch))


if __name__ == "__main__":
    main()
