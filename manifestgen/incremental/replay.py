"""`build` and `check` of unchanged inputs over an unchanged out/: answered, not compiled.

A build is deterministic: the same inputs (manifestgen/incremental/inputs.py) over the
same out/ give the same diagnostics and the same tree. After a build or check that finds
out/ already holding its tree, or that stops at spec errors (a run that out/ leaves as
it found it), the outcome is stored in the cache under the digest of its inputs and of
out/'s content, with a record of out/'s stat signatures (manifestgen/write/out_state.py).
The next run digests the inputs (reading the spec files, not parsing them), proves out/
unchanged by a stat walk, and replays the outcome: nothing is parsed, expanded,
checked, rendered or written, and the compiler is not even imported. Build and check
share the outcome: out/ aside, they compile the same way.

Nothing is trusted blindly: the store verifies every entry; out/ is proved by stat
signatures and, for entries too recent for them, by content; the outcome's tree must
be exactly the generated files out/ holds; the CRD files must have the signatures the
build saw. Anything else, a damaged or deleted cache included, is a miss, and a miss
is the ordinary build (whose own caches make it cost what changed: see
pipeline/expansion_cache.py and pipeline/object_memo.py). `validate` never replays.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from manifestgen.build_result import BuildResult
from manifestgen.cache_store import JsonStore, default_cache_directory
from manifestgen.errors import UsageError, sort_diagnostics
from manifestgen.incremental.entry import Outcome, decode_outcome, encode_outcome
from manifestgen.incremental.inputs import crd_signature, inputs_key
from manifestgen.options import BuildOptions, checked_out_path, crds_from_environment
from manifestgen.write import swap
from manifestgen.write.drift import Drift
from manifestgen.write.lock import LockTimeout, out_lock
from manifestgen.write.out_state import OutState, decode_state, record, still_holds
from manifestgen.write.scan import read_no_follow
from manifestgen.write.writer import WriteResult

_OUTCOME = "build-outcome"
_OUT_STATE = "out-state"


@dataclass(frozen=True)
class Counters:
    """What the last `run_cached` of this process did (tests assert on these)."""

    replayed: bool = False
    recorded: bool = False


last_run = Counters()


def run_cached(options: BuildOptions) -> BuildResult:
    """`pipeline.run(options)`, through the build cache for build and check."""
    global last_run
    cache = _BuildCache.open(options)
    if cache is None:
        last_run = Counters()
        return _compile(options)
    replayed = cache.replay()
    if replayed is not None:
        last_run = Counters(replayed=True)
        return replayed
    started = time.time_ns()
    # A run that recovers an interrupted swap, or that writes, changes out/ after
    # comparing the jobs with it: its notes on them are not what the next run says.
    recovers = bool(swap.leftovers(cache.out))
    result = _compile(options)
    last_run = Counters(recorded=not recovers and cache.record(result, started))
    return result


def _compile(options: BuildOptions) -> BuildResult:
    from manifestgen.pipeline import run

    return run(options)


class _BuildCache:
    def __init__(self, options: BuildOptions, out: Path, inputs: str) -> None:
        self.options = options
        self.out = out
        self.inputs = inputs
        self.store = JsonStore(options.cache_dir or default_cache_directory())

    @classmethod
    def open(cls, options: BuildOptions) -> _BuildCache | None:
        """The cache of this run, or None when it has none (validate, --no-cache, specs
        compiled in memory) or when its inputs cannot be digested (the build says why)."""
        if options.mode not in ("build", "check") or options.only or not options.use_cache:
            return None
        if not options.previous_build:
            return None
        try:
            out = checked_out_path(options)
            inputs = inputs_key(options)
        except (UsageError, OSError):
            return None
        return None if inputs is None else cls(options, out, inputs)

    def _state_key(self) -> str:
        return str(self.out)

    def replay(self) -> BuildResult | None:
        state = decode_state(self.store.read(_OUT_STATE, self._state_key()))
        if state is None or not self.out.parent.is_dir():
            return None
        try:
            with out_lock(self.out, shared=True, timeout=self.options.lock_timeout):
                if swap.leftovers(self.out):
                    return None  # an interrupted swap: the build recovers it first
                holds, settled = still_holds(self.out, state)
                if not holds:
                    return None
                outcome = self._outcome(state)
                if outcome is None:
                    return None
                if settled:
                    self._refresh(state)
        except (LockTimeout, OSError):
            return None
        return self._result(outcome, state)

    def _outcome(self, state: OutState) -> Outcome | None:
        """The stored outcome of these inputs over this out/, if its CRDs are unchanged."""
        key = f"{self.inputs}:{state.fingerprint()}"
        outcome = decode_outcome(self.store.read(_OUTCOME, key))
        if outcome is None:
            return None
        if outcome.crds != crd_signature(Path(p) for p in outcome.crd_paths):
            return None
        return outcome

    def _refresh(self, state: OutState) -> None:
        """Store the state again once its racy entries have settled: the next run then
        proves them by a stat, not by reading them."""
        again = record(self.out)
        if again is not None and again.fingerprint() == state.fingerprint():
            self.store.write(_OUT_STATE, self._state_key(), again.encode())

    def _result(self, outcome: Outcome, state: OutState) -> BuildResult | None:
        compiled = list(outcome.compiled)
        stats = outcome.stats
        if outcome.tree is None:
            return BuildResult(sort_diagnostics(compiled), stats=stats, compiled=outcome.compiled)
        if not _holds_tree(state, outcome.tree):
            return None
        from manifestgen.write import diagnostics as out_problems

        foreign = tuple(rel for rel in state.digests if rel not in state.owned)
        tree = _OutTree(self.out, outcome.tree)
        out = self.options.out_dir.as_posix()
        if self.options.mode == "check":
            drift = Drift((), (), (), foreign=foreign)
            found = compiled + out_problems.drift_diagnostics(out, drift)
            return BuildResult(sort_diagnostics(found), tree, drift=drift, stats=stats,
                               compiled=outcome.compiled)  # fmt: skip
        written = WriteResult((), (), foreign)
        found = compiled + out_problems.never_deployed(out, foreign)
        return BuildResult(sort_diagnostics(found), tree, written=written, stats=stats,
                           compiled=outcome.compiled)  # fmt: skip

    def record(self, result: BuildResult, started: int) -> bool:
        """Store `result` if out/ now holds its tree (or the specs have errors); the
        run `started` then, before it compared or wrote any file of out/."""
        compiled = result.compiled
        failed = any(d.is_error for d in compiled)
        if not failed and not _left_tree(result):
            return False
        locations = _crd_paths(result, self.options)
        crds = crd_signature(locations)
        if crds is None or not self.out.parent.is_dir():
            return False
        try:
            with out_lock(self.out, shared=True, timeout=self.options.lock_timeout):
                leftover = swap.leftovers(self.out)
                known = None if failed else result.tree
                state = None if leftover else record(self.out, known, started)
        except (LockTimeout, OSError):
            return False
        if state is None:
            return False
        tree = None
        if not failed:
            tree = {
                rel: hashlib.sha256(content).hexdigest() for rel, content in result.tree.items()
            }
            if not _holds_tree(state, tree):
                return False  # out/ changed under the build: nothing to promise
        outcome = Outcome(compiled, result.stats, tree, tuple(map(str, locations)), crds)
        self.store.write(_OUT_STATE, self._state_key(), state.encode())
        self.store.write(_OUTCOME, f"{self.inputs}:{state.fingerprint()}", encode_outcome(outcome))
        return True


def _left_tree(result: BuildResult) -> bool:
    """Whether out/ held the result's tree before and after the run: a build that found
    it current, or a check that found no drift.

    Not a build that wrote: the history of jobs (kept, recreated, retired) was weighed
    against the out/ it replaced, and the next run weighs it against the new one."""
    if any(d.is_error for d in result.diagnostics):
        return False
    if result.written is not None:
        return not result.written.changed
    return result.drift is not None and result.drift.clean


def _holds_tree(state: OutState, tree: Mapping[str, str]) -> bool:
    """Whether out/ holds exactly these generated files, with these digests."""
    return set(tree) == state.owned and all(state.digests[rel] == tree[rel] for rel in tree)


def _crd_paths(result: BuildResult, options: BuildOptions) -> list[Path]:
    """The CRD locations the build checked against (as pipeline/check_output.py finds them)."""
    if not options.check_output:
        return []
    configured = [*(Path(p) for p in (result.platform.spec.crds if result.platform else ()))]
    configured += [*options.crds, *crds_from_environment()]
    return [p if p.is_absolute() else options.root / p for p in configured]


class _OutTree(Mapping[str, bytes]):
    """The generated files of a replayed build, read from out/ (which holds them)."""

    def __init__(self, out: Path, digests: Mapping[str, str]) -> None:
        self._out = out
        self._paths = sorted(digests)

    def __getitem__(self, rel: str) -> bytes:
        if rel not in self._paths:
            raise KeyError(rel)
        return read_no_follow(self._out / rel)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)
