"""Atom and JSON Feed outputs: valid RFC 4287, stable ids, reproducible bytes, safe content.

Every feed is read back three ways: feedparser (what most readers use), atoma (an independent
parser) and an lxml walk that checks RFC 4287's must-haves itself.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import atoma
import feedparser
import pytest
from factories import SITE, make_digest, make_item, sample_archive
from lxml import etree

from crpsdigest.render import write_outputs

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def rfc4287_problems(data: bytes) -> list[str]:
    """RFC 4287 section 4 requirements a reader relies on; returns what is broken."""
    problems: list[str] = []
    root = etree.fromstring(data)
    if root.tag != f"{A}feed":
        return [f"root is {root.tag}"]

    def one(el: etree._Element, name: str, where: str) -> etree._Element | None:
        found = el.findall(f"{A}{name}")
        if len(found) != 1:
            problems.append(f"{where}: {len(found)} <{name}>")
            return None
        return found[0]

    def check_date(el: etree._Element | None, where: str) -> None:
        if el is not None and not RFC3339.match(el.text or ""):
            problems.append(f"{where}: bad date {el.text!r}")

    def check_links(el: etree._Element, where: str) -> None:
        alternates = set()
        for link in el.findall(f"{A}link"):
            href = link.get("href") or ""
            if not href.startswith(("http://", "https://")):
                problems.append(f"{where}: link href {href!r}")
            if link.get("rel", "alternate") == "alternate":
                key = (link.get("type"), link.get("hreflang"))
                if key in alternates:
                    problems.append(f"{where}: two alternate links of one type")
                alternates.add(key)

    feed_id = one(root, "id", "feed")
    one(root, "title", "feed")
    check_date(one(root, "updated", "feed"), "feed")
    check_links(root, "feed")
    if not [lk for lk in root.findall(f"{A}link") if lk.get("rel") == "self"]:
        problems.append("feed: no rel=self link")
    feed_has_author = bool(root.findall(f"{A}author/{A}name"))
    ids = [feed_id.text] if feed_id is not None else []
    for n, entry in enumerate(root.findall(f"{A}entry")):
        where = f"entry {n}"
        eid = one(entry, "id", where)
        if eid is not None:
            ids.append(eid.text)
            if not re.match(r"^[a-z][a-z0-9+.-]*:\S+$", eid.text or ""):
                problems.append(f"{where}: id {eid.text!r} is not an IRI")
        one(entry, "title", where)
        check_date(one(entry, "updated", where), where)
        for pub in entry.findall(f"{A}published"):
            check_date(pub, where)
        check_links(entry, where)
        content = entry.findall(f"{A}content")
        if not content and not [lk for lk in entry.findall(f"{A}link")
                                if lk.get("rel", "alternate") == "alternate"]:
            problems.append(f"{where}: neither content nor alternate link")
        if not feed_has_author and not entry.findall(f"{A}author/{A}name"):
            problems.append(f"{where}: no author")
        for c in content + entry.findall(f"{A}summary"):
            if c.get("type") not in (None, "text", "html"):
                problems.append(f"{where}: content type {c.get('type')}")
            if c.get("type") == "html" and re.search(r"<script|javascript:|onerror=",
                                                     c.text or "", re.I):
                problems.append(f"{where}: unsafe html in {c.tag}")
        for cat in entry.findall(f"{A}category"):
            if not cat.get("term"):
                problems.append(f"{where}: category without term")
    if len(ids) != len(set(ids)):
        problems.append("ids are not unique")
    return problems


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out")
    write_outputs(SITE, sample_archive(), out)
    return out


def all_atom(out: Path) -> list[Path]:
    return sorted([out / "atom.xml", out / "items.xml", *(out / "treatments").glob("*.xml")])


def test_every_atom_file_is_valid_rfc4287_for_three_parsers(out: Path) -> None:
    files = all_atom(out)
    assert len(files) == 7  # atom, items, 5 treatments (ldn, ketamine, scs, neridronate, bisph.)
    for f in files:
        data = f.read_bytes()
        assert rfc4287_problems(data) == [], f.name
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (f.name, parsed.get("bozo_exception"))
        assert parsed.version == "atom10"
        feed = atoma.parse_atom_bytes(data)
        assert [e.id_ for e in feed.entries] == [e.id for e in parsed.entries]


def test_digest_feed_entries_have_stable_tag_ids_dates_and_treatment_categories(out: Path) -> None:
    parsed = feedparser.parse((out / "atom.xml").read_bytes())
    assert [e.id for e in parsed.entries] == [
        "tag:digest.example.org,2026:digest/2026-W48",
        "tag:digest.example.org,2026:digest/2026-W47",
        "tag:digest.example.org,2026:digest/2026-W46",
    ]
    first = parsed.entries[0]
    # week 48's newest item is item 9, published 23 Nov at 09:00 + 9 h UTC (factories.make_item)
    assert first.updated == "2026-11-23T18:00:00+00:00"
    assert parsed.feed.updated == "2026-11-23T18:00:00+00:00"
    assert sorted(t.term for t in first.tags) == ["ketamine", "low-dose-naltrexone",
                                                  "spinal-cord-stimulation"]
    assert first.link == "https://digest.example.org/2026-W48/"
    assert first.content[0].type == "text/html"
    assert "Study 2 of ketamine in CRPS" in first.content[0].value
    assert parsed.feed.author_detail.name == "Digest editors"
    rels = {lk.rel: lk.href for lk in parsed.feed.links}
    assert rels == {"self": "https://digest.example.org/atom.xml",
                    "alternate": "https://digest.example.org/"}


def test_items_feed_has_one_entry_per_item_with_clean_summary_and_escaped_title(out: Path) -> None:
    parsed = feedparser.parse((out / "items.xml").read_bytes())
    # week 48: 5 items, week 47: 3, week 46: 1
    assert len(parsed.entries) == 9
    nasty = next(e for e in parsed.entries if "quotes" in e.title)
    assert nasty.title == 'Ketamine <script>alert("t")</script> & "quotes" ]]> <b>bold</b>'
    assert nasty.link == "https://evil.example.com/a?x=1&y=%3C2%3E"
    assert "<script" not in nasty.summary and "onerror" not in nasty.summary
    assert "javascript:" not in nasty.summary and 'href="/relative"' not in nasty.summary
    assert 'href="https://ok.example.com/"' in nasty.summary
    scs = next(e for e in parsed.entries if "spinal" in e.title)
    assert scs.published == "2026-11-23T13:00:00+00:00"
    assert scs.updated == "2026-11-23T14:00:00+00:00"
    assert {t.term for t in scs.tags} == {"spinal-cord-stimulation", "recruiting", "clinical-trial"}


def test_treatment_feed_holds_only_that_treatment(out: Path) -> None:
    parsed = feedparser.parse((out / "treatments" / "ketamine.xml").read_bytes())
    titles = [e.title for e in parsed.entries]
    assert len(titles) == 4  # 2 in week 48, 2 in week 47
    assert all("ketamine" in t.lower() or "Ketamine" in t for t in titles)
    assert parsed.feed.links[0].href == "https://digest.example.org/treatments/ketamine.xml"


def test_rebuild_is_byte_identical_and_touches_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert write_outputs(SITE, sample_archive(), a)
    assert write_outputs(SITE, sample_archive(), a) == []
    write_outputs(SITE, sample_archive(), b)
    for f in sorted(a.rglob("*")):
        if f.is_file():
            assert f.read_bytes() == (b / f.relative_to(a)).read_bytes(), f


def test_changing_one_week_updates_its_entry_only(tmp_path: Path) -> None:
    archive = sample_archive()
    write_outputs(SITE, archive, tmp_path)
    before = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    extra = make_item(8, ["ketamine"], week_start=archive[1].start)
    archive[1].sections[1].items.append(extra)
    archive[1].items.append(extra)
    archive[1].updated = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    changed = write_outputs(SITE, archive, tmp_path)
    assert tmp_path / "atom.xml" in changed and tmp_path / "2026-W47" / "index.html" in changed
    assert tmp_path / "2026-W46" / "index.html" not in changed
    after = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert [e.updated for e in after.entries] == [
        before.entries[0].updated, "2026-11-20T08:00:00+00:00", before.entries[2].updated]


def test_keep_weeks_limits_the_feeds_but_not_the_archive(tmp_path: Path) -> None:
    site = replace(SITE, keep_weeks=2)
    write_outputs(site, sample_archive(), tmp_path)
    digests = feedparser.parse((tmp_path / "atom.xml").read_bytes())
    assert [e.id.rsplit("/", 1)[1] for e in digests.entries] == ["2026-W48", "2026-W47"]
    items = feedparser.parse((tmp_path / "items.xml").read_bytes())
    assert not [e for e in items.entries if "neridronate" in e.title]
    assert (tmp_path / "2026-W46" / "index.html").exists()
    assert "Study 7" in (tmp_path / "treatments" / "neridronate.html").read_text()


def test_an_item_shown_again_as_update_appears_once(tmp_path: Path) -> None:
    first = make_item(1, ["ketamine"])
    again = replace(first, updated=datetime(2026, 12, 1, 9, 0, tzinfo=UTC), is_update=True)
    old = make_digest("2026-W48", sections={"ketamine": [first]})
    new = make_digest("2026-W49", sections={"ketamine": [again]})
    write_outputs(SITE, [new, old], tmp_path)
    data = (tmp_path / "items.xml").read_bytes()
    assert rfc4287_problems(data) == []
    entries = feedparser.parse(data).entries
    assert len(entries) == 1 and entries[0].updated == "2026-12-01T09:00:00+00:00"


def test_json_feed_lists_items_with_tags(out: Path) -> None:
    feed = json.loads((out / "feed.json").read_text())
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://digest.example.org/feed.json"
    assert len(feed["items"]) == 9
    ids = [i["id"] for i in feed["items"]]
    assert len(set(ids)) == len(ids)
    ner = next(i for i in feed["items"] if "neridronate" in i["title"])
    assert ner["tags"] == ["Neridronate", "Bisphosphonates", "Systematic review"]
    assert ner["date_published"] == "2026-11-09T16:00:00+00:00"
    assert all(i["url"].startswith("https://") for i in feed["items"])
    assert all("<script" not in i.get("content_html", "") for i in feed["items"])


def test_no_digests_still_gives_valid_empty_feeds(tmp_path: Path) -> None:
    write_outputs(SITE, [], tmp_path)
    for name in ("atom.xml", "items.xml"):
        data = (tmp_path / name).read_bytes()
        assert rfc4287_problems(data) == []
        assert feedparser.parse(data).entries == []
    assert "No digest has been built yet" in (tmp_path / "index.html").read_text()
