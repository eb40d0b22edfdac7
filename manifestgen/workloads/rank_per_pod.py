"""What the Training Operator v1 kinds that hand each pod its rank share (XGBoost, Paddle, JAX).

Their operators find the training container by name, read the rendezvous port from a
named container port, and append their own environment (addresses, world size, rank)
after the container's. So a pod template needs that name and port, and the spec must
not set those variables itself: Kubernetes keeps the last of two entries with one name,
so the spec's value would be silently replaced (or, where the operator sets nothing,
silently kept and wrong). Each module lists what its operator sets.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from manifestgen.errors import Diagnostic, JsonPath, Severity
from manifestgen.expand.pod import add_port, pod_template
from manifestgen.spec.resolve import ResolvedJob
from manifestgen.spec.training import SidePods, TrainingJobSpec
from manifestgen.workloads.base import WorkloadRule
from manifestgen.workloads.run_policy import restart_policy
from manifestgen.workloads.tensorflow import foreign_launcher

# The launchers TFJob refuses are the ones that start several processes in a pod, and
# the operator labels each pod with its replica type for TFJob and these kinds alike.


@dataclass(frozen=True)
class Operator:
    """How one kind's operator wires its pods together."""

    kind: str
    container: str  # the container it reads ports from and injects env into
    port_name: str
    port: int
    env: tuple[str, ...]  # variables it sets in every pod
    derived: tuple[str, ...] = ()  # variables the workload sets from the spec


class OneProcessPerPod(TrainingJobSpec):
    """The spec of a kind whose operator gives each pod one rank, so one process."""

    processes_per_node: int | None = Field(
        default=None,
        ge=1,
        le=256,
        description="1 if set: the operator gives each pod one rank, for one process.",
    )

    @property
    def processes_per_pod(self) -> int:
        return 1


def template(
    op: Operator,
    job: ResolvedJob,
    side: SidePods | None = None,
    zone_peers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The job's pod template with the operator's container name and rendezvous port.

    The port is written out although the operator's defaulting would add it: a field the
    server adds is a field Argo CD reports as drift."""
    pod = pod_template(job, op.container, side=side, zone_peers=zone_peers)
    container = pod["spec"]["containers"][0]
    add_port(container, {"containerPort": op.port, "name": op.port_name, "protocol": "TCP"})
    return pod


def replica(job: ResolvedJob, replicas: int, pod: dict[str, Any]) -> dict[str, Any]:
    return {"replicas": replicas, "restartPolicy": restart_policy(job), "template": pod}


def add_env(pod: dict[str, Any], variables: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The template with variables added to the training container, sorted by name."""
    pod = copy.deepcopy(pod)
    container = pod["spec"]["containers"][0]
    env = [*container.get("env", []), *({"name": n, "value": v} for n, v in variables)]
    container["env"] = sorted(env, key=lambda v: str(v["name"]))
    return pod


def words(job: ResolvedJob) -> tuple[str, ...]:
    return (*job.job.spec.command, *job.job.spec.args)


def _env_rule(op: Operator) -> WorkloadRule:
    def check_operator_env(job: ResolvedJob) -> Iterator[Diagnostic]:
        spec = job.job.spec
        taken = (*op.env, *op.derived)
        found: list[tuple[str, JsonPath, str]] = [
            (n, ("spec", "env", n), f"spec.env.{n}") for n in spec.env if n in taken
        ]
        found += [
            (s.env, ("spec", "secrets", i, "env"), f"spec.secrets[{i}].env")
            for i, s in enumerate(spec.secrets)
            if s.env in taken
        ]
        for name, path, field in found:
            who = f"the {op.kind} operator" if name in op.env else "manifestgen (from the spec)"
            yield Diagnostic(
                "MG288",
                f"{who} sets {name} in each pod; the spec's value would be replaced or "
                "contradict it",
                job.source.locate(path),
                field=field,
                hint=f"remove it and read the value set for you ({', '.join(taken)})",
            )

    return check_operator_env


def _one_process_rule(op: Operator) -> WorkloadRule:
    def check_one_process(job: ResolvedJob) -> Iterator[Diagnostic]:
        fixed = job.job.spec.processes_per_pod
        if fixed is None or job.processes_per_node == fixed:
            return
        yield Diagnostic(
            "MG289",
            f"processesPerNode is {job.processes_per_node}, but the {op.kind} operator gives "
            f"each pod {fixed} rank{'s' if fixed > 1 else ''}",
            job.source.locate(("spec", "processesPerNode")),
            field="spec.processesPerNode",
            hint="remove processesPerNode; for more processes, add nodes",
        )

    return check_one_process


def no_launcher(op: Operator) -> WorkloadRule:
    """For kinds whose operator gives each pod one rank: no launcher of several processes."""

    def check_no_launcher(job: ResolvedJob) -> Iterator[Diagnostic]:
        found = foreign_launcher(words(job))
        if found is None:
            return
        # The launcher is the program: the command's first word, or the args' without one.
        path = ("spec", "command") if job.job.spec.command else ("spec", "args")
        yield Diagnostic(
            "MG293",
            f"{found} starts several processes in each pod, but the {op.kind} operator "
            "gives each pod one rank: they would all claim it",
            job.source.locate(path),
            field=".".join(path),
            hint="run the training script itself, e.g. command: [python, -m, my.module]",
        )

    return check_no_launcher


def rules(op: Operator) -> tuple[WorkloadRule, ...]:
    """The checks every kind of this family needs."""
    return (_env_rule(op), _one_process_rule(op))


def warn(code: str, message: str, job: ResolvedJob, path: tuple[str, ...], hint: str) -> Diagnostic:
    return Diagnostic(
        code,
        message,
        job.source.locate(path),
        field=".".join(path),
        severity=Severity.WARNING,
        hint=hint,
    )
