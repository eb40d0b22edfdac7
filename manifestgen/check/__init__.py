"""Output validation: every generated object checked offline against its schema.

Built-in kinds are checked against the Kubernetes JSON schemas bundled with
kubernetes-validate, custom resources against their CRD made strict (unknown fields are
errors, as for built-ins). Without a CRD, a custom resource manifestgen emits gets its
`metadata` and pod templates checked, nothing else (`source` "generic"). `metadata` is
checked the way the API server checks it.

    validator = OutputValidator.create("1.33", [Path("crds")])
    outcome = validator.check(obj)
    for problem in outcome.problems:
        ...  # problem.path, problem.message, problem.rule

CEL rules (`x-kubernetes-validations`) are evaluated by `manifestgen.check.cel` on the
schema `OutputValidator.raw_crd_schema` returns.
"""

from __future__ import annotations

from manifestgen.check.cache import MemoryCache, PreparedSchemaCache
from manifestgen.check.kubernetes import UnsupportedKubernetesVersionError
from manifestgen.check.problems import (
    CheckOutcome,
    CrdLoadError,
    ObjectProblem,
    SchemaSource,
    format_path,
)
from manifestgen.check.validator import OutputValidator

__all__ = [
    "CheckOutcome",
    "CrdLoadError",
    "MemoryCache",
    "ObjectProblem",
    "OutputValidator",
    "PreparedSchemaCache",
    "SchemaSource",
    "UnsupportedKubernetesVersionError",
    "format_path",
]
