"""Regenerate docs/plan-example.md and docs/plan-example.svg: the plan of a sample change.

    .venv/bin/python docs/plan_example.py           # rewrite both files
    .venv/bin/python docs/plan_example.py --check   # exit 1 if either is stale

The change is made to a copy of this repository's example specs, in a throw-away git
repository whose first commit holds them and their build (the base branch of a pull
request): resnet-pretrain gets a new image (recreated; it resumes from its checkpoints),
llama-finetune is suspended, ctr-model and its team recsys are removed (their claim and
namespace stay on the cluster), the README tutorial's bert-finetune is added (a new node
pool) and the A100 quota grows from 64 to 96. The change is built, as its author would
before committing, and planned against the first commit with `--base main`. Commits are
made with fixed names and dates, so the same inputs give the same commit and files.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from manifestgen.cli.main import main as manifestgen

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUTPUTS = {"plan-example.md": "markdown", "plan-example.svg": "chart"}
_GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Example",
    "GIT_AUTHOR_EMAIL": "example@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "Example",
    "GIT_COMMITTER_EMAIL": "example@example.com",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=root,
        env={**os.environ, **_GIT_ENV},
        check=True,
        capture_output=True,
    )


def _cli(*args: str | Path) -> str:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = manifestgen([str(a) for a in args])
    if code != 0:
        raise SystemExit(f"manifestgen {args[0]} exited {code}:\n{out.getvalue()}{err.getvalue()}")
    return out.getvalue()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path.name}: {old!r} not found; update docs/plan_example.py")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _tutorial_job() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Tutorial: your first training job", 1)[1]
    block = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    if block is None:
        raise SystemExit("README.md: the tutorial's job spec was not found")
    return "\n".join(line[3:] for line in block.group(1).splitlines()) + "\n"


def _change(root: Path) -> None:
    specs = root / "specs"
    _edit(specs / "jobs" / "resnet-pretrain.yaml", "vision-train:1.9.0", "vision-train:1.10.0")
    suspended = "  nodes: 1\n  state: Suspended\n"
    _edit(specs / "jobs" / "llama-finetune.yaml", "  nodes: 1\n", suspended)
    (specs / "jobs" / "ctr-model.yaml").unlink()
    # The Kueue cluster's jobs need recsys's queue (one lends to the other).
    (specs / "jobs" / "ranker-queued.yaml").unlink()
    (specs / "jobs" / "sft-queued.yaml").unlink()
    platform = specs / "platform.yaml"
    _edit(platform, "        a100-80gb: 96\n", "        a100-80gb: 128\n")
    text = platform.read_text(encoding="utf-8")
    # The team, and its queue on the Kueue cluster.
    for block in (r"^    recsys:\n(?:      .*\n)+", r"^          recsys:\n(?:            .*\n)+"):
        recsys = re.search(block, text, re.MULTILINE)
        if recsys is None:
            raise SystemExit("platform.yaml: team recsys not found; update docs/plan_example.py")
        text = text.replace(recsys.group(0), "")
    platform.write_text(text, encoding="utf-8")
    (specs / "jobs" / "bert-finetune.yaml").write_text(_tutorial_job(), encoding="utf-8")


def render_example() -> dict[str, bytes]:
    """The example's files, by name under docs/."""
    with tempfile.TemporaryDirectory(prefix="manifestgen-plan-example-") as scratch:
        root = Path(scratch)
        shutil.copytree(REPO / "specs", root / "specs")
        _cli("build", "--root", root, "--no-output-check")
        _git(root, "init", "-q")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "base")
        _change(root)
        _cli("build", "--root", root, "--no-output-check")
        chart = root / "chart.svg"
        markdown = _cli(
            "plan", "--root", root, "--no-output-check", "--base", "main", "--chart", chart
        )
        return {
            "plan-example.md": markdown.encode("utf-8"),
            "plan-example.svg": chart.read_bytes(),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is stale")
    args = parser.parse_args(argv)
    wanted = render_example()
    stale = [name for name, content in wanted.items() if _read(HERE / name) != content]
    if args.check:
        for name in stale:
            sys.stdout.write(f"docs/{name} is stale: run .venv/bin/python docs/plan_example.py\n")
        return 1 if stale else 0
    for name in stale:
        (HERE / name).write_bytes(wanted[name])
    sys.stdout.write(f"wrote {len(stale)} of {len(wanted)} files in docs/\n")
    return 0


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


if __name__ == "__main__":
    raise SystemExit(main())
