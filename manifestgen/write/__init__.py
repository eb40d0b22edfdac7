"""The one place that touches out/: scanning, drift, locking and the atomic swap."""

from manifestgen.write.drift import Drift, compare, compare_tree, read_out
from manifestgen.write.lock import DEFAULT_LOCK_TIMEOUT, LockTimeout, out_lock
from manifestgen.write.scan import OutScan
from manifestgen.write.writer import Interrupted, WriteRefused, WriteResult, write_tree

__all__ = [
    "DEFAULT_LOCK_TIMEOUT",
    "Drift",
    "Interrupted",
    "LockTimeout",
    "OutScan",
    "WriteRefused",
    "WriteResult",
    "compare",
    "compare_tree",
    "out_lock",
    "read_out",
    "write_tree",
]
