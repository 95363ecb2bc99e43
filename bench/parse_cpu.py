"""CPU cost of parse_feed per feed: the fetch bench's synthetic feeds, or the real-shaped fixtures.

    .venv/bin/python bench/parse_cpu.py bench 50          # process_time, best of --repeat runs
    .venv/bin/python bench/parse_cpu.py real 0 --once     # under callgrind: the setup alone
    valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        .venv/bin/python bench/parse_cpu.py bench 50 --once

Instructions per parse_feed = (instructions with N feeds − with 0 feeds) / N: both runs build the
feeds and parse one feed first (imports, regex compilation and caches stay out of the figure).
``real`` parses the fixture and example feeds (PubMed, WordPress, Google News, Atom …), cycling.
Wall time on the shared two-core machine is noisy; instruction counts are the figure to compare.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from fetch import make_feed  # noqa: E402  (bench/fetch.py)

from crpsdigest.models import FeedRef  # noqa: E402
from crpsdigest.parse import parse_feed  # noqa: E402


def _real() -> list[tuple[bytes, dict[str, str]]]:
    paths = sorted(
        p
        for folder in (ROOT / "tests" / "fixtures", ROOT / "examples")
        for p in folder.rglob("*")
        if p.suffix in (".rss", ".atom", ".xml", ".rdf")
    )
    return [(p.read_bytes(), {"content-location": f"https://feeds.example.org/{p.name}"}) for p in paths]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=("bench", "real"))
    ap.add_argument("n", type=int)
    ap.add_argument("--once", action="store_true", help="one pass, no timing (for callgrind)")
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    if args.kind == "bench":
        pool = [  # the headers fetch.py passes: the feed's final URL is the base for links
            (make_feed(i, 20), {"content-type": "application/rss+xml",
                                "content-location": f"https://news{i % 97}.example.org/feed/{i}.xml"})
            for i in range(500)
        ]  # fmt: skip
    else:
        pool = _real()
    feeds = [pool[i % len(pool)] for i in range(args.n)]
    ref = FeedRef(url="https://feeds.example.org/x", name="x", topic="crps")
    parse_feed(pool[-1][0], ref, pool[-1][1])  # warm: imports, regexes, caches
    if args.once:
        for body, headers in feeds:
            parse_feed(body, ref, headers)
        return
    best = float("inf")
    for _ in range(args.repeat):
        start = time.process_time()
        for body, headers in feeds:
            parse_feed(body, ref, headers)
        best = min(best, time.process_time() - start)
    print(f"{args.kind}: {best / max(args.n, 1) * 1e3:.3f} ms CPU per parse_feed (best of {args.repeat})")


if __name__ == "__main__":
    main()
