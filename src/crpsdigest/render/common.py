"""Helpers every renderer shares: safe links, defensive sanitising, dates, names, URLs.

Feed text is untrusted all the way to the output, so the rules for what may be emitted
(http(s) links only, a small HTML allowlist, no XML-illegal characters) live here, once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import nh3
from w3lib.url import safe_url_string

from crpsdigest.models import Digest, DigestItem, SiteInfo

# Tags an embedded summary may keep: enough for paragraphs, emphasis, lists and links.
SUMMARY_TAGS = {
    "p", "br", "a", "em", "strong", "i", "b", "ul", "ol", "li", "blockquote", "sub", "sup",
}
SUMMARY_ATTRIBUTES = {"a": {"href"}}

KIND_LABELS = {
    "clinical-trial": "Clinical trial",
    "recruiting": "Trial recruiting",
    "rct": "RCT",
    "systematic-review": "Systematic review",
    "case-report": "Case report",
    "guideline": "Guideline",
    "news": "News",
    "personal-story": "Personal story",
    "fundraising-event": "Fundraising / event",
}

STATUS_LABELS = {
    "shown": "Shown",
    "not-relevant": "Not relevant",
    "duplicate": "Duplicate",
    "excluded": "Excluded",
    "shown-earlier": "Shown earlier",
}

_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_WEEK_RE = re.compile(r"^\d{4}-W\d{2}$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (a stray \\x0b in a title would break lxml)."""
    return _XML_ILLEGAL.sub("", text)


def safe_href(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) address, else None: nothing else is ever linked."""
    if not url:
        return None
    url = url.strip()
    if _SPACE_OR_CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    try:
        # Percent-encode what feeds leave raw (<, >, quotes, non-ASCII) so the URL is valid.
        return str(safe_url_string(_BAD_PERCENT.sub("%25", url)))
    except (ValueError, UnicodeError):
        return None


def _keep_safe_href(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        return safe_href(value)
    return value


_LINK_REL = "noopener noreferrer nofollow"
_HREFLESS_A = re.compile(f'<a rel="{_LINK_REL}">(.*?)</a>', re.S)


def clean_summary(html: str) -> str:
    """Re-sanitise summary HTML before embedding it (defence in depth after the clean stage).

    Anchors whose href was refused (javascript:, relative) are unwrapped to plain text.
    """
    cleaned = nh3.clean(
        xml_safe(html),
        tags=SUMMARY_TAGS,
        attributes=SUMMARY_ATTRIBUTES,
        attribute_filter=_keep_safe_href,
        url_schemes={"http", "https"},
        link_rel=_LINK_REL,
    )
    return _HREFLESS_A.sub(r"\1", cleaned)


def shorten(text: str, limit: int = 280) -> str:
    """Cut text at a word boundary so an email summary stays short."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def as_utc(dt: datetime) -> datetime:
    """Aware UTC datetime (a naive one is taken as UTC, as the store keeps UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def fmt_date(dt: datetime | None, tz: str) -> str:
    """A reader's date in the digest's time zone, e.g. "24 Nov 2026"."""
    if dt is None:
        return ""
    local = as_utc(dt).astimezone(zone(tz))
    return f"{local.day} {local:%b %Y}"


def iso_date(dt: datetime | None, tz: str) -> str:
    if dt is None:
        return ""
    return as_utc(dt).astimezone(zone(tz)).date().isoformat()


def kind_label(slug: str) -> str:
    return KIND_LABELS.get(slug, slug.replace("-", " ").capitalize())


def check_week(week: str) -> str:
    """A week string safe to use as a folder name ("2026-W48")."""
    if not _WEEK_RE.match(week):
        raise ValueError(f"digest week {week!r} is not of the form YYYY-Www")
    return week


def is_slug(slug: str) -> bool:
    return bool(_SLUG_RE.match(slug))


def site_base(site_url: str) -> str:
    return site_url if site_url.endswith("/") else site_url + "/"


def site_host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


def week_url(site_url: str, week: str) -> str:
    return urljoin(site_base(site_url), f"{week}/")


def tag_uri(site_url: str, year: int, specific: str) -> str:
    """RFC 4151 tag URI, e.g. tag:example.org,2026:digest/2026-W48."""
    return f"tag:{site_host(site_url)},{year}:{specific}"


def digest_entry_id(site_url: str, week: str) -> str:
    return tag_uri(site_url, int(week[:4]), f"digest/{week}")


def item_entry_id(site_url: str, item: DigestItem, week: str) -> str:
    """Stable per item: the year it was published (else of its week) plus its store uid."""
    year = as_utc(item.published).year if item.published else int(week[:4])
    return tag_uri(site_url, year, f"item/{item.uid}")


def treatment_names(digests: Iterable[Digest]) -> dict[str, str]:
    """Slug → display name across digests; newer digests win, as they are passed first."""
    names: dict[str, str] = {}
    for d in digests:
        for slug, name in d.treatment_names.items():
            names.setdefault(slug, name)
        for s in d.sections:
            if s.slug != "other":
                names.setdefault(s.slug, s.name)
    return names


def name_of(slug: str, names: dict[str, str]) -> str:
    return names.get(slug) or slug.replace("-", " ").capitalize()


def item_updated(item: DigestItem, digest: Digest) -> datetime:
    """When an item last changed, for Atom <updated>: its own dates before the digest's."""
    return as_utc(item.updated or item.published or digest.updated)


def unique_items(digests: Sequence[Digest]) -> list[tuple[Digest, DigestItem]]:
    """Every shown item once (its newest showing), newest digest first, digest order within."""
    seen: set[str] = set()
    out: list[tuple[Digest, DigestItem]] = []
    for d in digests:
        for item in d.items:
            if item.uid in seen:
                continue
            seen.add(item.uid)
            out.append((d, item))
    return out


def kept(site: SiteInfo, digests: Sequence[Digest]) -> list[Digest]:
    """The newest ``keep_weeks`` digests (input is newest first; sorted again to be sure)."""
    ordered = sorted(digests, key=lambda d: d.week, reverse=True)
    return ordered[: max(site.keep_weeks, 0)]


def newest(dates: Iterable[datetime]) -> datetime:
    return max((as_utc(d) for d in dates), default=EPOCH)
