"""The SQLite store: re-fetches update instead of duplicating; old schemas migrate; bad files fail clearly."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crpsdigest import store as store_module
from crpsdigest.models import Entry, FeedRef
from crpsdigest.store import Store, StoreError

FEED = FeedRef(url="https://c.example.org/feed/", name="Charity", topic="crps")
NOW = datetime(2026, 11, 12, 8, 0, tzinfo=UTC)


def _entry(guid: str, title: str, content_hash: str) -> Entry:
    return Entry(
        feed=FEED, guid=guid, title=title, link=f"https://c.example.org/{guid}",
        canonical_url=f"https://c.example.org/{guid}", text="CRPS text", content_hash=content_hash,
        published=datetime(2026, 11, 10, tzinfo=UTC), ids={"nct": ("NCT01234567",)},
    )  # fmt: skip


def test_refetch_updates_edited_entries_instead_of_duplicating(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite3") as store:
        assert store.save_entries(FEED, [_entry("p1", "Old title", "h1"), _entry("p2", "B", "h2")], NOW) == 2
        later = NOW.replace(day=13)
        assert store.save_entries(FEED, [_entry("p1", "New title", "h1b")], later) == 0
        entries = {e.guid: e for e in store.load_entries({FEED.url: FEED})}
    assert len(entries) == 2
    assert entries["p1"].title == "New title"
    assert entries["p1"].first_seen == NOW  # first seen is kept: the week does not move
    assert entries["p1"].updated == later
    assert entries["p1"].ids == {"nct": ("NCT01234567",)}


def test_refetch_counts_only_new_entries_and_leaves_unedited_ones_alone(tmp_path: Path) -> None:
    later = NOW.replace(day=13)
    with Store(tmp_path / "s.sqlite3") as store:
        store.save_entries(FEED, [_entry("p1", "Same", "h1"), _entry("p2", "Edited", "h2")], NOW)
        batch = [_entry("p1", "Same", "h1"), _entry("p2", "Edited again", "h2b"), _entry("p3", "New", "h3")]
        assert store.save_entries(FEED, batch, later, {"etag": '"v2"'}) == 1
        rows = {r["guid"]: r for r in store.db.execute("SELECT guid, changed_at, first_seen FROM entries")}
        states = store.load_feed_states()
    assert rows["p1"]["changed_at"] is None  # same content: not marked as changed
    assert rows["p2"]["changed_at"] == later.isoformat()
    assert rows["p3"]["first_seen"] == later.isoformat()
    assert states[FEED.url]["etag"] == '"v2"'  # the state went in with the entries


def test_store_from_an_older_schema_is_migrated_keeping_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        store.save_entries(FEED, [_entry("p1", "Kept", "h1")], NOW)
    # A newer crpsdigest adds a step; the old file must gain it and keep its rows.
    monkeypatch.setattr(store_module, "MIGRATIONS", [*store_module.MIGRATIONS, "CREATE TABLE extra (x TEXT)"])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(store_module.MIGRATIONS))
    with Store(path) as store:
        assert [e.title for e in store.load_entries({})] == ["Kept"]
        version = store.db.execute("PRAGMA user_version").fetchone()[0]
        store.db.execute("SELECT * FROM extra")
    assert version == len(store_module.MIGRATIONS)


def test_a_corrupted_store_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="corrupted or not a crpsdigest database"):
        Store(path)


def test_a_store_from_a_newer_crpsdigest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 999")
    db.close()
    with pytest.raises(StoreError, match="newer than this crpsdigest understands"):
        Store(path)


def test_a_locked_store_gives_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "s.sqlite3"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with Store(path) as store:
            store.db.execute("PRAGMA busy_timeout = 50")
            with pytest.raises(StoreError, match="locked by another crpsdigest run"):
                store.save_entries(FEED, [replace(_entry("p9", "x", "h"))], NOW)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_lists_and_identifiers_are_stored_as_the_json_module_writes_them() -> None:
    """The store spells its JSON columns by hand (for speed); they must read back as json does."""
    import json
    import random

    rng = random.Random(7)
    alphabet = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\x00', '\x1f', 'é', 'ß', '—', '中', '\U0001f600', '\ud800']
    for _ in range(3000):
        values = tuple("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(0, 4)))
        assert store_module._json_list(values) == json.dumps(list(values))
        ids = {rng.choice(["doi", "pmid", "nct", "isrctn", "pmcid", "é"]): values for _ in range(rng.randint(0, 3))}
        assert store_module._json_ids(ids) == json.dumps({k: list(v) for k, v in sorted(ids.items())})
