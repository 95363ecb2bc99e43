"""Time the render stage: a year of weekly digests written from scratch, then an unchanged rebuild.

Run: .venv/bin/python bench/render_outputs.py [weeks] [items_per_week]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from factories import SITE, make_digest, make_item

from crpsdigest.render import write_outputs

TREATMENTS = ["ketamine", "low-dose-naltrexone", "spinal-cord-stimulation", "neridronate"]


def main() -> None:
    weeks = int(sys.argv[1]) if len(sys.argv) > 1 else 52
    per_week = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    digests = []
    monday = date(2026, 11, 23)
    for w in range(weeks):
        start = monday - timedelta(weeks=w)
        year, week, _ = start.isocalendar()
        sections: dict[str, list] = {t: [] for t in TREATMENTS}
        for n in range(per_week):
            t = TREATMENTS[n % len(TREATMENTS)]
            sections[t].append(make_item(n, [t], week_start=start, summary_words=80))
        digests.append(make_digest(f"{year}-W{week:02d}", sections=sections))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        t0 = time.perf_counter()
        written = write_outputs(SITE, digests, out)
        t1 = time.perf_counter()
        again = write_outputs(SITE, digests, out)
        t2 = time.perf_counter()
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{weeks} weeks x {per_week} items: first build {t1 - t0:.2f} s, {len(written)} files, "
          f"{size / 1e6:.1f} MB; unchanged rebuild {t2 - t1:.2f} s, {len(again)} files changed")


if __name__ == "__main__":
    main()
