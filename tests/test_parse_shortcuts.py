"""Shortcuts taken for the common case give exactly what the general code gives, on any input.

Each test runs a shortcut and the general way it replaces (the shortcut switched off) over
thousands of generated inputs built from pieces that sit on either side of its conditions.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from unittest import mock

from crpsdigest import clean, identifiers, parse, urls
from crpsdigest.clean import (
    _OTHER_SPACE,
    _SPACE,
    _no_other_space,
    _squeeze,
    clean_html,
    html_to_text,
)
from crpsdigest.parse_fast import parse_date, parse_date_utc
from crpsdigest.urls import canonical_url

_NEVER = re.compile(r"(?!)")


def _outcome(function: Callable[..., object], *args: object) -> object:
    """What a call returns, or the type of what it raises (both ways must raise alike)."""
    try:
        return function(*args)
    except Exception as exc:
        return type(exc)


def _spliced(pieces: list[str], n: int, seed: int, most: int = 10) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, most))) for _ in range(n)]


def test_canonical_url_of_plain_links_equals_the_general_way() -> None:
    """Plain links skip urlsplit and parse_qsl; the canonical spelling stays the same."""
    heads = ["https://", "https://", "https://", "http://", "http://", "HTTPS://", "https:///",
             " https://", "ftp://", "https://u@"]  # fmt: skip
    hosts = ["news.example.org", "www.Example.org", "m.ex.org", "ex.org.", ".", "www.google.com",
             "news.google.com", "a.cdn.ampproject.org", "consent.google.com", "x.example:8080",
             "x.example:443", "a.example", "a.example", "a-b.example", "pubmed.ncbi.nlm.nih.gov",
             "medium.com", "ä.example", "[::1]", ""]  # fmt: skip
    paths = ["/", "/a", "/amp", "/x.amp.html", "/index.amp.html", "/./b", "/%41", "/url", "/c/s/",
             "AMP", "-", "~", "/ä", ";p", " ", "\t", "#f", "?"]  # fmt: skip
    fields = ["&", "&", "&", "&", "utm_source=rss", "=", "fc=1", "v=2", "af=R", "af=r", "rss=1",
              "ref=feed", "a=b=c", "source=rss", "source=x", "k", "x=1", "+", "%20", "#f", ";",
              "hl=en", "oc=5", "?", "q=https://a.example/", "url=http://b.example/x",
              "continue=http://c.example"]  # fmt: skip
    rng = random.Random(3)
    links = [
        rng.choice(heads) + rng.choice(hosts) + path + rng.choice(["", "?", "?" + query])
        for path, query in zip(
            _spliced(paths, 8000, 4, 4), _spliced(fields, 8000, 5, 6), strict=True
        )
    ]
    fast = [_outcome(canonical_url, link) for link in links]
    with mock.patch.object(urls, "_PLAIN_URL", _NEVER):
        slow = [_outcome(canonical_url, link) for link in links]
    assert (
        sum(urls._PLAIN_URL.fullmatch(link.strip()) is not None for link in links) > 800
    )  # both ways taken often
    for link, a, b in zip(links, fast, slow, strict=True):
        assert a == b, link


def test_html_to_text_of_plain_markup_equals_the_nh3_way() -> None:
    """Markup of <p>, <br> and inline tags skips nh3's second pass; the text stays the same."""
    pieces = ["<p>", "</p>", "<br>", "</br>", "<b>", "</b>", "<strong>", "</strong>", "<em>",
              "</em>", "<i>", "</i>", "<span>", "</span>", "<sub>", "<a>", "</a>", "<abbr>",
              '<a href="https://x.example/?a=1&amp;b=2" rel="noopener">', '<p class="x">',
              '<a title="a>b">', "<li>", "</li>", "<ul>", "<pre>", "<br/>", "<P>", "<p >",
              "word", "Ketamine", " ", "  ", "\n", "\r", "\t", "\u00a0", "é", ">", "<", "< b",
              "&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&amp;lt;", "&amp;amp;amp;",
              "&copy;", "&", "&#39;", "&am", "p;", "lt;", "&#38;", "<!-- c -->", "<script>",
              "x</script>", "\ud800", "<q>", "</q>", "<u>", "</u>", "<s>", "<small>"]  # fmt: skip
    markups = _spliced(pieces, 8000, 6, 14)
    fast = [_outcome(html_to_text, m) for m in markups]
    fast_cleaned = [_outcome(lambda m: html_to_text(clean_html(m)), m) for m in markups]
    with mock.patch.object(clean, "_PLAIN_MARKUP", _NEVER):
        slow = [_outcome(html_to_text, m) for m in markups]
        slow_cleaned = [_outcome(lambda m: html_to_text(clean_html(m)), m) for m in markups]
    taken = [m for m in markups if "<" in m and clean._PLAIN_MARKUP.fullmatch(m)]
    assert len(taken) > 800  # the shortcut is taken often enough to be tested
    for markup, a, b in zip(markups, fast, slow, strict=True):
        assert a == b, markup
    for markup, a, b in zip(markups, fast_cleaned, slow_cleaned, strict=True):
        assert a == b, markup


