"""Builds that cost what changed: the inputs' digest, and the replay of unchanged runs.

`inputs` digests what a build depends on without compiling; `replay` answers `build`
and `check` of unchanged inputs over an unchanged out/ from the cache. Nothing here is
imported by a `validate`, which never replays (see replay.py).
"""
