"""`manifestgen verify PATH...`: check any manifests, as `kubectl apply` would judge them.

Flags become a frozen `VerifyOptions`; one `verify()` call; a format renders the result;
the exit code is 0 when everything passed, 1 when anything failed, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from manifestgen.report.escape import printable
from manifestgen.verify.choices import FORMAT_NAMES, MISSING_SCHEMA_MODES, STDIN_ARGUMENT

if TYPE_CHECKING:
    from manifestgen.verify.model import VerifyOptions

HELP = (
    "check Kubernetes manifests (files, directories, '-' for stdin) against the schemas "
    "of a Kubernetes version and your CRDs, offline"
)

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `manifestgen verify`."""
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="file, directory or '-' (stdin)"
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path.cwd(),
        help="a manifestgen repository whose Platform's spec.crds apply too (default: .)",
    )
    parser.add_argument(
        "--kubernetes-version",
        metavar="X.Y",
        default=None,
        help="schemas of this Kubernetes version (default: for out/<cluster> of the --root "
        "repository, that cluster's kubernetesVersion; else the newest bundled)",
    )
    parser.add_argument(
        "--crds",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="CRD file or directory (repeatable; adds to the Platform's and $MANIFESTGEN_CRDS)",
    )
    for flag, does in (("skip", "do not check"), ("reject", "fail every resource of")):
        parser.add_argument(
            f"--{flag}-kind",
            action="append",
            default=[],
            metavar="KIND",
            help=f"{does} this kind: Kind or apiVersion/Kind, e.g. batch/v1/Job (repeatable)",
        )
    parser.add_argument(
        "--missing-schema",
        choices=MISSING_SCHEMA_MODES,
        default="error",
        help="a kind with no schema is an error, a warning, or skipped (default: error)",
    )
    parser.add_argument(
        "--format", choices=FORMAT_NAMES, default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--summary",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="end with the counts per kind (default: on)",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="processes to use (default: one per core, for inputs large enough to gain)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="cache of parsed CRDs (default: $MANIFESTGEN_CACHE_DIR or ~/.cache/manifestgen)",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")


def options_from(args: argparse.Namespace) -> VerifyOptions:
    # Imported here: they read the Platform, and other commands do not need them.
    from manifestgen.verify.locations import cluster_versions, crd_locations
    from manifestgen.verify.model import VerifyOptions

    """Frozen options from parsed flags; reads stdin when a path is '-'."""
    paths = tuple(args.paths)
    reads_stdin = any(str(p) == STDIN_ARGUMENT for p in paths)
    return VerifyOptions(
        paths=paths,
        stdin=_read_stdin() if reads_stdin else b"",
        kubernetes_version=args.kubernetes_version,
        crds=crd_locations(args.crds, args.root),
        cluster_versions=cluster_versions(args.root),
        skip_kinds=frozenset(args.skip_kind),
        reject_kinds=frozenset(args.reject_kind),
        missing_schema=args.missing_schema,
        workers=args.workers,
        use_cache=not args.no_cache,
        cache_dir=args.cache_dir,
    )


def _read_stdin() -> bytes:
    # Bytes, so that libyaml sees the encoding as written; a replaced text stream (tests,
    # embedding) has no buffer.
    buffer = getattr(sys.stdin, "buffer", None)
    return buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")


def run_verify(args: argparse.Namespace) -> int:
    # The schema engine is imported only by the command that uses it.
    from manifestgen.verify.formats import FORMATS, ReportSettings
    from manifestgen.verify.model import VerifyError
    from manifestgen.verify.runner import verify

    """Run `manifestgen verify` with parsed flags; returns the exit code."""
    try:
        result = verify(options_from(args))
    except VerifyError as error:
        sys.stderr.write(f"manifestgen verify: error: {printable(str(error))}\n")
        return EXIT_USAGE
    settings = ReportSettings(
        summary=args.summary and not args.quiet, verbose=args.verbose, quiet=args.quiet
    )
    sys.stdout.write(FORMATS[args.format](result, settings))
    return EXIT_OK if result.ok else EXIT_PROBLEMS
