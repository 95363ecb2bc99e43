"""Where each treatment is named: synonyms, abbreviations, raw patterns, minus the traps.

:class:`_MentionFinder` compiles the treatment list into scanner rules (one prefix-factored
regex for every synonym, case-kept abbreviations, configured patterns, exclusion traps) and
returns every (start, end, slug) mention of one entry; whether a mention is the subject is
decided afterwards (scoping.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from crpsdigest.classify.regexes import (
    _anchors,
    _literal_led,
    _literal_start,
    _lower_regex,
    _required_literals,
    _term_anchors,
    _term_key,
    _term_spellings,
    _trie_regex,
    _units,
)
from crpsdigest.classify.scanning import _NO_MATCHES, _Doc, _Rule, _Scanner
from crpsdigest.classify.treatments import Treatment
from crpsdigest.normalize import match_key

_NEAR_WINDOW = 80


class _MentionFinder:
    """Compiled treatment names; :meth:`find` lists the mentions in one entry."""

    def __init__(self, treatments: list[Treatment], scanner: _Scanner) -> None:
        self._scanner = scanner

        # Literal synonyms: one prefix-factored regex tried where a synonym's first word is.
        self._term_slugs: dict[str, list[str]] = {}
        latin: list[list[str]] = []
        anchors: set[str] = set()
        for t in treatments:
            for term in t.terms:
                units = _units(term)
                if not units:
                    continue
                slugs = self._term_slugs.setdefault(match_key(term), [])
                if t.slug not in slugs:
                    slugs.append(t.slug)
                latin.append(units)
                anchors.update(_term_anchors(units))
        term_rx = re.compile("(?:" + _trie_regex(latin) + r")(?![^\W_])")
        self._term_spellings = _term_spellings(latin, self._term_slugs)
        scanner.add(_Rule("term", "term", term_rx), anchors)

        # Case-sensitive abbreviations.
        self._abbr: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
        for t in treatments:
            for abbr, near in t.abbreviations:
                near_re = re.compile(_lower_regex(near)) if near else None
                self._abbr.setdefault(abbr, []).append((t.slug, near_re))
        for abbr in self._abbr:
            rule = _Rule("abbr", abbr, re.compile(re.escape(abbr) + r"(?![\w])"), cased=True)
            scanner.add(rule, [abbr.lower()])

        # Raw regular expressions: tried where their literal start is, or scanned when gated.
        self._pattern_info: dict[str, tuple[str, re.Pattern[str] | None]] = {}
        self._gated: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = []
        self._gated_needs: dict[str, tuple[str, ...]] = {}
        for t in treatments:
            for regex, near, gates in t.patterns:
                label = f"p{len(self._pattern_info)}"
                rx = re.compile(_lower_regex(regex))
                near_rx = re.compile(_lower_regex(near)) if near else None
                self._pattern_info[label] = (t.slug, near_rx)
                try:
                    starts = [] if gates else _anchors(regex)
                except ValueError:
                    starts = []
                if starts and all(len(a) >= 3 for a in starts):
                    scanner.add(_Rule("pattern", label, rx), starts)
                else:
                    self._gated.append((label, rx, gates))
                    self._gated_needs[label] = _required_literals(rx)
                    # the gate words anywhere, not only at a word start: ``gate in text``
                    scanner.add(_Rule("gate", label, rx), gates, word_start=False)
        self._ungated = any(not gates for _, _, gates in self._gated)

        # Exclusions (traps): a part with a literal start is tried where the automaton finds
        # that start; the few without one are scanned near the mention.
        self._trap_slugs = {t.slug for t in treatments if t.exclude}
        self._trap_scan: dict[str, list[tuple[re.Pattern[str], tuple[str, ...]]]] = {}
        for t in treatments:
            for x in t.exclude:
                for part in _literal_led(_lower_regex(x)):
                    literal = _literal_start(part)
                    rx = re.compile(part)
                    if literal and literal[0].isalnum():
                        scanner.add(_Rule("trap", t.slug, rx), [literal])
                    else:
                        self._trap_scan.setdefault(t.slug, []).append(
                            (rx, _required_literals(rx))
                        )

    # ------------------------------------------------------------------ matching

    def find(self, doc: _Doc) -> list[tuple[int, int, str]]:
        """(start, end, slug) of every treatment name in the text, traps removed."""
        found: list[tuple[int, int, str]] = []
        lower = doc.lower
        term_slugs, spellings = self._term_slugs, self._term_spellings
        # All synonyms share one rule; its regex is tried straight from the hits, where the
        # automaton found a first word (the hottest loop: no intermediate list)
        hits = doc.hits
        for start, (rule,) in hits.get("term", ()):
            m = rule.regex.match(lower, start)
            if m is None:
                continue
            end = m.end()
            key = lower[start:end]
            slugs: Sequence[str] | None = spellings.get(key)  # the usual spellings, as written
            if slugs is None:
                slugs = term_slugs.get(_term_key(key), ())
            for slug in slugs:
                found.append((start, end, slug))
        # matches() only where the scan found an anchor of that category (most texts: none)
        pattern_hits = self._scanner.matches(doc, "pattern") if "pattern" in hits else _NO_MATCHES
        gate_hits = hits.get("gate")
        if gate_hits or self._ungated:
            pattern_hits = [*pattern_hits, *self._scanned_patterns(doc, gate_hits)]
        for label, start, end in pattern_hits:
            slug, near = self._pattern_info[label]
            if near is None or self._near(doc, start, end, near):
                found.append((start, end, slug))
        abbr_hits = self._scanner.matches(doc, "abbr") if "abbr" in hits else None
        if abbr_hits:
            literal_slugs = {f[2] for f in found}
            for abbr, start, end in abbr_hits:
                for slug, near in self._abbr[abbr]:
                    if near is None or slug in literal_slugs or self._near(doc, start, end, near):
                        found.append((start, end, slug))
        if not found or self._trap_slugs.isdisjoint([f[2] for f in found]):
            return found
        return self._without_traps(doc, found)

    def _scanned_patterns(
        self, doc: _Doc, gate_hits: list[tuple[int, tuple[_Rule, ...]]] | None
    ) -> list[tuple[str, int, int]]:
        """(label, start, end) of the patterns scanned over the whole text: those without a
        literal start, and gated ones whose gate word is in the text.

        The automaton finds gate words with the anchors (most texts have none, and then no
        gated pattern costs anything); a hit is confirmed with ``in`` on the lower-cased
        text, because the automaton reads punctuation as spaces.
        """
        lower = doc.lower
        opened = {rule.label for _, rules in gate_hits for rule in rules} if gate_hits else ()
        out: list[tuple[str, int, int]] = []
        for label, rx, gates in self._gated:  # in configuration order
            if gates and (label not in opened or not any(g in lower for g in gates)):
                continue
            if not all(n in lower for n in self._gated_needs[label]):
                continue  # a literal every match holds is missing: nothing to find
            out.extend((label, m.start(), m.end()) for m in rx.finditer(lower))
        return out

    def _without_traps(
        self, doc: _Doc, found: list[tuple[int, int, str]]
    ) -> list[tuple[int, int, str]]:
        """Drop mentions that sit inside a trap of their treatment (see ``exclude:``)."""
        # Only the traps of treatments actually named ("patients" anchors an IVIG trap), and
        # only those starting at or before the treatment's last mention: a trap that starts
        # later cannot hold one. Trap rules are never cased: they match the lower-cased text.
        last: dict[str, int] = {}
        for start, _, slug in found:
            if last.get(slug, -1) < start:
                last[slug] = start
        spans: dict[str, list[tuple[int, int]]] = {}
        lower = doc.lower
        for start, rules in doc.hits.get("trap", ()):
            for rule in rules:
                if start <= last.get(rule.label, -1):
                    m = rule.regex.match(lower, start)
                    if m is not None:
                        spans.setdefault(rule.label, []).append((start, m.end()))
        if not spans and self._trap_scan.keys().isdisjoint(last):
            return found  # the usual case: no trap around any mention
        kept = []
        trapped_slugs: set[str] = set()
        for m_start, m_end, slug in found:
            trapped = False
            for a, b in spans.get(slug, ()):
                if a <= m_start and m_end <= b:
                    trapped = True
                    break
            scan = self._trap_scan.get(slug)
            if scan and not trapped:
                lo, hi = max(0, m_start - 120), m_end + 120
                trapped = any(
                    _covers(rx, lower, lo, hi, m_start, m_end)
                    for rx, needs in scan
                    # a literal every match holds, missing: no match, and no scan
                    if all(lower.find(n, lo, hi) >= 0 for n in needs)
                )
            if trapped:
                trapped_slugs.add(slug)
            else:
                kept.append((m_start, m_end, slug))
        if not trapped_slugs:
            return kept
        # Once the text shows a name in its trap role (lidocaine as a block's anaesthetic,
        # DMSO as a solvent), its other bare one-word mentions are read in the same role;
        # a qualified synonym ("lidocaine infusion", "DMSO cream") still counts.
        lower = doc.lower
        return [m for m in kept
                if m[2] not in trapped_slugs or not lower[m[0]:m[1]].isalnum()]

    @staticmethod
    def _near(doc: _Doc, start: int, end: int, near: re.Pattern[str]) -> bool:
        lo = max(0, start - _NEAR_WINDOW)
        return near.search(doc.lower, lo, end + _NEAR_WINDOW) is not None


def _covers(rx: re.Pattern[str], lower: str, lo: int, hi: int, start: int, end: int) -> bool:
    """Whether one of ``rx.finditer(lower, lo, hi)`` holds [start, end). The matches come in
    text order, so the scan stops at the first one that starts after ``start``: no later
    match can hold the mention (the rest of the window is never searched)."""
    for x in rx.finditer(lower, lo, hi):
        if x.start() > start:
            return False
        if end <= x.end():
            return True
    return False
