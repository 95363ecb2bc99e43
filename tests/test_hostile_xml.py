"""Hostile XML in feeds: entity bombs and external entities are neutralised, never expanded.

The feeds go through `crpsdigest fetch` and `build` in a child process with a hard address-space
limit, so a blowup shows as a failure rather than a swapping machine; the child reports its peak
resident memory. A canary file and a loopback server prove nothing was read or requested.
"""

from __future__ import annotations

import http.server
import json
import secrets
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import ROOT, write_config

WEEK = "2026-W46"
DATE = "Tue, 10 Nov 2026 10:00:00 GMT"
MAX_PARSE_MB = 50  # memory one feed's parse may allocate (tracemalloc); the feeds are < 2 MB
MAX_RSS_MB = 300  # a plain fetch + build of these feeds needs ~60 MB; a bomb needs gigabytes


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<!ENTITY leak "NETWORK-LEAK">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def _rss(doctype: str, title: str, body: str, link: str = "") -> str:
    link = link or f"https://news.example.org/{secrets.token_hex(4)}"
    return (
        f'<?xml version="1.0" encoding="utf-8"?>\n{doctype}\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://news.example.org/</link>"
        f"<item><title>{title}</title><link>{link}</link><guid>{secrets.token_hex(4)}</guid>"
        f"<pubDate>{DATE}</pubDate><description>CRPS {body}</description></item>"
        "</channel></rss>"
    )


def _laughs(one_line: bool) -> str:
    sep = "" if one_line else "\n"
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return f"<!DOCTYPE rss [{sep}{sep.join(decls)}{sep}]>"


def _feeds(folder: Path, canary: Path, base: str) -> dict[str, bytes]:
    big = "A" * 100_000  # x 20,000 references: 2 GB if expanded
    feeds = {
        "laughs-one-line.rss": _rss(_laughs(True), "L1 &lol9;", "&lol9;&lol9;"),
        "laughs-lines.rss": _rss(_laughs(False), "L2 &lol9;", "&lol9;"),
        "quadratic-one-line.rss": _rss(
            f'<!DOCTYPE rss [<!ENTITY a "{big}">]>', "Q1", "&a;" * 20_000
        ),
        "quadratic-lines.rss": _rss(
            f'<!DOCTYPE rss [\n<!ENTITY a "{big}">\n]>', "Q2", "&a;" * 20_000
        ),
        "xxe-file.rss": _rss(
            f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "file://{canary}">\n]>',
            "X1 &xxe;",
            "&xxe;",
            link="&xxe;",
        ),
        "xxe-passwd.rss": _rss(
            '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "X2 &xxe;", "&xxe;"
        ),
        "xxe-url.rss": _rss(
            f'<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM "{base}/xxe">\n]>', "X3 &xxe;", "&xxe;"
        ),
        "xxe-parameter.rss": _rss(
            f'<!DOCTYPE rss [\n<!ENTITY % p SYSTEM "{base}/param.dtd">\n%p;\n]>',
            "X4 &leak;",
            "&leak;",
        ),
        "external-dtd.rss": _rss(f'<!DOCTYPE rss SYSTEM "{base}/rss.dtd">', "X5 &leak;", "x"),
        "xinclude.atom": (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:xi="http://www.w3.org/2001/XInclude">'
            "<title>XInclude</title><id>urn:x</id><updated>2026-11-10T10:00:00Z</updated>"
            "<entry><title>X6 include</title><id>urn:x:1</id>"
            "<updated>2026-11-10T10:00:00Z</updated><link href='https://news.example.org/x6'/>"
            f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">CRPS '
            f'<xi:include href="file://{canary}" parse="text"/>'
            f'<xi:include href="{base}/xi" parse="text"/></div></content></entry></feed>'
        ),
        "benign-entity.rss": _rss(
            '<!DOCTYPE rss [\n<!ENTITY org "Benign Pain Foundation">\n]>', "B1 &org; news", "&org;"
        ),
    }
    out = {name: text.encode("utf-8") for name, text in feeds.items()}
    # The same file-read attack in UTF-16, where byte-level filters see no "<!ENTITY".
    utf16 = feeds["xxe-file.rss"].replace('encoding="utf-8"', 'encoding="utf-16"')
    out["xxe-utf16.rss"] = utf16.replace("X1", "X7").encode("utf-16")
    for name, data in out.items():
        (folder / name).write_bytes(data)
    return out


