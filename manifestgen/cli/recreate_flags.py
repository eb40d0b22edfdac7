"""`build --recreate JOB` / `--recreate-all`: let a Platform or manifestgen change restart jobs.

Without them, a job whose own spec did not change keeps its object from the previous
build (see manifestgen/history/jobs.py).
"""

from __future__ import annotations

import argparse


def add_recreate_flags(parser: argparse.ArgumentParser, command: str) -> None:
    if command != "build":
        return
    parser.add_argument(
        "--recreate",
        action="append",
        default=[],
        metavar="JOB",
        help="let a Platform or manifestgen change restart this job (name or cluster/name; "
        "repeatable); without it, such a job keeps its object in out/",
    )
    parser.add_argument(
        "--recreate-all",
        action="store_true",
        help="let a Platform or manifestgen change restart every job it affects",
    )
