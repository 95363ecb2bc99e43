"""Benchmark the fetch stage (not a test): synthetic feeds on loopback hosts, cold then warm.

    python bench/fetch.py [--feeds 500] [--hosts 100] [--latency 0.2] [--entries 20] [--no-reader]
                          [--reader-workers N ...] [--cli]

Starts its own HTTP servers in a separate process, one per address 127.0.0.2 … 127.0.0.(hosts+1)
(loopback only), each answering after ``--latency`` seconds with an ETag, and 304 to a matching
If-None-Match. Runs crpsdigest's fetch + parse (+ store into a temp SQLite) cold, then warm, and
prints wall time, requests, 304s, entries, peak memory (RSS of the main process; RSS summed over
it and its parse workers, and PSS, which counts pages they share once) and the most connections
one host saw at once. Memory and CPU are sampled from a separate process. Then updates the same
feeds with the ``reader`` library (installed only in bench/.venv-reader, created here on first
use) with as many worker threads as crpsdigest's global limit (or each --reader-workers given),
and prints the ratio. ``--cli`` also times the real `crpsdigest fetch` command end to end. Targets (issue 3): cold ≤ 2 s and ≥ 3.5× faster than reader, warm ≤ 1 s with no
entry parsed, connections per host ≤ the per-host limit, peak RSS ≤ 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from crpsdigest.fetch import FeedState, FetchOptions, FetchResult, fetch_all_sync
from crpsdigest.models import FeedRef

HERE = Path(__file__).resolve().parent
READER_VENV = HERE / ".venv-reader"

# ---------------------------------------------------------------- the synthetic feed servers


def make_feed(i: int, entries: int) -> bytes:
    """An RSS 2.0 feed shaped like a news or journal feed (dates, authors, HTML summaries)."""
    start = datetime(2026, 11, 20, tzinfo=UTC)
    items = []
    for j in range(entries):
        date = (start - timedelta(hours=7 * j + i)).strftime("%a, %d %b %Y %H:%M:%S +0000")
        items.append(
            f"<item><title>Feed {i} item {j}: ketamine infusion and graded motor imagery in "
            f"complex regional pain syndrome</title>"
            f"<link>https://news{i % 97}.example.org/{i}/{j}/crps-story?utm_source=rss</link>"
            f'<guid isPermaLink="false">https://news{i % 97}.example.org/?p={i * 1000 + j}</guid>'
            f"<pubDate>{date}</pubDate><dc:creator><![CDATA[Author {j}]]></dc:creator>"
            f"<category>CRPS</category><category>Treatment</category>"
            f"<description><![CDATA[<p>A study of {20 + j} patients with CRPS type I found that "
            f"<strong>low-dose naltrexone</strong> reduced pain scores; doi:10.1000/crps.{i}.{j}. "
            f"Researchers at the clinic said further trials (NCT0{1000000 + i * 50 + j}) are "
            f"planned.</p><p>The post appeared first on Example News.</p>]]></description>"
            f"</item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>Synthetic feed {i}</title><link>https://news{i % 97}.example.org/</link>"
        f"<description>Bench feed</description>{''.join(items)}</channel></rss>"
    ).encode()


def serve(hosts: int, feeds: int, entries: int, latency: float, conn: Any) -> None:
    """Server process: asyncio HTTP/1.1 keep-alive on each loopback address, plus a stats port."""
    loop = asyncio.new_event_loop()
    loop.run_until_complete(_serve(hosts, feeds, entries, latency, conn))
    os._exit(0)  # skip cancelling open keep-alive handlers: nothing to clean up in a bench server


async def _serve(hosts: int, feeds: int, entries: int, latency: float, conn: Any) -> None:
    bodies = {f"/feed/{i}.xml": make_feed(i, entries) for i in range(feeds)}
    etags = {p: '"' + hashlib.sha1(b).hexdigest()[:16] + '"' for p, b in bodies.items()}
    stats: dict[str, Any] = {"requests": 0, "200": 0, "304": 0}
    open_now: Counter[str] = Counter()
    max_open: Counter[str] = Counter()
    done = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        host = writer.get_extra_info("sockname")[0]
        open_now[host] += 1
        max_open[host] = max(max_open[host], open_now[host])
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                headers: dict[str, str] = {}
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    headers[k.strip().lower()] = v.strip()
                path = line.split(b" ")[1].decode()
                if path.startswith("/__stats"):
                    out = dict(stats, max_open_per_host=max(max_open.values(), default=0),
                               hosts_seen=len(max_open))
                    if "reset" in path:
                        stats.update({"requests": 0, "200": 0, "304": 0})
                        max_open.clear()
                    if "stop" in path:
                        done.set()
                    payload = json.dumps(out).encode()
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                 b"Content-Length: %d\r\n\r\n%s" % (len(payload), payload))
                    await writer.drain()
                    continue
                stats["requests"] += 1
                await asyncio.sleep(latency)
                body = bodies.get(path)
                if body is None:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                elif headers.get("if-none-match") == etags[path]:
                    stats["304"] += 1
                    writer.write(b"HTTP/1.1 304 Not Modified\r\nETag: %s\r\n\r\n"
                                 % etags[path].encode())
                else:
                    stats["200"] += 1
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\n"
                        b"ETag: %s\r\nContent-Length: %d\r\n\r\n%s"
                        % (etags[path].encode(), len(body), body)
                    )
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            open_now[host] -= 1
            writer.close()

    servers = []
    addresses = []
    for h in range(hosts):
        address = f"127.0.0.{2 + h}"
        server = await asyncio.start_server(handle, address, 0, backlog=512)
        servers.append(server)
        addresses.append((address, server.sockets[0].getsockname()[1]))
    control = await asyncio.start_server(handle, "127.0.0.1", 0)
    conn.send({"hosts": addresses, "control": control.sockets[0].getsockname()[1]})
    await done.wait()
    for s in [*servers, control]:
        s.close()


def get_stats(port: int, action: str = "") -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/__stats{action}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=10) as response:
        data: dict[str, Any] = json.loads(response.read())
        return data


# ---------------------------------------------------------------- measuring


def _memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB; PSS shares each page among the processes mapping it."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def _tree(root: int, exclude: set[int]) -> list[int]:
    """``root`` and its descendants, from /proc/<pid>/task/<tid>/children."""
    tree, frontier = [root], [root]
    while frontier:
        pid = frontier.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in exclude and child not in tree:
                    tree.append(child)
                    frontier.append(child)
    return tree


def _sample(root: int, exclude: set[int], conn: Any) -> None:
    """The sampler process: every 0.2 s, memory and CPU of ``root``'s tree; answers queries."""
    exclude = exclude | {os.getpid()}
    peak = {"rss_self": 0, "rss_tree": 0, "pss_tree": 0}
    ticks: dict[int, int] = {}  # last seen utime+stime of each process in the tree
    while True:
        tree = _tree(root, exclude)
        memory = [_memory_kb(pid) for pid in tree]
        peak["rss_self"] = max(peak["rss_self"], memory[0][0])
        peak["rss_tree"] = max(peak["rss_tree"], sum(m[0] for m in memory))
        peak["pss_tree"] = max(peak["pss_tree"], sum(m[1] for m in memory))
        for pid in tree:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks[pid] = int(fields[11]) + int(fields[12])
            except (OSError, IndexError, ValueError):
                continue
        if conn.poll(0.2):
            ask = conn.recv()
            if ask == "stop":
                conn.send(peak)
                return
            conn.send(sum(ticks.values()) / os.sysconf("SC_CLK_TCK"))


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class RssSampler:
    """Peak memory of this process and of its children (parse workers), and their CPU time.

    Sampled from a separate process: a thread here would share the GIL with the event loop it
    measures, and while any other thread runs, crpsdigest does not fork its parse workers.
    """

    def __init__(self, exclude: set[int]) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, theirs = ctx.Pipe()
        self.process = ctx.Process(target=_sample, args=(os.getpid(), exclude, theirs),
                                   daemon=True)
        self.peak: dict[str, int] = {}

    def cpu_seconds(self) -> float:
        """CPU used so far by this process and its parse workers (sampled every 0.2 s)."""
        time.sleep(0.25)  # let the sampler see the latest state
        self.conn.send("cpu")
        return float(self.conn.recv())

    def __enter__(self) -> RssSampler:
        self.process.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.send("stop")
        self.peak = self.conn.recv()
        self.process.join()


