"""The per-repository TrainingJob schema: the generic one plus this repository's Platform.

Editors complete `team`, `cluster` and `gpu.type` from it and flag what the CLI reports
as MG210 (unknown team), MG211 (unknown cluster), MG212 (unknown GPU type), MG213 (team
not on the cluster), MG214 (image outside the team's registries) and MG221 (more GPUs
per node than the type's instances have), as the spec is typed. It is derived from the
Platform, so it is regenerated with it (`manifestgen schema --for-repo`) and checked like
the rest of schemas/.
"""

from __future__ import annotations

import json
from typing import Any

from manifestgen.spec.platform import GpuType, Platform, Team
from manifestgen.spec.schema_export import schema_for

REPO_SCHEMA_FILE = "trainingjob.repo.schema.json"


def repo_schema(platform: Platform) -> dict[str, Any]:
    """The TrainingJob schema whose names are those `platform` defines."""
    schema = schema_for("TrainingJob")
    schema["$id"] = REPO_SCHEMA_FILE
    defs = schema["$defs"]
    teams, clusters, gpus = platform.spec.teams, platform.spec.clusters, platform.spec.gpus
    # Every workload's spec variant (PyTorchSpec, ...) has the shared fields.
    for spec in (d for d in defs.values() if {"team", "cluster"} <= set(d.get("properties", {}))):
        _choices(
            spec["properties"]["team"], {n: f"namespace {t.namespace}" for n, t in teams.items()}
        )
        _choices(
            spec["properties"]["cluster"],
            {n: f"Kubernetes {c.kubernetes_version}" for n, c in clusters.items()},
        )
        spec["allOf"] = [
            _when({"team": {"const": name}}, _team_rules(name, team))
            for name, team in sorted(teams.items())
        ]
    gpu = defs["GpuRequest"]
    _choices(
        gpu["properties"]["type"],
        {n: f"{g.product}, {g.gpus_per_node} per node" for n, g in gpus.items()},
    )
    gpu["allOf"] = [
        _when({"type": {"const": name}}, {"perNode": {"maximum": _most_per_node(kind)}})
        for name, kind in sorted(gpus.items())
    ]
    return schema


def _most_per_node(gpu_type: GpuType) -> int:
    """GPUs per node, or for a MIG type the most slices of one profile a node has."""
    if gpu_type.mig is None:
        return gpu_type.gpus_per_node
    return max(gpu_type.mig.devices.values()) * gpu_type.gpus_per_node


def repo_schema_bytes(platform: Platform) -> bytes:
    return (json.dumps(repo_schema(platform), indent=2, sort_keys=True) + "\n").encode()


def _team_rules(name: str, team: Team) -> dict[str, Any]:
    """What a team's jobs may name: its clusters, images under its registries."""
    prefixes = "|".join(_registry_pattern(prefix) for prefix in sorted(team.registries))
    return {
        "cluster": {"enum": sorted(team.clusters)},
        "image": {
            "pattern": f"^(?:{prefixes})",
            "patternErrorMessage": f"team {name} may run images from: "
            + ", ".join(sorted(team.registries)),
        },
    }


# Escaped one character at a time: Python's re.escape writes `\-`, which JavaScript's
# unicode-mode regular expressions (the editors') refuse.
_SPECIAL = frozenset("\\^$.|?*+()[]{}/")


def _registry_pattern(prefix: str) -> str:
    # As spec.image.from_registry: an entry ends at a name component (`/`, `:`, `@`)
    # unless it ends in `/` itself.
    escaped = "".join(f"\\{c}" if c in _SPECIAL else c for c in prefix)
    return escaped if prefix.endswith("/") else f"{escaped}(?:[/:@]|$)"


def _choices(prop: dict[str, Any], described: dict[str, str]) -> None:
    # An empty enum would refuse every value: with nothing defined, keep the generic rule
    # (the CLI then says what is missing from the Platform).
    if not described:
        return
    names = sorted(described)
    prop["enum"] = names
    # Not JSON Schema, but shown beside each completion by yaml-language-server.
    prop["enumDescriptions"] = [described[name] for name in names]


def _when(condition: dict[str, Any], then: dict[str, Any]) -> dict[str, Any]:
    return {
        "if": {"properties": condition, "required": sorted(condition)},
        "then": {"properties": then},
    }
