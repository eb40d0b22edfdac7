"""`verify(options)`: read every input, check every object, return the verdicts.

One `OutputValidator` per Kubernetes version serves the whole run, so each schema is
compiled once; files under `out/<cluster>` of a manifestgen repository use that cluster's
version unless one is given. Large inputs
are spread over worker processes: the files are cut into contiguous runs of about equal
size, each worker judges its runs with its own validator, and the results are put back
in input order, so the output is the same whatever the number of workers. On Linux the
workers are forked after the validator is created and inherit it (the CRDs are read once);
elsewhere each worker creates its own.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from manifestgen.check import CrdLoadError, OutputValidator, UnsupportedKubernetesVersionError
from manifestgen.check.disk_cache import schema_cache
from manifestgen.check.kubernetes import bundled_versions
from manifestgen.check.schemautil import gc_paused
from manifestgen.verify.inputs import Source, discover
from manifestgen.verify.judge import Judge, Policy
from manifestgen.verify.model import FileResult, VerifyError, VerifyOptions, VerifyResult

# Below this many input bytes one process does the work. Forked workers start in ~20 ms
# and inherit the loaded CRDs, so on 2 cores two workers win from about 0.2 MB (~250
# typical resources: 0.68 s against 0.74 s) and save 20-35% from 2 MB on (README); below
# that the gain is in the noise, and a pre-commit hook, which may already run several
# copies of us in parallel, is better served by one process.
PARALLEL_MIN_BYTES = 256 * 1024
# Runs per worker: more than one evens out files of unequal cost.
CHUNKS_PER_WORKER = 8


@dataclass(frozen=True)
class _Setup:
    """What a worker needs to build the same validators and judges as the parent."""

    kubernetes_version: str
    crds: tuple[Path, ...]
    policy: Policy
    use_cache: bool
    cache_dir: Path | None
    # (resolved directory, Kubernetes version) of each out/<cluster>; empty when the
    # version was given on the command line.
    cluster_versions: tuple[tuple[Path, str], ...] = ()

    def judge(self, version: str) -> Judge:
        cache = schema_cache(self.cache_dir) if self.use_cache else None
        try:
            validator = OutputValidator.create(version, self.crds, cache=cache)
        except (CrdLoadError, UnsupportedKubernetesVersionError) as error:
            raise VerifyError(str(error)) from error
        return Judge(validator, self.policy)

    def version_of(self, source: Source) -> str:
        if source.path is not None and self.cluster_versions:
            resolved = source.path.resolve()
            for directory, version in self.cluster_versions:
                if resolved.is_relative_to(directory):
                    return version
        return self.kubernetes_version


class _Judges:
    """One judge per Kubernetes version, each made on first use (CRD files are read once
    per process, so a second version costs only its own schemas)."""

    def __init__(self, setup: _Setup) -> None:
        self.setup = setup
        self._by_version: dict[str, Judge] = {}

    def judge(self, version: str) -> Judge:
        if version not in self._by_version:
            self._by_version[version] = self.setup.judge(version)
        return self._by_version[version]

    def file(self, source: Source) -> FileResult:
        return self.judge(self.setup.version_of(source)).file(source)


def newest_kubernetes_version() -> str:
    """The newest Kubernetes version with bundled schemas, e.g. "1.37"."""
    major, minor = bundled_versions()[-1]
    return f"{major}.{minor}"


def verify(options: VerifyOptions) -> VerifyResult:
    """Verify every object under `options.paths`. Raises `VerifyError` if it cannot run."""
    sources = discover(options.paths, options.stdin)
    by_directory = () if options.kubernetes_version else options.cluster_versions
    setup = _Setup(
        options.kubernetes_version or newest_kubernetes_version(),
        options.crds,
        Policy(options.skip_kinds, options.reject_kinds, options.missing_schema),
        options.use_cache,
        options.cache_dir,
        tuple((directory.resolve(), version) for directory, version in by_directory),
    )
    judges = _Judges(setup)
    # Made here, before any worker is forked: bad versions and CRDs fail early, and forked
    # workers inherit the judges.
    used = sorted({setup.version_of(s) for s in sources} or {setup.kubernetes_version})
    labels = sorted({judges.judge(version).validator.kubernetes_version for version in used})
    workers = planned_workers(options.workers, sources)
    if workers > 1:
        files = _in_workers(judges, setup, sources, workers)
    else:
        with gc_paused():
            files = [judges.file(source) for source in sources]
    return VerifyResult(
        tuple(files),
        ", ".join(labels),
        tuple(p.as_posix() for p in options.crds),
        workers,
    )


def available_cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's count)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def planned_workers(requested: int | None, sources: Sequence[Source]) -> int:
    """How many processes to use: as requested, or (None) the cores, when the input is
    large enough to pay for them; never more than there are inputs."""
    if requested is None:
        if sum(s.size for s in sources) < PARALLEL_MIN_BYTES:
            return 1
        requested = available_cores()
    return max(1, min(requested, len(sources)))


def chunks(sources: Sequence[Source], count: int) -> list[list[Source]]:
    """`sources` cut into at most `count` contiguous runs of about equal total size."""
    total = sum(max(s.size, 1) for s in sources)
    target = total / count
    runs: list[list[Source]] = [[]]
    filled = 0.0
    for source in sources:
        if runs[-1] and filled >= target * len(runs):
            runs.append([])
        runs[-1].append(source)
        filled += max(source.size, 1)
    return runs


# The worker's judges: inherited from the parent when forked, else made by _start_worker.
_WORKER_JUDGE: _Judges | None = None


def _start_worker(setup: _Setup) -> None:
    global _WORKER_JUDGE
    if _WORKER_JUDGE is None:
        _WORKER_JUDGE = _Judges(setup)


def _judge_run(run: list[Source]) -> list[FileResult]:
    assert _WORKER_JUDGE is not None, "worker not initialised"
    with gc_paused():
        return [_WORKER_JUDGE.file(source) for source in run]


def _in_workers(
    judge: _Judges, setup: _Setup, sources: Sequence[Source], workers: int
) -> list[FileResult]:
    global _WORKER_JUDGE
    # Imported here: a cold run on a few files never needs them (~13 ms).
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork shares the parent's validator (CRDs already read) at no cost; spawn, the only
    # safe choice elsewhere, starts from scratch.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    _WORKER_JUDGE = judge if method == "fork" else None
    first: list[FileResult] = []
    if method == "fork":
        # The parent judges the first file itself: the checkers of the kinds it holds
        # (compiled schemas, CEL programs) are then built once and inherited, instead of
        # once in every worker.
        with gc_paused():
            first = [judge.file(sources[0])]
        sources = sources[1:]
    try:
        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(setup,),
        ) as pool:
            results = pool.map(_judge_run, chunks(sources, workers * CHUNKS_PER_WORKER))
            return first + [file for run in results for file in run]
    finally:
        _WORKER_JUDGE = None
