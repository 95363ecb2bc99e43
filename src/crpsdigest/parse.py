"""Parse: feed bytes → Entry objects (clean text, UTC dates, identifiers), via feedparser.

A malformed feed still yields what feedparser could recover, plus one line saying what was wrong.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser

from crpsdigest.clean import clean_html_text, clean_title, safe_link
from crpsdigest.identifiers import extract_ids
from crpsdigest.models import Entry, FeedRef
from crpsdigest.parse_fast import read_fast
from crpsdigest.urls import canonical_url
from crpsdigest.xmlguard import install as _guard_entities

_guard_entities()  # no entity bombs or external entities reach feedparser's XML parsers

# Outlets append their name to titles on aggregators: "Headline - Outlet".
_BENIGN_BOZO = ("CharacterEncodingOverride", "NonXMLContentType")
_PUB_TYPE = re.compile(
    r"randomi[sz]ed controlled trial|clinical trial|systematic review|meta-analysis|"
    r"case reports?|practice guideline|guideline|review|letter|editorial|comment",
    re.I,
)


@dataclass
class ParsedFeed:
    entries: list[Entry] = field(default_factory=list)
    title: str = ""
    error: str | None = None  # one line: what was wrong with a malformed feed
    ttl_minutes: int | None = None


def _utc(struct: time.struct_time | datetime | None) -> datetime | None:
    if not struct:
        return None
    if isinstance(struct, datetime):
        return struct  # the fast path's reading, already this (parse_fast.parse_date_utc)
    try:  # the same instant as below when the fields are in range, without timegm's Python
        return datetime(*struct[:6], tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        pass
    try:
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _body_html(item: Any) -> str:
    """The fullest HTML the item offers: content:encoded / atom content over the summary."""
    content = item.get("content")
    if not content:  # most RSS items: the summary is all there is
        return _text(item.get("summary"))
    contents = [c for c in content if isinstance(c, dict)]
    html_parts = [_text(c.get("value")) for c in contents if _text(c.get("value")).strip()]
    if html_parts:
        return max(html_parts, key=len)
    return _text(item.get("summary"))


# Category terms and author names recur from item to item and feed to feed: clean each once.
_clean_term = functools.lru_cache(maxsize=4096)(clean_title)


@functools.lru_cache(maxsize=4096)
def _is_pub_type(tag: str) -> bool:
    return _PUB_TYPE.fullmatch(tag) is not None


def parse_entry(
    item: Any, feed: FeedRef, fetched_at: datetime | None = None, base: str | None = None
) -> Entry:
    """One feedparser-shaped entry → Entry. Pure; used by parse_feed and by tests.

    ``base``: resolve relative links in the entry's HTML against it (feedparser has done so
    already; the lxml fast path has not).
    """
    link = safe_link(_text(item.get("link")))
    body = _body_html(item)
    summary_html, text = clean_html_text(body, base)  # = clean_html, html_to_text of it
    title = clean_title(_text(item.get("title"))) or (text[:80] + "…" if text else "(untitled)")
    guid = _text(item.get("id")).strip() or link
    if not guid:
        guid = "sha1:" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()
    raw_ids = [
        _text(item.get(key))
        for key in ("dc_identifier", "prism_doi", "prism_url", "dc_source")
        if item.get(key)
    ]
    tags = tuple(
        sorted({_clean_term(_text(t.get("term"))) for t in item.get("tags") or [] if t.get("term")})
    )
    pub_types = tuple([t for t in tags if _is_pub_type(t)])
    authors = tuple(
        dict.fromkeys(
            [
                _clean_term(_text(a.get("name")))
                for a in item.get("authors") or []
                if isinstance(a, dict) and _text(a.get("name")).strip()
            ]
        )
    )
    source = item.get("source") or {}
    # dict.get: FeedParserDict.get maps updated→published with a deprecation warning.
    updated = _utc(dict.get(item, "updated_parsed"))
    published = _utc(dict.get(item, "published_parsed")) or updated
    digest = hashlib.sha1(f"{title}\n{link}\n{summary_html}".encode()).hexdigest()
    return Entry(
        feed=feed,
        guid=guid,
        title=title,
        link=link,
        canonical_url=canonical_url(link) if link else "",
        summary_html=summary_html,
        text=text,
        published=published,
        updated=updated,
        authors=authors,
        categories=tags,
        pub_types=pub_types,
        ids=extract_ids(link=link, guid=guid, raw_ids=raw_ids, text=text),
        source_name=(clean_title(_text(source.get("title"))) or None) if source else None,
        first_seen=fetched_at,
        content_hash=digest,
    )


def _one_line(exc: object) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:200]


def parse_feed(
    body: bytes,
    feed: FeedRef,
    headers: Mapping[str, str] | None = None,
    fetched_at: datetime | None = None,
) -> ParsedFeed:
    """Parse one feed document. Never raises for bad input: problems go to ``error``.

    Well-formed RSS and Atom go through the lxml fast path; anything it is unsure of, through
    feedparser (see :mod:`crpsdigest.parse_fast`).
    """
    headers = headers or {}
    fast = read_fast(body, headers)
    base: str | None = None
    if fast is not None:
        result = ParsedFeed(title=clean_title(fast.title))
        ttl, items = fast.ttl, fast.items
        base = headers.get("content-location") or None
    else:
        try:
            parsed = feedparser.parse(
                body, response_headers=dict(headers), sanitize_html=False, resolve_relative_uris=True
            )
        except Exception as exc:  # feedparser is meant not to raise; be sure
            return ParsedFeed(error=f"cannot parse the feed ({_one_line(exc)})")
        result = ParsedFeed(title=clean_title(_text(parsed.feed.get("title"))))
        ttl, items = _text(parsed.feed.get("ttl")).strip(), parsed.entries
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            if type(problem).__name__ not in _BENIGN_BOZO:
                result.error = f"malformed feed ({_one_line(problem)})"
        if not parsed.entries and not parsed.get("version") and result.error is None:
            result.error = "not a feed (no RSS or Atom found)"
    result.ttl_minutes = int(ttl) if ttl.isdigit() else None
    seen: set[str] = set()
    for item in items:
        try:
            entry = parse_entry(item, feed, fetched_at, base)
        except Exception as exc:  # one bad item must not lose the others
            result.error = result.error or f"skipped an entry ({_one_line(exc)})"
            continue
        if entry.guid in seen:  # a feed repeating an item: keep the first
            continue
        seen.add(entry.guid)
        result.entries.append(entry)
    return result
