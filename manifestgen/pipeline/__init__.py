"""The compiler: discover → load → validate → expand → check → render → write.

Each stage returns values and diagnostics; nothing here prints or exits. A spec that
fails stops only its own expansion, so one run reports every problem at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from manifestgen.build_result import BuildResult as BuildResult
from manifestgen.build_result import Stats as Stats
from manifestgen.cache_store import JsonStore, default_cache_directory
from manifestgen.errors import Diagnostic, Severity, SourceLocation, UsageError, sort_diagnostics
from manifestgen.expand.argocd import expand_argocd
from manifestgen.expand.argocd_apps import application_directories
from manifestgen.expand.claims import duplicate_claims
from manifestgen.expand.cluster import expand_cluster
from manifestgen.expand.cpu_pool import check_cpu_quota
from manifestgen.expand.queue_fit import check_queue_fit
from manifestgen.expand.runtimes import with_runtimes
from manifestgen.expand.tenancy_quota import (
    JobUsage,
    ServiceUsage,
    check_team_quotas,
    has_quota,
    job_usage,
)
from manifestgen.expand.volcano import check_volcano_fit
from manifestgen.manifest import Manifest
from manifestgen.options import BuildOptions, checked_out_path
from manifestgen.pipeline.credentials import check_credentials
from manifestgen.pipeline.demand import demand_of, expanded_demand
from manifestgen.render.tree import OutputTree, render_tree
from manifestgen.render.yaml import render_document
from manifestgen.report.progress import report
from manifestgen.source.discover import discover, discover_spec_files
from manifestgen.source.document import SourceDocument
from manifestgen.source.load_cache import LoadCache, Loaded
from manifestgen.source.reader import read_spec
from manifestgen.spec.parse import default_framework_of, lacks_framework, parse_document
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform
from manifestgen.spec.quota import PoolKey, check_total_demand
from manifestgen.spec.rules import check_platform

if TYPE_CHECKING:
    # What only jobs, services or a write need is imported where they are met: the
    # validate of a Platform alone (a pre-commit hook on platform.yaml) skips the
    # workload registry, the serving models and the writer.
    from manifestgen.pipeline.expansion_cache import ExpansionCache
    from manifestgen.pipeline.object_memo import ObjectMemo
    from manifestgen.serving.resolve import ResolvedService
    from manifestgen.serving.spec import ModelService
    from manifestgen.spec.resolve import ResolvedJob
    from manifestgen.spec.training import TrainingJob
    from manifestgen.write import WriteResult

Sources = Sequence[tuple[str, str]]
Expand = Callable[["ResolvedJob"], tuple[tuple[Manifest, ...], tuple[Diagnostic, ...]]]


@dataclass
class _Specs:
    platforms: list[Parsed[Platform]] = field(default_factory=list)
    invalid_platforms: int = 0
    jobs: list[Parsed[TrainingJob]] = field(default_factory=list)
    services: list[Parsed[ModelService]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


def _read_specs(options: BuildOptions, specs: _Specs) -> Iterator[tuple[str, str]]:
    found = discover(options.root, (*options.specs, *options.only))
    specs.diagnostics += found.diagnostics
    specs.files = len(found.paths)
    for path in found.paths:
        text, problem = read_spec(options.root / path, path.as_posix())
        if problem is None:
            yield path.as_posix(), text
        else:
            specs.diagnostics.append(problem)


def _store(options: BuildOptions) -> JsonStore | None:
    if not options.use_cache:
        return None
    return JsonStore(options.cache_dir or default_cache_directory())


def _load_source(path: str, text: str) -> Loaded:
    # The YAML libraries are imported on the first file the load cache does not hold.
    from manifestgen.source.loader import load_source

    return load_source(path, text)


def _memo(options: BuildOptions) -> ObjectMemo | None:
    store = _store(options)
    if store is None:
        return None
    from manifestgen.pipeline.object_memo import ObjectMemo

    return ObjectMemo(store, options.out_path())


def _expansion(options: BuildOptions, platform: Parsed[Platform]) -> ExpansionCache | None:
    """Each job's expansion through the cache, when there is one."""
    store = _store(options)
    if store is None:
        return None
    from manifestgen.pipeline.expansion_cache import ExpansionCache

    return ExpansionCache(store, platform, options.out_path())


def _loader(options: BuildOptions) -> tuple[Callable[[str, str], Loaded], Callable[[], None]]:
    """How to load a spec file, and what to call once every file is loaded."""
    store = _store(options)
    if store is None:
        return _load_source, lambda: None
    cache = LoadCache(store, _load_source)
    return cache.load, cache.close


