"""Storing fetched feeds: feeds that finish together share a commit, yet each is all or nothing
and the store is never held while the run waits on the network."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from servers import FaultServer, fault_server

from crpsdigest.config import load_config
from crpsdigest.fetch import FeedState, FetchOptions, FetchResult
from crpsdigest.ingest import FeedWriter, FetchSummary, fetch_into_store
from crpsdigest.models import Entry, FeedRef
from crpsdigest.parse import ParsedFeed, parse_feed
from crpsdigest.store import Store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


def _result(name: str, titles: list[str | None]) -> FetchResult:
    feed = FeedRef(url=f"https://{name}.example.org/feed", name=name)
    entries = [
        Entry(feed=feed, guid=f"{name}-{i}", title=title, link=f"https://{name}.example.org/{i}",  # type: ignore[arg-type]
              canonical_url=f"https://{name}.example.org/{i}", content_hash=f"h{i}")
        for i, title in enumerate(titles)
    ]  # fmt: skip
    state = FeedState(feed.url, etag=f'"{name}-v1"', last_success=NOW)
    return FetchResult(feed, "new", "", state, ParsedFeed(entries=entries))


def _stored(path: Path) -> tuple[dict[str, int], dict[str, str | None]]:
    """(entries per feed url, ETag per feed url) as another process would read them."""
    with Store(path) as other:
        counts = dict(other.db.execute("SELECT feed_url, count(*) FROM entries GROUP BY feed_url").fetchall())
        etags = {url: state.get("etag") for url, state in other.load_feed_states().items()}
    return counts, etags


def test_a_feed_that_cannot_be_stored_costs_none_of_the_feeds_saved_with_it(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    good1, bad, good2 = _result("one", ["A", "B"]), _result("two", ["C", None]), _result("three", ["D"])

    async def run() -> list[str]:
        errors = []
        with Store(path) as store:
            writer = FeedWriter(store, NOW, hold=10)  # all three in one open transaction
            for result in (good1, bad, good2):
                try:
                    writer.save(result)
                except sqlite3.IntegrityError as exc:  # the entry without a title
                    errors.append(f"{result.feed.name}: {exc}")
            writer.flush()
        return errors

    errors = asyncio.run(run())
    counts, etags = _stored(path)
    assert errors and errors[0].startswith("two:")
    assert counts == {good1.feed.url: 2, good2.feed.url: 1}  # nothing of "two", not even entry C
    # "two" keeps no validators either: the next run asks for the whole feed again.
    assert etags == {good1.feed.url: '"one-v1"', good2.feed.url: '"three-v1"'}


def test_outside_an_event_loop_each_feed_is_in_the_store_as_soon_as_it_is_saved(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        writer = FeedWriter(store, NOW, hold=10)
        assert writer.save(_result("one", ["A", "B"])) == 2
        assert _stored(path)[0] == {"https://one.example.org/feed": 2}  # seen by another reader
        writer.flush()


def test_the_store_is_not_held_while_a_slow_feed_keeps_the_run_going(
    server: FaultServer, tmp_path: Path
) -> None:
    config_path = tmp_path / "feeds.yaml"
    config_path.write_text(
        "digest:\n  title: T\n  site_url: https://digest.example.org/\n"
        "  editor_email: editor@example.org\nfeeds:\n"
        f"  - name: Fast\n    url: {server.url('/feed/fast')}\n    topic: crps\n"
        f"  - name: Stalled\n    url: {server.url('/stall')}\n    topic: crps\n"
    )
    path = tmp_path / "s.sqlite3"
    seen: dict[str, float] = {}

    def editor() -> None:
        """Another process's view while the fetch runs: the fast feed, then a write of its own."""
        deadline = time.monotonic() + 8
        with Store(path) as other:
            while time.monotonic() < deadline:
                if other.db.execute("SELECT count(*) FROM entries").fetchone()[0] == 3:
                    seen["fast feed visible"] = time.monotonic()
                    break
                time.sleep(0.05)
            other.db.execute("PRAGMA busy_timeout = 500")  # a held store would fail this
            other.upsert_subscribers([("reader@example.org", None)], NOW)
            seen["subscriber added"] = time.monotonic()

    with Store(path) as store:
        thread = threading.Thread(target=editor)
        started = time.monotonic()
        thread.start()
        options = FetchOptions(read_timeout=3, total_timeout=4, trust_env=False)
        summary = fetch_into_store(load_config(config_path), store, NOW, options=options)
        finished = time.monotonic()
        thread.join()
        subscribers = [s.email for s in store.subscribers()]
    assert [r.outcome for r in summary.results] == ["new", "error"]  # /stall: read timeout
    # The fast feed landed, and another writer got in, while the stalled feed was still waited on.
    assert seen["fast feed visible"] - started < 2
    assert seen["subscriber added"] < finished - 1
    assert subscribers == ["reader@example.org"]


def test_the_summary_line_counts_in_words_a_reader_expects() -> None:
    feed = FeedRef(url="https://c.example.org/feed", name="Charity")
    results = [FetchResult(feed, "new", "", FeedState(feed.url)),
               FetchResult(feed, "error", "", FeedState(feed.url))]
    assert FetchSummary(results, new_entries=1).line() == "1 feed ok, 0 unchanged, 1 failed; 1 new entry"
    assert FetchSummary(results * 2, new_entries=0).line() == (
        "2 feeds ok, 0 unchanged, 2 failed; 0 new entries"
    )


def test_a_fetch_run_stores_each_entry_as_the_parser_reads_it(tmp_path: Path) -> None:
    """The parse workers hand over rows ready for the store, not entries: what lands in the store
    must be what parsing the same files and storing their entries gives."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(p for folder in (root / "tests" / "fixtures" / "dedup_feeds", root / "examples")
                   for p in folder.rglob("*") if p.suffix in (".rss", ".atom"))
    assert len(files) >= 20  # enough never-fetched feeds for the run to start parse workers
    config_path = tmp_path / "feeds.yaml"
    config_path.write_text(
        "digest:\n  title: T\n  site_url: https://digest.example.org/\n"
        "  editor_email: editor@example.org\nfeeds:\n"
        + "".join(f"  - name: F{i}\n    url: {p}\n    topic: crps\n" for i, p in enumerate(files))
    )
    config = load_config(config_path)
    with Store(tmp_path / "fetched.sqlite3") as store:
        summary = fetch_into_store(config, store, NOW, options=FetchOptions(trust_env=False))
        assert {r.outcome for r in summary.results} == {"new"}
        fetched = store.load_entries({f.url: f for f in config.feed_refs()})
    with Store(tmp_path / "direct.sqlite3") as store:
        for feed in config.feed_refs():
            path = Path(feed.url)
            headers = {"content-location": path.resolve().as_uri()}
            store.save_entries(feed, parse_feed(path.read_bytes(), feed, headers, fetched_at=NOW).entries, NOW)
        direct = store.load_entries({f.url: f for f in config.feed_refs()})
    assert summary.new_entries == len(direct) > 100
    assert fetched == direct
