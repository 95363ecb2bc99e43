"""The SQLite store: the only state shared between runs and stages.

One file, WAL journal, a versioned schema migrated in place (``PRAGMA user_version``). Each feed's
entries are written in one transaction, so a run killed at any moment leaves whole feeds.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from crpsdigest.models import Entry, FeedRef

# Each step takes the schema from version i to i + 1. Never edit a released step: add one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE feeds (
        url TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT '{}'
    );
    CREATE TABLE entries (
        uid TEXT PRIMARY KEY,
        feed_url TEXT NOT NULL,
        guid TEXT NOT NULL,
        title TEXT NOT NULL,
        link TEXT NOT NULL,
        canonical_url TEXT NOT NULL,
        summary_html TEXT NOT NULL,
        text TEXT NOT NULL,
        published TEXT,
        updated TEXT,
        authors TEXT NOT NULL DEFAULT '[]',
        categories TEXT NOT NULL DEFAULT '[]',
        pub_types TEXT NOT NULL DEFAULT '[]',
        ids TEXT NOT NULL DEFAULT '{}',
        source_name TEXT,
        first_seen TEXT NOT NULL,
        changed_at TEXT,
        content_hash TEXT NOT NULL,
        cluster TEXT
    );
    CREATE INDEX entries_feed ON entries (feed_url);
    CREATE TABLE digests (
        week TEXT PRIMARY KEY,
        data TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        built_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE TABLE shown (
        uid TEXT PRIMARY KEY,
        week TEXT NOT NULL
    );
    CREATE INDEX shown_week ON shown (week);
    """,
    # 2: subscribers (treatments NULL = every treatment) and the per-(week, recipient) send log.
    """
    CREATE TABLE subscribers (
        email TEXT PRIMARY KEY COLLATE NOCASE,
        treatments TEXT,
        added_at TEXT NOT NULL
    );
    CREATE TABLE sends (
        week TEXT NOT NULL,
        email TEXT NOT NULL COLLATE NOCASE,
        status TEXT NOT NULL,
        message_id TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        sent_at TEXT,
        PRIMARY KEY (week, email)
    );
    """,
    # 3: why an entry first joined its cluster, so later builds explain it the same way.
    """
    ALTER TABLE entries ADD COLUMN merge_reason TEXT;
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class SubscriberRow:
    """One subscriber; ``treatments`` None means every treatment."""

    email: str
    treatments: tuple[str, ...] | None
    added_at: datetime


@dataclass(frozen=True)
class SendRow:
    """The send log's word on one (week, recipient): see crpsdigest.deliver for the states."""

    email: str
    status: str
    message_id: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None


class StoreError(Exception):
    """The store cannot be used (corrupt, locked, from a newer crpsdigest); message is one line."""


_CHUNK = 500  # uids per SELECT, well under SQLite's bound-variable limit


def _write_feed_state(
    db: sqlite3.Connection, url: str, state: Mapping[str, Any], name: str
) -> None:
    db.execute(
        "INSERT INTO feeds (url, name, state) VALUES (?, ?, ?) "
        "ON CONFLICT(url) DO UPDATE SET state = excluded.state, "
        "name = CASE WHEN excluded.name = '' THEN feeds.name ELSE excluded.name END",
        (url, name, json.dumps(dict(state), sort_keys=True, default=str)),
    )


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _json_list(values: tuple[str, ...]) -> str:
    """``json.dumps(list(values))`` for strings, spelled out with json's own string encoder:
    the general encoder's layers cost more than the strings (three lists per entry)."""
    return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]"


def _json_ids(ids: Mapping[str, tuple[str, ...]]) -> str:
    """``json.dumps({kind: list(values)})`` with the kinds sorted (see :func:`_json_list`)."""
    return "{" + ", ".join(
        f"{encode_basestring_ascii(kind)}: {_json_list(ids[kind])}" for kind in sorted(ids)
    ) + "}"


# One row of the entries table, in the column order of the INSERT in :meth:`Store.save_rows`.
EntryRow = tuple[str | None, ...]


def entry_rows(feed: FeedRef, entries: Iterable[Entry], now: datetime) -> list[EntryRow]:
    """The entries as rows of the entries table, first seen ``now`` unless they say otherwise.

    Apart from the store so that the parse workers can make them: rows of strings cross the pipe
    to the writing process five times faster than Entry objects, and that process, which also
    talks to the network, then only inserts them.
    """
    rows: list[EntryRow] = []
    at = _iso(now)
    url = feed.url
    for e in entries:
        first_seen = at if e.first_seen is None or e.first_seen == now else _iso(e.first_seen)
        rows.append((
            e.uid, url, e.guid, e.title, e.link, e.canonical_url, e.summary_html, e.text,
            _iso(e.published), _iso(e.updated), _json_list(e.authors),
            _json_list(e.categories), _json_list(e.pub_types),
            _json_ids(e.ids),
            e.source_name, e.content_hash, first_seen, at,
        ))  # fmt: skip
    return rows


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class Store:
    """A crpsdigest SQLite file. Use as a context manager; every method is one transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 10000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(self._describe(exc)) from None

    def _describe(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return f"{self.path}: the store is locked by another crpsdigest run; try again later"
        if "not a database" in text or "malformed" in text or "disk image" in text:
            return (
                f"{self.path}: the store is corrupted or not a crpsdigest database ({text}); "
                "move it aside and re-run to rebuild it from the feeds"
            )
        return f"{self.path}: store error: {text}"

    def _migrate(self) -> None:
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: the store has schema version {version}, newer than this "
                f"crpsdigest understands ({SCHEMA_VERSION}); upgrade crpsdigest"
            )
        for step in range(version, SCHEMA_VERSION):
            with self.transaction() as db:
                # Statement by statement: executescript() would commit half a migration.
                for statement in MIGRATIONS[step].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {step + 1}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        self.close()
        # Damage found mid-run (a page read only now) is the same one-line error as at open.
        if isinstance(exc, sqlite3.DatabaseError):
            raise StoreError(self._describe(exc)) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing. Inside an open :meth:`begin` it is a savepoint: a failure undoes
        only this part, and it lands with the enclosing :meth:`commit`."""
        if self.db.in_transaction:
            self.db.execute("SAVEPOINT part")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK TO part")
                self.db.execute("RELEASE part")
                raise
            else:
                self.db.execute("RELEASE part")
            return
        self.begin()
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def begin(self) -> None:
        """Open a write transaction that later :meth:`transaction` blocks join (as savepoints)
        until :meth:`commit`: many small writes, one commit."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreError(self._describe(exc)) from None

    def commit(self) -> None:
        if self.db.in_transaction:
            self.db.execute("COMMIT")

    # --- feeds ----------------------------------------------------------------------------

    def load_feed_states(self) -> dict[str, dict[str, Any]]:
        rows = self.db.execute("SELECT url, state FROM feeds")
        return {row["url"]: json.loads(row["state"]) for row in rows}

    def save_feed_state(self, url: str, state: Mapping[str, Any], name: str = "") -> None:
        self.save_feed_states([(url, state, name)])

    def save_feed_states(self, states: Iterable[tuple[str, Mapping[str, Any], str]]) -> None:
        """Several feeds' states (url, state, name) in one transaction."""
        with self.transaction() as db:
            for url, state, name in states:
                _write_feed_state(db, url, state, name)

    # --- entries --------------------------------------------------------------------------

    def save_entries(
        self,
        feed: FeedRef,
        entries: Iterable[Entry],
        now: datetime,
        state: Mapping[str, Any] | None = None,
    ) -> int:
        """Insert new entries, update edited ones (same feed + guid); return how many are new.

        See :meth:`save_rows`, which this is with the rows made here.
        """
        return self.save_rows(feed, entry_rows(feed, entries, now), state)

    def save_rows(
        self, feed: FeedRef, rows: list[EntryRow], state: Mapping[str, Any] | None = None
    ) -> int:
        """Store a feed's entries as made by :func:`entry_rows`; return how many are new.

        The whole feed is one transaction (a savepoint inside an open :meth:`begin`): a killed
        run leaves each feed all old or all new. ``state`` (as :meth:`save_feed_state` takes
        it) is written in that same transaction, so the validators never say "seen" for
        entries that were not stored.
        """
        uids = list({row[0] for row in rows})
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feeds (url, name) VALUES (?, ?) "
                "ON CONFLICT(url) DO UPDATE SET name = excluded.name",
                (feed.url, feed.name),
            )
            # One SELECT per chunk of uids (not one per entry) tells new from known entries.
            known = 0
            for i in range(0, len(uids), _CHUNK):
                chunk = uids[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                known += db.execute(
                    f"SELECT count(*) FROM entries WHERE uid IN ({marks})", chunk
                ).fetchone()[0]
            # Upsert: a new uid is inserted; a known one is updated only when its content
            # changed (changed_at set, first_seen and a known published date kept).
            db.executemany(
                "INSERT INTO entries (uid, feed_url, guid, title, link, canonical_url, "
                "summary_html, text, published, updated, authors, categories, pub_types, ids, "
                "source_name, content_hash, first_seen, changed_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,NULL) "
                "ON CONFLICT(uid) DO UPDATE SET title=excluded.title, link=excluded.link, "
                "canonical_url=excluded.canonical_url, summary_html=excluded.summary_html, "
                "text=excluded.text, published=COALESCE(excluded.published, entries.published), "
                "updated=excluded.updated, authors=excluded.authors, "
                "categories=excluded.categories, pub_types=excluded.pub_types, ids=excluded.ids, "
                "source_name=excluded.source_name, content_hash=excluded.content_hash, "
                "changed_at=?18 WHERE entries.content_hash IS NOT excluded.content_hash",
                rows,
            )
            if state is not None:
                _write_feed_state(db, feed.url, state, feed.name)
        return len(uids) - known

    def load_entries(self, feeds: Mapping[str, FeedRef]) -> list[Entry]:
        """Every stored entry, in a stable order; feeds no longer configured keep their name."""
        names = {r["url"]: r["name"] for r in self.db.execute("SELECT url, name FROM feeds")}
        entries = []
        for r in self.db.execute("SELECT * FROM entries ORDER BY first_seen, uid"):
            feed = feeds.get(r["feed_url"]) or FeedRef(
                url=r["feed_url"], name=names.get(r["feed_url"], r["feed_url"])
            )
            entries.append(
                Entry(
                    feed=feed,
                    guid=r["guid"],
                    title=r["title"],
                    link=r["link"],
                    canonical_url=r["canonical_url"],
                    summary_html=r["summary_html"],
                    text=r["text"],
                    published=_dt(r["published"]),
                    updated=_dt(r["updated"]) or _dt(r["changed_at"]),
                    authors=tuple(json.loads(r["authors"])),
                    categories=tuple(json.loads(r["categories"])),
                    pub_types=tuple(json.loads(r["pub_types"])),
                    ids={k: tuple(v) for k, v in json.loads(r["ids"]).items()},
                    source_name=r["source_name"],
                    first_seen=_dt(r["first_seen"]),
                    content_hash=r["content_hash"],
                )
            )
        return entries

    def changed_entries(self) -> set[str]:
        """uids of entries edited after they were first stored."""
        return {r[0] for r in self.db.execute("SELECT uid FROM entries WHERE changed_at IS NOT NULL")}

    def clusters(self) -> dict[str, str]:
        rows = self.db.execute("SELECT uid, cluster FROM entries WHERE cluster IS NOT NULL")
        return {r[0]: r[1] for r in rows}

    def merge_reasons(self) -> dict[str, str]:
        """uid → why the entry first joined its cluster (set once, never rewritten)."""
        rows = self.db.execute("SELECT uid, merge_reason FROM entries WHERE merge_reason != ''")
        return {r[0]: r[1] for r in rows}

    def save_clusters(
        self, clusters: Mapping[str, str], reasons: Mapping[str, str] | None = None
    ) -> None:
        reasons = reasons or {}
        with self.transaction() as db:
            db.executemany(
                "UPDATE entries SET cluster = ? WHERE uid = ? AND cluster IS NOT ?",
                [(c, uid, c) for uid, c in clusters.items()],
            )
            db.executemany(
                "UPDATE entries SET merge_reason = ? WHERE uid = ? AND merge_reason IS NULL",
                [(why, uid) for uid, why in reasons.items() if why],
            )

    # --- digests --------------------------------------------------------------------------

    def shown_before(self, week: str) -> dict[str, str]:
        """uid → week for every entry shown in a digest of an earlier week."""
        rows = self.db.execute("SELECT uid, week FROM shown WHERE week < ?", (week,))
        return {r[0]: r[1] for r in rows}

    def sent_weeks(self) -> dict[str, datetime]:
        rows = self.db.execute("SELECT week, sent_at FROM digests WHERE sent_at IS NOT NULL")
        return {r[0]: datetime.fromisoformat(r[1]) for r in rows}

    def save_digest(
        self, week: str, data: str, content_hash: str, shown: Iterable[str], now: datetime
    ) -> bool:
        """Record a built digest and which entries it showed; True when its content changed."""
        with self.transaction() as db:
            row = db.execute("SELECT content_hash FROM digests WHERE week = ?", (week,)).fetchone()
            changed = row is None or row[0] != content_hash
            if changed:
                db.execute(
                    "INSERT INTO digests (week, data, content_hash, built_at) VALUES (?,?,?,?) "
                    "ON CONFLICT(week) DO UPDATE SET data = excluded.data, "
                    "content_hash = excluded.content_hash, built_at = excluded.built_at",
                    (week, data, content_hash, _iso(now)),
                )
            db.execute("DELETE FROM shown WHERE week = ?", (week,))
            db.executemany(
                "INSERT INTO shown (uid, week) VALUES (?, ?) ON CONFLICT(uid) DO NOTHING",
                [(uid, week) for uid in shown],
            )
        return changed

    def digest_data(self) -> list[tuple[str, str]]:
        """(week, JSON) of every built digest, newest first."""
        return [
            (r[0], r[1]) for r in self.db.execute("SELECT week, data FROM digests ORDER BY week DESC")
        ]

    def mark_sent(self, week: str, now: datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE digests SET sent_at = COALESCE(sent_at, ?) WHERE week = ?", (_iso(now), week)
            )

    # --- subscribers ----------------------------------------------------------------------

    def upsert_subscribers(
        self, subscribers: Iterable[tuple[str, Iterable[str] | None]], now: datetime
    ) -> tuple[int, int]:
        """Add or update (email, treatments) pairs in one transaction; return (added, updated)."""
        added = updated = 0
        with self.transaction() as db:
            for email, treatments in subscribers:
                value = None if treatments is None else json.dumps(list(treatments))
                row = db.execute(
                    "SELECT treatments FROM subscribers WHERE email = ?", (email,)
                ).fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO subscribers (email, treatments, added_at) VALUES (?, ?, ?)",
                        (email, value, _iso(now)),
                    )
                    added += 1
                elif row[0] != value:
                    db.execute(
                        "UPDATE subscribers SET treatments = ? WHERE email = ?", (value, email)
                    )
                    updated += 1
        return added, updated

    def remove_subscriber(self, email: str) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM subscribers WHERE email = ?", (email,)).rowcount > 0

    def subscribers(self) -> list[SubscriberRow]:
        rows = self.db.execute(
            "SELECT email, treatments, added_at FROM subscribers ORDER BY email COLLATE NOCASE"
        )
        return [
            SubscriberRow(
                email=r[0],
                treatments=None if r[1] is None else tuple(json.loads(r[1])),
                added_at=datetime.fromisoformat(r[2]),
            )
            for r in rows
        ]

    # --- sends ----------------------------------------------------------------------------

    def send_log(self, week: str) -> dict[str, SendRow]:
        """email (lower case) → its send row for ``week``."""
        rows = self.db.execute(
            "SELECT email, status, message_id, attempts, last_error, sent_at FROM sends "
            "WHERE week = ?",
            (week,),
        )
        return {
            r[0].lower(): SendRow(r[0], r[1], r[2], int(r[3]), r[4], _dt(r[5])) for r in rows
        }

    def record_send(
        self,
        week: str,
        email: str,
        status: str,
        message_id: str,
        attempts: int,
        last_error: str | None = None,
        sent_at: datetime | None = None,
    ) -> None:
        """Write one send row; each call is its own committed transaction (the exactly-once log)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO sends (week, email, status, message_id, attempts, last_error, sent_at) "
                "VALUES (?,?,?,?,?,?,?) ON CONFLICT(week, email) DO UPDATE SET "
                "status = excluded.status, message_id = excluded.message_id, "
                "attempts = excluded.attempts, last_error = excluded.last_error, "
                "sent_at = excluded.sent_at",
                (week, email, status, message_id, attempts, last_error, _iso(sent_at)),
            )

    def forget_send(self, week: str, email: str) -> bool:
        """Drop one send row so the next `send` tries that recipient again (--resend)."""
        with self.transaction() as db:
            cur = db.execute("DELETE FROM sends WHERE week = ? AND email = ?", (week, email))
            return cur.rowcount > 0
