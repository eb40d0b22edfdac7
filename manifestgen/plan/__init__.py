"""`manifestgen plan`: what merging a change does to each cluster, for a pull request.

Per cluster: the training jobs created, recreated (and whether they resume from
checkpoints), changed in place and deleted; the claims and namespaces deleted (which
Argo CD keeps); the node pools changed; and GPU demand against quota and pool limits,
before and after. Formatted as Markdown, JSON or an SVG chart; nothing here prints.
"""

from manifestgen.plan.model import Plan
from manifestgen.plan.run import PlanOptions, PlanResult, make_plan

__all__ = ["Plan", "PlanOptions", "PlanResult", "make_plan"]
