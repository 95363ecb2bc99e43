"""Subject versus mention: is a named treatment what the text is about, or only history.

A treatment named as prior failure, eligibility criterion, usual care, cross-reference or
rhetorical contrast is not tagged (shared/taxonomy.md section 5). The cue phrases are in
phrases._CUE_RULES; :class:`_Cues` holds one entry's cue positions and answers, per mention,
whether a cue covers it (same sentence or clause, block to the next heading).
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from crpsdigest.classify.scanning import _START, _Doc

# In a fundraising item, what makes a sentence's treatment a subject rather than the
# fundraiser's own history: research, money raised for it, or the writer's current treatment.
# (accent-folded lower case: "fondos para", "fonds pour", "fondi per", "Spenden für")
_RESEARCH_CUE = re.compile(
    r"research|trial|study|studies|clinic\b|fund(?:ing|s)?\s+(?:for|into)|"
    r"(?:fond[io]s?|fundos)\s+(?:para|pour|per)|spenden\s+fur|geld\s+voor|"
    # the writer's current treatment, not history: "I'm three months into X", "now on X"
    r"(?:months?|weeks?)\s+into|(?:i'?m|i\s+am|currently|now)\s+(?:on|taking|trying)\b"
)


@dataclass(slots=True)
class _Cues:
    """Cue positions of one entry, queried per treatment mention."""

    cues: list[tuple[int, int, str]]  # (start, end, kind), sorted by start
    starts: list[int]
    breaks: list[int]
    heads: list[int]
    background: list[tuple[int, int]]  # background sections closed by a later heading
    # where a comments section under the article starts (sys.maxsize: none, so that the
    # check per mention is one comparison)
    tail: int = sys.maxsize

    @classmethod
    def from_hits(cls, hits: list[tuple[str, int, int]]) -> _Cues:
        cues: list[tuple[int, int, str]] = []
        breaks: list[int] = []
        heads: list[int] = []
        backgrounds: list[int] = []
        tail = sys.maxsize
        for kind, start, end in sorted(hits, key=_START):
            if kind == "brk":
                breaks.append(start)
            elif kind == "head":
                heads.append(start)
            elif kind == "bg":
                backgrounds.append(end)
            elif kind == "tail":  # rare: tested after the common kinds
                if start < tail:
                    tail = start
                cues.append((start, end, kind))  # keeps ``cues`` non-empty
            else:
                cues.append((start, end, kind))
        background: list[tuple[int, int]] = []
        for bg_start in backgrounds:
            i = bisect_left(heads, bg_start)
            if i < len(heads):
                background.append((bg_start, heads[i]))
        return cls(cues, [c[0] for c in cues], breaks, heads, background, tail)

    def in_background(self, pos: int) -> bool:
        """True inside a structured abstract's background section."""
        return any(lo <= pos < hi for lo, hi in self.background)

    @staticmethod
    def _between(positions: Sequence[int], lo: int, hi: int) -> bool:
        i = bisect_left(positions, lo)
        return i < len(positions) and positions[i] < hi

    def non_subject(self, doc: _Doc, start: int, end: int) -> str:
        """The cue kind that makes the mention at [start, end) history, criterion, background
        and so on ("arms": a co-intervention of every arm), or "" for a subject mention."""
        if not self.cues:
            return ""
        if self.tail < start:
            return "tail"  # named in the comments under the article
        s0, s1 = doc.sentence(start)
        paragraph_start = doc.lower.rfind("\n", 0, start) + 1
        lo = bisect_left(self.starts, min(s0, paragraph_start))
        for c_start, c_end, kind in self.cues[lo:]:
            if c_start >= start:
                if c_start >= s1:
                    break
                if kind == "post" and not self._between(self.breaks, end, c_start):
                    return kind
                continue
            if kind == "block":
                if c_start >= paragraph_start and not self._between(self.heads, c_end, start):
                    return kind
            elif c_start < s0:
                continue
            elif kind == "contrast":
                if "," not in doc.lower[c_end:start] and not self._between(
                    self.breaks, c_end, start
                ):
                    return kind
            elif kind in ("pre", "xref", "arms") and not self._between(
                self.breaks, c_end, start
            ):
                return kind
        return ""


# Most entries have no cue phrase: one shared, never modified, empty set of cues.
_NO_CUES = _Cues([], [], [], [], [])
