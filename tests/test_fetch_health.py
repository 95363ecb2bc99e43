"""Feed health as editors see it: `crpsdigest fetch` / `feeds` over loopback, and health.html."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from servers import FaultServer, fault_server, rss

from crpsdigest.cli import cli
from crpsdigest.fetch import FeedState
from crpsdigest.health import health_rows, write_health
from crpsdigest.models import FeedRef

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server() as srv:
        yield srv


def _config(tmp_path: Path, feeds: list[tuple[str, str]]) -> Path:
    lines = [
        "digest:",
        "  title: Test digest",
        "  site_url: https://digest.example.org/",
        "  editor_email: editor@example.org",
        "feeds:",
    ]
    for name, url in feeds:
        lines += [f"  - name: {name}", f"    url: {url}", "    topic: crps"]
    path = tmp_path / "feeds.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_fetch_command_reports_moves_and_gone_then_feeds_shows_them(
    server: FaultServer, tmp_path: Path
) -> None:
    local = tmp_path / "local.rss"
    local.write_bytes(rss("local", 2))
    config = _config(tmp_path, [
        ("Good", server.url("/feed/g1")),
        ("Moved", server.url("/moved")),
        ("Gone", server.url("/gone")),
        ("Local", "local.rss"),
    ])
    before = config.read_bytes()
    runner = CliRunner()
    args = ["--config", str(config)]
    first = runner.invoke(cli, [*args, "fetch"])
    assert first.exit_code == 0, first.output
    out = first.output
    assert "feed 'Good': 3 entries — 3 new" in out
    assert (f"feeds.yaml: feed 'Moved': change url: {server.url('/moved')} → "
            f"{server.url('/feed/new-home')}") in out
    assert "feed 'Gone': HTTP 410 Gone" in out
    assert re.search(r"3 feeds ok, 0 unchanged, 1 failed; 8 new entries", out), out
    assert config.read_bytes() == before  # feeds.yaml is never rewritten

    health = (tmp_path / "out" / "health.html").read_text()
    assert "change url:" in health and "HTTP 410 Gone" in health

    second = runner.invoke(cli, [*args, "fetch"])
    assert second.exit_code == 0
    assert "feed 'Good': unchanged (HTTP 304)" in second.output
    assert "feed 'Gone': gone (HTTP 410 since" in second.output
    assert server.log.hits["/gone"] == 1  # not asked again

    table = runner.invoke(cli, [*args, "feeds"])
    assert table.exit_code == 0
    assert "gone" in table.output and "moved" in table.output
    reset = runner.invoke(cli, [*args, "feeds", "reset", server.url("/gone")])
    assert reset.exit_code == 0 and "will be fetched on the next run" in reset.output
    runner.invoke(cli, [*args, "fetch"])
    assert server.log.hits["/gone"] == 2  # asked again after the editor's reset

    bad = runner.invoke(cli, [*args, "feeds", "reset", "https://nowhere.example/x"])
    assert bad.exit_code == 2 and "is not a feed" in bad.output


def test_fetch_exits_1_when_no_feed_could_be_fetched(server: FaultServer, tmp_path: Path) -> None:
    config = _config(tmp_path, [("Missing", server.url("/missing")),
                                ("Refused", "http://127.0.0.1:9/feed")])
    result = CliRunner().invoke(cli, ["--config", str(config), "fetch"])
    assert result.exit_code == 1, result.output
    assert "0 feeds ok, 0 unchanged, 2 failed" in result.output


def test_health_rows_flag_each_problem_with_the_fix() -> None:
    feeds = [
        FeedRef(url="https://a.example/feed", name="A"),
        FeedRef(url="http://www.a.example/feed/", name="A again"),
        FeedRef(url="https://b.example/rss", name="B"),
        FeedRef(url="https://c.example/rss", name="C"),
        FeedRef(url="https://d.example/rss", name="D"),
        FeedRef(url="https://e.example/rss", name="E"),
        FeedRef(url="https://f.example/rss", name="F"),
    ]
    day = timedelta(days=1)
    states = {
        "https://a.example/feed": FeedState("https://a.example/feed", last_success=NOW,
                                            last_changed=NOW - day),
        "https://b.example/rss": FeedState("https://b.example/rss", gone=True, last_attempt=NOW),
        "https://c.example/rss": FeedState(
            "https://c.example/rss", consecutive_failures=4, last_error="HTTP 503",
            failing_since=NOW - 3 * day, last_success=NOW - 4 * day),
        "https://d.example/rss": FeedState("https://d.example/rss", last_success=NOW,
                                           last_changed=NOW - 45 * day),
        "https://e.example/rss": FeedState("https://e.example/rss", last_success=NOW,
                                           last_changed=NOW,
                                           redirect_to="https://e2.example/rss"),
    }
    rows = {r.feed.name: r for r in health_rows(states, feeds, NOW)}
    assert rows["B"].status == "gone" and "feeds reset https://b.example/rss" in rows["B"].action
    assert rows["C"].status == "broken"
    assert "4 failure(s) in a row since 2026-11-21" in rows["C"].detail
    assert "HTTP 503" in rows["C"].detail and rows["C"].action
    assert rows["D"].status == "stale" and "no new content for 45 days" in rows["D"].detail
    assert rows["E"].status == "moved"
    assert rows["E"].action == ("feeds.yaml: feed 'E': change url: https://e.example/rss → "
                                "https://e2.example/rss")
    assert rows["F"].status == "new"
    assert rows["A"].status == "ok" and rows["A"].duplicates == ["A again"]
    assert rows["A again"].duplicates == ["A"]
    order = [r.status for r in health_rows(states, feeds, NOW)]
    assert order.index("gone") < order.index("broken") < order.index("moved") < order.index("ok")


def test_write_health_page(tmp_path: Path) -> None:
    feeds = [FeedRef(url="https://b.example/rss", name="B <Blog>")]
    states = {"https://b.example/rss": FeedState("https://b.example/rss", gone=True)}
    path = write_health(states, feeds, tmp_path, NOW)
    page = path.read_text()
    assert path == tmp_path / "health.html"
    assert "B &lt;Blog&gt;" in page and "<Blog>" not in page  # names are escaped
    assert "1 feed: 1 gone" in page and "Checked 2026-11-24 12:00 UTC" in page


def test_the_health_page_never_shows_a_feeds_password(tmp_path: Path) -> None:
    """A members-only feed's login sits in its url; the page may be published with the site."""
    url = "https://editor:s3cr%40t&x@members.example.org/feed"
    feeds = [FeedRef(url=url, name="Members"), FeedRef(url="https://open.example.org/rss", name="Open")]
    states = {url: FeedState(url, consecutive_failures=2, last_error="HTTP 503",
                             redirect_to="https://editor:s3cr%40t&x@members.example.org/new")}
    page = write_health(states, feeds, tmp_path, NOW).read_text()
    assert "s3cr" not in page
    assert "https://editor:•••@members.example.org/feed" in page  # which feed it is stays clear
    assert "https://open.example.org/rss" in page


