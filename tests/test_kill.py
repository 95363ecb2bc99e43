"""A run killed at any moment (cron timeout, reboot, OOM killer) loses nothing and breaks nothing.

`crpsdigest fetch`, `build` and `send` run as real processes (`python -m crpsdigest`) and get
SIGKILL at seeded random moments: half after random delays over their measured runtime, half at
random points of their work (after the k-th output file, stored entry or sent message), since on
a loaded machine wall-time delays alone mostly hit interpreter start-up. After each kill: every
published output is still whole (each file byte-for-byte its old or its new version; Atom still
parses), the SQLite store passes ``PRAGMA integrity_check``, each feed's entries are all old or all
new, nobody got an email twice, and a re-run ends exactly where an uninterrupted run does.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import html5lib
import pytest
from click.testing import CliRunner

from crpsdigest.cli import cli
from tests.conftest import ROOT, run_cli, write_config
from tests.smtp_sink import start_sink

TRIALS = 20
SEND_TRIALS = 21  # one uninterrupted reference run + 20 killed
WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
N_FEEDS, N_ITEMS = 6, 5


def _feed(f: int, version: int) -> str:
    """Version 2 of each feed adds items and edits one, so both fetch and build have work."""
    count = N_ITEMS + (4 if version == 2 else 0)
    items = []
    for i in range(count):
        edited = " (updated)" if version == 2 and i == 0 else ""
        therapy = ("ketamine infusion", "mirror therapy", "spinal cord stimulation")[i % 3]
        items.append(
            f"<item><title>CRPS study {f}-{i}: {therapy}{edited}</title>"
            f"<link>https://news{f}.example.org/{i}</link><guid>g{f}-{i}</guid>"
            f"<pubDate>{format_datetime(MONDAY + timedelta(minutes=97 * i + f))}</pubDate>"
            f"<description>Complex regional pain syndrome patients had {therapy}."
            f"{' Details follow.' * 40}</description></item>"
        )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F{f}</title>'
        f"{''.join(items)}</channel></rss>"
    )


def _write_feeds(folder: Path, version: int) -> None:
    folder.mkdir(exist_ok=True)
    for f in range(N_FEEDS):
        (folder / f"f{f}.rss").write_text(_feed(f, version), "utf-8")


def _cli(folder: Path, *args: str) -> None:
    result = run_cli("--config", folder / "feeds.yaml", *args)
    assert result.exit_code == 0, result.output


def _files(out: Path) -> dict[str, bytes]:
    """Published files (temp files of an interrupted atomic write are not published)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.endswith(".tmp")
    }


def _entries(db: Path) -> set[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT feed_url, guid, title, content_hash FROM entries").fetchall()
    return {tuple(r) for r in rows}  # type: ignore[misc]


@dataclass
class Scenario:
    before: Path  # v1 fetched and published; the feeds now serve v2: where a killed fetch starts
    fetched: Path  # `before` + an uninterrupted fetch: where a killed build starts
    built: Path  # `fetched` + an uninterrupted build: where every re-run must end
    rebuilt: Path  # `built` built once more: must equal `built`
    fetch_seconds: float
    build_seconds: float


def _timed(folder: Path, *args: str) -> float:
    """Wall time of an uninterrupted run, measured two at a time as the trials run."""

    def one(copy: Path) -> float:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "crpsdigest", "--config", str(copy / "feeds.yaml"), *args],
            check=True, capture_output=True, cwd=ROOT,
        )  # fmt: skip
        return time.perf_counter() - started

    twin = folder.with_name(folder.name + "-twin")
    shutil.copytree(folder, twin)
    with ThreadPoolExecutor(max_workers=2) as pool:
        seconds = list(pool.map(one, [folder, twin]))
    shutil.rmtree(twin)
    return sum(seconds) / 2


