"""Compute a plan: build the specs in memory, read the baseline, compare.

The tree the specs build is what `manifestgen validate` computes (nothing is written),
against out/ on disk as `build` would: jobs that only a Platform or manifestgen change
touches are kept as out/ holds them. The baseline is out/ on disk, or out/ at a git
commit (`base`), read from git's object store without a checkout. out/ records no
quota, so the quota before is known only with a commit: it is the Platform of the specs
at that commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from manifestgen.errors import Diagnostic, Severity, SourceLocation, UsageError, sort_diagnostics
from manifestgen.options import BuildOptions
from manifestgen.plan import git
from manifestgen.plan.compute import Quota, compute_plan
from manifestgen.plan.model import Baseline, Plan
from manifestgen.render.yaml import is_generated
from manifestgen.spec.platform import Platform
from manifestgen.write import LockTimeout, read_out
from manifestgen.write import diagnostics as out_problems

_SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class PlanOptions:
    """What to build (`build`; its mode is ignored) and what to compare with: out/ on
    disk, or out/ at the git revision `base`."""

    build: BuildOptions
    base: str | None = None


@dataclass(frozen=True)
class PlanResult:
    diagnostics: tuple[Diagnostic, ...]
    plan: Plan | None  # None when the specs have errors
    spec_files: int = 0
    objects: int = 0

    @property
    def ok(self) -> bool:
        return self.plan is not None and not any(d.is_error for d in self.diagnostics)


def quotas(platform: Platform | None) -> Quota | None:
    if platform is None:
        return None
    return {
        (cluster, gpu): quota
        for cluster, settings in platform.spec.clusters.items()
        for gpu, quota in settings.gpu_quota.items()
    }


def _out_dir(options: BuildOptions) -> str:
    """out/ relative to the root: git paths are relative, and a plan names no machine path."""
    out = options.out_dir
    if out.is_absolute():
        try:
            out = out.resolve().relative_to(options.root.resolve())
        except ValueError:
            raise UsageError(f"--out {options.out_dir} is outside the repository") from None
    return out.as_posix()


def _generated(files: Mapping[str, bytes], prefix: str) -> dict[str, bytes]:
    """The files manifestgen wrote, as out/ relative paths (what scanning out/ keeps)."""
    return {
        path.removeprefix(prefix): content
        for path, content in files.items()
        if path.endswith(_SPEC_SUFFIXES) and is_generated(content)
    }


def _base_quota(commit: git.Commit, options: BuildOptions) -> Quota | None:
    """The quota of the Platform in the specs at the commit (only the files that may hold
    it are compiled); None if they hold no usable Platform."""
    from manifestgen.pipeline import run

    sources: list[tuple[str, str]] = []
    for specs in options.specs:
        for path, content in sorted(git.files_under(commit, specs.as_posix()).items()):
            if path.lower().endswith(_SPEC_SUFFIXES) and b"Platform" in content:
                sources.append((path, content.decode("utf-8", "replace")))
    quiet = BuildOptions(
        root=options.root,
        specs=(),
        out_dir=options.out_dir,
        mode="validate",
        check_output=False,
        previous_build=False,
    )
    return quotas(run(quiet, sources).platform)


def _read_disk(options: BuildOptions, out: str) -> tuple[dict[str, bytes], list[Diagnostic]]:
    try:
        return dict(read_out(options.out_path(), timeout=options.lock_timeout).owned), []
    except LockTimeout as error:
        return {}, [out_problems.locked(out, error)]
    except OSError as error:
        return {}, [out_problems.cannot_read(out, error)]


def _stale(out: str) -> Diagnostic:
    return Diagnostic(
        "MG620",
        f"{out}/ is not what the specs build; the plan shows what they build",
        SourceLocation(out),
        severity=Severity.WARNING,
        hint="run `manifestgen build` and commit out/ (`manifestgen check` lists the files)",
    )


def make_plan(options: PlanOptions) -> PlanResult:
    """The plan, or the diagnostics that keep the specs from building."""
    from manifestgen.pipeline import run

    build = replace(options.build, mode="validate")
    out = _out_dir(build)
    commit = git.resolve(build.root, options.base) if options.base is not None else None
    result = run(build)
    counts = {"spec_files": result.stats.spec_files, "objects": result.stats.objects}
    if not result.ok:
        return PlanResult(result.diagnostics, None, **counts)
    on_disk, problems = _read_disk(build, out)
    diagnostics = [*result.diagnostics, *problems]
    if commit is None:
        if problems:
            return PlanResult(sort_diagnostics(diagnostics), None, **counts)
        baseline, before, quota_before = Baseline(out), on_disk, None
    else:
        files = git.files_under(commit, out)
        before = _generated(files, f"{out}/")
        baseline = Baseline(out, commit.ref, commit.short)
        quota_before = _base_quota(commit, build)
        if not problems and on_disk != dict(result.tree):
            diagnostics.append(_stale(out))
    plan = compute_plan(baseline, before, result.tree, quota_before, quotas(result.platform))
    return PlanResult(sort_diagnostics(diagnostics), plan, **counts)


__all__ = ["PlanOptions", "PlanResult", "make_plan", "quotas"]
