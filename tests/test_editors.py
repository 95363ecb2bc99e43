"""`crpsdigest feeds add / remove`: find a site's feed over real HTTP, edit feeds.yaml in place."""

from __future__ import annotations

import http.server
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from crpsdigest import USER_AGENT
from crpsdigest.config import load_config
from tests.conftest import ROOT, http_servers, run_cli, write_config


def rss(title: str, items: list[tuple[str, str]]) -> str:
    """A small RSS 2.0 document; items are (title, RFC 822 date)."""
    body = "".join(
        f"<item><title>{t}</title><link>https://news.example.org/{i}</link>"
        f"<guid>https://news.example.org/{i}</guid><pubDate>{d}</pubDate>"
        f"<description>About CRPS.</description></item>"
        for i, (t, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://news.example.org/</link><description>x</description>{body}</channel></rss>"
    )


NEWS = rss(
    "Pain Wire News",
    [
        ("Ketamine infusions for CRPS", "Tue, 10 Nov 2026 09:00:00 GMT"),
        ("LDN trial opens", "Thu, 12 Nov 2026 18:30:00 GMT"),
        ("Older post", "Mon, 02 Nov 2026 08:00:00 GMT"),
    ],
)
COMMENTS = rss("Pain Wire: comments", [("Re: LDN", "Fri, 13 Nov 2026 10:00:00 GMT")])


def page(head: str) -> str:
    return f"<!doctype html><html><head><title>Pain Wire</title>{head}</head><body>Hi</body></html>"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``routes``: path → (status, content type, body) or (30x, Location)."""

    routes: ClassVar[dict[str, tuple[int, str, str]]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(f"{self.path} {self.headers.get('User-Agent')}")
        status, kind, body = self.routes.get(self.path, (404, "text/plain", "not found"))
        self.send_response(status)
        if 300 <= status < 400:
            self.send_header("Location", body)
            body = ""
        self.send_header("Content-Type", kind)
        data = body.encode()
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


Site = Callable[..., str]


@pytest.fixture
def site() -> Iterator[Site]:
    """A web site on 127.0.0.1 with the given routes; yields a function returning its base URL."""
    with http_servers() as start:

        def serve(routes: dict[str, tuple[int, str, str]], hits: list[str] | None = None) -> str:
            attrs = {"routes": routes, "hits": [] if hits is None else hits}
            return start(type("Handler", (_Handler,), attrs))

        yield serve


RSS_TYPE = "application/rss+xml"
CONFIG_HEAD = "# yaml-language-server: $schema=./feeds.schema.json\n# Our feeds. Keep this note.\n"


def config_with(tmp_path: Path, feeds: list[tuple[str, str, str]]) -> Path:
    path = write_config(tmp_path, feeds)
    path.write_text(CONFIG_HEAD + path.read_text())
    return path


def test_add_a_site_address_finds_the_linked_posts_feed_and_appends_it(
    tmp_path: Path, site: Site
) -> None:
    head = (
        '<link rel="alternate" type="application/rss+xml" title="Comments Feed" href="/comments/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Pain Wire" href="news/feed.xml">'
    )
    base = site(
        {
            "/blog/": (200, "text/html; charset=utf-8", page(head)),
            "/blog/news/feed.xml": (200, RSS_TYPE, NEWS),
            "/comments/feed/": (200, RSS_TYPE, COMMENTS),
        }
    )
    path = config_with(tmp_path, [("Existing", "https://old.example.org/feed", "crps")])
    before = path.read_text()

    result = run_cli("--config", path, "feeds", "add", f"{base}/blog/", "--topic", "crps")

    assert result.exit_code == 0, result.output
    assert "Pain Wire News" in result.output
    assert f"{base}/blog/news/feed.xml" in result.output
    assert "3 (newest: 2026-11-12)" in result.output  # three items; the newest dated 12 Nov
    after = path.read_text()
    assert after.startswith(before), "everything already in the file stays as it was"
    assert after[len(before) :] == (
        "  - name: Pain Wire News\n"
        f"    url: {base}/blog/news/feed.xml\n"
        f"    homepage: {base}/blog/\n"
        "    topic: crps\n"
    )
    config = load_config(path)
    assert [f.name for f in config.feeds] == ["Existing", "Pain Wire News"]


def test_add_falls_back_to_common_feed_paths_and_keeps_blank_line_style(
    tmp_path: Path, site: Site
) -> None:
    base = site(
        {
            "/": (200, "text/html", page("")),
            # A server that labels its feed text/html: the body still says RSS.
            "/rss": (200, "text/html", NEWS),
        }
    )
    path = tmp_path / "feeds.yaml"
    shutil.copy(ROOT / "feeds.yaml", path)
    before = path.read_text()

    result = run_cli("--config", path, "feeds", "add", base, "--name", "Wire: UK")

    assert result.exit_code == 0, result.output
    assert "common feed address (rss)" in result.output
    after = path.read_text()
    assert after.startswith(before.rstrip("\n") + "\n")
    added = after[len(before.rstrip("\n")) + 1 :]
    # The real file separates feeds by a blank line; a name with ": " must be quoted.
    assert (
        added
        == f'\n  - name: "Wire: UK"\n    url: {base}/rss\n    homepage: {base}/\n    topic: general\n'
    )
    assert load_config(path).feeds[-1].name == "Wire: UK"


def test_add_then_remove_gives_back_the_file_byte_for_byte(tmp_path: Path, site: Site) -> None:
    base = site({"/feed.xml": (200, RSS_TYPE, NEWS)})
    path = tmp_path / "feeds.yaml"
    shutil.copy(ROOT / "feeds.yaml", path)
    original = path.read_bytes()

    assert run_cli("--config", path, "feeds", "add", f"{base}/feed.xml").exit_code == 0
    assert path.read_bytes() != original
    result = run_cli("--config", path, "feeds", "remove", "pain wire news")

    assert result.exit_code == 0, result.output
    assert 'Removed feeds[16] "Pain Wire News"' in result.output
    assert path.read_bytes() == original


def test_remove_keeps_section_comments_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    shutil.copy(ROOT / "feeds.yaml", path)
    lines = path.read_text().splitlines()

    # By address, spelled differently (http, no trailing slash): the same subscription.
    result = run_cli("--config", path, "feeds", "remove", "http://painuk.org/feed")

    assert result.exit_code == 0, result.output
    assert '"Pain UK"' in result.output
    after = path.read_text().splitlines()
    start = lines.index("  - name: Pain UK")
    # The four lines of the entry and the blank line after it went; nothing else changed.
    assert lines[start : start + 5] == [
        "  - name: Pain UK",
        "    url: https://painuk.org/feed/                       # unverified",
        "    homepage: https://painuk.org/",
        "    topic: general",
        "",
    ]
    assert after == lines[:start] + lines[start + 5 :]
    assert "  # --- general pain charities (keep only CRPS items) " in "\n".join(after)
    assert [f.name for f in load_config(path).feeds][4] == "Pain Relief Foundation"


def test_remove_an_unknown_feed_suggests_the_close_name(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    shutil.copy(ROOT / "feeds.yaml", path)
    before = path.read_bytes()

    result = run_cli("--config", path, "feeds", "remove", "Pain Consern")

    assert result.exit_code == 1
    assert "did you mean 'Pain Concern'" in result.output
    assert path.read_bytes() == before


def test_add_refuses_a_feed_already_subscribed_under_a_redirect(tmp_path: Path, site: Site) -> None:
    base = site(
        {
            "/old-feed": (301, "text/plain", "/feed.xml"),
            "/feed.xml": (200, RSS_TYPE, NEWS),
        }
    )
    path = config_with(tmp_path, [("Pain Wire", f"{base}/feed.xml", "general")])
    before = path.read_bytes()

    result = run_cli("--config", path, "feeds", "add", f"{base}/old-feed")

    assert result.exit_code == 1
    assert f'already subscribed: feeds[0] "Pain Wire" ({base}/feed.xml)' in result.output
    assert path.read_bytes() == before


def test_add_refuses_the_same_address_in_another_spelling_without_fetching(
    tmp_path: Path, site: Site
) -> None:
    hits: ClassVar[list[str]] = []
    base = site({"/feed/": (200, RSS_TYPE, NEWS)}, hits)
    path = config_with(tmp_path, [("Pain Wire", f"{base}/feed/", "general")])
    spelled = base.replace("http://", "HTTPS://") + "/feed?utm_source=newsletter"

    result = run_cli("--config", path, "feeds", "add", spelled)

    assert result.exit_code == 1
    assert 'already subscribed: feeds[0] "Pain Wire"' in result.output
    assert hits == []


def test_add_follows_permanent_redirects_but_keeps_a_temporary_one(
    tmp_path: Path, site: Site
) -> None:
    base = site(
        {
            "/moved": (301, "text/plain", "/feed.xml"),
            "/today": (302, "text/plain", "/feed.xml"),
            "/feed.xml": (200, RSS_TYPE, NEWS),
        }
    )
    path = config_with(tmp_path, [("Existing", "https://old.example.org/feed", "crps")])
    assert run_cli("--config", path, "feeds", "add", f"{base}/moved", "--name", "A").exit_code == 0
    assert load_config(path).feeds[-1].url == f"{base}/feed.xml"

    path.write_text(path.read_text().replace(f"{base}/feed.xml", "https://other.example.org/x"))
    assert run_cli("--config", path, "feeds", "add", f"{base}/today", "--name", "B").exit_code == 0
    assert load_config(path).feeds[-1].url == f"{base}/today"


def test_add_says_when_a_site_has_no_feed_and_changes_nothing(tmp_path: Path, site: Site) -> None:
    base = site({"/": (200, "text/html", page(""))})
    path = config_with(tmp_path, [("Existing", "https://old.example.org/feed", "crps")])
    before = path.read_bytes()

    result = run_cli("--config", path, "feeds", "add", f"{base}/")

    assert result.exit_code == 1
    assert result.output.startswith(f"error: {base}/: no feed found")
    assert path.read_bytes() == before


def test_add_refuses_a_name_already_taken(tmp_path: Path, site: Site) -> None:
    base = site({"/feed.xml": (200, RSS_TYPE, NEWS)})
    path = config_with(tmp_path, [("Pain Wire News", "https://old.example.org/feed", "crps")])

    result = run_cli("--config", path, "feeds", "add", f"{base}/feed.xml")

    assert result.exit_code == 1
    assert "the name 'Pain Wire News' is taken by feeds[0]" in result.output


def test_add_reports_an_unreachable_address(tmp_path: Path, site: Site) -> None:
    base = site({})
    path = config_with(tmp_path, [("Existing", "https://old.example.org/feed", "crps")])

    result = run_cli("--config", path, "feeds", "add", f"{base}/gone.xml")

    assert result.exit_code == 1
    assert result.output == f"error: {base}/gone.xml: the site answered HTTP 404\n"


def test_bare_feeds_lists_name_topic_and_address(tmp_path: Path) -> None:
    path = config_with(
        tmp_path,
        [("One", "https://one.example.org/feed", "crps"), ("Two", "two.rss", "general")],
    )
    result = run_cli("--config", path, "feeds")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # with their health (the fetch stage's); a relative path shows resolved beside feeds.yaml
    assert lines[0] == "  0  One  crps     https://one.example.org/feed  [new] not fetched yet"
    assert lines[1].startswith("  1  Two  general  /") and "/two.rss  [new]" in lines[1]
    assert lines[2] == f"written {tmp_path / 'out' / 'health.html'}"


def test_discovery_identifies_itself_with_the_crpsdigest_user_agent(
    tmp_path: Path, site: Site
) -> None:
    hits: list[str] = []
    base = site({"/": (200, "text/html", page("")), "/feed/": (200, RSS_TYPE, NEWS)}, hits)
    path = config_with(tmp_path, [("Existing", "https://old.example.org/feed", "crps")])
    assert run_cli("--config", path, "feeds", "add", f"{base}/", "--dry-run").exit_code == 0
    assert hits == [f"/ {USER_AGENT}", f"/feed/ {USER_AGENT}"]
    assert "Pain Wire News" not in path.read_text()  # a dry run changes nothing


def test_windows_line_ends_survive_import_and_remove(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    original = (ROOT / "feeds.yaml").read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(original)
    opml = tmp_path / "one.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Pain Wire" xmlUrl="https://pw.example.org/rss"/>'
        "</body></opml>"
    )
    assert run_cli("--config", path, "feeds", "import", opml).exit_code == 0
    changed = path.read_bytes()
    assert changed.endswith(
        b"\r\n\r\n  - name: Pain Wire\r\n    url: https://pw.example.org/rss\r\n    topic: general\r\n"
    )
    assert changed.count(b"\n") == changed.count(b"\r\n")
    assert run_cli("--config", path, "feeds", "remove", "Pain Wire").exit_code == 0
    assert path.read_bytes() == original
