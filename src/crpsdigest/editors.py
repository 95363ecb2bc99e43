"""Tools for editors: find a site's feed, add it to feeds.yaml, remove one, without losing comments.

feeds.yaml is the editors' file: its comments, order, blank lines and quoting are theirs. So a
change is spliced into the text at the lines ruamel.yaml's round-trip parser reports, leaving every
other byte alone, and the result is validated with the same rules as ``crpsdigest check`` before
it replaces the file (atomically).
"""

from __future__ import annotations

import difflib
import itertools
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import feedparser
import httpx
import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError as RuamelError

from crpsdigest import USER_AGENT
from crpsdigest.atomic import write_atomic
from crpsdigest.config import Config, ConfigError, FeedSettings, load_config
from crpsdigest.models import FeedRef
from crpsdigest.parse import ParsedFeed, parse_feed
from crpsdigest.urls import canonical_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
# Where feeds usually live when a page does not link its own (WordPress, Ghost, Hugo, Jekyll,
# Squarespace, …); tried relative to the page, then to the site root.
COMMON_PATHS = ("feed/", "rss", "feed.xml", "atom.xml", "index.xml", "rss.xml")
MAX_BYTES = 5 * 1024 * 1024
_PERMANENT = (301, 308)


class EditorError(Exception):
    """Something an editor asked for cannot be done; the message says why and what to do."""


@dataclass
class FoundFeed:
    """A feed that was fetched and parsed: proof that the address works."""

    url: str  # what goes into feeds.yaml: the address after permanent redirects
    seen: list[str]  # every address met on the way (the typed one, redirects): for duplicates
    title: str
    entries: int
    newest: datetime | None
    homepage: str | None
    how: str  # how it was found, for the editor
    problem: str | None = None  # parse_feed's note on a malformed but usable feed


@dataclass
class NewFeed:
    """A feed to append to feeds.yaml."""

    name: str
    url: str
    topic: str = "general"
    homepage: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- discovery -------------------------------------------------------------------------------


def normalise_address(address: str) -> str:
    """What an editor typed → an absolute URL (``rsds.org`` → ``https://rsds.org/``)."""
    address = address.strip()
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", address):
        address = "https://" + address
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EditorError(f"{address}: not a web address (use one starting with https://)")
    return urlunsplit(parts._replace(path=parts.path or "/"))


@dataclass
class _Fetched:
    response: httpx.Response
    body: bytes

    @property
    def chain(self) -> list[str]:
        """Every address requested on the way, the first one first."""
        return [str(r.request.url) for r in [*self.response.history, self.response]]

    def kept_url(self) -> str:
        """The address to subscribe to: permanent redirects are followed, temporary ones not."""
        hops = [*self.response.history, self.response]
        kept = str(hops[0].request.url)
        for hop, nxt in itertools.pairwise(hops):
            if hop.status_code not in _PERMANENT:
                break
            kept = str(nxt.request.url)
        return kept


def _get(client: httpx.Client, url: str) -> _Fetched:
    """GET with a size cap: a feed is small; a video at a wrong address must not fill memory."""
    with client.stream("GET", url) as response:
        body = b""
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_BYTES:
                raise EditorError(f"{url}: larger than {MAX_BYTES // 1024 // 1024} MB; not a feed")
    return _Fetched(response, body)


def _looks_like_html(got: _Fetched) -> bool:
    """A web page? The body decides first: some servers label feeds text/html."""
    head = got.body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return True
    if head.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return False
    ctype = got.response.headers.get("content-type", "").split(";")[0].strip().lower()
    return ctype in ("text/html", "application/xhtml+xml")


def _as_feed(got: _Fetched) -> ParsedFeed | None:
    if got.response.status_code >= 400 or not got.body.strip() or _looks_like_html(got):
        return None
    parsed = parse_feed(got.body, FeedRef(url=str(got.response.url), name="(new feed)"))
    if parsed.entries or parsed.error is None:
        return parsed
    return None


def _channel_link(body: bytes) -> str | None:
    link = feedparser.parse(body).feed.get("link")
    return link if isinstance(link, str) and link.startswith(("http://", "https://")) else None


def _candidates(page_url: str, html: bytes) -> list[tuple[str, str]]:
    """(feed URL, how found) to try, best first: the page's own feed links, then common paths."""
    from bs4 import BeautifulSoup, Tag  # only `feeds add` with a page address needs it

    soup = BeautifulSoup(html, "html.parser")
    base_tag = soup.find("base", href=True)
    base = urljoin(page_url, str(base_tag["href"])) if isinstance(base_tag, Tag) else page_url
    linked: list[tuple[bool, str]] = []
    for link in soup.find_all("link", href=True):
        if not isinstance(link, Tag):
            continue
        rels = [r.lower() for r in link.get_attribute_list("rel") if r]
        ctype = str(link.get("type") or "").split(";")[0].strip().lower()
        if "alternate" in rels and ctype in FEED_TYPES:
            href = urljoin(base, str(link["href"]))
            about_comments = "comment" in f"{link.get('title') or ''} {href}".lower()
            linked.append((about_comments, href))
    out = [(url, "linked from the page") for _, url in sorted(linked, key=lambda c: c[0])]
    parts = urlsplit(page_url)
    root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
    folder = urljoin(page_url, ".")
    for where in dict.fromkeys((folder, root)):
        out += [(urljoin(where, p), f"found at a common feed address ({p})") for p in COMMON_PATHS]
    sep = "&" if parts.query else "?"
    out.append((page_url.split("#")[0] + sep + "format=rss", "found with ?format=rss"))
    return list({url: (url, how) for url, how in reversed(out)}.values())[::-1]


