"""The link and HTML rules every output relies on."""

from __future__ import annotations

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
