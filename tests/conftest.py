"""Shared test parts: a real HTTP server on 127.0.0.1 and a CLI runner."""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from crpsdigest.cli import cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = ROOT.parent / "shared"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def http_servers() -> Iterator[Callable[[Callable[..., http.server.BaseHTTPRequestHandler]], str]]:
    """Real HTTP servers on 127.0.0.1: yields start(handler) → base URL (no trailing /)."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(handler: Callable[..., http.server.BaseHTTPRequestHandler]) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.fixture
def serve_dir() -> Iterator[object]:
    """Start a static HTTP server on 127.0.0.1 for a folder; yields a function returning its base URL."""
    with http_servers() as start:
        yield lambda folder: start(functools.partial(_QuietHandler, directory=str(folder))) + "/"


def run_cli(*args: str | Path) -> Result:
    """Invoke the real `crpsdigest` entry point in-process; exit code and output are real."""
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


SITE_YAML = """\
digest:
  title: Test CRPS Digest
  site_url: https://digest.example.org/
  timezone: Europe/London
  language: en
  editor_email: editor@example.org
"""


def write_config(folder: Path, feeds: list[tuple[str, str, str]], extra: str = "") -> Path:
    """feeds.yaml with (name, url, topic) feeds."""
    lines = [SITE_YAML + extra, "feeds:"]
    for name, url, topic in feeds:
        lines += [f"  - name: {name}", f"    url: {url}", f"    topic: {topic}"]
    path = folder / "feeds.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
