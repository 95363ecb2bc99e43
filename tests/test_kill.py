"""A run killed at any moment (cron timeout, reboot, OOM killer) loses nothing and breaks nothing.

`crpsdigest fetch` and `build` run as real processes (`python -m crpsdigest`) and get SIGKILL
after seeded random delays spread over their measured runtime. After each kill: every published
output is still whole (each file is byte-for-byte the old or the new version; Atom still parses),
the SQLite store passes ``PRAGMA integrity_check``, each feed's entries are all old or all new,
and a re-run produces exactly the outputs of a run that was never interrupted.
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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import feedparser
import html5lib
import pytest

from tests.conftest import ROOT, run_cli, write_config

TRIALS = 20
WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
N_FEEDS, N_ITEMS = 8, 8


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
    fetch_seconds: float
    build_seconds: float
    start_seconds: float  # interpreter start and imports, before any work


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
    start_seconds = _timed(built, "--version")
    print(
        f"\nkill: start {start_seconds:.2f}s, fetch {fetch_seconds:.2f}s, build {build_seconds:.2f}s"
    )
    return Scenario(before, fetched, built, fetch_seconds, build_seconds, start_seconds)


def _kill_after(folder: Path, delay: float, *args: str) -> int | None:
    """Start `python -m crpsdigest ARGS`, SIGKILL it after ``delay`` s; None if it finished."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crpsdigest", "--config", str(folder / "feeds.yaml"), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT,
    )  # fmt: skip
    try:
        proc.wait(timeout=delay)
        return None
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        return proc.wait()


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


def _delays(seed: int, start: float, runtime: float) -> list[float]:
    """Seeded delays: half over the whole run, half while it does its work (after imports).

    Kept below the measured runtime, which varies with machine load, so most runs are killed.
    """
    rng = random.Random(seed)
    end = runtime * 0.95
    whole = [rng.uniform(0.05, end) for _ in range(TRIALS // 2)]
    work = [rng.uniform(min(start, end * 0.8), end) for _ in range(TRIALS - TRIALS // 2)]
    return whole + work


def _kill_all(trials: list[Path], delays: list[float], *args: str) -> int:
    """Kill one run per trial folder (two at a time: the runs share nothing); count real kills."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(lambda td: _kill_after(td[0], td[1], *args), zip(trials, delays, strict=True))
        )
    return sum(code is not None for code in outcomes)


def test_build_killed_at_random_moments_breaks_nothing(scenario: Scenario, tmp_path: Path) -> None:
    old = _files(scenario.fetched / "out")
    new = _files(scenario.built / "out")
    assert old != new, "the killed build must have something to rewrite"
    delays = _delays(9, scenario.start_seconds, scenario.build_seconds)
    trials = [tmp_path / f"t{n}" for n in range(TRIALS)]
    for trial in trials:
        shutil.copytree(scenario.fetched, trial)
    killed = _kill_all(trials, delays, "build", "--week", WEEK)
    rewritten = 0
    for n, (trial, delay) in enumerate(zip(trials, delays, strict=True)):
        _check_published(trial, old, new)
        rewritten += _files(trial / "out") != old
        assert _integrity(trial / "crpsdigest.sqlite3") == "ok"
        _cli(trial, "build", "--week", WEEK)
        assert _files(trial / "out") == new, f"trial {n} (kill after {delay:.2f}s): re-run differs"
    print(f"\nbuild: {killed} of {TRIALS} runs killed, {rewritten} after writing some output")
    assert killed >= TRIALS // 4, "many trials must really kill the run mid-way"


def test_fetch_killed_at_random_moments_loses_nothing(scenario: Scenario, tmp_path: Path) -> None:
    old = _files(scenario.before / "out")
    fetched = _files(scenario.fetched / "out")  # fetch itself publishes the feed health page
    final = _files(scenario.built / "out")
    old_entries = _entries(scenario.before / "crpsdigest.sqlite3")
    new_entries = _entries(scenario.built / "crpsdigest.sqlite3")
    assert old_entries != new_entries
    delays = _delays(10, scenario.start_seconds, scenario.fetch_seconds)
    trials = [tmp_path / f"t{n}" for n in range(TRIALS)]
    for trial in trials:
        shutil.copytree(scenario.before, trial)
    killed = _kill_all(trials, delays, "fetch")
    partial = 0
    for n, (trial, delay) in enumerate(zip(trials, delays, strict=True)):
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
        _cli(trial, "build", "--week", WEEK)
        assert _entries(db) == new_entries
        assert _files(trial / "out") == final, (
            f"trial {n} (kill after {delay:.2f}s): re-run differs"
        )
    print(f"\nfetch: {killed} of {TRIALS} runs killed, {partial} with some feeds stored")
    assert killed >= TRIALS // 4, "many trials must really kill the run mid-way"
