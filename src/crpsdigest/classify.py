"""Classification: is an entry about CRPS, which treatments is it about, what kind of item is it.

The spec is shared/taxonomy.md. Three decisions per entry:

* relevance - the text itself is about CRPS (any of its names, in English, French, German,
  Spanish or Italian), with guards for the look-alikes (``CRPs`` = C-reactive proteins, ``RSD``
  = rejection sensitive dysphoria, Sudeck the surname, a passing mention in a list of
  conditions);
* treatments - synonyms, brands and translations from treatments.yaml, then a *subject versus
  mention* filter: a treatment named only as history, prior failure, eligibility criterion,
  usual care, cross-reference or rhetorical contrast is not tagged (sentence and clause-level
  cue phrases, section 5 of the spec). Items that are not CRPS-relevant get no tags unless the
  feed itself is about CRPS;
* kinds - registry identifiers, PubMed publication types, feed hints and cue phrases.

Everything is compiled once in :class:`Classifier`; per entry the work is a handful of
precompiled regex scans, which keeps classification far above 20,000 entries per second.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import re
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from operator import itemgetter
from typing import Any

import yaml

from crpsdigest.models import Classification, Entry
from crpsdigest.normalize import fold_accents, match_key, normalize_text

GROUPS = ("drug", "interventional", "rehabilitation", "psychological", "other")
_LIST_KEYS = ("synonyms", "brands", "translations")
_KNOWN_KEYS = frozenset(
    {"slug", "name", "group", "abbreviations", "patterns", "classes", "exclude", "suppressed_by",
     "extend", *_LIST_KEYS}
)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_NEAR_WINDOW = 80
_SEP = "\x00"  # separator unit inside a synonym: matches "", " " or "-" in text

# Sort keys: _START for (label, start, end) matches; _FIRST and _END for (start, end, ...)
# mentions and separators.
_START = itemgetter(1)
_FIRST, _END = itemgetter(0), itemgetter(1)

# Position weights for ordering: the title and the lead say what an item is about.
_W_TITLE, _W_LEAD, _W_BODY = 3.0, 2.0, 1.0


# --------------------------------------------------------------------------- configuration


def _load_bundled() -> list[dict[str, Any]]:
    text = resources.files("crpsdigest").joinpath("treatments.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return list(data["treatments"])


def _check_regex(value: object, where: str, errors: list[str]) -> None:
    if not isinstance(value, str) or not value:
        errors.append(f"{where}: must be a non-empty regular expression string")
        return
    try:
        re.compile(value)
    except re.error as exc:
        errors.append(f"{where}: invalid regular expression ({exc})")


def _check_one(
    item: object, where: str, bundled: set[str], known: set[str], errors: list[str]
) -> None:
    if not isinstance(item, dict):
        errors.append(f"{where}: must be a mapping with at least a slug")
        return
    for key in sorted(set(item) - _KNOWN_KEYS):
        errors.append(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(_KNOWN_KEYS))})")
    slug = item.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        errors.append(f"{where}.slug: must be lowercase words joined by hyphens, got {slug!r}")
        return
    is_new = slug not in bundled
    for key in ("name", "group"):
        if key in item and (not isinstance(item[key], str) or not item[key].strip()):
            errors.append(f"{where}.{key}: must be a non-empty string")
        elif is_new and key not in item:
            errors.append(f"{where}.{key}: required for the new treatment {slug!r}")
    if isinstance(item.get("group"), str) and item["group"] not in GROUPS:
        errors.append(f"{where}.group: must be one of {', '.join(GROUPS)}, got {item['group']!r}")
    for key in _LIST_KEYS:
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            errors.append(f"{where}.{key}: must be a list of non-empty strings")
    for i, abbr in enumerate(item.get("abbreviations", []) or []):
        at = f"{where}.abbreviations[{i}]"
        if isinstance(abbr, dict):
            if not isinstance(abbr.get("abbr"), str) or not abbr["abbr"].strip():
                errors.append(f"{at}.abbr: must be a non-empty string")
            if "near" in abbr:
                _check_regex(abbr["near"], f"{at}.near", errors)
        elif not isinstance(abbr, str) or not abbr.strip():
            errors.append(f"{at}: must be a string or {{abbr: ..., near: ...}}")
    for i, pat in enumerate(item.get("patterns", []) or []):
        at = f"{where}.patterns[{i}]"
        if isinstance(pat, dict):
            _check_regex(pat.get("regex"), f"{at}.regex", errors)
            if "near" in pat:
                _check_regex(pat["near"], f"{at}.near", errors)
            gate = pat.get("gate", [])
            gates = [gate] if isinstance(gate, str) else gate
            if not isinstance(gates, list) or not all(isinstance(g, str) and g for g in gates):
                errors.append(f"{at}.gate: must be a string or a list of strings")
        else:
            _check_regex(pat, at, errors)
    for i, pat in enumerate(item.get("exclude", []) or []):
        _check_regex(pat, f"{where}.exclude[{i}]", errors)
    for key in ("classes", "suppressed_by"):
        value = item.get(key, [])
        if not isinstance(value, list):
            errors.append(f"{where}.{key}: must be a list of treatment slugs")
            continue
        for ref in value:
            if ref not in known:
                errors.append(f"{where}.{key}: unknown treatment slug {ref!r}")
    if is_new and not any(item.get(k) for k in (*_LIST_KEYS, "abbreviations", "patterns")):
        errors.append(f"{where}: a new treatment needs synonyms, abbreviations or patterns")


def validate_treatments(extra: list[dict[str, Any]]) -> list[str]:
    """Problems in a feeds.yaml ``treatments:`` list, as ``treatments[i].key: message`` lines."""
    if not isinstance(extra, list):
        return ["treatments: must be a list of treatments"]
    bundled = {t["slug"] for t in _load_bundled()}
    known = set(bundled)
    known.update(t["slug"] for t in extra if isinstance(t, dict) and isinstance(t.get("slug"), str))
    errors: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(extra):
        _check_one(item, f"treatments[{i}]", bundled, known, errors)
        slug = item.get("slug") if isinstance(item, dict) else None
        if isinstance(slug, str):
            if slug in seen:
                errors.append(f"treatments[{i}].slug: {slug!r} is listed twice")
            seen.add(slug)
    return errors


def _merge(base: list[dict[str, Any]], extra: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Extra entries replace the keys they give; with ``extend: true`` their lists are appended."""
    by_slug = {t["slug"]: dict(t) for t in base}
    for item in extra:
        current = by_slug.get(item["slug"], {})
        if item.get("extend"):
            merged = dict(current)
            for key, value in item.items():
                if isinstance(value, list):
                    merged[key] = [*current.get(key, []), *value]
                elif key != "extend":
                    merged[key] = value
        else:
            merged = {**current, **{k: v for k, v in item.items() if k != "extend"}}
        by_slug[item["slug"]] = merged
    return list(by_slug.values())


# --------------------------------------------------------------------------- compiled model


@dataclass(frozen=True)
class Treatment:
    """One treatment as configured (after merging feeds.yaml overrides)."""

    slug: str
    name: str
    group: str
    terms: tuple[str, ...]
    abbreviations: tuple[tuple[str, str | None], ...] = ()
    patterns: tuple[tuple[str, str | None, tuple[str, ...]], ...] = ()
    classes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    suppressed_by: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Treatment:
        terms: list[str] = []
        for key in _LIST_KEYS:
            terms.extend(raw.get(key, []) or [])
        abbrs = tuple(
            (a["abbr"], a.get("near")) if isinstance(a, dict) else (a, None)
            for a in raw.get("abbreviations", []) or []
        )
        pats: list[tuple[str, str | None, tuple[str, ...]]] = []
        for p in raw.get("patterns", []) or []:
            if isinstance(p, dict):
                gate = p.get("gate", ())
                gates = (gate,) if isinstance(gate, str) else tuple(gate)
                pats.append((p["regex"], p.get("near"), tuple(g.lower() for g in gates)))
            else:
                pats.append((p, None, ()))
        return cls(
            slug=raw["slug"],
            name=raw.get("name", raw["slug"]),
            group=raw.get("group", "other"),
            terms=tuple(terms),
            abbreviations=abbrs,
            patterns=tuple(pats),
            classes=tuple(raw.get("classes", []) or []),
            exclude=tuple(raw.get("exclude", []) or []),
            suppressed_by=tuple(raw.get("suppressed_by", []) or []),
        )


def _units(term: str) -> list[str]:
    """A synonym as trie units: lower-case characters, with one _SEP where space/hyphen was."""
    folded = fold_accents(normalize_text(term)).lower().strip()
    units: list[str] = []
    for ch in folded:
        if ch.isspace() or ch == "-":
            if units and units[-1] != _SEP:
                units.append(_SEP)
        else:
            units.append(ch)
    while units and units[-1] == _SEP:
        units.pop()
    return units


