"""classify_many: a large batch over forked workers gives exactly the serial results, in order."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from crpsdigest.classify import PARALLEL_MIN, load_classifier
from crpsdigest.models import Entry, FeedRef

FIXTURE = Path(__file__).parent / "fixtures" / "labelled_items.jsonl"


def _labelled() -> list[Entry]:
    entries = []
    for line in FIXTURE.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        feed = FeedRef(url="https://example.org/feed", name="t",
                       topic=item.get("feed_topic", "general"))
        entries.append(Entry(feed=feed, guid=item["id"], title=item["title"], link="",
                             canonical_url="", text=item["text"]))
    return entries


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_parallel_batch_matches_serial_in_input_order() -> None:
    clf = load_classifier()
    labelled = _labelled()
    # a distinct title per copy, so a result landing at the wrong index would show
    batch = [
        Entry(feed=e.feed, guid=f"{e.guid}-{i}", title=f"{e.title} {i}", link="",
              canonical_url="", text=e.text)
        for i in range(PARALLEL_MIN // len(labelled) + 2)
        for e in labelled
    ]
    assert len(batch) >= PARALLEL_MIN
    serial = [clf.classify(e) for e in batch]
    assert clf.classify_many(batch, workers=2) == serial
    assert clf.classify_many(batch, workers=3) == serial


def test_small_batch_and_one_worker_stay_serial() -> None:
    clf = load_classifier()
    entries = _labelled()[:50]
    serial = [clf.classify(e) for e in entries]
    assert clf.classify_many(entries, workers=2) == serial
    assert clf.classify_many(entries, workers=1) == serial
    assert clf.classify_many([]) == []
