"""The output validator: routes each generated object to the right schema and checks it.

Built-in kinds are checked against the Kubernetes schemas bundled with kubernetes-validate,
custom resources against their CRD (made strict); a custom resource manifestgen emits
whose CRD is not configured gets the generic check of its metadata and pod templates
(see generic.py). Every schema is prepared and compiled on first use and kept for the
validator's lifetime.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manifestgen.check.cache import PreparedSchemaCache, prepared_key
from manifestgen.check.cel_values import apply_defaults
from manifestgen.check.crds import (
    CrdFileCache,
    CrdSet,
    CrdVersion,
    GroupVersionKind,
    declares_fields,
    declares_rules,
    load_crd_versions,
)
from manifestgen.check.engine import CompiledSchema, SchemaCompileError, pattern_supported
from manifestgen.check.generic import GenericChecks, generic_row
from manifestgen.check.kubernetes import (
    OBJECT_META,
    KindSchemaCache,
    KubernetesSchemas,
    select_version,
)
from manifestgen.check.legacy import Replacement, superseded
from manifestgen.check.metadata import NameRule, metadata_problems, name_rule
from manifestgen.check.openapi import (
    OpenApiDocument,
    find_schema,
    load_openapi_documents,
    strict_schema,
)
from manifestgen.check.problems import (
    CheckOutcome,
    ObjectProblem,
    SchemaSource,
    format_path,
    sort_problems,
)
from manifestgen.check.schemautil import gc_paused
from manifestgen.check.strict import PreparedSchema, strict_crd_schema

if TYPE_CHECKING:
    # Imported lazily below: the CEL library costs start-up that a pre-commit run
    # checking only built-in kinds should not pay.
    from manifestgen.check.cel import CelEvaluator

_UNCHECKED = CheckOutcome(problems=(), source="none")

Checker = Callable[[Mapping[str, Any]], CheckOutcome]
_OpenApi = Sequence[OpenApiDocument] | Callable[[], Sequence[OpenApiDocument]]


class OutputValidator:
    """Checks generated Kubernetes objects offline. Create it with `OutputValidator.create`.

    One validator per Kubernetes version and CRD set; it is meant to live for a whole run
    (schemas are compiled once, on first use) and is not shared between threads.
    """

    def __init__(
        self,
        kubernetes: KubernetesSchemas,
        crds: Mapping[GroupVersionKind, CrdVersion],
        *,
        cache: PreparedSchemaCache | None = None,
        openapi: _OpenApi = (),
    ) -> None:
        self._kubernetes = kubernetes
        # A CrdSet reads each schema on first use; keep it as it is.
        self._crds: Mapping[GroupVersionKind, CrdVersion] = (
            crds if isinstance(crds, CrdSet) else dict(crds)
        )
        # A callable is read on first use (see `create`).
        self._openapi = openapi if callable(openapi) else tuple(openapi)
        self._cache = cache
        self._checkers: dict[GroupVersionKind, Checker | None] = {}
        self._prepared: dict[GroupVersionKind, PreparedSchema] = {}
        self._generic = GenericChecks(kubernetes)
        self._cel: CelEvaluator | None = None

    @classmethod
    def create(
        cls,
        kubernetes_version: str,
        crd_paths: Sequence[Path] = (),
        *,
        cache: PreparedSchemaCache | None = None,
    ) -> OutputValidator:
        """A validator for `kubernetes_version` ("1.33") and the CRDs under `crd_paths`.

        `crd_paths` are files or directories (searched recursively for *.yaml, *.yml and
        *.json); documents other than apiextensions.k8s.io/v1 CustomResourceDefinitions
        are ignored. Raises `CrdLoadError` for a missing path, an unparsable file, a CRD
        version without a usable schema or a location without a CRD, and
        `UnsupportedKubernetesVersionError` for a version without bundled schemas.
        """
        kind_cache = cache if isinstance(cache, KindSchemaCache) else None
        kubernetes = KubernetesSchemas(select_version(kubernetes_version), kind_cache)
        file_cache = cache if isinstance(cache, CrdFileCache) else None
        crds = load_crd_versions(crd_paths, file_cache)
        # OpenAPI documents matter only for CRDs that describe nothing (Katib's). Files
        # known by their stamps were all read without error by an earlier run, so they can
        # wait until such a kind is checked; else they are read now, to fail early.
        needed = not all(crds.declares_fields(gvk) for gvk in crds)
        openapi: _OpenApi = []
        if needed and crds.from_stamps:
            openapi = functools.partial(load_openapi_documents, tuple(crd_paths))
        elif needed:
            openapi = load_openapi_documents(crd_paths)
        crds.remember()
        return cls(kubernetes, crds, cache=cache, openapi=openapi)

    @property
    def kubernetes_version(self) -> str:
        """The bundled Kubernetes schema version in use, e.g. "1.33"."""
        return self._kubernetes.label

    def check(self, obj: Mapping[str, Any]) -> CheckOutcome:
        """Check one object; problems come back sorted by path, then message."""
        gvk, problems = _group_version_kind(obj)
        if gvk is None:
            return CheckOutcome(sort_problems(problems), "none")
        checker = self._checker(gvk)
        return checker(obj) if checker is not None else _UNCHECKED

    def crd_kinds(self) -> frozenset[GroupVersionKind]:
        """(group, version, kind) of every served CRD version that was loaded."""
        return frozenset(self._crds)

    def crd_files_read(self) -> frozenset[Path]:
        """The CRD files whose schemas were read so far (each on first use of a kind)."""
        return frozenset(self._crds.files_read) if isinstance(self._crds, CrdSet) else frozenset()

    def crd_source(self, group: str, version: str, kind: str) -> str | None:
        """The file the CRD serving (group, version, kind) was read from, or None."""
        crd = self._crds.get((group, version, kind))
        return crd.source if crd is not None else None

    def raw_crd_schema(self, group: str, version: str, kind: str) -> Mapping[str, Any] | None:
        """The CRD's `openAPIV3Schema` as published (CEL rules included), or None.

        This is the seam for `check/cel.py`: it evaluates `x-kubernetes-validations`,
        which the strict schema drops.
        """
        crd = self._crds.get((group, version, kind))
        return crd.schema if crd is not None else None

    def strict_crd_schema(self, group: str, version: str, kind: str) -> Mapping[str, Any] | None:
        """The strict JSON Schema compiled for a CRD kind, or None if no CRD serves it."""
        gvk = (group, version, kind)
        return self._prepared_schema(gvk).schema if gvk in self._crds else None

    def skipped_patterns(self) -> tuple[str, ...]:
        """CRD patterns no check is made for: "<crd>/<version>: <json pointer>: <pattern>".

        Prepares every loaded CRD version (cheap next to compiling them).
        """
        return tuple(
            p for gvk in sorted(self._crds) for p in self._prepared_schema(gvk).skipped_patterns
        )

    def translated_patterns(self) -> tuple[str, ...]:
        """CRD patterns rewritten from Go RE2 syntax: "<crd>/<version>: <ptr>: <old> -> <new>"."""
        return tuple(
            p for gvk in sorted(self._crds) for p in self._prepared_schema(gvk).translated_patterns
        )

    def _checker(self, gvk: GroupVersionKind) -> Checker | None:
        if gvk not in self._checkers:
            self._checkers[gvk] = self._build_checker(gvk)
        return self._checkers[gvk]

    def _build_checker(self, gvk: GroupVersionKind) -> Checker | None:
        group, version, kind = gvk
        builtin = self._kubernetes.kind_schema(group, version, kind)
        if builtin is not None:
            stem, schema = builtin
            name = f"kubernetes {self._kubernetes.label} {stem}"
            return _schema_checker(schema, "kubernetes", name, name_rule(kind, builtin=True))
        legacy = superseded(gvk, self._crds)
        if legacy is not None:
            return _legacy_checker(gvk, legacy)
        crd = self._crds.get(gvk)
        if crd is not None:
            schema_check = _json_schema_checker(
                self._prepared_schema(gvk).schema,
                "crd",
                crd.label,
                name_rule(kind, builtin=False),
                admit=lambda data: apply_defaults(data, crd.schema),
            )
            if not declares_fields(crd.schema):
                described = self._openapi_checker(gvk)
                if described is not None:
                    return described
                return _without_structural_schema(lambda obj: schema_check(obj)[0], crd)
            if not self._declares_rules(gvk, crd):
                return lambda obj: schema_check(obj)[0]
            return _with_cel_rules(schema_check, self._cel_evaluator(), crd.schema)
        row = generic_row(gvk)
        return self._generic.checker(row) if row is not None else None

    def _declares_rules(self, gvk: GroupVersionKind, crd: CrdVersion) -> bool:
        if isinstance(self._crds, CrdSet):
            return self._crds.declares_rules(gvk)  # from the index: no walk of the schema
        return declares_rules(crd.schema)

    def _openapi_checker(self, gvk: GroupVersionKind) -> Checker | None:
        """A checker against the operator's OpenAPI document, for a CRD without a schema."""
        if callable(self._openapi):
            self._openapi = tuple(self._openapi())
        found = find_schema(self._openapi, gvk)
        if found is None:
            return None
        document, name = found
        label = f"openapi {name} ({document.source})"
        return _schema_checker(
            strict_schema(document, name), "crd", label, name_rule(gvk[2], builtin=False)
        )

    def _cel_evaluator(self) -> CelEvaluator:
        if self._cel is None:
            from manifestgen.check.cel import CelEvaluator

            self._cel = CelEvaluator()
        return self._cel

    def _prepared_schema(self, gvk: GroupVersionKind) -> PreparedSchema:
        # Memory first, then the persistent cache (if any), then the actual work.
        prepared = self._prepared.get(gvk)
        if prepared is not None:
            return prepared
        crd = self._crds[gvk]
        key = prepared_key(crd.digest, self._kubernetes.label)
        prepared = self._cache.get(key) if self._cache is not None else None
        if prepared is None:
            with gc_paused():
                prepared = strict_crd_schema(
                    crd.schema,
                    label=f"{crd.crd_name}/{crd.version}",
                    object_meta_defs=self._kubernetes.definitions_for(OBJECT_META),
                    pattern_supported=pattern_supported,
                )
            if self._cache is not None:
                self._cache.put(key, prepared)
        self._prepared[gvk] = prepared
        return prepared


