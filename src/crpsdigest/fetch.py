"""Fetch every feed concurrently, politely and without letting one bad feed hurt the others.

Why it looks like this:

* Editors list 50–500 feeds; most of the time goes into waiting on slow servers, so requests run
  concurrently on one asyncio loop (httpx), bounded by a global limit (sockets, memory) and a
  per-host limit (politeness: many PubMed or Google News feeds share one host).
* Parsing is CPU work; it runs in worker processes (:mod:`crpsdigest.workers`) as bodies arrive,
  so the loop keeps the network busy while both cores parse.
* Conditional GET (ETag / Last-Modified) and the server's own freshness hints (Cache-Control
  max-age, Expires, Retry-After, RSS ``<ttl>``) keep a warm run cheap and the servers happy.
* Every failure ends as one line on a :class:`FetchResult` and in the feed's :class:`FeedState`,
  which the store keeps as JSON and the health report reads. feeds.yaml is never rewritten:
  permanent redirects and 410s are reported with the exact change an editor should make.
"""

from __future__ import annotations

import asyncio
import codecs
import hashlib
import logging
import os
import random
import ssl
import time
import urllib.request
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urljoin, urlsplit

import httpx

from crpsdigest import USER_AGENT
from crpsdigest.models import FeedRef
from crpsdigest.workers import WorkerDied, WorkerPool

Outcome = Literal["new", "unchanged", "skipped", "error", "gone"]

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECT_CODES = frozenset({301, 308})
_HTML_STARTS = (b"<!doctype html", b"<html")
PROCESS_POOL_MIN_FEEDS = 16
log = logging.getLogger(__name__)
_DRAIN_LIMIT = 64 * 2**10  # error bodies read to reuse the connection; longer ones close it


class ParsedFeedLike(Protocol):
    """What fetch needs from parse's result (``crpsdigest.parse.ParsedFeed``, or the store's
    rows of it: ``crpsdigest.ingest.StorableFeed``); of the entries, only how many."""

    @property
    def entries(self) -> Sequence[object]: ...
    @property
    def title(self) -> str: ...
    @property
    def error(self) -> str | None: ...
    @property
    def ttl_minutes(self) -> int | None: ...


ParseFn = Callable[[bytes, FeedRef, Mapping[str, str]], ParsedFeedLike]


@dataclass
class FeedState:
    """What we remember about one feed between runs (stored as JSON, keyed by feed url)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    not_before: datetime | None = None  # not requested before (freshness, Retry-After, backoff)
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_changed: datetime | None = None  # last time the body was new (200 with a new content)
    http_status: int | None = None
    last_error: str | None = None
    consecutive_failures: int = 0
    failing_since: datetime | None = None
    entries_seen: int = 0
    redirect_to: str | None = None  # permanent redirect target, until the editor changes the url
    gone: bool = False
    content_hash: str | None = None  # lets a 200 with an identical body skip parsing

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (datetimes as ISO 8601 strings in UTC)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeedState:
        """Inverse of :meth:`to_dict`; unknown keys are ignored so old rows keep loading."""
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in known}
        for key in ("not_before", "last_attempt", "last_success", "last_changed", "failing_since"):
            raw = kwargs.get(key)
            if isinstance(raw, str):
                parsed = datetime.fromisoformat(raw)
                kwargs[key] = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return cls(**kwargs)


def reset_state(state: FeedState) -> FeedState:
    """What ``crpsdigest feeds reset URL`` stores: forget gone/backoff/redirect, keep history."""
    return replace(
        state,
        gone=False,
        not_before=None,
        consecutive_failures=0,
        failing_since=None,
        last_error=None,
        redirect_to=None,
        etag=None,
        last_modified=None,
        content_hash=None,
    )


@dataclass
class FetchOptions:
    """Limits and timeouts; the defaults are what a weekly editorial run needs.

    * ``max_connections=256``: a socket costs a few KB and one file descriptor (256 leaves three
      quarters of the usual limit of 1024 to SQLite, worker pipes and SMTP); it lets 500 feeds
      on slow servers finish in two round trips, and the per-host limit, not this one, is
      what protects publishers.
    * ``per_host=4``: below the 6 connections browsers open per host, so a host carrying many of
      our feeds (PubMed searches, Google News queries) sees a browser-like load, never a flood.
    * timeouts: 10 s to connect, 30 s of silence while reading, 60 s for the whole feed, retries
      included (a server dripping a byte a second never trips the read timeout; this one does).
    * each host gets its own connection pool of ``per_host`` connections (a shared pool is
      searched on every request: quadratic CPU with hundreds of hosts).
    * ``max_retries=2`` with exponential backoff from 0.5 s, for connection errors, 429 and 5xx;
      a Retry-After up to 30 s is waited out, a longer one postpones the feed to the next run.
    * failing feeds back off from 30 min doubling up to 1 day; server freshness hints are
      honoured up to 1 day too, so every feed is checked at least daily.
    """

    max_connections: int = 256
    per_host: int = 4
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    total_timeout: float = 60.0
    max_bytes: int = 10 * 2**20
    max_retries: int = 2
    retry_backoff: float = 0.5
    retry_after_cap: float = 30.0
    max_redirects: int = 5
    force: bool = False
    user_agent: str = USER_AGENT
    failure_backoff: timedelta = timedelta(minutes=30)
    failure_backoff_max: timedelta = timedelta(days=1)
    freshness_cap: timedelta = timedelta(days=1)
    parse_workers: int | None = None  # None: one process per core; 0: parse in threads
    trust_env: bool = True  # honour HTTP(S)_PROXY / NO_PROXY from the environment
    # The run's clock for feed state (attempt/success times, backoff): the CLI passes its own
    # "now", so a pinned clock (CRPSDIGEST_NOW) gives reproducible health pages.
    clock: Callable[[], datetime] | None = None


@dataclass
class FetchResult:
    """One feed's outcome this run; ``message`` is the one-line report for editors."""

    feed: FeedRef
    outcome: Outcome
    message: str
    state: FeedState
    parsed: ParsedFeedLike | None = None
    permanent_redirect: str | None = None
    elapsed: float = 0.0

    @property
    def line(self) -> str:
        """``feed 'Name': message`` — what the CLI prints and logs."""
        return f"feed {self.feed.name!r}: {self.message}"


