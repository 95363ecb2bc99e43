"""Text normalisation applied before any matching.

Feed text arrives with HTML entities (sometimes escaped twice: ``&amp;amp;``, ``&amp;#8211;``),
typographic dashes and quotes, and non-breaking spaces. Synonym matching must treat
``low‑dose`` (U+2011), ``low–dose`` and ``low-dose`` alike, so everything is mapped to plain
ASCII punctuation here. Case is kept: some abbreviations (``TENS`` against "tens of",
``CRPS`` against ``CRPs``) are decided by it.

:func:`fold_accents` is length-preserving so that a match found in folded text can be cut
from the unfolded text at the same offsets (evidence shows the text as written).
"""

from __future__ import annotations

import html
import re
import unicodedata

_MAX_UNESCAPE_ROUNDS = 4

_PUNCT: dict[int, str | None] = {}
for _cp in (*range(0x2010, 0x2016), 0x2212, 0xFE58, 0xFE63, 0xFF0D):
    _PUNCT[_cp] = "-"
for _ch in "\u2018\u2019\u201a\u201b\u2032\u00b4\u0060":
    _PUNCT[ord(_ch)] = "'"
for _ch in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb":
    _PUNCT[ord(_ch)] = '"'
for _cp in (0x00A0, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
            0x2009, 0x200A, 0x202F, 0x205F, 0x3000):
    _PUNCT[_cp] = " "
for _cp in (0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF):
    _PUNCT[_cp] = None  # soft hyphen and zero-width characters vanish
_PUNCT[0x2026] = "."  # ellipsis: one character in, one out (keeps sentence splitting simple)


def _accent_table() -> dict[int, str]:
    """Latin letters with diacritics -> their base letter, one character each (keeps offsets)."""
    table: dict[int, str] = {}
    for cp in range(0x00C0, 0x0250):
        decomposed = unicodedata.normalize("NFD", chr(cp))
        base = decomposed[0]
        if len(decomposed) > 1 and base.isascii() and base.isalpha():
            table[cp] = base
    return table


_ACCENTS = _accent_table()


# str.translate with a dict looks up every character; a character-class regex skips to the
# few characters that change, which is several times faster on feed-sized text.
_PUNCT_RX = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_PUNCT)) + "]")
_ACCENT_RX = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(_ACCENTS)) + "]")


def _punct(match: re.Match[str]) -> str:
    return _PUNCT[ord(match.group())] or ""


def _accent(match: re.Match[str]) -> str:
    return _ACCENTS[ord(match.group())]


def unescape_entities(text: str) -> str:
    """Decode HTML entities until stable, so ``&amp;amp;`` and ``&amp;#8211;`` come out right."""
    if "&" not in text:
        return text  # most text: no entity, no loop
    for _ in range(_MAX_UNESCAPE_ROUNDS):
        if "&" not in text:
            break
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return text


_OTHER_SPACE = str.maketrans("\t\r\f\v", "    ")
_SPACE_PAIRS = re.compile(" {2,}")


def _untidy_breaks(text: str) -> bool:
    """True when a line break has a blank beside it or another break after it: only then
    does :func:`_collapse_spaces` change anything around line breaks.

    Feed text has few line breaks (title + one paragraph: one), so looking at each is
    cheaper than searching the whole text for " \\n", "\\n " and "\\n\\n".
    """
    i = text.find("\n")
    while i >= 0:
        if text[i - 1 : i] == " " or text[i + 1 : i + 2] in (" ", "\n"):
            return True
        i = text.find("\n", i + 1)
    return False


def _collapse_spaces(text: str) -> str:
    """Runs of spaces and tabs -> one space; a line break with the blanks around it -> one
    newline, or a blank line when the run held several.

    Splitting on newlines and stripping each line is C-level work; one regex for the whole
    job has no literal to search for and tries every position (5x slower on feed text).
    """
    if "\t" in text or "\r" in text or "\f" in text or "\v" in text:
        text = text.translate(_OTHER_SPACE)
    if "\n" in text and _untidy_breaks(text):
        parts = text.split("\n")
        last = len(parts) - 1
        out = [parts[0].rstrip(" ")]
        newlines = 0
        for i in range(1, last + 1):
            newlines += 1
            part = parts[i].strip(" ") if i < last else parts[i].lstrip(" ")
            if part or i == last:
                out.append("\n\n" if newlines > 1 else "\n")
                out.append(part)
                newlines = 0
        text = "".join(out)
    if "  " in text:
        text = _SPACE_PAIRS.sub(" ", text)
    return text


def normalize_text(text: str) -> str:
    """Entities decoded, dashes/quotes/spaces made ASCII, composed Unicode, runs of spaces
    collapsed (paragraph breaks kept as one blank line); case is kept."""
    text = unescape_entities(text)
    if not text.isascii():
        text = _plain_punctuation(unicodedata.normalize("NFC", text))
    return _collapse_spaces(text)


# _PUNCT's Latin-1 part as a byte table (and the characters that vanish), for the text
# whose characters are all Latin-1: bytes.translate is one C loop, where the regex tests
# every character against its class.
_LATIN1_PUNCT = bytes(ord(_PUNCT.get(b) or chr(b)) for b in range(256))
_LATIN1_GONE = bytes(b for b in range(256) if b in _PUNCT and _PUNCT[b] is None)


def _plain_punctuation(text: str) -> str:
    """Typographic dashes, quotes and spaces as their ASCII forms (see ``_PUNCT``)."""
    try:
        latin1 = text.encode("latin-1")
    except UnicodeEncodeError:  # curly quotes, dashes...: beyond Latin-1
        return _PUNCT_RX.sub(_punct, text)
    return latin1.translate(_LATIN1_PUNCT, _LATIN1_GONE).decode("latin-1")


# The accents of Latin-1 (most non-ASCII feed text: French, German, Spanish, Italian) as a
# byte table: bytes.translate is one C loop, where the regex calls _accent per letter.
_LATIN1_FOLD = bytes(ord(_ACCENTS.get(b, chr(b))) for b in range(256))


def fold_accents(text: str) -> str:
    """``kétamine`` -> ``ketamine``; same length as the input, so offsets stay valid."""
    if text.isascii():
        return text
    try:
        latin1 = text.encode("latin-1")
    except UnicodeEncodeError:  # letters beyond Latin-1 (Latin Extended, other scripts)
        return _ACCENT_RX.sub(_accent, text)
    return latin1.translate(_LATIN1_FOLD).decode("latin-1")


def match_key(phrase: str) -> str:
    """The form synonyms are compared in: lower case, no accents, no spaces or hyphens."""
    folded = fold_accents(normalize_text(phrase)).lower()
    return "".join(ch for ch in folded if not (ch.isspace() or ch == "-"))
