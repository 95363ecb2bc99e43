"""Score de-duplication on a labelled JSONL file: pairwise precision/recall and every wrong pair.

Usage: python bench/score_dedupe.py [path.jsonl ...]   (default: the whole labelled set,
tests/fixtures/dedup_cases.jsonl and the blind rounds' files)

Entries are built exactly as the labelled-set test builds them (tests/dedup_fixture.py) and
scored the same way (pairwise over all entries of the files given, clustered together). Prints
each false merge (with the merge reason) and each missed pair, with both titles, so a blind round
can be measured honestly before any tuning.
"""

from __future__ import annotations

import sys
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from crpsdigest.dedupe import cluster_entries  # noqa: E402
from tests.dedup_fixture import load_cases, pairwise_scores  # noqa: E402


def main() -> None:
    cases = load_cases(*(Path(a) for a in sys.argv[1:]))
    result = cluster_entries([c.entry for c in cases])
    gold = {c.entry.uid: c.cluster for c in cases}
    found = {uid: info.cluster for uid, info in result.items()}
    precision, recall, fp, fn = pairwise_scores(gold, found)
    by_uid = {c.entry.uid: c for c in cases}
    print(f"{len(cases)} entries, {len(set(gold.values()))} gold clusters, {len(set(found.values()))} found")
    print(f"pairwise precision {precision:.3f} recall {recall:.3f} (false merges {fp}, missed {fn})")
    for a, b in combinations(sorted(gold), 2):
        same_gold, same_found = gold[a] == gold[b], found[a] == found[b]
        if same_gold == same_found:
            continue
        ca, cb = by_uid[a], by_uid[b]
        kind = "FALSE MERGE" if same_found else "MISSED"
        print(f"\n{kind}: {ca.cluster} / {cb.cluster}")
        for c in (ca, cb):
            why = result[c.entry.uid].reason
            print(f"  [{c.entry.feed.name}] {c.entry.title}" + (f"  <- {why}" if why else ""))


if __name__ == "__main__":
    main()
