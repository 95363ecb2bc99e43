"""The link and HTML rules every output relies on."""

from __future__ import annotations

from pathlib import Path

import pytest

from crpsdigest.render.common import clean_summary, safe_href, shorten


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/a b", None),  # a raw space: not a URL a feed meant
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    ("data:text/html,<script>", None),
    ("/relative/path", None),
    ("//example.org/no-scheme", None),
    ("mailto:someone@example.org", None),
    ("http://", None),
    ("https://example.org/x?a=<b>", "https://example.org/x?a=%3Cb%3E"),
    ("https://example.org/100%", "https://example.org/100%25"),
    ("https://exämple.org/ä", "https://xn--exmple-cua.org/%C3%A4"),
    (" https://example.org/trimmed ", "https://example.org/trimmed"),
])
def test_safe_href_allows_only_absolute_http_links(url: str, expected: str | None) -> None:
    assert safe_href(url) == expected


def test_clean_summary_keeps_text_and_safe_links_only() -> None:
    dirty = ('<p style="x" onclick="y">Hi <strong>there</strong><iframe src="https://e.org">'
             '</iframe><a href="javascript:z">bad</a> <a href="https://ok.org/">good</a>'
             '<img src="https://t.org/pixel.gif"></p>\x0b')
    assert clean_summary(dirty) == (
        '<p>Hi <strong>there</strong>bad <a href="https://ok.org/" '
        'rel="noopener noreferrer nofollow">good</a></p>')


def test_shorten_cuts_at_a_word_and_marks_the_cut() -> None:
    assert shorten("one two three four", 12) == "one two…"
    assert shorten("  short   text ", 50) == "short text"


def test_temp_files_left_by_a_killed_run_are_removed_before_publishing(tmp_path: Path) -> None:
    import os

    from crpsdigest.atomic import remove_stale_temps

    stale = tmp_path / "2026-W46" / ".index.html.abc123.tmp"
    fresh = tmp_path / ".atom.xml.def456.tmp"
    stale.parent.mkdir()
    stale.write_text("<html>half")
    fresh.write_text("<feed>half")
    os.utime(stale, (0, 0))  # written long ago by a run that was killed
    assert remove_stale_temps(tmp_path) == [stale]
    assert not stale.exists() and fresh.exists()  # a concurrent run's temp file is left alone
