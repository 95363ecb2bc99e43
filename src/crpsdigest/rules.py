"""Per-feed rules from feeds.yaml (``block:``, ``keep:``, ``strip:``), applied when a digest is built.

They run at build time, not between parse and store: the store keeps what the feed said, so a
changed rule takes effect at the next build without refetching, and the review page can name the
rule that dropped an item. Order: ``strip`` first (boilerplate must not decide anything), then
``block`` and ``keep`` on the stripped title and text.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from crpsdigest.clean import html_to_text
from crpsdigest.config import Config
from crpsdigest.models import Entry

# Patterns are matched case-insensitively, and ``.`` crosses line breaks inside one paragraph.
FLAGS = re.IGNORECASE | re.DOTALL
_BLOCKS = (
    "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption",
    "section", "article", "footer", "aside", "td", "dd", "dt", "pre",
)  # fmt: skip


def compile_patterns(patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, FLAGS) for p in patterns)


def _cut(text: str, patterns: Sequence[re.Pattern[str]]) -> str:
    for pattern in patterns:
        text = pattern.sub("", text)
    return text


def strip_html(html: str, patterns: Sequence[re.Pattern[str]]) -> str:
    """Cut text matching ``patterns`` from each paragraph of ``html``; drop emptied paragraphs.

    Matching is per innermost block (paragraph, list item, …) so a pattern such as
    ``The post .* appeared first on .*`` can span the links inside one paragraph but never
    swallow the paragraphs after it.
    """
    if not patterns or not html:
        return html
    soup = BeautifulSoup(html, "html.parser")
    changed = False
    leaves = [
        t for t in soup.find_all(_BLOCKS)
        if isinstance(t, Tag) and t.find(_BLOCKS) is None
    ]  # fmt: skip
    for block in leaves:
        text = block.get_text()
        cut = _cut(text, patterns)
        if cut == text:
            continue
        changed = True
        if not cut.strip():
            block.decompose()
        else:
            block.clear()
            block.append(cut.strip())
    # Text outside any block (a summary without <p>): cut each run of text on its own.
    for node in list(soup.find_all(string=True)):
        if not isinstance(node, NavigableString) or node.find_parent(_BLOCKS) is not None:
            continue
        cut = _cut(str(node), patterns)
        if cut != str(node):
            changed = True
            node.replace_with(cut)
    return str(soup).strip() if changed else html


@dataclass(frozen=True)
class FeedRules:
    """The compiled rules of one feed."""

    feed_name: str
    block: tuple[re.Pattern[str], ...] = ()
    keep: tuple[re.Pattern[str], ...] = ()
    strip: tuple[re.Pattern[str], ...] = ()

    def strip_entry(self, entry: Entry) -> Entry:
        """The entry with boilerplate cut from its summary (and its text re-derived)."""
        if not self.strip:
            return entry
        html = strip_html(entry.summary_html, self.strip)
        if html == entry.summary_html:
            return entry
        return dataclasses.replace(entry, summary_html=html, text=html_to_text(html))

    def verdict(self, entry: Entry) -> str:
        """Why a rule drops ``entry``, or "" when the rules let it through."""
        for pattern in self.block:
            if pattern.search(entry.title) or pattern.search(entry.text):
                return f"dropped by the block rule “{pattern.pattern}” of {self.feed_name}"
        if self.keep and not any(p.search(entry.title) or p.search(entry.text) for p in self.keep):
            shown = ", ".join(f"“{p.pattern}”" for p in self.keep)
            return f"dropped: matches none of the keep rules of {self.feed_name} ({shown})"
        return ""


class Rules:
    """Every feed's rules, by the feed's resolved URL (the ``Entry.feed.url``)."""

    def __init__(self, by_feed: dict[str, FeedRules]) -> None:
        self.by_feed = {url: r for url, r in by_feed.items() if r.block or r.keep or r.strip}

    @classmethod
    def from_config(cls, config: Config) -> Rules:
        """Compile the rules of a validated feeds.yaml."""
        return cls(
            {
                config.resolve_feed_url(f.url): FeedRules(
                    f.name,
                    compile_patterns(f.block),
                    compile_patterns(f.keep),
                    compile_patterns(f.strip),
                )
                for f in config.feeds
            }
        )

    def __bool__(self) -> bool:
        return bool(self.by_feed)

    def strip(self, entry: Entry) -> Entry:
        rules = self.by_feed.get(entry.feed.url)
        return rules.strip_entry(entry) if rules else entry

    def verdict(self, entry: Entry) -> str:
        rules = self.by_feed.get(entry.feed.url)
        return rules.verdict(entry) if rules else ""
