"""Load the labelled de-duplication set as Entry objects.

The set is tests/fixtures/dedup_cases.jsonl plus each blind round's file (dedup_blind1.jsonl:
labelled by DESIGN.md alone and committed before dedupe ever ran on it; notes in
dedup_blind1_notes.md; dedup_blind2.jsonl, dedup_blind3.jsonl and dedup_blind4.jsonl likewise, notes in their
_notes.md). Cluster labels are per file prefix ("D1-…" … "D4-…"), so files never collide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations
from pathlib import Path

from crpsdigest.identifiers import extract_ids
from crpsdigest.models import Entry, FeedRef
from crpsdigest.urls import canonical_url

CASES = Path(__file__).parent / "fixtures" / "dedup_cases.jsonl"
BLIND1 = Path(__file__).parent / "fixtures" / "dedup_blind1.jsonl"
BLIND2 = Path(__file__).parent / "fixtures" / "dedup_blind2.jsonl"
BLIND3 = Path(__file__).parent / "fixtures" / "dedup_blind3.jsonl"
BLIND4 = Path(__file__).parent / "fixtures" / "dedup_blind4.jsonl"
LABELLED = (CASES, BLIND1, BLIND2, BLIND3, BLIND4)


@dataclass
class Case:
    entry: Entry
    cluster: str
    aggregator: bool


def load_cases(*paths: Path) -> list[Case]:
    """Entries built the way the parse stage builds them: canonical_url + extract_ids.

    ``paths``: labelled JSONL files, by default the whole labelled set (:data:`LABELLED`)."""
    cases = []
    lines = [line for p in paths or LABELLED for line in p.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        row = json.loads(line)
        published = datetime.fromisoformat(row["published"]) if row["published"] else None
        entry = Entry(
            feed=FeedRef(url=row["feed_url"], name=row["feed"]),
            guid=row["guid"],
            title=row["title"],
            link=row["link"],
            canonical_url=canonical_url(row["link"]),
            text=row["text"],
            published=published,
            ids=extract_ids(
                link=row["link"], guid=row["guid"], raw_ids=row["raw_ids"], text=row["text"]
            ),
        )
        cases.append(Case(entry, row["cluster"], bool(row.get("aggregator", False))))
    return cases


def pairwise_scores(gold: dict[str, str], found: dict[str, str]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of ``found`` clusters against ``gold`` labels (by uid)."""
    uids = sorted(gold)
    tp = fp = fn = 0
    for a, b in combinations(uids, 2):
        same_gold = gold[a] == gold[b]
        same_found = found[a] == found[b]
        tp += same_gold and same_found
        fp += same_found and not same_gold
        fn += same_gold and not same_found
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, fp, fn
