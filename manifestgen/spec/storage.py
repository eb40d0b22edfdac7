"""Checkpoint claims against the cluster's storage-class catalog: a claim that can never
bind is an error, and a WaitForFirstConsumer claim moves to its job's sync wave.

With no `storageClasses` declared for a cluster, claims are not checked (nothing is known
about the classes) and stay in the support wave.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from manifestgen.errors import Diagnostic
from manifestgen.spec.parsed import Parsed
from manifestgen.spec.platform import Cluster, Platform, StorageClass
from manifestgen.spec.resolve import ResolvedJob


def default_class(cluster: Cluster) -> tuple[str, StorageClass] | None:
    defaults = sorted((n, c) for n, c in cluster.storage_classes.items() if c.default)
    return defaults[0] if defaults else None


def claim_class(job: ResolvedJob) -> tuple[str, StorageClass] | None:
    """The catalog class a job's checkpoint claim binds with, if the catalog knows it."""
    checkpoints = job.job.spec.checkpoints
    if checkpoints is None:
        return None
    if checkpoints.storage_class is None:
        return default_class(job.cluster)
    found = job.cluster.storage_classes.get(checkpoints.storage_class)
    return None if found is None else (checkpoints.storage_class, found)


def waits_for_consumer(job: ResolvedJob) -> bool:
    """Such a claim stays Pending until a pod uses it, so it must not gate the job's wave."""
    chosen = claim_class(job)
    return chosen is not None and chosen[1].binding_mode == "WaitForFirstConsumer"


def check_claim(job: ResolvedJob) -> Iterator[Diagnostic]:
    checkpoints = job.job.spec.checkpoints
    classes = job.cluster.storage_classes
    if checkpoints is None or not classes:
        return
    if checkpoints.storage_class is not None and checkpoints.storage_class not in classes:
        match = difflib.get_close_matches(checkpoints.storage_class, sorted(classes), n=1)
        yield Diagnostic(
            "MG274",
            f"cluster {job.cluster_name!r} has no storage class {checkpoints.storage_class!r}",
            job.source.locate(("spec", "checkpoints", "storageClass")),
            field="spec.checkpoints.storageClass",
            hint=f"did you mean {match[0]!r}?" if match else f"known: {', '.join(sorted(classes))}",
        )
        return
    chosen = claim_class(job)
    if chosen is None:
        yield Diagnostic(
            "MG275",
            f"the checkpoint claim names no storage class and cluster {job.cluster_name!r} has "
            "no default: it would stay Pending",
            job.source.locate(("spec", "checkpoints"), key=True),
            field="spec.checkpoints.storageClass",
            hint=f"set storageClass to one of: {', '.join(sorted(classes))}",
        )
    elif job.checkpoint_access_mode == "ReadWriteMany" and not chosen[1].read_write_many:
        yield _not_shared(job, chosen[0])


def _not_shared(job: ResolvedJob, class_name: str) -> Diagnostic:
    checkpoints = job.job.spec.checkpoints
    named = checkpoints is not None and checkpoints.storage_class is not None
    shared = sorted(n for n, c in job.cluster.storage_classes.items() if c.read_write_many)
    which = f"storage class {class_name!r}" if named else f"the default class {class_name!r}"
    return Diagnostic(
        "MG275",
        f"the checkpoint claim is ReadWriteMany, but {which} of cluster "
        f"{job.cluster_name!r} only binds ReadWriteOnce volumes: it would stay Pending",
        job.source.locate(("spec", "checkpoints", "storageClass"))
        if named
        else job.source.locate(("spec", "checkpoints"), key=True),
        field="spec.checkpoints.storageClass",
        hint=f"use a shared class: {', '.join(shared)}"
        if shared
        else "add a ReadWriteMany class (EFS, FSx for Lustre) to the cluster",
    )


def check_storage_classes(platform: Parsed[Platform]) -> Iterator[Diagnostic]:
    """At most one default class per cluster, as Kubernetes expects."""
    for cluster_name, cluster in sorted(platform.model.spec.clusters.items()):
        defaults = sorted(n for n, c in cluster.storage_classes.items() if c.default)
        for extra in defaults[1:]:
            yield Diagnostic(
                "MG276",
                f"cluster {cluster_name!r} has more than one default storage class "
                f"({', '.join(defaults)})",
                platform.locate(
                    ("spec", "clusters", cluster_name, "storageClasses", extra, "default")
                ),
                field=f"spec.clusters.{cluster_name}.storageClasses.{extra}.default",
                hint="mark one class as the default",
            )
