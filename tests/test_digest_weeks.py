"""Which week an item belongs to, and that no item is shown twice across weeks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crpsdigest.config import load_config
from crpsdigest.digest import entry_week, last_complete_week, week_bounds
from crpsdigest.ingest import fetch_into_store
from crpsdigest.models import Entry, FeedRef
from crpsdigest.pipeline import build_week
from crpsdigest.store import Store
from tests.conftest import write_config

ITEM = """<item><title>{title}</title><link>https://c.example.org/{slug}</link>
<guid isPermaLink="false">https://c.example.org/?p={slug}</guid>{date}
<description>{text}</description></item>"""


def _feed(path: Path, items: list[tuple[str, str, str | None]]) -> None:
    body = "".join(
        ITEM.format(
            title=title, slug=slug, text=f"{title}: a CRPS update.",
            date=f"<pubDate>{date}</pubDate>" if date else "",
        )
        for slug, title, date in items
    )  # fmt: skip
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>C</title>{body}</channel></rss>')


def _titles(store_path: Path, config_path: Path, week: str, now: datetime) -> list[str]:
    config = load_config(config_path)
    with Store(store_path) as store:
        report = build_week(config, store, config_path.parent / "out", week, now)
    return sorted(i.title for i in report.digest.items)


def test_week_bounds_and_default_week_follow_the_time_zone() -> None:
    assert week_bounds("2026-W48") == (datetime(2026, 11, 23).date(), datetime(2026, 11, 29).date())
    # Sunday 23:30 UTC is already Monday in Auckland: the last complete week there is W48.
    now = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    assert last_complete_week(now, "Pacific/Auckland") == "2026-W48"
    assert last_complete_week(now, "Europe/London") == "2026-W47"


def test_undated_and_future_dated_entries_go_by_first_seen() -> None:
    feed = FeedRef(url="u", name="n")
    seen = datetime(2026, 11, 18, tzinfo=UTC)  # W47
    undated = Entry(feed=feed, guid="a", title="t", link="", canonical_url="", first_seen=seen)
    future = Entry(feed=feed, guid="b", title="t", link="", canonical_url="", first_seen=seen,
                   published=datetime(2027, 3, 1, tzinfo=UTC))  # fmt: skip
    late_sunday = Entry(feed=feed, guid="c", title="t", link="", canonical_url="", first_seen=seen,
                        published=datetime(2026, 11, 15, 23, 30, tzinfo=UTC))  # fmt: skip
    assert entry_week(undated, "UTC") == "2026-W47"
    assert entry_week(future, "UTC") == "2026-W47"
    assert entry_week(late_sunday, "UTC") == "2026-W46"
    assert entry_week(late_sunday, "Europe/Berlin") == "2026-W47"  # already Monday there


def test_items_are_shown_once_and_late_arrivals_go_to_the_next_digest(tmp_path: Path) -> None:
    feed = tmp_path / "c.rss"
    config = write_config(tmp_path, [("Charity", "c.rss", "crps")])
    db = tmp_path / "s.sqlite3"
    _feed(feed, [("a", "Ketamine week 46", "Tue, 10 Nov 2026 10:00:00 +0000")])
    cfg = load_config(config)
    monday_w47 = datetime(2026, 11, 16, 8, tzinfo=UTC)
    with Store(db) as store:
        fetch_into_store(cfg, store, monday_w47)
    assert _titles(db, config, "2026-W46", monday_w47) == ["Ketamine week 46"]
    with Store(db) as store:
        store.mark_sent("2026-W46", monday_w47)

    # Later that week: a W46 item arrives late, the W46 item is edited, a W47 item appears.
    _feed(feed, [
        ("a", "Ketamine week 46 (edited)", "Tue, 10 Nov 2026 10:00:00 +0000"),
        ("b", "Late LDN news", "Sat, 14 Nov 2026 10:00:00 +0000"),
        ("c", "Mirror therapy week 47", "Wed, 18 Nov 2026 10:00:00 +0000"),
    ])  # fmt: skip
    thursday_w47 = datetime(2026, 11, 19, 8, tzinfo=UTC)
    with Store(db) as store:
        fetch_into_store(cfg, store, thursday_w47)
    # The sent week does not change under the readers' feet...
    assert _titles(db, config, "2026-W46", thursday_w47) == ["Ketamine week 46 (edited)"]
    # ...the late item is in the next digest, and the edited item is not shown again.
    config_obj = load_config(config)
    with Store(db) as store:
        report = build_week(config_obj, store, tmp_path / "out", "2026-W47", thursday_w47)
    items = {i.title: i for i in report.digest.items}
    assert sorted(items) == ["Late LDN news", "Mirror therapy week 47"]
    assert items["Late LDN news"].late and not items["Mirror therapy week 47"].late
    statuses = {r.title: r.status for r in report.digest.review}
    assert statuses["Late LDN news"] == "shown"


def test_rebuilding_a_week_is_stable_and_not_relevant_items_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "g.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>G</title>'
        "<item><title>Ketamine clinics for depression</title><link>https://g.example.org/1</link>"
        "<pubDate>Tue, 10 Nov 2026 10:00:00 +0000</pubDate><description>Esketamine for depression.</description></item>"
        "<item><title>CRPS: ketamine infusions studied</title><link>https://g.example.org/2</link>"
        "<pubDate>Tue, 10 Nov 2026 11:00:00 +0000</pubDate><description>A trial in complex regional pain syndrome.</description></item>"
        "</channel></rss>"
    )
    config = write_config(tmp_path, [("General", "g.rss", "general")])
    db = tmp_path / "s.sqlite3"
    now = datetime(2026, 11, 16, tzinfo=UTC)
    with Store(db) as store:
        fetch_into_store(load_config(config), store, now)
    first = _titles(db, config, "2026-W46", now)
    assert first == ["CRPS: ketamine infusions studied"]
    assert _titles(db, config, "2026-W46", now.replace(day=17)) == first
