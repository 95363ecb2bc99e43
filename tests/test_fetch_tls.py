"""Feeds over https: a real TLS server on 127.0.0.1 with a certificate from a throwaway CA.

Nearly every real feed is https, so the handshake's failures must read as what they are (an
untrusted certificate, a server that does not speak TLS), not as the errno a TLS error carries
("Operation not permitted"), and they are not retried: the next handshake would fail the same way.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import trustme
from servers import rss
from test_fetch import FAST, standin_parse

from crpsdigest.fetch import FetchResult, fetch_all
from crpsdigest.models import FeedRef


class _Feed(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = rss("secure", 2)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _serve(server: ThreadingHTTPServer) -> Iterator[int]:
    """The server's port while it runs in a thread."""
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_port(ca: trustme.CA) -> Iterator[int]:
    """An https server whose certificate names 127.0.0.1 and localhost."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _serve(server) as port:
        yield port


@pytest.fixture(scope="module")
def plain_port() -> Iterator[int]:
    """A server that speaks plain HTTP only."""
    with _serve(ThreadingHTTPServer(("127.0.0.1", 0), _Feed)) as port:
        yield port


@pytest.fixture
def trusting(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CA trusted the way an editor would: SSL_CERT_FILE, read when trust_env is on."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    monkeypatch.setenv("SSL_CERT_FILE", str(path))
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def _fetch(*feeds: FeedRef) -> dict[str, FetchResult]:
    results = asyncio.run(fetch_all(feeds, {}, replace(FAST, trust_env=True), standin_parse))
    return {r.feed.name: r for r in results}


def test_a_feed_over_https_is_fetched_when_its_certificate_is_trusted(
    tls_port: int, trusting: None
) -> None:
    results = _fetch(FeedRef(f"https://127.0.0.1:{tls_port}/feed", "by address"),
                     FeedRef(f"https://localhost:{tls_port}/feed", "by name"))
    for result in results.values():
        assert (result.outcome, result.message) == ("new", "2 entries")


def test_an_untrusted_certificate_says_so_in_one_line_without_retrying(tls_port: int) -> None:
    result = _fetch(FeedRef(f"https://127.0.0.1:{tls_port}/feed", "self-signed"))["self-signed"]
    assert result.outcome == "error"
    assert result.message == (
        "cannot connect: the server's TLS certificate is not trusted "
        "(unable to get local issuer certificate)"
    )
    assert result.state.consecutive_failures == 1


def test_a_certificate_for_another_name_is_refused(
    ca: trustme.CA, trusting: None
) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Feed)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("feeds.example.org").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _serve(server) as port:
        result = _fetch(FeedRef(f"https://127.0.0.1:{port}/feed", "wrong name"))["wrong name"]
        assert result.outcome == "error"
        assert "TLS certificate is not trusted" in result.message
        assert "127.0.0.1" in result.message  # the name it was not valid for
        assert "attempts" not in result.message


def test_https_to_a_plain_http_server_is_a_failed_handshake(plain_port: int) -> None:
    result = _fetch(FeedRef(f"https://127.0.0.1:{plain_port}/feed", "plain"))["plain"]
    assert result.outcome == "error"
    assert result.message == "cannot connect: TLS handshake failed (wrong version number)"
