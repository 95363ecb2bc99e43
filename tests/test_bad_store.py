"""A store from an older crpsdigest is migrated; a broken or locked one is one clear line, exit 1.

The stores here are made by hand with sqlite3 (and then damaged byte by byte), not by the code
under test, so the test also pins what a released schema looked like.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crpsdigest.store import SCHEMA_VERSION
from tests.conftest import ROOT, run_cli, write_config

WEEK = "2026-W46"
FEED_URL = "https://old.example.org/feed"

# The schema crpsdigest 0.1 released as user_version 1, frozen here as written then.
V1_SCHEMA = """
CREATE TABLE feeds (url TEXT PRIMARY KEY, name TEXT NOT NULL, state TEXT NOT NULL DEFAULT '{}');
CREATE TABLE entries (
    uid TEXT PRIMARY KEY, feed_url TEXT NOT NULL, guid TEXT NOT NULL, title TEXT NOT NULL,
    link TEXT NOT NULL, canonical_url TEXT NOT NULL, summary_html TEXT NOT NULL, text TEXT NOT NULL,
    published TEXT, updated TEXT, authors TEXT NOT NULL DEFAULT '[]',
    categories TEXT NOT NULL DEFAULT '[]', pub_types TEXT NOT NULL DEFAULT '[]',
    ids TEXT NOT NULL DEFAULT '{}', source_name TEXT, first_seen TEXT NOT NULL, changed_at TEXT,
    content_hash TEXT NOT NULL, cluster TEXT
);
CREATE INDEX entries_feed ON entries (feed_url);
CREATE TABLE digests (week TEXT PRIMARY KEY, data TEXT NOT NULL, content_hash TEXT NOT NULL,
    built_at TEXT NOT NULL, sent_at TEXT);
CREATE TABLE shown (uid TEXT PRIMARY KEY, week TEXT NOT NULL);
CREATE INDEX shown_week ON shown (week);
PRAGMA user_version = 1;
"""
TITLES = [
    "Ketamine infusions eased CRPS pain in a small trial",
    "Mirror therapy for complex regional pain syndrome: a review",
]


def _v1_store(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.executescript(V1_SCHEMA)
        db.execute("INSERT INTO feeds (url, name) VALUES (?, ?)", (FEED_URL, "Old Feed"))
        for i, title in enumerate(TITLES):
            guid = f"old-{i}"
            uid = hashlib.sha1(f"{FEED_URL}\x00{guid}".encode()).hexdigest()[:20]
            db.execute(
                "INSERT INTO entries (uid, feed_url, guid, title, link, canonical_url, "
                "summary_html, text, published, first_seen, content_hash, ids) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    uid, FEED_URL, guid, title, f"https://old.example.org/{i}",
                    f"https://old.example.org/{i}", f"<p>{title}.</p>", f"{title}.",
                    f"2026-11-1{i}T10:00:00+00:00", "2026-11-12T10:00:00+00:00", f"h{i}",
                    json.dumps({}),
                ),
            )  # fmt: skip
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists()


def _config(folder: Path) -> Path:
    return write_config(folder, [("Old Feed", FEED_URL, "crps")])


def test_a_v1_store_is_migrated_and_its_entries_published(tmp_path: Path) -> None:
    config = _config(tmp_path)
    db = tmp_path / "crpsdigest.sqlite3"
    _v1_store(db)
    result = run_cli("--config", config, "build", "--week", WEEK)
    assert result.exit_code == 0, result.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == len(TITLES)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    page = (tmp_path / "out" / WEEK / "index.html").read_text("utf-8")
    for title in TITLES:
        assert title in page


def test_a_store_from_a_newer_crpsdigest_is_refused_not_downgraded(tmp_path: Path) -> None:
    config = _config(tmp_path)
    db = tmp_path / "crpsdigest.sqlite3"
    _v1_store(db)
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    result = run_cli("--config", config, "build", "--week", WEEK)
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert str(db) in line and "newer" in line


def _good_store(folder: Path) -> Path:
    """A real, sizeable v1 store (many pages) to damage."""
    db = folder / "crpsdigest.sqlite3"
    _v1_store(db)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO entries (uid, feed_url, guid, title, link, canonical_url, summary_html, "
            "text, first_seen, content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)",
            [
                (f"u{i}", FEED_URL, f"g{i}", f"t{i}", "https://x.example/", "https://x.example/",
                 "<p>x</p>" * 200, "x" * 1600, "2026-11-12T10:00:00+00:00", f"c{i}")
                for i in range(300)
            ],
        )  # fmt: skip
    assert db.stat().st_size > 200_000
    return db


def _truncated(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])


def _random_bytes(db: Path) -> None:
    db.write_bytes(os.urandom(64 * 1024))


def _garbage_pages(db: Path) -> None:
    data = db.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    db.write_bytes(data[:page] + os.urandom(len(data) - page))  # header and page 1 intact


def _garbage_page_two(db: Path) -> None:
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page : 2 * page] = os.urandom(page)  # the table's root pages: schema intact
    db.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncated, _random_bytes, _garbage_pages, _garbage_page_two])
@pytest.mark.parametrize("command", [["build", "--week", WEEK], ["fetch"]])
def test_a_corrupted_store_is_one_clear_line_and_exit_1(
    damage: object, command: list[str], tmp_path: Path
) -> None:
    config = _config(tmp_path)
    db = _good_store(tmp_path)
    damage(db)  # type: ignore[operator]
    result = run_cli("--config", config, *command)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    error = [line for line in lines if line.startswith("error:")]
    assert len(error) == 1, lines
    assert str(db) in error[0] and "corrupt" in error[0], error[0]


def test_a_locked_store_is_one_clear_line_and_exit_1(tmp_path: Path) -> None:
    """Another run holds the store: the CLI (a real process) waits its timeout, then says so."""
    config = _config(tmp_path)
    db = _good_store(tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "crpsdigest", "--config", str(config), "build", "--week", WEEK],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )  # fmt: skip
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith("error:") and str(db) in line and "locked" in line
    assert waited < 60
    # Once the other run is done, the same command works on the same store.
    result = run_cli("--config", config, "build", "--week", WEEK)
    assert result.exit_code == 0, result.output
    shutil.rmtree(tmp_path / "out")
