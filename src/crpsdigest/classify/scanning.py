"""One entry's text in the forms matching needs, and the single automaton pass over it.

:class:`_Scanner` finds every rule's literal anchor in one C-level Aho-Corasick pass and
tries each rule's regex only there; :class:`_Doc` carries the entry's text forms, the hits
and the sentence bounds every later stage (relevance, scoping, kinds) asks about.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from crpsdigest.classify.regexes import _anchors

# Sort keys: _START for (label, start, end) matches; _FIRST and _END for (start, end, ...)
# mentions and separators.
_START = itemgetter(1)
_FIRST, _END = itemgetter(0), itemgetter(1)


@dataclass(frozen=True, slots=True)
class _Rule:
    category: str  # "term", "abbr", "pattern", "crps", "cue", "kind", "academic"
    label: str
    regex: re.Pattern[str]
    cased: bool = False  # match on the case-kept text instead of the lower-cased one


_Hits = dict[str, list[tuple[int, tuple[_Rule, ...]]]]
_Found = dict[str, list[tuple[str, int, int]]]


class _Scanner:
    """Aho-Corasick over the rules' literal anchors, then each rule's regex at the hit.

    Python's ``re`` visits every position of the text for every alternative; with a few
    hundred synonyms and cue phrases that costs milliseconds per entry. One automaton finds
    the few positions worth trying, for every category, in a single C-level pass (a pass
    costs about as much as sorting its hits, so one pass beats one per category).
    """

    def __init__(self) -> None:
        # anchor -> category -> rules
        self._rules: dict[str, dict[str, list[_Rule]]] = {}
        self._automaton: Any = None

    def add(
        self, rule: _Rule, anchors: Iterable[str] | None = None, word_start: bool = True
    ) -> None:
        for anchor in anchors if anchors is not None else _anchors(rule.regex.pattern):
            key = _spaced(anchor.lower())
            if word_start and key[0].isalnum() and key.isascii():
                key = " " + key  # only at a word start
            rules = self._rules.setdefault(key, {}).setdefault(rule.category, [])
            if rule not in rules:
                rules.append(rule)

    def build(self) -> None:
        import ahocorasick  # C extension: one pass over the text finds every anchor

        self._drop_repeats()
        automaton = ahocorasick.Automaton()
        # A node's children are searched one by one, in the order they were added: keys
        # added in order of letter frequency put the letters text has most often first.
        # (The order changes no hit: each key keeps its value.)
        for key in sorted(self._rules, key=_frequent_first):
            by_category = self._rules[key]
            if not by_category:
                continue
            # how far the word start is before the match end
            length = len(key) - 1 if key[0] == " " else len(key)
            eager = tuple((c, r.label, r.regex.match, r.cased)
                          for c, rules in by_category.items() if c in _EAGER for r in rules)
            lazy = [(c, tuple(rules)) for c, rules in by_category.items() if c not in _EAGER]
            # the first lazy category apart: most keys have one, stored without a loop
            category, rules = lazy[0] if lazy else (None, ())
            automaton.add_word(key, (length, eager or None, category, rules,
                                     tuple(lazy[1:]) or None))
        automaton.make_automaton()
        self._automaton = automaton

    def _drop_repeats(self) -> None:
        """Two anchors that match at one place are a key and its prefix ("ketamin",
        "ketamine"): the longer one need not try the rules the prefix already tries there,
        so :meth:`matches` tries each rule once per place without keeping count."""
        for key, by_category in self._rules.items():
            for cut in range(1, len(key)):
                shorter = self._rules.get(key[:cut])
                if not shorter:
                    continue
                for category in list(by_category):
                    already = shorter.get(category)
                    if already:
                        by_category[category] = [r for r in by_category[category]
                                                 if r not in already]
                        if not by_category[category]:
                            del by_category[category]

    def scan(self, spaced: str, lower: str, folded: str) -> tuple[_Hits, _Found]:
        """Match the eager categories' rules where their anchors are (``found``); sort the
        other anchors into ``hits`` by category, for :meth:`matches` to try only if that
        stage runs. Offsets are into ``lower`` and ``folded``; ``spaced`` is " " + the
        lower-cased text with punctuation as spaces (see :func:`_spaced`).

        The per-hit Python here is the classifier's hottest loop: relevance and kinds are
        needed for every entry, so their rules are tried at once instead of being stored
        and walked a second time; keys whose rules are all eager (or all lazy) skip the
        other half. A key's first lazy category is stored apart from the others (most keys
        have one), so the usual hit is filed without an inner loop.
        """
        hits: _Hits = {}
        # the eager categories' lists exist from the start (empty when nothing matched):
        # one append per match, and matches() finds them without a call
        found: _Found = {"crps": [], "kind": []}  # _EAGER
        for end, (length, eager, category, rules, more) in self._automaton.iter(spaced):
            start = end - length
            if eager is not None:
                for kind, label, match, cased in eager:
                    m = match(folded if cased else lower, start)
                    if m is not None:
                        found[kind].append((label, start, m.end()))
            if category is not None:
                if category in hits:
                    hits[category].append((start, rules))
                else:
                    hits[category] = [(start, rules)]
                if more is not None:
                    for category, rules in more:
                        if category in hits:
                            hits[category].append((start, rules))
                        else:
                            hits[category] = [(start, rules)]
        return hits, found

    @staticmethod
    def matches(doc: _Doc, category: str) -> list[tuple[str, int, int]]:
        """(label, start, end) of the rules of one category that match where their anchor is.

        The list is the doc's own: read it, do not change it. Eager categories were matched
        by :meth:`scan`; a lazy one is matched on the first call and kept for the next.
        """
        done = doc.found.get(category)
        if done is not None:
            return done
        candidates = doc.hits.get(category)
        if not candidates:
            return _NO_MATCHES
        lower, folded = doc.lower, doc.folded
        out: list[tuple[str, int, int]] = []
        # no rule comes twice at one place: build() dropped repeats (see _drop_repeats)
        for start, rules in candidates:
            for rule in rules:
                m = rule.regex.match(folded if rule.cased else lower, start)
                if m is not None:
                    out.append((rule.label, start, m.end()))
        doc.found[category] = out
        return out


# Letters by how often English text has them: after a word start (the automaton's keys
# mostly begin with a space), and anywhere else.
_WORD_START_RANK = {ch: i for i, ch in enumerate("asctpirwfdomlbenhgukvyjqxz")}
_LETTER_RANK = {ch: i for i, ch in enumerate(" eaitnrosldpcmhufgywbvkxzjq")}


def _frequent_first(key: str) -> tuple[int, ...]:
    ranks = [_LETTER_RANK.get(ch, 100 + ord(ch)) for ch in key]
    if len(key) > 1 and key[0] == " ":
        ranks[1] = _WORD_START_RANK.get(key[1], 100 + ord(key[1]))
    return tuple(ranks)


# What matches() returns for a category without hits: shared, never modified.
_NO_MATCHES: list[tuple[str, int, int]] = []

# Categories every entry needs (relevance, kinds): tried during the scan itself.
_EAGER = frozenset({"crps", "kind"})


# ASCII punctuation that separates words becomes a space in the automaton's copy of the text;
# "," ";" ":" "%" "/" "&" stay because some anchors contain them.
_NON_WORD_CHARS = "\n\t\r.()[]{}\"'!?-_*#@+=<>|\\~^`$"
_NON_WORD = re.compile("[" + re.escape(_NON_WORD_CHARS) + "]")
_NON_WORD_BYTES = bytes.maketrans(_NON_WORD_CHARS.encode(), b" " * len(_NON_WORD_CHARS))


def _spaced(text: str) -> str:
    # bytes.translate is a table lookup in C, ~6x faster than re.sub; the characters it
    # changes are ASCII, so any Latin-1 text (most accented feed text) can take it too
    if text.isascii():
        return text.encode("ascii").translate(_NON_WORD_BYTES).decode("ascii")
    try:
        return text.encode("latin-1").translate(_NON_WORD_BYTES).decode("latin-1")
    except UnicodeEncodeError:
        return _NON_WORD.sub(" ", text)


@dataclass(slots=True)
class _Doc:
    """One entry's text in the forms matching needs; offsets agree across all three."""

    clean: str  # normalised, as shown in evidence
    folded: str  # accents folded, case kept
    lower: str  # folded and lower-cased
    title_end: int
    spaced: str  # the automaton's copy: see _Scanner.scan
    hits: _Hits  # category -> anchors found, for the lazy categories
    found: _Found  # category -> (label, start, end) of the rules that matched
    _lead_end: int | None = field(default=None, repr=False)
    # (start, end) of the sentence separators, in text order; see sentence()
    _seps: list[tuple[int, int]] | None = field(default=None, repr=False)

    def sentence(self, pos: int) -> tuple[int, int]:
        """Bounds of the sentence holding ``pos`` (the title is a sentence of its own): from
        the end of the last separator that ends at or before ``pos`` to the end of the first
        one that starts at or after it.

        The separators are found once per entry, on the first call, and each call is then
        two bisections: an entry asks for several sentences.
        """
        seps = self._seps
        if seps is None:
            seps = self._seps = _sentence_separators(self.clean)
        # separators never overlap: sorted by start, they are sorted by end too
        i = bisect_right(seps, pos, key=_END)
        j = bisect_left(seps, pos, key=_FIRST)
        return (seps[i - 1][1] if i else 0), (seps[j][1] if j < len(seps) else len(self.clean) + 1)

    @property
    def lead_end(self) -> int:
        """End of the first sentence after the title: the lead weighs more than the body."""
        if self._lead_end is None and self._seps is not None:
            self._lead_end = self.sentence(self.title_end + 1)[1]  # two bisections
        if self._lead_end is None:
            # sentence(title_end + 1)[1], without finding every separator: most entries
            # need no other sentence. The first separator after the title ends the lead.
            m = _SEPARATOR.search(self.clean, self.title_end + 1)
            self._lead_end = m.end() if m is not None else len(self.clean) + 1
        return self._lead_end


# A sentence ends at ". ", "! ", "? ", '." ' or a line break ("4.5 mg", "e.g." end none). No
# separator's end can begin another (each ends with a space or is a line break, none starts
# with a space), so they never overlap and finditer finds every one. Written as one of four
# characters and what must follow it: a leading character set lets re skip straight to those
# characters (an alternation whose branches do not all start with a literal gets no such
# prefix, and re would try the whole pattern at every character).
_SEPARATOR = re.compile(r'[\n.!?](?:(?<=\n)|(?<=[.!?]) |(?<=\.)" )')


def _sentence_separators(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence separator in ``text``, in text order."""
    return [m.span() for m in _SEPARATOR.finditer(text)]


def _lower_same_length(text: str) -> str:
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(ch.lower()[:1] or ch for ch in text)  # e.g. U+0130 lowers to two characters