def _load_specs(options: BuildOptions, sources: Sources | None) -> _Specs:
    specs = _Specs()
    if sources is not None:
        specs.files = len(sources)
    load, loaded = _loader(options)
    # TrainingJobs without a framework take their cluster's default: parsed once the
    # Platform is known, wherever it sits among the files.
    pending: list[SourceDocument] = []
    for read, (rel, text) in enumerate(
        _read_specs(options, specs) if sources is None else sources, start=1
    ):
        report("reading specs", read, specs.files)
        documents, problems = load(rel, text)
        specs.diagnostics += problems
        for document in documents:
            if document.valid and lacks_framework(document.data):
                pending.append(document)
                continue
            _parse_into(specs, document)
    loaded()
    platform = _first_platform(specs)
    for document in pending:
        _parse_into(specs, document, default_framework_of(document.data, platform))
    return specs


def _parse_into(
    specs: _Specs, document: SourceDocument, default_framework: str | None = None
) -> None:
    parsed, problems = parse_document(document, default_framework)
    specs.diagnostics += problems
    _sort_into(specs, parsed)
    if parsed is None and _names_kind(document.data, "Platform"):
        specs.invalid_platforms += 1


def _first_platform(specs: _Specs) -> Platform | None:
    """The Platform `_one_platform` picks (the first by path), before its checks."""
    first = min(specs.platforms, key=lambda p: (p.document.path, p.document.index), default=None)
    return None if first is None else first.model


def _sort_into(specs: _Specs, parsed: Parsed[BaseModel] | None) -> None:
    if parsed is None:
        return
    if isinstance(parsed.model, Platform):
        specs.platforms.append(Parsed(parsed.model, parsed.document))
        return
    # A job or a service: parse_document has imported its model already.
    from manifestgen.serving.spec import ModelService
    from manifestgen.spec.training import TrainingJob

    if isinstance(parsed.model, TrainingJob):
        specs.jobs.append(Parsed(parsed.model, parsed.document))
    elif isinstance(parsed.model, ModelService):
        specs.services.append(Parsed(parsed.model, parsed.document))


def _names_kind(data: object, kind: str) -> bool:
    return isinstance(data, dict) and data.get("kind") == kind


def _one_platform(specs: _Specs, options: BuildOptions) -> Parsed[Platform] | None:
    if not specs.platforms and specs.invalid_platforms:
        return None  # its own diagnostics say what is wrong with it
    if not specs.platforms:
        where = options.specs[0].as_posix() if options.specs else "specs"
        specs.diagnostics.append(
            Diagnostic(
                "MG216",
                "no Platform document found",
                SourceLocation(where),
                hint="add a `kind: Platform` document (clusters, GPU catalog, teams) to the specs",
            )
        )
        return None
    first, *others = sorted(specs.platforms, key=lambda p: (p.document.path, p.document.index))
    specs.diagnostics += [
        Diagnostic(
            "MG217",
            "more than one Platform document",
            other.locate(("kind",)),
            hint=f"the first is in {first.document.path}; keep one",
        )
        for other in others
    ]
    problems = list(check_platform(first))
    specs.diagnostics += problems
    # Expanding from a Platform with errors would only add confusing follow-on errors.
    return None if any(d.is_error for d in problems) else first


def _gitops_path(platform: Parsed[Platform], options: BuildOptions) -> list[Diagnostic]:
    """The Applications point Argo CD at spec.gitops.path; building elsewhere would orphan them."""
    wanted = platform.model.spec.gitops.path
    if options.out_dir.is_absolute() or options.out_dir.as_posix() == wanted:
        return []
    return [
        Diagnostic(
            "MG218",
            f"building into {options.out_dir.as_posix()!r}, but the Argo CD Applications read "
            f"{wanted!r}",
            platform.locate(("spec", "gitops", "path"))
            if "path" in platform.document.data["spec"]["gitops"]
            else platform.locate(("spec", "gitops"), key=True),
            field="spec.gitops.path",
            severity=Severity.WARNING,
            hint=f"set spec.gitops.path: {options.out_dir.as_posix()} or build with --out {wanted}",
        )
    ]


