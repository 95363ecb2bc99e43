"""Benchmark cluster_entries on synthetic archives (50k, 100k, 200k entries).

Each size runs in its own subprocess so peak memory (ru_maxrss) is per size. The archive has
known duplicates (shared DOI, tracking-link copies, lightly edited re-posts) spread over ~4
years; the script prints time, peak RSS and the pairwise precision/recall on the planted pairs.

    .venv/bin/python bench/dedupe.py                      # all sizes
    .venv/bin/python bench/dedupe.py 100000               # one size
    .venv/bin/python bench/dedupe.py --repeat 3 100000 200000
    .venv/bin/python bench/dedupe.py --sentences 50000   # texts cut into 15-word sentences

The machine is shared, so compare CPU seconds (``time.process_time``), and with ``--repeat R``
the best of R runs on the same archive; wall time under load says little about scaling.
"""

from __future__ import annotations

import math
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

from crpsdigest.dedupe import cluster_entries
from crpsdigest.identifiers import extract_ids
from crpsdigest.models import Entry, FeedRef
from crpsdigest.urls import canonical_url

SIZES = (50_000, 100_000, 200_000)
WORDS = [f"w{i}" for i in range(30_000)]
TOPICS = [
    "ketamine",
    "naltrexone",
    "neridronate",
    "mirror",
    "therapy",
    "bisphosphonate",
    "stimulation",
    "crps",
    "pain",
]


SENTENCES = False  # --sentences: texts with sentence ends (the verbatim-copy blocking keys)


def _archive(n: int, seed: int = 7) -> tuple[list[Entry], dict[str, int]]:
    rng = random.Random(seed)
    feeds = [FeedRef(url=f"https://feed{i}.example/rss", name=f"Feed {i}") for i in range(60)]
    start = datetime(2021, 1, 1, tzinfo=UTC)
    entries: list[Entry] = []
    gold: dict[str, int] = {}
    story = 0
    while len(entries) < n:
        story += 1
        when = start + timedelta(minutes=rng.randrange(4 * 365 * 24 * 60))
        title_words = rng.sample(TOPICS, 2) + rng.sample(WORDS, 6)
        text_words = rng.sample(WORDS, 60)
        if SENTENCES:
            text_words = [w + "." if i % 15 == 14 else w for i, w in enumerate(text_words)]
        doi = f"10.{1000 + story % 9000}/bench.{story}" if rng.random() < 0.3 else None
        copies = rng.choice((1, 1, 1, 2, 2, 3))
        for c in range(copies):
            feed = feeds[rng.randrange(len(feeds))]
            title = " ".join(title_words)
            text = " ".join(text_words)
            link = f"https://site{story % 500}.example/{story}"
            if c == 1:
                link += "?utm_source=rss&utm_medium=rss"
            elif c == 2:
                title += " (updated)"
                text = text.replace(text_words[5], "changed")
                link = f"https://mirror{story % 97}.example/copy/{story}"
            guid = f"{feed.url}#{story}-{c}"
            raw_ids = [f"doi:{doi}"] if doi and c != 2 else []
            entry = Entry(
                feed=feed,
                guid=guid,
                title=title,
                link=link,
                canonical_url=canonical_url(link),
                text=text,
                published=when + timedelta(hours=c * 5),
                ids=extract_ids(link=link, guid=guid, raw_ids=raw_ids, text=text),
            )
            entries.append(entry)
            gold[entry.uid] = story
    return entries[:n], gold


def _one(n: int, repeat: int = 1) -> None:
    entries, gold = _archive(n)
    before_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    elapsed = cpu = math.inf
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = cluster_entries(entries)
        elapsed = min(elapsed, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found: dict[str, list[str]] = {}
    for uid, info in result.items():
        found.setdefault(info.cluster, []).append(uid)
    tp = fp = 0
    for members in found.values():
        for i, a in enumerate(members):
            for b in members[:i]:
                if gold[a] == gold[b]:
                    tp += 1
                else:
                    fp += 1
    by_gold: dict[int, int] = {}
    for story in gold.values():
        by_gold[story] = by_gold.get(story, 0) + 1
    true_pairs = sum(k * (k - 1) // 2 for k in by_gold.values())
    print(
        f"n={n:>7}  time {elapsed:6.1f} s (CPU {cpu:5.1f} s)  peak RSS {peak_mib:6.0f} MiB "
        f"(archive alone {before_mib:4.0f} MiB)  "
        f"precision {tp / max(tp + fp, 1):.3f}  recall {tp / max(true_pairs, 1):.3f}"
        + (f"  (times: best of {repeat})" if repeat > 1 else ""),
        flush=True,
    )


def main() -> None:
    args = sys.argv[1:]
    global SENTENCES
    if "--help" in args or "-h" in args:
        print(__doc__)
        return
    if "--sentences" in args:
        SENTENCES, args = True, [a for a in args if a != "--sentences"]
    repeat = 1
    if args[:1] == ["--repeat"]:
        repeat, args = int(args[1]), args[2:]
    if len(args) == 1:
        _one(int(args[0]), repeat)
        return
    for n in [int(a) for a in args] or SIZES:
        cmd = [sys.executable, __file__, "--repeat", str(repeat), str(n)]
        cmd += ["--sentences"] if SENTENCES else []
        subprocess.run(cmd, check=True)


if __name__ == "__main__":
    main()
