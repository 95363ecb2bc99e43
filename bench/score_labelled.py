"""Score the classifier on a labelled JSONL file (default: the whole labelled set).

Usage: python bench/score_labelled.py [--prefix b7-] [path.jsonl ...]

``--prefix`` keeps only items whose id starts with it (one blind round; round 7 as first
labelled is in git history: ``git show ae3c5a4:tests/fixtures/blind_round7.jsonl``;
round 8: ``git show 897f7e7:tests/fixtures/blind_round8.jsonl``;
round 9: tests/fixtures/blind_round9.jsonl, labelled in commit 2063e62;
round 10: tests/fixtures/blind_round10.jsonl, labelled in commit 066b73b;
round 11: tests/fixtures/blind_round11.jsonl, labelled in commit ea6d301;
round 12: tests/fixtures/blind_round12.jsonl, labelled in commit d9121b0;
round 13: tests/fixtures/blind_round13.jsonl, labelled in commit 5df68bf;
round 14: tests/fixtures/blind_round14.jsonl, labelled in commit cdf94d6).

Prints relevance P/R, treatment micro P/R/F1, per-slug errors, ordering errors (first
treatment wrong), kinds exact-set accuracy and per-kind P/R, then every wrong item. Used to
measure blind rounds honestly before tuning (the figures of a round tuned on mean little).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from crpsdigest.classify import load_classifier

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Entries are built exactly as the quality test builds them.
from tests.test_classification_quality import _entry  # noqa: E402

DEFAULT = ROOT / "tests" / "fixtures" / "labelled_items.jsonl"


def _prf(c: Counter[str]) -> tuple[float, float, float]:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _tally(counters: dict[str, Counter[str]], gold: set[str], got: set[str]) -> None:
    for key in gold | got:
        c = counters.setdefault(key, Counter())
        c["tp" if key in gold and key in got else "fn" if key in gold else "fp"] += 1


def score(path: Path, prefix: str = "") -> None:
    """Print every figure for one labelled file (only ids starting with ``prefix``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    items = [item for item in items if item["id"].startswith(prefix)]
    clf = load_classifier()
    slugs: dict[str, Counter[str]] = {}
    kinds: dict[str, Counter[str]] = {}
    rel: Counter[str] = Counter()
    exact = order_bad = order_n = 0
    wrong: list[str] = []
    for item in items:
        got = clf.classify(_entry(item))
        gold_t, got_t = set(item["treatments"]), set(got.treatments)
        _tally(slugs, gold_t, got_t)
        gold_k, got_k = set(item["kinds"]), set(got.kinds)
        _tally(kinds, gold_k, got_k)
        exact += gold_k == got_k
        rel["tp" if item["relevant"] and got.relevant else "fp" if got.relevant
            else "fn" if item["relevant"] else "tn"] += 1
        problems = []
        if item["relevant"] != got.relevant:
            problems.append(f"relevant {item['relevant']}->{got.relevant}")
        if gold_t - got_t:
            problems.append(f"missing {sorted(gold_t - got_t)}")
        if got_t - gold_t:
            problems.append(f"extra {sorted(got_t - gold_t)}")
        if item["treatments"] and got.treatments:
            order_n += 1
            if got.treatments[0] != item["treatments"][0]:
                order_bad += 1
                problems.append(f"first {item['treatments'][0]}->{got.treatments[0]}")
        if gold_k != got_k:
            problems.append(f"kinds -{sorted(gold_k - got_k)} +{sorted(got_k - gold_k)}")
        if problems:
            wrong.append(f"  {item['id']}: " + "; ".join(problems))
    total: Counter[str] = Counter()
    for c in slugs.values():
        total.update(c)
    print(f"== {path.name}{' ' + prefix if prefix else ''}: {len(items)} items")
    p, r, f = _prf(rel)
    print(f"relevance: P={p:.3f} R={r:.3f} F1={f:.3f}")
    p, r, f = _prf(total)
    print(f"treatments micro: P={p:.3f} R={r:.3f} F1={f:.3f} "
          f"(tp={total['tp']} fp={total['fp']} fn={total['fn']})")
    print(f"ordering: first treatment wrong in {order_bad}/{order_n} items with both sides non-empty")
    print("per-slug errors (fp / fn):")
    for slug, c in sorted(slugs.items()):
        if c["fp"] or c["fn"]:
            print(f"  {slug:30s} fp={c['fp']} fn={c['fn']} tp={c['tp']}")
    print(f"kinds exact-set accuracy: {exact / len(items):.3f}")
    for kind, c in sorted(kinds.items()):
        p, r, f = _prf(c)
        print(f"  {kind:20s} P={p:.2f} R={r:.2f} (tp={c['tp']} fp={c['fp']} fn={c['fn']})")
    print("items with any error:")
    print("\n".join(wrong))


def main() -> None:
    args = sys.argv[1:]
    prefix = ""
    if args[:1] == ["--prefix"] and len(args) >= 2:
        prefix, args = args[1], args[2:]
    for path in [Path(a) for a in args] or [DEFAULT]:
        score(path, prefix)


if __name__ == "__main__":
    main()
