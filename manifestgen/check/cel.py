"""Offline evaluation of CRD ``x-kubernetes-validations`` (CEL) rules, as run on CREATE.

The schema is walked together with the object (``properties``, ``additionalProperties`` maps and
``items``); every rule of a node whose value is present and not null runs with ``self`` bound to
that value. Before that the object is defaulted from the schema, because the API server defaults a
request before validating it and upstream rules rely on it. See :mod:`manifestgen.check.cel_values`
for how values are typed and :mod:`manifestgen.check.cel_engine` for the CEL library.

A rule that cannot be checked here is never counted as passed: it comes back as a ``skipped``
finding with the reason (a transition rule, a function the library lacks, a library error).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from manifestgen.check.cel_engine import (
    OLD_SELF,
    CelRuntime,
    CompiledRule,
    compile_rule,
    no_old_self,
)
from manifestgen.check.cel_library import cel
from manifestgen.check.cel_values import (
    apply_defaults,
    default_for,
    to_cel,
    with_type_and_object_meta,
)

SKIP_TRANSITION: Final = "transition rule (oldSelf): applies to updates only"
SKIP_COMBINATOR: Final = "rule inside allOf/anyOf/oneOf/not: not evaluated by manifestgen"
EVALUATION_ERROR: Final = "rule could not be evaluated: "

_COMBINATORS: Final = ("allOf", "anyOf", "oneOf", "not")
_RULES: Final = "x-kubernetes-validations"
_FIELD_PATH_TOKEN: Final = re.compile(r"\.([^.\[\]']+)|\['((?:[^'\\]|\\.)*)'\]")
_QUOTED_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r"}

PathElement = str | int


@dataclass(frozen=True)
class CelFinding:
    """A rule that rejected the object, or that could not be checked.

    ``path`` is the JSON path of the node the rule applies to, relative to the object root,
    extended by the rule's ``fieldPath`` for a rule that evaluated to false (an evaluation error is
    reported at the node, as Kubernetes does). ``reason`` explains a skip; for a failure it is the
    rule's ``reason`` field (empty for evaluation errors, which Kubernetes reports as invalid).
    """

    path: tuple[PathElement, ...]
    rule: str
    message: str
    status: Literal["failed", "skipped"]
    reason: str = ""


@dataclass(frozen=True)
class CelRule:
    """A rule a schema declares, and whether :class:`CelEvaluator` runs it on CREATE.

    ``schema_path`` names properties; ``"[]"`` stands for array items and ``"{}"`` for the values of
    an ``additionalProperties`` map.
    """

    schema_path: tuple[str, ...]
    rule: str
    message: str
    status: Literal["evaluated", "skipped"]
    reason: str = ""


@dataclass(frozen=True)
class _Rule:
    """The fields of one ``x-kubernetes-validations`` entry."""

    text: str
    message: str
    message_expression: str
    field_path: tuple[str, ...]
    reason: str
    optional_old_self: bool

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> _Rule:
        text = str(raw.get("rule") or "")
        message = str(raw.get("message") or "").strip()
        return cls(
            text=text,
            message=message or f"failed rule: {text.strip()}",
            message_expression=str(raw.get("messageExpression") or ""),
            field_path=_field_path(str(raw.get("fieldPath") or "")),
            reason=str(raw.get("reason") or ""),
            optional_old_self=raw.get("optionalOldSelf") is True,
        )


@dataclass(frozen=True)
class _NodePlan:
    """What one schema node asks of the evaluator, worked out once per schema node."""

    rules: tuple[tuple[_Rule, CompiledRule, str], ...]  # rule, its program, why it cannot run
    combinator_rules: tuple[_Rule, ...]  # rules under allOf/anyOf/oneOf/not, never run
    active: bool  # whether this node or any node below it declares a rule
    # Only the children whose subtree declares a rule: an object costs the walk of those
    # subtrees alone, whatever else it holds.
    properties: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    declared: frozenset[str] = frozenset()  # every property name, active or not
    extra: Mapping[str, Any] | None = None  # additionalProperties, when active
    items: Mapping[str, Any] | None = None  # items, when active


class CelEvaluator:
    """Evaluates the CEL rules of one CRD version's ``openAPIV3Schema`` against objects.

    Compiled rules are cached per process; an evaluator holds per-call state, so use one per thread.
    """

    def __init__(self) -> None:
        self._runtime = CelRuntime()
        # Per schema node (by identity, the node kept alive beside it): the root CEL sees, and
        # the node's plan (its rules parsed and compiled, whether its subtree has any), so an
        # object costs only the walk of the subtrees that declare rules.
        self._roots: dict[int, tuple[Mapping[str, Any], Mapping[str, Any]]] = {}
        self._plans: dict[int, tuple[Mapping[str, Any], _NodePlan]] = {}

    def _root(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        known = self._roots.get(id(schema))
        if known is None or known[0] is not schema:
            root = with_type_and_object_meta(schema) if schema.get("type") == "object" else schema
            known = self._roots[id(schema)] = (schema, root)
        return known[1]

    def _plan(self, schema: Mapping[str, Any]) -> _NodePlan:
        known = self._plans.get(id(schema))
        if known is None or known[0] is not schema:
            known = self._plans[id(schema)] = (schema, self._make_plan(schema))
        return known[1]

    def _make_plan(self, schema: Mapping[str, Any]) -> _NodePlan:
        rules = []
        for raw in _rules_of(schema):
            rule = _Rule.parse(raw)
            compiled = compile_rule(rule.text)
            rules.append((rule, compiled, _static_skip(compiled, rule.optional_old_self)))
        combinator = tuple(_Rule.parse(raw) for raw in _combinator_rules(schema))
        properties = schema.get("properties") or {}
        active_properties = tuple(
            (key, sub)
            for key, sub in properties.items()
            if isinstance(sub, Mapping) and self._plan(sub).active
        )
        extra, items = schema.get("additionalProperties"), schema.get("items")
        active_extra = extra if isinstance(extra, Mapping) and self._plan(extra).active else None
        active_items = items if isinstance(items, Mapping) and self._plan(items).active else None
        active = bool(rules or combinator or active_properties or active_extra or active_items)
        return _NodePlan(
            tuple(rules),
            combinator,
            active,
            active_properties,
            frozenset(properties),
            active_extra,
            active_items,
        )

    def evaluate(self, schema: Mapping[str, Any], obj: Any) -> tuple[CelFinding, ...]:
        """Check ``obj`` (a whole resource) against every rule of ``schema``; sorted findings."""
        root = self._root(schema)
        findings: list[CelFinding] = []
        self._walk(root, default_for(obj, root), (), findings)
        return tuple(sorted(findings, key=_sort_key))

    def count_rules(self, schema: Mapping[str, Any]) -> int:
        """How many rules ``schema`` declares (for coverage reports)."""
        return len(self.rules(schema))

    def rules(self, schema: Mapping[str, Any]) -> tuple[CelRule, ...]:
        """Every rule ``schema`` declares, with whether it can run here and why not."""
        found: list[CelRule] = []
        for path, node in _schema_nodes(schema, ()):
            for raw in _rules_of(node):
                rule = _Rule.parse(raw)
                reason = _static_skip(compile_rule(rule.text), rule.optional_old_self)
                status: Literal["evaluated", "skipped"] = "skipped" if reason else "evaluated"
                found.append(CelRule(path, rule.text, rule.message, status, reason))
            for raw in _combinator_rules(node):
                rule = _Rule.parse(raw)
                found.append(CelRule(path, rule.text, rule.message, "skipped", SKIP_COMBINATOR))
        return tuple(found)

    def _walk(
        self,
        schema: Mapping[str, Any],
        value: Any,
        path: tuple[PathElement, ...],
        findings: list[CelFinding],
    ) -> None:
        plan = self._plan(schema)
        if value is None or not plan.active:
            return  # Kubernetes validates only non-null values; nothing to run below here
        if plan.rules:
            # The API server defaults before validating; only the subtrees a rule reads need it.
            cel_self = to_cel(apply_defaults(value, schema), schema)
            node = _Node(self._runtime, cel_self)
            for rule, compiled, skip in plan.rules:
                finding = self._check(rule, compiled, skip, node, path)
                if finding is not None:
                    findings.append(finding)
        for rule in plan.combinator_rules:
            findings.append(CelFinding(path, rule.text, rule.message, "skipped", SKIP_COMBINATOR))
        for key, child_schema, child in _active_children(plan, value):
            self._walk(child_schema, child, (*path, key), findings)

    def _check(
        self,
        rule: _Rule,
        compiled: CompiledRule,
        skip: str,
        node: _Node,
        path: tuple[PathElement, ...],
    ) -> CelFinding | None:
        if skip or compiled.program is None:
            return CelFinding(path, rule.text, rule.message, "skipped", skip)
        context = node.context(with_old_self=compiled.uses_old_self)
        outcome = self._runtime.run(compiled.program, context)
        if outcome.kind == "library_error":
            reason = f"CEL library could not evaluate the rule: {outcome.detail}"
            return CelFinding(path, rule.text, rule.message, "skipped", reason)
        if outcome.kind == "object_error":
            return CelFinding(path, rule.text, EVALUATION_ERROR + outcome.detail, "failed")
        if outcome.value is True:
            return None
        # Like the API server, anything but true rejects (CRD creation makes rules boolean).
        message = self._message(rule, context)
        return CelFinding((*path, *rule.field_path), rule.text, message, "failed", rule.reason)

    def _message(self, rule: _Rule, context: cel.Context) -> str:
        """The evaluated ``messageExpression``; ``message`` if it errs or gives no one-liner."""
        if not rule.message_expression:
            return rule.message
        compiled = compile_rule(rule.message_expression)
        if compiled.program is None or compiled.unsupported:
            return rule.message
        outcome = self._runtime.run(compiled.program, context)
        text = outcome.value.strip() if isinstance(outcome.value, str) else ""
        return text if outcome.kind == "value" and text and "\n" not in text else rule.message


class _Node:
    """The variables of the rules of one node, bound once: converting ``self`` to CEL values is
    most of the cost of a rule, and the rules of a node share it."""

    def __init__(self, runtime: CelRuntime, cel_self: Any) -> None:
        self._runtime = runtime
        self._self = cel_self
        self._contexts: dict[bool, cel.Context] = {}

    def context(self, *, with_old_self: bool) -> cel.Context:
        if with_old_self not in self._contexts:
            variables = {"self": self._self}
            if with_old_self:
                variables[OLD_SELF] = no_old_self()  # optionalOldSelf on CREATE: an empty optional
            self._contexts[with_old_self] = self._runtime.bind(variables)
        return self._contexts[with_old_self]


def _static_skip(compiled: CompiledRule, optional_old_self: bool) -> str:
    """Why a rule cannot run on CREATE whatever the object, or ``""``."""
    if compiled.uses_old_self and not optional_old_self:
        return SKIP_TRANSITION
    if compiled.program is None:
        return f"CEL library could not compile the rule: {compiled.compile_error}"
    if compiled.unsupported:
        return f"uses unsupported CEL function {', '.join(compiled.unsupported)}"
    return ""


def _rules_of(schema: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    rules = schema.get(_RULES)
    return [r for r in rules if isinstance(r, Mapping)] if isinstance(rules, list | tuple) else []


def _combinator_rules(schema: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Rules nested under allOf/anyOf/oneOf/not, which this evaluator does not run."""
    stack: list[Any] = [schema.get(key) for key in _COMBINATORS]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            yield from _rules_of(node)
            stack.extend(v for k, v in node.items() if k != _RULES)
        elif isinstance(node, list | tuple):
            stack.extend(node)


