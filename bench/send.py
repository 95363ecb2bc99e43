"""Benchmark: send one week's digest to N subscribers through a local aiosmtpd sink.

    .venv/bin/python bench/send.py [--recipients 5000] [--items 40] [--keep-files]

The sink runs in its own process (tests/smtp_sink.py), counting messages unless --keep-files.
Prints messages per second (target: 200) and the sender's peak memory. Subscribers mix
"every treatment" with a handful of chosen selections, as a real list would.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crpsdigest.deliver import (  # noqa: E402
    MessageFactory,
    Recipient,
    SmtpSettings,
    make_sender,
    send_week,
)
from crpsdigest.models import Digest, DigestItem, Section, SiteInfo  # noqa: E402
from crpsdigest.store import Store  # noqa: E402
from tests.smtp_sink import start_sink  # noqa: E402

SLUGS = ["low-dose-naltrexone", "ketamine", "bisphosphonates", "spinal-cord-stimulation"]
SELECTIONS: list[frozenset[str] | None] = [
    None, None, None, None, None, None,
    frozenset({"ketamine"}), frozenset({"low-dose-naltrexone"}),
    frozenset({"ketamine", "bisphosphonates"}), frozenset({"spinal-cord-stimulation"}),
]  # fmt: skip


def make_digest(n_items: int) -> Digest:
    items = [
        DigestItem(
            uid=f"u{i:04d}", title=f"CRPS item {i}: naltrexone, ketamine — résumé",
            link=f"https://news.example.org/{i}", source="Charity",
            published=datetime(2026, 11, 11, tzinfo=UTC),
            summary_html=f"<p>{'Summary text of a CRPS treatment article. ' * 8}</p>",
            summary_text="Summary text of a CRPS treatment article. " * 8,
            treatments=[SLUGS[i % len(SLUGS)]], kinds=["news"],
        )
        for i in range(n_items)
    ]
    sections = [
        Section(slug, slug.replace("-", " ").title(), [i for i in items if slug in i.treatments])
        for slug in SLUGS
    ]
    return Digest(
        week="2026-W46", start=date(2026, 11, 9), end=date(2026, 11, 15), title="Bench Digest",
        site_url="https://digest.example.org/", language="en", timezone="UTC", items=items,
        sections=sections, updated=datetime(2026, 11, 11, tzinfo=UTC),
    )  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process (Linux /proc), to see who the bottleneck is."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--keep-files", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "mail"
        sink = start_sink(folder, *([] if args.keep_files else ["--count-only"]))
        try:
            site = SiteInfo(title="Bench Digest", site_url="https://digest.example.org/",
                            unsubscribe_url="https://digest.example.org/unsubscribe")
            digest = make_digest(args.items)
            factory = MessageFactory(site, digest, make_sender(site))
            recipients = [
                Recipient(f"reader{i:05d}@example.com", SELECTIONS[i % len(SELECTIONS)])
                for i in range(args.recipients)
            ]
            settings = SmtpSettings("opportunistic", "127.0.0.1", sink.port)
            with Store(Path(tmp) / "bench.sqlite3") as store:
                start, cpu = time.perf_counter(), time.process_time()
                report = send_week(store, factory, recipients, settings,
                                   clock=lambda: datetime.now(UTC))
                elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
            sink_cpu = _cpu_seconds(sink.proc.pid)
        finally:
            sink.stop()
    size = len(factory.message(recipients[0], datetime.now(UTC)) or b"")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"recipients: {args.recipients}, items: {args.items}, message size: {size / 1024:.1f} KiB")
    print(f"sent: {len(report.sent)}, failed: {len(report.failed)}, deferred: {len(report.deferred)}, "
          f"connections: {report.connections}")
    print(f"elapsed: {elapsed:.2f} s, {len(report.sent) / elapsed:.0f} messages/s (target 200)")
    n = max(len(report.sent), 1)
    print(f"CPU per message: sender {cpu / n * 1000:.2f} ms, sink {sink_cpu / n * 1000:.2f} ms "
          f"(sender alone could do {n / cpu:.0f} messages/s)")
    print(f"peak memory (max RSS of the sender): {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