def feedparser_only(body: bytes, feed: FeedRef, headers: Mapping[str, str]) -> Any:
    """feedparser alone, no cleaning: the same parsing work reader does, for a like-for-like run."""
    import feedparser

    from crpsdigest.models import Entry
    from crpsdigest.parse import ParsedFeed

    d = feedparser.parse(body, response_headers=dict(headers))
    entries = [
        Entry(feed=feed, guid=str(e.get("id") or e.get("link")), title=str(e.get("title", "")),
              link=str(e.get("link", "")), canonical_url=str(e.get("link", "")),
              summary_html=str(e.get("summary", "")))
        for e in d.entries
    ]
    return ParsedFeed(entries=entries, title=str(d.feed.get("title", "")))


def run_crpsdigest(
    refs: list[FeedRef],
    states: dict[str, FeedState],
    options: FetchOptions,
    db: Path,
    parser: str,
) -> tuple[float, list[FetchResult], int]:
    """One run of fetch + parse + store, as `crpsdigest fetch` does it; returns wall, results."""
    from crpsdigest.ingest import FeedWriter, parse_for_store
    from crpsdigest.store import Store

    now = datetime.now(UTC)
    new_entries = 0
    with Store(db) as store:
        writer = FeedWriter(store, now)  # what `crpsdigest fetch` stores with

        def on_result(result: FetchResult, done: int, total: int) -> None:
            nonlocal new_entries
            new_entries += writer.save(result)

        started = time.perf_counter()
        cpu = os.times()
        parse = (partial(parse_for_store, fetched_at=now) if parser == "crpsdigest"
                 else feedparser_only)
        results = fetch_all_sync(refs, states, options, parse, on_result)
        writer.flush()
        wall = time.perf_counter() - started
        now_cpu = os.times()
        cpu_main = now_cpu.user + now_cpu.system - cpu.user - cpu.system
    print(f"  (CPU: {cpu_main:.2f} s in the main process; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    for r in results:
        states[r.feed.url] = r.state
    return wall, results, new_entries


def run_cli(urls: list[str], control: int) -> None:
    """`crpsdigest fetch` as an editor's cron job runs it: a new process, feeds.yaml, the store."""
    script = Path(sys.executable).with_name("crpsdigest")
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "feeds.yaml"
        lines = ["digest:", "  title: Bench", "  site_url: https://bench.example.org/",
                 "  editor_email: bench@example.org", "feeds:"]
        for i, url in enumerate(urls):
            lines += [f"  - name: Feed {i}", f"    url: {url}", "    topic: crps"]
        config.write_text("\n".join(lines) + "\n")
        for label in ("cold", "warm"):
            get_stats(control, "?reset")
            started = time.perf_counter()
            done = subprocess.run([str(script), "--config", str(config), "fetch"], env=env,
                                  capture_output=True, text=True, check=False)
            wall = time.perf_counter() - started
            st = get_stats(control, "?reset")
            summary = done.stdout.strip().splitlines()[-1:] or done.stderr.strip().splitlines()[-1:]
            print(f"`crpsdigest fetch` {label} (whole process): {wall:.2f} s wall, exit "
                  f"{done.returncode}, {st['requests']} requests, {st['304']} × 304; "
                  f"{summary[0] if summary else ''}")


READER_SCRIPT = r"""
import json, sys, time
from reader import make_reader
urls, workers, db = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
r = make_reader(db)
for u in urls:
    r.add_feed(u)
out = {}
for label in ("cold", "warm"):
    t, c = time.perf_counter(), time.process_time()
    r.update_feeds(workers=workers, scheduled=False)
    out[label] = time.perf_counter() - t
    out[label + "_cpu"] = time.process_time() - c
out["entries"] = r.get_entry_counts().total
out["broken"] = sum(1 for f in r.get_feeds() if f.last_exception)
print(json.dumps(out))
"""


def ensure_reader() -> Path | None:
    python = READER_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {READER_VENV} with the reader library (benchmark only)…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(READER_VENV)], check=True)
        # sgmllib3k: feedparser's loose parser needs sgmllib, which reader's install may lack
        done = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "reader", "sgmllib3k"], check=False
        )
        if done.returncode:
            return None
    return python


