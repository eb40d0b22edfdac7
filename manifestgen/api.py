"""Specs as typed Python objects, rendered without files, over the same pipeline.

    platform = Platform(apiVersion=API_VERSION, kind="Platform", metadata=..., spec=...)
    job = TrainingJob(apiVersion=API_VERSION, kind="TrainingJob", metadata=..., spec=...)
    tree = render_specs(platform, [job])  # {"train-a/team-vision/mnist/pytorchjob.yaml": b"..."}

Each model is written out as the document a user would have written (only the fields
that were set, by their YAML names) and given to the pipeline as an in-memory source, so
the rules, expansion, output checks and rendering are exactly those of `manifestgen build`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypedDict, Unpack

from manifestgen.errors import Diagnostic, ManifestgenError
from manifestgen.options import BuildOptions
from manifestgen.pipeline import BuildResult, run
from manifestgen.spec.platform import Platform
from manifestgen.spec.training import TrainingJob


class RenderError(ManifestgenError):
    """The specs have errors; `diagnostics` holds every diagnostic of the run."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...]) -> None:
        self.diagnostics = diagnostics
        errors = [d for d in diagnostics if d.is_error]
        lines = [f"{d.location}: {d.code} {d.field}: {d.message}" for d in errors[:5]]
        more = f"\n... and {len(errors) - 5} more" if len(errors) > 5 else ""
        super().__init__(f"{len(errors)} error(s) in the specs:\n" + "\n".join(lines) + more)


def source_name(model: Platform | TrainingJob) -> str:
    """The name diagnostics and `manifestgen.io/source` annotations give a model."""
    return f"<python>/{model.kind}/{model.metadata.name}.yaml"


def _document(model: Platform | TrainingJob) -> tuple[str, str]:
    # None is "unset" in Python; a spec leaves the key out (null is refused, MG630).
    data = model.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
    # JSON is YAML; indented, each field gets a line of its own for diagnostics.
    return source_name(model), json.dumps(data, indent=2) + "\n"


class RenderOptions(TypedDict, total=False):
    """Keyword options of `compile_specs` and `render_specs`."""

    crds: Sequence[Path]
    check_output: bool
    root: Path | None


def compile_specs(
    platform: Platform,
    jobs: Iterable[TrainingJob],
    *,
    crds: Sequence[Path] = (),
    check_output: bool = True,
    root: Path | None = None,
) -> BuildResult:
    """Compile `platform` and `jobs`; the result holds the diagnostics and the tree.

    Nothing is read from or written to disk except the CRDs (`crds`, and the Platform's
    `spec.crds` relative to `root`, default the working directory) and their cache: not
    even a previous out/, so jobs are rendered as new.
    """
    options = BuildOptions(
        root=root if root is not None else Path.cwd(),
        specs=(),
        mode="validate",
        crds=tuple(crds),
        check_output=check_output,
        previous_build=False,
    )
    return run(options, [_document(platform), *(_document(job) for job in jobs)])


def render_specs(
    platform: Platform, jobs: Iterable[TrainingJob], **options: Unpack[RenderOptions]
) -> dict[str, bytes]:
    """The files `manifestgen build` would write under out/, by relative path.

    Takes the options of `compile_specs`; raises `RenderError` (with every diagnostic)
    when the specs have errors.
    """
    result = compile_specs(platform, jobs, **options)
    if not result.ok:
        raise RenderError(result.diagnostics)
    return dict(result.tree)
