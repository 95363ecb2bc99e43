"""The clean stage: boilerplate and active content never reach an output or a tag."""

from __future__ import annotations

import random

from crpsdigest.clean import _SPACE, _fold, clean_html, clean_title, html_to_text, summarize

WORDPRESS_POST = """
<p>LDN helped two patients.</p>
<p>The post <a href="https://c.example.org/ldn/">LDN</a> appeared first on <a href="https://c.example.org">Ketamine Clinic News</a>.</p>
<div id="comments" class="comments-area"><h2 class="comments-title">1 Comment</h2>
<ol class="comment-list"><li>Thanks for those magnificent tricks</li></ol></div>
<div id="respond" class="comment-respond"><h3>Leave a Reply</h3><form><input name=email></form></div>
"""


def test_comment_section_and_yoast_footer_are_removed() -> None:
    text = html_to_text(clean_html(WORDPRESS_POST))
    assert text == "LDN helped two patients."


def test_comment_section_without_classes_is_cut_at_its_heading() -> None:
    html = "<p>Body.</p><h3>2 Responses</h3><p>Buy cheap pills</p><p>Great post</p>"
    assert html_to_text(clean_html(html)) == "Body."


def test_active_content_is_stripped_and_links_are_safe() -> None:
    html = (
        '<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:alert(1)">a</a>'
        '<a href="https://ok.example.org/">b</a><img src="https://t.example.org/pixel.gif" width="1"></p>'
        "<iframe src='https://evil.example.org'></iframe><style>p{}</style>"
    )
    cleaned = clean_html(html)
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert "iframe" not in cleaned and "<img" not in cleaned and "style" not in cleaned
    assert '<a href="https://ok.example.org/" rel="noopener noreferrer nofollow">b</a>' in cleaned


def test_titles_are_text_with_entities_resolved_even_double_escaped() -> None:
    assert clean_title("Low&amp;#8211;dose <b>naltrexone</b> &amp;amp; CRPS") == "Low–dose naltrexone & CRPS"
    assert clean_title("&lt;script&gt;alert(1)&lt;/script&gt; CRPS") == "CRPS"


def test_summary_cuts_at_a_sentence_or_word() -> None:
    text = "First sentence is here and rather long. " * 3 + "word " * 100
    short = summarize(text, limit=100)
    assert short.endswith(".") and len(short) <= 100
    assert summarize("word " * 100, limit=50).endswith("…")


def test_folding_whitespace_skips_only_substitutions_that_change_nothing() -> None:
    """The shortcut in _fold gives exactly the regex's folding, whatever spaces a title has."""
    pieces = [" ", "  ", "\t", "\r", "\f", "\v", "\u00a0", "\u2009", "\u200b", "\u3000", "\u2028",
              "a", "Ketamine", "é", "—", "x y", "\n"]  # fmt: skip
    rng = random.Random(11)
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert _fold(text) == _SPACE.sub(" ", text).strip(), repr(text)