ProgressFn = Callable[[FetchResult, int, int], None]


class _Failure(Exception):
    """A failed attempt, with what the retry loop and the health state need."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
        gone: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after
        self.gone = gone


@dataclass
class _Response:
    status: int
    headers: dict[str, str]
    body: bytes
    final_url: str
    permanent_to: str | None
    local: bool = False  # a file: freshness hints do not apply, reading it again is free


def utcnow() -> datetime:
    return datetime.now(UTC)


def _fmt_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _fmt_size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n / 2**10:g} KiB"


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Retry-After as seconds from now (delta-seconds or an HTTP date), None when absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = _http_date(value)
    return None if when is None else max(0.0, (when - now).total_seconds())


def freshness_seconds(headers: Mapping[str, str], now: datetime) -> float:
    """How long the server says the response stays fresh (Cache-Control max-age, else Expires)."""
    cache_control = headers.get("cache-control", "").lower()
    directives = [d.strip() for d in cache_control.split(",") if d.strip()]
    if any(d in ("no-cache", "no-store") for d in directives):
        return 0.0
    age = float(headers["age"]) if headers.get("age", "").strip().isdigit() else 0.0
    for directive in directives:
        name, _, value = directive.partition("=")
        if name.strip() == "max-age" and value.strip().strip('"').isdigit():
            return max(0.0, float(value.strip().strip('"')) - age)
    expires = _http_date(headers.get("expires"))
    if expires is not None:
        date = _http_date(headers.get("date")) or now
        return max(0.0, (expires - date).total_seconds())
    return 0.0


def local_path(url: str) -> Path | None:
    """The file a ``file:`` url or plain path names; None for http(s) urls."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if parts.scheme in ("http", "https"):
        return None
    return Path(url)


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


