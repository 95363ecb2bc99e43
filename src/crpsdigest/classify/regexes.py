"""Regular-expression source text: synonyms as one alternation, the literals rules start with.

The classifier compiles a few hundred synonyms and rules; what makes them fast is reading
each regex's source once, at build time: the literal text the automaton should look for,
rewrites that give Python's ``re`` a literal start, literals every match must contain.
Pure functions of strings, with no state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from crpsdigest.normalize import fold_accents, normalize_text

_SEP = "\x00"  # separator unit inside a synonym: matches "", " " or "-" in text


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