def test_dois_found_in_text_normalise_as_normalise_doi_does() -> None:
    """A DOI the text regex found skips normalise_doi's unquoting and second search."""
    pieces = ["doi:", "doi ", "doi.org/", "10.", "1000", "12345", "١٢٣٤", "/", "crps", "(", ")",
              ".", ",", ";", "%2f", "%29", "%", "x", "é", " ", "'", "]", "?", "!", "İ", "ß",
              "10.1000/a(b)", "\u00a0", "\u2028"]  # fmt: skip
    values = [
        m.group(1) or m.group(2)
        for text in _spliced(pieces, 20000, 8, 12)
        for m in identifiers._DOI_TEXT.finditer(text.lower())
    ]
    assert len(values) > 3000
    for value in values:
        assert identifiers._normalise_found(value) == identifiers.normalise_doi(value), value


def test_squeeze_equals_folding_every_line() -> None:
    """Text that needs no folding is only stripped line by line; the lines are the same."""

    def reference(text: str) -> str:
        lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
        return "\n".join(line for line in lines if line)

    pieces = [" ", "  ", "\t", "\r", "\n", "\r\n", "\f", "\v", "\x1c", "\x85", "\u00a0", "\u2009",
              "\u200b", "\u3000", "\u2028", "a", "Ketamine", "é", "—", "x y"]  # fmt: skip
    for text in _spliced(pieces, 8000, 12, 10):
        assert _squeeze(text) == reference(text), repr(text)
        assert _no_other_space(text) == (_OTHER_SPACE.search(text) is None), repr(text)


def test_markup_judged_already_clean_is_what_nh3_gives_back() -> None:
    """Summaries of properly nested <p> and inline tags skip nh3; nh3 would return them as is."""
    pieces = ["<p>", "</p>", "<br>", "</br>", "<b>", "</b>", "<strong>", "</strong>", "<em>",
              "</em>", "<i>", "</i>", "<code>", "</code>", "<q>", "</q>", "<sub>", "</sub>",
              "<abbr>", "</abbr>", "<a>", "</a>", "<span>", "</span>", "<li>", "<pre>", "<P>",
              "<p >", '<p class="x">', "word", "Ketamine", " ", "\n", "\r", "\t", "\f", "\x01",
              "\u00a0", "é", "—", ">", "<", "&amp;", "&lt;", "&gt;", "&nbsp;", "&quot;", "&#39;",
              "&", "&copy;", "\ud800", "<!-- c -->", "<script>", "x</script>", "'", '"']  # fmt: skip
    rng = random.Random(14)
    markups = _spliced(pieces, 6000, 13, 12)
    # and properly nested ones, which the random splices seldom are
    for _ in range(3000):
        parts, stack = [], []
        for _ in range(rng.randint(1, 12)):
            roll = rng.random()
            if roll < 0.3 and stack:
                parts.append(f"</{stack.pop()}>")
            elif roll < 0.6:
                tag = rng.choice(["p", "b", "em", "strong", "i", "sub", "br", "small"])
                parts.append(f"<{tag}>")
                if tag != "br":
                    stack.append(tag)
            else:
                parts.append(rng.choice(["x", " ", "\n", "a &amp; b", "&lt;y&gt;", "&nbsp;", "é"]))
        if rng.random() < 0.8:
            parts.extend(f"</{tag}>" for tag in reversed(stack))
        markups.append("".join(parts))
    judged = 0
    for markup in markups:
        if clean._already_clean(markup):
            judged += 1
            assert clean._SANITIZER.clean(markup) == markup, markup
    assert judged > 2000


