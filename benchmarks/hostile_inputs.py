"""How long each hostile input takes `manifestgen` to refuse, and with what exit code.

    .venv/bin/python benchmarks/hostile_inputs.py [--timeout 60] [--only NAME]...

Writes each attack (a spec beside the test Platform, or a manifest for `verify`) to a
temporary repository and times one cold `manifestgen validate` or `manifestgen verify`
process on it. Every attack must end with exit 1 and a located diagnostic, well within
a second; before the input limits, several ran past 60 s or ended in an internal error
(exit 3). The figures are in the README's "Security model" section.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLATFORM = REPO / "tests" / "cases" / "platform.yaml"
MANIFESTGEN = Path(sys.executable).parent / "manifestgen"

JOB = """\
apiVersion: manifestgen.io/v1alpha1
kind: TrainingJob
metadata:
  name: j
spec:
  team: vision
  cluster: train-a
  image: ghcr.io/acme/x:1
  nodes: 1
  resources:
    cpu: {cpu}
    memory: 8Gi
"""
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def laughs(indent: str) -> str:
    """Nine levels of nine aliases: 1 KB that stands for 9**9 values."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "".join(f"{indent}{line}\n" for line in lines)


def _job(cpu: str = "4", extra: str = "") -> str:
    return JOB.format(cpu=cpu) + extra


# name -> (command, file name, content)
ATTACKS: dict[str, tuple[str, str, str]] = {
    "spec: billion laughs": (
        "validate",
        "job.yaml",
        _job(extra="  hyperparameters:\n" + laughs("    ")),
    ),
    "spec: 10k-deep nesting": (
        "validate",
        "job.yaml",
        _job(extra="  args:\n" + "    [\n" * 10_000),
    ),
    "spec: 10k-deep, one line": (
        "validate",
        "job.yaml",
        _job(extra="  args: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    ),
    "spec: recursive alias": (
        "validate",
        "job.yaml",
        _job(extra="  hyperparameters: &r {a: *r}\n"),
    ),
    "spec: 5000-digit integer": (
        "validate",
        "job.yaml",
        _job().replace("nodes: 1", "nodes: " + "9" * 5000),
    ),
    "spec: cpu: 1e309": ("validate", "job.yaml", _job(cpu="1e309")),
    "spec: cpu: .inf": ("validate", "job.yaml", _job(cpu=".inf")),
    "spec: cpu: .nan": ("validate", "job.yaml", _job(cpu=".nan")),
    "spec: bad value under <<": (
        "validate",
        "job.yaml",
        _job()
        .replace("spec:\n", "base: &b {nodes: '4'}\nspec:\n  <<: *b\n")
        .replace("  nodes: 1\n", ""),
    ),
    "spec: 2 MB line": ("validate", "job.yaml", _job(extra="  args: [" + "x" * 2_000_000 + "]\n")),
    "spec: 500k-item flow list": (
        "validate",
        "job.yaml",
        _job(extra="  args: [" + "x," * 500_000 + "]\n"),
    ),
    "spec: 10^6 list items": (
        "validate",
        "job.yaml",
        _job(extra="  args:\n" + "  - x\n" * 1_000_000),
    ),
    "spec: 50 MB file": ("validate", "job.yaml", _job(extra=("# " + "z" * 97 + "\n") * 500_000)),
    "verify: billion laughs": ("verify", "in.yaml", CONFIG_MAP + "data:\n" + laughs("  ")),
    "verify: recursive alias": (
        "verify",
        "in.yaml",
        CONFIG_MAP.replace("{name: x}", "&m {name: x, labels: *m}"),
    ),
    "verify: 10k-deep YAML": ("verify", "in.yaml", CONFIG_MAP + "x:\n" + "  [\n" * 10_000),
    "verify: 100k-deep JSON": (
        "verify",
        "in.json",
        '{"kind": "ConfigMap", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ),
    "verify: duplicate key": ("verify", "in.yaml", CONFIG_MAP + "metadata: {name: y}\n"),
    "verify: 5000-digit integer": ("verify", "in.yaml", CONFIG_MAP + "x: " + "9" * 5000 + "\n"),
    "verify: .inf": ("verify", "in.yaml", CONFIG_MAP + "x: .inf\n"),
}


def run(name: str, timeout: float, work: Path) -> tuple[str, float, str]:
    command, file_name, content = ATTACKS[name]
    root = work / str(list(ATTACKS).index(name))
    (root / "specs").mkdir(parents=True)
    shutil.copy(PLATFORM, root / "specs" / "platform.yaml")
    target = root / ("specs" if command == "validate" else "") / file_name
    target.write_text(content)
    args = [str(MANIFESTGEN), command, "--root", str(root)]
    args += ["--no-output-check"] if command == "validate" else ["--no-cache", str(target)]
    start = time.perf_counter()
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - start, ""
    seconds = time.perf_counter() - start
    first = (done.stdout + done.stderr).splitlines()[:1]
    return str(done.returncode), seconds, first[0].replace(str(root) + "/", "") if first else ""


def main() -> int:
    parser = argparse.ArgumentParser(description="time manifestgen on hostile inputs")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per attack")
    parser.add_argument("--only", action="append", default=[], metavar="NAME")
    args = parser.parse_args()
    names = [n for n in ATTACKS if not args.only or n in args.only]
    print(f"{'attack':28} {'exit':>7} {'seconds':>8}  first line of the report")
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            code, seconds, first = run(name, args.timeout, Path(tmp))
            print(f"{name:28} {code:>7} {seconds:8.2f}  {first[:90]}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
