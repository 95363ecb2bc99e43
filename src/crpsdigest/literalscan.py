"""Run a regex only where its match can begin: the same matches as ``search``/``finditer``, faster.

A pattern that begins with ``\\b`` or an alternation of groups gets no literal-prefix speed-up
from Python's ``re``: ``search`` then tries every position of the text, a few hundred
nanoseconds each, which made a few such regexes the largest cost of parsing a feed entry. When
every match is known to begin with one of a few literals, trying ``pattern.match(text, p)`` only
at the positions ``p`` where one of them occurs finds exactly what ``finditer`` finds: matching
at ``p`` still sees the characters before ``p`` (``\\b``, look-behinds), and no match can start
anywhere else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator


def _starts(haystack: str, literals: Iterable[str]) -> list[int]:
    found: set[int] = set()
    for literal in literals:
        p = haystack.find(literal)
        while p >= 0:
            found.add(p)
            p = haystack.find(literal, p + 1)
    return sorted(found)


def finditer_at(
    pattern: re.Pattern[str], text: str, literals: Iterable[str], haystack: str | None = None
) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match begins with one of ``literals``.

    ``haystack``: where to look for the literals instead of ``text`` (same length, e.g. an ASCII
    text lower-cased for a case-insensitive pattern). The pattern must not match empty.
    """
    end = 0
    for p in _starts(text if haystack is None else haystack, literals):
        if p < end:
            continue
        match = pattern.match(text, p)
        if match is not None:
            yield match
            end = match.end()


def search_at(
    pattern: re.Pattern[str], text: str, literals: tuple[str, ...], haystack: str | None = None
) -> re.Match[str] | None:
    """``pattern.search(text)``, under the same conditions as :func:`finditer_at`."""
    hay = text if haystack is None else haystack
    if len(literals) != 1:
        return next(finditer_at(pattern, text, literals, haystack), None)
    (literal,) = literals  # the common case, without the set and the generator
    p = hay.find(literal)
    while p >= 0:
        match = pattern.match(text, p)
        if match is not None:
            return match
        p = hay.find(literal, p + 1)
    return None
