"""Each job's demand on its team's namespace quota, without expanding it when it is known.

`validate <one file>` reports only the named files, yet the team quota check sums every
job of a team, which costs expanding the whole repository. A job's demand depends only on
its spec document, the Platform and manifestgen's own code, so it is stored in the
on-disk cache under a key made of exactly those; a job whose entry is missing or damaged
(the store verifies every entry) is expanded as before. The named jobs are always
expanded, so what validate reports about them never comes from the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from manifestgen.cache_pack import PackedStore
from manifestgen.cache_store import JsonStore
from manifestgen.digest import digest
from manifestgen.expand.tenancy_quota import JobUsage, Usage, job_usage
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.resolve import ResolvedJob

_KIND = "job-demand"


@cache
def code_version() -> str:
    """A digest of manifestgen's code (its version included): any change to how jobs
    expand is a miss."""
    package = Path(__file__).resolve().parent.parent
    code = hashlib.sha256()
    for module in sorted(package.rglob("*.py")):
        code.update(module.relative_to(package).as_posix().encode() + b"\0" + module.read_bytes())
    return code.hexdigest()


def expanded_demand(job: ResolvedJob) -> JobUsage:
    """A job's demand, counted on the objects it expands into."""
    from manifestgen.expand.workload import expand_job  # not needed for a Platform alone

    return job_usage(job, expand_job(job)[0])


def _encode(usage: Usage) -> dict[str, str]:
    return {name: str(value) for name, value in usage.items()}


def _decode(value: Any) -> Usage | None:
    if not isinstance(value, dict):
        return None
    try:
        return {str(name): Decimal(amount) for name, amount in value.items()}
    except (InvalidOperation, TypeError, ValueError):
        return None


class DemandCache:
    """`demand(job)` through the cache, for one Platform; see the module docstring.

    The entries are read through their pack (manifestgen/cache_pack.py): `close` when
    every job's demand is known."""

    def __init__(self, store: JsonStore, platform: Parsed[Platform]) -> None:
        self._store = PackedStore(store, _KIND)
        self._platform = digest(platform.document.data)

    def _key(self, job: ResolvedJob) -> str:
        document = job.source.document
        spec = digest([document.path, document.index, document.data])
        return f"{code_version()}:{self._platform}:{spec}"

    def demand(self, job: ResolvedJob) -> JobUsage:
        key = self._key(job)
        usage = _decode(self._store.read(key))
        if usage is not None:
            return JobUsage(job, usage)
        found = expanded_demand(job)
        self._store.write(key, _encode(found.usage))
        return found

    def close(self) -> None:
        self._store.close()


def demand_of(
    store: JsonStore | None, platform: Parsed[Platform]
) -> tuple[Callable[[ResolvedJob], JobUsage], Callable[[], None]]:
    """How to get a job's demand (through the cache when there is one), and what to call
    once every job's demand is known."""
    if store is None:
        return expanded_demand, lambda: None
    cache = DemandCache(store, platform)
    return cache.demand, cache.close
