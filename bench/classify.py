"""Entries classified per second (text already parsed), on the labelled set repeated.

Usage: python bench/classify.py [--seconds 3] [--workers 2] [--batch 22000]

Prints two labelled figures: one process calling ``classify`` per entry, and
``classify_many`` over ``--workers`` forked processes on batches of ``--batch`` entries
(wall time, including the fork and returning results to the parent).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from crpsdigest.classify import Classifier, load_classifier
from crpsdigest.models import Entry, FeedRef

FIXTURE = Path(__file__).parents[1] / "tests" / "fixtures" / "labelled_items.jsonl"


def _entries() -> list[Entry]:
    entries = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        feed = FeedRef(url=item.get("feed_url", "https://example.org/feed"), name="bench",
                       topic=item.get("feed_topic", "general"))
        entries.append(Entry(feed=feed, guid=item["id"], title=item["title"], link="",
                             canonical_url="", text=item["text"],
                             pub_types=tuple(item.get("pub_types", ())),
                             ids={k: tuple(v) for k, v in item.get("ids", {}).items()}))
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=22000)
    args = parser.parse_args()
    started = time.perf_counter()
    clf = load_classifier()
    build = time.perf_counter() - started
    entries = _entries()
    chars = sum(len(e.title) + len(e.text) for e in entries) / len(entries)
    for entry in entries:  # warm-up
        clf.classify(entry)
    done = 0
    best = float("inf")  # CPU time of the fastest pass: least disturbed by other processes
    started = time.perf_counter()
    cpu_started = time.process_time()
    while time.perf_counter() - started < args.seconds:
        pass_started = time.process_time()
        for entry in entries:
            clf.classify(entry)
        best = min(best, time.process_time() - pass_started)
        done += len(entries)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(f"classifier build: {build * 1000:.0f} ms")
    print(f"{len(entries)} distinct entries, mean {chars:.0f} characters")
    print("== single process, classify() per entry")
    print(f"classified {done} entries in {elapsed:.2f} s: {done / elapsed:,.0f} entries/s")
    # On a shared machine wall time includes other processes; CPU time is this process only.
    print(f"CPU time {cpu:.2f} s: {done / cpu:,.0f} entries per CPU-second")
    per_entry = best / len(entries)
    print(f"fastest pass: {per_entry * 1e6:.0f} us per entry, {1 / per_entry:,.0f} per CPU-second")
    _parallel(clf, entries, args)
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")


def _parallel(clf: Classifier, entries: list[Entry], args: argparse.Namespace) -> None:
    """Wall-time throughput of classify_many over a forked pool, batch after batch."""
    batch = (entries * (args.batch // len(entries) + 1))[: args.batch]
    done = 0
    before = os.times()
    started = time.perf_counter()
    while time.perf_counter() - started < args.seconds:
        clf.classify_many(batch, workers=args.workers)
        done += len(batch)
    elapsed = time.perf_counter() - started
    after = os.times()
    parent = after[0] + after[1] - before[0] - before[1]
    children = after[2] + after[3] - before[2] - before[3]  # joined when each pool closes
    print(f"== classify_many, {args.workers} workers, batches of {len(batch)}")
    print(f"classified {done} entries in {elapsed:.2f} s wall: {done / elapsed:,.0f} entries/s")
    print(f"CPU time {parent + children:.2f} s: parent {parent:.2f} s, children {children:.2f} s")
    # Other processes on a shared machine stretch the wall time; with a core each, the wall
    # time would be about the busiest process's CPU time (the parent's or one child's).
    busiest = max(parent, children / max(1, args.workers - 1))
    print(f"with a free core per process: ~{done / busiest:,.0f} entries/s "
          f"(entries / busiest process's CPU time)")


if __name__ == "__main__":
    main()