def _schema_checker(
    schema: Mapping[str, Any], source: SchemaSource, name: str, rule: NameRule
) -> Checker:
    check = _json_schema_checker(schema, source, name, rule)
    return lambda obj: check(obj)[0]


# A schema check that also gives the object as JSON, for the CEL rules that follow it.
_JsonChecker = Callable[[Mapping[str, Any]], tuple[CheckOutcome, Any]]


def _json_schema_checker(
    schema: Mapping[str, Any],
    source: SchemaSource,
    name: str,
    rule: NameRule,
    *,
    admit: Callable[[Any], Any] | None = None,
) -> _JsonChecker:
    """A checker against one compiled schema. `admit` turns an object (as JSON) into what
    the API server validates (a custom resource: nulls pruned, defaults applied)."""
    try:
        compiled = CompiledSchema(schema)
    except SchemaCompileError as error:
        # Never crash on a CRD: every object of this kind reports why it was not checked.
        broken = (
            ObjectProblem(
                (), f"cannot be checked: its schema does not compile ({error})", blocking=True
            ),
        )
        return lambda obj: (CheckOutcome(broken, source, name), obj)

    def check(obj: Mapping[str, Any]) -> tuple[CheckOutcome, Any]:
        found, data = compiled.check(obj)
        if found and admit is not None:
            # Pruning nulls and defaulting only ever remove problems (the API server checks
            # defaults against the schema when the CRD is created), so an object valid as
            # written needs neither: the common case pays nothing for them.
            found = compiled.problems(admit(data))
        found += metadata_problems(obj, rule)
        return CheckOutcome(sort_problems(found), source, name), data

    return check


