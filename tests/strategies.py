"""Hypothesis strategies: valid TrainingJob documents for the test Platform, and mutations."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,16}[a-z0-9]", fullmatch=True)
ENV_NAMES = st.from_regex(r"OPT_[A-Z0-9_]{1,10}", fullmatch=True)
SAFE_TEXT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz0123456789 ./-_:=yesnoONFFTRUE", max_size=20
)
# Values that YAML 1.1 readers would turn into booleans or numbers if left unquoted.
TRICKY_STRINGS = st.sampled_from(
    ["yes", "no", "on", "off", "true", "null", "1.33", "0x1F", "~", "1e3", ""]
)
HYPER_VALUES = st.one_of(
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    SAFE_TEXT,
    TRICKY_STRINGS,
)


@st.composite
def gpu_part(
    draw: st.DrawFn, cluster: str, budget: int = 32
) -> tuple[dict[str, Any] | None, int, int]:
    """(gpu block or None, nodes, max nodes) within what is left of train-a's 32-GPU quota."""
    if cluster != "train-a" or budget < 1 or not draw(st.booleans()):
        nodes = draw(st.integers(1, 12))
        return None, nodes, nodes
    per_node = draw(st.integers(1, min(8, budget)))
    max_nodes = draw(st.integers(1, budget // per_node))
    nodes = draw(st.integers(1, max_nodes))
    return {"type": "a100-80gb", "perNode": per_node}, nodes, max_nodes


@st.composite
def training_job(draw: st.DrawFn, name: str, gpu_budget: int = 32) -> dict[str, Any]:
    team, cluster = draw(
        st.sampled_from([("vision", "train-a"), ("nlp", "train-a"), ("nlp", "train-b")])
    )
    gpu, nodes, max_nodes = draw(gpu_part(cluster, gpu_budget))
    memory_gi = draw(st.integers(8, 1024))
    # CPU jobs stay within the clusters' default 512-vCPU cpuQuota: 4 jobs x 12 nodes x 10.
    # GPU jobs fit what a p4de.24xlarge (the test GPU type) has allocatable.
    cpu = draw(st.integers(1, 94 if gpu is not None else 10))
    spec: dict[str, Any] = {
        "team": team,
        "cluster": cluster,
        "image": f"ghcr.io/acme/{name}:{draw(st.integers(0, 99))}.0",
        "nodes": nodes,
        "resources": {"cpu": cpu, "memory": f"{memory_gi}Gi"},
        "capacityType": draw(st.sampled_from(["on-demand", "spot"])),
    }
    if gpu is not None:
        spec["gpu"] = gpu
        if max_nodes > nodes or (max_nodes > 1 and draw(st.booleans())):
            spec["elastic"] = {"minNodes": draw(st.integers(1, nodes)), "maxNodes": max_nodes}
    else:
        spec["processesPerNode"] = draw(st.integers(1, 8))
    if draw(st.booleans()):
        spec["sharedMemory"] = f"{draw(st.integers(1, memory_gi - 1))}Gi"
    if draw(st.booleans()):
        spec["checkpoints"] = {"size": f"{draw(st.integers(1, 2048))}Gi", "storageClass": "efs-sc"}
    spec["env"] = draw(st.dictionaries(ENV_NAMES, st.one_of(SAFE_TEXT, TRICKY_STRINGS), max_size=3))
    spec["hyperparameters"] = draw(st.dictionaries(NAMES, HYPER_VALUES, max_size=4))
    spec["args"] = draw(st.lists(st.one_of(SAFE_TEXT, TRICKY_STRINGS), max_size=3))
    return {
        "apiVersion": "manifestgen.io/v1alpha1",
        "kind": "TrainingJob",
        "metadata": {"name": name},
        "spec": spec,
    }


@st.composite
def job_sets(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    jobs, budget = [], 32  # the quota is shared by all of a cluster's jobs
    for name in names:
        job = draw(training_job(name, budget))
        budget -= gpu_demand(job)
        jobs.append(job)
    return jobs


def gpu_demand(job: dict[str, Any]) -> int:
    spec = job["spec"]
    if "gpu" not in spec:
        return 0
    nodes = max(int(spec["nodes"]), int(spec.get("elastic", {}).get("maxNodes", 0)))
    return int(spec["gpu"]["perNode"]) * nodes


def shuffled_keys(value: Any, rnd: Any) -> Any:
    """The same data with every mapping's key order shuffled."""
    if isinstance(value, dict):
        keys = list(value)
        rnd.shuffle(keys)
        return {k: shuffled_keys(value[k], rnd) for k in keys}
    if isinstance(value, list):
        return [shuffled_keys(v, rnd) for v in value]
    return value


JSON_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """The document with a few random deletions, replacements and insertions."""
    result: dict[str, Any] = draw(st.just(document))
    for _ in range(draw(st.integers(1, 4))):
        node: Any = result
        path_len = draw(st.integers(0, 3))
        for _ in range(path_len):
            children = (
                list(node)
                if isinstance(node, dict)
                else list(range(len(node)))
                if isinstance(node, list)
                else []
            )
            nested = [c for c in children if isinstance(node[c], (dict, list))]
            if not nested:
                break
            node = node[draw(st.sampled_from(nested))]
        action = draw(st.sampled_from(["delete", "replace", "insert"]))
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node, key=str)))
            if action == "delete":
                del node[key]
            elif action == "replace":
                node[key] = draw(JSON_VALUES)
            else:
                node[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
        elif isinstance(node, list) and node:
            node[draw(st.integers(0, len(node) - 1))] = draw(JSON_VALUES)
    return result


# Pieces of YAML that stress a loader: anchors, aliases (recursive ones too), merges,
# tags, duplicate keys, numbers beyond JSON, long integers, timestamps, complex keys.
_HOSTILE_SCALARS = st.sampled_from(
    [
        "1",
        "-0",
        "0x1F",
        "1e309",
        ".inf",
        "-.Inf",
        ".nan",
        "~",
        "yes",
        "2024-01-01",
        "9" * 120,
        "1_000",
        "1:20",
        "'q'",
        '"d"',
        "!!str 1",
        "!!binary aGk=",
        "!x y",
        "<<",
        "!!set",
        "!!omap",
        "!!timestamp 2024-01-01",
    ]
)
_HOSTILE_PIECES = st.sampled_from(
    [
        "&a ",
        "*a",
        "&b [",
        "]",
        "{",
        "}",
        "<<: *a",
        "<<: ",
        "? ",
        ": ",
        ", ",
        "\n",
        "\n  ",
        "- ",
        "a: ",
        "a: ",
        "---\n",
        "[",
        "*b",
        "[" * 40,
        "&a [*a]",
    ]
)


@st.composite
def hostile_yaml(draw: st.DrawFn) -> str:
    """Text assembled from `_HOSTILE_PIECES` and `_HOSTILE_SCALARS`, often not valid YAML."""
    pieces = draw(st.lists(st.one_of(_HOSTILE_SCALARS, _HOSTILE_PIECES), max_size=30))
    return "".join(pieces)