class _Decoder:
    """Content-Encoding decoder that never inflates more than the size cap allows.

    httpx would decompress a whole network chunk at once (a 64 KiB gzip-bomb chunk can become
    64 MiB); here each step is bounded by ``max_length`` so memory stays at the cap.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self.zlib: Any = None
        elif encoding in ("gzip", "x-gzip"):
            self.zlib = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.zlib = zlib.decompressobj()
        else:
            raise _Failure(f"unsupported Content-Encoding {encoding!r}")

    def _add(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise _Failure(
                f"response larger than {_fmt_size(self.limit)} (after decompression); "
                "stopped reading"
            )
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        if self.zlib is None:
            self._add(chunk)
            return
        data = chunk
        try:
            while data:
                out = self.zlib.decompress(data, self.limit - self.size + 1)
                self._add(out)
                data = self.zlib.unconsumed_tail
        except zlib.error as exc:
            raise _Failure(f"corrupt compressed body: {exc}") from exc

    def finish(self) -> bytes:
        if self.zlib is not None:
            try:
                self._add(self.zlib.flush())
            except zlib.error as exc:
                raise _Failure(f"corrupt compressed body: {exc}") from exc
        return b"".join(self.parts)


def _fix_charset(headers: dict[str, str], body: bytes) -> dict[str, str]:
    """Drop a Content-Type charset the body contradicts, so the parser sniffs the XML instead.

    Servers often label UTF-8 feeds ``iso-8859-1`` (a default nobody changed); a body that is
    valid UTF-8 with non-ASCII bytes is UTF-8 in practice, and an unknown charset helps nobody.
    """
    ctype = headers.get("content-type", "")
    mime, _, params = ctype.partition(";")
    kept, charset = [], ""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
        elif param.strip():
            kept.append(param.strip())
    if not charset:
        return headers
    try:
        codecs.lookup(charset)
        known = True
    except LookupError:
        known = False
    if known and charset.replace("-", "").replace("_", "") in ("utf8", "usascii", "ascii"):
        try:
            body.decode(charset)
            return headers
        except UnicodeDecodeError:
            pass
    elif known:
        try:
            body.decode("utf-8")
            if body.isascii():
                return headers
        except UnicodeDecodeError:
            return headers
    fixed = dict(headers)
    fixed["content-type"] = "; ".join([mime.strip(), *kept])
    return fixed


def _status_text(status: int) -> str:
    try:
        from http import HTTPStatus

        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it was raised from, with each member of a group (one per address)."""
    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain:
        chain.append(seen)
        chain.extend(getattr(seen, "exceptions", ()))
        seen = seen.__cause__ or seen.__context__
    return chain


def _tls_failure(exc: BaseException) -> str | None:
    """What went wrong in a TLS handshake, in words; None if it was not TLS.

    A TLS error is an OSError with errno 1, which :func:`_root_cause` would read as
    "Operation not permitted": the words an editor needs are the certificate's problem.
    """
    # (some libraries' errors are SSLErrors by class without the attributes: read with getattr)
    errors = [e for e in _chain(exc) if isinstance(e, ssl.SSLError)]
    for error in errors:
        problem = getattr(error, "verify_message", None)
        if problem:
            return f"the server's TLS certificate is not trusted ({problem})"
    for error in errors:
        reason = getattr(error, "reason", None)
        if reason:
            return f"TLS handshake failed ({reason.lower().replace('_', ' ')})"
    return "TLS handshake failed" if errors else None


def _root_cause(exc: BaseException) -> str:
    """The OS's words ("Connection refused", "Name or service not known") under httpx's."""
    for error in _chain(exc):
        if not isinstance(error, OSError):
            continue
        if isinstance(error.errno, int) and error.errno > 0:
            return os.strerror(error.errno)
        if error.strerror:
            return error.strerror
    return _one_line(str(exc)) or "connection failed"


def _error_text(exc: BaseException, options: FetchOptions) -> _Failure:
    """One-line message and retry decision for a transport exception."""
    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure(f"connect timeout after {options.connect_timeout:g} s", retryable=True)
    if isinstance(exc, httpx.ReadTimeout):
        return _Failure(f"read timeout: no data for {options.read_timeout:g} s")
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(f"timeout: {_one_line(str(exc)) or type(exc).__name__}")
    if isinstance(exc, httpx.ConnectError):
        tls = _tls_failure(exc)  # not retried: the next handshake would fail the same way
        if tls:
            return _Failure(f"cannot connect: {tls}")
        return _Failure(f"cannot connect: {_root_cause(exc)}", retryable=True)
    if isinstance(exc, httpx.ReadError | httpx.WriteError):
        return _Failure(f"connection broke mid-response: {_root_cause(exc)}", retryable=True)
    if isinstance(exc, httpx.RemoteProtocolError):
        detail = _one_line(str(exc)) or type(exc).__name__
        return _Failure(f"the answer is not valid HTTP: {detail}", retryable=True)
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return _Failure(f"bad url: {_one_line(str(exc))}")
    return _Failure(f"{type(exc).__name__}: {_one_line(str(exc))}")