def _resolve_jobs(specs: _Specs, platform: Parsed[Platform]) -> list[ResolvedJob]:
    if not specs.jobs:
        return []
    from manifestgen.spec.resolve import resolve
    from manifestgen.spec.rules import JOB_RULES, REFERENCE_RULES
    from manifestgen.spec.tuning_rules import TUNING_RULES
    from manifestgen.workloads import workload_of

    resolved: list[ResolvedJob] = []
    seen: dict[tuple[str, str], Parsed[TrainingJob]] = {}
    for job in sorted(specs.jobs, key=lambda j: (j.document.path, j.document.index)):
        for rule in REFERENCE_RULES:
            specs.diagnostics += rule(job, platform.model)
        key = (job.model.spec.cluster, job.model.metadata.name)
        if key in seen:
            specs.diagnostics.append(
                Diagnostic(
                    "MG215",
                    f"job name {key[1]!r} is already used on cluster {key[0]!r}",
                    job.locate(("metadata", "name")),
                    field="metadata.name",
                    hint=f"first defined in {seen[key].document.path}",
                )
            )
            continue
        seen[key] = job
        result = resolve(platform.model, job)
        if result is None:
            continue
        rules = (*JOB_RULES, *TUNING_RULES, *workload_of(result).rules)
        problems = [d for rule in rules for d in rule(result)]
        specs.diagnostics += problems
        if not any(d.is_error for d in problems):
            resolved.append(result)
    return resolved


def running_jobs(jobs: Sequence[ResolvedJob]) -> list[ResolvedJob]:
    """The jobs that demand capacity: a Completed job runs no pods, so it must not keep a
    node pool alive or count against the GPU and CPU quotas."""
    return [job for job in jobs if job.job.spec.state != "Completed"]


def _expand(
    platform: Parsed[Platform],
    jobs: Sequence[ResolvedJob],
    only: frozenset[str] | None,
    services: Sequence[ResolvedService] = (),
    demand: Callable[[ResolvedJob], JobUsage] = expanded_demand,
    expand: Expand | None = None,
) -> tuple[list[Manifest], list[Diagnostic]]:
    """Every object of the build. `only` (validate of named files): expand just their jobs
    and services; the cluster objects still count every one, whose specs are all resolved,
    and the team quotas every job's `demand`; each job expands through `expand` (by
    default `expand_job`)."""
    manifests: list[Manifest] = []
    diagnostics: list[Diagnostic] = []
    used = []
    expanded = jobs if only is None else [j for j in jobs if j.spec_path in only]
    for job in jobs:
        # Not reported, but its pods and claims still count against its team's quota.
        if only is not None and job.spec_path not in only and has_quota(job):
            used.append(demand(job))
    if expanded:
        from manifestgen.expand.workload import expand_job

        expand_one = expand or expand_job
        for done, job in enumerate(expanded, start=1):
            report("expanding jobs", done, len(expanded))
            generated, problems = expand_one(job)
            manifests += generated
            diagnostics += problems
            used.append(job_usage(job, generated))
    diagnostics += check_team_quotas(platform, used, _served_usage(services))
    manifests += _expand_services(services, only)
    running = running_jobs(jobs)
    served = _served_gpus(services)
    for cluster in sorted(platform.model.spec.clusters):
        manifests += expand_cluster(platform, cluster, running, served)
        diagnostics += check_cpu_quota(platform, cluster, running)
        # Whether Kueue can admit a job weighs that job alone against its queue.
        diagnostics += check_queue_fit(platform, cluster, running, only)
        diagnostics += check_volcano_fit(platform, cluster, running, only)
    manifests += expand_argocd(platform)
    return manifests, diagnostics


def _resolve_services(
    specs: _Specs, platform: Parsed[Platform], jobs: Sequence[ResolvedJob]
) -> tuple[list[ResolvedService], list[Diagnostic]]:
    if not specs.services:
        return [], []
    from manifestgen.pipeline.serving import resolve_services

    return resolve_services(specs.services, platform.model, jobs, running_jobs(jobs))


def _expand_services(
    services: Sequence[ResolvedService], only: frozenset[str] | None
) -> list[Manifest]:
    if not services:
        return []
    from manifestgen.pipeline.serving import expand_services

    return expand_services(services, only)


def _served_usage(services: Sequence[ResolvedService]) -> list[ServiceUsage]:
    if not services:
        return []
    from manifestgen.pipeline.serving import served_usage

    return served_usage(services)


def _served_gpus(services: Sequence[ResolvedService]) -> dict[PoolKey, int]:
    if not services:
        return {}
    from manifestgen.pipeline.serving import served_gpus

    return served_gpus(services)