def test_fast_path_dates_are_the_instants_parse_entry_makes_of_parse_date() -> None:
    """RFC 822 dates come from the fast path as datetimes; they are _utc(parse_date(...))."""
    rng = random.Random(15)
    fields = [
        ["", "Fri, ", "sat, ", "Foo, "], ["20", "2", "31", "00", "29"],
        [" Nov", " Feb", " feb", " Dec", " Jan"], [" 2026", " 1969", " 0001", " 9999", " 26"],
        [" 06:00:00", " 00:00:00", " 23:59:59", " 24:00:00", " 6:00"],
        [" +0000", " -0000", " -0530", " +2359", " GMT", " est", " UT", " Z", " CET", " +00:00", ""],
    ]  # fmt: skip
    for _ in range(6000):
        value = "".join(rng.choice(options) for options in fields)
        assert parse._utc(parse_date_utc(value)) == parse._utc(parse_date(value)), value


def test_clean_html_text_is_clean_html_then_html_to_text() -> None:
    """The pair parse_entry takes in one call is the two calls' results, footer or not."""
    pieces = ["<p>", "</p>", "<br>", "<b>", "</b>", "<strong>", "</strong>", "<em>", "</em>",
              "<p>The post ", " appeared first on ", "Example News.", "<a href=\"/x\">", "</a>",
              "word", " ", "\n", "&amp;", "&copy;", "<li>", "comments", "<div>", "</div>", "é",
              "<p>A study of 20 patients</p>", "doi:10.1000/x", "\u00a0"]  # fmt: skip
    for i, markup in enumerate(_spliced(pieces, 4000, 16, 12)):
        base = "https://news.example.org/feed" if i % 2 else None
        html = clean_html(markup, base)
        assert clean.clean_html_text(markup, base) == (html, html_to_text(html)), markup


def test_boilerplate_stems_answer_as_the_word_list_does() -> None:
    """Grouping the boilerplate words under shared stems finds exactly the same summaries."""

    def reference(markup: str) -> bool:
        low = markup.lower()
        return (
            any(w in low for w in clean._BOILERPLATE_WORDS)
            or re.search(r"\bads?\b", low) is not None
        )

    pieces = ["respon", "responsible", "d", "se", "repl", "y", "ies", "icate", "shar", "e", "ing",
              "p", "comment", "Social", "relate", "d", "yarp", "news", "letter", "subscri", "be",
              "advert", "sponsor", "thought", "ad", "ads", " ", "bad", "<p>", "İ", "x"]  # fmt: skip
    texts = _spliced(pieces, 8000, 17, 6)
    assert 1000 < sum(map(reference, texts)) < 7000
    for text in texts:
        assert clean._maybe_boilerplate(text) == reference(text), text


def test_names_cached_by_tag_equal_the_names_from_tag_and_prefix() -> None:
    """The tag cache names elements as ``_key`` does, whatever prefix each document chose."""
    from lxml import etree

    from crpsdigest import parse_fast

    namespaces = ["http://purl.org/dc/elements/1.1/", "http://www.w3.org/2005/Atom",
                  "http://purl.org/rss/1.0/modules/content/", "http://example.org/mine",
                  "HTTP://PURL.ORG/DC/ELEMENTS/1.1/", "urn:x"]  # fmt: skip
    prefixes = ["dc", "a", "content", "mine", "x", "DC"]
    locals_ = ["creator", "Title", "encoded", "link", "guid", "subject", "identifier", "weird"]
    rng = random.Random(11)
    for _ in range(3000):
        local = rng.choice(locals_)
        if rng.random() < 0.3:
            element = etree.Element(local)
        else:
            ns, prefix = rng.choice(namespaces), rng.choice(prefixes)
            element = etree.Element(f"{{{ns}}}{local}", nsmap={prefix: ns})
        tag = element.tag
        known = parse_fast._BY_TAG.get(tag)
        key, role = parse_fast._tag_info(tag, element) if known is None else known
        assert key == parse_fast._key(element)
        assert role == parse_fast._ROLE.get(key)
    # a namespace feedparser does not know is named by each document's own prefix
    assert "{http://example.org/mine}creator" not in parse_fast._BY_TAG
