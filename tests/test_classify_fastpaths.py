"""Fast paths of the classifier give exactly what the plain code they replace gives."""

from __future__ import annotations

import random
import re

from crpsdigest.classify.kinds import _WORDS, _words
from crpsdigest.classify.scanning import _Doc, _sentence_separators

_ALPHABET = "ab .!?\"\n e4,;é–İß漢:"


def _texts(seed: int, count: int = 3000) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randrange(0, 40)))
            for _ in range(count)]


def _plain_separators(text: str) -> list[tuple[int, int]]:
    """The rule in words: a line break; ". ", "! ", "? "; '." '."""
    found = []
    for at, ch in enumerate(text):
        if ch == "\n":
            found.append((at, at + 1))
        elif ch in ".!?" and text[at + 1 : at + 2] == " ":
            found.append((at, at + 2))
        elif ch == "." and text[at + 1 : at + 3] == '" ':
            found.append((at, at + 3))
    return found


def test_sentence_separators_match_the_rule() -> None:
    for text in _texts(1):
        assert _sentence_separators(text) == _plain_separators(text), text
    # "4.5" and the first dot of "e.g." end no sentence; the dot of "g. " does
    assert _sentence_separators('Pain. Yes! No? "Ok." Then\nmore 4.5 mg e.g. x') == [
        (4, 6), (9, 11), (13, 15), (18, 21), (25, 26), (41, 43),
    ]


def test_lead_end_is_the_end_of_the_first_separator_after_the_title() -> None:
    for text in _texts(2):
        clean = "Title\n" + text
        doc = _Doc(clean, clean, clean.lower(), 5, "", {}, {})
        seps = [s for s in _plain_separators(clean) if s[0] >= 6]
        assert doc.lead_end == (seps[0][1] if seps else len(clean) + 1), text


def test_words_are_the_regex_runs_of_a_to_z() -> None:
    for text in _texts(3):
        lower = text.lower()
        assert _words(lower) == _WORDS.findall(lower), text
    assert _words("researchers said, 'it works' (2024) — été") == [
        "researchers", "said", "it", "works", "t",
    ]
    assert re.findall("[a-z]+", "été") == ["t"]  # accented letters end a run, as in the regex


def test_covers_stops_early_with_the_answer_of_every_match() -> None:
    from crpsdigest.classify.mentions import _covers

    rng = random.Random(4)
    patterns = [re.compile(r"\d+\s*mg[^.;]{0,8}nal\w*"), re.compile(r"\b0?\.\d+\s*%\s*d"),
                re.compile(r"a+|b")]
    for _ in range(3000):
        text = "".join(rng.choice("12 mg.;nal0%da b") for _ in range(rng.randrange(1, 40)))
        lo, hi = sorted(rng.randrange(0, len(text) + 1) for _ in range(2))
        start = rng.randrange(0, len(text))
        end = start + rng.randrange(0, 5)
        for rx in patterns:
            plain = any(x.start() <= start and end <= x.end() for x in rx.finditer(text, lo, hi))
            assert _covers(rx, text, lo, hi, start, end) == plain, (rx.pattern, text, lo, hi)
