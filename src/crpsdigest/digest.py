"""Digest: one ISO week of stored entries → the Digest every output is rendered from.

Which week an entry belongs to (shared/DESIGN.md): the ISO week, in the digest's time zone, of
its published date; undated or future-dated entries go by when they were first seen; an entry
published in a week whose digest was already sent goes into the next digest, marked late.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from crpsdigest.classify import Classifier
from crpsdigest.clean import summarize
from crpsdigest.dedupe import cluster_entries
from crpsdigest.models import (
    Classification,
    ClusterInfo,
    Digest,
    DigestItem,
    Entry,
    Link,
    ReviewRow,
    Section,
    SiteInfo,
)
from crpsdigest.overrides import NOTHING, Overrides
from crpsdigest.rules import Rules

OTHER = "other"
OTHER_NAME = "Other CRPS news"


# --- weeks ---------------------------------------------------------------------------------


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(week: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week label such as ``2026-W48``."""
    year, num = week.split("-W")
    monday = date.fromisocalendar(int(year), int(num), 1)
    return monday, monday + timedelta(days=6)


def parse_week(text: str) -> str:
    """Validate and normalise a ``--week`` value (``2026-W48`` or ``2026-w48``)."""
    try:
        year, num = text.strip().upper().split("-W")
        monday = date.fromisocalendar(int(year), int(num), 1)
    except ValueError:
        raise ValueError(f"not an ISO week such as 2026-W48: {text!r}") from None
    return week_label(monday)


def last_complete_week(now: datetime, timezone: str) -> str:
    local = now.astimezone(ZoneInfo(timezone)).date()
    return week_label(local - timedelta(days=7))


def entry_week(entry: Entry, timezone: str) -> str:
    """The week an entry belongs to (published date; first seen when undated or future)."""
    tz = ZoneInfo(timezone)
    seen = entry.first_seen
    when = entry.published
    if when is None or (seen is not None and when > seen + timedelta(days=1)):
        when = seen
    if when is None:
        return "0000-W01"
    return week_label(when.astimezone(tz).date())


# --- building ------------------------------------------------------------------------------


@dataclass
class Judged:
    """An entry with what classify and dedupe said about it."""

    entry: Entry
    cls: Classification
    cluster: ClusterInfo
    week: str
    dropped: str = ""  # why a feed's block/keep rule drops it; "" when it does not

    @property
    def kept(self) -> bool:
        return self.cls.relevant or self.entry.feed.topic == "crps"


def judge(
    entries: Sequence[Entry],
    classifier: Classifier,
    known: Mapping[str, str],
    timezone: str,
    rules: Rules | None = None,
) -> list[Judged]:
    """Classify and cluster; feed rules strip boilerplate first, then may drop entries."""
    if rules:
        entries = [rules.strip(e) for e in entries]
    clusters = cluster_entries(entries, known)
    classes = classifier.classify_many(entries)  # forks over the CPUs for large batches
    return [
        Judged(
            e,
            cls,
            clusters[e.uid],
            entry_week(e, timezone),
            rules.verdict(e) if rules else "",
        )
        for e, cls in zip(entries, classes, strict=True)
    ]


def build_digest(
    site: SiteInfo,
    week: str,
    judged: Sequence[Judged],
    classifier: Classifier,
    shown_before: Mapping[str, str],
    sent_weeks: Mapping[str, datetime],
    changed: set[str] = frozenset(),  # type: ignore[assignment]
    overrides: Overrides | None = None,
) -> tuple[Digest, list[str]]:
    """The digest of ``week`` and the uids it shows (every member of every shown cluster).

    Editors' overrides apply to whole clusters: exclude wins over everything; pin and
    treatments also show an item the classifier thought not about CRPS.
    """
    by_cluster: dict[str, list[Judged]] = {}
    for j in judged:
        by_cluster.setdefault(j.cluster.cluster, []).append(j)
    earlier_shown = {j.cluster.cluster for j in judged if j.entry.uid in shown_before}

    review: list[ReviewRow] = []
    items: list[DigestItem] = []
    shown: list[str] = []
    for cluster_id in sorted(by_cluster):
        members = by_cluster[cluster_id]
        rep = next((m for m in members if m.cluster.representative), members[0])
        late = False
        cutoff = sent_weeks.get(week)
        in_week = [
            m for m in members if m.week == week
            and (cutoff is None or m.entry.first_seen is None or m.entry.first_seen <= cutoff)
        ]  # fmt: skip
        if not in_week:
            # Late arrivals: published in a week already sent, not shown anywhere yet.
            late_members = [
                m for m in members if m.week < week and m.week in sent_weeks
                and (m.entry.first_seen or datetime.max.replace(tzinfo=UTC)) > sent_weeks[m.week]
                and week_label_after(m.week, sent_weeks) == week
            ]  # fmt: skip
            if not late_members:
                continue
            in_week, late = late_members, True
        applied = overrides.for_entries(m.entry for m in members) if overrides else NOTHING
        if applied.exclude:
            for m in in_week:
                review.append(_row(m, "excluded", f"excluded by {applied.exclude}"))
            continue
        if cluster_id in earlier_shown:
            for m in in_week:
                week_shown = shown_before.get(m.entry.uid) or min(
                    shown_before.get(x.entry.uid, "~") for x in members
                )
                review.append(_row(m, "shown-earlier", f"already shown in {week_shown}"))
            continue
        eligible = [m for m in members if not m.dropped]
        forced = applied.pin is not None or applied.treatments is not None
        kept = [m for m in eligible if m.kept] or (eligible if forced else [])
        if not kept:
            for m in in_week:
                if m.dropped:
                    review.append(_row(m, "excluded", m.dropped))
                else:
                    review.append(_row(m, "not-relevant", "the text is not about CRPS"))
            continue
        if rep.dropped:
            rep = kept[0]
        basis = rep if any(k is rep for k in kept) else kept[0]
        item = _item(rep, basis, eligible, late, changed)
        if applied.pin:
            item.pinned = True
        if applied.treatments:
            item.treatments = list(applied.treatments[0])
            item.evidence = applied.evidence()
        items.append(item)
        shown.extend(m.entry.uid for m in members)
        for m in in_week:
            if m is rep:
                row = _row(
                    m, "shown", "; ".join([f"shown from {m.entry.feed.name}", *applied.notes()])
                )
                if applied.treatments:
                    row.treatments, row.evidence = list(item.treatments), dict(item.evidence)
                review.append(row)
            elif m.dropped:
                review.append(_row(m, "excluded", m.dropped))
            else:
                why = m.cluster.reason or "same item"
                review.append(_row(m, "duplicate", f"duplicate of “{rep.entry.title}” ({why})"))

    items.sort(key=lambda i: (not i.pinned, -(i.published or _EPOCH).timestamp(), i.uid))
    sections = _sections(items, classifier)
    monday, sunday = week_bounds(week)
    stamps = [i.updated or i.published for i in items if (i.updated or i.published)]
    updated = max((s for s in stamps if s is not None), default=None) or datetime.combine(
        sunday, datetime.min.time(), tzinfo=UTC
    )
    review.sort(key=lambda r: (_STATUS_ORDER[r.status], r.title.lower(), r.uid))
    digest = Digest(
        week=week,
        start=monday,
        end=sunday,
        title=site.title,
        site_url=site.site_url,
        language=site.language,
        timezone=site.timezone,
        items=items,
        sections=sections,
        updated=updated,
        treatment_names={**dict(classifier.names), OTHER: OTHER_NAME},
        review=review,
    )
    return digest, sorted(shown)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATUS_ORDER = {"shown": 0, "duplicate": 1, "shown-earlier": 2, "excluded": 3, "not-relevant": 4}


