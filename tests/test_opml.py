"""OPML import and export: moving feed lists between crpsdigest and feed readers."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from crpsdigest.config import load_config
from tests.conftest import run_cli, write_config

READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feed reader</title></head>
  <body>
    <outline text="Health" title="Health">
      <outline text="crps" title="crps">
        <outline type="rss" text="Burning Nights" title="Burning Nights"
                 xmlUrl="https://burning.example.org/feed/" htmlUrl="https://burning.example.org/"/>
      </outline>
      <outline type="rss" text="Pain News" xmlUrl="https://painnews.example.org/rss"
               htmlUrl="https://painnews.example.org/"/>
    </outline>
    <outline type="rss" text="Old copy of One" xmlUrl="http://one.example.org/feed/"/>
    <outline type="rss" text="Pain News again" xmlUrl="https://painnews.example.org/rss?utm_source=reader"/>
    <outline type="rss" text="One" XMLURL="https://other.example.org/one.xml"/>
    <outline text="A bookmark, not a feed" url="https://bookmark.example.org/"/>
  </body>
</opml>
"""


def _config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path,
        [("One", "https://one.example.org/feed", "crps"), ("Local", "local.rss", "general")],
    )


def test_import_adds_new_feeds_from_nested_folders_and_says_what_it_skipped(tmp_path: Path) -> None:
    path = _config(tmp_path)
    opml = tmp_path / "reader.opml"
    opml.write_text(READER_EXPORT)

    result = run_cli("--config", path, "feeds", "import", opml)

    assert result.exit_code == 0, result.output
    out = result.output
    assert 'skipped “Old copy of One”: already subscribed as feeds[0] "One"' in out
    assert "skipped “Pain News again”: the file lists it twice (also as “Pain News”)" in out
    assert "renamed “One” to “One (other.example.org)”: the name was taken" in out
    assert "Added 3 of 5 feeds" in out
    feeds = load_config(path).feeds
    assert [(f.name, f.url, f.topic, f.homepage) for f in feeds[2:]] == [
        # Inside a folder called "crps": every item is about CRPS.
        (
            "Burning Nights",
            "https://burning.example.org/feed/",
            "crps",
            "https://burning.example.org/",
        ),
        (
            "Pain News",
            "https://painnews.example.org/rss",
            "general",
            "https://painnews.example.org/",
        ),
        ("One (other.example.org)", "https://other.example.org/one.xml", "general", None),
    ]

    again = run_cli("--config", path, "feeds", "import", opml)
    assert again.exit_code == 0
    assert "Nothing to add: 5 feeds" in again.output


def test_import_topic_option_applies_to_every_feed(tmp_path: Path) -> None:
    path = _config(tmp_path)
    opml = tmp_path / "reader.opml"
    opml.write_text(READER_EXPORT)

    result = run_cli("--config", path, "feeds", "import", opml, "--topic", "crps")

    assert result.exit_code == 0, result.output
    assert {f.topic for f in load_config(path).feeds[2:]} == {"crps"}


def test_export_is_opml_2_that_a_reader_and_crpsdigest_can_read_back(tmp_path: Path) -> None:
    path = _config(tmp_path)
    opml = tmp_path / "reader.opml"
    opml.write_text(READER_EXPORT)
    assert run_cli("--config", path, "feeds", "import", opml).exit_code == 0

    result = run_cli("--config", path, "feeds", "export")

    assert result.exit_code == 0
    assert "left out 1 local-file feeds: Local" in result.stderr
    doc = etree.fromstring(result.stdout.encode())
    assert doc.tag == "opml" and doc.get("version") == "2.0"
    assert doc.findtext("head/title") == "Test CRPS Digest: feeds"
    feeds = doc.xpath("//outline[@xmlUrl]")
    assert [(o.get("text"), o.get("xmlUrl")) for o in feeds] == [
        ("One", "https://one.example.org/feed"),
        ("Burning Nights", "https://burning.example.org/feed/"),
        ("Pain News", "https://painnews.example.org/rss"),
        ("One (other.example.org)", "https://other.example.org/one.xml"),
    ]
    assert all(o.get("type") == "rss" for o in feeds)

    # Round trip: a fresh feeds.yaml imports the export with the same topics and homepages.
    other = tmp_path / "other"
    other.mkdir()
    fresh = write_config(other, [("Seed", "https://seed.example.org/feed", "general")])
    exported = tmp_path / "export.opml"
    assert run_cli("--config", path, "feeds", "export", "-o", exported).exit_code == 0
    assert run_cli("--config", fresh, "feeds", "import", exported).exit_code == 0
    mine = {(f.name, f.url, f.topic, f.homepage) for f in load_config(path).feeds[:1]}
    mine |= {(f.name, f.url, f.topic, f.homepage) for f in load_config(path).feeds[2:]}
    assert {(f.name, f.url, f.topic, f.homepage) for f in load_config(fresh).feeds[1:]} == mine


def test_import_refuses_external_entities(tmp_path: Path) -> None:
    base = "http://127.0.0.1:9/"
    path = _config(tmp_path)
    before = path.read_bytes()
    opml = tmp_path / "evil.opml"
    opml.write_text(
        f'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "{base}secret">]>'
        '<opml version="2.0"><head/><body><outline text="&x;" xmlUrl="https://a.example.org/f"/>'
        "</body></opml>"
    )
    result = run_cli("--config", path, "feeds", "import", opml)
    assert result.exit_code == 1
    assert result.output == (
        f"error: {opml}: refused: the file declares XML entities, which OPML never needs "
        "(unsafe XML)\n"
    )
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # An unescaped "&" on line 3: the line is named.
        (
            '<opml version="2.0">\n<body>\n<outline text="Pain & Co" xmlUrl="x"/>\n</body></opml>',
            "{opml}:3: not valid XML (not well-formed",
        ),
        (
            '<rss version="2.0"><channel/></rss>',
            "{opml}:1: not an OPML file (the document is <rss>",
        ),
    ],
)
def test_import_explains_a_file_it_cannot_read(tmp_path: Path, content: str, message: str) -> None:
    path = _config(tmp_path)
    opml = tmp_path / "reader.opml"
    opml.write_text(content)
    result = run_cli("--config", path, "feeds", "import", opml)
    assert result.exit_code == 1
    assert result.output.startswith("error: " + message.format(opml=opml))
