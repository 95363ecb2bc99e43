"""Clean: untrusted feed HTML → safe HTML for outputs and plain text for matching.

Boilerplate goes first (comment sections, "The post … appeared first on …" footers, share
widgets, tracking pixels), because a spam comment or a site name in a footer must neither reach a
reader nor produce a tag. nh3 (the ammonia sanitizer) then keeps a small allowlist.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

import nh3
from feedparser.urls import make_safe_absolute_uri

from crpsdigest.literalscan import search_at

if TYPE_CHECKING:
    from bs4 import BeautifulSoup

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "em", "i", "li", "ol", "p", "pre",
    "q", "s", "small", "strong", "sub", "sup", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}}
URL_SCHEMES = {"http", "https", "mailto"}

_BOILERPLATE_ID_CLASS = re.compile(
    r"(^|[\s_-])(comments?|comment-list|comments-area|respond|comment-respond|reply|"
    r"sharedaddy|share|sharing|social|jp-relatedposts|related-posts|yarpp|newsletter|"
    r"subscribe|advert|ads?|sponsored)($|[\s_-])",
    re.I,
)
_COMMENT_HEADING = re.compile(
    r"^\s*((\d+|one|no|two|three)\s+(comments?|responses?|replies|thoughts?)\b|"
    r"leave a (reply|comment)|post a comment|comments?\s*$|add comment)",
    re.I,
)
_APPEARED_FIRST = re.compile(r"^\s*the post\b.{1,400}?\bappeared first on\b", re.I | re.S)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_OTHER_SPACE = re.compile(r"[\t\r\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]")  # _SPACE but " "
_TEXT_TAGS = {
    "p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "blockquote",
    "section", "article", "ol", "ul", "pre", "table",
}  # fmt: skip


def unescape(text: str) -> str:
    """Undo HTML entities, including the double escaping some feeds do (``&amp;#8211;``)."""
    for _ in range(3):
        new = html.unescape(text)
        if new == text:
            break
        text = new
    return text


def _drop_boilerplate(soup: BeautifulSoup) -> None:
    from bs4 import Tag

    for tag in soup.find_all(["script", "style", "noscript", "iframe", "form", "object", "embed"]):
        tag.decompose()
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag) or tag.decomposed:
            continue
        attrs = " ".join([str(tag.get("id") or ""), *(tag.get("class") or [])])
        if attrs.strip() and _BOILERPLATE_ID_CLASS.search(attrs):
            tag.decompose()
    for img in soup.find_all("img"):
        img.decompose()  # outputs carry no images: tracking pixels and layout breakers alike
    for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6", "p", "strong"]):
        if heading.decomposed or not _COMMENT_HEADING.match(heading.get_text(" ", strip=True)):
            continue
        # A comment section: drop the heading and everything after it at that level.
        node: Tag = heading
        while node.parent is not None and node.parent.name not in ("body", "[document]"):
            if len(node.parent.find_all(recursive=False)) > 1:
                break
            node = node.parent
        for sibling in list(node.find_next_siblings()):
            sibling.decompose()
        node.decompose()
        break
    for para in soup.find_all(["p", "div"]):
        if not para.decomposed and _APPEARED_FIRST.match(para.get_text(" ", strip=True)):
            para.decompose()


# Only HTML that shows one of these can hold boilerplate needing a DOM to find; the rest (most
# feed summaries) skips BeautifulSoup, which costs ten times what nh3 does. Plain substring tests:
# one case-insensitive regex alternation over the markup cost more than the cleaning itself.
_BOILERPLATE_WORDS = (
    "comment", "respond", "reply", "replies", "share", "sharing", "social", "related", "yarpp",
    "newsletter", "subscribe", "advert", "sponsor", "response", "thought",
)  # fmt: skip
_AD_WORD = re.compile(r"\bads?\b")


# _BOILERPLATE_WORDS by a stem some of them share: a text without the stem has none of them,
# which spares their own searches (the same answer, in twelve searches instead of fifteen).
_BOILERPLATE_STEMS = (
    ("comment", ()), ("respon", ("respond", "response")), ("repl", ("reply", "replies")),
    ("shar", ("share", "sharing")), ("social", ()), ("related", ()), ("yarpp", ()),
    ("newsletter", ()), ("subscribe", ()), ("advert", ()), ("sponsor", ()), ("thought", ()),
)  # fmt: skip
assert {w for stem, words in _BOILERPLATE_STEMS for w in words or (stem,)} == set(
    _BOILERPLATE_WORDS
) and all(stem in w for stem, words in _BOILERPLATE_STEMS for w in words)


def _maybe_boilerplate(markup: str) -> bool:
    low = markup.lower()
    for stem, words in _BOILERPLATE_STEMS:
        if stem in low and (not words or any(map(low.__contains__, words))):
            return True
    return "ad" in low and search_at(_AD_WORD, low, ("ad",)) is not None


