"""Job kinds, one module each, registered by the framework name a spec uses."""

from manifestgen.expand.jobs.base import JobKind
from manifestgen.expand.jobs.pytorch import PYTORCH

JOB_KINDS: dict[str, JobKind] = {kind.framework: kind for kind in (PYTORCH,)}

__all__ = ["JOB_KINDS", "JobKind"]
