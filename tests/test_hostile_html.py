"""Hostile HTML from feeds never reaches a reader as active content, in any output.

Each snippet in fixtures/hostile/snippets.txt is put in titles, summaries, content, links,
author names, categories, source names and feed titles of generated RSS and Atom feeds, which
then go through `crpsdigest fetch` and `build`. Every output is then PARSED (html5lib, as a
browser would; lxml for Atom) and checked for active content: a substring search would miss
``jav&#x09;ascript:`` and flag harmless escaped text.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import html5lib
import pytest
from lxml import etree

from tests.conftest import FIXTURES, run_cli, write_config

SNIPPETS = [
    line.rstrip("\n")
    for line in (FIXTURES / "hostile" / "snippets.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("# ")
]
WEEK = "2026-W46"
MONDAY = datetime(2026, 11, 9, 8, 0, tzinfo=UTC)
FORBIDDEN_ELEMENTS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form",
    "input", "button", "textarea", "select", "isindex", "keygen", "portal", "link", "noscript",
    "template", "svg", "math", "foreignobject", "style",
}  # fmt: skip
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "xlink:href", "poster", "background", "data",
    "dynsrc", "lowsrc", "ping", "srcdoc", "cite", "longdesc", "usemap", "codebase", "to",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}
HEAD_LINK_RELS = {"alternate", "stylesheet", "icon", "canonical"}
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def test_the_fixture_has_enough_snippets() -> None:
    assert len(SNIPPETS) >= 120
    assert len(set(SNIPPETS)) == len(SNIPPETS), "every snippet is distinct"


# --- generated feeds -----------------------------------------------------------------------


def _when(i: int) -> datetime:
    return MONDAY + timedelta(minutes=7 * i)


def _rss(feed_title: str, prefix: str, cdata: bool) -> str:
    def text(value: str) -> str:
        if cdata and "]]>" not in value:
            return f"<![CDATA[{value}]]>"
        return escape(value)

    items = []
    for i, s in enumerate(SNIPPETS):
        items.append(
            f"""<item>
  <title>{text(f"{prefix}{i:03d} {s}")}</title>
  <link>{text(s) if prefix == "A" else f"https://news.example.org/{prefix}/{i}"}</link>
  <guid isPermaLink="false">{prefix}-{i}</guid>
  <pubDate>{format_datetime(_when(i))}</pubDate>
  <description>{text(f"CRPS news {i}: {s}")}</description>
  <content:encoded>{text(f"<p>CRPS body {i}</p>{s}<p>end</p>")}</content:encoded>
  <dc:creator>{text(s)}</dc:creator>
  <category>{text(s)}</category>
  <source url="https://outlet.example.org/">{text(s)}</source>
</item>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>{text(feed_title)}</title><link>https://news.example.org/</link>
<description>{text(feed_title)}</description>
{"".join(items)}
</channel></rss>"""


def _atom(feed_title: str) -> str:
    entries = []
    for i, s in enumerate(SNIPPETS):
        entries.append(
            f"""<entry>
  <title type="html">{escape(f"B{i:03d} {s}")}</title>
  <link rel="alternate" href={quoteattr(s)}/>
  <id>urn:hostile:b:{i}</id>
  <updated>{_when(i).isoformat()}</updated>
  <published>{_when(i).isoformat()}</published>
  <author><name>{escape(s)}</name><uri>{escape(s)}</uri></author>
  <summary type="html">{escape(f"CRPS summary {i} {s}")}</summary>
  <content type="html">{escape(f"<div>CRPS content {i}</div>{s}")}</content>
