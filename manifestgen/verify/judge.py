"""The verdict on each document: the validator's findings plus the run's policy.

The policy is what the command line decides: kinds to skip or reject, what a kind without
a schema means, and kustomize's own configuration files, which are never applied to a
cluster and so are skipped (visibly, in verbose output and the counts).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from manifestgen.check import CheckOutcome, ObjectProblem, OutputValidator, format_path
from manifestgen.check.children import child_name_problems
from manifestgen.check.legacy import replacement
from manifestgen.check.problems import sort_problems
from manifestgen.verify.inputs import Document, Source, read_documents
from manifestgen.verify.lines import with_lines
from manifestgen.verify.model import FileResult, Finding, MissingSchema, Resource, Status

# API groups of configuration read by kustomize itself, not objects a cluster stores.
NOT_APPLIED_GROUPS = frozenset({"kustomize.config.k8s.io", "config.kubernetes.io"})


@dataclass(frozen=True)
class Policy:
    """Kinds (`Kind` or `apiVersion/Kind`) to skip or reject, and what a kind with no
    schema means: an error, a warning (the resource counts as skipped) or a silent skip."""

    skip_kinds: frozenset[str] = frozenset()
    reject_kinds: frozenset[str] = frozenset()
    missing_schema: MissingSchema = "error"


class Judge:
    """Turns documents into `Resource` verdicts with one validator and one policy."""

    def __init__(self, validator: OutputValidator, policy: Policy) -> None:
        self.validator = validator
        self.policy = policy

    def file(self, source: Source) -> FileResult:
        """Read `source` and judge every object in it."""
        documents, errors = read_documents(source)
        resources = with_lines(source, [self.resource(source.name, d) for d in documents])
        return FileResult(source.name, resources, tuple(errors))

    def resource(self, file: str, document: Document) -> Resource:
        """The verdict on one object."""
        obj = document.obj
        api_version, kind, name = _identity(obj)
        base = Resource(file, document.index, document.item, api_version, kind, name, "valid")
        if _matches(self.policy.skip_kinds, api_version, kind):
            return replace(base, status="skipped", notes=("skipped: --skip-kind",))
        if api_version.partition("/")[0] in NOT_APPLIED_GROUPS:
            return replace(base, status="skipped", notes=("skipped: kustomize configuration",))
        if _matches(self.policy.reject_kinds, api_version, kind):
            rejected = Finding("", f"kind {kind} is rejected (--reject-kind)", "kind")
            return replace(base, status="invalid", findings=(rejected,))
        outcome = self.validator.check(obj)
        if outcome.source == "none" and not outcome.problems:
            return self._unchecked(base, _no_schema(base), "no schema")
        if outcome.unchecked:
            unchecked = replace(base, schema=outcome.schema_name)
            return self._unchecked(unchecked, f"not checked: {outcome.unchecked}", "no schema")
        return self._checked(base, obj, outcome)

    def _checked(self, base: Resource, obj: Any, outcome: CheckOutcome) -> Resource:
        problems = list(outcome.problems)
        # The validator may already make the child-name check (it is being wired into
        # OutputValidator.check); adding only what it did not report keeps each problem
        # once, either way.
        problems += [p for p in child_name_problems(obj) if p not in outcome.problems]
        findings = tuple(_finding(p) for p in sort_problems(problems))
        notes = tuple(f"skipped check: {s}" for s in getattr(outcome, "skipped", ()))
        status: Status = "invalid" if findings else "valid"
        return replace(
            base, status=status, findings=findings, schema=outcome.schema_name, notes=notes
        )

    def _unchecked(self, base: Resource, message: str, short: str) -> Resource:
        """A resource nothing could be checked for, judged by --missing-schema."""
        mode = self.policy.missing_schema
        if mode == "skip":
            return replace(base, status="skipped", notes=(f"skipped: {short}",))
        if mode == "warn":
            warning = Finding("", message, "missing-schema", "warning")
            return replace(base, status="skipped", findings=(warning,))
        return replace(base, status="invalid", findings=(Finding("", message, "missing-schema"),))


def _no_schema(resource: Resource) -> str:
    group, _, version = resource.api_version.rpartition("/")
    legacy = replacement((group, version, resource.kind))
    if legacy is not None:
        return f"no CRD serves {resource.kind_key}, a legacy API; {legacy.hint}"
    return (
        f"no schema for {resource.kind_key}: pass the CRD that defines it with --crds, "
        "or use --skip-kind"
    )


def _identity(obj: Any) -> tuple[str, str, str]:
    if not isinstance(obj, Mapping):
        return "", "", ""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    metadata = obj.get("metadata")
    name = None
    if isinstance(metadata, Mapping):
        name = metadata.get("name")
        generate_name = metadata.get("generateName")
        if not name and isinstance(generate_name, str):
            name = f"{generate_name}*"
    return (
        api_version if isinstance(api_version, str) else "",
        kind if isinstance(kind, str) else "",
        name if isinstance(name, str) else "",
    )


def _matches(kinds: frozenset[str], api_version: str, kind: str) -> bool:
    return bool(kinds) and bool(kind) and (kind in kinds or f"{api_version}/{kind}" in kinds)


def _finding(problem: ObjectProblem) -> Finding:
    return Finding(format_path(problem.path), problem.message, problem.rule, keys=problem.path)