_APPEARED_FIRST_P = re.compile(
    r"<p>\s*The post\b(?:(?!</p>).){1,400}?\bappeared first on\b(?:(?!</p>).)*</p>", re.I | re.S
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|br|h[1-6]|tr|blockquote|section|article|ol|ul|pre|table)\b[^>]*>", re.I
)
_ANY_TAG = re.compile(r"<[^>]*>")


_SANITIZE_OPTIONS: dict[str, Any] = {
    "tags": ALLOWED_TAGS,
    "attributes": ALLOWED_ATTRIBUTES,
    "url_schemes": URL_SCHEMES,
    "link_rel": "noopener noreferrer nofollow",
    "strip_comments": True,
}
# Built once: nh3.clean converts its options on every call, which costs more than the cleaning.
_SANITIZER = nh3.Cleaner(**_SANITIZE_OPTIONS)
_TO_TEXT = nh3.Cleaner(tags=_TEXT_TAGS, attributes={}, strip_comments=True)
_RELATIVE_HREF = re.compile(r"""\bhref\s*=\s*["']?\s*(?![a-zA-Z][a-zA-Z0-9+.-]*:)""", re.I)


def _relative_href(markup: str) -> bool:
    low = markup.lower()  # no other character matches h, r, e or f under re.I
    if "href" not in low:
        return False
    if markup.isascii():  # lower() kept every index: try only where "href" is
        return search_at(_RELATIVE_HREF, markup, ("href",), low) is not None
    return _RELATIVE_HREF.search(markup) is not None


# Markup nh3 (_SANITIZER) gives back unchanged: text without a character its serialiser
# escapes or its parser rewrites (only &amp; &lt; &gt; &nbsp; as entities; no raw "<", ">",
# "&", no-break space, CR, other control characters or lone surrogates), and attribute-free
# allowed tags that HTML parsing takes as written — <br>, and <p> or inline elements properly
# nested, closed, never a <p> within a <p> (see _already_clean). Most feed summaries are this.
_CLEAN_LEXICALLY = re.compile(
    r"(?:[^<>&\x00-\x08\x0b\x0d-\x1f\x7f-\xa0\ud800-\udfff]++|&(?:amp|lt|gt|nbsp);"
    r"|</?(?:p|b|i|em|strong|s|small|u|code|sub|sup|cite|q|abbr)>|<br>)*+"
)
_CLEAN_TAG = re.compile(r"<(/?)([a-z]+)>")


def _already_clean(markup: str) -> bool:
    """Whether ``_SANITIZER.clean(markup) == markup``, judged without parsing (False: unsure)."""
    if _CLEAN_LEXICALLY.fullmatch(markup) is None:
        return False
    open_tags: list[str] = []
    for end, name in _CLEAN_TAG.findall(markup):
        if name == "br":
            continue
        if not end:
            if name == "p" and "p" in open_tags:
                return False  # the parser would close the outer <p> first
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False  # misnested or stray: the parser would rearrange it
    return not open_tags  # the parser would close what is left open


def _sanitize(markup: str, base: str | None = None) -> str:
    return _sanitized(markup, base)[0]


def _sanitized(markup: str, base: str | None = None) -> tuple[str, bool]:
    """The sanitized markup, and whether it was already clean (then it is _PLAIN_MARKUP too)."""
    if not base or not _relative_href(markup):
        if _already_clean(markup):
            return markup.strip(), True
        return _SANITIZER.clean(markup).strip(), False

    def resolve(_tag: str, attribute: str, value: str) -> str | None:
        if attribute != "href":
            return value
        return make_safe_absolute_uri(base, value.strip()) or None

    return nh3.clean(markup, attribute_filter=resolve, **_SANITIZE_OPTIONS).strip(), False


_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_C0_AND_SPACE = "".join(map(chr, range(33)))


def safe_link(raw: str) -> str:
    """An item's link as outputs may use it in ``href``: absolute http(s), else "".

    A feed's ``<link>`` is data like any other: ``javascript:``, ``data:`` or an entity- or
    tab-split ``jav&#x09;ascript:`` must not become a clickable link. Browsers drop tabs and
    newlines and trim control characters before reading the scheme, so this does too.
    """
    if raw.startswith(("https://", "http://")) and "&" not in raw and raw.isprintable() \
            and raw[-1] > " ":
        return raw  # the common case: nothing to remove, nothing encoded
    url = re.sub(r"[\t\n\r]", "", raw).strip(_C0_AND_SPACE)
    decoded = re.sub(r"[\t\n\r]", "", unescape(url)).strip(_C0_AND_SPACE)
    for candidate in (url, decoded):  # entities are decoded only to judge, never to rewrite
        m = _URL_SCHEME.match(candidate)
        if not m or m.group(1).lower() not in ("http", "https"):
            return ""
    return url