@pytest.fixture(scope="module", autouse=True)
def pinned_clock() -> Iterator[None]:
    """Every run (killed, re-run, reference) sees the same clock: edit times are then equal."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CRPSDIGEST_NOW", "2026-11-16T09:00:00+00:00")
        yield


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, pinned_clock: None) -> Scenario:
    base = tmp_path_factory.mktemp("kill")
    before = base / "before"
    before.mkdir()
    # Absolute feed paths: a trial's copy of the folder subscribes to the very same feeds.
    feeds = base / "feeds"
    write_config(before, [(f"Feed {f}", str(feeds / f"f{f}.rss"), "crps") for f in range(N_FEEDS)])
    _write_feeds(feeds, 1)
    _cli(before, "fetch")
    _cli(before, "build", "--week", WEEK)  # the published digest a killed run must not break
    _write_feeds(feeds, 2)

    fetched = base / "fetched"
    shutil.copytree(before, fetched)
    fetch_seconds = _timed(fetched, "fetch")
    built = base / "built"
    shutil.copytree(fetched, built)
    build_seconds = _timed(built, "build", "--week", WEEK)
    rebuilt = base / "rebuilt"
    shutil.copytree(built, rebuilt)
    _cli(rebuilt, "build", "--week", WEEK)
    print(f"\nkill: uninterrupted fetch {fetch_seconds:.2f}s, build {build_seconds:.2f}s")
    return Scenario(before, fetched, built, rebuilt, fetch_seconds, build_seconds)


Probe = Callable[[Path], int]  # how far the run in a trial folder has got (files, rows, mails)


@dataclass
class Moment:
    """When to kill: ``delay`` seconds after start, or once ``probe`` reaches ``progress``."""

    delay: float | None = None
    progress: int | None = None


def _moments(seed: int, runtime: float, steps: int) -> list[Moment]:
    """Seeded: half are random delays over the measured runtime; half are random points in
    the work itself (after the k-th of ``steps`` outputs, rows or messages), because wall-time
    delays alone mostly land in interpreter start-up on a loaded machine."""
    rng = random.Random(seed)
    half = TRIALS // 2
    delays = [Moment(delay=rng.uniform(0.05, runtime)) for _ in range(half)]
    points = [Moment(progress=rng.randint(1, steps - 1)) for _ in range(TRIALS - half)]
    return delays + points


def _kill_at(folder: Path, moment: Moment, probe: Probe, *args: str) -> bool:
    """Run `python -m crpsdigest ARGS` in ``folder``; SIGKILL it at ``moment``; True if killed.

    A folder holding ``smtp-url`` sends mail there (each trial has its own SMTP server).
    """
    env = dict(os.environ)
    if (folder / "smtp-url").exists():
        env["CRPSDIGEST_SMTP_URL"] = (folder / "smtp-url").read_text()
    proc = subprocess.Popen(
        [sys.executable, "-m", "crpsdigest", "--config", str(folder / "feeds.yaml"), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env,
    )  # fmt: skip
    started = time.monotonic()
    while proc.poll() is None:
        elapsed = time.monotonic() - started
        due = moment.delay is not None and elapsed >= moment.delay
        due = due or (moment.progress is not None and probe(folder) >= moment.progress)
        if due or elapsed > 120:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            assert elapsed <= 120, "a run hung"
            return True
        time.sleep(0.003)
    return False


def _check_published(trial: Path, old: dict[str, bytes], new: dict[str, bytes]) -> None:
    """Every output file is exactly its old or its new version; Atom and HTML parse."""
    now = _files(trial / "out")
    assert set(old) <= set(now), "a published file disappeared"
    for name, data in now.items():
        assert data in (old.get(name), new.get(name)), f"{name} is neither old nor new: torn write"
        if name.endswith(".xml"):
            assert not feedparser.parse(data).bozo, f"{name} no longer parses"
        if name.endswith(".html"):
            html5lib.parse(data.decode("utf-8"))


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def _kill_all(trials: list[Path], moments: list[Moment], probe: Probe, *args: str) -> int:
    """Kill one run per trial folder (two at a time: the runs share nothing); count real kills."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        killed = pool.map(
            lambda tm: _kill_at(tm[0], tm[1], probe, *args), zip(trials, moments, strict=True)
        )
        return sum(killed)


