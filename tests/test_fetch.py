"""Fetch against a real loopback server with the faults real feeds have."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from servers import CHARSET_TITLE, FaultServer, fault_server, rss, standin_parse

from crpsdigest import USER_AGENT
from crpsdigest.fetch import (
    FeedState,
    FetchOptions,
    FetchResult,
    exit_code,
    fetch_all,
)
from crpsdigest.models import FeedRef

# The read timeout is longer than the drip's second between bytes (equal, which read first would
# be a race) and shorter than the total, so the drip is cut by the total and the stall by the read.
FAST = FetchOptions(
    connect_timeout=1.0,
    read_timeout=1.5,
    total_timeout=2.0,
    max_bytes=2**20,
    retry_backoff=0.05,
    retry_after_cap=2.0,
    parse_workers=0,
)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


def run(
    feeds: Sequence[FeedRef],
    states: Mapping[str, FeedState] | None = None,
    options: FetchOptions = FAST,
) -> dict[str, FetchResult]:
    results = asyncio.run(fetch_all(feeds, states or {}, options, standin_parse))
    return {r.feed.name: r for r in results}


def ref(server: FaultServer, name: str, path: str) -> FeedRef:
    return FeedRef(url=server.url(path), name=name)


def test_every_fault_gives_one_line_and_good_feeds_still_land(server: FaultServer) -> None:
    feeds = [
        ref(server, "good-a", "/feed/a"),
        ref(server, "drip", "/drip"),
        ref(server, "stall", "/stall"),
        ref(server, "endless", "/endless"),
        ref(server, "bomb", "/bomb"),
        ref(server, "loop", "/loop-a"),
        ref(server, "flaky", "/flaky"),
        ref(server, "throttled", "/throttled"),
        ref(server, "moved", "/moved"),
        ref(server, "gone", "/gone"),
        ref(server, "missing", "/missing"),
        ref(server, "charset", "/charset"),
        ref(server, "html", "/html"),
        ref(server, "empty", "/empty"),
        ref(server, "reset", "/reset"),
        ref(server, "hangup", "/hangup"),
        ref(server, "not-http", "/not-http"),
        ref(server, "gzipped", "/gzipped"),
        ref(server, "good-b", "/feed/b"),
        FeedRef(url="http://127.0.0.1:9/feed", name="refused"),
    ]
    started = time.monotonic()
    results = run(feeds)
    elapsed = time.monotonic() - started
    # The drip (100 s), the stall (5 s) and the endless body (10 s) are cut by the 2 s total
    # timeout, the 1.5 s read timeout and the size cap; the margin is for a loaded CI machine.
    assert elapsed < 8, elapsed

    def check(name: str, outcome: str, *words: str) -> None:
        r = results[name]
        assert r.outcome == outcome, (name, r.outcome, r.message)
        assert "\n" not in r.message
        for word in words:
            assert word in r.message, (name, r.message)

    check("good-a", "new", "3 entries")
    check("good-b", "new", "3 entries")
    check("gzipped", "new", "4 entries")
    check("drip", "error", "longer than 2 s in total")
    check("stall", "error", "read timeout: no data for 1.5 s")
    check("endless", "error", "larger than 1 MiB")
    check("bomb", "error", "larger than 1 MiB (after decompression)")
    check("loop", "error", "redirect loop", "/loop-a → ", "/loop-b → ")
    check("flaky", "new", "2 entries")
    check("throttled", "new", "2 entries")
    check("moved", "new", "feeds.yaml: feed 'moved': change url: "
          f"{server.url('/moved')} → {server.url('/feed/new-home')}")
    check("gone", "gone", "HTTP 410 Gone", "crpsdigest feeds reset")
    check("missing", "error", "HTTP 404 Not Found")
    check("charset", "new", "1 entry")
    check("html", "error", "HTML page, not a feed", "text/html")
    check("empty", "error", "empty response body")
    check("reset", "error", "connection broke mid-response", "after 3 attempts")
    check("refused", "error", "cannot connect: Connection refused (after 3 attempts)")
    check("hangup", "error", "connection broke mid-response", "after 3 attempts")
    check("not-http", "error", "the answer is not valid HTTP", "Bad status line")

    # the charset header lied (iso-8859-1 on a UTF-8 body): titles still come out right
    parsed = results["charset"].parsed
    assert parsed is not None and parsed.entries[0].title == f"{CHARSET_TITLE} 0"
    # 500 then 200, 429 then 200: each retried once, no further
    assert server.log.hits["/flaky"] == 2
    assert server.log.hits["/throttled"] == 2
    assert results["throttled"].elapsed >= 1.0  # Retry-After: 1 was honoured
    # 404 is not retried; the 410 is asked once
    assert server.log.hits["/missing"] == 1
    assert server.log.hits["/gone"] == 1
    assert results["moved"].permanent_redirect == server.url("/feed/new-home")
    assert results["moved"].state.redirect_to == server.url("/feed/new-home")
    assert results["gone"].state.gone
    assert exit_code(list(results.values())) == 0
    outcomes = [r.outcome for r in results.values()]
    assert (outcomes.count("new"), outcomes.count("gone")) == (7, 1)
    assert outcomes.count("error") == len(feeds) - 8


def test_conditional_get_makes_warm_run_cheap(server: FaultServer) -> None:
    feed = ref(server, "cond", "/feed/cond")
    first = run([feed])["cond"]
    assert first.outcome == "new" and first.state.etag
    assert first.state.last_modified == "Tue, 24 Nov 2026 10:00:00 GMT"
    calls: list[str] = []

    def counting_parse(body: bytes, f: FeedRef, headers: Mapping[str, str]) -> object:
        calls.append(f.url)
        return standin_parse(body, f, headers)

    results = asyncio.run(
        fetch_all([feed], {feed.url: first.state}, FAST, counting_parse)  # type: ignore[arg-type]
    )
    second = results[0]
    assert second.outcome == "unchanged" and second.parsed is None
    assert calls == []  # a 304 costs no parsing
    sent = server.log.headers["/feed/cond"][-1]
    assert sent["if-none-match"] == first.state.etag
    assert sent["if-modified-since"] == "Tue, 24 Nov 2026 10:00:00 GMT"
    assert sent["user-agent"] == USER_AGENT
    assert second.state.etag == first.state.etag  # kept from the 304


def test_validators_from_a_304_are_kept(server: FaultServer) -> None:
    feed = ref(server, "rot", "/rotating")
    first = run([feed])["rot"]
    assert first.state.etag == '"v1"'
    second = run([feed], {feed.url: first.state})["rot"]
    assert second.outcome == "unchanged"
    assert second.state.etag == '"v2"'  # the 304 rotated it
    run([feed], {feed.url: second.state})
    assert server.log.headers["/rotating"][-1]["if-none-match"] == '"v2"'


def test_same_body_without_validators_is_not_parsed_again(server: FaultServer) -> None:
    feed = ref(server, "nv", "/novalidators")
    first = run([feed])["nv"]
    second = run([feed], {feed.url: first.state})["nv"]
    assert second.outcome == "unchanged" and second.parsed is None


def test_freshness_hints_postpone_the_next_request(server: FaultServer) -> None:
    cached, ttl = ref(server, "cached", "/cached"), ref(server, "ttl", "/ttl")
    now = datetime.now(UTC)
    first = run([cached, ttl])
    nb = first["cached"].state.not_before
    assert nb is not None and timedelta(minutes=59) < nb - now < timedelta(minutes=61)
    nb = first["ttl"].state.not_before  # <ttl>90</ttl>
    assert nb is not None and timedelta(minutes=89) < nb - now < timedelta(minutes=91)
    states = {r.feed.url: r.state for r in first.values()}
    before = server.log.hits["/cached"]
    second = run([cached, ttl], states)
    assert second["cached"].outcome == "skipped"
    assert "not due before" in second["cached"].message
    assert server.log.hits["/cached"] == before  # not requested at all
    forced = run([cached], states, options=replace_opts(force=True))
    assert forced["cached"].outcome == "unchanged"  # asked (304): force overrides max-age
    assert server.log.hits["/cached"] == before + 1


def replace_opts(**changes: object) -> FetchOptions:
    from dataclasses import replace

    return replace(FAST, **changes)  # type: ignore[arg-type]


def test_long_retry_after_postpones_without_waiting(server: FaultServer) -> None:
    feed = ref(server, "tl", "/throttled-long")
    started = time.monotonic()
    r = run([feed])["tl"]
    assert time.monotonic() - started < 1.5
    assert r.outcome == "error" and "server asks to wait 3600 s" in r.message
    assert r.state.not_before is not None
    assert r.state.not_before - datetime.now(UTC) > timedelta(minutes=59)


def test_retries_share_the_feed_time_limit(server: FaultServer) -> None:
    feed = ref(server, "busy", "/always-503")
    started = time.monotonic()
    r = run([feed], options=replace_opts(total_timeout=1.5))["busy"]
    assert time.monotonic() - started < 1.5
    assert r.outcome == "error"
    assert "HTTP 503 Service Unavailable (after 2 attempts; no time left" in r.message
    assert server.log.hits["/always-503"] == 2


def test_gone_feed_is_not_requested_again(server: FaultServer) -> None:
    feed = ref(server, "gone2", "/gone")
    first = run([feed])["gone2"]
    hits = server.log.hits["/gone"]
    second = run([feed], {feed.url: first.state}, options=replace_opts(force=True))["gone2"]
    assert second.outcome == "gone" and "change its url" in second.message
    assert server.log.hits["/gone"] == hits
    assert exit_code([second]) == 1  # nothing could be fetched


def test_failing_feed_backs_off_exponentially_capped_and_flagged(server: FaultServer) -> None:
    feed = ref(server, "missing", "/missing")
    state = FeedState(url=feed.url)
    gaps = []
    for _ in range(3):
        r = run([feed], {feed.url: state}, options=replace_opts(force=True))["missing"]
        state = r.state
        assert state.not_before and state.last_attempt
        gaps.append(state.not_before - state.last_attempt)
    assert gaps == [timedelta(minutes=30), timedelta(minutes=60), timedelta(minutes=120)]
    assert state.consecutive_failures == 3
    assert "failing 3 times in a row" in r.message
    skipped = run([feed], {feed.url: state})["missing"]
    assert skipped.outcome == "skipped" and "backing off after 3 failures" in skipped.message
    state.consecutive_failures = 30
    r = run([feed], {feed.url: state}, options=replace_opts(force=True))["missing"]
    assert r.state.not_before and r.state.last_attempt
    assert r.state.not_before - r.state.last_attempt == timedelta(days=1)
    # success clears the flag
    ok = run([ref(server, "missing", "/feed/back")], {})["missing"]
    assert ok.state.consecutive_failures == 0 and ok.state.last_error is None


def test_temporary_redirect_is_followed_not_reported(server: FaultServer) -> None:
    r = run([ref(server, "tmp", "/temp-moved")])["tmp"]
    assert r.outcome == "new" and r.permanent_redirect is None
    assert "feeds.yaml" not in r.message


def test_per_host_limit_is_never_exceeded(server: FaultServer) -> None:
    feeds = [FeedRef(url=server.url(f"/slow?{i}"), name=f"s{i}") for i in range(8)]
    started = time.monotonic()
    results = run(feeds, options=replace_opts(per_host=2))
    assert all(r.outcome == "new" for r in results.values())
    assert server.log.max_active["/slow"] == 2
    assert time.monotonic() - started >= 0.8  # 4 rounds of 0.2 s


def test_local_files_and_paths(tmp_path: Path) -> None:
    good = tmp_path / "local.xml"
    good.write_bytes(rss("local", 5))
    feeds = [
        FeedRef(url=good.as_uri(), name="uri"),
        FeedRef(url=str(good), name="path"),
        FeedRef(url=str(tmp_path / "nope.xml"), name="nope"),
    ]
    results = run(feeds)
    assert results["uri"].outcome == "new" and results["path"].outcome == "new"
    assert results["uri"].state.entries_seen == 5
    assert results["nope"].outcome == "error" and "file not found" in results["nope"].message
    again = run(feeds[:1], {feeds[0].url: results["uri"].state})
    assert again["uri"].outcome == "unchanged"


def test_parse_runs_in_worker_processes(server: FaultServer) -> None:
    feeds = [ref(server, f"p{i}", f"/feed/p{i}") for i in range(4)]
    results = run(feeds, options=replace_opts(parse_workers=2))
    assert [r.state.entries_seen for r in results.values()] == [3, 3, 3, 3]
    for r in results.values():
        assert r.parsed is not None and r.parsed.entries[0].feed == r.feed


def test_no_feed_fetched_means_exit_1(server: FaultServer) -> None:
    results = run([ref(server, "m", "/missing"), ref(server, "h", "/html")])
    assert exit_code(list(results.values())) == 1
    assert exit_code([]) == 0
    # feeds not due do not hide that every feed we asked failed
    url = "http://127.0.0.1:9/x"
    cached = FeedState(url=url, not_before=datetime.now(UTC) + timedelta(hours=1))
    more = run([FeedRef(url=url, name="x")], {url: cached})
    assert more["x"].outcome == "skipped"
    assert exit_code([*results.values(), more["x"]]) == 1
    assert exit_code([more["x"]]) == 0


def test_freshness_and_retry_after_headers() -> None:
    from crpsdigest.fetch import freshness_seconds, retry_after_seconds

    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert freshness_seconds({"cache-control": "public, max-age=600", "age": "100"}, now) == 500
    assert freshness_seconds({"cache-control": "no-cache, max-age=600"}, now) == 0
    expires = {"date": "Tue, 24 Nov 2026 12:00:00 GMT", "expires": "Tue, 24 Nov 2026 13:00:00 GMT"}
    assert freshness_seconds(expires, now) == 3600
    assert freshness_seconds({"expires": "0"}, now) == 0  # invalid dates mean "already stale"
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Tue, 24 Nov 2026 12:05:00 GMT", now) == 300
    assert retry_after_seconds("soon", now) is None


def test_feed_state_survives_a_json_round_trip() -> None:
    import json

    state = FeedState(
        url="https://a.example/feed", etag='"x"', not_before=datetime(2026, 11, 24, tzinfo=UTC),
        consecutive_failures=2, redirect_to="https://b.example/feed", gone=True,
    )
    again = FeedState.from_dict(json.loads(json.dumps(state.to_dict())) | {"obsolete_key": 1})
    assert again == state


def test_feeds_go_through_the_proxy_the_environment_names(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind a corporate proxy: HTTP_PROXY is used, and NO_PROXY hosts are reached directly."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    asked: list[str] = []

    class Proxy(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            asked.append(self.path)  # a proxy is asked for the absolute URL
            body = rss("via-proxy", 2)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        behind = FeedRef(url="http://feeds.example.invalid/crps.xml", name="behind")
        direct = ref(server, "direct", "/feed/a")
        results = run([behind, direct])
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert results["behind"].outcome == "new", results["behind"].message
    assert results["direct"].outcome == "new", results["direct"].message
    assert asked == ["http://feeds.example.invalid/crps.xml"]


def test_a_bad_body_is_not_remembered_so_the_feed_stays_reported_until_it_is_fixed(
    server: FaultServer,
) -> None:
    """A page served instead of the feed, with an ETag: the next run must not send that ETag,
    get a 304 and call the feed "unchanged" (healthy) while it still serves the page."""
    feed = ref(server, "page", "/html-etag")
    first = run([feed], options=replace(FAST, force=True))["page"]
    second = run([feed], {feed.url: first.state}, replace(FAST, force=True))["page"]
    assert first.outcome == "error" and "got an HTML page" in first.message
    assert second.outcome == "error" and "got an HTML page" in second.message
    assert second.state.consecutive_failures == 2


def test_credentials_in_a_feed_url_are_sent_as_basic_auth(server: FaultServer) -> None:
    """A members-only feed listed as https://user:password@host/feed, as feed readers accept it."""
    base = server.url("/private")
    with_login = base.replace("://", "://editor:s3cret@", 1)
    results = run([FeedRef(url=with_login, name="members"), FeedRef(url=base, name="no login"),
                   FeedRef(url=base.replace("://", "://editor:wrong@", 1), name="bad login")])
    assert (results["members"].outcome, results["members"].message) == ("new", "2 entries")
    assert results["no login"].message == "HTTP 401 Unauthorized"
    assert results["bad login"].message == "HTTP 401 Unauthorized"
