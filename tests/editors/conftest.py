"""The real yaml-language-server, installed once per session and started once.

The server comes from the npm registry, pinned, into the session's temporary directory
(never the user's). Without node and npm the editor tests are skipped, with the reason
in pytest's summary; `MANIFESTGEN_REQUIRE_LSP=1` turns that skip into a failure, for a CI
that must run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.editors.lsp import LanguageServer
from tests.support import REPO_ROOT

SERVER = "yaml-language-server@1.25.0"


def _unavailable(reason: str) -> None:
    if os.environ.get("MANIFESTGEN_REQUIRE_LSP", "") not in ("", "0"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def server_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        _unavailable("editor tests need node and npm on PATH to run yaml-language-server")
    prefix = tmp_path_factory.mktemp("yaml-language-server")
    done = subprocess.run(
        [str(npm), "install", "--prefix", str(prefix), "--no-audit", "--no-fund", SERVER],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, "npm_config_cache": str(prefix / ".npm")},
    )
    if done.returncode != 0:
        _unavailable(f"npm could not install {SERVER}: {done.stderr.strip()[-300:]}")
    return prefix / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"


def readme_settings() -> dict[str, Any]:
    """The `.vscode/settings.json` of the README's Editor set-up."""
    readme = (REPO_ROOT / "README.md").read_text()
    section = readme[readme.index("## Editor set-up") :]
    block = section[section.index("```json\n") + len("```json\n") :]
    settings = json.loads(block[: block.index("```")])
    assert isinstance(settings, dict)
    return settings


@pytest.fixture(scope="session")
def editor_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of this repository's specs/ and schemas/, as a user's checkout holds them."""
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO_ROOT / "specs", root / "specs")
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas")
    return root


# Module scope: one server for the one module that uses it, stopped (with its reader
# thread) before other modules run. A live thread would receive a process-directed
# SIGINT that the main thread holds, and tests of out/'s signal handling would flake.
@pytest.fixture(scope="module")
def yaml_server(server_script: Path, editor_repo: Path) -> Iterator[LanguageServer]:
    node = shutil.which("node")
    assert node is not None
    server = LanguageServer([node, str(server_script), "--stdio"], editor_repo)
    # The path mapping the README tells users to commit, as VS Code sends it; no schema
    # store, which is fetched from the network.
    server.configure(
        {
            "validate": True,
            "completion": True,
            "hover": True,
            "schemaStore": {"enable": False},
            "schemas": readme_settings()["yaml.schemas"],
        }
    )
    yield server
    server.close()
