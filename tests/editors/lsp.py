"""A minimal Language Server Protocol client over stdio, enough to drive yaml-language-server
as an editor does: initialize, settings, didOpen, diagnostics, completion."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import IO, Any

TIMEOUT = 15.0


class LanguageServer:
    """One server process; requests are answered in order, notifications are queued."""

    def __init__(self, command: list[str], root: Path) -> None:
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self._next_id = 0
        self._responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.diagnostics: queue.Queue[dict[str, Any]] = queue.Queue()
        self._versions: dict[str, int] = {}
        self._settings: dict[str, Any] = {}
        assert self._process.stdout is not None
        self._reader = threading.Thread(
            target=self._read, args=(self._process.stdout,), daemon=True
        )
        self._reader.start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root.as_uri(),
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {
                        "completion": {"completionItem": {"snippetSupport": False}},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                        "publishDiagnostics": {},
                    },
                },
            },
        )
        self.notify("initialized", {})

    def configure(self, settings: dict[str, Any]) -> None:
        """Set the `yaml` settings section; the server pulls it (workspace/configuration)."""
        self._settings = {"yaml": settings}
        self.notify("workspace/didChangeConfiguration", {"settings": self._settings})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            self._responses[ident] = queue.Queue()
        self._send({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        response = self._responses[ident].get(timeout=TIMEOUT)
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result")

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def open(self, path: Path, text: str) -> list[dict[str, Any]]:
        """Open (or re-open with new text) `path`; the diagnostics published for it."""
        uri = path.as_uri()
        version = self._versions.get(uri, 0) + 1
        self._versions[uri] = version
        if version == 1:
            self.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": uri,
                        "languageId": "yaml",
                        "version": version,
                        "text": text,
                    }
                },
            )
        else:
            self.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": version},
                    "contentChanges": [{"text": text}],
                },
            )
        return self._diagnostics_for(uri, version)

    def complete(self, path: Path, line: int, character: int) -> list[str]:
        """Labels of the completion items at a 0-based position."""
        result = self.request(
            "textDocument/completion",
            {
                "textDocument": {"uri": path.as_uri()},
                "position": {"line": line, "character": character},
            },
        )
        items = result.get("items", []) if isinstance(result, dict) else result or []
        return sorted(str(item["label"]) for item in items)

    def hover(self, path: Path, line: int, character: int) -> str:
        """The hover text at a 0-based position ("" if none)."""
        result = self.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": path.as_uri()},
                "position": {"line": line, "character": character},
            },
        )
        contents = (result or {}).get("contents", "")
        return str(contents.get("value", "") if isinstance(contents, dict) else contents)

    def close(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self._process.wait(timeout=5)
        except (RuntimeError, OSError, queue.Empty, subprocess.TimeoutExpired):
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                stream.close()

    def _diagnostics_for(self, uri: str, version: int) -> list[dict[str, Any]]:
        while True:
            message = self.diagnostics.get(timeout=TIMEOUT)
            params = message["params"]
            # Validation is debounced: an older version's report may still arrive.
            if params["uri"] == uri and params.get("version", version) == version:
                return list(params["diagnostics"])

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self._process.stdin is not None
        self._process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self._process.stdin.flush()

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line:
                return
            self._dispatch(json.loads(stream.read(length)))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "method" not in message:
            self._responses[message["id"]].put(message)
        elif "id" in message:
            # Requests from the server: the settings it pulls, and an empty result for
            # the rest (registerCapability, progress), as an editor with nothing to add.
            result: Any = None
            if message["method"] == "workspace/configuration":
                items = message["params"]["items"]
                result = [self._settings.get(item.get("section", "")) for item in items]
            self._send({"jsonrpc": "2.0", "id": message["id"], "result": result})
        elif message["method"] == "textDocument/publishDiagnostics":
            self.diagnostics.put(message)