def _trie_regex(words: Iterable[list[str]]) -> str:
    """One alternation for many literals, factored by common prefix (fast in Python's re)."""
    trie: dict[str, Any] = {}
    for units in words:
        node = trie
        for unit in units:
            node = node.setdefault(unit, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        terminal = "" in node
        branches = []
        for unit in sorted(k for k in node if k):
            piece = r"[\s\-]*" if unit == _SEP else re.escape(unit)
            branches.append(piece + emit(node[unit]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:
            return "(?:" + body + ")?"
        return body

    return emit(trie)


# --------------------------------------------------------------------------- scanning

_REGEX_META = set("\\()[]{}?*+|^$.")


def _anchor(pattern: str) -> str:
    """The literal text a rule's regex starts with (what the automaton looks for)."""
    out: list[str] = []
    for ch in pattern:
        if ch in _REGEX_META:
            if ch in "?*{" and out:
                out.pop()  # the character before a quantifier is optional
            break
        out.append(ch)
    anchor = "".join(out).lower().rstrip()
    if not anchor or (len(anchor) < 2 and anchor.isalnum()):
        raise ValueError(f"rule needs a literal start of two or more characters: {pattern!r}")
    return anchor


def _split_leading(src: str) -> tuple[list[str], str, bool] | None:
    """``(?:a|b)rest`` -> (["a", "b"], "rest", optional?); None when src has no leading group."""
    if not src.startswith("(?:"):
        return None
    branches: list[str] = []
    depth, start, i = 1, 3, 3
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":  # skip a character class whole
            i = src.index("]", i + 2)
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                branches.append(src[start:i])
                break
        elif ch == "|" and depth == 1:
            branches.append(src[start:i])
            start = i + 1
        i += 1
    rest = src[i + 1 :]
    optional = rest[:1] in ("?", "*")
    return branches, (rest[1:] if optional else rest), optional


def _literal_led(pattern: str, limit: int = 40) -> list[str]:
    """Rewrite a regex as alternatives that each start with a literal character.

    Python's ``re`` finds a literal start with a fast scan, but tries every position for a
    pattern that starts with a group, ``\\b`` or an alternation. A leading ``\\b`` becomes a
    look-behind after the first character. Returns [pattern] when it cannot be rewritten.
    """
    out: list[str] = []
    todo = [pattern]
    while todo:
        src = todo.pop()
        if src.startswith(r"\b") and src[2:3].isalnum() and src[3:4] not in ("?", "*", "+", "{"):
            src = src[2] + f"(?<!\\w{re.escape(src[2])})" + src[3:]
        split = _split_leading(src)
        if split is None:
            if not src[:1].isalnum():
                return [pattern]
            out.append(src)
        else:
            branches, tail, optional = split
            if any("|" in b and b.count("(") != b.count(")") for b in branches):
                return [pattern]
            todo.extend(b + tail for b in branches)
            if optional:
                todo.append(tail)
        if len(out) + len(todo) > limit:
            return [pattern]
    return out


def _literal_start(pattern: str) -> str:
    """The literal text a regex from :func:`_literal_led` must start with ("" if too short)."""
    src = re.sub(r"^(.)\(\?<!\\w[^)]*\)", r"\1", pattern)
    try:
        literal = _anchor(src)
    except ValueError:
        return ""
    return literal if len(literal) >= 3 else ""


def _anchors(pattern: str, limit: int = 200) -> list[str]:
    """Literal starts of a regex for the automaton: longest literal runs, ``\\s+`` read as
    one space, leading ``(?:a|b)`` groups expanded into one anchor per branch."""
    found: list[str] = []

    def walk(src: str, literal: str) -> None:
        i = 0
        while i < len(src):
            if src.startswith(r"\s+", i):
                literal += " "
                i += 3
                continue
            if src.startswith(r"\b", i):
                i += 2
                continue
            if src.startswith("(?:", i):
                split = _split_leading(src[i:])
                if split is not None and not split[2] and len(found) + len(split[0]) <= limit:
                    for branch in split[0]:
                        walk(branch + split[1], literal)
                    return
                break
            ch = src[i]
            if ch in _REGEX_META:
                if ch in "?*{" and literal:
                    literal = literal[:-1]  # the character before a quantifier is optional
                break
            literal += ch
            i += 1
        found.append(literal)

    walk(pattern, "")
    anchors = []
    for literal in found:
        anchor = literal.lower().rstrip()
        if not anchor or (len(anchor) < 2 and anchor.isalnum()):
            raise ValueError(f"rule needs a literal start of two or more characters: {pattern!r}")
        if anchor not in anchors:
            anchors.append(anchor)
    return anchors


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
        for key, by_category in self._rules.items():
            if not by_category:
                continue
            # how far the word start is before the match end
            length = len(key) - 1 if key[0] == " " else len(key)
            eager = tuple((c, r.label, r.regex.match, r.cased)
                          for c, rules in by_category.items() if c in _EAGER for r in rules)
            lazy = tuple((c, rules) for c, rules in by_category.items() if c not in _EAGER)
            automaton.add_word(key, (length, eager or None, lazy or None))
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
        other half.
        """
        hits: _Hits = {}
        found: _Found = {}
        for end, (length, eager, lazy) in self._automaton.iter(spaced):
            start = end - length
            if eager is not None:
                for category, label, match, cased in eager:
                    m = match(folded if cased else lower, start)
                    if m is not None:
                        if category in found:
                            found[category].append((label, start, m.end()))
                        else:
                            found[category] = [(label, start, m.end())]
            if lazy is not None:
                for category, rules in lazy:
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
            # need no other sentence. The first separator is the nearest one of each kind.
            clean = self.clean
            end = len(clean) + 1
            for ch in ".!?\n":
                at = clean.find(ch, self.title_end + 1, end)  # only nearer than the best so far
                while at >= 0:
                    sep_end = _separator_end(clean, at)
                    if sep_end:
                        end = sep_end
                        break
                    at = clean.find(ch, at + 1, end)
            self._lead_end = end
        return self._lead_end


# A sentence ends at ". ", "! ", "? ", '." ' or a line break. No separator's end can begin
# another (each ends with a space or is a line break, none starts with a space), so they
# never overlap. They are found from their first character with str.find, which skips
# ahead with memchr: a regex alternation (no common literal prefix) tests every character
# in Python's re, and str.find of a two-character string has no memchr fast path; both
# cost several times more on feed text.


def _separator_end(text: str, at: int) -> int:
    """End of the sentence separator starting at ``at`` (a ``.``, ``!``, ``?`` or line
    break), or 0 when the character there starts none ("4.5 mg", "e.g.")."""
    ch = text[at]
    if ch == "\n":
        return at + 1
    after = text[at + 1 : at + 2]
    if after == " ":
        return at + 2
    if after == '"' and ch == "." and text[at + 2 : at + 3] == " ":
        return at + 3
    return 0


def _sentence_separators(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence separator in ``text``, in text order."""
    found: list[tuple[int, int]] = []
    at = text.find("\n")
    while at >= 0:
        found.append((at, at + 1))
        at = text.find("\n", at + 1)
    for ch in ".!?":
        at = text.find(ch)
        while at >= 0:
            end = _separator_end(text, at)
            if end:
                found.append((at, end))
            at = text.find(ch, at + 1)
    found.sort()
    return found


def _lower_regex(pattern: str) -> str:
    """A pattern for lower-cased text: letters lowered, escapes (``\\S``, ``\\W``...) kept.

    ``re.IGNORECASE`` switches off the literal-prefix search of Python's ``re``, which makes
    the exclusion and context patterns many times slower; matching lower-cased text with a
    lower-cased pattern gives the same answers.
    """
    out: list[str] = []
    escaped = False
    for ch in pattern:
        out.append(ch if escaped else ch.lower())
        escaped = not escaped and ch == "\\"
    return "".join(out)


def _lower_same_length(text: str) -> str:
    lower = text.lower()
    if len(lower) == len(text):
        return lower
    return "".join(ch.lower()[:1] or ch for ch in text)  # e.g. U+0130 lowers to two characters


# --------------------------------------------------------------------------- relevance

_CRPS_RULES: tuple[tuple[str, str, bool], ...] = (
    ("crps", r"crps(?:[12]|i{1,2})?(?![\w])", False),
    ("upper", r"SDRC(?![\w])", True),
    ("upper", r"RSDS(?![\w])", True),
    ("rsd", r"RSD(?![\w])", True),
    ("name", r"complex[\s\-]*regional[\s\-]*pain[\s\-]*syndromes?(?![\w])", False),
    ("name", r"reflex[\s\-]*sympathetic[\s\-]*dystroph(?:y|ies)", False),
    ("name", r"causalgi(?:a|c)(?![\s\-]*like)", False),
    ("name", r"morbus[\s\-]+sudeck", False),
    ("name", r"sudeck(?:'s|s)?[\s\-]*(?:atrophy|dystrophy|disease|syndrom\w*|osteoporosis|"
             r"point)|sudeck'sche", False),
    ("name", r"algo(?:neuro)?(?:dystroph|distrofi)\w*", False),
    ("name", r"sindrome[\s\-]+algodistrofic\w*", False),
    ("name", r"shoulder[\s\-]*hand[\s\-]*syndrome", False),
    ("name", r"post[\s\-]*traumatic[\s\-]*(?:dystrophy|osteoporosis|pain[\s\-]*syndrome)",
     False),
    ("name", r"syndrome[\s\-]+douloureux[\s\-]+regional[\s\-]+complexe", False),
    ("name", r"sindrome[\s\-]+(?:de[\s\-]+)?dolor(?:oso)?[\s\-]+regional[\s\-]+complej[oa]",
     False),
    ("name", r"sindrome[\s\-]+(?:dolorosa[\s\-]+)?regionale[\s\-]+complessa", False),
    ("name", r"komplex\w*[\s\-]+regional\w*[\s\-]+schmerzsyndrom\w*", False),
)
# Context checks run on the lower-cased text (re.IGNORECASE would disable fast prefix search).
_RSD_PAIN = re.compile(
    r"pain|limb|\blegs?\b|\barms?\b|\bhands?\b|\bfoot\b|\bfeet\b|ankle|wrist|knee|burning|swell|"
    r"nerve|injur|sympathetic|crps|complex regional|fracture|allodynia|dystroph"
)
_RSD_OTHER = re.compile(r"rejection|dysphoria|adhd|school|district|emotion|criticism|ticker|shares")
# Other conditions: a CRPS name in a sentence listing two of these is a passing mention.
# Found by the automaton (an alternation of 30 words would be tried at every position).
_OTHER_CONDITIONS = (
    "fibromyalgia", "multiple sclerosis", "ms", "crohn", "long covid", "longcovid", "arthritis",
    "migraine", "neuropath", "lupus", "cancer", "parkinson", "diabet", "depression", "ptsd",
    "endometriosis", "back pain", "phantom limb", "chronic fatigue", "me/cfs", "irritable bowel",
    "ibs", "headache", "autism", "adhd", "alzheimer", "sciatica", "ehlers", "pots",
    "osteoarthritis", "psoriasis", "hiv", "epilepsy", "obesity",
)
_WHOLE_WORD = frozenset({"ms", "ptsd", "me/cfs", "ibs", "pots", "hiv"})


_EXAMPLE_OF = re.compile(
    r"(?:conditions?|disorders?|diseases?|syndromes?|illnesses|states)\s+(?:such\s+as|like|"
    r"including|e\.g\.)"
)


def _relevance(doc: _Doc, hits: list[tuple[str, int, int]]) -> list[tuple[int, int]]:
    """Spans that make the text about CRPS; empty when it is not (``doc.hits`` must hold the
    scanner's hits: the other conditions are read from there)."""
    spans: list[tuple[int, int]] = []
    for label, start, end in hits:
        if label == "crps" and doc.folded[start : start + 4] == "CRPs":
            continue  # plural of CRP, C-reactive protein
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
    others = _Scanner.matches(doc, "condition")
    if sum(1 for _, start, _ in others if s0 <= start < s1) >= 2:
        return []
    return spans


# --------------------------------------------------------------------------- subject vs mention

# Cue phrases, matched on the lower-cased text. "pre" cues make treatments named after them in
# the same clause non-subjects; "post" cues those named before them in the clause; "block"
# cues (eligibility sections) run to the end of the paragraph or the next section heading;
# "xref" cues (pointers to other articles) and "contrast" cues ("unlike X") cover what follows
# in their clause (contrast only up to the next comma). "brk" ends a clause, "head" a section.
_W = r"(?![\w])"
_CUE_RULES: tuple[tuple[str, str], ...] = (
    ("block", r"inclusion\s+criteri(?:a|on)"),
    ("block", r"exclusion\s+criteri(?:a|on)"),
    ("block", r"eligibility(?:\s+criteria)?\s*:"),
    ("block", r"key\s+(?:inclusion|exclusion)\s+criteria"),
    ("block", r"criteres\s+d'(?:inclusion|exclusion)"),
    ("block", r"(?:ein|aus)schlusskriterien"),
    ("block", r"criterios\s+de\s+(?:inclusion|exclusion)"),
    ("block", r"criteri\s+di\s+(?:inclusione|esclusione)"),
    # a bare listing label: "Exclusion: prior SCS, ..." (the colon keeps prose out)
    ("block", r"(?:inclusion|exclusion|exclusions|eligibility|eligible)\s*:"),
    ("head", r"(?:interventions?|arms?|treatment|primary\s+outcomes?|secondary\s+outcomes?|"
             r"outcomes?|design|sponsor|locations?|status|methods?|results?|conclusions?)\s*:"),
    ("head", r"study\s+design\s*:"),
    ("head", r"(?:objectives?|aims?|purpose|objectifs?|ziele?|objetivos?|obiettiv[oi])\s*:"),
    # a structured abstract's background section: what it names is context unless the
    # abstract names no treatment elsewhere
    ("bg", r"(?:background|introduction|contexte|hintergrund|antecedentes|introduzione|"
           r"premessa)\s*:"),
    ("xref", r"(?:our|the|recent|earlier|previous|past|other|older)\s+(?:posts?|articles?|"
             r"stories|blogs?|blog\s+posts?|updates?|coverage|newsletters?)\s+(?:on|about|"
             r"regarding|involving|covering)" + _W),
    ("xref", r"(?:our|the)\s+(?:recent|earlier|previous|past|other|older)\s+(?:posts?|"
             r"articles?|stories|blogs?|blog\s+posts?|updates?|coverage|newsletters?)\s+(?:on|"
             r"about|regarding|involving|covering)" + _W),
    ("xref", r"following\s+(?:recent|our|earlier|previous)\s+(?:articles?|posts?|stories|"
             r"coverage)" + _W),
    ("xref", r"see\s+(?:also|more|our)" + _W),
    ("xref", r"read\s+(?:also|more|our)" + _W),
    ("xref", r"related\s*:"),
    ("xref", r"you\s+may\s+also\s+like" + _W),
    *(("xref", rf"we {w}\s+(?:previously\s+|recently\s+|already\s+)?(?:reported|written|"
               r"wrote|covered)" + _W) for w in ("have", "previously", "recently", "already")),
    ("contrast", r"unlike" + _W),
    ("contrast", r"rather\s+than" + _W),
    ("contrast", r"instead\s+of" + _W),
    ("contrast", r"as opposed\s+to" + _W),
    ("contrast", r"similar\s+to" + _W),
    ("contrast", r"in\s+the\s+same\s+way\s+as" + _W),
    ("contrast", r"(?:just|much)\s+like" + _W),
    # a passing comparison: "works in a similar way to ketamine", "acts much like X"
    ("contrast", r"(?:a|the)\s+(?:similar|same)\s+way\s+(?:to|as)" + _W),
    ("contrast", r"(?:works?|worked|acts?|acted|behaves?|behaved|functions?)\s+(?:much\s+|"
                 r"rather\s+|a\s+bit\s+|somewhat\s+)?like" + _W),
    ("contrast", r"(?:akin|analogous)\s+to" + _W),
    ("contrast", r"same\s+(?:receptors?|targets?|mechanisms?|pathways?|drug\s+class|class|"
                 r"family)\s+as" + _W),
    # "blocks NMDA receptors like ketamine": "like" after anything but a treatment category
    # ("drugs like ketamine" names an example, which is tagged); not "would like to"
    ("contrast", r"like(?!\s+to\b)" + "".join(f"(?<!{w} like)" for w in (
        "drugs", "treatments", "therapies", "medications", "medicines", "options", "agents",
        "interventions", "approaches", "procedures", "devices", "things", "therapy", "would",
        "i'd", "we'd", "you'd", "feel", "feels", "felt", "look", "looks", "looked", "i", "we",
        "you", "they", "patients", "people")) + _W),
    ("contrast", r"(?:same|similar)\s+(?:drug\s+)?(?:class|family)\s+as" + _W),
    ("pre", r"after\s+(?:failing|failed|failure\s+of|unsuccessful|ineffective|trying)" + _W),
    ("pre", r"despite" + _W),
    ("pre", r"following\s+(?:failed|unsuccessful|failure\s+of)" + _W),
    ("pre", r"(?:had|has|have|who)\s+(?:failed|tried|received|undergone|had|taken|"
            r"been\s+(?:given|treated\s+with|on|offered))" + _W),
    ("pre", r"(?:had|has|have|who)\s+(?:already|previously|also)\s+(?:failed|tried|received|"
            r"undergone|had|taken|been\s+(?:given|treated\s+with|on|offered))" + _W),
    ("pre", r"(?:i|we|they|you|she|he)'(?:ve|d)\s+(?:already\s+|previously\s+|also\s+)?"
            r"(?:failed|tried|received|undergone|had|taken)" + _W),
    ("pre", r"fail(?:ed|ure\s+of|ing)\s+(?:to\s+respond\s+to|treatments?\s+with|trials?\s+of)"
            + _W),
    ("pre", r"previously\s+(?:received|tried|treated|had|used|been|given|on|managed)" + _W),
    ("pre", r"previous(?:ly)?\s+(?:treatments?|therapies|use)" + _W),
    ("pre", r"prior(?!\s+to\b)" + _W),
    ("pre", r"history\s+of" + _W),
    ("pre", r"(?:had|have|has|having)\s+(?:already\s+)?exhausted" + _W),
    ("pre", r"before\s+(?:that|this|then)" + _W),
    ("pre", r"spent\s+(?:\w+\s+){0,2}(?:years?|months?|weeks?)\s+on" + _W),
    # "after seven years of morphine": a span of past treatment, not the subject
    ("pre", r"after\s+(?:\w+\s+){0,2}(?:years?|months?|weeks?)\s+(?:of|on)" + _W),
    # background practice in a news quote: "patients currently rely on opioids"
    ("pre", r"(?:currently|still|often|mostly|usually|largely|typically|now)\s+"
            r"(?:rely|relies|depend|depends)\s+on" + _W),
    ("pre", r"pregress[oaie]" + _W),
    # German usual care: the adjective comes first ("die übliche Physiotherapie")
    ("pre", r"(?:ubliche|gewohnte|bisherige)[nrs]?" + _W),
    ("pre", r"(?:treatment|medication|drug|medical)\s+history" + _W),
    ("pre", r"in spite\s+of" + _W),
    ("pre", r"(?:refractory|resistant|unresponsive|non-?responsive)\s+to" + _W),
    ("pre", r"did\s+not\s+respond\s+to" + _W),
    # French, Spanish, Italian and German non-response and "after failure of"
    ("pre", r"n'(?:ont|a|avaient|avait)\s+pas\s+repondu" + _W),
    ("pre", r"no\s+(?:(?:han|ha|habian|habia)\s+)?respond(?:ido|ieron|io|en|e)" + _W),
    ("pre", r"non\s+(?:hanno|ha|avevano|aveva)\s+risposto" + _W),
    ("post", r"nicht\s+(?:angesprochen|geholfen|gewirkt|angeschlagen)" + _W),
    ("pre", r"(?:antecedents|antecedentes)\s+d(?:e|')"),
    ("pre", r"(?:vorgeschichte|vorbehandlung)\s+(?:mit|von)" + _W),
    ("pre", r"apres\s+(?:l'|un\s+|une\s+)?echecs?\s+(?:de|des|du|d')"),
    ("pre", r"(?:tras|despues\s+de)\s+(?:el\s+)?fracaso\s+(?:de|del)" + _W),
    ("pre", r"dopo\s+(?:il\s+)?fallimento\s+(?:di|del|della|dei|delle|degli)" + _W),
    ("pre", r"nach\s+(?:erfolglos\w*|(?:dem\s+)?versagen|(?:dem\s+)?scheitern)" + _W),
    ("pre", r"(?:wer|die|der|welche)\s+bereits" + _W),
    # a historical aside: "sympathectomy was once routine", "historically, X"
    ("post", r"(?:was|were)\s+once\s+(?:routine|common|standard|popular|widely\s+used|"
             r"the\s+norm|used|offered)" + _W),
    ("pre", r"historically" + _W),
    # usual care given to every participant: "all fractures were managed with a cast and"
    ("pre", r"(?:all|both)\s+(?:fractures|injuries|wrists|limbs|groups|arms)\s+(?:were|are|"
            r"will\s+be)\s+(?:managed|treated)\s+with" + _W),
    ("post", r"in\s+(?:both|all)\s+(?:groups|arms)" + _W),
    ("pre", r"(?:not|never)\s+(?:responded|responding|respond)\s+to" + _W),
    ("pre", r"no (?:response|relief)\s+(?:to|from)" + _W),
    ("pre", r"variety\s+of\s+(?:treatments?|therap\w+|medications?)" + _W),
    ("pre", r"(?:various|numerous|countless|many|multiple|several)\s+(?:other\s+)?"
            r"(?:treatments|therapies|medications|drugs)" + _W),
    ("pre", r"in addition\s+to\s+(?:their|his|her|my|usual|regular|standard|existing)" + _W),
    ("pre", r"usual\s+care" + _W),
    ("pre", r"standard\s+(?:care|treatment|of\s+care)" + _W),
    ("pre", r"treatment\s+as\s+usual" + _W),
    ("pre", r"current(?:ly)?\s+(?:care|treatments?|therapies|options|management)\s+"
            r"(?:includes?|involves?|consists?|are|is|relies)" + _W),
    ("pre", r"(?:both|all)\s+(?:arms|groups|patients|participants)\s+(?:also\s+|will\s+)?"
            r"(?:received?|receives|continued?|continues|got|get|gets|had|have|keep|kept|"
            r"remained\s+on|stay(?:ed)?\s+on)" + _W),
    ("pre", r"(?:all|both)\s+(?:also\s+)?(?:continued?|kept|remained\s+on|stayed\s+on)" + _W),
    ("pre", r"background\s+(?:therapy|medication|treatment)" + _W),
    ("pre", r"stable\s+doses?\s+of" + _W),
    ("pre", r"already\s+(?:on|taking|using|receiving|prescribed|tried|failed|took|used|"
            r"received|had|undergone)" + _W),
    ("pre", r"(?:i|she|he)\s+(?:tried|had\s+tried)" + _W),
    ("pre", r"on a stable" + _W),
    ("pre", r"allowed\s+to\s+continue" + _W),
    ("pre", r"concomitant" + _W),
    ("pre", r"rescue\s+medication" + _W),
    ("pre", r"(?:requirements?|need)\s+for" + _W),
    ("pre", r"excluded\s+if" + _W),
    ("pre", r"must\s+not\s+have" + _W),
    ("pre", r"(?:should|must|can|do|does)(?: not|n't)\s+be\s+(?:taken|combined|used|mixed)\s+"
            r"with" + _W),
    ("pre", r"interact(?:s|ions?)?\s+with" + _W),
    ("post", r"(?:had|has|have)\s+(?:failed|not\s+(?:helped|worked))" + _W),
    ("post", r"(?:had|has|have)\s+all\s+(?:failed|not\s+(?:helped|worked))" + _W),
    ("post", r"(?:were|was|are|is|be)\s+(?:excluded|ineligible|not\s+allowed|not\s+permitted)"
             + _W),
    ("post", r"as\s+(?:part\s+of\s+)?(?:their\s+|the\s+)?(?:usual|standard|routine)\s+"
             r"(?:care|treatment|management|medication)" + _W),
    ("post", r"as\s+(?:background|co-?interventions?|concomitant)" + _W),
    ("post", r"without\s+(?:success|relief|benefit|improvement)" + _W),
    ("post", r"to no\s+avail" + _W),
    ("post", r"(?:proved|was|were|seemed)\s+initially\s+(?:beneficial|helpful|effective)" + _W),
    ("post", r"not\s+sustained" + _W),
    ("post", r"continued\s+(?:them\s+|it\s+|their\s+\w+\s+)?(?:unchanged|as\s+before|"
             r"at\s+(?:the\s+)?same\s+doses?)" + _W),
    ("post", r"wore\s+off" + _W),
    ("post", r"stopped\s+working" + _W),
    ("post", r"nothing\s+(?:worked|helped)" + _W),
    ("post", r"(?:did|does|has\s+done)\s+nothing" + _W),
    ("post", r"(?:did\s+not|didn't|never)\s+(?:help|work)(?:ed)?" + _W),
    ("post", r"(?:halfen|half|brachten|brachte|wirkten|wirkte)\s+(?:kaum|nicht|wenig|nichts|"
             r"keine)" + _W),
    ("post", r"n'(?:a|ont|avait|avaient)\s+(?:pas|rien)\s+(?:aide|marche|fonctionne|soulage|"
             r"change|apporte)" + _W),
    ("post", r"no\s+(?:me\s+|le\s+|les\s+|nos\s+)?(?:ayudo|ayudaron|funciono|funcionaron|"
             r"sirvio|sirvieron)" + _W),
    ("post", r"non\s+(?:mi\s+|gli\s+|le\s+|ci\s+)?(?:hanno|ha|avevano|aveva)\s+"
             r"(?:aiutato|funzionato)" + _W),
    ("post", r"did\s+not\s+help\s+(?:her|him|them|me)" + _W),
    # French, German, Spanish and Italian history and usual-care cues
    ("post", r"sans\s+(?:succes|benefice|effet|resultat|amelioration)" + _W),
    ("post", r"ohne\s+(?:erfolg|wirkung|besserung|nutzen)" + _W),
    ("post", r"sin\s+(?:exito|beneficio|efecto|resultado|mejoria)" + _W),
    ("post", r"senza\s+(?:successo|beneficio|effetto|risultat[oi]|miglioramento)" + _W),
    ("post", r"habituel(?:le)?s?" + _W),
    ("post", r"(?:rien\s+n'a\s+(?:marche|fonctionne|aide)|nada\s+(?:funcionaba|funciono|"
             r"sirvio|ayudo)|nichts\s+(?:half|wirkte|hat\s+geholfen)|(?:nulla|niente)\s+"
             r"(?:funzionava|ha\s+funzionato|aiutava))" + _W),
    ("post", r"(?:habitual|habituales|abituale|abituali)" + _W),
    ("pre", r"(?:poursuiv|continu)\w*\s+(?:leur|son|sa|ses)" + _W),
    ("pre", r"(?:deja|bereits|schon|ya|gia)\s+(?:essaye|recu|probiert|erhalten|"
            r"probado|recibido|provato|ricevuto|fatto)" + _W),
    *(("pre", rf"(?:avevano|aveva|hanno|ha)\s+{gia}(?:provato|ricevuto|fallito)" + _W)
      for gia in ("", r"gia\s+")),
    *(("pre", rf"(?:avaient|avait|ont)\s+{deja}(?:essaye|recu|echoue)" + _W)
      for deja in ("", r"deja\s+")),
    ("pre", r"a\s+deja\s+(?:essaye|recu|echoue)" + _W),
    *(("pre", rf"avoir\s+{deja}(?:essaye|recu|suivi)" + _W) for deja in ("", r"deja\s+")),
    *(("pre", rf"haber\s+{ya}(?:probado|recibido)" + _W) for ya in ("", r"ya\s+")),
    *(("pre", rf"(?:aver|avere)\s+{gia}(?:provato|ricevuto)" + _W) for gia in ("", r"gia\s+")),
    *(("pre", rf"(?:habian|habia|han|ha)\s+{ya}(?:probado|recibido|fracasado)" + _W)
      for ya in ("", r"ya\s+")),
    ("pre", r"(?:hatten|hatte|haben|hat)\s+(?:bereits|schon)" + _W),
    ("brk", r";"),
    ("brk", r"but" + _W),
    ("brk", r"whereas" + _W),
    ("brk", r"however" + _W),
    ("brk", r"before\s+(?:being\s+)?(?:starting|receiving|switching|referred|offered|"
            r"considered|undergoing|trying|getting|given)" + _W),
    ("brk", r",\s+(?:were|was|are|is|received|underwent|took)" + _W),
    ("brk", r"(?:were|was)\s+randomi[sz]ed" + _W),
    # ", then she was offered X" turns to the subject; ", then pregabalin" only extends a list
    *(("brk", rf",\s+{lead}then\s+(?:she|he|they|we|i|it|my|our|his|her|their|came|"
              r"started|switched|was|were|got|received|the\s+patient)" + _W)
      for lead in ("", r"and\s+")),
    ("brk", r",\s+(?:she|he|they|we|i|it|which|who|so|the\s+patient|patients|participants|"
            r"now|later|until|when|while|and\s+now|and\s+nothing|my|our|his|her|"
            r"their)" + _W),
)
_RESEARCH_CUE = re.compile(r"research|trial|study|studies|clinic\b|fund(?:ing|s)?\s+(?:for|into)")


@dataclass(slots=True)
class _Cues:
    """Cue positions of one entry, queried per treatment mention."""

    cues: list[tuple[int, int, str]]  # (start, end, kind), sorted by start
    starts: list[int]
    breaks: list[int]
    heads: list[int]
    background: list[tuple[int, int]]  # background sections closed by a later heading

    @classmethod
    def from_hits(cls, hits: list[tuple[str, int, int]]) -> _Cues:
        cues: list[tuple[int, int, str]] = []
        breaks: list[int] = []
        heads: list[int] = []
        backgrounds: list[int] = []
        for kind, start, end in sorted(hits, key=_START):
            if kind == "brk":
                breaks.append(start)
            elif kind == "head":
                heads.append(start)
            elif kind == "bg":
                backgrounds.append(end)
            else:
                cues.append((start, end, kind))
        background: list[tuple[int, int]] = []
        for bg_start in backgrounds:
            i = bisect_left(heads, bg_start)
            if i < len(heads):
                background.append((bg_start, heads[i]))
        return cls(cues, [c[0] for c in cues], breaks, heads, background)

    def in_background(self, pos: int) -> bool:
        """True inside a structured abstract's background section."""
        return any(lo <= pos < hi for lo, hi in self.background)

    @staticmethod
    def _between(positions: Sequence[int], lo: int, hi: int) -> bool:
        i = bisect_left(positions, lo)
        return i < len(positions) and positions[i] < hi

    def non_subject(self, doc: _Doc, start: int, end: int) -> bool:
        """True when the mention at [start, end) is history, criterion, background and so on."""
        if not self.cues:
            return False
        s0, s1 = doc.sentence(start)
        paragraph_start = doc.lower.rfind("\n", 0, start) + 1
        lo = bisect_left(self.starts, min(s0, paragraph_start))
        for c_start, c_end, kind in self.cues[lo:]:
            if c_start >= start:
                if c_start >= s1:
                    break
                if kind == "post" and not self._between(self.breaks, end, c_start):
                    return True
                continue
            if kind == "block":
                if c_start >= paragraph_start and not self._between(self.heads, c_end, start):
                    return True
            elif c_start < s0:
                continue
            elif kind == "contrast":
                if "," not in doc.lower[c_end:start] and not self._between(
                    self.breaks, c_end, start
                ):
                    return True
            elif kind in ("pre", "xref") and not self._between(self.breaks, c_end, start):
                return True
        return False


# Most entries have no cue phrase: one shared, never modified, empty set of cues.
_NO_CUES = _Cues([], [], [], [], [])


# --------------------------------------------------------------------------- kinds

_KIND_ORDER = (
    "clinical-trial", "recruiting", "rct", "systematic-review", "case-report", "guideline",
    "news", "personal-story", "fundraising-event",
)
_KIND_RANK = {kind: i for i, kind in enumerate(_KIND_ORDER)}
_NUM_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# (label, regex, cased): cased rules are matched on the case-kept text.
_KIND_RULES: tuple[tuple[str, str, bool], ...] = (
    ("trial_id", r"NCT\d{8}(?![\w])", True),
    ("trial_id", r"ISRCTN\d{6,}(?![\w])", True),
    ("trial_id", r"eudract(?:\s*(?:no\.?|number))?:?\s*20\d\d-\d{6}-\d\d", False),
    ("trial", r"phase\s*(?:[1-4]|i{1,3}|iv)(?:\s*/\s*(?:[1-4]|i{1,3}))?(?![\w])", False),
    ("trial", r"clinical\s+(?:trials?|study)" + _W, False),
    ("trial", r"(?:pilot|feasibility|crossover|interventional)\s+(?:study|trial)" + _W, False),
    ("trial", r"open[\s\-]*label\s+(?:study|trial|extension)" + _W, False),
    ("trial", r"multi-?cent(?:re|er)\s+(?:study|trial)" + _W, False),
    ("trial", r"open\s+pilot" + _W, False),
    ("trial", r"(?:trial|study)\s+(?:will\s+(?:test|"
              r"compare|recruit|enrol|evaluate|assess)|tests?|compares?|is\s+recruiting)" + _W,
     False),
    ("trial", r"trial\s+(?:will|would|is|has|starts?|began|begins|opens?)" + _W, False),
    ("trial", r"trial\s+(?:found|finds|showed|shows|reported|reports|suggests|misses|missed|"
              r"failed|fails|met|meets)" + _W, False),
    ("trial", r"to\s+trial\s+(?!and\b)\w+", False),
    ("trial", r"(?:trial|study)\s+(?:seeks?|seeking|testing|comparing|to\s+test|to\s+compare)"
              + _W, False),
    ("trial", r"(?:in|a|the)\s+trials?\s+(?:of|involving|with|at|in|among)" + _W, False),
    ("trial", r"(?:a|the)\s+(?:small|large|new|pilot)\s+trials?\s+(?:of|involving|with|at|in|"
              r"among)" + _W, False),
    ("trial", r"essai\s+clinique", False),
    ("trial", r"(?:studio\s+pilota|estudio\s+piloto|etude\s+pilote|pilotstudie)" + _W, False),
    ("trial", r"studio\s+clinico", False),
    ("trial", r"ensayo\s+clinico", False),
    ("trial", r"klinisch\w*\s+(?:studie|prufung)", False),
    ("trial", r"sperimentazion[ei]\s+(?:clinic[ah]e?|controllat[ae])", False),
    ("trial", r"(?:estudio|etude)\s+clinique?o?" + _W, False),
    ("rct", r"randomi[sz](?:ed|ation|ing)?" + _W, False),
    ("rct", r"randomly\s+assigned" + _W, False),
    ("rct", r"double[\s\-]*blind(?:ed)?" + _W, False),
    ("rct", r"placebo[\s\-]*controlled" + _W, False),
    ("rct", r"sham[\s\-]*controlled" + _W, False),
    ("rct", r"(?:or|versus|vs|against)\s+(?:a\s+)?(?:placebo|sham)" + _W, False),
    ("rct", r"randomizzat[oa]" + _W, False),
    ("rct", r"randomisiert\w*", False),
    ("rct", r"randomis(?:e|ee|es|ees)" + _W, False),
    ("rct", r"placebo[\s\-]*(?:kontrolliert\w*|controlad[oa]s?|controllat[oa])", False),
    ("rct", r"contre\s+placebo" + _W, False),
    ("rct", r"(?:doble\s+ciego|double[\s\-]+aveugle|doppio[\s\-]+cieco|doppelblind\w*)", False),
    ("rct", r"aleatori[sz]ad[oa]" + _W, False),
    ("rct", r"RCTs?(?![\w])", True),
    ("recruiting", r"recruiting" + _W, False),
    ("recruiting", r"not\s+yet\s+recruiting" + _W, False),
    ("recruiting", r"sucht\s+(?:\w+\s+){0,4}(?:teilnehmer\w*|probanden|patient\w*)", False),
    ("recruiting", r"(?:teilnehmer|probanden)\w*\s+gesucht", False),
    ("recruiting", r"(?:busca|buscan|recherche|recrute|cerca|cercano)\s+(?:des\s+|de\s+)?"
                   r"(?:participant\w*|partecipanti|pacientes|patients|pazienti|volontari|"
                   r"voluntarios|volontaires)", False),
    ("recruiting", r"(?:reclutando|en\s+reclutamiento|recrutement\s+en\s+cours|"
                   r"reclutamento\s+in\s+corso|rekrutierend)" + _W, False),
    ("recruiting", r"now\s+enrolling" + _W, False),
    ("recruiting", r"(?:started|begun|began|is|are)\s+enrolling" + _W, False),
    ("recruiting", r"enrolling\s+(?:now|patients|participants)" + _W, False),
    ("recruiting", r"seek(?:s|ing)?\s+(?:participants|volunteers|patients)" + _W, False),
    ("recruiting", r"volunteers\s+(?:needed|wanted)" + _W, False),
    ("recruiting", r"looking\s+for\s+(?:participants|volunteers)" + _W, False),
    ("recruiting", r"recruitment\s+(?:is\s+|will\s+)?(?:open|opens|opened|begins|starts)" + _W,
     False),
    ("recruiting", r"participants\s+(?:are\s+)?(?:needed|wanted|sought)" + _W, False),
    ("review", r"systematic(?:ally)?\s+review\w*", False),
    ("review", r"meta[\s\-]*analys[ie]s" + _W, False),
    ("review", r"cochrane" + _W, False),
    ("review", r"revue\s+systematique", False),
    ("review", r"revision\s+sistematica", False),
    ("case", r"case\s+(?:reports?|series|study|studies)" + _W, False),
    ("case", r"a case of" + _W, False),
    ("case", r"case\s+of\s+the\s+(?:week|month|day)" + _W, False),
    ("case", r"year[\s\-]*old\s+(?:man|woman|boy|girl|patient|male|female|child)\s+"
             r"(?:presented|was\s+referred|was\s+admitted)" + _W, False),
    ("case", r"the\s+cases\s+of" + _W, False),
    *(("case", rf"{n}\s+cases" + _W, False) for n in _NUM_WORDS),
    ("case", r"serie\s+de\s+cas(?:os)?" + _W, False),
    ("case", r"fallbericht\w*", False),
    ("case", r"(?:reporte|informe|presentacion)\s+de\s+(?:un\s+)?caso" + _W, False),
    ("case", r"(?:presentamos|describimos)\s+(?:el|un)\s+caso" + _W, False),
    ("case", r"(?:cas\s+clinique|a\s+propos\s+d'un\s+cas)" + _W, False),
    ("case", r"nous\s+(?:rapportons|presentons|decrivons)\s+(?:le|un)\s+cas" + _W, False),
    ("case", r"(?:presentiamo|descriviamo)\s+(?:il|un)\s+caso" + _W, False),
    ("case", r"descrizione\s+di\s+un\s+caso" + _W, False),
    ("case", r"caso\s+clinico" + _W, False),
    ("case_academic", r"year[\s\-]*old\s+(?:man|woman|boy|girl|patient|male|female|child)" + _W,
     False),
    ("guideline", r"guidelines?" + _W, False),
    ("guideline", r"guidance" + _W, False),
    ("guideline", r"consensus\s+(?:statement|recommendations?|report|guidelines?)" + _W, False),
    ("guideline", r"practice\s+parameters?" + _W, False),
    ("guideline", r"recommandations" + _W, False),
    ("guideline", r"leitlinie\w*", False),
    ("guideline", r"linee\s+guida" + _W, False),
    ("guideline", r"(?:raccomandazioni|recomendaciones)" + _W, False),
    ("guideline", r"guias?\s+de\s+practica\s+clinica" + _W, False),
    ("fundraising", r"rais(?:e|es|ed|ing)\s+(?:money|funds|awareness\s+and\s+money|£|\$|€|\d)",
     False),
    ("fundraising", r"fund-?rais\w*", False),
    ("fundraising", r"justgiving" + _W, False),
    ("fundraising", r"gofundme" + _W, False),
    ("fundraising", r"sponsored\s+\w+", False),
    ("fundraising", r"sponsor\s+me" + _W, False),
    ("fundraising", r"awareness\s+(?:day|month|week)" + _W, False),
    ("fundraising", r"charity\s+(?:walk|run|ball|event|auction|challenge)" + _W, False),
    ("fundraising", r"marathon" + _W, False),
    ("fundraising", r"bake\s+sale" + _W, False),
    ("fundraising", r"skydive" + _W, False),
    ("fundraising", r"donate" + _W, False),
    ("fundraising", r"(?:raccogliere|raccolta\s+(?:di\s+)?|recaudar|recaudacion\s+de|"
                    r"collecter\s+des|collecte\s+de|recolter\s+des)\s*fond[io]s?" + _W, False),
    ("fundraising", r"(?:spenden\s+(?:zu\s+)?sammeln|spendenlauf|spendenaktion|benefiz\w*)",
     False),
    *(("story", rf"my {w}" + _W, False) for w in ("journey", "story", "life with", "crps", "rsd")),
    ("story", r"(?:mein\s+leben\s+mit|meine\s+geschichte|mi\s+historia|mi\s+vida\s+con|"
              r"ma\s+vie\s+avec|mon\s+histoire|la\s+mia\s+storia|la\s+mia\s+vita\s+con)"
              + _W, False),
    ("story", r"shares?\s+(?:her|his|their)\s+story" + _W, False),
    # "John's story": the automaton's copy has the apostrophe as a space, so the anchor
    # " s story" only fires on a lone "s" (a possessive)
    ("story", r"s\s+story" + _W, False),
    ("story", r"patient\s+profile" + _W, False),
    ("academic", r"background\s*:", False),
    ("academic", r"objectives?\s*:", False),
    ("academic", r"aims?\s*:", False),
    ("academic", r"methods?\s*:", False),
    ("academic", r"results?\s*:", False),
    ("academic", r"conclusions?\s*:", False),
    ("academic", r"purpose\s*:", False),
    *(("academic", rf"we {verb}" + _W, False) for verb in (
        "included", "randomised", "randomized", "pooled", "measured", "describe", "report",
        "reviewed", "searched", "found", "identified", "examined", "estimated", "summarise",
        "summarize", "assessed", "analysed", "analyzed", "investigated", "present",
        "retrospectively", "prospectively", "conducted", "compared", "evaluated", "recruited",
        "built", "modelled", "modeled", "developed", "performed", "surveyed", "calculated",
        "followed")),
    ("academic", r"quality[\s\-]*adjusted" + _W, False),
    ("academic", r"methods\s+and\s+analysis\s*:", False),
    ("academic", r"in this\s+(?:randomi[sz]ed|double-blind|open|prospective|retrospective|"
                 r"study|trial)" + _W, False),
    *(("academic", rf"{who}\s+(?:were|was)\s+(?:randomi[sz]ed|enrolled|included|allocated|"
                   r"assigned)" + _W, False) for who in ("patients", "participants", "subjects")),
    ("academic", r"(?:rats|mice)\s+(?:were|underwent|received)" + _W, False),
    ("academic", r"(?:rat|mouse|murine|rodent)\s+(?:[\w\-]+\s+){0,3}models?" + _W, False),
    ("academic", r"(?:rats|mice)\s+with" + _W, False),
    ("academic", r"(?:versus|compared\s+with|or)\s+vehicle" + _W, False),
    ("academic", r"wir\s+(?:analysierten|untersuchten|berichten|beschreiben|verglichen|"
                 r"werteten|schlossen)" + _W, False),
    ("academic", r"nous\s+(?:avons|rapportons|decrivons|presentons)" + _W, False),
    ("academic", r"(?:analizamos|evaluamos|describimos|incluimos|presentamos)" + _W, False),
    ("academic", r"abbiamo\s+(?:analizzato|valutato|incluso|descritto|arruolato)" + _W, False),
    ("academic", r"sono\s+stati\s+(?:assegnati|arruolati|inclusi|randomizzati)" + _W, False),
    ("listing", r"status\s*:", False),
    ("listing", r"(?:estado|statut|stato)\s*:", False),
)
_NOT_GUIDELINE = re.compile(
    r"(?:following|according\s+to|per|in\s+line\s+with|based\s+on|as\s+recommended\s+by|"
    r"(?:recommended|advised|suggested|endorsed|listed|set\s+out|described)\s+(?:in|by)|"
    r"ultrasound|fluoroscopic|fluoroscopy|image|imaging|ct|sonographic|radiological)"
    r"(?:\s+(?:the|current|national|local|dutch|uk|us|international|existing|\w+'s))*\s*$"
)
_ACADEMIC_TITLE = re.compile(
    r":\s*(?:a|an|the|eine?|une?|una|uno|el|la|le|il|lo)?\s*(?:randomi|double|placebo|"
    r"systematic|meta|case|retrospective|prospective|pilot|open|crossover|cohort|feasibility|"
    r"phase|narrative|review|series|multicent|single|two|three|retrospektiv|prospektiv|"
    r"\d+[\s\-]*(?:year|month|week)s?[\s\-]+(?:follow|outcome|result|extension)|long[\s\-]*term|"
    r"protocol|"
    r"follow[\s\-]*up|an?\s+(?:\w+\s+)?(?:consensus|delphi|position\s+statement)|"
    r"an?\s+(?:survey|audit|"
    r"analysis|observational|cross)|"
    r"fallbericht|(?:studio|estudio|etude|studie|ensayo|essai)\s+(?:clinic[oa]\s+|clinique\s+)?"
    r"(?:randomi|retrospe|prospe|osservazional|observa|pilot|multicent|controla|controlla))"
)
# _ACADEMIC_TITLE is matched on the lower-cased title: re.IGNORECASE on the case-kept one
# gives the same answers, several times slower. The two letters re.IGNORECASE also takes
# for an ASCII one, dotless i and long s, keep their own lower case: map them first.
_IGNORECASE_EXTRA = str.maketrans("\u0131\u017f", "is")
_PUB_TYPE_KINDS = {
    "randomized controlled trial": ("rct", "clinical-trial"),
    "controlled clinical trial": ("clinical-trial",),
    "clinical trial": ("clinical-trial",),
    "clinical trial, phase i": ("clinical-trial",),
    "clinical trial, phase ii": ("clinical-trial",),
    "clinical trial, phase iii": ("clinical-trial",),
    "clinical trial, phase iv": ("clinical-trial",),
    "clinical trial protocol": ("clinical-trial",),
    "pragmatic clinical trial": ("clinical-trial",),
    "systematic review": ("systematic-review",),
    "meta-analysis": ("systematic-review",),
    "case reports": ("case-report",),
    "practice guideline": ("guideline",),
    "guideline": ("guideline",),
    "consensus development conference": ("guideline",),
    "news": ("news",),
    "newspaper article": ("news",),
}


def _kinds(
    entry: Entry, doc: _Doc, hits: list[tuple[str, int, int]], evidence: dict[str, list[str]]
) -> list[str]:
    found: dict[str, dict[str, None]] = {}  # kind -> phrases, in order, without repeats

    for pub_type in entry.pub_types:
        for kind in _PUB_TYPE_KINDS.get(pub_type.strip().lower(), ()):
            found.setdefault(kind, {})[f"publication type: {pub_type}"] = None
    if entry.ids:
        for key in ("nct", "isrctn", "eudract"):
            for value in entry.ids.get(key, ()):
                found.setdefault("clinical-trial", {})[value] = None
    from_registry = _registry_feed(entry.feed.url) or "clinicaltrials.gov" in entry.link.lower()
    if from_registry:
        found.setdefault("clinical-trial", {})["ClinicalTrials.gov"] = None

    lower = doc.lower
    cue: dict[str, list[tuple[str, int]]] = {}
    for label, start, end in hits:  # already in text order, give or take
        if label == "recruiting":
            before = lower[max(0, start - 6) : start]
            if before.rstrip(" ,").endswith("not") and not lower.startswith("not", start):
                continue  # "active, not recruiting"
        elif label == "guideline":
            if _NOT_GUIDELINE.search(lower, max(0, start - 40), start):
                continue  # "following the Dutch guideline", "under ultrasound guidance"
            if _in_background(doc, start):
                continue  # "BACKGROUND: ... despite guidance against them": context

        elif label == "listing" and start:
            line_start = lower.rfind("\n", 0, start) + 1
            if line_start and lower[line_start:start].strip():
                continue
        if label in cue:
            cue[label].append((doc.clean[start:end], start))
        else:
            cue[label] = [(doc.clean[start:end], start)]

    if cue:
        _cue_kinds(doc, cue, found)
    story = cue.get("story")
    if story:
        found.setdefault("personal-story", {})[story[0][0]] = None
    elif _first_person(doc) >= 3:
        found.setdefault("personal-story", {})["first-person account"] = None
    academic = bool(entry.pub_types) or "academic" in cue or _academic_title(doc)
    listing = from_registry or "listing" in cue
    if academic and "case_academic" in cue:
        for phrase, _ in cue["case_academic"]:
            found.setdefault("case-report", {})[phrase] = None
    if "case-report" in found and "clinical-trial" in found and not (
        entry.ids or from_registry or "rct" in found or "recruiting" in found
        or "trial_id" in cue or any(p.startswith("publication type") for p in found["clinical-trial"])
    ):
        # a case report's "a trial of spinal cord stimulation" is a therapeutic trial in
        # one patient, not a clinical trial
        del found["clinical-trial"]
    if not academic and not listing and "personal-story" not in found:
        found["news"] = {"news or charity post": None}
    kinds = sorted(found, key=_KIND_RANK.__getitem__)  # every found kind is in _KIND_ORDER
    for kind in kinds:
        evidence[kind] = list(found[kind])
    return kinds


@lru_cache(maxsize=256)
def _registry_feed(url: str) -> bool:
    """A ClinicalTrials.gov feed: asked once per feed, not once per entry."""
    return "clinicaltrials.gov" in url.lower()


def _academic_title(doc: _Doc) -> bool:
    """A title that says what kind of paper it is after a colon ("...: a randomised trial")."""
    colon = doc.lower.find(":", 0, doc.title_end)  # _ACADEMIC_TITLE starts with ":"
    if colon < 0:
        return False
    text = doc.lower
    if not text.isascii():
        text = text[: doc.title_end].translate(_IGNORECASE_EXTRA)
    return _ACADEMIC_TITLE.search(text, colon, doc.title_end) is not None


def _in_background(doc: _Doc, pos: int) -> bool:
    """True inside a structured abstract's BACKGROUND section (before the next heading)."""
    inside = False
    for label, start, _end in sorted(_Scanner.matches(doc, "cue"), key=_START):
        if start >= pos:
            break
        if label in ("bg", "head"):
            inside = label == "bg"
    return inside


def _cue_kinds(
    doc: _Doc, cue: dict[str, list[tuple[str, int]]], found: dict[str, dict[str, None]]
) -> None:
    """Kinds from cue phrases: review, trial and randomised, recruiting, case, guideline..."""
    # "a meta-analysis of 11 randomised trials" is a review, not a trial; a trial named in
    # another sentence (a conference report covering both) still makes the item a trial.
    review = cue.get("review")
    review_sentences: set[tuple[int, int]] = set()
    whole_review = "systematic-review" in found  # from the publication type
    if review:
        for phrase, _ in review:
            found.setdefault("systematic-review", {})[phrase] = None
        review_sentences = {doc.sentence(pos) for _, pos in review}
        whole_review = any(pos < doc.lead_end for _, pos in review)
    if not whole_review:
        for label in ("trial", "rct"):
            for phrase, pos in cue.get(label, ()):
                if review_sentences and (
                    pos < doc.title_end or doc.sentence(pos) in review_sentences
                ):
                    continue
                if label == "rct":
                    found.setdefault("rct", {})[phrase] = None
                found.setdefault("clinical-trial", {})[phrase] = None
    for phrase, _ in cue.get("trial_id", ()):
        found.setdefault("clinical-trial", {})[phrase] = None
    for phrase, _ in cue.get("recruiting", ()):
        found.setdefault("recruiting", {})[phrase] = None  # enrolling people: it is a trial
        found.setdefault("clinical-trial", {})[phrase] = None
    for label, kind in (("case", "case-report"), ("guideline", "guideline"),
                        ("fundraising", "fundraising-event")):
        for phrase, _ in cue.get(label, ()):
            found.setdefault(kind, {})[phrase] = None


# First-person words ("I", "i", "my", "me") are counted in the automaton's copy of the text:
# each is an anchor of its own (" i ", " my ", " me ", category "person"), so the count is
# the number of those hits, found in the one pass over the text. Less the Roman numeral I
# ("CRPS type I", "phase I") and "i.e.".
_FIRST_PERSON_ANCHORS = (" i ", " my ", " me ")
_NOT_FIRST_PERSON = re.compile(
    r" (?:type|crps|phase|grade|stage|class|part|schedule|level|"
    r"tier|category|group|figure|table|appendix) i(?= )| i e(?= )"
)


def _first_person(doc: _Doc) -> int:
    count = len(doc.hits.get("person", ()))
    if count >= 3:
        count -= len(_NOT_FIRST_PERSON.findall(doc.spaced))
    return count


# --------------------------------------------------------------------------- classifier


class Classifier:
    """Holds compiled patterns; build once per run, call :meth:`classify` per entry."""

    def __init__(self, treatments: list[Treatment]) -> None:
        self.treatments = treatments
        self.names: dict[str, str] = {t.slug: t.name for t in treatments}
        self.groups: dict[str, str] = {t.slug: t.group for t in treatments}
        self._order = {t.slug: i for i, t in enumerate(treatments)}
        # only the few treatments that have them: most entries need neither lookup
        self._umbrellas = {t.slug: t.suppressed_by for t in treatments if t.suppressed_by}
        self._classes = {t.slug: t.classes for t in treatments if t.classes}
        scanner = _Scanner()

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
        for word in _OTHER_CONDITIONS:
            tail = "(?![\\w])" if word in _WHOLE_WORD else ""
            regex = re.escape(word).replace("\\ ", r"[\s\-]*") + tail
            rule = _Rule("condition", word, re.compile(regex))
            scanner.add(rule, [word])
        for label, regex, cased in _CRPS_RULES:
            scanner.add(_Rule("crps", label, re.compile(regex), cased))
        for label, regex in _CUE_RULES:
            scanner.add(_Rule("cue", label, re.compile(regex)))
        for label, regex, cased in _KIND_RULES:
            scanner.add(_Rule("kind", label, re.compile(regex), cased))
        # counted by their anchors alone (see _first_person): the regex is never tried
        scanner.add(_Rule("person", "person", re.compile("i|my|me")), _FIRST_PERSON_ANCHORS)
        scanner.build()
        self._scanner = scanner

    # ------------------------------------------------------------------ matching

    def _mentions(self, doc: _Doc) -> list[tuple[int, int, str]]:
        """(start, end, slug) of every treatment name in the text, traps removed."""
        found: list[tuple[int, int, str]] = []
        lower = doc.lower
        term_slugs, spellings = self._term_slugs, self._term_spellings
        # All synonyms share one rule; its regex is tried straight from the hits, where the
        # automaton found a first word (the hottest loop: no intermediate list)
        for start, (rule,) in doc.hits.get("term", ()):
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
        pattern_hits = self._scanner.matches(doc, "pattern")
        gate_hits = doc.hits.get("gate")
        if gate_hits or self._ungated:
            pattern_hits = [*pattern_hits, *self._scanned_patterns(doc, gate_hits)]
        for label, start, end in pattern_hits:
            slug, near = self._pattern_info[label]
            if near is None or self._near(doc, start, end, near):
                found.append((start, end, slug))
        abbr_hits = self._scanner.matches(doc, "abbr")
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
                    x.start() <= m_start and m_end <= x.end()
                    for rx, needs in scan
                    # a literal every match holds, missing: no match, and no scan
                    if all(lower.find(n, lo, hi) >= 0 for n in needs)
                    for x in rx.finditer(lower, lo, hi)
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

    # ------------------------------------------------------------------ public

    def classify(self, entry: Entry) -> Classification:
        """Relevance, treatments (most central first), kinds and the phrases behind each."""
        # One normalisation pass over title and text; the first line break ends the title.
        raw_title = (entry.title or "").replace("\n", " ").strip()
        clean = normalize_text(f"{raw_title}\n{entry.text or ''}")
        title_end = clean.find("\n")
        folded = fold_accents(clean)
        lower = _lower_same_length(folded)
        spaced = " " + _spaced(lower)  # the automaton's copy, one leading space
        doc = _Doc(clean, folded, lower, title_end, spaced,
                   *self._scanner.scan(spaced, lower, folded))

        evidence: dict[str, list[str]] = {}
        crps_spans = _relevance(doc, self._scanner.matches(doc, "crps"))
        relevant = bool(crps_spans)
        if relevant:
            evidence["crps"] = _unique([clean[a:b] for a, b in crps_spans])
        kinds = _kinds(entry, doc, self._scanner.matches(doc, "kind"), evidence)

        treatments: list[str] = []
        if relevant or entry.feed.topic == "crps":
            treatments = self._treatments(doc, kinds, evidence)
        return Classification(
            relevant=relevant, treatments=treatments, kinds=kinds, evidence=evidence
        )

    def classify_many(
        self, entries: Sequence[Entry], workers: int | None = None
    ) -> list[Classification]:
        """:meth:`classify` for each entry, in input order, over ``workers`` processes
        (default: every CPU) when the batch is large enough to repay forking.

        Children are forked, so they inherit this classifier and the entries instead of
        unpickling them; only the results travel back. Output is identical to the serial
        loop: each entry's classification depends on that entry alone.
        """
        workers = _worker_count(workers, len(entries))
        if workers <= 1:
            return [self.classify(e) for e in entries]
        global _FORKED
        # The parent also loads every child's results: give it a smaller share (measured).
        first = len(entries) * 19 // (20 * workers)
        rest = len(entries) - first
        bounds = [0] + [first + rest * i // (workers - 1) for i in range(workers)]
        _FORKED = (self, entries)
        try:
            ctx = multiprocessing.get_context("fork")
            # the parent classifies the first chunk itself while the children do the rest
            with ctx.Pool(workers - 1) as pool:
                pending = pool.map_async(_classify_range, list(pairwise(bounds[1:])))
                out = [self.classify(e) for e in entries[: bounds[1]]]
                for part in pending.get():
                    out.extend(
                        Classification(relevant=r, treatments=t, kinds=k, evidence=e)
                        for r, t, k, e in marshal.loads(part)
                    )
        finally:
            _FORKED = None
        return out

    def _treatments(self, doc: _Doc, kinds: list[str], evidence: dict[str, list[str]]) -> list[str]:
        mentions = self._mentions(doc)
        if not mentions:
            return []
        # by start, the longer first at one start: two stable C-level sorts, no Python key
        mentions.sort(key=_END, reverse=True)  # reverse=True keeps equal items in order
        mentions.sort(key=_FIRST)
        # Where literal and pattern matches overlap for one slug, keep the longer.
        deduped: list[tuple[int, int, str]] = []
        for m in mentions:
            start, slug = m[0], m[2]
            for d in deduped[-3:]:
                if d[2] == slug and start < d[1]:
                    break
            else:
                deduped.append(m)
        cue_hits = self._scanner.matches(doc, "cue")
        cues = _Cues.from_hits(cue_hits) if cue_hits else _NO_CUES
        fundraising = "fundraising-event" in kinds
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        phrases: dict[str, list[str]] = {}
        deferred: list[tuple[int, int, str]] = []
        kept: list[tuple[int, int, str, float]] = []
        for start, end, slug in deduped:
            if cues.cues and cues.non_subject(doc, start, end):
                continue
            if cues.background and cues.in_background(start):
                deferred.append((start, end, slug))
                continue
            if fundraising:
                s0, s1 = doc.sentence(start)
                if not _RESEARCH_CUE.search(doc.lower, s0, s1):
                    continue  # a fundraiser's own history, not a treatment under discussion
            kept.append((start, end, slug, 0.0))  # weighed by position below
        # Background mentions count only when the rest of the abstract names no treatment.
        if deferred:
            elsewhere = {m[2] for m in kept}
            kept.extend((start, end, slug, _W_BODY) for start, end, slug in deferred
                        if not elsewhere or slug in elsewhere)
        # the lead's end after the cue checks, which often found the sentences already
        title_end, lead_end = doc.title_end, doc.lead_end
        last_end: dict[str, int] = {}
        for start, end, slug, weight in sorted(kept):
            if not weight:
                weight = _W_TITLE if start < title_end else _W_LEAD if start < lead_end else _W_BODY
            if slug in scores:
                # "immunoglobulin (IVIG)": a name and its bracketed short form are one mention
                gap = doc.clean[last_end[slug] : start]
                if len(gap) > 3 or "(" not in gap:
                    scores[slug] += weight
                last_end[slug] = end
                phrases[slug].append(doc.clean[start:end])
            else:
                scores[slug] = weight
                first[slug] = start
                last_end[slug] = end
                phrases[slug] = [doc.clean[start:end]]
        umbrellas = [(slug, self._umbrellas[slug]) for slug in scores if slug in self._umbrellas]
        if umbrellas:
            named = {m[2] for m in deduped}  # subject or not
            for slug, umbrella in umbrellas:
                if named.intersection(umbrella):
                    del scores[slug]
        if len(scores) > 1:
            ordered = sorted(scores, key=lambda s: (-scores[s], first[s], self._order.get(s, 0)))
        else:
            ordered = list(scores)
        result: list[str] = []
        for slug in ordered:
            if slug not in result:
                result.append(slug)
            evidence[slug] = _unique([*evidence.get(slug, []), *phrases[slug]])
            for cls in self._classes.get(slug, ()):
                if cls not in result:
                    result.append(cls)
                evidence[cls] = _unique([*evidence.get(cls, []), *phrases[slug]])
        return result


# Below this many entries a serial loop beats forking (~10 ms) plus pickling the results.
PARALLEL_MIN = 2000

# What forked children of :meth:`Classifier.classify_many` inherit: set only around the pool.
_FORKED: tuple[Classifier, Sequence[Entry]] | None = None


def _worker_count(workers: int | None, n: int) -> int:
    """How many processes to use: 1 for small batches or where "fork" is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        # spawn would pickle the compiled classifier per child: not worth it; fork on
        # macOS can crash in system libraries (Python's own default there is spawn)
        return 1
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1
        )
    if n < PARALLEL_MIN:
        return 1
    return max(1, min(workers, n // (PARALLEL_MIN // 2)))


def _classify_range(bounds: tuple[int, int]) -> bytes:
    """Runs in a forked child: classify the inherited entries ``start:stop``.

    Results go back as marshalled plain tuples: the parent loads them about twice as fast
    as pickled dataclasses, and that load is the parent's share of the overhead.
    """
    assert _FORKED is not None, "classify_many children must be forked"
    classifier, entries = _FORKED
    return marshal.dumps([
        (c.relevant, c.treatments, c.kinds, c.evidence)
        for c in map(classifier.classify, entries[bounds[0] : bounds[1]])
    ])


def _term_anchors(units: list[str]) -> list[str]:
    """Where the automaton should try the synonym regex: its first two words, spaced or joined.

    The automaton's copy of the text has hyphens as spaces, so "low dose" also finds
    "low-dose"; "lowdose" finds the joined spelling. Two words keep common first words
    ("pain", "low", "hand") from firing everywhere.
    """
    words = "".join(units).split(_SEP)
    if len(words) == 1:
        return [words[0]]
    return [words[0] + " " + words[1], words[0] + words[1]]


def _required_literals(rx: re.Pattern[str]) -> tuple[str, ...]:
    """Literal runs that every match of ``rx`` contains: the characters of its top-level
    sequence that are plain literals (``mg`` and ``naltrex`` in ``\\d+\\s*mg\\s+naltrex\\w*``).

    A pattern without a literal start is tried at every position of the text; when one of
    these runs is absent from the text (a C-level ``find``), it cannot match anywhere.
    Empty for case-insensitive patterns, whose literals match other cases too.
    """
    if rx.flags & re.IGNORECASE:
        return ()
    # the parser behind re.compile (private, no type stubs; sre_parse is its deprecated alias);
    # should a later Python move it, no prefilter is only slower, never wrong
    try:
        import re._constants as sre_constants  # type: ignore[import-not-found]
        import re._parser as sre_parser  # type: ignore[import-not-found]
    except ImportError:
        return ()

    runs: list[str] = []
    run: list[str] = []
    for op, arg in sre_parser.parse(rx.pattern, rx.flags):
        if op is sre_constants.LITERAL:
            run.append(chr(arg))
        elif run:
            runs.append("".join(run))
            run = []
    if run:
        runs.append("".join(run))
    return tuple(runs)


def _term_key(matched: str) -> str:
    """The :func:`match_key` of text the synonym regex matched (already folded and lower-cased:
    only spaces, line breaks and hyphens to drop)."""
    if " " in matched or "-" in matched or "\n" in matched:
        return "".join(matched.split()).replace("-", "")
    return matched


def _term_spellings(
    synonyms: Iterable[list[str]], term_slugs: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Synonyms as usually written (separators as spaces, hyphens or nothing) -> their slugs.

    Text the synonym regex matched is looked up here as it stands, which spares
    :func:`_term_key` for nearly every match; other spellings fall back to it. Each value
    is exactly ``term_slugs[_term_key(spelling)]``.
    """
    out: dict[str, list[str]] = {}
    for units in synonyms:
        for sep in (" ", "-", ""):
            spelling = "".join(sep if u == _SEP else u for u in units)
            slugs = term_slugs.get(_term_key(spelling))
            if slugs:
                out[spelling] = slugs
    return out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def load_classifier(extra: list[dict[str, Any]] | None = None) -> Classifier:
    """The bundled treatments.yaml, extended or overridden by ``extra`` (feeds.yaml)."""
    if extra:
        errors = validate_treatments(extra)
        if errors:
            raise ValueError("invalid treatments: " + "; ".join(errors))
    merged = _merge(_load_bundled(), extra or [])
    return Classifier([Treatment.from_dict(raw) for raw in merged])