</entry>"""
        )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="html">{escape(feed_title)}</title><id>urn:hostile:b</id>
<updated>{MONDAY.isoformat()}</updated>
{"".join(entries)}
</feed>"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the hostile feeds through `fetch` and `build`; return the output folder."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "a.rss").write_text(_rss(SNIPPETS[0], "A", cdata=False), "utf-8")
    (root / "c.rss").write_text(_rss(SNIPPETS[1], "C", cdata=True), "utf-8")
    (root / "b.atom").write_text(_atom(SNIPPETS[2]), "utf-8")
    config = write_config(
        root,
        [
            ("Escaped RSS", "a.rss", "crps"),
            ("CDATA RSS", "c.rss", "crps"),
            ("Atom", "b.atom", "crps"),
        ],
    )
    fetched = run_cli("--config", config, "fetch")
    assert fetched.exit_code == 0, fetched.output
    built = run_cli("--config", config, "build", "--week", WEEK)
    assert built.exit_code == 0, built.output
    return root / "out"


# --- checking parsed outputs ---------------------------------------------------------------


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _bad_url(value: str) -> str | None:
    """The scheme a browser would see, if it is not a safe one (tabs/newlines are dropped)."""
    cleaned = re.sub(r"[\t\n\r]", "", value).strip(
        "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b"
        "\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"
        "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "
    )
    m = _SCHEME.match(cleaned)
    if m and m.group(1).lower() not in SAFE_SCHEMES:
        return m.group(1).lower()
    return None


def _css_is_active(css: str) -> bool:
    folded = re.sub(r"/\*.*?\*/|\\", "", css).lower()
    return any(k in folded for k in ("expression", "url(", "javascript", "behavior", "binding"))


def problems_in_tree(root: object, where: str, own_styles: bool = False) -> list[str]:
    """Active content in a parsed HTML tree (html5lib etree, no namespaces)."""
    found = []
    # The renderer's own <head> may hold its <style> and <link rel=alternate> (never feed data).
    head = root.find("head") if own_styles else None  # type: ignore[attr-defined]
    in_head = {id(e) for e in head.iter()} if head is not None else set()
    for el in root.iter():  # type: ignore[attr-defined]
        name = _local(el.tag)
        if not name:
            continue
        own = id(el) in in_head and (
            name == "style" or (name == "link" and el.get("rel") in HEAD_LINK_RELS)
        )
        if name in FORBIDDEN_ELEMENTS and not own:
            found.append(f"{where}: <{name}> element")
        if name == "style" and own and _css_is_active(el.text or ""):
            found.append(f"{where}: <style> with active CSS")
        if name == "meta" and (el.get("http-equiv") or "").lower() == "refresh":
            found.append(f"{where}: <meta http-equiv=refresh>")
        for attr, value in el.attrib.items():
            key = _local(attr) if "}" in attr else attr.lower()
            if key.startswith("on"):
                found.append(f"{where}: <{name} {key}=...> event handler")
            if key in URL_ATTRIBUTES or attr.endswith("}href"):
                scheme = _bad_url(value)
                if scheme:
                    found.append(f"{where}: <{name} {key}={value!r}> ({scheme}: URL)")
            if key in ("srcset", "imagesrcset"):
                for part in value.split(","):
                    scheme = _bad_url(part.strip().split(" ")[0])
                    if scheme:
                        found.append(f"{where}: <{name} srcset> with {scheme}: URL")
            if key == "style" and _css_is_active(value):
                found.append(f"{where}: <{name} style={value!r}>")
    return found


def html_problems(markup: str, where: str, fragment: bool = False) -> list[str]:
    if fragment:
        tree = html5lib.parseFragment(markup, namespaceHTMLElements=False)
    else:
        tree = html5lib.parse(markup, namespaceHTMLElements=False)
    found = problems_in_tree(tree, where, own_styles=not fragment)
    if not fragment:
        found += _title_problems(tree, where)
    return found


_MARKER = re.compile(r"^\s*[ABC]\d{3} ")


def _title_problems(tree: object, where: str) -> list[str]:
    """A title is text: the element that starts with an item's marker holds no elements."""
    found = []
    for el in tree.iter():  # type: ignore[attr-defined]
        if _local(el.tag) in ("a", "title", "h1", "h2", "h3", "h4", "h5", "h6") and _MARKER.match(
            el.text or ""
        ):
            children = [_local(c.tag) for c in el if _local(c.tag)]
            if children:
                found.append(f"{where}: title {el.text[:20]!r} made elements {children}")
    return found