def discover_feed(address: str, *, timeout: float = 15.0) -> FoundFeed:
    """Fetch ``address``; if it is a page, find its feed. Raise :class:`EditorError` if none."""
    url = normalise_address(address)
    limits = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    with httpx.Client(
        headers={"User-Agent": USER_AGENT}, timeout=limits, follow_redirects=True
    ) as client:
        try:
            got = _get(client, url)
        except httpx.HTTPError as exc:
            raise EditorError(f"{url}: cannot fetch it ({_reason(exc)})") from None
        if got.response.status_code >= 400:
            raise EditorError(f"{url}: the site answered HTTP {got.response.status_code}")
        parsed = _as_feed(got)
        if parsed is not None:
            return _found(got, parsed, None, "the address is a feed")
        if not _looks_like_html(got):
            raise EditorError(f"{url}: neither a web page nor an RSS or Atom feed")
        page = str(got.response.url)
        for candidate, how in _candidates(page, got.body):
            try:
                feed_got = _get(client, candidate)
            except (httpx.HTTPError, EditorError):
                continue
            parsed = _as_feed(feed_got)
            if parsed is not None:
                return _found(feed_got, parsed, page, how)
    raise EditorError(
        f"{url}: no feed found: the page links no RSS or Atom feed and none of "
        f"{', '.join(COMMON_PATHS)}, ?format=rss answered with one. Ask the site for its feed "
        "address, or look for an RSS icon on the page."
    )