def test_feed_health_dates_come_from_the_runs_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pinned clock (CRPSDIGEST_NOW) gives the same health page on any day it is re-run."""
    from tests.conftest import FIXTURES, run_cli, write_config

    config = write_config(tmp_path, [("Seed", str(FIXTURES / "feeds" / "seed.rss"), "crps")])
    monkeypatch.setenv("CRPSDIGEST_NOW", "2026-01-05T10:00:00Z")
    assert run_cli("--config", config, "fetch").exit_code == 0
    page = (tmp_path / "out" / "health.html").read_text()
    assert "2026-01-05" in page
    assert datetime.now(UTC).strftime("%Y-%m-%d") not in page


def test_fetch_limits_from_feeds_yaml_are_honoured(tmp_path: Path) -> None:
    """An editor's `fetch:` block changes what the fetcher does: per-host limit and timeout."""
    import time

    from tests.conftest import run_cli, write_config

    with fault_server() as srv:
        feeds = [(f"Slow {i}", srv.url(f"/slow?n={i}"), "crps") for i in range(6)]
        feeds.append(("Drip", srv.url("/drip"), "crps"))
        config = write_config(
            tmp_path, feeds, extra="fetch:\n  per_host: 1\n  timeout: 2\n"
        )
        started = time.monotonic()
        result = run_cli("--config", config, "fetch")
        elapsed = time.monotonic() - started
        assert result.exit_code == 0, result.output
        assert srv.log.max_active["/slow"] == 1  # one connection to the host at a time
    assert "'Drip': took longer than 2 s in total" in result.output
    assert elapsed < 15  # the 100-second drip was cut at the configured 2 s (plus retries' delays)
