"""Clean: untrusted feed HTML → safe HTML for outputs and plain text for matching.

Boilerplate goes first (comment sections, "The post … appeared first on …" footers, share
widgets, tracking pixels), because a spam comment or a site name in a footer must neither reach a
reader nor produce a tag. nh3 (the ammonia sanitizer) then keeps a small allowlist.
"""

from __future__ import annotations

import html
import re

import nh3
from bs4 import BeautifulSoup, Tag

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
# feed summaries) skips BeautifulSoup, which costs ten times what nh3 does.
_MAYBE_BOILERPLATE = re.compile(
    r"comment|respond|repl(?:y|ies)|shar(?:e|ing)|social|related|yarpp|newsletter|subscribe|"
    r"advert|\bads?\b|sponsor|responses?|thoughts?",
    re.I,
)
_APPEARED_FIRST_P = re.compile(
    r"<p>\s*The post\b(?:(?!</p>).){1,400}?\bappeared first on\b(?:(?!</p>).)*</p>", re.I | re.S
)
_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|br|h[1-6]|tr|blockquote|section|article|ol|ul|pre|table)\b[^>]*>", re.I
)
_ANY_TAG = re.compile(r"<[^>]*>")


def _sanitize(markup: str) -> str:
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def clean_html(raw: str) -> str:
    """Safe, boilerplate-free HTML from feed HTML (or plain text)."""
    if not raw:
        return ""
    if _MAYBE_BOILERPLATE.search(raw):
        soup = BeautifulSoup(raw, "html.parser")
        _drop_boilerplate(soup)
        return _sanitize(str(soup))
    # nh3 output is well-formed and attribute-free on <p>, so a regex finds the Yoast footer.
    return _APPEARED_FIRST_P.sub("", _sanitize(raw)).strip()


def html_to_text(raw: str) -> str:
    """Plain text with block boundaries kept as line breaks (sentences stay apart).

    nh3 first (drops script/style with their content, balances tags), so the tag-stripping
    regex below only ever sees well-formed markup.
    """
    if not raw:
        return ""
    if "<" not in raw and "&" not in raw:
        return _squeeze(raw)
    safe = nh3.clean(raw, tags=_TEXT_TAGS, attributes={}, strip_comments=True)
    return _squeeze(unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", safe))))


def _squeeze(text: str) -> str:
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean_title(raw: str) -> str:
    """Titles are text: tags and entities resolved, whitespace folded, never HTML."""
    text = html_to_text(unescape(raw)) if "<" in raw or "&" in raw else raw
    return _SPACE.sub(" ", text.replace("\n", " ")).strip()


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