def _reason(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 160 else text[:157] + "…"


def _found(got: _Fetched, parsed: ParsedFeed, page: str | None, how: str) -> FoundFeed:
    dates = [e.published or e.updated for e in parsed.entries]
    homepage = page or _channel_link(got.body)
    return FoundFeed(
        url=got.kept_url(),
        seen=got.chain,
        title=parsed.title,
        entries=len(parsed.entries),
        newest=max((d for d in dates if d is not None), default=None),
        homepage=homepage,
        how=how,
        problem=parsed.error,
    )


def default_name(found: FoundFeed) -> str:
    return found.title or (urlsplit(found.url).hostname or found.url).removeprefix("www.")


# --- who is subscribed already ----------------------------------------------------------------


def find_subscription(config: Config, urls: Iterable[str]) -> tuple[int, FeedSettings] | None:
    """The configured feed any of ``urls`` is (in canonical form), with its index."""
    keys = {canonical_url(u) for u in urls}
    for i, feed in enumerate(config.feeds):
        if canonical_url(config.resolve_feed_url(feed.url)) in keys:
            return i, feed
    return None


def describe(index: int, feed: FeedSettings) -> str:
    return f'feeds[{index}] "{feed.name}" ({feed.url})'


def find_feed(config: Config, name_or_url: str) -> tuple[int, FeedSettings]:
    """The feed an editor named, by exact name (any case) or by address."""
    wanted = name_or_url.strip()
    for i, feed in enumerate(config.feeds):
        if feed.name.casefold() == wanted.casefold():
            return i, feed
    hit = find_subscription(config, [wanted, config.resolve_feed_url(wanted)])
    if hit is not None:
        return hit
    names = [f.name for f in config.feeds]
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
    raise EditorError(f"no feed named or at {wanted!r} in {config.source}{hint}")


# --- editing feeds.yaml -----------------------------------------------------------------------


def _scalar(value: str) -> str:
    """``value`` as YAML: plain when that reads back the same, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {value}") == {"k": value} and " #" not in value
    except yaml.YAMLError:
        plain_ok = False
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


@dataclass
class _Layout:
    """Where the feeds list sits in the text, as 0-based line numbers."""

    lines: list[str]
    newline: str
    starts: list[int]  # the "- " line of each item
    ends: list[int]  # the last line of each item's own content
    dash_col: int
    key_col: int
    blank_between: bool
    seq: CommentedSeq
    doc: CommentedMap


def _rt_yaml() -> YAML:
    rt = YAML(typ="rt")
    rt.width = 4096
    rt.preserve_quotes = True
    return rt


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _layout(path: Path, text: str) -> _Layout | None:
    """Line positions of the feeds items, or None when the list is not in block style."""
    try:
        doc = _rt_yaml().load(text)
    except RuamelError as exc:
        raise ConfigError([f"{path}: not valid YAML ({str(exc).splitlines()[0]})"]) from None
    seq = doc.get("feeds") if isinstance(doc, CommentedMap) else None
    if not isinstance(seq, CommentedSeq) or not seq or seq.fa.flow_style():
        return None
    lines = text.splitlines(keepends=True)
    keys = list(doc.keys())
    after = keys[keys.index("feeds") + 1 :]
    boundary = doc.lc.key(after[0])[0] if after else len(lines)
    starts = []
    for i in range(len(seq)):
        line = seq.lc.item(i)[0]
        while line > 0 and not lines[line].lstrip().startswith("-"):
            line -= 1  # "-" alone on its line, the mapping below it
        starts.append(line)
    ends = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else boundary
        end = start
        for n in range(start, stop):
            if _is_content(lines[n]):
                end = n
        ends.append(end)
    first = lines[starts[-1]]
    return _Layout(
        lines=lines,
        newline="\r\n" if "\r\n" in text else "\n",
        starts=starts,
        ends=ends,
        dash_col=len(first) - len(first.lstrip()),
        key_col=seq.lc.item(len(seq) - 1)[1],
        blank_between=any(not lines[s - 1].strip() for s in starts[1:]),
        seq=seq,
        doc=doc,
    )


def _item_text(feed: NewFeed, dash_col: int, key_col: int, newline: str) -> str:
    values: dict[str, Any] = {"name": feed.name, "url": feed.url}
    if feed.homepage:
        values["homepage"] = feed.homepage
    values["topic"] = feed.topic
    values.update(feed.extra)
    out = []
    for n, (key, value) in enumerate(values.items()):
        lead = " " * dash_col + "-" + " " * (key_col - dash_col - 1) if n == 0 else " " * key_col
        shown = _scalar(value) if isinstance(value, str) else json.dumps(value)
        out.append(f"{lead}{key}: {shown}{newline}")
    return "".join(out)


def _save(path: Path, text: str) -> Config:
    """Validate ``text`` as feeds.yaml, then replace the file atomically, keeping its mode."""
    config = load_config(path, text.encode("utf-8"))
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    write_atomic(path, text)
    if mode is not None:
        os.chmod(path, mode)
    return config


def _dump(doc: CommentedMap, text: str) -> str:
    """Fallback for a flow-style feeds list: a whole round-trip dump (comments survive)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, offset = load_yaml_guess_indent(text)
    indent, offset = indent or 2, offset or 0
    rt = _rt_yaml()
    rt.indent(mapping=indent, sequence=indent + offset, offset=offset)
    buf = StringIO()
    rt.dump(doc, buf)
    return buf.getvalue()


def append_feeds(path: Path, feeds: Sequence[NewFeed]) -> Config:
    """Append ``feeds`` at the end of the feeds list; everything else stays byte for byte."""
    text = path.read_bytes().decode("utf-8-sig")  # as is: keep CRLF line ends
    if not feeds:
        return load_config(path)
    layout = _layout(path, text)
    if layout is None:
        doc = _rt_yaml().load(text)
        seq = doc.setdefault("feeds", CommentedSeq())
        for feed in feeds:
            item = CommentedMap(name=feed.name, url=feed.url)
            if feed.homepage:
                item["homepage"] = feed.homepage
            item["topic"] = feed.topic
            item.update(feed.extra)
            seq.append(item)
        return _save(path, _dump(doc, text))
    nl = layout.newline
    lines = layout.lines
    at = layout.ends[-1] + 1
    if not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += nl
    block = "".join(
        (nl if layout.blank_between else "") + _item_text(f, layout.dash_col, layout.key_col, nl)
        for f in feeds
    )
    return _save(path, "".join(lines[:at]) + block + "".join(lines[at:]))


def remove_feed(path: Path, config: Config, name_or_url: str) -> tuple[int, FeedSettings]:
    """Delete one feed's lines; comments around it (section headings, notes) stay."""
    index, feed = find_feed(config, name_or_url)
    if len(config.feeds) == 1:
        raise EditorError(f"{feed.name!r} is the only feed; feeds.yaml needs at least one")
    text = path.read_bytes().decode("utf-8-sig")  # as is: keep CRLF line ends
    layout = _layout(path, text)
    if layout is None:
        doc = _rt_yaml().load(text)
        del doc["feeds"][index]
        _save(path, _dump(doc, text))
        return index, feed
    lines = layout.lines
    start, end = layout.starts[index], layout.ends[index]
    # Drop one blank line that separated it from the item before, so spacing stays even.
    if layout.blank_between and start > 0 and not lines[start - 1].strip():
        start -= 1
    elif end + 1 < len(lines) and not lines[end + 1].strip():
        end += 1
    _save(path, "".join(lines[:start] + lines[end + 1 :]))
    return index, feed


# --- the schema editors' editors validate against -----------------------------------------------


def feeds_schema() -> str:
    """JSON Schema of feeds.yaml, from the same pydantic model ``crpsdigest check`` uses."""
    schema = Config.model_json_schema()
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": "Generated by `crpsdigest schema > feeds.schema.json`; do not edit by hand.",
        **schema,
    }
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
