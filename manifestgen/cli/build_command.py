"""`manifestgen build | check | validate`: flags → frozen options → one pipeline call → report.

Two flags exist for pre-commit hooks that run beside `manifestgen-validate`:
`--drift-only` lists only what concerns out/ (the validate hook already lists spec errors,
so they are counted in one line instead of printed twice), and `--fail-on-change` makes
`build` fail when it rewrote out/, as formatters do, so the commit is re-made with it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from manifestgen.cli.conventions import Presentation, presentation_from
from manifestgen.cli.paths import display_prefix, rebase_diagnostics, rebase_path
from manifestgen.errors import Diagnostic, SourceLocation, UsageError
from manifestgen.options import DEFAULT_LOCK_TIMEOUT, BuildOptions, Mode
from manifestgen.report import REPORTERS, Summary
from manifestgen.report.progress import display_for, showing

if TYPE_CHECKING:
    from manifestgen.build_result import BuildResult

EXIT_OK, EXIT_PROBLEMS = 0, 1
# What --drift-only keeps: drift, and the notes on jobs that the change keeps, recreates
# or retires (errors against out/ are the validate hook's to list, like spec errors).
_OUT_CODES = (
    *("MG501", "MG502", "MG503", "MG504", "MG505", "MG506", "MG507", "MG508", "MG509"),
    *("MG523", "MG524", "MG525"),
)


def add_hook_flags(parser: argparse.ArgumentParser, command: str) -> None:
    """`--drift-only` on build and check, `--fail-on-change` on build."""
    if command not in ("build", "check"):
        return
    parser.add_argument(
        "--drift-only",
        action="store_true",
        help="list only problems with out/; spec errors are counted in one line "
        "(for a hook beside manifestgen-validate, which lists them)",
    )
    if command == "build":
        parser.add_argument(
            "--fail-on-change",
            action="store_true",
            help="exit 1 when out/ had to be rewritten, as formatters do in pre-commit",
        )


def options_from(args: argparse.Namespace, cwd: Path) -> BuildOptions:
    from manifestgen.cli.paths import spec_files_under_root

    mode: Mode = args.command
    root: Path = args.root.resolve()
    if not root.is_dir():
        raise UsageError(f"--root {args.root} is not a directory")
    return BuildOptions(
        root=root,
        specs=tuple(args.specs or (Path("specs"),)),
        out_dir=args.out,
        mode=mode,
        crds=tuple(args.crds),
        only=spec_files_under_root(getattr(args, "files", ()) or (), root, cwd),
        check_output=not args.no_output_check,
        use_cache=not args.no_cache,
        cache_dir=args.cache_dir,
        recreate=tuple(getattr(args, "recreate", ())),
        recreate_all=bool(getattr(args, "recreate_all", False)),
        lock_timeout=getattr(args, "lock_timeout", DEFAULT_LOCK_TIMEOUT),
    )


def run_build_command(args: argparse.Namespace) -> int:
    """Run build, check or validate with parsed flags; returns the exit code."""
    cwd = Path.cwd()
    options = options_from(args, cwd)
    display = display_for(sys.stderr, quiet=args.quiet, text_output=args.format == "text")
    with showing(display):
        result = _run(options)
    diagnostics = list(result.diagnostics)
    if getattr(args, "drift_only", False):
        diagnostics = _drift_only(diagnostics, args.command, options)
    if getattr(args, "fail_on_change", False) and result.written and result.written.changed:
        diagnostics.append(_rewritten(options, len(result.written.written)))
    presentation = presentation_from(args, sys.stdout)
    prefix = display_prefix(options.root, cwd)
    summary = _summary(args.command, result, options, diagnostics, prefix, presentation)
    sys.stdout.write(REPORTERS[args.format](summary))
    return EXIT_PROBLEMS if any(d.is_error for d in diagnostics) else EXIT_OK


def _run(options: BuildOptions) -> BuildResult:
    if options.mode == "validate":  # never answered from the build cache, and writes nothing
        from manifestgen.pipeline import run

        return run(options)
    from manifestgen.incremental.replay import run_cached

    return run_cached(options)


def _drift_only(
    diagnostics: list[Diagnostic], command: str, options: BuildOptions
) -> list[Diagnostic]:
    kept = [d for d in diagnostics if d.code in _OUT_CODES]
    hidden = sum(1 for d in diagnostics if d.is_error and d.code not in _OUT_CODES)
    if not hidden:
        return kept
    done = "written" if command == "build" else "compared"
    return [
        *kept,
        Diagnostic(
            "MG602",
            f"out/ was not {done}: the specs have {hidden} error{'s' if hidden > 1 else ''}",
            SourceLocation(options.specs[0].as_posix() if options.specs else "specs"),
            hint="`manifestgen validate` (the manifestgen-validate hook) lists them",
        ),
    ]


def _rewritten(options: BuildOptions, count: int) -> Diagnostic:
    return Diagnostic(
        "MG601",
        f"out/ was not current: {count} file(s) rewritten or removed",
        SourceLocation(options.out_dir.as_posix()),
        hint="review the changes and add out/ to the commit",
    )


def _summary(
    command: str,
    result: BuildResult,
    options: BuildOptions,
    diagnostics: list[Diagnostic],
    prefix: str,
    presentation: Presentation,
) -> Summary:
    written = result.written
    return Summary(
        command=command,
        diagnostics=rebase_diagnostics(diagnostics, prefix),
        spec_files=result.stats.spec_files,
        objects=result.stats.objects,
        files=result.stats.files,
        written=written.written if written else (),
        removed=written.removed if written else (),
        out_dir=rebase_path(options.out_dir.as_posix(), prefix),
        verbosity=presentation.verbosity,
        color=presentation.color,
    )