def _active_children(
    plan: _NodePlan, value: Any
) -> Iterator[tuple[PathElement, Mapping[str, Any], Any]]:
    """The child values of ``value`` whose schema declares a rule below it, with that schema."""
    if isinstance(value, Mapping):
        for key, sub in plan.properties:
            if key in value:
                yield key, sub, default_for(value[key], sub)
            elif sub.get("default") is not None:
                # Absent fields with a default exist by the time the API server validates.
                yield key, sub, sub["default"]
        extra = plan.extra
        if extra is not None:
            for key, child in value.items():
                if key not in plan.declared:
                    yield key, extra, default_for(child, extra)
    elif isinstance(value, list) and plan.items is not None:
        for index, child in enumerate(value):
            yield index, plan.items, default_for(child, plan.items)


def _schema_nodes(
    schema: Mapping[str, Any], path: tuple[str, ...]
) -> Iterator[tuple[tuple[str, ...], Mapping[str, Any]]]:
    yield path, schema
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, Mapping):
            yield from _schema_nodes(sub, (*path, name))
    for key, marker in (("additionalProperties", "{}"), ("items", "[]")):
        sub = schema.get(key)
        if isinstance(sub, Mapping):
            yield from _schema_nodes(sub, (*path, marker))


def _field_path(text: str) -> tuple[str, ...]:
    """``.spec.limits['nvidia.com/gpu']`` as path segments; ``()`` when absent or malformed.

    The API server refuses a CRD with a malformed ``fieldPath``, so ignoring one loses nothing.
    """
    if text and not text.startswith((".", "[")):
        text = f".{text}"
    segments: list[str] = []
    position = 0
    for match in _FIELD_PATH_TOKEN.finditer(text):
        if match.start() != position:
            return ()
        name, quoted = match.groups()
        segments.append(name if name is not None else _unquote(quoted))
        position = match.end()
    return tuple(segments) if position == len(text) else ()


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _QUOTED_ESCAPES.get(m.group(1), m.group(1)), text)


def _sort_key(finding: CelFinding) -> tuple[Any, ...]:
    # Paths mix keys and indexes; order indexes numerically and never compare str with int.
    path = tuple((1, "", p) if isinstance(p, int) else (0, p, 0) for p in finding.path)
    return (path, finding.rule, finding.status, finding.message, finding.reason)
