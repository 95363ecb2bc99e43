"""Snapshot everything parse_feed and the cleaning helpers output, to prove a speed-up changed nothing.

    .venv/bin/python bench/parse_snapshot.py OUT.txt      # then: diff BASE.txt OUT.txt

Writes one line per ParsedFeed / Entry / direct helper call over: every file of the shared
feedparser corpus (through both the fast path and, where it declines, feedparser), every fixture
and example feed, the fetch bench's synthetic feeds (``make_feed(i, 20)``, i < 500) plus variants
(relative links, other date spellings, Atom, HTTP charset headers), the hostile-HTML feeds, and
direct calls of clean_html / html_to_text / clean_title / safe_link / canonical_url / extract_ids
/ the fast path's date reader on thousands of inputs taken from all of those. Not a test: a tool
for optimisation work (the baseline comes from the unchanged code).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from fetch import make_feed  # noqa: E402  (bench/fetch.py)

from crpsdigest import parse_fast  # noqa: E402
from crpsdigest.clean import clean_html, clean_title, html_to_text, safe_link  # noqa: E402
from crpsdigest.identifiers import extract_ids  # noqa: E402
from crpsdigest.models import FeedRef  # noqa: E402
from crpsdigest.parse import ParsedFeed, _utc, parse_feed  # noqa: E402
from crpsdigest.urls import canonical_url  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "feedparser-tests"
FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DATE_ELEMENT = re.compile(
    rb"<((?:\w+:)?(?:pubDate|date|updated|published|issued|modified|created))\b[^>]*>([^<]{0,80})</\1>"
)
EXTRA_DATES = [
    "Fri, 20 Nov 2026 06:00:00 +0000", "Fri, 20 Nov 2026 06:00:00 GMT", "20 Nov 2026 06:00 EST",
    "Fri, 20 Nov 2026 06:00:00 -0530", "Fri, 20 Nov 26 06:00:00 +0100", "Fri, 2 Nov 2026 6:0:0 Z",
    "Fri 20 Nov 2026 06:00:00 +0000", "Fri, 20 Nov 2026 06:00 +0000", "Fri, 20 Nov 2026 +0000",
    "Fri, 20 November 2026 06:00:00 +0000", "Fri, 31 Feb 2026 06:00:00 +0000",
    "Fri, 20 Nov 2026 24:00:00 +0000", "Fri, 20 Nov 2026 23:59:60 +0000", "Fri, 20 Nov 2026",
    "Sat, 20 Nov 2026 06:00:00 +0000", "fri, 20 nov 2026 06:00:00 gmt", "Fri,20 Nov 2026 06:00:00 +0000",
    "Fri, 20 Nov 2026 06:00:00 +00:00", "Fri, 20 Nov 2026 06:00:00 UT", "Fri, 20 Nov 2026 06:00:00 PDT",
    "Fri, 20 Nov 2026 06:00:00 +2400", "Fri, 20 Nov 2026 06:00:00 -1259", "Fri, 20 Nov 2026 06:00:00",
    "Fri, 20 Nov 0099 06:00:00 +0000", "Fri, 20 Nov 10000 06:00:00 +0000", "  Fri, 20 Nov 2026 06:00:00 +0000 ",
    "2026-11-20T06:00:00Z", "2026-11-20T06:00:00+00:00", "2026-11-20T06:00:00.123456-05:30",
    "2026-11-20T06:00Z", "2026-11-20", "2026-11-20 06:00:00", "2026-11-20T06:00:00", "20261120T060000Z",
    "2026-02-30T06:00:00Z", "2026-11-20T25:00:00Z", "2026-11-20T06:00:00+2500", "2026-11-20T06:00:00.Z",
    "2026-W47-5", "2026-324", "not a date", "", "Thu, 01 Jan 1970 00:00:00 +0000",
    "Wed, 31 Dec 1969 23:59:59 +0000", "Tue, 19 Jan 2038 03:14:08 +0000", "Fri, 20 Nov 2026 06:00:00 +0000 (UTC)",
    "Fri, 20 Nov 2026 06:00:00 CET", "Fri, 20 Nov 2026 06:00:00 A", "Fri, 20 Nov 2026 06:00:00 +01",
    "Fri, 20 Nov 2026 6:00:00 +0000", "Fri, 20 Nov 2026 06:00:0 +0000", "Fri, 20 Nov 2026 06:00:00 +000",
    "Fri, 20 Nov 2026 06:00:00 0000", "Fri, 20 Nov 2026 06:00:00 ++0000", "Fri, 20 Nov 2026 06:00:00.5 +0000",
    "Fri, 20 Nov 2026 06:00:00\t+0000", "Fri,\u00a020 Nov 2026 06:00:00 +0000", "Fri, 20 Nov 2026 06:00:00 +0000\n",
    "Fri, 20 Nov 2026 06:00:00 +0000 extra", "Mon, 20 Nov 2026 06:00:00 +0000", "Foo, 20 Nov 2026 06:00:00 +0000",
    "20 Nov 2026 06:00:00 +0000", "Nov 20 2026 06:00:00 +0000", "Fri, 20 Nov 2026 06:00:00 z",
    "Fri, 20 Nov 2026 06:00:00 +0000+0000", "Fri, 00 Nov 2026 06:00:00 +0000", "Fri, 32 Nov 2026 06:00:00 +0000",
    "Fri, 20 Nov 2026 06:60:00 +0000", "Fri, 20 Nov 2026 06:00:61 +0000", "Fri, 20 Nov 1 06:00:00 +0000",
    "Fri, 20 Nov 202 06:00:00 +0000", "Fri, 20 Nov 02026 06:00:00 +0000", "Fri, 020 Nov 2026 06:00:00 +0000",
    "Fri, 20 Nov 2026 006:00:00 +0000", "Fri, 20 Nov 2026 06:00:00 +00000", "Fri, 20 NOV 2026 06:00:00 +0000",
    "Fri, 29 Feb 2028 06:00:00 +0000", "Fri, 29 Feb 2027 06:00:00 +0000", "Fri, 20 Nov 2026 06:00:00 -0000",
    "Fri, 20 Nov 2026 06:00:00 +9999", "Fri, 20 Nov 2026 06:00:00 EDT", "Fri, 20 Nov 2026 06:00:00 MST",
    "Fri, 20 Nov 2026 06:00:00 Etc/GMT", "Fri, 20 Nov 2026 06:00:00 +0000Z", "Fri, 20 Nov 2026 06:00:00 Z ",
    "Fri, 20 Nov 2026 06:00:00 +1", "Fri, 20 Nov 2026 06:00:00 +01:30", "Fri, 20 Nov 2026 06:00:00 -9",
    "Fri, 20 Nov 2026 06:00:00 +0000 +0000", "Fri, 20 Nov 2026 ٠٦:00:00 +0000", "Fri, ２０ Nov 2026 06:00:00 +0000",
    "Mon, 01 Jan 0001 00:00:00 +0000", "Mon, 01 Jan 0001 00:30:00 +0100", "Fri, 31 Dec 9999 23:59:59 +0000",
    "Fri, 31 Dec 9999 23:59:59 -0100", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-01:00",
    "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "Sun, 31 Dec 1899 23:59:59 GMT",
]  # fmt: skip

EXTRA_JOINS = [
    "http:///x.example/a", "HTTP://a.example/b", "https:////a.example", " http://a.example/",
    "http://a.exa\tmple/b", "//a.example/b", "?q=1", "#frag", "", "http://[::1", "mailto:x@y.z",
    "https://a.example/x?#", "https://a.example/x;p?q#f", "ftp:///x", "a+b-c.d:///x", "1http:///x",
    "https://a.example/../b/./c", "HTTPS:///a.example", "https:", "https://", "http://a.example:99999/",
    "https://a.example/x;", "https://a.example/x;p", "https://a.example?", "https://a.example/?",
    "https://a.example/x?a=1;b=2", "https://a.example:/x", "https://a.example", "http://a.example/x y",
    "https://a.example/x\x7f", "https://u@a.example/", "https://[::1]/x", "https://a.example/#",
    "https://a.example/x?q#", "https://ä.example/", "https://a.example/ä", "https://-/", "http://./",
]


def _feed_variants(i: int) -> Iterator[tuple[str, bytes, dict[str, str]]]:
    body = make_feed(i, 20)
    url = f"https://news{i % 97}.example.org/feed/{i}.xml"
    yield f"bench{i}", body, {"content-location": url} if i % 2 else {}
    if i % 25:
        return
    rel = body.replace(f"https://news{i % 97}.example.org/".encode(), b"/")
    yield f"bench{i}-relative", rel, {"content-location": url}
    yield f"bench{i}-relative-nobase", rel, {}
    yield f"bench{i}-textxml", body, {"content-type": "text/xml; charset=utf-8"}
    yield f"bench{i}-charset", body, {"content-type": "application/rss+xml; charset=iso-8859-1"}
    dates = re.sub(rb"\+0000</pubDate>", b"GMT</pubDate>", body)
    yield f"bench{i}-gmt", dates, {}
    iso = re.sub(
        rb"<pubDate>\w+, (\d+) (\w+) (\d+) ([\d:]+) \+0000</pubDate>",
        rb"<dc:date>\3-11-\1T\4-05:00</dc:date>", body
    )
    yield f"bench{i}-iso", iso, {}
    odd = body.replace(b"<pubDate>", b"<pubDate> ").replace(b"+0000</pubDate>", b"EST</pubDate>", 3)
    yield f"bench{i}-odd", odd, {}
    perma = body.replace(b'isPermaLink="false"', b"").replace(b"<link>", b"<link> ")
    yield f"bench{i}-permalink", perma, {"content-location": url}


def _inputs() -> Iterator[tuple[str, bytes, dict[str, str]]]:
    if CORPUS.is_dir():
        for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md"):
            rel = path.relative_to(CORPUS).as_posix()
            body = path.read_bytes()
            yield f"corpus:{rel}", body, {"content-location": f"https://corpus.example.org/{rel}"}
            yield f"corpus-nohdr:{rel}", body, {}
    for folder in (ROOT / "tests" / "fixtures", ROOT / "examples"):
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".rss", ".atom", ".xml", ".rdf"):
                rel = path.relative_to(ROOT).as_posix()
                body = path.read_bytes()
                yield f"fixture:{rel}", body, {"content-location": f"https://feeds.example.org/{path.name}"}
    for i in range(500):
        yield from _feed_variants(i)
    from tests import test_hostile_html as hostile

    for name, text in (
        ("hostile-a", hostile._rss(hostile.SNIPPETS[0], "A", cdata=False)),
        ("hostile-c", hostile._rss(hostile.SNIPPETS[1], "C", cdata=True)),
        ("hostile-b", hostile._atom(hostile.SNIPPETS[2])),
    ):
        yield name, text.encode(), {"content-location": "https://news.example.org/feed"}


def _feed_lines(name: str, parsed: ParsedFeed) -> Iterator[str]:
    yield f"FEED {name} title={parsed.title!r} error={parsed.error!r} ttl={parsed.ttl_minutes!r}"
    for e in parsed.entries:
        fields: tuple[Any, ...] = (
            e.guid, e.title, e.link, e.canonical_url, e.summary_html, e.text, e.published,
            e.updated, e.authors, e.categories, e.pub_types, sorted(e.ids.items()),
            e.source_name, e.content_hash, e.first_seen, e.feed.url,
        )  # fmt: skip
        yield "  ENTRY " + repr(fields)


def main(out: Path) -> None:
    counts: Counter[str] = Counter()
    lines: list[str] = []
    htmls: list[str] = []
    links: list[str] = []
    titles: list[str] = []
    guids: list[str] = []
    dates: list[str] = list(EXTRA_DATES)
    for name, body, headers in _inputs():
        feed = FeedRef(url=f"https://feeds.example.org/{name}", name=name, topic="crps")
        parsed = parse_feed(body, feed, headers, FETCHED)
        counts["feeds"] += 1
        counts["entries"] += len(parsed.entries)
        lines.extend(_feed_lines(name, parsed))
        if name.startswith(("corpus:", "fixture:", "hostile", "bench0-", "bench0")):
            fast = parse_fast.read_fast(body, headers)
            for item in fast.items if fast else []:
                for key in ("summary", "title"):
                    value = item.get(key)
                    if isinstance(value, str):
                        (htmls if key == "summary" else titles).append(value)
                for c in item.get("content") or []:
                    htmls.append(c["value"])
                links.extend(v for k in ("link", "id") if isinstance(v := item.get(k), str))
            for e in parsed.entries:
                htmls.append(e.summary_html)
                links.append(e.link)
                guids.append(e.guid)
                titles.append(e.title)
        if not name.startswith("bench") or name.startswith("bench0"):
            dates.extend(m.group(2).decode("utf-8", "replace") for m in DATE_ELEMENT.finditer(body))
    from tests import test_hostile_html as hostile

    htmls.extend(hostile.SNIPPETS)
    titles.extend(hostile.SNIPPETS)
    links.extend(hostile.SNIPPETS)
    for test in ("test_urls.py", "test_identifiers.py", "test_clean.py"):
        source = (ROOT / "tests" / test).read_text("utf-8")
        strings = re.findall(r'"((?:[^"\\\n]|\\.)*)"', source)
        links.extend(s for s in strings if "://" in s or s.startswith(("doi", "10.", "pmid", "NCT")))
        htmls.extend(s for s in strings if "<" in s or "&" in s)
    for kind, values in (("html", htmls), ("link", links), ("title", titles), ("guid", guids)):
        values[:] = list(dict.fromkeys(values))
        counts[kind] = len(values)
    for h in htmls:
        lines.append(f"CLEAN {h!r} -> {clean_html(h)!r} | {clean_html(h, 'https://b.example/x/y')!r}")
        lines.append(f"TEXT {h!r} -> {html_to_text(h)!r} | {clean_title(h)!r}")
        lines.append(f"IDS-T {extract_ids(link='', guid='', text=html_to_text(h))!r}")
    for t in titles:
        lines.append(f"TITLE {t!r} -> {clean_title(t)!r} | {html_to_text(t)!r}")
    for u in links:
        lines.append(f"URL {u!r} -> {safe_link(u)!r} | {canonical_url(u)!r}")
        lines.append(f"IDS-L {extract_ids(link=u, guid=u, raw_ids=[u])!r}")
    for g in guids:
        lines.append(f"IDS-G {extract_ids(link='', guid=g, raw_ids=[g])!r}")
    dates = list(dict.fromkeys(dates))
    counts["dates"] = len(dates)
    for d in dates:
        lines.append(f"DATE {d!r} -> {parse_fast.parse_date(d)!r}")
        lines.append(f"DATE-S {d!r} -> {parse_fast.parse_date(d.strip())!r}")
        lines.append(f"UTC {d!r} -> {_utc(parse_fast.parse_date(d))!r}")
    bases = ("", "https://feeds.example.org/a/b.xml", "http://x.example/", "http://[::1/x", "HTTPS://A.example/", "x")
    joins = [(b, v) for b in bases
             for v in links[:400] + EXTRA_JOINS]  # fmt: skip
    join = getattr(parse_fast, "join", parse_fast._urljoin)  # a faster join must equal _urljoin
    for b, v in joins:
        lines.append(f"JOIN {b!r} {v!r} -> {join(b, v)!r}")
    counts["lines"] = len(lines)
    out.write_text("\n".join(lines) + "\n", "utf-8")
    print(" ".join(f"{k}={v}" for k, v in counts.items()))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