def test_build_killed_at_random_moments_breaks_nothing(scenario: Scenario, tmp_path: Path) -> None:
    old = _files(scenario.fetched / "out")
    new = _files(scenario.built / "out")
    assert old != new, "the killed build must have something to rewrite"
    # Progress of a build: output files written so far (copies keep their mtimes).
    mtimes = {p.relative_to(scenario.fetched): p.stat().st_mtime_ns
              for p in (scenario.fetched / "out").rglob("*") if p.is_file()}  # fmt: skip

    def written(trial: Path) -> int:
        files = [p for p in (trial / "out").rglob("*") if p.is_file() and p.suffix != ".tmp"]
        return sum(p.stat().st_mtime_ns != mtimes.get(p.relative_to(trial)) for p in files)

    steps = sum(old.get(name) != data for name, data in new.items())
    moments = _moments(9, scenario.build_seconds, steps)
    trials = [tmp_path / f"t{n}" for n in range(TRIALS)]
    for trial in trials:
        shutil.copytree(scenario.fetched, trial)
    killed = _kill_all(trials, moments, written, "build", "--week", WEEK)
    rewritten = 0
    for n, (trial, moment) in enumerate(zip(trials, moments, strict=True)):
        _check_published(trial, old, new)
        rewritten += _files(trial / "out") != old
        assert _integrity(trial / "crpsdigest.sqlite3") == "ok"
        _cli(trial, "build", "--week", WEEK)
        # A kill after the run stored its clusters makes the re-run a second build: it must
        # publish exactly what an uninterrupted build does.
        assert _files(trial / "out") == new, f"trial {n} (killed at {moment}): differs"
    print(f"\nbuild: {killed} of {TRIALS} runs killed, {rewritten} after writing some output")
    assert killed >= TRIALS // 2, "most trials must really kill the run mid-way"


def test_fetch_killed_at_random_moments_loses_nothing(scenario: Scenario, tmp_path: Path) -> None:
    old = _files(scenario.before / "out")
    fetched = _files(scenario.fetched / "out")  # fetch itself publishes the feed health page
    old_entries = _entries(scenario.before / "crpsdigest.sqlite3")
    new_entries = _entries(scenario.fetched / "crpsdigest.sqlite3")
    assert old_entries != new_entries

    def stored(trial: Path) -> int:
        """Progress of a fetch: entries committed beyond the old ones (v2 adds 4 a feed)."""
        try:
            with sqlite3.connect(trial / "crpsdigest.sqlite3", timeout=0) as conn:
                count = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        except sqlite3.Error:
            return 0
        return int(count) - len(old_entries)

    moments = _moments(10, scenario.fetch_seconds, len(new_entries) - len(old_entries))
    trials = [tmp_path / f"t{n}" for n in range(TRIALS)]
    for trial in trials:
        shutil.copytree(scenario.before, trial)
    killed = _kill_all(trials, moments, stored, "fetch")
    partial = 0
    for n, (trial, moment) in enumerate(zip(trials, moments, strict=True)):
        _check_published(trial, old, fetched)
        db = trial / "crpsdigest.sqlite3"
        assert _integrity(db) == "ok"
        # One transaction per feed: each feed's entries are all old or all new.
        now = _entries(db)
        for f in range(N_FEEDS):
            mine = {(g, t, h) for u, g, t, h in now if u.endswith(f"/f{f}.rss")}
            was = {(g, t, h) for u, g, t, h in old_entries if u.endswith(f"/f{f}.rss")}
            will = {(g, t, h) for u, g, t, h in new_entries if u.endswith(f"/f{f}.rss")}
            assert mine in (was, will), f"trial {n}: feed {f} half-stored"
        partial += old_entries != now != new_entries
        _cli(trial, "fetch")
        assert _entries(db) == new_entries, f"trial {n} (killed at {moment}): store differs"
        assert _files(trial / "out") == fetched, f"trial {n}: re-run published other files"
    print(f"\nfetch: {killed} of {TRIALS} runs killed, {partial} with some feeds stored")
    assert killed >= TRIALS // 2, "most trials must really kill the run mid-way"


