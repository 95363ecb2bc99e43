"""Load the labelled de-duplication set (tests/fixtures/dedup_cases.jsonl) as Entry objects."""

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


@dataclass
class Case:
    entry: Entry
    cluster: str
    aggregator: bool


def load_cases(path: Path = CASES) -> list[Case]:
    """Entries built the way the parse stage builds them: canonical_url + extract_ids."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
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