def week_label_after(week: str, sent_weeks: Mapping[str, datetime]) -> str:
    """The first week after ``week`` whose digest has not been sent: where late items go."""
    monday, _ = week_bounds(week)
    label = week_label(monday + timedelta(days=7))
    while label in sent_weeks:
        monday += timedelta(days=7)
        label = week_label(monday + timedelta(days=7))
    return label


def _row(j: Judged, status: Any, detail: str) -> ReviewRow:
    return ReviewRow(
        uid=j.entry.uid,
        title=j.entry.title,
        link=j.entry.link,
        source=j.entry.feed.name,
        status=status,
        detail=detail,
        treatments=list(j.cls.treatments),
        evidence={k: list(v) for k, v in j.cls.evidence.items()},
    )


def _item(
    rep: Judged, basis: Judged, members: list[Judged], late: bool, changed: set[str]
) -> DigestItem:
    e = rep.entry
    also: list[Link] = []
    seen_urls = {e.canonical_url}
    for m in sorted(members, key=lambda m: (m.entry.feed.name, m.entry.uid)):
        if m is rep or not m.entry.link or m.entry.canonical_url in seen_urls:
            continue
        seen_urls.add(m.entry.canonical_url)
        also.append(Link(title=m.entry.title, url=m.entry.link, source=_source(m.entry)))
    return DigestItem(
        uid=e.uid,
        title=e.title,
        link=e.link,
        source=_source(e),
        published=e.published or e.first_seen,
        summary_html=e.summary_html,
        summary_text=summarize(e.text),
        treatments=list(basis.cls.treatments),
        kinds=list(basis.cls.kinds),
        evidence={k: list(v) for k, v in basis.cls.evidence.items()},
        also=also,
        updated=e.updated,
        is_update=e.uid in changed,
        late=late,
    )


def _source(entry: Entry) -> str:
    if entry.source_name and entry.source_name != entry.feed.name:
        return f"{entry.source_name} (via {entry.feed.name})"
    return entry.feed.name


def _sections(items: list[DigestItem], classifier: Classifier) -> list[Section]:
    """One section per treatment present, in treatments.yaml order; untagged items last."""
    sections = []
    for slug, name in classifier.names.items():
        tagged = [i for i in items if slug in i.treatments]
        if tagged:
            sections.append(Section(slug=slug, name=name, items=tagged))
    untagged = [i for i in items if not i.treatments]
    if untagged:
        sections.append(Section(slug=OTHER, name=OTHER_NAME, items=untagged))
    return sections


# --- serialisation (the store keeps every built digest as JSON) ----------------------------


def _default(value: object) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def digest_to_json(digest: Digest) -> str:
    return json.dumps(dataclasses.asdict(digest), sort_keys=True, default=_default)


def content_hash(digest: Digest) -> str:
    return hashlib.sha256(digest_to_json(digest).encode()).hexdigest()


def _opt_dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _item_from(d: dict[str, Any]) -> DigestItem:
    return DigestItem(
        **{
            **d,
            "published": _opt_dt(d["published"]),
            "updated": _opt_dt(d["updated"]),
            "also": [Link(**a) for a in d["also"]],
        }
    )


def digest_from_json(text: str) -> Digest:
    d = json.loads(text)
    items = {i["uid"]: _item_from(i) for i in d["items"]}
    return Digest(
        **{
            **d,
            "start": date.fromisoformat(d["start"]),
            "end": date.fromisoformat(d["end"]),
            "updated": datetime.fromisoformat(d["updated"]),
            "items": list(items.values()),
            "sections": [
                Section(slug=s["slug"], name=s["name"], items=[items[i["uid"]] for i in s["items"]])
                for s in d["sections"]
            ],
            "review": [ReviewRow(**r) for r in d["review"]],
        }
    )
