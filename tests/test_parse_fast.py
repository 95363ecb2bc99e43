"""The lxml fast path reads a feed exactly as feedparser would, or leaves it to feedparser.

A reader must not get another title, link, date, author or identifier because a feed happened to
be well-formed XML. Every comparison here is between the two real parsers on the same bytes.
"""

from __future__ import annotations

import calendar
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from feedparser.datetimes import _parse_date
from feedparser.urls import _urljoin

from crpsdigest import parse
from crpsdigest.models import Entry, FeedRef
from crpsdigest.parse import ParsedFeed, parse_feed
from crpsdigest.parse_fast import join, parse_date, read_fast

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "feedparser-tests"

# Where the two differ, the fast path is the one that is right; checked by hand.
KNOWN_BETTER = {
    # feedparser turns the non-ASCII category attribute into mojibake ("FreirÃ¤ume"); the
    # file's own expectation is "Freiräume", which is what lxml gives.
    "wellformed/atom10/entry_category_term_non_ascii.xml",
    # "<br></br>" in HTML: feedparser's own re-serialisation gives one <br>, an HTML parser
    # (nh3's html5ever) two, as browsers do.
    "wellformed/sanitize/acceptable_element_br.xml",
}


def _seen(entry: Entry) -> tuple[Any, ...]:
    """Everything of an entry a reader or a later stage sees."""
    return (
        entry.guid, entry.title, entry.link, entry.canonical_url, entry.summary_html, entry.text,
        entry.published, entry.updated, entry.authors, entry.categories, entry.pub_types,
        entry.ids, entry.source_name, entry.content_hash,
    )  # fmt: skip


@contextmanager
def _feedparser_only() -> Iterator[None]:
    with mock.patch.object(parse, "read_fast", lambda body, headers: None):
        yield


def _both(body: bytes, url: str) -> tuple[ParsedFeed, ParsedFeed]:
    feed = FeedRef(url=url, name="test", topic="crps")
    headers = {"content-location": url}
    fast = parse_feed(body, feed, headers)
    with _feedparser_only():
        slow = parse_feed(body, feed, headers)
    return fast, slow