def _against_previous(
    options: BuildOptions,
    specs: _Specs,
    jobs: Sequence[ResolvedJob],
    manifests: list[Manifest],
    wanted: frozenset[str] | None,
) -> tuple[list[Manifest], list[Diagnostic]]:
    """Keep running jobs and refuse immutable edits, against the last build in out/."""
    known = {j.model.metadata.name for j in specs.jobs}
    known |= {f"{j.model.spec.cluster}/{j.model.metadata.name}" for j in specs.jobs}
    unknown = sorted(set(options.recreate) - known)
    if unknown:
        raise UsageError(f"--recreate names no job: {', '.join(unknown)}")
    if not options.previous_build:
        return manifests, []
    if not jobs and options.mode != "build" and not options.out_path().is_dir():
        return manifests, []  # nothing to keep or to compare: spare the history's imports
    if options.mode == "build":
        from manifestgen.write.writer import recover

        # An interrupted swap can leave the last build beside out/: put it back first,
        # or every job in it would look new.
        recover(options.out_path(), timeout=options.lock_timeout)
    from manifestgen.history import PreviousBuild, Recreate, reconcile

    recreate = Recreate(options.recreate, options.recreate_all)
    # Only validate may leave jobs out: a build or check must settle every job it writes.
    only = wanted if options.mode == "validate" else None
    return reconcile(manifests, jobs, PreviousBuild(options.out_path()), recreate, only)


def _previous_objects(options: BuildOptions) -> Callable[[str], dict[str, Any] | None]:
    """An object of the previous build in out/ by its path, when the build weighs it."""
    if not options.previous_build or not options.out_path().is_dir():
        return lambda rel: None  # (what PreviousBuild finds in a missing out/)
    from manifestgen.history import PreviousBuild

    return PreviousBuild(options.out_path()).object_at


def _reported_files(options: BuildOptions, platform_path: str | None) -> frozenset[str] | None:
    """In validate mode with named files, the files whose diagnostics are reported: theirs
    and the Platform's; None when every file's are.

    A changed Platform can break any job (a GPU type removed, a quota lowered), so when
    the Platform is among the named files every job is reported.
    """
    if not options.only:
        return None
    wanted = {p.as_posix() for p in discover_spec_files(options.root, options.only)}
    if platform_path in wanted:
        return None
    if platform_path:
        wanted.add(platform_path)
    return frozenset(wanted)


def _restrict(diagnostics: list[Diagnostic], wanted: frozenset[str] | None) -> list[Diagnostic]:
    if wanted is None:
        return diagnostics
    return [d for d in diagnostics if d.location.path in wanted or d.code in ("MG216", "MG403")]


def _reported(manifests: list[Manifest], wanted: frozenset[str] | None) -> list[Manifest]:
    """The objects whose problems would be reported. Every job is still expanded (quotas and
    node pools sum over all of them); checking only these makes `validate <one file>`
    in a large repository cost about one spec's checks."""
    if wanted is None:
        return manifests
    return [m for m in manifests if m.origin.document.path in wanted]


def load_platform(options: BuildOptions) -> tuple[Platform | None, tuple[Diagnostic, ...]]:
    """The valid Platform among `options.specs`, or None and the errors of the specs read
    (those that say what is wrong with the Platform among them)."""
    specs = _load_specs(options, None)
    platform = _one_platform(specs, options)
    if platform is not None:
        return platform.model, ()
    return None, sort_diagnostics([d for d in specs.diagnostics if d.is_error])