def atom_problems(raw: bytes, where: str) -> list[str]:
    tree = etree.fromstring(raw)
    found = []
    for el in tree.iter():
        name = _local(el.tag)
        kind = el.get("type", "text")
        if name == "link" and _bad_url(el.get("href", "")):
            found.append(f"{where}: <link href={el.get('href')!r}>")
        url_like = name in ("uri", "id", "icon", "logo") and _bad_url(el.text or "")
        if url_like and not (el.text or "").startswith(("urn:", "tag:")):
            found.append(f"{where}: <{name}>{el.text!r}")
        if name == "title" and kind in ("html", "xhtml"):
            frag = html5lib.parseFragment(el.text or "", namespaceHTMLElements=False)
            if any(_local(c.tag) for c in frag.iter() if c is not frag):
                found.append(f"{where}: a title made HTML elements")
        if name in ("content", "summary", "subtitle", "rights", "title") and kind == "html":
            found += html_problems(el.text or "", f"{where} <{name}>", fragment=True)
        if kind == "xhtml":
            found += problems_in_tree(el, f"{where} <{name} type=xhtml>")
    return found


def json_problems(data: object, where: str) -> list[str]:
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            if (isinstance(value, str) and key.startswith("content_html")) or key == "summary_html":
                found += html_problems(str(value), f"{where}.{key}", fragment=True)
            elif isinstance(value, str) and key in ("url", "external_url", "home_page_url"):
                if _bad_url(value):
                    found.append(f"{where}.{key}: {value!r}")
            else:
                found += json_problems(value, f"{where}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += json_problems(value, f"{where}[{i}]")
    return found


def output_problems(out: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        where = str(path.relative_to(out))
        if path.suffix == ".html":
            found += html_problems(path.read_text("utf-8"), where)
        elif path.suffix == ".xml":
            found += atom_problems(path.read_bytes(), where)
        elif path.suffix == ".json":
            found += json_problems(json.loads(path.read_text("utf-8")), where)
        elif path.suffix == ".eml":
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for part in message.walk():
                if part.get_content_type() == "text/html":
                    found += html_problems(part.get_content(), f"{where} (text/html part)")
    return found


# --- the tests -----------------------------------------------------------------------------


def test_no_active_content_survives_in_any_output(outputs: Path) -> None:
    files = [p for p in outputs.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files)
    found = output_problems(outputs)
    assert not found, f"{len(found)} leaks, e.g.:\n" + "\n".join(found[:40])


def test_every_hostile_item_is_still_published_as_text(outputs: Path) -> None:
    """Sanitising must not drop the news: each item's title reaches the week page as text."""
    page = html5lib.parse(
        (outputs / WEEK / "index.html").read_text("utf-8"), namespaceHTMLElements=False
    )
    text = " ".join("".join(page.itertext()).split())
    missing = [f"C{i:03d}" for i in range(len(SNIPPETS)) if f"C{i:03d}" not in text]
    assert not missing, f"{len(missing)} items missing from the page, e.g. {missing[:5]}"
    # Escaped markup in a title is shown as the characters the feed meant, not interpreted.
    shown = "".join(page.itertext())
    assert "<script>alert(1)</script>" in shown


def test_the_checker_itself_catches_each_kind_of_leak() -> None:
    """The checks above can fail: each of these known-bad documents is flagged."""
    bad = [
        "<script>alert(1)</script>",
        "<a href='jav&#x09;ascript:alert(1)'>x</a>",
        "<a href=' JAVASCRIPT:alert(1)'>x</a>",
        "<img src=x onerror=alert(1)>",
        "<p style='width:expression(alert(1))'>x</p>",
        "<meta http-equiv=refresh content='0;url=https://evil.example/'>",
        "<base href='https://evil.example/'>",
        "<form action=x></form>",
        "<iframe src='https://x.example/'></iframe>",
        "<img srcset='https://a.example/a.png 1x, data:x 2x'>",
        "<svg><a xlink:href='javascript:alert(1)'>x</a></svg>",
        "<object data=x></object><embed src=x>",
        "<a href='https://ok.example/'>A001 <b>bold</b></a>",
    ]
    for markup in bad:
        assert html_problems(f"<!doctype html><title>t</title>{markup}", "doc"), markup
    good = "<a href='https://ok.example/'>A001 &lt;b&gt;</a><a href='../2026-W45/'>prev</a>"
    assert not html_problems(f"<!doctype html><title>t</title>{good}", "doc")
    atom = b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><link href='javascript:x'/></entry></feed>"
    assert atom_problems(atom, "atom")
