"""Per-feed rules in feeds.yaml: block, keep and strip, applied when the digest is built."""

from __future__ import annotations

import re
from pathlib import Path

from crpsdigest.models import Digest
from crpsdigest.rules import FLAGS, strip_html
from tests.conftest import run_cli
from tests.test_overrides import build, painwire_config, row


def test_block_drops_matching_items_and_the_review_page_says_which_rule(tmp_path: Path) -> None:
    path = painwire_config(tmp_path, feed_extra="    block:\n      - '\\bwebinars?\\b'\n")
    digest = build(path)
    assert "Webinar: living well with CRPS" not in [i.title for i in digest.items]
    assert len(digest.items) == 2
    webinar = row(digest, "Webinar")
    assert webinar.status == "excluded"
    assert webinar.detail == "dropped by the block rule “\\bwebinars?\\b” of Pain Wire"


def test_keep_shows_only_matching_items(tmp_path: Path) -> None:
    # Case-insensitive: "NALTREXONE" matches "naltrexone"; the text counts, not only the title.
    path = painwire_config(tmp_path, feed_extra="    keep: [NALTREXONE, 'infusions? for']\n")
    digest = build(path)
    assert sorted(i.title for i in digest.items) == [
        "Ketamine infusions for complex regional pain syndrome",
        "Low-dose naltrexone eased CRPS pain in a small trial",
    ]
    webinar = row(digest, "Webinar")
    assert webinar.status == "excluded"
    assert webinar.detail == (
        "dropped: matches none of the keep rules of Pain Wire (“NALTREXONE”, “infusions? for”)"
    )


STORY = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Stories</title><link>https://stories.example.org/</link>
<description>x</description>
<item><title>Living with CRPS: Ana's story</title><link>https://stories.example.org/ana</link>
<guid>ana</guid><pubDate>Wed, 11 Nov 2026 09:00:00 GMT</pubDate>
<description>&lt;p&gt;Ana has had complex regional pain syndrome since 2019.&lt;/p&gt;
&lt;p&gt;Originally published at &lt;a href="https://ketamine-clinic.example.org"&gt;Ketamine Clinic News&lt;/a&gt;.&lt;/p&gt;
Share this: Facebook · X</description></item>
</channel></rss>
"""


def test_strip_cuts_boilerplate_before_classifying(tmp_path: Path) -> None:
    def digest_with(feed_extra: str) -> Digest:
        folder = tmp_path / str(len(feed_extra))
        folder.mkdir()
        path = painwire_config(folder, feed_extra=feed_extra)
        (folder / "painwire.rss").write_text(STORY)
        return build(path)

    plain = digest_with("")
    # The footer names a ketamine clinic, so without the rule the story is tagged ketamine.
    assert plain.items[0].treatments == ["ketamine"]
    assert "Share this" in plain.items[0].summary_html

    stripped = digest_with(
        "    strip:\n      - 'Originally published at .*'\n      - 'Share this:.*'\n"
    )
    item = stripped.items[0]
    assert item.treatments == []
    assert item.summary_html == "<p>Ana has had complex regional pain syndrome since 2019.</p>"
    assert item.summary_text == "Ana has had complex regional pain syndrome since 2019."


def test_strip_html_works_per_paragraph() -> None:
    html = (
        "<p>Keep this. The post <a href='/x'>X</a> appeared on <a href='/'>Site</a>.</p>"
        "<p>And this paragraph.</p>"
    )
    patterns = [re.compile(r"The post .* appeared on .*", FLAGS)]
    # The pattern's .* stops at the end of its paragraph: the next one survives.
    assert strip_html(html, patterns) == "<p>Keep this.</p><p>And this paragraph.</p>"
    assert strip_html(html, [re.compile("nothing here", FLAGS)]) == html


def test_check_names_file_line_and_key_of_a_bad_pattern(tmp_path: Path) -> None:
    path = painwire_config(
        tmp_path,
        feed_extra="    block:\n      - webinar\n      - '(unclosed'\n    keep: ['.*']\n",
    )
    lines = path.read_text().splitlines()
    bad = lines.index("      - '(unclosed'") + 1
    keep = lines.index("    keep: ['.*']") + 1
    result = run_cli("--config", path, "check")
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{path}:{bad}: feeds[0].block[1]: not a valid regular expression: "
        "missing ), unterminated subpattern at position 0",
        f"{path}:{keep}: feeds[0].keep[0]: this pattern matches empty text, so it would match "
        "every item",
    ]