def run(options: BuildOptions, sources: Sources | None = None) -> BuildResult:
    """Run every stage the mode needs and gather the result.

    `sources` ((name, YAML text) pairs) replace reading `options.specs` from disk: the
    Python API renders typed models through the same stages this way.
    """
    out_path = _out_path(options)
    specs = _load_specs(options, sources)
    platform = _one_platform(specs, options)
    if platform is None:
        return BuildResult(
            sort_diagnostics(_restrict(specs.diagnostics, _reported_files(options, None))),
            stats=Stats(spec_files=specs.files),
            compiled=sort_diagnostics(_restrict(specs.diagnostics, _reported_files(options, None))),
        )
    specs.diagnostics += _gitops_path(platform, options)
    jobs = _resolve_jobs(specs, platform)
    specs.diagnostics += check_total_demand(running_jobs(jobs))
    specs.diagnostics += duplicate_claims(jobs)
    services, problems = _resolve_services(specs, platform, jobs)
    specs.diagnostics += problems
    wanted = _reported_files(options, platform.document.path)
    only = wanted if options.mode == "validate" else None
    demand, demand_known = demand_of(_store(options) if only is not None else None, platform)
    # Validate's named jobs are always expanded, as their demand is (pipeline/demand.py).
    expansions = _expansion(options, platform) if only is None and jobs else None
    expand = None if expansions is None else expansions.expand
    manifests, problems = _expand(platform, jobs, only, services, demand, expand)
    demand_known()
    if expansions is not None:
        expansions.save()
    manifests, found = _against_previous(options, specs, jobs, manifests, wanted)
    manifests, missing = with_runtimes(platform, manifests, _previous_objects(options))
    found += missing
    checked = _reported(manifests, wanted)
    memo = _memo(options)
    diagnostics = specs.diagnostics + problems + found + check_credentials(checked, options, memo)
    unchecked: tuple[str, ...] = ()
    if options.check_output:
        # Imported here: the schema engine is the heaviest import, and
        # `--no-output-check` runs should not pay for it.
        from manifestgen.pipeline.check_output import check_manifests

        found, unchecked = check_manifests(checked, platform, options, memo)
        diagnostics += found
    diagnostics = _restrict(diagnostics, wanted)
    tree = render_tree(
        manifests,
        None if memo is None else memo.render(render_document),
        directories=application_directories(platform.model.spec),
    )
    stats = Stats(specs.files, len(jobs), len(manifests), len(tree), unchecked)
    has_errors = any(d.is_error for d in diagnostics)
    if options.mode == "check" and not has_errors:
        # With spec errors the tree lacks the failing jobs; drift would only add noise.
        result = _check(options, out_path, tree, list(diagnostics), stats)
    elif options.mode != "build" or has_errors:
        # A build never writes a partial tree: out/ stays as the last good build left it.
        result = BuildResult(sort_diagnostics(diagnostics), tree, stats=stats)
    else:
        result = _write(options, out_path, tree, list(diagnostics), stats)
    if memo is not None:
        # After the tree was compared or written: only then were its files rendered.
        memo.save(every_object=options.mode != "validate" and not has_errors)
    return replace(result, platform=platform.model, compiled=sort_diagnostics(diagnostics))


def _out_path(options: BuildOptions) -> Path:
    """The checked out/ of a build or check: a usage error before any work, since a bad
    --out could make the repository out/ (validate never touches out/)."""
    return options.out_path() if options.mode == "validate" else checked_out_path(options)


def _check(
    options: BuildOptions,
    out_path: Path,
    tree: OutputTree,
    diagnostics: list[Diagnostic],
    stats: Stats,
) -> BuildResult:
    from manifestgen.write import LockTimeout, compare_tree
    from manifestgen.write import diagnostics as out_problems

    out = options.out_dir.as_posix()
    try:
        drift = compare_tree(out_path, tree, timeout=options.lock_timeout)
    except LockTimeout as error:
        diagnostics.append(out_problems.locked(out, error))
        return BuildResult(sort_diagnostics(diagnostics), tree, stats=stats)
    except OSError as error:
        diagnostics.append(out_problems.cannot_read(out, error))
        return BuildResult(sort_diagnostics(diagnostics), tree, stats=stats)
    diagnostics += out_problems.drift_diagnostics(out, drift)
    return BuildResult(sort_diagnostics(diagnostics), tree, drift=drift, stats=stats)


def _write(
    options: BuildOptions,
    out_path: Path,
    tree: OutputTree,
    diagnostics: list[Diagnostic],
    stats: Stats,
) -> BuildResult:
    from manifestgen.write import LockTimeout, WriteRefused, write_tree
    from manifestgen.write import diagnostics as out_problems

    out = options.out_dir.as_posix()
    written: WriteResult | None = None
    try:
        written = write_tree(out_path, tree, timeout=options.lock_timeout)
        diagnostics += out_problems.never_deployed(out, written.foreign)
    except WriteRefused as refused:
        diagnostics += out_problems.in_the_way(out, refused.drift, refused.read_only)
        diagnostics += out_problems.never_deployed(out, refused.drift.foreign)
    except LockTimeout as error:
        diagnostics.append(out_problems.locked(out, error))
    except OSError as error:
        diagnostics.append(out_problems.cannot_write(out, error))
    return BuildResult(sort_diagnostics(diagnostics), tree, written=written, stats=stats)
