"""What `crpsdigest fetch` does, without the CLI's words: fetch every feed, parse, store.

Apart from :mod:`crpsdigest.pipeline` (which builds digests) so that a fetch run, the command a
cron job repeats most, does not import the classifier, dedupe and renderers it never uses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

from crpsdigest.config import Config
from crpsdigest.fetch import FeedState, FetchOptions, FetchResult, exit_code, fetch_all_sync
from crpsdigest.models import FeedRef
from crpsdigest.parse import ParsedFeed, parse_feed
from crpsdigest.store import EntryRow, Store, entry_rows


@dataclass
class FetchSummary:
    results: list[FetchResult] = field(default_factory=list)
    new_entries: int = 0

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.results if r.outcome == outcome)

    @property
    def all_failed(self) -> bool:
        return exit_code(self.results) == 1

    def line(self) -> str:
        ok, skipped = self.count("new"), self.count("skipped")
        return (
            f"{ok} {'feed' if ok == 1 else 'feeds'} ok, {self.count('unchanged')} unchanged, "
            + (f"{skipped} not due, " if skipped else "")
            + f"{self.count('error') + self.count('gone')} failed; "
            f"{self.new_entries} new {'entry' if self.new_entries == 1 else 'entries'}"
        )


@dataclass
class StorableFeed:
    """A parsed feed whose entries are already rows of the store (see :func:`parse_for_store`)."""

    entries: list[EntryRow]
    title: str = ""
    error: str | None = None
    ttl_minutes: int | None = None


def parse_for_store(
    body: bytes, feed: FeedRef, headers: Mapping[str, str], *, fetched_at: datetime
) -> StorableFeed:
    """parse_feed, then the store's rows, both in the parse worker: the process that writes
    SQLite also drives the network, and its CPU is what a first run waits for."""
    parsed = parse_feed(body, feed, headers, fetched_at=fetched_at)
    return StorableFeed(
        entry_rows(feed, parsed.entries, fetched_at), parsed.title, parsed.error,
        parsed.ttl_minutes,
    )


def load_feed_states(store: Store) -> dict[str, FeedState]:
    """The stored health/validator state of every feed, keyed by url."""
    return {
        url: FeedState.from_dict({**data, "url": url})
        for url, data in store.load_feed_states().items()
    }


class FeedWriter:
    """Stores each fetched feed as it arrives, on the event loop (so keep it quick).

    Each feed is all or nothing: its entries and its state (validators, health) together. The
    feeds that finish close together share one commit: the writer keeps a transaction open for
    at most ``hold`` seconds or ``batch`` feeds, as a commit costs more than a feed's rows (500
    commits were a third of the CPU of storing a first run's 10,000 entries). Outside an event
    loop every feed is committed at once. A run killed before a commit only means those feeds
    are asked again next time with the validators they had: nothing lost, nothing doubled. Call
    :meth:`flush` at the end (also after an error).
    """

    def __init__(self, store: Store, now: datetime, batch: int = 100, hold: float = 0.05) -> None:
        self.store, self.now, self.batch, self.hold = store, now, batch, hold
        self.written = 0  # feeds in the open transaction
        self.timer: asyncio.TimerHandle | None = None
        self.error: Exception | None = None  # a commit that failed on the timer

    def save(self, result: FetchResult) -> int:
        """Store one feed's result; returns how many of its entries were new."""
        self._raise_late_error()
        state = result.state.to_dict()
        if not self.store.db.in_transaction:
            self._begin()
        parsed = result.parsed
        if isinstance(parsed, StorableFeed):
            new = self.store.save_rows(result.feed, parsed.entries, state)
        elif isinstance(parsed, ParsedFeed):
            new = self.store.save_entries(result.feed, parsed.entries, self.now, state)
        else:
            self.store.save_feed_states([(result.feed.url, state, result.feed.name)])
            new = 0
        self.written += 1
        if self.timer is None or self.written >= self.batch:
            self.flush()
        return new

    def _begin(self) -> None:
        self.store.begin()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop to commit later from: save() commits each feed
        self.timer = loop.call_later(self.hold, self._commit_on_timer)

    def _commit_on_timer(self) -> None:
        self.timer = None
        try:
            self.flush()
        except Exception as exc:  # raised from a loop callback it would only be logged
            self.error = exc

    def _raise_late_error(self) -> None:
        if self.error is not None:
            error, self.error = self.error, None
            raise error

    def flush(self) -> None:
        """Commit what is written so far."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.written = 0
        self.store.commit()
        self._raise_late_error()


def fetch_into_store(
    config: Config,
    store: Store,
    now: datetime,
    *,
    force: bool = False,
    report: Callable[[FetchResult, int], None] | None = None,
    progress: Callable[[int, int], None] | None = None,
    options: FetchOptions | None = None,
) -> FetchSummary:
    """Fetch every configured feed and store each as it arrives (see :class:`FeedWriter`)."""
    summary = FetchSummary()
    states = load_feed_states(store)
    writer = FeedWriter(store, now)

    def on_result(result: FetchResult, done: int, total: int) -> None:
        new = writer.save(result)
        summary.new_entries += new
        if report:
            report(result, new)
        if progress:
            progress(done, total)

    settings = config.fetch
    base = options or FetchOptions(
        max_connections=settings.max_connections,
        per_host=settings.per_host,
        total_timeout=settings.timeout,
        read_timeout=min(FetchOptions.read_timeout, settings.timeout),
        connect_timeout=min(FetchOptions.connect_timeout, settings.timeout),
    )
    opts = replace(base, force=force, clock=lambda: now)
    parse = partial(parse_for_store, fetched_at=now)
    try:
        summary.results = fetch_all_sync(config.feed_refs(), states, opts, parse, on_result)
    finally:
        writer.flush()
    return summary
