"""Plain data passed between pipeline stages.

Every stage is a function from some of these to others; nothing here does I/O. Keeping the
shapes in one module is what lets each stage be tested alone and the CLI stay thin wiring.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

Topic = Literal["crps", "general"]


def entry_uid(feed_url: str, guid: str) -> str:
    """Stable primary key of an entry: one feed's own id for it, never shared across feeds."""
    return hashlib.sha1(f"{feed_url}\x00{guid}".encode()).hexdigest()[:20]


@dataclass(frozen=True)
class FeedRef:
    """What later stages need to know about the feed an entry came from."""

    url: str
    name: str
    topic: Topic = "general"
    homepage: str | None = None
    priority: int = 0


@dataclass
class Entry:
    """One feed item after parse + clean: text is safe to show and to match against.

    ``ids`` maps identifier kinds (``doi``, ``pmid``, ``pmcid``, ``nct``, ``isrctn``) to their
    normalised values; an item can name several trials, so values are tuples.
    """

    feed: FeedRef
    guid: str
    title: str
    link: str
    canonical_url: str
    summary_html: str = ""
    text: str = ""
    published: datetime | None = None
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    pub_types: tuple[str, ...] = ()
    ids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source_name: str | None = None  # outlet named by an aggregator (Google News <source>)
    first_seen: datetime | None = None
    content_hash: str = ""

    @property
    def uid(self) -> str:
        return entry_uid(self.feed.url, self.guid)


@dataclass
class Classification:
    """What classify decided about one entry, with the phrases behind each tag."""

    relevant: bool
    treatments: list[str] = field(default_factory=list)  # most central first
    kinds: list[str] = field(default_factory=list)
    evidence: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class ClusterInfo:
    """Where dedupe put one entry: ``cluster`` is equal for duplicates, ``reason`` says why."""

    cluster: str
    representative: bool
    reason: str = ""  # empty for a cluster of one / the representative
    story: str | None = None  # related (not duplicate) coverage group, optional


@dataclass
class Link:
    title: str
    url: str
    source: str


@dataclass
class DigestItem:
    """One shown item (a cluster's representative) with everything an output needs."""

    uid: str
    title: str
    link: str
    source: str
    published: datetime | None
    summary_html: str
    summary_text: str
    treatments: list[str]
    kinds: list[str]
    evidence: dict[str, list[str]] = field(default_factory=dict)
    also: list[Link] = field(default_factory=list)
    updated: datetime | None = None
    is_update: bool = False
    late: bool = False
    pinned: bool = False


@dataclass
class Section:
    slug: str  # a treatment slug, or "other" for CRPS items with no treatment tag
    name: str
    items: list[DigestItem]


@dataclass
class ReviewRow:
    """One candidate of the week for the editors' review page."""

    uid: str
    title: str
    link: str
    source: str
    status: Literal["shown", "not-relevant", "duplicate", "excluded", "shown-earlier"]
    detail: str
    treatments: list[str]
    evidence: dict[str, list[str]]


@dataclass
class Digest:
    """One ISO week's digest, deterministic for a given store and week."""

    week: str  # "2026-W48"
    start: date  # Monday
    end: date  # Sunday
    title: str
    site_url: str
    language: str
    timezone: str
    items: list[DigestItem]
    sections: list[Section]
    updated: datetime  # newest change among the items; drives Atom <updated>
    treatment_names: dict[str, str] = field(default_factory=dict)
    review: list[ReviewRow] = field(default_factory=list)


@dataclass(frozen=True)
class SiteInfo:
    """The digest-wide settings outputs need (from the ``digest:`` block of feeds.yaml)."""

    title: str
    site_url: str  # absolute, ends with "/"
    language: str = "en"
    timezone: str = "UTC"
    editor_email: str = "editor@example.org"
    author_name: str = "crpsdigest editors"
    keep_weeks: int = 52
    unsubscribe_url: str | None = None