_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    limit = 1536 * 2**20  # a blowup becomes a MemoryError here, not a swapping machine
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from crpsdigest.cli import cli
    codes = []
    for args in (["fetch"], ["build", "--week", sys.argv[2]]):
        try:
            cli.main(["--config", sys.argv[1], *args], standalone_mode=False)
            codes.append(0)
        except SystemExit as exc:
            codes.append(exc.code)
    # fetch may parse in worker processes; parse each feed here too, to measure it directly.
    import pathlib, tracemalloc
    from crpsdigest.models import FeedRef
    from crpsdigest.parse import parse_feed
    traced = {}
    for path in sorted(pathlib.Path(sys.argv[1]).parent.glob("*.*")):
        if path.suffix in (".rss", ".atom"):
            tracemalloc.start()
            parse_feed(path.read_bytes(), FeedRef(url=path.name, name=path.name))
            traced[path.name] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps({"codes": codes, "peak_mb": peak_mb, "traced_mb": traced}))
    """
)


def test_entity_bombs_and_external_entities_are_neutralised(
    tmp_path: Path, loopback: tuple[str, list[str]]
) -> None:
    base, hits = loopback
    canary_text = f"CANARY-{secrets.token_hex(8)}"
    canary = tmp_path / "secret.txt"
    canary.write_text(canary_text)
    feeds = _feeds(tmp_path, canary, base)
    config = write_config(tmp_path, [(n.split(".")[0], n, "crps") for n in feeds])

    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(config), WEEK],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert "Traceback" not in child.stderr, child.stderr[-2000:]
    result = json.loads(child.stdout.split("RESULT ", 1)[1])
    assert result["codes"] == [0, 0], child.stdout + child.stderr
    worst = max(result["traced_mb"], key=result["traced_mb"].get)
    print(
        f"\nhostile XML: peak RSS {result['peak_mb']:.0f} MB; largest parse allocation "
        f"{result['traced_mb'][worst]:.1f} MB ({worst})"
    )
    assert result["peak_mb"] < MAX_RSS_MB
    assert len(result["traced_mb"]) == len(feeds)
    assert max(result["traced_mb"].values()) < MAX_PARSE_MB

    # No request reached the loopback server: no external entity, DTD or XInclude was fetched.
    assert hits == []
    # Nothing from the canary file, /etc/passwd or the server is in any output or the store.
    store = tmp_path / "crpsdigest.sqlite3"
    with sqlite3.connect(store) as db:
        dump = "\n".join(db.iterdump())
    outputs = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert outputs
    for text in [dump, child.stdout, *(p.read_text("utf-8", "replace") for p in outputs)]:
        for secret in (canary_text, "root:x:0:0", "NETWORK-LEAK", "lollollol"):
            assert secret not in text
    # No entity was expanded past a few kilobytes anywhere, and no parse ran out of memory:
    # the bomb feeds' items are stored with their entities left unexpanded.
    assert "MemoryError" not in child.stdout
    rows = dict(sqlite3.connect(store).execute("SELECT substr(title, 1, 2), text FROM entries"))
    assert {"L1", "L2", "Q1", "Q2", "X1", "X2", "X3", "B1"} <= set(rows)
    assert max(len(text) for text in rows.values()) < 200_000

    # Each hostile feed was reported in one line (named as in feeds.yaml); no traceback.
    lines = [line for line in child.stdout.splitlines() if not line.startswith("RESULT")]

    def line_for(stem: str) -> str:
        (line,) = [line for line in lines if f"'{stem}'" in line or line.startswith(stem + ":")]
        return line

    for name in feeds:
        line_for(name.split(".")[0])
    for bomb in ("laughs-one-line", "laughs-lines", "xxe-file", "xxe-url"):
        assert "malformed" in line_for(bomb)

    # A harmless internal entity still works: a legitimate feed loses nothing.
    week_page = (tmp_path / "out" / WEEK / "index.html").read_text("utf-8")
    assert "B1 Benign Pain Foundation news" in week_page
