"""`manifestgen schema`: write, check or print the generated spec schemas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from manifestgen.spec.reference import render_reference
from manifestgen.spec.schema_export import schema_files


def run_schema(args: argparse.Namespace) -> int:
    if args.reference:
        sys.stdout.write(render_reference() + "\n")
        return 0
    directory: Path = args.dir if args.dir.is_absolute() else args.root / args.dir
    wanted = schema_files()
    stale = sorted(
        name
        for name, content in wanted.items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != content
    )
    if args.check:
        for name in stale:
            sys.stdout.write(
                f"{args.dir.as_posix()}/{name}: error[MG502] schema is stale\n"
                "  hint: run `manifestgen schema` and commit schemas/\n"
            )
        sys.stdout.write(f"schema: {len(stale)} stale of {len(wanted)} schema files\n")
        return 1 if stale else 0
    directory.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (directory / name).write_bytes(wanted[name])
    sys.stdout.write(
        f"schema: wrote {len(stale)} of {len(wanted)} schema files to {args.dir.as_posix()}/\n"
    )
    return 0
