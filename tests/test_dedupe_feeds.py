"""De-duplication on the realistic path: real feed files through parse → clean → dedupe.

Each folder under ``fixtures/dedup_feeds`` is one scenario (syndication, PubMed + journal +
Europe PMC, trial registry + mirrors, WordPress edits and comments, Google News wrapping, Medium,
Substack) with its traps; ``gold.json`` labels every item (file, guid) with the item it is, and
was written before the code ever ran on these files. All scenarios run TOGETHER, so a false merge
across scenarios (a news story and the paper it cites, two trials of one drug) counts too.
"""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path

import pytest

from crpsdigest.pipeline import inspect_sources

FEEDS = Path(__file__).parent / "fixtures" / "dedup_feeds"


def scenario_sources(scenarios: list[Path]) -> tuple[list[str], dict[tuple[str, str], str]]:
    """Feed files of the scenarios and their gold labels keyed by (file path, guid)."""
    sources: list[str] = []
    gold: dict[tuple[str, str], str] = {}
    for folder in scenarios:
        sources += sorted(str(p) for p in folder.iterdir() if p.name != "gold.json")
        for row in json.loads((folder / "gold.json").read_text(encoding="utf-8")):
            gold[(str(folder / row["file"]), row["guid"])] = row["label"]
    return sources, gold


def score(scenarios: list[Path]) -> tuple[float, float, list[str], list[str]]:
    """Pairwise precision and recall of inspect's clusters against gold, plus the wrong pairs."""
    sources, gold = scenario_sources(scenarios)
    rows, warnings = inspect_sources(sources)
    assert not warnings
    found = {(r["source"], r["guid"]): r["cluster"] for r in rows}
    assert set(found) == set(gold), "every parsed item is labelled and every label is parsed"
    tp = 0
    false_merges: list[str] = []
    misses: list[str] = []
    for a, b in combinations(sorted(gold), 2):
        same_gold, same_found = gold[a] == gold[b], found[a] == found[b]
        tp += same_gold and same_found
        pair = f"{gold[a]} {Path(a[0]).name}|{a[1]}  ~  {gold[b]} {Path(b[0]).name}|{b[1]}"
        if same_found and not same_gold:
            false_merges.append(pair)
        if same_gold and not same_found:
            misses.append(pair)
    precision = tp / (tp + len(false_merges)) if tp + len(false_merges) else 1.0
    recall = tp / (tp + len(misses)) if tp + len(misses) else 1.0
    return precision, recall, false_merges, misses


SCENARIOS = sorted(p for p in FEEDS.iterdir() if (p / "gold.json").exists())


def test_all_scenarios_together_meet_the_precision_and_recall_bar() -> None:
    precision, recall, false_merges, misses = score(SCENARIOS)
    print(
        f"feed dedup, {len(SCENARIOS)} scenarios together: pairwise precision {precision:.3f} "
        f"recall {recall:.3f} (false merges {len(false_merges)}, missed pairs {len(misses)})"
    )
    for pair in false_merges:
        print("  false merge:", pair)
    for pair in misses:
        print("  missed:", pair)
    assert precision >= 0.98
    assert recall >= 0.95


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda p: p.name)
def test_each_scenario_has_no_false_merge(scenario: Path) -> None:
    precision, _, false_merges, _ = score([scenario])
    assert false_merges == [], false_merges
    assert precision == 1.0


if __name__ == "__main__":  # per-scenario figures: python tests/test_dedupe_feeds.py
    for folder in [*SCENARIOS, FEEDS]:
        chosen = SCENARIOS if folder == FEEDS else [folder]
        p, r, fm, miss = score(chosen)
        print(f"{folder.name:24} P {p:.3f} R {r:.3f} fm {len(fm)} miss {len(miss)}")
        for pair in fm:
            print("   FM", pair)
        for pair in miss:
            print("   MISS", pair)
