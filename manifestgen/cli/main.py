"""`manifestgen build | check | validate | schema | verify | plan | completion`.

Exit codes: 0 clean, 1 diagnostics or drift, 2 usage error, 3 internal error.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from manifestgen.cli.build_command import add_hook_flags, run_build_command
from manifestgen.cli.completion import COMPLETION_HELP, add_completion_arguments, completion_script
from manifestgen.cli.conventions import add_convention_flags, add_version_flag
from manifestgen.cli.plan_command import HELP as PLAN_HELP
from manifestgen.cli.plan_command import add_plan_arguments
from manifestgen.cli.recreate_flags import add_recreate_flags
from manifestgen.cli.verify_command import HELP as VERIFY_HELP
from manifestgen.cli.verify_command import add_verify_arguments, run_verify
from manifestgen.errors import UsageError
from manifestgen.option_values import seconds
from manifestgen.options import CRDS_ENV, DEFAULT_LOCK_TIMEOUT
from manifestgen.report import REPORTERS
from manifestgen.report.escape import printable

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

DESCRIPTION = """\
Compile declarative ML training specs (specs/) into a validated, deterministic
directory of Kubernetes manifests (out/) that Argo CD syncs."""

COMMANDS = {
    "build": "validate the specs, expand them and write out/ (atomically; nothing is written "
    "if anything fails)",
    "check": "like build, but write nothing: exit 1 naming each file in out/ that is missing, "
    "stale or extra (use in CI and pre-commit)",
    "validate": "validate specs and their generated objects without touching out/; takes spec "
    "files (as pre-commit passes them) or uses specs/",
    "schema": "write the JSON Schemas of the spec kinds to schemas/ (or check them, or print "
    "the README's spec reference)",
    "verify": VERIFY_HELP,
    "plan": PLAN_HELP,
    "completion": COMPLETION_HELP,
}
VERBOSE_HELP = {
    "build": "notes become annotations in --format github too",
    "check": "notes become annotations in --format github too",
    "validate": "notes become annotations in --format github too",
    "verify": "also list skipped resources and the checks that were not made",
    "schema": "no effect (accepted for symmetry)",
    "plan": "also print notes on standard error",
}


def _root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="repository root; other paths are relative to it (default: .)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    _root(parser)
    parser.add_argument(
        "--format", choices=sorted(REPORTERS), default="text", help="output format (default: text)"
    )


def _pipeline_flags(parser: argparse.ArgumentParser, *, takes_files: bool) -> None:
    parser.add_argument(
        "--specs",
        type=Path,
        action="append",
        default=None,
        metavar="PATH",
        help="spec file or directory (repeatable; default: specs)",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("out"), help="output directory (default: out)"
    )
    parser.add_argument(
        "--crds",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="CRD file or directory to check custom resources against (repeatable; "
        f"adds to the Platform's spec.crds and ${CRDS_ENV})",
    )
    parser.add_argument(
        "--no-output-check",
        action="store_true",
        help="skip checking generated objects against schemas (not recommended)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where parsed CRDs are cached "
        "(default: $MANIFESTGEN_CACHE_DIR, else ~/.cache/manifestgen)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    if not takes_files:  # build and check: they wait for a running build to finish with out/
        parser.add_argument(
            "--lock-timeout",
            type=_seconds,
            default=DEFAULT_LOCK_TIMEOUT,
            metavar="SECONDS",
            help="how long to wait for another build to finish with out/ "
            f"(default: {DEFAULT_LOCK_TIMEOUT:g})",
        )
    if takes_files:
        parser.add_argument(
            "files", nargs="*", type=Path, help="spec files to report on (default: all of --specs)"
        )


def _seconds(text: str) -> float:
    try:
        return seconds("--lock-timeout", float(text))
    except ValueError as error:  # OptionsError is one
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from error


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manifestgen", description=DESCRIPTION)
    add_version_flag(parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, text in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text)
        if name == "completion":
            add_version_flag(sub)
            add_completion_arguments(sub)
            continue
        add_convention_flags(sub, verbose_help=VERBOSE_HELP.get(name, "print notes too"))
        if name == "verify":  # any manifests, not specs: its own flags
            add_verify_arguments(sub)
            continue
        if name == "plan":  # build's spec flags, its own output flags
            _root(sub)
            _pipeline_flags(sub, takes_files=False)
            add_plan_arguments(sub)
            continue
        _common(sub)
        if name == "schema":
            _schema_flags(sub)
        else:
            _pipeline_flags(sub, takes_files=name == "validate")
            add_hook_flags(sub, name)
            add_recreate_flags(sub, name)
    return parser


def _schema_flags(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if schemas/ is not what the models generate",
    )
    sub.add_argument(
        "--reference",
        action="store_true",
        help="print the Markdown spec reference instead of writing schemas",
    )
    sub.add_argument(
        "--dir",
        type=Path,
        default=Path("schemas"),
        help="schema directory (default: schemas)",
    )
    sub.add_argument(
        "--for-repo",
        action="store_true",
        help="also write (or check) trainingjob.repo.schema.json: the TrainingJob schema "
        "with this repository's teams, clusters and GPU types, for editor completion",
    )
    sub.add_argument(
        "--specs",
        type=Path,
        action="append",
        default=None,
        metavar="PATH",
        help="with --for-repo: spec file or directory holding the Platform "
        "(repeatable; default: specs)",
    )


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    # The spec pipeline (pydantic models, ruamel) is imported only by the commands that
    # compile specs: `verify` in a pre-commit hook should not pay ~0.1 s for it.
    if args.command == "verify":
        return run_verify(args)
    if args.command == "completion":
        sys.stdout.write(completion_script(parser, args.shell))
        return EXIT_OK
    if args.command == "schema":
        from manifestgen.cli.schema_command import run_schema

        return run_schema(args)
    if args.command == "plan":
        from manifestgen.cli.plan_command import run_plan

        return run_plan(args)
    return run_build_command(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `manifestgen` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help
        return int(exc.code or 0)
    try:
        return _run(args, parser)
    except UsageError as exc:
        sys.stderr.write(f"manifestgen: error: {printable(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt as interrupt:
        # The writer says whether the swap had already happened (out/ is whole either way).
        if getattr(interrupt, "replaced", False):
            sys.stderr.write("manifestgen: interrupted; out/ already holds the new build\n")
        else:
            sys.stderr.write("manifestgen: interrupted; out/ was left as it was\n")
        return EXIT_INTERNAL
    except Exception as exc:  # the last line of defence: no traceback for users
        sys.stderr.write(
            f"manifestgen: internal error: {type(exc).__name__}: {printable(str(exc))}\n"
            "This is a bug in manifestgen, not in your specs; out/ was left as it was.\n"
        )
        if _debug():
            traceback.print_exc()
        return EXIT_INTERNAL


def _debug() -> bool:
    import os

    return os.environ.get("MANIFESTGEN_DEBUG", "") not in ("", "0")