def _same(a: ParsedFeed, b: ParsedFeed) -> bool:
    return (
        [_seen(e) for e in a.entries] == [_seen(e) for e in b.entries]
        and a.title == b.title
        and a.ttl_minutes == b.ttl_minutes
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared feedparser corpus not present")
def test_fast_path_matches_feedparser_on_every_corpus_feed_it_reads() -> None:
    read = 0
    differ = []
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md"):
        rel = path.relative_to(CORPUS).as_posix()
        url = f"https://corpus.example.org/{rel}"
        body = path.read_bytes()
        if read_fast(body, {"content-location": url}) is None:
            continue
        read += 1
        fast, slow = _both(body, url)
        if not _same(fast, slow) and rel not in KNOWN_BETTER:
            differ.append(rel)
    assert differ == []
    # The corpus is mostly small well-formed RSS and Atom: a path that declined them all would
    # pass the comparison above and speed up nothing.
    assert read >= 800


def _fixture_feeds() -> list[Path]:
    found = [
        p
        for folder in (ROOT / "tests" / "fixtures", ROOT / "examples")
        for p in folder.rglob("*")
        if p.suffix in (".rss", ".atom", ".xml")
    ]
    return sorted(found)


def test_real_world_shaped_feeds_take_the_fast_path_with_the_same_entries() -> None:
    """PubMed, Wiley-style RSS 1.0, WordPress, Google News, Substack, Medium, ClinicalTrials.gov."""
    feeds = _fixture_feeds()
    assert len(feeds) >= 50
    for path in feeds:
        url = f"https://feeds.example.org/{path.name}"
        assert read_fast(path.read_bytes(), {"content-location": url}) is not None, path.name
        fast, slow = _both(path.read_bytes(), url)
        assert fast.entries, path.name
        assert _same(fast, slow), path.name


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>T</title>
<item><title>Ketamine and CRPS</title><link>{link}</link>{extra}
<description>{description}</description></item></channel></rss>"""


def _rss(link: str = "https://site.example/a", extra: str = "", description: str = "x") -> bytes:
    return RSS.format(link=link, extra=extra, description=description).encode()


@pytest.mark.parametrize(
    ("why", "body", "headers"),
    [
        ("a DTD may declare entities",
         _rss().replace(b"?>", b'?><!DOCTYPE rss [<!ENTITY e "x">]>', 1), {}),
        ("malformed XML", _rss().replace(b"</channel>", b""), {}),
        ("xml:base changes what links resolve against",
         _rss().replace(b"<channel>", b'<channel xml:base="https://other.example/">'), {}),
        ("the HTTP charset contradicts the document", _rss(),
         {"content-type": "application/rss+xml; charset=iso-8859-1"}),
        ("feedparser has a handler for media:title; the fast path does not",
         _rss(extra="<media:title>Other title</media:title>"), {}),
        ("an RSS author with an e-mail address is split by feedparser",
         _rss(extra="<author>jane@example.org (Jane Doe)</author>"), {}),
    ],
)
def test_fast_path_leaves_what_it_cannot_read_exactly_to_feedparser(
    why: str, body: bytes, headers: dict[str, str]
) -> None:
    assert read_fast(body, headers) is None, why


def test_the_same_charset_spelled_differently_is_no_conflict() -> None:
    """Servers write "utf8", documents "UTF-8": still the fast path (and still right)."""
    body = _rss(description="Kétamine et SDRC")
    assert read_fast(body, {"content-type": "application/rss+xml; charset=utf8"}) is not None
    fast, slow = _both(body, "https://site.example/feed")
    assert [e.text for e in fast.entries] == ["Kétamine et SDRC"]
    assert _same(fast, slow)


def test_feedparser_still_reads_what_the_fast_path_declines() -> None:
    feed = FeedRef(url="https://site.example/feed", name="t", topic="crps")
    parsed = parse_feed(_rss(extra="<author>jane@example.org (Jane Doe)</author>"), feed)
    assert [e.authors for e in parsed.entries] == [("Jane Doe",)]


def test_relative_links_resolve_against_the_feed_address_on_both_paths() -> None:
    body = _rss(
        link="/news/2026/ketamine",
        description='&lt;p&gt;See &lt;a href="../about"&gt;our team&lt;/a&gt; and '
        '&lt;a href="https://ok.example/x"&gt;this&lt;/a&gt;.&lt;/p&gt;',
    )
    assert read_fast(body, {}) is not None
    fast, slow = _both(body, "https://site.example/blog/feed.xml")
    for parsed in (fast, slow):
        (entry,) = parsed.entries
        assert entry.link == "https://site.example/news/2026/ketamine"
        assert 'href="https://site.example/about"' in entry.summary_html
        assert 'href="https://ok.example/x"' in entry.summary_html


def _spliced(pieces: list[str], n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))) for _ in range(n)]


def test_join_is_feedparsers_urljoin() -> None:
    """The shortcut for plain absolute links gives what feedparser's _urljoin gives, always."""
    pieces = ["http", "https", "HTTP", ":", "//", "/", "///", "a.example", "b", "?", "#", ";", "=",
              "&", "%20", " ", "\t", "[", "]", "::1", "@", ".", "..", "x", "ä", "-", "80", "\x7f"]  # fmt: skip
    bases = ["", "https://feeds.example.org/a/b.xml", "http://x.example/", "http://[::1/x", "x"]
    for uri in _spliced(pieces, 6000, 3):
        for base in bases:
            assert join(base, uri) == _urljoin(base, uri), (base, uri)


def test_parse_date_is_feedparsers_parse_date() -> None:
    """RFC 822 dates read directly equal feedparser's reading, valid or not."""
    rng = random.Random(5)
    fields = [
        ["", "Fri, ", "sat, ", "Tue,", "Thu ", "Foo, "], ["20", "2", "31", "00", "29", "Nov"],
        [" Nov", " Oct", " Feb", " feb", " November", " 20"], [" 2026", " 26", " 1969", " 0001"],
        [" 06:00:00", " 24:00:00", " 23:59:60", " 6:00:00", " 06:00", ""],
        [" +0000", " -0530", " +2400", " -1259", " GMT", " est", " UT", " Z", " gmtx", " CET", " A",
         " +00:00", "", " Etc/GMT", "  +0000", " +0000 "],
    ]  # fmt: skip
    for _ in range(6000):
        value = "".join(rng.choice(options) for options in fields)
        assert parse_date(value) == _parse_date(value), value


def test_utc_equals_the_timegm_reading_for_any_fields() -> None:
    """Dates built from the fields directly are the instants timegm gives, in range or not."""
    def reference(struct: time.struct_time) -> datetime | None:
        try:
            return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
        except (OverflowError, ValueError, OSError):
            return None

    rng = random.Random(9)
    for _ in range(5000):
        fields = (
            rng.choice([0, 1, 99, 1899, 1969, 1970, 2026, 2028, 9999, 10000]), rng.randint(0, 13),
            rng.randint(0, 32), rng.randint(0, 25), rng.randint(0, 61), rng.randint(0, 62), 0, 1, 0,
        )  # fmt: skip
        struct = time.struct_time(fields)
        assert parse._utc(struct) == reference(struct), fields
