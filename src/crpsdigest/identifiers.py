"""Intrinsic identifiers (DOI, PMID, PMCID, NCT, ISRCTN) found in an entry's fields."""

from __future__ import annotations

import re
from collections.abc import Iterable

_PATTERNS = {
    "doi": re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.I),
    "nct": re.compile(r"\bNCT\d{8}\b"),
    "isrctn": re.compile(r"\bISRCTN\d{8}\b"),
    "pmid": re.compile(r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|pmid:\s*|pubmed:)(\d{1,9})", re.I),
}


def extract_ids(
    *, link: str, guid: str, raw_ids: Iterable[str] = (), text: str = ""
) -> dict[str, tuple[str, ...]]:
    """Every identifier named in the entry, normalised, by kind."""
    haystack = " ".join([link, guid, *raw_ids, text])
    found: dict[str, tuple[str, ...]] = {}
    for kind, pattern in _PATTERNS.items():
        values = sorted({m.group(1 if pattern.groups else 0) for m in pattern.finditer(haystack)})
        if kind == "doi":
            values = sorted({v.rstrip(".,;)").lower() for v in values})
        if values:
            found[kind] = tuple(values)
    return found
