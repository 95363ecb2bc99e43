"""A real loopback HTTP server with the faults feeds show in the wild, for the fetch tests.

Also a small stand-in feed parser (feedparser directly) with the ``parse_feed`` signature, so the
fetch tests do not depend on how parse.py shapes entries.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser

from crpsdigest.models import Entry, FeedRef


def rss(title: str, n: int, *, ttl: int | None = None, item_title: str = "Item") -> bytes:
    """A small valid RSS 2.0 document with ``n`` items (UTF-8)."""
    items = "".join(
        f"<item><title>{item_title} {i}</title><link>https://example.org/{title}/{i}</link>"
        f"<guid>{title}-{i}</guid><description>Text {i} about CRPS.</description></item>"
        for i in range(n)
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{ttl_tag}{items}"
        f"</channel></rss>"
    ).encode()


@dataclass
class StandinParsed:
    entries: list[Entry]
    title: str
    error: str | None = None
    ttl_minutes: int | None = None


def standin_parse(
    body: bytes, feed: FeedRef, headers: Mapping[str, str] | None = None
) -> StandinParsed:
    """feedparser straight through: enough to check what fetch hands to parse."""
    d = feedparser.parse(body, response_headers=dict(headers or {}))
    entries = [
        Entry(
            feed=feed,
            guid=str(e.get("id") or e.get("link") or ""),
            title=str(e.get("title", "")),
            link=str(e.get("link", "")),
            canonical_url=str(e.get("link", "")),
        )
        for e in d.entries
    ]
    error = None
    if d.get("bozo") and not entries:
        error = str(d.get("bozo_exception") or "not a feed")
    ttl = d.feed.get("ttl")
    return StandinParsed(
        entries=entries,
        title=str(d.feed.get("title", "")),
        error=error,
        ttl_minutes=int(ttl) if ttl and str(ttl).isdigit() else None,
    )


@dataclass
class ServerLog:
    """What the server saw, so tests can check requests, headers and concurrency."""

    hits: Counter[str] = field(default_factory=Counter)
    headers: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    active: Counter[str] = field(default_factory=Counter)
    max_active: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


BOMB = gzip.compress(b"\0" * (64 * 2**20), compresslevel=9)  # 64 MiB of zeros, ~64 KiB on the wire
CHARSET_TITLE = "Ketamin für CRPS – Studie"


class FaultHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    log: ServerLog

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _send(
        self, status: int, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        log = self.log
        with log.lock:
            log.hits[path] += 1
            log.headers.setdefault(path, []).append({k.lower(): v for k, v in self.headers.items()})
            count = log.hits[path]
            log.active[path] += 1
            log.max_active[path] = max(log.max_active[path], log.active[path])
        try:
            self.route(path, query, count)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with log.lock:
                log.active[path] -= 1

    def feed(self, body: bytes, extra: Mapping[str, str] | None = None) -> None:
        """Serve a feed with an ETag and conditional GET, like a well-behaved server."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:12] + '"'
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": etag,
                   "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT", **(extra or {})}
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", {k: v for k, v in headers.items() if k != "Content-Type"})
        else:
            self._send(200, body, headers)

    def route(self, path: str, query: str, count: int) -> None:
        if path.startswith("/feed/"):
            self.feed(rss(path.rsplit("/", 1)[-1], 3))
        elif path == "/slow":  # for the per-host limit
            time.sleep(0.2)
            self.feed(rss("slow", 2))
        elif path == "/rotating":  # a 304 that carries a new ETag
            if self.headers.get("If-None-Match"):
                self._send(304, b"", {"ETag": f'"v{count}"'})
            else:
                self._send(200, rss("rotating", 2), {"ETag": '"v1"'})
        elif path == "/cached":
            self.feed(rss("cached", 2), {"Cache-Control": "max-age=3600"})
        elif path == "/ttl":
            self.feed(rss("ttl", 2, ttl=90))
        elif path == "/novalidators":
            self._send(200, rss("novalidators", 2), {"Content-Type": "application/rss+xml"})
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(1)
        elif path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            time.sleep(5)
        elif path == "/endless":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b"<item>" + b"x" * 65536 + b"</item>"
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        elif path == "/bomb":
            self._send(200, BOMB, {"Content-Type": "application/rss+xml",
                                   "Content-Encoding": "gzip"})
        elif path == "/gzipped":
            self._send(200, gzip.compress(rss("gzipped", 4)),
                       {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"})
        elif path in ("/loop-a", "/loop-b"):
            other = "/loop-b" if path == "/loop-a" else "/loop-a"
            self._send(302, b"", {"Location": other})
        elif path == "/flaky":
            if count == 1:
                self._send(500, b"oops")
            else:
                self.feed(rss("flaky", 2))
        elif path == "/throttled":
            if count == 1:
                self._send(429, b"", {"Retry-After": "1"})
            else:
                self.feed(rss("throttled", 2))
        elif path == "/always-503":
            self._send(503, b"", {"Retry-After": "1"})
        elif path == "/throttled-long":
            self._send(429, b"", {"Retry-After": "3600"})
        elif path == "/moved":
            self._send(301, b"", {"Location": "/feed/new-home"})
        elif path == "/temp-moved":
            self._send(302, b"", {"Location": "/feed/elsewhere"})
        elif path == "/gone":
            self._send(410, b"gone")
        elif path == "/missing":
            self._send(404, b"not here")
        elif path == "/private":  # a members' feed: Basic auth as editor / s3cret
            if self.headers.get("Authorization") == "Basic ZWRpdG9yOnMzY3JldA==":
                self.feed(rss("private", 2))
            else:
                self._send(401, b"log in", {"WWW-Authenticate": 'Basic realm="members"'})
        elif path == "/charset":
            body = rss("charset", 1, item_title=CHARSET_TITLE)
            self._send(200, body, {"Content-Type": "application/rss+xml; charset=iso-8859-1"})
        elif path == "/html":
            page = b"<!DOCTYPE html><html><head><title>Blog</title></head><body>Hi</body></html>"
            self._send(200, page, {"Content-Type": "text/html; charset=utf-8"})
        elif path == "/html-etag":  # a page instead of a feed, served with validators
            page = b"<!DOCTYPE html><html><head><title>Blog</title></head><body>Hi</body></html>"
            self.feed(page, {"Content-Type": "text/html; charset=utf-8"})
        elif path == "/empty":
            self._send(200, b"", {"Content-Type": "application/rss+xml"})
        elif path == "/reset":
            self.send_response(200)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(rss("reset", 5)[:200])
            self.wfile.flush()
            # RST instead of FIN: SO_LINGER with a zero timeout, then close.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif path == "/hangup":  # the server closes the connection without a word
            self.connection.close()
            self.close_connection = True
        elif path == "/not-http":  # something answers, but not in HTTP
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            self.wfile.flush()
            self.connection.close()
            self.close_connection = True
        else:
            self._send(404, b"no such endpoint")


@dataclass
class FaultServer:
    base: str
    log: ServerLog

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    """Start the fault server on 127.0.0.1 on a free port, in a thread; stop it after."""
    log = ServerLog()
    handler = type("Handler", (FaultHandler,), {"log": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FaultServer(f"http://127.0.0.1:{server.server_address[1]}", log)
    finally:
        server.shutdown()
        server.server_close()
