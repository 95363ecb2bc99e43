"""Normalisation: what feed text looks like after it, and that offsets survive folding."""

from __future__ import annotations

import pytest

from crpsdigest.normalize import fold_accents, match_key, normalize_text, unescape_entities


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("low&amp;amp;#8211;dose", "low-dose"),
        ("low&amp;#8211;dose", "low-dose"),
        ("Q&amp;amp;A", "Q&A"),
        ("CRPS&nbsp;UK", "CRPS UK"),
        ("&#8216;helps&#8217;", "'helps'"),
        ("low\u2011dose", "low-dose"),
        ("low\u2013dose \u2014 high\u2212dose", "low-dose - high-dose"),
        ("\u201cwonder drug\u201d", '"wonder drug"'),
        ("physio\u00adtherapy", "physiotherapy"),
        ("zero\u200bwidth", "zerowidth"),
        ("TENS of CRPS", "TENS of CRPS"),  # case is kept
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_unescape_stops_at_plain_ampersands() -> None:
    assert unescape_entities("R&D & more") == "R&D & more"
    assert unescape_entities("&amp;amp;amp;") == "&"


def test_fold_accents_keeps_length_and_case() -> None:
    for text in ("kétamine", "Néridronate", "síndrome de dolor", "Spiegeltherapie", "ケタミン"):
        folded = fold_accents(text)
        assert len(folded) == len(text)
    assert fold_accents("Kétamine") == "Ketamine"
    assert fold_accents("algodystrophie à Paris") == "algodystrophie a Paris"


def test_match_key_ignores_case_space_hyphen_and_accents() -> None:
    keys = {match_key(v) for v in ("Low-Dose Naltrexone", "low dose naltrexone",
                                   "lowdose naltrexone", "low\u2011dose naltrexone")}
    assert keys == {"lowdosenaltrexone"}
    assert match_key("Kétamine") == match_key("ketamine")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b\t\tc", "a b c"),  # runs of blanks become one space
        ("a \n  b", "a\nb"),  # a line break swallows the blanks around it
        ("a\n \n\n b", "a\n\nb"),  # several breaks: one blank line (paragraph kept)
        ("a\r\nb", "a\nb"),  # Windows line ends
        ("  lead", " lead"),
        ("end \n", "end\n"),
    ],
)
def test_space_runs_collapse_but_paragraphs_survive(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected
