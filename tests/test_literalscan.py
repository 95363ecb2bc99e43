"""Trying a regex only where its match can begin finds exactly what re's own finditer finds."""

from __future__ import annotations

import random
import re

from crpsdigest.clean import _AD_WORD, _RELATIVE_HREF
from crpsdigest.identifiers import _DOI, _DOI_TEXT, _TRAILER
from crpsdigest.literalscan import finditer_at, search_at

PIECES = [
    "doi", "DOI", "doi:", "doi.org/", "10.", "10.1000/x", "10.12345/ab.c", " ", "\n", "a", "x",
    "ad", "ads", "bad", "href", "HREF", "hRef=", '="', "'", ":", "|", "pmid", "PMID: 12", "pmcid",
    "é", "İ", "ı", "/", ".", "1", "0", "<", ">", "=", "https:", "_",
]  # fmt: skip


def _texts(n: int) -> list[str]:
    rng = random.Random(7)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 30))) for _ in range(n)]


def _spans(matches: object) -> list[tuple[int, int, tuple[str | None, ...]]]:
    return [(m.start(), m.end(), m.groups()) for m in matches]  # type: ignore[attr-defined]


def test_finditer_at_equals_finditer_on_random_texts() -> None:
    for text in _texts(4000):
        low = text.lower()
        assert _spans(finditer_at(_DOI_TEXT, low, ("doi", "10."))) == _spans(_DOI_TEXT.finditer(low))
        if text.isascii():
            got = finditer_at(_TRAILER, text, ("pmid", "pmcid", "doi"), low)
            assert _spans(got) == _spans(_TRAILER.finditer(text)), text
            found = search_at(_RELATIVE_HREF, text, ("href",), low)
            assert (found is None) == (_RELATIVE_HREF.search(text) is None), text
        assert (search_at(_AD_WORD, low, ("ad",)) is None) == (_AD_WORD.search(low) is None)
        assert _spans(finditer_at(_DOI, text, ("10.",))) == _spans(_DOI.finditer(text))


def test_a_word_boundary_before_the_literal_is_still_checked() -> None:
    """Matching at a position sees the character before it, as search does."""
    pattern = re.compile(r"\bad")
    assert search_at(pattern, "bad", ("ad",)) is None
    assert search_at(pattern, "b ad", ("ad",)) is not None
    assert [m.group() for m in finditer_at(re.compile(r"abab|ab"), "ababab", ("ab",))] == ["abab", "ab"]