def clean_html(raw: str, base: str | None = None) -> str:
    """Safe, boilerplate-free HTML from feed HTML (or plain text).

    ``base``: the address relative links are resolved against (feedparser does this itself;
    the lxml fast path leaves it to here).
    """
    return _clean_html(raw, base)[0]


def clean_html_text(raw: str, base: str | None = None) -> tuple[str, str]:
    """``clean_html(raw, base)`` and ``html_to_text`` of it; the second reuses what the first
    learnt about the markup."""
    safe, plain = _clean_html(raw, base)
    return safe, _html_to_text(safe, plain)


def _clean_html(raw: str, base: str | None) -> tuple[str, bool]:
    """clean_html, and whether its result is known to be _PLAIN_MARKUP."""
    if not raw:
        return "", False
    if _maybe_boilerplate(raw):
        # imported here: bs4 costs 0.15 s to import, in every parse worker, for the few
        # summaries that need it
        from bs4 import BeautifulSoup

        soup = BeautifulSoup(raw, "html.parser")
        _drop_boilerplate(soup)
        return _sanitize(str(soup), base), False
    # nh3 output is well-formed and attribute-free on <p>, so a regex finds the Yoast footer.
    # (Already-clean markup stays _PLAIN_MARKUP: the footer goes whole, from <p> to </p>.)
    safe, plain = _sanitized(raw, base)
    return _APPEARED_FIRST_P.sub("", safe).strip(), plain


def html_to_text(raw: str) -> str:
    """Plain text with block boundaries kept as line breaks (sentences stay apart).

    nh3 first (drops script/style with their content, balances tags), so the tag-stripping
    regex below only ever sees well-formed markup.
    """
    return _html_to_text(raw, False)


def _html_to_text(raw: str, plain: bool) -> str:
    """html_to_text; ``plain``: ``raw`` is known to be _PLAIN_MARKUP."""
    if not raw:
        return ""
    if "<" not in raw and "&" not in raw:
        return _squeeze(raw)
    safe = raw if plain or _PLAIN_MARKUP.fullmatch(raw) else _TO_TEXT.clean(raw)
    return _squeeze(unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", safe))))


# Markup whose text nh3 (_TO_TEXT) would give back unchanged for the regexes in html_to_text:
# only <p>, <br> and inline tags (attributes without "<" or ">", which nh3 drops and _ANY_TAG
# removes whole); "&" only in entities that html.unescape and html5ever decode alike. With no
# other block element, raw-text element or table, HTML parsing keeps the text in order and puts
# a block boundary exactly where a <p>, </p> or <br> tag stands, however they nest; the
# entities come out as unescape reads them. Most nh3-cleaned summaries are this, so their
# second nh3 pass would change nothing _squeeze(unescape(...)) can see. (No lone surrogate:
# nh3 raises on those, and so must html_to_text.)
_PLAIN_MARKUP = re.compile(
    r"(?:[^<&\x00\r\ud800-\udfff]++|&(?:amp|lt|gt|quot|nbsp);"
    r"|<(?:/?(?:p|a|abbr|b|cite|code|em|i|q|s|small|span|strong|sub|sup|u)|br)"
    r"""(?:[ \t\n\f]++[a-z][a-z-]*+="[^"<>]*+")*+[ \t\n\f]*+>)*+"""
)


def _fold(text: str) -> str:
    """``_SPACE.sub(" ", text).strip()``; without the substitution when it would change nothing.

    Substituting every single space by itself costs several times the rest of a title's cleaning.
    """
    if "  " not in text and _no_other_space(text):
        return text.strip()
    return _SPACE.sub(" ", text).strip()


def _no_other_space(text: str) -> bool:
    """``_OTHER_SPACE.search(text) is None``; for ASCII text by four substring tests instead."""
    if text.isascii():
        return "\t" not in text and "\r" not in text and "\f" not in text and "\v" not in text
    return _OTHER_SPACE.search(text) is None


def _squeeze(text: str) -> str:
    """Each line folded, empty lines dropped."""
    if "  " not in text and _no_other_space(text):  # then no line needs more than strip()
        return "\n".join(line for line in map(str.strip, text.splitlines()) if line)
    lines = (_fold(line) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean_title(raw: str) -> str:
    """Titles are text: tags and entities resolved, whitespace folded, never HTML."""
    text = html_to_text(unescape(raw)) if "<" in raw or "&" in raw else raw
    return _fold(text.replace("\n", " ") if "\n" in text else text)


def summarize(text: str, limit: int = 320) -> str:
    """A short lead from plain text, cut at a sentence or word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence_end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    if sentence_end > limit // 2:
        return cut[: sentence_end + 1]
    return cut.rsplit(" ", 1)[0].rstrip(",;:–-") + "…"
