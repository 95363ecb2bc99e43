"""The parse worker pool: answers in real processes, survives a worker that dies mid-feed."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from crpsdigest.workers import WorkerDied, WorkerPool


def square_in(x: int) -> tuple[int, int]:
    """A task: which process ran it, and its answer."""
    if x == -1:
        raise ValueError("bad input -1")
    if x == -2:
        os._exit(3)  # what a crash in a C extension on a hostile feed looks like from outside
    if x == -3:
        time.sleep(0.3)  # the worker is busy when the next tasks are queued behind it
    return os.getpid(), x * x


def test_results_come_from_other_processes_and_match_each_call() -> None:
    async def go() -> list[tuple[int, int]]:
        pool = await WorkerPool.start(square_in, 2)
        try:
            return list(await asyncio.gather(*(pool.run(i) for i in range(200))))
        finally:
            await pool.close()

    results = asyncio.run(go())
    assert [answer for _, answer in results] == [i * i for i in range(200)]
    pids = {pid for pid, _ in results}
    assert os.getpid() not in pids and len(pids) == 2  # both workers did work


def test_an_exception_in_the_task_is_raised_to_the_caller() -> None:
    async def go() -> None:
        pool = await WorkerPool.start(square_in, 2)
        try:
            with pytest.raises(ValueError, match="bad input -1"):
                await pool.run(-1)
            assert (await pool.run(3))[1] == 9  # and the worker goes on
        finally:
            await pool.close()

    asyncio.run(go())


def test_a_worker_that_dies_fails_only_its_task_and_is_replaced() -> None:
    async def go() -> tuple[list[object], list[int]]:
        pool = await WorkerPool.start(square_in, 1)  # one worker: everything queues behind it
        try:
            slow = asyncio.ensure_future(pool.run(-3))
            await asyncio.sleep(0.05)
            crash = asyncio.ensure_future(pool.run(-2))
            after = [asyncio.ensure_future(pool.run(i)) for i in range(5)]
            outcomes = await asyncio.gather(slow, crash, *after, return_exceptions=True)
            # the pool still works afterwards (a new worker took over)
            later = [(await pool.run(i))[1] for i in range(3)]
            return list(outcomes), later
        finally:
            await pool.close()

    outcomes, later = asyncio.run(go())
    assert outcomes[0][1] == 9  # type: ignore[index]  # the task before the crash
    assert isinstance(outcomes[1], WorkerDied) and "exit code 3" in str(outcomes[1])
    assert [o[1] for o in outcomes[2:]] == [0, 1, 4, 9, 16]  # type: ignore[index]
    assert later == [0, 1, 4]


def test_close_leaves_no_worker_running() -> None:
    async def go() -> list[int]:
        pool = await WorkerPool.start(square_in, 2)
        await pool.run(2)
        pids = [w.process.pid for w in pool.workers]
        await pool.close()
        return pids

    for pid in asyncio.run(go()):
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


FORKED = """
import asyncio, json, os, sys, time
sys.path.insert(0, sys.argv[1])
from test_workers import square_in
from crpsdigest.workers import WorkerPool

async def go():
    pool = WorkerPool.fork(square_in, 2)
    assert pool is not None, "a process with one thread may fork its workers"
    await pool.ready()
    results = await asyncio.gather(*(pool.run(i) for i in range(50)))
    pids = [w.process.pid for w in pool.workers]
    started = time.perf_counter()
    await pool.close()
    return results, pids, time.perf_counter() - started

results, pids, closing = asyncio.run(go())
print(json.dumps({"results": results, "pids": pids, "closing": closing, "me": os.getpid()}))
"""


def test_forked_workers_answer_and_exit_when_closed(tmp_path: Path) -> None:
    # In a fresh interpreter: forking is only allowed while the process has a single thread.
    script = tmp_path / "forked.py"
    script.write_text(FORKED)
    done = subprocess.run(
        [sys.executable, str(script), str(Path(__file__).parent)],
        capture_output=True, text=True, timeout=60, check=True,
    )
    out = json.loads(done.stdout)
    assert [answer for _, answer in out["results"]] == [i * i for i in range(50)]
    assert out["me"] not in {pid for pid, _ in out["results"]}
    # each worker saw its task pipe close (no forked sibling kept a copy open): no 5 s kill wait
    assert out["closing"] < 2
    for pid in out["pids"]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_fork_is_refused_while_another_thread_runs() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert WorkerPool.fork(square_in, 2) is None
    finally:
        stop.set()
        thread.join()


# Records whether each WorkerPool.fork call forked (True) or declined (None returned).
FORK_SPY = """
import json, sys
from crpsdigest import workers

