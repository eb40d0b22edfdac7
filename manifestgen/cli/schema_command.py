"""`manifestgen schema`: write, check or print the generated spec schemas."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from manifestgen.cli.conventions import presentation_from
from manifestgen.errors import Diagnostic, UsageError
from manifestgen.report import REPORTERS, Summary
from manifestgen.spec.reference import render_reference
from manifestgen.spec.schema_export import schema_files


def run_schema(args: argparse.Namespace) -> int:
    if args.reference:
        sys.stdout.write(render_reference() + "\n")
        return 0
    wanted = schema_files()
    if args.for_repo:
        repo, problems = _repo_schema(args)
        if repo is None:
            return _report(args, problems)
        wanted = {**wanted, **repo}
    directory: Path = args.dir if args.dir.is_absolute() else args.root / args.dir
    stale = sorted(
        name
        for name, content in wanted.items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != content
    )
    if args.check:
        fix = "manifestgen schema" + (" --for-repo" if args.for_repo else "")
        for name in stale:
            sys.stdout.write(
                f"{args.dir.as_posix()}/{name}: error[MG502] schema is stale\n"
                f"  hint: run `{fix}` and commit {args.dir.as_posix()}/\n"
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


def _repo_schema(
    args: argparse.Namespace,
) -> tuple[dict[str, bytes] | None, tuple[Diagnostic, ...]]:
    # Imported here: only --for-repo reads specs.
    from manifestgen.options import BuildOptions
    from manifestgen.pipeline import load_platform
    from manifestgen.spec.repo_schema import REPO_SCHEMA_FILE, repo_schema_bytes

    root: Path = args.root.resolve()
    if not root.is_dir():
        raise UsageError(f"--root {args.root} is not a directory")
    options = BuildOptions(root=root, specs=tuple(args.specs or (Path("specs"),)), mode="validate")
    platform, problems = load_platform(options)
    if platform is None:
        return None, problems
    return {REPO_SCHEMA_FILE: repo_schema_bytes(platform)}, ()


def _report(args: argparse.Namespace, problems: tuple[Diagnostic, ...]) -> int:
    presentation = presentation_from(args, sys.stdout)
    summary = Summary(
        command="schema",
        diagnostics=problems,
        verbosity=presentation.verbosity,
        color=presentation.color,
    )
    sys.stdout.write(REPORTERS[args.format](summary))
    return 1
