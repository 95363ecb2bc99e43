"""Across weeks through the store: a copy arriving later joins the item already shown.

Week 1 brings a paper via PubMed and a charity's post; week 2 brings the journal's own copy of
the same paper (same DOI, journal feed) and the post again under an edited title from the
charity's Atom feed. A reader must not see either a second time as a new item.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crpsdigest.config import load_config
from crpsdigest.ingest import fetch_into_store
from crpsdigest.pipeline import build_week
from crpsdigest.store import Store
from tests.conftest import write_config

DOI = "10.1097/PR9.0000000000001234"
PAPER = "Low-dose ketamine infusions for complex regional pain syndrome: a randomised trial"
POST, EDITED = (
    "New CRPS support group meets in Leeds",
    "CRPS support group now meets in Leeds and Bradford",
)
SITE = "https://crpsuk.example.org"

PUBMED = f"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>crps - PubMed</title><item><title>{PAPER}.</title>
<link>https://pubmed.ncbi.nlm.nih.gov/41200101/?utm_source=Other&amp;utm_medium=rss&amp;fc=1&amp;ff=2</link>
<guid isPermaLink="false">pubmed:41200101</guid><pubDate>Tue, 10 Mar 2026 06:00:00 -0400</pubDate>
<description>Ketamine infusions reduced pain in complex regional pain syndrome over twelve weeks.
PMID:41200101 | DOI:{DOI}</description><dc:identifier>pmid:41200101</dc:identifier></item>
</channel></rss>"""

JOURNAL = f"""<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
xmlns:prism="http://prismstandard.org/namespaces/basic/2.0/"><channel><title>Pain Reports</title>
<item><title>{PAPER}</title>
<link>https://journals.lww.com/painrpts/fulltext/2026/04000/low_dose_ketamine.12.aspx?af=R</link>
<pubDate>Tue, 17 Mar 2026 00:00:00 GMT</pubDate><prism:doi>{DOI}</prism:doi>
<description>Repeated low-dose ketamine infusions modestly reduced complex regional pain syndrome
pain for three months in a multicentre placebo-controlled trial.</description></item>
<item><title>Dorsal root ganglion stimulation for complex regional pain syndrome</title>
<link>https://journals.lww.com/painrpts/fulltext/2026/04000/drg.14.aspx?af=R</link>
<pubDate>Tue, 17 Mar 2026 00:00:00 GMT</pubDate><prism:doi>10.1097/PR9.0000000000001251</prism:doi>
<description>Dorsal root ganglion stimulation in complex regional pain syndrome of the leg.</description>
</item></channel></rss>"""

TEXT = (
    "A new peer support group for people living with complex regional pain syndrome meets on the "
    "first Saturday of every month at the central library community room, from 10am until midday. "
    "Sessions are informal, with tea, shared experiences and sometimes a guest physiotherapist."
)
WORDPRESS = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>CRPS UK</title>
<item><title>{POST}</title><link>{SITE}/2026/03/new-crps-support-group-leeds/?utm_source=rss</link>
<guid isPermaLink="false">{SITE}/?p=412</guid><pubDate>Mon, 09 Mar 2026 09:00:00 +0000</pubDate>
<description>{TEXT}</description></item></channel></rss>"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>CRPS UK</title><id>{SITE}/feed/atom/</id><updated>2026-03-17T10:00:00Z</updated>
<entry><title>{EDITED}</title><link rel="alternate" href="{SITE}/2026/03/crps-group-leeds-bradford/"/>
<id>{SITE}/?p=412</id><updated>2026-03-17T10:00:00Z</updated>
<content type="html">{TEXT} From April it also meets in Bradford.</content></entry></feed>"""


def _build(config_path: Path, db: Path, week: str, now: datetime) -> list[str]:
    config = load_config(config_path)
    with Store(db) as store:
        fetch_into_store(config, store, now)
        report = build_week(config, store, config_path.parent / "out", week, now)
    return sorted(item.title for item in report.digest.items)


def test_later_copies_of_shown_items_do_not_come_back_as_new(tmp_path: Path) -> None:
    (tmp_path / "pubmed.rss").write_text(PUBMED, encoding="utf-8")
    (tmp_path / "charity.rss").write_text(WORDPRESS, encoding="utf-8")
    (tmp_path / "journal.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Pain Reports</title></channel></rss>'
    )
    (tmp_path / "charity.atom").write_text(
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>CRPS UK</title></feed>'
    )
    config = write_config(
        tmp_path,
        [
            ("PubMed CRPS", "pubmed.rss", "crps"),
            ("CRPS UK", "charity.rss", "crps"),
            ("Pain Reports", "journal.rss", "crps"),
            ("CRPS UK (Atom)", "charity.atom", "crps"),
        ],
    )
    db = tmp_path / "s.sqlite3"
    week1 = _build(config, db, "2026-W11", datetime(2026, 3, 16, 8, tzinfo=UTC))
    assert week1 == sorted([f"{PAPER}.", POST])

    (tmp_path / "journal.rss").write_text(JOURNAL, encoding="utf-8")
    (tmp_path / "charity.atom").write_text(ATOM, encoding="utf-8")
    week2 = _build(config, db, "2026-W12", datetime(2026, 3, 23, 8, tzinfo=UTC))
    # only the genuinely new paper; neither the journal's copy nor the edited post reappears
    assert week2 == ["Dorsal root ganglion stimulation for complex regional pain syndrome"]

    with Store(db) as store:
        clusters = store.clusters()
    by_title: dict[str, set[str]] = {}
    for entry in store_entries(db, config):
        by_title.setdefault(entry[0], set()).add(clusters[entry[1]])
    assert by_title[PAPER] == by_title[f"{PAPER}."]
    assert by_title[EDITED] == by_title[POST]


def store_entries(db: Path, config_path: Path) -> list[tuple[str, str]]:
    config = load_config(config_path)
    feeds = {f.url: f for f in config.feed_refs()}
    with Store(db) as store:
        return [(e.title, e.uid) for e in store.load_entries(feeds)]