def run_reader(urls: list[str], workers: int, control: int) -> dict[str, Any] | None:
    python = ensure_reader()
    if python is None:
        print("reader: could not install; skipped")
        return None
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "urls.json").write_text(json.dumps(urls))
        (Path(tmp) / "run.py").write_text(READER_SCRIPT)
        env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
        get_stats(control, "?reset")
        # sgmllib3k: feedparser's loose parser needs sgmllib, which reader's install may lack
        done = subprocess.run(
            [str(python), str(Path(tmp) / "run.py"), str(Path(tmp) / "urls.json"), str(workers),
             str(Path(tmp) / "reader.sqlite")],
            capture_output=True, text=True, env=env, check=False,
        )
        if done.returncode:
            print("reader failed:", done.stderr.strip().splitlines()[-1:])
            return None
        result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        result["server"] = get_stats(control, "?reset")
        return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--no-reader", action="store_true", help="skip the reader comparison")
    ap.add_argument(
        "--reader-workers", type=int, action="append",
        help="reader's worker threads (repeatable) [default: crpsdigest's global limit]",
    )
    ap.add_argument(
        "--cli", action="store_true",
        help="also time the real command, `crpsdigest fetch` in a subprocess (startup, config,\n"
        "store and all), cold then warm, on the same feeds",
    )
    ap.add_argument(
        "--parse", choices=("crpsdigest", "feedparser"), default="crpsdigest",
        help="crpsdigest: ingest.parse_for_store (parse_feed + the store's rows, what `crpsdigest fetch` runs);"
        "\nfeedparser: feedparser alone, the parsing reader does (compares the fetch stage)",
    )
    args = ap.parse_args()
    if not 1 <= args.hosts <= 200:
        ap.error("--hosts must be 1..200 (addresses 127.0.0.2 … 127.0.0.201)")

    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, daemon=True,
                         args=(args.hosts, args.feeds, args.entries, args.latency, child))
    server.start()
    info = parent.recv()
    hosts, control = info["hosts"], info["control"]
    refs = [
        FeedRef(url=f"http://{hosts[i % len(hosts)][0]}:{hosts[i % len(hosts)][1]}/feed/{i}.xml",
                name=f"feed {i}")
        for i in range(args.feeds)
    ]
    options = FetchOptions(trust_env=False)
    print(f"{args.feeds} feeds on {args.hosts} loopback hosts, {args.latency * 1000:g} ms latency, "
          f"{args.entries} entries each; limits: {options.max_connections} connections, "
          f"{options.per_host} per host; {os.cpu_count()} cores; parse: {args.parse}")
    states: dict[str, FeedState] = {}
    ours: dict[str, float] = {}
    ours_cpu: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp, RssSampler({server.pid or -1}) as rss:
            db = Path(tmp) / "bench.sqlite3"
            for label in ("cold", "warm"):
                get_stats(control, "?reset")
                time.sleep(0.3)
                cpu_before = rss.cpu_seconds()
                server_before, machine_before = _cpu_seconds(server.pid or 0), _machine_ticks()
                wall, results, new = run_crpsdigest(refs, states, options, db, args.parse)
                machine_after, server_used = _machine_ticks(), _cpu_seconds(server.pid or 0)
                server_used -= server_before
                busy = (machine_after[0] - machine_before[0]) / max(
                    1, machine_after[1] - machine_before[1])
                time.sleep(0.3)
                cpu_used = rss.cpu_seconds() - cpu_before
                st = get_stats(control, "?reset")
                outcomes = Counter(r.outcome for r in results)
                parsed = sum(len(r.parsed.entries) for r in results if r.parsed is not None)
                ours[label] = wall
                ours_cpu[label] = cpu_used
                print(f"crpsdigest {label}: {wall:.2f} s wall, {st['requests']} requests, "
                      f"{st['304']} × 304, {parsed} entries parsed, {new} new in the store, "
                      f"outcomes {dict(outcomes)}, max {st['max_open_per_host']} connections "
                      f"to one host (limit {options.per_host}); {cpu_used:.1f} CPU-s with workers")
                print(f"  (the bench's own HTTP server used {server_used:.2f} CPU-s; all cores were "
                      f"{busy:.0%} busy during the run, counting every process on the machine)")
                errors = [r.line for r in results if r.outcome == "error"][:3]
                for line in errors:
                    print("  error:", line)
        peak = rss.peak
        print(f"crpsdigest peak RSS: {peak['rss_self'] / 1024:.0f} MB main process, "
              f"{peak['rss_tree'] / 1024:.0f} MB with parse workers (sum of their RSS; "
              f"PSS, shared pages counted once: {peak['pss_tree'] / 1024:.0f} MB)")
        if args.cli:
            run_cli([r.url for r in refs], control)
        for workers in ([] if args.no_reader else args.reader_workers or [options.max_connections]):
            got = run_reader([r.url for r in refs], workers, control)
            if got:
                srv = got["server"]
                print(f"reader ({workers} workers): cold {got['cold']:.2f} s "
                      f"({got['cold_cpu']:.1f} CPU-s), warm {got['warm']:.2f} s "
                      f"({got['warm_cpu']:.1f} CPU-s), {got['entries']} entries, {srv['requests']} "
                      f"requests, {srv['304']} × 304, max {srv['max_open_per_host']} connections "
                      f"to one host")
                print(f"ratio reader / crpsdigest, wall: cold {got['cold'] / ours['cold']:.1f}×, "
                      f"warm {got['warm'] / ours['warm']:.1f}×; CPU time: cold "
                      f"{got['cold_cpu'] / ours_cpu['cold']:.1f}×, "
                      f"warm {got['warm_cpu'] / ours_cpu['warm']:.1f}×")
    finally:
        with contextlib.suppress(OSError):
            get_stats(control, "?stop")
        server.join(timeout=5)
        if server.is_alive():
            server.terminate()


if __name__ == "__main__":
    main()
