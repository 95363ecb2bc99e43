"""Instructions per ``classify`` call, counted by valgrind (callgrind): immune to machine load.

Usage: python bench/classify_instructions.py [--passes 2] [--hashseed 0]

Runs this script twice under ``valgrind --tool=callgrind``: once building the classifier and
warming it up on the labelled set, once doing the same plus ``--passes`` more passes over the
labelled set. The difference in instructions, divided by the number of extra calls, is the
cost of one call, without imports and the classifier's build. Wall-clock figures on a shared
machine move by tens of percent; these move by well under one. String hashing is seeded
(``PYTHONHASHSEED``, default 0): with random seeds, dict and set layouts differ from run to
run, and so does the count, by about one percent.

To measure another checkout's classifier with this script, put its ``src`` first on
``PYTHONPATH``; the module measured is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _child(passes: int) -> None:
    sys.path.insert(0, str(ROOT))
    from bench.classify import _entries
    from crpsdigest.classify import Classifier, load_classifier

    clf = load_classifier()
    entries = _entries()
    for entry in entries:  # warm-up: caches, lazily built tables
        clf.classify(entry)
    for _ in range(passes):
        for entry in entries:
            clf.classify(entry)
    print(f"calls={passes * len(entries)}")
    print(f"module={sys.modules[Classifier.__module__].__file__}")


def _instructions(passes: int, hashseed: str) -> tuple[int, int, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
             sys.executable, __file__, "--child", str(passes)],
            capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": hashseed},
        )
    collected = re.search(r"Collected : (\d+)", out.stderr)
    calls = re.search(r"calls=(\d+)", out.stdout)
    module = re.search(r"module=(.*)", out.stdout)
    assert collected and calls and module, out.stderr[-2000:]
    return int(collected.group(1)), int(calls.group(1)), module.group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passes", type=int, default=2)
    parser.add_argument("--hashseed", default="0", help="PYTHONHASHSEED for the runs")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        _child(args.child)
        return
    base, _, module = _instructions(0, args.hashseed)
    total, calls, _ = _instructions(args.passes, args.hashseed)
    print(f"measured: {module} (PYTHONHASHSEED={args.hashseed})")
    print(f"setup (imports, build, warm-up): {base:,} instructions")
    print(f"{calls} classify calls: {total - base:,} instructions, "
          f"{(total - base) / calls:,.0f} per call")


if __name__ == "__main__":
    main()
