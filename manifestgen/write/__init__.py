"""The one place that touches out/: drift detection and the atomic swap."""

from manifestgen.write.drift import Drift, compare_tree
from manifestgen.write.writer import WriteConflict, WriteResult, write_tree

__all__ = ["Drift", "WriteConflict", "WriteResult", "compare_tree", "write_tree"]
