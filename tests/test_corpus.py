"""The feedparser test corpus (2,248 real-world-shaped feeds) through every stage, unharmed.

Feeds are written by strangers; each file here goes through parse → clean → classify → store →
dedupe → digest → render. A crash on any of them would stop a weekly run for everyone, so the
test asserts zero unhandled exceptions and one-line warnings for malformed feeds.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import html5lib
import pytest
from lxml import etree

from crpsdigest.classify import load_classifier
from crpsdigest.digest import build_digest, judge
from crpsdigest.models import Entry, FeedRef, SiteInfo
from crpsdigest.parse import parse_feed
from crpsdigest.render import write_outputs
from crpsdigest.store import Store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(ROOT).parent / "shared" / "corpus" / "feedparser-tests"
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
BATCH_WEEKS = ["2026-W42", "2026-W43", "2026-W44", "2026-W45"]
SITE = SiteInfo(title="Corpus Digest", site_url="https://digest.example.org/", timezone="UTC")

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="shared feedparser corpus not present")


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md")


def test_every_corpus_feed_goes_through_every_stage_without_an_exception(tmp_path: Path) -> None:
    started = time.perf_counter()
    files = _corpus_files()
    assert len(files) == 2248, "the corpus README promises 2,248 feed files"
    classifier = load_classifier()
    warnings: dict[str, str] = {}
    parsed_count = 0
    feeds: dict[str, FeedRef] = {}
    with Store(tmp_path / "corpus.sqlite3") as store:
        for path in files:
            rel = path.relative_to(CORPUS).as_posix()
            feed = FeedRef(url=f"https://corpus.example.org/{rel}", name=rel, topic="crps")
            feeds[feed.url] = feed
            parsed = parse_feed(path.read_bytes(), feed, fetched_at=NOW)
            if parsed.error is not None:
                warnings[rel] = parsed.error
            for entry in parsed.entries:
                classifier.classify(entry)
            store.save_entries(feed, parsed.entries, NOW)
            parsed_count += len(parsed.entries)
        entries = store.load_entries(feeds)
        judged = judge(entries, classifier, store.clusters(), SITE.timezone)
        store.save_clusters({j.entry.uid: j.cluster.cluster for j in judged})
        ok = store.db.execute("PRAGMA integrity_check").fetchone()[0]
    assert ok == "ok"
    assert (
        len(entries) == parsed_count > 1000
    )  # every parsed entry was stored (guids unique per feed)

    # Every malformed feed gave one short warning line, never a traceback or a blank.
    for rel, line in warnings.items():
        assert line.strip() and "\n" not in line and len(line) < 300, rel
        assert "Traceback" not in line, rel
    # Files feedparser cannot read at all did produce a warning (gzip bytes, undefined entities).
    assert any(rel.startswith("compression/") for rel in warnings)
    assert sum(rel.startswith("entities/") for rel in warnings) > 100

    # Digests in a few batches: each corpus entry is routed into one of the batch weeks.
    for i, j in enumerate(judged):
        j.week = BATCH_WEEKS[i % len(BATCH_WEEKS)]
    digests = []
    shown_all: set[str] = set()
    for week in BATCH_WEEKS:
        digest, shown = build_digest(SITE, week, judged, classifier, {}, {})
        digests.append(digest)
        shown_all.update(shown)
    assert shown_all == {e.uid for e in entries}, "every corpus entry is in some digest"

    out = tmp_path / "out"
    write_outputs(SITE, digests, out)
    _check_outputs(out, digests, entries)
    elapsed = time.perf_counter() - started
    print(f"\ncorpus: {len(files)} files, {len(entries)} entries, {elapsed:.1f} s")
    assert elapsed < 60


def _check_outputs(out: Path, digests: list, entries: list[Entry]) -> None:
    """Every HTML output parses; XML outputs are well-formed; week pages list their items."""
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written
    for path in written:
        if path.suffix == ".html":
            html5lib.parse(path.read_text("utf-8"), namespaceHTMLElements=False)
        elif path.suffix == ".xml":
            etree.fromstring(path.read_bytes())  # raises on a broken document
        elif path.suffix == ".json":
            json.loads(path.read_bytes())
    for digest in digests:
        page = out / digest.week / "index.html"
        doc = html5lib.parse(page.read_text("utf-8"), namespaceHTMLElements=False)
        text = " ".join("".join(doc.itertext()).split())
        missing = [i.title for i in digest.items if " ".join(i.title.split()) not in text]
        assert not missing, (
            f"{digest.week}: {len(missing)} items not on the page, e.g. {missing[:3]}"
        )
