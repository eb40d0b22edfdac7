"""The check stage: every generated object against its schema, errors mapped to spec lines."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from manifestgen.check import (
    CheckOutcome,
    CrdLoadError,
    ObjectProblem,
    OutputValidator,
    UnsupportedKubernetesVersionError,
)
from manifestgen.check.disk_cache import schema_cache
from manifestgen.check.generic import CHECKED_PARTS
from manifestgen.errors import Diagnostic, Related, Severity, SourceLocation
from manifestgen.manifest import Manifest
from manifestgen.options import BuildOptions, crds_from_environment
from manifestgen.pipeline.object_memo import ObjectMemo
from manifestgen.render.layout import ARGOCD_DIR, path_of
from manifestgen.report.progress import report
from manifestgen.spec.kubernetes_rules import check_kubernetes_versions
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Platform


def _crd_locations(
    platform: Parsed[Platform], options: BuildOptions
) -> tuple[list[Path], list[Diagnostic]]:
    """Configured CRD paths that exist; a missing one is an error at the line that names it."""
    found: list[Path] = []
    problems: list[Diagnostic] = []
    configured = [
        (Path(p), platform.locate(("spec", "crds", i)), f"spec.crds[{i}]")
        for i, p in enumerate(platform.model.spec.crds)
    ]
    configured += [(p, SourceLocation("--crds"), "") for p in options.crds]
    configured += [(p, SourceLocation("$MANIFESTGEN_CRDS"), "") for p in crds_from_environment()]
    for path, location, field in configured:
        full = path if path.is_absolute() else options.root / path
        if full.exists():
            found.append(full)
        else:
            problems.append(
                Diagnostic(
                    "MG403",
                    f"CRD location {path.as_posix()!r} does not exist",
                    location,
                    field=field,
                    hint="point it at a CRD file or a directory of CRDs",
                )
            )
    return found, problems


def _versions(platform: Platform) -> dict[str, str]:
    """Kubernetes version per top-level output directory; Argo CD objects use the newest."""
    versions = {name: c.kubernetes_version for name, c in platform.spec.clusters.items()}
    versions[ARGOCD_DIR] = max(versions.values(), key=lambda v: tuple(int(x) for x in v.split(".")))
    return versions


def _field(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_CODES = {"metadata": "MG404", "cel": "MG405"}

# Validators by Kubernetes version and CRD files (with their modification times): a
# process that builds repeatedly compiles each schema once.
_VALIDATORS: dict[tuple[str, tuple[tuple[str, int], ...], bool], OutputValidator] = {}


def _validator(version: str, crd_paths: list[Path], options: BuildOptions) -> OutputValidator:
    stamp = tuple((str(p.resolve()), p.stat().st_mtime_ns) for p in crd_paths)
    key = (version, stamp, options.use_cache)
    if key not in _VALIDATORS:
        cache = schema_cache(options.cache_dir) if options.use_cache else None
        _VALIDATORS[key] = OutputValidator.create(version, crd_paths, cache=cache)
    return _VALIDATORS[key]


def _diagnostic(manifest: Manifest, problem: ObjectProblem, out_dir: str) -> Diagnostic:
    code = _CODES.get(problem.rule, "MG401")
    where = _field(problem.path) or "(object)"
    return Diagnostic(
        code,
        f"generated {manifest.kind} {manifest.name!r}: {where}: {problem.message}",
        manifest.origin.locate(tuple(problem.path)),
        related=(
            Related(SourceLocation(f"{out_dir}/{path_of(manifest)}"), "the generated object"),
        ),
    )


def _version_diagnostics(platform: Parsed[Platform], message: str) -> list[Diagnostic]:
    """The clusters whose kubernetesVersion has no bundled schemas, else the message once.

    check_platform refuses such versions before this stage; this covers callers of the
    stage alone and a missing kubernetes-validate package."""
    found = list(check_kubernetes_versions(platform))
    return found or [Diagnostic("MG406", message, platform.locate(("spec", "clusters"), key=True))]


def _unchecked_note(kinds: set[str], platform: Parsed[Platform]) -> list[Diagnostic]:
    """One note for the whole build, however many objects and clusters: the kinds whose
    CRD is not configured, what was checked of them, and how to check the rest."""
    if not kinds:
        return []
    listed = ", ".join(sorted(kinds))
    return [
        Diagnostic(
            "MG402",
            f"not checked against an upstream CRD ({CHECKED_PARTS}): {listed}",
            platform.locate(("spec", "crds"))
            if platform.model.spec.crds
            else platform.locate(("spec",)),
            field="spec.crds",
            severity=Severity.NOTE,
            hint="add the operators' CRD files to spec.crds, pass --crds, or set "
            "MANIFESTGEN_CRDS to check the rest of these objects",
        )
    ]


def check_manifests(
    manifests: Sequence[Manifest],
    platform: Parsed[Platform],
    options: BuildOptions,
    memo: ObjectMemo | None = None,
) -> tuple[list[Diagnostic], tuple[str, ...]]:
    """Diagnostics for generated objects that fail their schema, and the kinds left
    unchecked; the `memo` answers for objects an earlier build found valid."""
    crd_paths, diagnostics = _crd_locations(platform, options)
    if memo is not None:
        memo.use_crds(crd_paths)
    versions = _versions(platform.model)
    try:
        validators = {
            version: _validator(version, crd_paths, options)
            for version in sorted(set(versions.values()))
        }
    except UnsupportedKubernetesVersionError as exc:
        diagnostics += _version_diagnostics(platform, str(exc))
        return diagnostics, ()
    except CrdLoadError as exc:
        diagnostics.append(
            Diagnostic(
                "MG403",
                f"cannot load CRDs: {exc.message}",
                SourceLocation(_display(Path(exc.path), options.root)),
            )
        )
        return diagnostics, ()
    unchecked: set[str] = set()
    undescribed: set[str] = set()
    out_dir = options.out_dir.as_posix()
    for done, manifest in enumerate(manifests, start=1):
        report("checking objects", done, len(manifests))
        version = versions[manifest.target.cluster or ARGOCD_DIR]
        check = validators[version].check
        outcome: CheckOutcome = (
            check(manifest.obj) if memo is None else memo.check(version, manifest.obj, check)
        )
        if outcome.source in ("generic", "none"):
            unchecked.add(f"{manifest.kind} ({manifest.obj['apiVersion']})")
        elif outcome.unchecked:
            undescribed.add(f"{manifest.kind} ({manifest.obj['apiVersion']})")
        diagnostics += [_diagnostic(manifest, p, out_dir) for p in outcome.problems]
    notes = _unchecked_note(unchecked, platform) + _undescribed_note(undescribed, platform)
    return diagnostics + notes, tuple(sorted(unchecked | undescribed))


def _undescribed_note(kinds: set[str], platform: Parsed[Platform]) -> list[Diagnostic]:
    """Kinds whose CRD accepts anything (no structural schema) and for which no OpenAPI
    document was found: not checked, which is never the same as valid."""
    if not kinds:
        return []
    return [
        Diagnostic(
            "MG407",
            "not checked: the CRD has no structural schema and no OpenAPI document "
            f"describes the kind: {', '.join(sorted(kinds))}",
            platform.locate(("spec", "crds"))
            if platform.model.spec.crds
            else platform.locate(("spec",)),
            field="spec.crds",
            severity=Severity.NOTE,
            hint="put the operator's OpenAPI document (Katib: api/openapi-spec/swagger.json) "
            "in a CRD location",
        )
    ]


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()
