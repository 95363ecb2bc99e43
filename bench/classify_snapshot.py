"""Write every field of every Classification for a large, fixed set of entries to one file.

Usage: python bench/classify_snapshot.py OUT.jsonl [--no-corpus]

A refactoring of the classifier that should not change behaviour (a pure move of code between
modules) is checked by writing this snapshot before and after and comparing the two files
byte for byte (``cmp`` or ``diff``). The entries:

* every hand-labelled item (tests/fixtures/labelled_items.jsonl), built as the quality test
  builds them;
* every entry of the shared feedparser corpus (../shared/corpus/feedparser-tests, as
  tests/test_corpus.py reads it), parsed with topic ``crps``;
* every entry of the fixture feeds (tests/fixtures/feeds);
* thousands of deterministic variants of the labelled items (title or text alone, case
  changed, sentences reversed, truncated, joined in pairs, structured-abstract headings,
  non-Latin-1 and dotted-I text, publication types, trial ids, registry feeds, the other
  topic), which reach code paths the plain items rarely do;
* the labelled items, each with a sentence naming the extras, through a classifier with
  extra feeds.yaml treatments (new, extended, abbreviations with ``near``, gated patterns,
  exclusions, umbrellas).

Each line is ``{"set": ..., "id": ..., "result": dataclasses.asdict(classification)}`` with
dictionary order kept (the order of treatments, kinds and evidence is behaviour too). The
script also checks that ``classify_many`` over two workers returns exactly the serial results,
and prints the counts per set and a SHA-256 of the file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crpsdigest.classify import Classifier, load_classifier
from crpsdigest.models import Entry, FeedRef
from crpsdigest.parse import parse_feed

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "fixtures" / "labelled_items.jsonl"
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
CORPUS = ROOT.parent / "shared" / "corpus" / "feedparser-tests"
NOW = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

PUB_TYPES = (
    "Randomized Controlled Trial", "Clinical Trial, Phase II", "Systematic Review",
    "Meta-Analysis", "Case Reports", "Practice Guideline", "News", "Journal Article",
)
EXTRA_TREATMENTS: list[dict[str, Any]] = [
    {"slug": "graded-activity", "name": "Graded activity", "group": "rehabilitation",
     "synonyms": ["graded activity", "graded exposure in vivo"], "translations": ["aktivität"],
     "abbreviations": ["GA", {"abbr": "GEXP", "near": r"pain|crps"}],
     "exclude": [r"graded activity (?:log|diary)", r"\bno graded activity"],
     "suppressed_by": ["physiotherapy"]},
    {"slug": "ketamine", "extend": True, "brands": ["Ketanest"]},
    {"slug": "magnet-therapy", "name": "Magnet therapy", "group": "other",
     "patterns": [r"magnet\w*\s+(?:therapy|bracelet)s?",
                  {"regex": r"\d+\s*gauss", "gate": ["gauss"]},
                  {"regex": r"(?:static|pulsed)\s+magnets?", "near": r"pain|limb"}],
     "classes": ["ketamine"]},
]


EXTRA_PHRASES = (
    "Graded activity helped CRPS patients.", "She kept a graded activity diary for her CRPS.",
    "Patients had tried graded exposure in vivo before. Now GA is offered.",
    "GEXP reduced pain in the limb.", "Magnetic bracelets and 400 gauss magnets for CRPS.",
    "Static magnets eased limb pain; Ketanest was the comparator.",
    "Physiotherapy with graded activity for CRPS.", "Keine Aktivität half, but magnet therapy did.",
)


def _labelled() -> list[tuple[str, Entry]]:
    out = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        feed = FeedRef(url=item.get("feed_url", "https://news.example.org/feed"),
                       name="labelled", topic=item.get("feed_topic", "general"))
        out.append((item["id"], Entry(
            feed=feed, guid=item["id"], title=item["title"],
            link="https://news.example.org/" + item["id"],
            canonical_url="https://news.example.org/" + item["id"], text=item["text"],
            pub_types=tuple(item.get("pub_types", ())),
            ids={k: tuple(v) for k, v in item.get("ids", {}).items()},
        )))
    return out


def _feed_entries(folder: Path, topic: str) -> list[tuple[str, Entry]]:
    out = []
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != "README.md")
    for path in files:
        rel = path.relative_to(folder).as_posix()
        feed = FeedRef(url=f"https://corpus.example.org/{rel}", name=rel, topic=topic)  # type: ignore[arg-type]
        parsed = parse_feed(path.read_bytes(), feed, fetched_at=NOW)
        out.extend((f"{rel}#{i}", e) for i, e in enumerate(parsed.entries))
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text) if s]


def _variants(items: list[tuple[str, Entry]]) -> Iterator[tuple[str, Entry]]:
    rng = random.Random(20260101)
    n = len(items)
    for i, (uid, e) in enumerate(items):
        other = items[(i * 7 + 3) % n][1]
        sents = _sentences(e.text)
        flip = "crps" if e.feed.topic == "general" else "general"
        yield f"{uid}/topic", replace(e, feed=replace(e.feed, topic=flip))
        yield f"{uid}/title-only", replace(e, text="")
        yield f"{uid}/text-only", replace(e, title="")
        yield f"{uid}/upper", replace(e, title=e.title.upper(), text=e.text.upper())
        yield f"{uid}/lower", replace(e, title=e.title.lower(), text=e.text.lower())
        yield f"{uid}/reversed", replace(e, text=" ".join(reversed(sents)))
        yield f"{uid}/half", replace(e, text=e.text[: len(e.text) // 2])
        yield f"{uid}/pair", replace(e, text=f"{e.text}\n{other.title}. {other.text}")
        heads = ["BACKGROUND:", "METHODS:", "RESULTS:", "CONCLUSIONS:"]
        structured = "\n".join(f"{heads[j % 4]} {s}" for j, s in enumerate(sents))
        yield f"{uid}/structured", replace(e, text=structured)
        yield f"{uid}/unicode", replace(
            e, title=f"İstanbul Ωμέγα — {e.title}", text=f"Ça “va” İyi ß. {e.text} Σ ∑ 漢字."
        )
        cut = rng.randrange(0, max(1, len(e.text)))
        yield f"{uid}/cut", replace(e, text=e.text[:cut] + " , but " + e.text[cut:])
        yield f"{uid}/meta", replace(
            e, pub_types=(PUB_TYPES[i % len(PUB_TYPES)],),
            ids={"nct": (f"NCT0{i:07d}",)} if i % 3 == 0 else {},
            feed=replace(e.feed, url="https://clinicaltrials.gov/rss?cond=crps")
            if i % 5 == 0 else e.feed,
        )
        words = e.text.split()
        rng.shuffle(words)
        yield f"{uid}/shuffled", replace(e, text=" ".join(words))


def _dump(clf: Classifier, set_name: str, items: list[tuple[str, Entry]], fh: Any) -> int:
    results = [clf.classify(e) for _, e in items]
    for (uid, _), result in zip(items, results, strict=True):
        fh.write(json.dumps({"set": set_name, "id": uid, "result": asdict(result)},
                            ensure_ascii=False) + "\n")
    parallel = clf.classify_many([e for _, e in items], workers=2)
    if parallel != results:
        sys.exit(f"{set_name}: classify_many(workers=2) differs from the serial results")
    return len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--no-corpus", action="store_true", help="skip the shared corpus")
    args = parser.parse_args()
    clf = load_classifier()
    labelled = _labelled()
    sets: dict[str, list[tuple[str, Entry]]] = {
        "labelled": labelled,
        "fixture-feeds": _feed_entries(FEEDS, "general"),
        "variants": list(_variants(labelled)),
    }
    if not args.no_corpus and CORPUS.is_dir():
        sets["corpus"] = _feed_entries(CORPUS, "crps")
    counts: Counter[str] = Counter()
    with args.out.open("w", encoding="utf-8") as fh:
        for name, items in sets.items():
            counts[name] = _dump(clf, name, items, fh)
        counts["labelled+extra-treatments"] = _dump(
            load_classifier(EXTRA_TREATMENTS), "labelled+extra-treatments", [
                (uid, replace(e, text=f"{e.text} {EXTRA_PHRASES[i % len(EXTRA_PHRASES)]}"))
                for i, (uid, e) in enumerate(labelled)
            ], fh)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    for name, count in counts.items():
        print(f"{name}: {count} entries")
    print(f"total: {sum(counts.values())} classifications; sha256 {digest}")


if __name__ == "__main__":
    main()