forked = []
real_fork = workers.WorkerPool.fork.__func__

def spy(cls, fn, count):
    pool = real_fork(cls, fn, count)
    forked.append(pool is not None)
    return pool

workers.WorkerPool.fork = classmethod(spy)
"""

FIRST_RUN = FORK_SPY + """
from crpsdigest.fetch import FetchOptions, fetch_all_sync
from crpsdigest.models import FeedRef

feeds = [FeedRef(url=path, name=f"feed {i}") for i, path in enumerate(sys.argv[1:])]
options = FetchOptions(parse_workers=2, trust_env=False)
results = fetch_all_sync(feeds, {}, options)
print(json.dumps({"forked": forked, "outcomes": [r.outcome for r in results],
                  "entries": [len(r.parsed.entries) if r.parsed else 0 for r in results]}))
"""


def test_a_first_run_forks_its_workers_and_parses_every_feed(tmp_path: Path) -> None:
    # 20 never-fetched feeds: fetch_all forks the parse workers before opening anything (in a
    # fresh, single-threaded interpreter, as the CLI is).
    fixture = Path(__file__).parent / "fixtures" / "feeds" / "painwire.rss"
    paths = []
    for i in range(20):
        path = tmp_path / f"feed{i}.rss"
        path.write_bytes(fixture.read_bytes())
        paths.append(str(path))
    script = tmp_path / "first_run.py"
    script.write_text(FIRST_RUN)
    done = subprocess.run(
        [sys.executable, str(script), *paths], capture_output=True, text=True, timeout=120,
        check=True,
    )
    out = json.loads(done.stdout)
    assert out["forked"] == [True]
    assert out["outcomes"] == ["new"] * 20
    expected = fixture.read_text().count("<item>")
    assert out["entries"] == [expected] * 20


ON_A_TERMINAL = FORK_SPY + """
from crpsdigest.cli import main

config, report = sys.argv[1:]
sys.argv = ["crpsdigest", "--config", config, "fetch"]
try:
    main()
finally:
    with open(report, "w") as out:
        json.dump({"forked": forked, "tty": sys.stdout.isatty()}, out)
"""


def test_a_first_run_on_a_terminal_forks_its_workers_and_prints_problems_and_the_summary(
    tmp_path: Path,
) -> None:
    """On a terminal the progress bar must not cost the first run its quick fork (workers are
    forked only while the process has one thread; a bar that refreshes from a thread is one)."""
    import os
    import pty

    fixture = Path(__file__).parent / "fixtures" / "feeds" / "painwire.rss"
    lines = ["digest:", "  title: T", "  site_url: https://digest.example.org/",
             "  editor_email: editor@example.org", "feeds:"]
    for i in range(20):
        (tmp_path / f"feed{i}.rss").write_bytes(fixture.read_bytes())
        lines += [f"  - name: Feed {i}", f"    url: feed{i}.rss", "    topic: crps"]
    lines += ["  - name: Missing", "    url: missing.rss", "    topic: crps"]  # printed above the bar
    (tmp_path / "feeds.yaml").write_text("\n".join(lines) + "\n")
    script = tmp_path / "on_a_terminal.py"
    script.write_text(ON_A_TERMINAL)
    report = tmp_path / "report.json"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path / "feeds.yaml"), str(report)],
        stdin=terminal, stdout=terminal, stderr=terminal, cwd=tmp_path,
    )
    os.close(terminal)
    output = b""
    while True:  # read the terminal until the process closes it
        try:
            chunk = os.read(controller, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=120) == 0, output.decode(errors="replace")
    text = output.decode(errors="replace")
    assert "feed 'Missing': file not found" in text
    assert "20 feeds ok, 0 unchanged, 1 failed" in text
    got = json.loads(report.read_text())
    assert got == {"forked": [True], "tty": True}
