"""The plan as GitHub-flavoured Markdown: a job step summary or a pull-request comment.

`manifestgen plan >> "$GITHUB_STEP_SUMMARY"` appends it to the run's summary page. One
`##` heading, a line saying what was compared, a table of the clusters that change, then
a section per changed cluster; every name from specs or out/ goes through text.name or
text.escape.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from manifestgen.errors import Diagnostic
from manifestgen.plan.model import ClusterPlan, FileChanges, ObjectChange, Plan
from manifestgen.plan.text import (
    CHANGE_TEXT,
    arrow,
    escape,
    limits_text,
    name,
    quota_text,
    starts_from,
)

_RETAINED = (
    "stays on the cluster: Argo CD never prunes or deletes it (`Prune=false,Delete=false`); "
    "delete it by hand once its data is no longer needed"
)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {' | '.join(cell or ' ' for cell in row)} |" for row in rows]
    return [*lines, ""]


def _count(items: int, word: str) -> str:
    return f"{items} {word}{'' if items == 1 else 's'}"


def _baseline(plan: Plan) -> str:
    base = plan.baseline
    where = name(f"{base.out_dir}/")
    if base.ref is not None:
        where += f" at {name(base.ref)} ({name(base.commit or '')})"
    return f"Compared with {where}: what Argo CD does when the specs' build replaces it."


def _summary_row(cluster: ClusterPlan) -> list[str]:
    def of(change: str) -> int:
        return sum(1 for j in cluster.jobs if j.change == change)

    deleted = of("deleted") + of("completed")
    jobs = [
        f"{of('created')} created" if of("created") else "",
        f"{of('recreated')} recreated" if of("recreated") else "",
        f"{of('updated')} updated" if of("updated") else "",
        f"{deleted} deleted" if deleted else "",
    ]
    retained = [c for c in (*cluster.claims, *cluster.namespaces) if c.change == "deleted"]
    return [
        name(cluster.name),
        ", ".join(j for j in jobs if j) or "—",
        str(len(retained)) if retained else "—",
        str(len(cluster.node_pools)) if cluster.node_pools else "—",
        str(cluster.files.count),
    ]


def _jobs(cluster: ClusterPlan) -> list[str]:
    if not cluster.jobs:
        return []
    rows = [
        [
            name(job.name),
            name(job.namespace),
            CHANGE_TEXT[job.change] + (f": {escape(job.detail)}" if job.detail else ""),
            arrow(name(job.before or "—"), name(job.after or "—")),
            starts_from(job),
        ]
        for job in cluster.jobs
    ]
    header = ["job", "namespace", "change", "object", "checkpoints"]
    return ["**Training jobs**", "", *_table(header, rows)]


def _object_rows(changes: Iterable[ObjectChange]) -> list[list[str]]:
    return [
        [
            change.kind,
            name(change.name),
            name(change.namespace) if change.namespace else "",
            change.change,
            "; ".join(
                part
                for part in (escape(change.detail), _RETAINED if change.retained else "")
                if part
            ),
        ]
        for change in changes
    ]


def _claims_and_namespaces(cluster: ClusterPlan) -> list[str]:
    rows = _object_rows((*cluster.claims, *cluster.namespaces))
    if not rows:
        return []
    header = ["kind", "name", "namespace", "change", "note"]
    return ["**Claims and namespaces**", "", *_table(header, rows)]


def _node_pools(cluster: ClusterPlan) -> list[str]:
    if not cluster.node_pools:
        return []
    rows = [[name(p.name), p.change, escape(p.detail)] for p in cluster.node_pools]
    return ["**Node pools**", "", *_table(["pool", "change", "what changes"], rows)]


def _gpus(cluster: ClusterPlan) -> list[str]:
    if not cluster.gpus:
        return []
    rows = [
        [
            name(row.gpu_type),
            arrow(row.demand_before, row.demand_after)
            + (" **over quota**" if row.over_quota else ""),
            quota_text(row),
            escape(limits_text(row)),
        ]
        for row in cluster.gpus
    ]
    header = ["GPU type", "demand (GPUs)", "quota", "node pool limits"]
    return ["**GPU demand**", "", *_table(header, rows)]


def _files(title: str, files: FileChanges) -> list[str]:
    if not files.count:
        return []
    parts = [
        _count(len(files.created), "file") + " created",
        f"{len(files.changed)} changed",
        f"{len(files.deleted)} deleted",
    ]
    lines = [f"<details><summary>{escape(title)}: {', '.join(parts)}</summary>", ""]
    for word, paths in (("created", files.created), ("changed", files.changed)):
        lines += [f"- {word} {name(path)}" for path in paths]
    lines += [f"- deleted {name(path)}" for path in files.deleted]
    return [*lines, "", "</details>", ""]


def _removed(cluster: ClusterPlan) -> list[str]:
    if not cluster.removed:
        return []
    application = name(f"manifestgen-{cluster.name}")
    command = f"argocd app delete manifestgen-{cluster.name} --cascade"
    shown = f"`{command}`" if application.startswith("`") else escape(command)
    return [
        f"> **The cluster leaves the Platform.** Its Application {application} is no longer "
        "generated, and Argo CD prunes nothing when an Application's path disappears: the "
        "jobs below keep running until the Application is deleted with its resources "
        f"({shown}, which keeps claims and namespaces) or they are deleted by hand.",
        "",
    ]


def _cluster(cluster: ClusterPlan) -> list[str]:
    lines = [f"### Cluster {name(cluster.name)}", "", *_removed(cluster)]
    if cluster.unchanged_jobs:
        lines += [f"{_count(cluster.unchanged_jobs, 'training job')} unchanged.", ""]
    lines += _jobs(cluster) + _claims_and_namespaces(cluster) + _node_pools(cluster)
    return lines + _gpus(cluster) + _files("Files", cluster.files)


def _quota_note(plan: Plan) -> list[str]:
    rows = [row for cluster in plan.clusters for row in cluster.gpus]
    if plan.baseline.ref is not None or not rows:
        return []
    return [
        "The quota is the specs' own: out/ records none (with `--base REF` the plan also "
        "shows the quota at that commit).",
        "",
    ]


def render_markdown(plan: Plan, warnings: Sequence[Diagnostic] = ()) -> str:
    """The plan as Markdown; `warnings` are shown first, as quotes."""
    lines = ["## manifestgen plan", "", _baseline(plan), ""]
    for warning in warnings:
        lines += [f"> **{warning.code}** {escape(warning.message)}", ""]
    changed = [c for c in plan.clusters if c.changed]
    if not plan.changed:
        lines += ["No changes: the specs build exactly what it holds, file for file.", ""]
    if changed:
        header = ["cluster", "training jobs", "retained", "node pools", "files"]
        lines += _table(header, (_summary_row(c) for c in changed))
        lines += [
            "*retained*: claims and namespaces that leave the tree and stay on the cluster.",
            "",
        ]
    for cluster in plan.clusters:
        lines += _cluster(cluster) if cluster.changed else []
    lines += _files("Argo CD objects", plan.argocd)
    lines += _quota_note(plan) if plan.changed else []
    return "\n".join(lines).rstrip("\n") + "\n"


def render_no_plan(errors: int) -> str:
    """What the summary page says when the specs do not build."""
    return (
        "## manifestgen plan\n\n"
        f"No plan: the specs have {_count(errors, 'error')} (listed in the job log, as "
        "`manifestgen validate` prints them).\n"
    )