def test_a_second_build_of_the_same_week_publishes_the_same_files(scenario: Scenario) -> None:
    assert _files(scenario.rebuilt / "out") == _files(scenario.built / "out")


N_SUBSCRIBERS = 12


def _subscribers(n: int) -> list[str]:
    """Trial n's subscribers: their own domain, so one SMTP server can serve every trial."""
    return [f"reader{i:02d}@t{n}.example.com" for i in range(N_SUBSCRIBERS)]


class Mailbox:
    """What the aiosmtpd sink (its own process) accepted: envelope recipient per message file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen: dict[str, str] = {}

    def recipients(self) -> list[str]:
        for path in self.folder.glob("*.eml"):  # written whole, by rename: never half a file
            if path.name not in self.seen:
                first = path.read_bytes().partition(b"\r\n")[0].decode()
                self.seen[path.name] = first.removeprefix("X-Sink-Rcpt: ")
        return list(self.seen.values())

    def count(self, domain: str) -> Counter[str]:
        return Counter(r for r in self.recipients() if r.endswith("@" + domain))


def test_send_killed_at_random_moments_never_sends_anyone_two_copies(
    scenario: Scenario, tmp_path: Path
) -> None:
    """Kill `send` to a local aiosmtpd (own process), send again: nobody ever gets two copies."""
    sink = start_sink(tmp_path / "mail")
    mailbox = Mailbox(sink.folder)
    try:
        trials = [tmp_path / f"t{n}" for n in range(SEND_TRIALS)]
        for n, trial in enumerate(trials):
            shutil.copytree(scenario.built, trial)
            csv = trial / "subscribers.csv"
            csv.write_text("email\n" + "\n".join(_subscribers(n)) + "\n")
            _cli(trial, "subscribers", "import", str(csv))
            (trial / "smtp-url").write_text(f"smtp://127.0.0.1:{sink.port}")

        def mailed(trial: Path) -> int:
            return sum(mailbox.count(f"{trial.name}.example.com").values())

        started = time.perf_counter()
        args = ("send", "--week", WEEK, "--rate", "10")
        assert not _kill_at(trials[0], Moment(), mailed, *args)  # the uninterrupted reference
        runtime = time.perf_counter() - started
        assert mailbox.count("t0.example.com") == dict.fromkeys(_subscribers(0), 1)
        moments = _moments(11, runtime, N_SUBSCRIBERS)
        killed = _kill_all(trials[1:], moments, mailed, *args)
        partial = uncertain_total = 0
        for n, trial in enumerate(trials[1:], start=1):
            assert _integrity(trial / "crpsdigest.sqlite3") == "ok"
            partial += 0 < mailed(trial) < N_SUBSCRIBERS
            env = {"CRPSDIGEST_SMTP_URL": (trial / "smtp-url").read_text()}
            rerun = CliRunner().invoke(
                cli, ["--config", str(trial / "feeds.yaml"), "send", "--week", WEEK], env=env
            )
            counts = mailbox.count(f"t{n}.example.com")
            assert max(counts.values()) == 1, f"trial {n}: someone got two copies: {counts}"
            everyone = set(_subscribers(n))
            uncertain = {a for a in everyone if f"uncertain: {a}:" in rerun.output}
            assert len(uncertain) <= 1, "at most the message in flight at the kill is in doubt"
            assert set(counts) | uncertain == everyone, f"trial {n}: someone got nothing"
            assert rerun.exit_code == (1 if uncertain else 0), rerun.output
            uncertain_total += len(uncertain)
    finally:
        sink.stop()
    print(
        f"\nsend: {killed} of {TRIALS} runs killed, {partial} mid-way through the list, "
        f"{uncertain_total} uncertain (reported, never sent twice)"
    )
    assert killed >= TRIALS // 2
