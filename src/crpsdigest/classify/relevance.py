"""Relevance: is the text itself about CRPS, beyond look-alikes and passing mentions.

The names are matched by the scanner (phrases._CRPS_RULES); this module holds the guards
that turn those matches into a decision: ``CRPs`` (C-reactive proteins), ``RSD`` outside a
pain context, a CRPS name given as an example or in a list of other conditions.
"""

from __future__ import annotations

import re

from crpsdigest.classify.scanning import _Doc, _Scanner

# Context checks run on the lower-cased text (re.IGNORECASE would disable fast prefix search).
_RSD_PAIN = re.compile(
    r"pain|limb|\blegs?\b|\barms?\b|\bhands?\b|\bfoot\b|\bfeet\b|ankle|wrist|knee|burning|swell|"
    r"nerve|injur|sympathetic|crps|complex regional|fracture|allodynia|dystroph"
)
_RSD_OTHER = re.compile(r"rejection|dysphoria|adhd|school|district|emotion|criticism|ticker|shares")


# A single mention in a sentence that rules CRPS out or names it as what something else is
# confused with ("CRPS had been ruled out", "often mistaken for CRPS"): not the topic.
_NOT_THE_DIAGNOSIS = re.compile(
    r"ruled\s+out|rule\s+out|(?:confused|mistaken|misdiagnosed)\s+(?:with|for|as)\b|"
    r"no\s+signs?\s+of|differential\s+diagnos|"
    # nosology asides: "once grouped by some authors with algodystrophy", "a distinct entity"
    r"(?:grouped|lumped|classed)\s+(?:\w+\s+){0,4}?with\b|distinct\s+(?:entity|condition|disorder)|"
    # an exclusion criterion, or another condition's treatment "also studied in CRPS"
    r"\bexclu(?:ded|sion|ding)\b|"
    r"(?:also|long|previously|likewise)\s+been\s+(?:studied|used|tested|tried|investigated|"
    r"explored|reported|evaluated)\s+(?:in|for)\b"
)


def _not_the_diagnosis(lower: str, s0: int, s1: int) -> bool:
    """``_NOT_THE_DIAGNOSIS.search(lower, s0, s1)``, searched only when the sentence holds a
    word every match contains ("rule", "confused", "mis", "sign", "differential", "grouped",
    "lumped", "classed", "distinct", "exclu", "been"): the pattern has no literal start, so ``re`` would try
    it at every character of the sentence."""
    sentence = lower[s0:s1]
    if ("rule" in sentence or "sign" in sentence or "mis" in sentence
            or "confused" in sentence or "differential" in sentence
            or "grouped" in sentence or "lumped" in sentence or "classed" in sentence
            or "distinct" in sentence or "exclu" in sentence or "been" in sentence):
        return _NOT_THE_DIAGNOSIS.search(lower, s0, s1) is not None
    return False
def _an_outcome_among_others(lower: str, s0: int, s1: int) -> bool:
    """The sentence lists CRPS among another study's secondary outcomes or complications
    ("secondary outcomes included grip strength, malunion and CRPS", "Komplikationen ...
    erfasst", "complicaciones", "complicanze"): the study is about something else. Plain
    substring searches in the sentence, no slice and no regex (this runs on every item
    with a single CRPS mention)."""
    at = lower.find("secondary ", s0, s1)
    if at >= 0 and lower.startswith(("outcome", "end"), at + 10):
        return True
    return lower.find("complica", s0, s1) >= 0 or lower.find("komplika", s0, s1) >= 0


# "Canterbury Regional Policy Statement (CRPS)", "Southern Downs Regional Council (SDRC)":
# the acronym defined as something else.
_WORD = re.compile(r"\w+")
# words of the syndrome's own spelled-out names (English, French)
_SYNDROME_WORDS = ("pain", "syndrom", "doul")


def _other_acronym(lower: str, acronym: str) -> bool:
    """The text spells ``acronym`` ("crps", "sdrc") out as four words that are not the
    syndrome's name (the four words before each "(crps)"; a regex over the whole text would
    backtrack)."""
    bracketed = f"({acronym})"
    at = lower.find(bracketed)
    while at >= 0:
        words = _WORD.findall(lower, max(0, at - 80), at)[-4:]
        if (len(words) == 4 and "".join(w[0] for w in words) == acronym
                and not any(w.startswith(_SYNDROME_WORDS) for w in words)):
            return True
        at = lower.find(bracketed, at + 6)
    return False


_EXAMPLE_OF = re.compile(
    r"(?:conditions?|disorders?|diseases?|syndromes?|illnesses|states)\s+(?:such\s+as|like|"
    r"including|e\.g\.)"
)


def _relevance(doc: _Doc, hits: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Spans that make the text about CRPS; empty when it is not (``doc.hits`` must hold the
    scanner's hits: the other conditions are read from there)."""
    spans: list[tuple[int, int]] = []
    lower = doc.lower
    # "(" first: a one-character search (memchr) is far cheaper, and most texts have none
    if "(" in lower:
        if "(crps)" in lower and _other_acronym(lower, "crps"):
            # CRPS spelled out as another name: none of its mentions counts (dropped here,
            # not tested at every hit of the loop)
            hits = [hit for hit in hits if hit[0] != "crps"]
        if "(sdrc)" in lower and _other_acronym(lower, "sdrc"):
            hits = [hit for hit in hits if doc.folded[hit[1] : hit[2]] != "SDRC"]
    for label, start, end in hits:
        if label == "crps" and doc.folded[start : start + 4] == "CRPs":
            continue  # plural of CRP, C-reactive protein
        if label == "back":
            if start > doc.title_end:
                break  # a reference list or author bio: what follows is not the topic
            continue
        if label == "rsd":
            window = doc.lower[max(0, start - 100) : end + 100]
            if _RSD_OTHER.search(window) or not _RSD_PAIN.search(window):
                continue
        spans.append((start, end))
    if not spans:
        return []
    if len(spans) >= 2 or spans[0][0] < doc.title_end:
        return spans
    # A single mention inside a list of other conditions is not what the text is about.
    s0, s1 = doc.sentence(spans[0][0])
    if _EXAMPLE_OF.search(doc.lower, s0, spans[0][0]):
        return []  # "pain conditions such as CRPS": an example, not the topic
    if _not_the_diagnosis(doc.lower, s0, s1):
        return []  # "CRPS was ruled out", "often confused with CRPS"
    if _an_outcome_among_others(doc.lower, s0, s1):
        return []  # "secondary outcomes included ... and CRPS": another study's outcome
    others = _Scanner.matches(doc, "condition")
    if sum(1 for _, start, _ in others if s0 <= start < s1) >= 2:
        return []
    return spans
