"""The stages wired together: what `build` and `inspect` do, without the CLI's words (`fetch`:
:mod:`crpsdigest.ingest`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from crpsdigest.classify import Classifier, load_classifier
from crpsdigest.config import Config
from crpsdigest.digest import (
    build_digest,
    content_hash,
    digest_from_json,
    digest_to_json,
    judge,
)
from crpsdigest.fetch import read_source
from crpsdigest.models import Digest, Entry, FeedRef
from crpsdigest.overrides import Overrides
from crpsdigest.parse import parse_feed
from crpsdigest.render import write_outputs
from crpsdigest.rules import Rules
from crpsdigest.store import Store


@dataclass
class BuildReport:
    digest: Digest
    changed: list[Path]
    content_changed: bool


def build_week(
    config: Config,
    store: Store,
    out_dir: Path,
    week: str,
    now: datetime,
    classifier: Classifier | None = None,
) -> BuildReport:
    """Build ``week`` from the store, record it, and re-render every output."""
    classifier = classifier or load_classifier(config.treatments)
    site = config.site()
    feeds = {f.url: f for f in config.feed_refs()}
    entries = store.load_entries(feeds)
    judged = judge(entries, classifier, store.clusters(), site.timezone, Rules.from_config(config))
    # Once clusters are known, dedupe can only say "kept in cluster …"; show the first reason.
    first_reasons = store.merge_reasons()
    for j in judged:
        j.cluster.reason = first_reasons.get(j.entry.uid, j.cluster.reason)
    store.save_clusters(
        {j.entry.uid: j.cluster.cluster for j in judged},
        {j.entry.uid: j.cluster.reason for j in judged},
    )
    digest, shown = build_digest(
        site,
        week,
        judged,
        classifier,
        store.shown_before(week),
        store.sent_weeks(),
        store.changed_entries(),
        Overrides.from_config(config),
    )
    content_changed = store.save_digest(
        week, digest_to_json(digest), content_hash(digest), shown, now
    )
    digests = [digest_from_json(data) for _, data in store.digest_data()]
    changed = write_outputs(site, digests[: site.keep_weeks], out_dir, config.templates_dir())
    return BuildReport(digest, changed, content_changed)


def weeks_with_entries(config: Config, store: Store) -> list[str]:
    """Every week some stored entry belongs to, oldest first (the demo builds them all)."""
    from crpsdigest.digest import entry_week

    feeds = {f.url: f for f in config.feed_refs()}
    tz = config.digest.timezone
    return sorted({entry_week(e, tz) for e in store.load_entries(feeds)})


def inspect_sources(
    sources: Sequence[str], classifier: Classifier | None = None
) -> tuple[list[dict[str, Any]], list[str]]:
    """parse → clean → classify → dedupe over feed files or URLs; no store, no config.

    Returns one dict per entry, in input order, and one warning line per malformed source.
    """
    from crpsdigest.dedupe import cluster_entries

    classifier = classifier or load_classifier()
    warnings: list[str] = []
    rows: list[tuple[str, Entry]] = []
    entries: list[Entry] = []
    for source in sources:
        feed = FeedRef(url=source, name=source, topic="general")
        body, problem = read_source(source)
        if body is None:
            raise InspectError(f"{source}: {problem}")
        parsed = parse_feed(body, feed)
        if parsed.error:
            warnings.append(f"{source}: {parsed.error}")
        # Name the feed as its channel does (an outlet's name helps dedupe), keep its identity.
        named = replace(feed, name=parsed.title) if parsed.title else feed
        for entry in parsed.entries:
            entry = replace(entry, feed=named)
            entries.append(entry)
            rows.append((source, entry))
    clusters = cluster_entries(entries)
    out: list[dict[str, Any]] = []
    for source, entry in rows:
        cls = classifier.classify(entry)
        info = clusters[entry.uid]
        row: dict[str, Any] = {
            "source": source,
            "uid": entry.uid,
            "guid": entry.guid,
            "title": entry.title,
            "link": entry.link,
            "canonical_url": entry.canonical_url,
            "published": entry.published.isoformat().replace("+00:00", "Z")
            if entry.published
            else None,
            "relevant": cls.relevant,
            "treatments": cls.treatments,
            "kinds": cls.kinds,
            "evidence": cls.evidence,
            "cluster": info.cluster,
            "representative": info.representative,
            "merge_reason": info.reason or None,
            "ids": {k: list(v) for k, v in sorted(entry.ids.items())},
        }
        if info.story:
            row["story"] = info.story
        out.append(row)
    return out, warnings


class InspectError(Exception):
    """A source given to inspect could not be read."""
