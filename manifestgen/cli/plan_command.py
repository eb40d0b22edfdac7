"""`manifestgen plan`: flags → frozen options → one plan → Markdown or JSON, and a chart.

The plan goes to standard output, so `manifestgen plan >> "$GITHUB_STEP_SUMMARY"` puts it
on the run's summary page; diagnostics go to standard error, as `build` words them, so
they reach the job log and not the summary. Exit codes: 0 the plan was printed (changes
or not), 1 the specs have errors (or out/ cannot be read), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from manifestgen.cli.conventions import presentation_from
from manifestgen.cli.paths import display_prefix, rebase_diagnostics
from manifestgen.errors import Severity, UsageError
from manifestgen.options import BuildOptions
from manifestgen.report.summary import Summary
from manifestgen.report.text import render_text

HELP = (
    "print what merging the specs' build does to each cluster (jobs created, recreated or "
    "deleted, claims, node pools, GPU demand against quota), compared with out/ or with "
    "out/ at a git revision; Markdown for a pull request or a job summary, or JSON"
)
FORMATS = ("markdown", "json")
EXIT_OK, EXIT_PROBLEMS = 0, 1


def add_plan_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `plan` beyond those it shares with build (root, specs, out, CRDs...)."""
    parser.add_argument(
        "--format", choices=FORMATS, default="markdown", help="output format (default: markdown)"
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        default=None,
        help="compare with out/ at this git revision (e.g. origin/main), read from git "
        "without a checkout, instead of out/ on disk; also shows the quota at REF",
    )
    parser.add_argument(
        "--chart",
        type=Path,
        metavar="FILE.svg",
        default=None,
        help="also write an SVG bar chart of GPU demand against quota, before and after",
    )


def _options(args: argparse.Namespace) -> BuildOptions:
    root: Path = args.root.resolve()
    if not root.is_dir():
        raise UsageError(f"--root {args.root} is not a directory")
    if args.chart is not None and args.chart.suffix.lower() != ".svg":
        raise UsageError(f"--chart {args.chart}: the chart is SVG; name a .svg file")
    return BuildOptions(
        root=root,
        specs=tuple(args.specs or (Path("specs"),)),
        out_dir=args.out,
        mode="validate",
        crds=tuple(args.crds),
        check_output=not args.no_output_check,
        use_cache=not args.no_cache,
        cache_dir=args.cache_dir,
        lock_timeout=args.lock_timeout,
    )


def _check_chart(chart: Path | None, options: BuildOptions) -> None:
    # A file manifestgen did not generate inside out/ would be deployed by Argo CD and is
    # an error on every build (MG506): the chart belongs beside the repository's reports.
    if chart is None:
        return
    out = options.out_path().resolve()
    if chart.resolve() == out or out in chart.resolve().parents:
        raise UsageError(
            f"--chart {chart} is inside {options.out_dir.as_posix()}/; write it elsewhere"
        )


def _write_chart(path: Path, content: str) -> None:
    try:
        path.write_text(content, encoding="utf-8", newline="\n")
    except OSError as error:
        raise UsageError(f"--chart {path}: cannot write: {error.strerror or error}") from error


def run_plan(args: argparse.Namespace) -> int:
    """Run `manifestgen plan` with parsed flags; returns the exit code."""
    from manifestgen.plan import PlanOptions, make_plan
    from manifestgen.plan.json_doc import render_json
    from manifestgen.plan.markdown import render_markdown, render_no_plan
    from manifestgen.plan.svg import render_svg

    options = _options(args)
    _check_chart(args.chart, options)
    result = make_plan(PlanOptions(options, args.base))
    prefix = display_prefix(options.root, Path.cwd())
    result = replace(result, diagnostics=rebase_diagnostics(result.diagnostics, prefix))
    presentation = presentation_from(args, sys.stderr)
    if args.format == "json":
        sys.stdout.write(render_json(result))
    else:
        shown = [
            d
            for d in result.diagnostics
            if not result.ok
            or d.severity is not Severity.NOTE
            or presentation.verbosity == "verbose"
        ]
        summary = Summary(
            command="plan",
            diagnostics=tuple(shown),
            spec_files=result.spec_files,
            objects=result.objects,
            verbosity=presentation.verbosity,
            color=presentation.color,
        )
        if shown or not result.ok:
            sys.stderr.write(render_text(summary))
        warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
        plan_text = (
            render_markdown(result.plan, warnings)
            if result.plan
            else render_no_plan(sum(1 for d in result.diagnostics if d.is_error))
        )
        sys.stdout.write(plan_text)
    if args.chart is not None and result.plan is not None:
        _write_chart(args.chart, render_svg(result.plan))
    return EXIT_OK if result.ok else EXIT_PROBLEMS