@dataclass
class _Host:
    """Per-host politeness: a slot per allowed connection, a Retry-After cooldown, a pool."""

    slot: asyncio.Semaphore
    cooldown: float = 0.0
    users: int = 0
    pools: dict[str, httpx.AsyncBaseTransport] = field(default_factory=dict)  # by scheme


class _Fetcher:
    """One run: the client, the limits and the parse pool shared by all feeds."""

    def __init__(
        self,
        options: FetchOptions,
        parse: ParseFn,
        feeds: int,
    ) -> None:
        self.options = options
        self.parse_fn = parse
        self.feeds = feeds
        self.pool_ready: asyncio.Task[WorkerPool | None] | None = None
        self.global_slots = asyncio.Semaphore(options.max_connections)
        self.hosts: dict[str, _Host] = {}
        self._ssl_context: ssl.SSLContext | None = None
        self.proxies = urllib.request.getproxies() if options.trust_env else {}
        self.headers = {
            "User-Agent": options.user_agent,
            "Accept": "application/atom+xml, application/rss+xml, application/xml;q=0.9, "
            "text/xml;q=0.9, */*;q=0.5",
            "Accept-Encoding": "gzip, deflate",
        }
        self.timeout = httpx.Timeout(
            connect=options.connect_timeout,
            read=options.read_timeout,
            write=options.read_timeout,
            pool=None,
        ).as_dict()
        self.closing: list[asyncio.Task[None]] = []

    def _host(self, host: str) -> _Host:
        if host not in self.hosts:
            self.hosts[host] = _Host(asyncio.Semaphore(self.options.per_host))
        return self.hosts[host]

    def _pool(self, scheme: str, name: str, host: _Host) -> httpx.AsyncBaseTransport:
        """The host's own connections: at most ``per_host`` (see :mod:`crpsdigest.transport`).

        One pool per host rather than one shared pool: a pool looks through all its connections
        for each request, and one per host keeps that cheap with hundreds of hosts. A transport,
        not an AsyncClient: the client's layers (cookie jar, auth, redirects, hooks) cost a third
        of the CPU of a request and a feed fetch uses none of them (redirects are followed by
        hand in :meth:`_get`, to see loops and moves).
        """
        if scheme not in host.pools:
            from crpsdigest.transport import HostTransport  # aiohttp: only for runs that fetch

            proxy = self._proxy(scheme, name)
            tls = scheme == "https" or (proxy or "").startswith("https")
            host.pools[scheme] = HostTransport(
                self.options.per_host, self.ssl_context() if tls else None, proxy
            )
        return host.pools[scheme]

    def ssl_context(self) -> ssl.SSLContext:
        """One TLS context for every host, made on first need: loading the CA bundle costs
        ~0.1 s of CPU, which a run of plain-http (or local) feeds need not pay."""
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context(trust_env=self.options.trust_env)
        return self._ssl_context

    def _proxy(self, scheme: str, host: str) -> str | None:
        """HTTP(S)_PROXY / ALL_PROXY from the environment unless NO_PROXY exempts the host."""
        if not self.proxies or urllib.request.proxy_bypass(host):
            return None
        return self.proxies.get(scheme, self.proxies.get("all"))

    def expect(self, url: str) -> None:
        """Count a feed that will use ``url``'s host, so its pool stays open until then."""
        self._host((urlsplit(url).hostname or "").lower()).users += 1

    def done_with(self, url: str) -> None:
        """A feed of this host finished: close the host's pool once no feed needs it."""
        host = self._host((urlsplit(url).hostname or "").lower())
        host.users -= 1
        if host.users <= 0 and host.pools:
            self.closing.extend(asyncio.create_task(p.aclose()) for p in host.pools.values())
            host.pools = {}

    async def aclose(self) -> None:
        pools = [p for h in self.hosts.values() for p in h.pools.values()]
        await asyncio.gather(*self.closing, *(p.aclose() for p in pools))

    # -- network -------------------------------------------------------------------------------

    async def _get_once(self, url: str, headers: Mapping[str, str]) -> httpx.Response:
        """Send one request holding a host slot then a global slot; read the body capped."""
        parts = urlsplit(url)
        name = (parts.hostname or "").lower()
        host = self._host(name)
        host.users += 1
        try:
            async with host.slot:
                wait = host.cooldown - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                async with self.global_slots:
                    request = httpx.Request(
                        "GET", url, headers={**self.headers, **headers},
                        extensions={"timeout": self.timeout},
                    )
                    pool = self._pool(parts.scheme.lower(), name, host)
                    response = await self._send(pool, request)
                if response.status_code in (429, 503):
                    delay = retry_after_seconds(response.headers.get("retry-after"), utcnow())
                    if delay:
                        host.cooldown = time.monotonic() + min(delay, self.options.retry_after_cap)
                return response
        finally:
            host.users -= 1

    async def _send(self, pool: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
        response = await pool.handle_async_request(request)
        try:
            if response.status_code == 200:
                decoder = _Decoder(
                    response.headers.get("content-encoding", ""), self.options.max_bytes
                )
                async for chunk in response.aiter_raw():
                    decoder.feed(chunk)
                response._content = decoder.finish()
            else:
                # Read a short body (a 304 has none) to its end: a connection goes back to the
                # pool only once the response is complete, else it is closed and the next
                # request to this host pays a new connect.
                drained = 0
                async for chunk in response.aiter_raw():
                    drained += len(chunk)
                    if drained > _DRAIN_LIMIT:
                        break
                response._content = b""
        finally:
            await response.aclose()
        return response

    async def _get(self, url: str, state: FeedState) -> _Response:
        """GET with conditional headers, following redirects by hand to spot loops and moves."""
        headers: dict[str, str] = {}
        if state.etag:
            headers["If-None-Match"] = state.etag
        if state.last_modified:
            headers["If-Modified-Since"] = state.last_modified
        seen = [url]
        permanent_to: str | None = None
        all_permanent = True
        current = url
        for _ in range(self.options.max_redirects + 1):
            response = await self._get_once(current, headers)
            status = response.status_code
            if status not in REDIRECT_CODES:
                return _Response(
                    status=status,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    body=response.content,
                    final_url=current,
                    permanent_to=permanent_to,
                )
            location = response.headers.get("location")
            if not location:
                raise _Failure(f"{_status_text(status)} without a Location header")
            target = urljoin(current, location.strip())
            if target in seen:
                loop = " → ".join([*seen[seen.index(target):], target])
                raise _Failure(f"redirect loop: {loop}")
            seen.append(target)
            all_permanent = all_permanent and status in PERMANENT_REDIRECT_CODES
            if all_permanent:
                permanent_to = target
            current = target
        raise _Failure(f"more than {self.options.max_redirects} redirects: {' → '.join(seen)}")

    async def _fetch_http(self, feed: FeedRef, state: FeedState) -> _Response:
        """Bounded retries around :meth:`_get`, all within the feed's total time limit."""
        options = self.options
        loop = asyncio.get_running_loop()
        deadline = loop.time() + options.total_timeout
        attempt = 0
        while True:
            try:
                async with asyncio.timeout_at(deadline):
                    response = await self._get(feed.url, state)
                status = response.status
                if status in (200, 304):
                    return response
                if status == 410:
                    raise _Failure(_status_text(410), status=410, gone=True)
                failure = _Failure(
                    _status_text(status),
                    status=status,
                    retryable=status == 429 or status >= 500,
                    retry_after=retry_after_seconds(response.headers.get("retry-after"), utcnow()),
                )
            except _Failure as exc:
                failure = exc
            except TimeoutError:
                failure = _Failure(
                    f"took longer than {options.total_timeout:g} s in total (server too slow)"
                )
            except httpx.HTTPError as exc:
                failure = _error_text(exc, options)
            wait = failure.retry_after
            too_long = wait is not None and wait > options.retry_after_cap
            if not failure.retryable or attempt >= options.max_retries or too_long:
                if attempt:
                    failure.message += f" (after {attempt + 1} attempts)"
                if too_long:
                    failure.message += f"; server asks to wait {failure.retry_after:g} s"
                raise failure
            delay = options.retry_backoff * 2**attempt * (1 + random.random() / 2)
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            if loop.time() + delay >= deadline:
                failure.message += (
                    f" (after {attempt + 1} attempts; no time left for another within "
                    f"{options.total_timeout:g} s)"
                )
                raise failure
            attempt += 1
            await asyncio.sleep(delay)

    # -- local files ---------------------------------------------------------------------------

    async def _fetch_file(self, path: Path) -> _Response:
        def read() -> bytes:
            try:
                size = path.stat().st_size
                if size > self.options.max_bytes:
                    raise _Failure(
                        f"file larger than {_fmt_size(self.options.max_bytes)}: {path}"
                    )
                return path.read_bytes()
            except FileNotFoundError as exc:
                raise _Failure(f"file not found: {path}") from exc
            except IsADirectoryError as exc:
                raise _Failure(f"not a file: {path}") from exc
            except OSError as exc:
                raise _Failure(f"cannot read {path}: {exc.strerror or exc}") from exc

        body = await asyncio.to_thread(read)
        return _Response(200, {}, body, path.resolve().as_uri(), None, local=True)

    # -- parse ---------------------------------------------------------------------------------

    def start_pool(self, fork: bool = False) -> None:
        """Start the parse workers now (a warm run of 304s never pays for them, so on first
        need, or at once when the run will surely parse: see :func:`fetch_all`).

        ``fork``: the run has opened nothing yet, so the workers may be forked from this process
        (ready at once) rather than started from the forkserver (half a second or more).
        """
        if self.pool_ready is None:
            count = _worker_count(self.options, self.feeds)
            forked = WorkerPool.fork(self.parse_fn, count) if fork and count else None
            self.pool_ready = asyncio.ensure_future(
                _ready(forked) if forked else _start_pool(self.parse_fn, count)
            )

    async def _parse(self, body: bytes, feed: FeedRef, headers: dict[str, str]) -> ParsedFeedLike:
        self.start_pool()
        assert self.pool_ready is not None
        try:
            pool = await asyncio.shield(self.pool_ready)
            if pool is None:
                return await asyncio.to_thread(self.parse_fn, body, feed, headers)
            result: ParsedFeedLike = await pool.run(body, feed, headers)
            return result
        except Exception as exc:  # the parser must not take the run down
            raise _Failure(f"parser failed: {type(exc).__name__}: {_one_line(str(exc))}") from exc

    # -- one feed ------------------------------------------------------------------------------

    async def fetch_one(self, feed: FeedRef, old: FeedState | None) -> FetchResult:
        options = self.options
        state = replace(old) if old is not None else FeedState(url=feed.url)
        state.url = feed.url
        now = options.clock() if options.clock else utcnow()
        if state.gone:
            return FetchResult(
                feed, "gone",
                f"gone (HTTP 410 since {_fmt_time(state.failing_since or now)}); not fetched: "
                f"remove it from feeds.yaml, change its url, or run `crpsdigest feeds reset "
                f"{feed.url}`",
                state,
            )
        if not options.force and state.not_before is not None and now < state.not_before:
            why = (
                f"backing off after {state.consecutive_failures} failures"
                if state.consecutive_failures
                else "server says unchanged until then"
            )
            return FetchResult(
                feed, "skipped", f"not due before {_fmt_time(state.not_before)} ({why})", state
            )
        started = time.monotonic()
        state.last_attempt = now
        path = local_path(feed.url)
        try:
            response = (
                await self._fetch_file(path) if path is not None
                else await self._fetch_http(feed, state)
            )
            result = await self._handle(feed, state, response, now)
        except _Failure as failure:
            result = self._failed(feed, state, failure, now)
        result.elapsed = time.monotonic() - started
        return result

    async def _handle(
        self, feed: FeedRef, state: FeedState, response: _Response, now: datetime
    ) -> FetchResult:
        headers = response.headers
        state.http_status = response.status
        moved = response.permanent_to
        state.redirect_to = moved if moved and moved != feed.url else None
        if response.status == 304:
            # keep validators from the 304 too (servers may rotate them)
            state.etag = headers.get("etag", state.etag)
            state.last_modified = headers.get("last-modified", state.last_modified)
            self._succeeded(state, now, freshness_seconds(headers, now))
            return self._result(feed, state, "unchanged", "unchanged (HTTP 304)", None)
        body = response.body
        digest = hashlib.sha256(body).hexdigest()
        # The validators of this response are kept only once its body is accepted: kept for a
        # bad body, they would turn the next request into a 304, "unchanged", and the feed
        # would look healthy while it still serves that body.
        validators = headers.get("etag"), headers.get("last-modified")
        fresh = freshness_seconds(headers, now)
        if not self.options.force and digest == state.content_hash:
            state.etag, state.last_modified = validators
            self._succeeded(state, now, fresh)
            return self._result(feed, state, "unchanged", "unchanged (same content)", None)
        stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not stripped:
            raise _Failure(f"empty response body ({_status_text(response.status)})",
                           status=response.status)
        if stripped[:15].lower().startswith(_HTML_STARTS):
            ctype = headers.get("content-type", "").split(";")[0].strip() or "none"
            raise _Failure(
                f"got an HTML page, not a feed (Content-Type: {ctype}); "
                "is the url the site's page rather than its feed?",
                status=response.status,
            )
        parse_headers = _fix_charset(dict(headers), body)
        parse_headers.setdefault("content-location", response.final_url)
        parsed = await self._parse(body, feed, parse_headers)
        if parsed.error and not parsed.entries:
            raise _Failure(f"not a usable feed: {_one_line(parsed.error)}", status=response.status)
        if parsed.ttl_minutes and not response.local:
            fresh = max(fresh, parsed.ttl_minutes * 60.0)
        state.etag, state.last_modified = validators
        state.entries_seen = len(parsed.entries)
        state.content_hash = digest
        state.last_changed = now
        self._succeeded(state, now, fresh)
        n = len(parsed.entries)
        message = f"{n} entry" if n == 1 else f"{n} entries"
        if parsed.error:
            message += f" (feed has problems: {_one_line(parsed.error, 160)})"
        return self._result(feed, state, "new", message, parsed)

    def _succeeded(self, state: FeedState, now: datetime, fresh: float) -> None:
        state.last_success = now
        state.last_error = None
        state.consecutive_failures = 0
        state.failing_since = None
        cap = self.options.freshness_cap.total_seconds()
        state.not_before = now + timedelta(seconds=min(fresh, cap)) if fresh > 0 else None

    def _result(
        self,
        feed: FeedRef,
        state: FeedState,
        outcome: Outcome,
        message: str,
        parsed: ParsedFeedLike | None,
    ) -> FetchResult:
        moved = state.redirect_to
        if moved:
            message += f"; moved permanently — feeds.yaml: feed {feed.name!r}: change url: " \
                       f"{feed.url} → {moved}"
        return FetchResult(feed, outcome, message, state, parsed, permanent_redirect=moved)

    def _failed(
        self, feed: FeedRef, state: FeedState, failure: _Failure, now: datetime
    ) -> FetchResult:
        options = self.options
        state.http_status = failure.status
        state.last_error = failure.message
        state.consecutive_failures += 1
        state.failing_since = state.failing_since or now
        if failure.gone:
            state.gone = True
            return FetchResult(
                feed, "gone",
                f"{failure.message}: the publisher removed this feed; not fetched again until "
                f"you change its url in feeds.yaml or run `crpsdigest feeds reset {feed.url}`",
                state,
            )
        backoff = min(
            options.failure_backoff * 2 ** (state.consecutive_failures - 1),
            options.failure_backoff_max,
        )
        if failure.retry_after is not None:
            backoff = max(backoff, timedelta(seconds=failure.retry_after))
        state.not_before = now + backoff
        message = failure.message
        if state.consecutive_failures > 1:
            message += (
                f" — failing {state.consecutive_failures} times in a row since "
                f"{_fmt_time(state.failing_since)}; next try after {_fmt_time(state.not_before)}"
            )
        return FetchResult(feed, "error", message, state)


def _worker_count(options: FetchOptions, feeds: int) -> int:
    """One worker per core for a real run; none (parse in threads) for a few feeds or one core:
    starting workers costs a few tenths of a second of CPU, worth it only past a few feeds."""
    if options.parse_workers is not None:
        return options.parse_workers
    workers = os.cpu_count() or 1
    return 0 if workers < 2 or feeds < PROCESS_POOL_MIN_FEEDS else workers


async def _ready(forked: WorkerPool) -> WorkerPool | None:
    try:
        return await forked.ready()
    except (OSError, WorkerDied) as exc:
        log.warning("parse workers did not start (%s); parsing in threads", exc)
        return None


async def _start_pool(parse: ParseFn, workers: int) -> WorkerPool | None:
    """Workers from the forkserver; None (parse in threads) for none, or when they cannot start
    (the run goes on, slower)."""
    if workers == 0:
        return None
    module = getattr(getattr(parse, "func", parse), "__module__", None)
    preload = [module] if module and module != "__main__" else []
    try:
        return await WorkerPool.start(parse, workers, preload)
    except (OSError, WorkerDied) as exc:
        log.warning("parse workers did not start (%s); parsing in threads", exc)
        return None


async def fetch_all(
    feeds: Sequence[FeedRef],
    states: Mapping[str, FeedState],
    options: FetchOptions,
    parse: ParseFn,
    progress: ProgressFn | None = None,
) -> list[FetchResult]:
    """Fetch and parse every feed; results come back in the order of ``feeds``.

    ``progress(result, done, total)`` runs on the event loop as each feed finishes: the place
    to store that feed at once (a quick SQLite transaction is fine; anything slow stalls I/O).

    Never raises for a feed's problem: each ends as a :class:`FetchResult` with a one-line
    message and an updated :class:`FeedState` the caller should store.
    """
    fetcher = _Fetcher(options, parse, len(feeds))
    total = len(feeds)
    done = 0

    for feed in feeds:
        fetcher.expect(feed.url)
    # Feeds never fetched before will all need parsing (a first run, new subscriptions): start
    # the workers while the first requests are in flight, not when the first body is in.
    never = sum(1 for f in feeds if getattr(states.get(f.url), "last_success", None) is None)
    if never >= PROCESS_POOL_MIN_FEEDS:
        fetcher.start_pool(fork=True)

    async def run(feed: FeedRef) -> FetchResult:
        nonlocal done
        try:
            result = await fetcher.fetch_one(feed, states.get(feed.url))
        except Exception as exc:  # a bug must not cost the other feeds
            state = replace(states[feed.url]) if feed.url in states else FeedState(feed.url)
            state.last_error = f"internal error: {type(exc).__name__}: {exc}"
            result = FetchResult(feed, "error", state.last_error, state)
        fetcher.done_with(feed.url)
        done += 1
        if progress is not None:
            progress(result, done, total)
        return result

    try:
        tasks: list[Awaitable[FetchResult]] = [run(feed) for feed in feeds]
        return list(await asyncio.gather(*tasks))
    finally:
        await fetcher.aclose()
        ready = fetcher.pool_ready
        if ready is not None and not ready.done():
            await asyncio.wait([ready])  # a pool still starting must not outlive the run
        if ready is not None and not ready.cancelled() and ready.exception() is None:
            pool = ready.result()
            if pool is not None:
                await pool.close()


def fetch_all_sync(
    feeds: Sequence[FeedRef],
    states: Mapping[str, FeedState],
    options: FetchOptions | None = None,
    parse: ParseFn | None = None,
    progress: ProgressFn | None = None,
) -> list[FetchResult]:
    """:func:`fetch_all` for synchronous callers (the CLI); ``parse`` defaults to parse_feed."""
    if parse is None:
        from crpsdigest.parse import parse_feed

        parse = parse_feed
    return asyncio.run(fetch_all(feeds, states, options or FetchOptions(), parse, progress))


def exit_code(results: Sequence[FetchResult]) -> int:
    """1 when every feed we tried (or that is gone) failed — likely our network, not theirs.

    Otherwise 0, even with some feed errors: those are reported per feed and in the health page.
    Feeds not due yet do not count either way.
    """
    tried = [r for r in results if r.outcome != "skipped"]
    return 1 if tried and all(r.outcome in ("error", "gone") for r in tried) else 0


def read_source(source: str, timeout: float = 30.0) -> tuple[bytes | None, str]:
    """Bytes of one feed file or URL, or None and the reason (for ``crpsdigest inspect``).

    One-off and sequential on purpose: no state, no conditional GET, just the document.
    """
    try:
        path = local_path(source)
        if path is not None:
            return path.read_bytes(), ""
        with httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True
        ) as client, client.stream("GET", source) as response:
            if response.status_code >= 400:
                return None, _status_text(response.status_code)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > FetchOptions.max_bytes:
                    return None, f"response larger than {_fmt_size(FetchOptions.max_bytes)}"
                chunks.append(chunk)
            return b"".join(chunks), ""
    except OSError as exc:
        return None, exc.strerror or str(exc) or type(exc).__name__
    except httpx.HTTPError as exc:
        return None, _error_text(exc, FetchOptions()).message