def _without_structural_schema(checker: Checker, crd: CrdVersion) -> Checker:
    """Only `metadata` can be wrong (the API server checks it whatever the schema); an
    object with good metadata is unchecked, not valid."""
    reason = (
        f"the CRD {crd.crd_name}/{crd.version} has no structural schema (it keeps unknown "
        "fields and declares none), so any content is accepted; use --skip-kind or "
        "--missing-schema warn to accept it"
    )

    def check(obj: Mapping[str, Any]) -> CheckOutcome:
        outcome = checker(obj)
        return outcome if outcome.problems else replace(outcome, unchecked=reason)

    return check


def _legacy_checker(gvk: GroupVersionKind, legacy: Replacement) -> Checker:
    group, version, kind = gvk
    message = (
        f"{group}/{version} {kind} is a legacy API: the configured CRDs serve what replaced "
        f"it; {legacy.hint}"
    )
    outcome = CheckOutcome((ObjectProblem(("apiVersion",), message, "kind", True),), "crd")
    return lambda _obj: outcome


# What the API server says, word for word, when a blocking error kept it from running CEL.
RULES_NOT_CHECKED = (
    "some validation rules were not checked because the object was invalid; "
    "correct the existing errors to complete validation"
)


def _with_cel_rules(checker: _JsonChecker, cel: CelEvaluator, raw: Mapping[str, Any]) -> Checker:
    """Add the CRD's CEL rules. As the API server does, they run unless the schema found a
    blocking error (a wrong type, a missing field...: a rule reading that field would only
    add noise); after other errors (a pattern, a minimum, an unknown field) they run too."""

    def check(obj: Mapping[str, Any]) -> CheckOutcome:
        outcome, data = checker(obj)
        if any(p.blocking for p in outcome.problems):
            # A note, not one more problem: the object is already invalid, and the reader
            # (or a build diagnostic per problem) gains nothing from a second error.
            return replace(outcome, skipped=(f"(object): CEL rules: {RULES_NOT_CHECKED}",))
        findings = cel.evaluate(raw, data)
        failed = [
            ObjectProblem(f.path, f.message, rule="cel") for f in findings if f.status == "failed"
        ]
        skipped = tuple(
            f"{format_path(f.path) or '(object)'}: {f.rule}: {f.reason}"
            for f in findings
            if f.status == "skipped"
        )
        problems = sort_problems((*outcome.problems, *failed))
        return replace(outcome, problems=problems, skipped=skipped)

    return check


def _group_version_kind(
    obj: Mapping[str, Any],
) -> tuple[GroupVersionKind | None, list[ObjectProblem]]:
    if not isinstance(obj, Mapping):
        return None, [ObjectProblem((), f"must be an object (got {type(obj).__name__})")]
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    problems = []
    if not isinstance(api_version, str) or not api_version:
        problems.append(ObjectProblem((), "'apiVersion' is required"))
    elif api_version.count("/") > 1 or api_version.startswith("/") or api_version.endswith("/"):
        problems.append(
            ObjectProblem(
                ("apiVersion",), f"must be 'group/version' or 'version' (got {api_version!r})"
            )
        )
    if not isinstance(kind, str) or not kind:
        problems.append(ObjectProblem((), "'kind' is required"))
    if problems or not isinstance(api_version, str) or not isinstance(kind, str):
        return None, problems
    group, _, version = api_version.rpartition("/")
    return (group, version, kind), []
