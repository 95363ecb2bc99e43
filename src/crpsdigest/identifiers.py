"""Intrinsic identifiers (DOI, PMID, PMCID, NCT, ISRCTN) of an entry, own versus merely named.

``extract_ids`` returns two families of kinds:

* ``doi``, ``pmid``, ``pmcid``, ``nct``, ``isrctn``: every identifier of that kind NAMED anywhere
  in the entry (link, guid, raw ids, text). Classification uses these ("which trials does this
  item talk about").
* ``self_doi``, ``self_pmid``, ``self_pmcid``, ``self_nct``, ``self_isrctn``: the entry's OWN
  identity, taken only from places that describe the record itself: the link (``doi.org/…``,
  ``/doi/10.…`` publisher paths, PubMed / Europe PMC / PMC article paths, a registry number that
  is a trial page's own path segment or query value such as ``/study/NCT…`` or ``ct-NCT…`` but
  not a news slug like ``new-trial-nct…-results``), the guid (``pubmed:123``, ``NCT…``, a DOI),
  the raw ids the feed gives (``dc:identifier``, ``prism:doi``: ``doi:…``, ``info:doi/…``,
  ``pmid:…``) and PubMed's citation trailer ``PMID:n | DOI:x`` in the text. A DOI or trial
  number that only appears in running text (a news story citing a paper, a reference list, a
  related trial) is a mention, not an identity: de-duplication merges on ``self_*`` kinds only,
  so citing a paper never makes a story "the same item" as the paper.

Values are normalised: DOIs lower-cased without ``doi:``/URL prefixes or trailing punctuation,
PMIDs as digits, PMCIDs as ``PMC<digits>``, trial numbers upper-case without spaces.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlsplit

from crpsdigest.literalscan import finditer_at

KINDS = ("doi", "pmid", "pmcid", "nct", "isrctn")
SELF_PREFIX = "self_"

_DOI = re.compile(r"\b(10\.\d{1,9}/[^\s\"'<>]+)", re.I)
# Bare DOIs in running text need a realistic registrant (4+ digits) unless labelled "doi".
# These five run on lower-cased text, and those that can start with their literal ("nct" then
# a look back for the word boundary, which is the same as "\bnct"): the regex engine then
# skips ahead to the literal instead of trying every position, several times faster.
_DOI_TEXT = re.compile(
    r"(?:\bdoi\s*:?\s*|doi\.org/)(10\.\d{1,9}/[^\s\"'<>]+)|\b(10\.\d{4,9}/[^\s\"'<>]+)"
)
_NCT = re.compile(r"nct(?<=\bnct)[\s\-]?(\d{8})\b")
_ISRCTN = re.compile(r"isrctn(?<=\bisrctn)[\s\-]?(\d{8})\b")
_PMCID = re.compile(r"pmc(?<=\bpmc)(?:id)?:?\s*(?:pmc)?(\d{4,9})\b")
_PMID_TEXT = re.compile(r"p(?<=\bp)(?:mid|ubmed\s+id)\s*[:#]?\s*(\d{1,9})\b")
_TRAILER = re.compile(
    r"\b(?:PMID|PMCID|DOI)\s*:\s*\S+(?:\s*\|\s*(?:PMID|PMCID|DOI)\s*:\s*\S+)+", re.I
)
_TRAILER_FIELD = re.compile(r"\b(PMID|PMCID|DOI)\s*:\s*(\S+)", re.I)
_LINK_PMID = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|"
    r"europepmc\.org/(?:article/|abstract/)?MED/)(\d{1,9})\b",
    re.I,
)
_LINK_PMCID = re.compile(
    r"(?:/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/|europepmc\.org/(?:article|abstract)"
    r"/PMC/|europepmc\.org/articles/)(?:PMC)?(\d{4,9})\b",
    re.I,
)
_SLUG_WORD = re.compile(r"[A-Za-z]+")
_RAW_PMID = re.compile(r"^(?:pmid|pubmed|info:pmid/|med)\s*[:/]?\s*(\d{1,9})$", re.I)
_LINK_DOI_TAILS = frozenset(
    {
        "full",
        "abstract",
        "abs",
        "pdf",
        "epdf",
        "pdfdirect",
        "fulltext",
        "html",
        "meta",
        "references",
        "figures",
        "summary",
        "full-text",
        "suppl",
    }
)
_TRAILING = ".,;:'\"]}>!?"
# bioRxiv / medRxiv links add a version and a view to the DOI ("…25320811v2.full"); there every
# version is one record with one DOI (Research Square, by contrast, gives each version its own).
_VERSIONED_DOI_PREFIXES = ("10.1101/",)
_PREPRINT_VERSION = re.compile(r"(?:v\d+)?(?:\.(?:full|abstract|full-text|article-info|article-metrics|supplementary-material)(?:\.pdf)?|\.pdf)?$")


def normalise_doi(value: str) -> str:
    """``10.…`` lower-cased, without URL/label prefixes or trailing punctuation."""
    value = unquote(value.strip())
    match = _DOI.search(value)
    if match:
        value = match.group(1)
    return _trim(value).lower()


def _dois_in(low: str) -> set[str]:
    """DOIs named in lower-cased text (DOIs are case-insensitive; we keep them lower-cased)."""
    # every match begins at "doi" (either label form) or at the "10." of a bare DOI
    found: set[str] = set()
    for m in finditer_at(_DOI_TEXT, low, ("doi", "10.")):
        doi = _normalise_found(m.group(1) or m.group(2))
        if "/" in doi:
            found.add(doi)
    return found


def _normalise_found(value: str) -> str:
    """``normalise_doi`` of a DOI _DOI_TEXT found: without "%", already all _DOI would match.

    (It has no surrounding space, nothing to unquote, and _DOI matches it whole from its start.)
    """
    if "%" in value:
        return normalise_doi(value)
    return _trim(value).lower()


def _trim(value: str) -> str:
    """Trailing punctuation off, and closing parentheses that close nothing in the value."""
    while value and (
        value[-1] in _TRAILING or (value[-1] == ")" and value.count("(") < value.count(")"))
    ):
        value = value[:-1]
    return value


def _trials_in(text: str) -> tuple[set[str], set[str]]:
    return _trials_in_low(text.lower())


def _trials_in_low(low: str) -> tuple[set[str], set[str]]:
    nct = {f"NCT{m.group(1)}" for m in _NCT.finditer(low)} if "nct" in low else set()
    isrctn = {f"ISRCTN{m.group(1)}" for m in _ISRCTN.finditer(low)} if "isrctn" in low else set()
    return nct, isrctn


# Every identifier _from_url can find needs one of these in the lower-cased URL ("pmc" also
# covers "europepmc"), unless percent-escapes or the tabs and newlines urlsplit drops hide it.
# Run on url.lower(); each branch begins with a literal, so re scans for their first letters.
_URL_HINTS = re.compile(r"%|\t|\r|\n|10\.|doi|pubmed|pmc|nct|isrctn")


def _from_url(url: str, own: dict[str, set[str]]) -> None:
    """Identifiers a record's own URL carries (the page IS that paper / trial)."""
    if _URL_HINTS.search(url.lower()) is None:
        return  # most links: a news story's address, nothing to split
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return
    if parts.scheme.lower() not in ("http", "https"):
        return
    path = unquote(parts.path)
    whole = (parts.hostname or "") + path
    low = (whole + "?" + parts.query).lower()  # substring checks spare the regexes most URLs
    match = _DOI.search(path) if "10." in path else None
    if match:
        own["doi"].add(_doi_from_path(match.group(1)))
    if "doi" in parts.query.lower():
        for key, value in parse_qsl(parts.query):
            if key.lower() == "doi" and _DOI.search(value):
                own["doi"].add(normalise_doi(value))
    if "pubmed" in low or "europepmc" in low:
        for m in _LINK_PMID.finditer(whole):
            own["pmid"].add(m.group(1))
    if "pmc" in low:
        for m in _LINK_PMCID.finditer(whole):
            own["pmcid"].add(f"PMC{m.group(1)}")
    if "nct" not in low and "isrctn" not in low:
        return
    for segment in re.split(r"[/?&=]", path + "?" + parts.query):
        nct, isrctn = _trials_in(segment)
        if (nct or isrctn) and len(_SLUG_WORD.findall(segment)) <= 2:
            own["nct"] |= nct  # a record page (".../NCT…", "ct-NCT…"), not a news slug
            own["isrctn"] |= isrctn


def _doi_from_path(found: str) -> str:
    """The DOI a publisher path names, without what the site appends to it.

    View tails ("/full", "/epdf"), Silverchair's article number (OUP, MIT Press:
    ``/doi/10.1093/pm/pnaf045/8112233``) and a preprint server's version and view
    (``10.1101/2025.01.20.25320811v2.full``): the record's DOI has none of them.
    """
    segments = found.split("/")
    while len(segments) > 2 and segments[-1].lower() in _LINK_DOI_TAILS:
        segments.pop()
    if len(segments) > 3 and segments[-1].isdigit():
        segments.pop()  # /doi/<prefix>/<journal>/<article>/<site's numeric id>
    doi = normalise_doi("/".join(segments))
    if doi.startswith(_VERSIONED_DOI_PREFIXES):
        doi = _PREPRINT_VERSION.sub("", doi)
    return doi


def _from_label(value: str, own: dict[str, set[str]]) -> None:
    """A guid or ``dc:identifier``/``prism:doi`` value: an identifier of the record itself."""
    value = value.strip()
    if not value:
        return
    if value.lower().startswith(("http://", "https://")):
        _from_url(value, own)
        return
    pmid = _RAW_PMID.match(value)
    if pmid:
        own["pmid"].add(pmid.group(1))
        return
    pmcid = re.fullmatch(r"(?:pmc(?:id)?\s*[:/]\s*)?PMC(\d{4,9})", value, re.I)
    if pmcid:
        own["pmcid"].add(f"PMC{pmcid.group(1)}")
        return
    if _DOI.search(value):
        own["doi"].add(normalise_doi(value))
        return
    nct, isrctn = _trials_in(value)
    own["nct"] |= nct
    own["isrctn"] |= isrctn


def _from_trailer(text: str, low: str, own: dict[str, set[str]]) -> None:
    """PubMed's ``PMID:n | PMCID:x | DOI:y`` line describes the record it ends."""
    if "|" not in text or not ("pmid" in low or "pmcid" in low or "doi" in low):
        return
    # ASCII text: lower() keeps indices, and only İ/ı match "i" under re.I besides i/I
    trailers = (
        finditer_at(_TRAILER, text, ("pmid", "pmcid", "doi"), low)
        if text.isascii()
        else _TRAILER.finditer(text)
    )
    for trailer in trailers:
        for key, value in _TRAILER_FIELD.findall(trailer.group(0)):
            key = key.lower()
            if key == "pmid" and value.rstrip(_TRAILING).isdigit():
                own["pmid"].add(value.rstrip(_TRAILING))
            elif key == "pmcid":
                _from_label(value.rstrip(_TRAILING), own)
            elif key == "doi" and _DOI.search(value):
                own["doi"].add(normalise_doi(value))


def _mentions(low: str) -> dict[str, set[str]]:
    """Every identifier named in the (lower-cased) text, by kind (kinds with none may be
    missing); substring tests skip most regexes."""
    found: dict[str, set[str]] = {}
    if "10." in low:
        found["doi"] = _dois_in(low)
    if "pmid" in low or "pubmed" in low:
        found["pmid"] = {m.group(1) for m in _PMID_TEXT.finditer(low)}
    if "pmc" in low:
        found["pmcid"] = {f"PMC{m.group(1)}" for m in _PMCID.finditer(low)}
    if "nct" in low:
        found["nct"] = {f"NCT{m.group(1)}" for m in _NCT.finditer(low)}
    if "isrctn" in low:
        found["isrctn"] = {f"ISRCTN{m.group(1)}" for m in _ISRCTN.finditer(low)}
    return found


def extract_ids(
    *, link: str, guid: str, raw_ids: Iterable[str] = (), text: str = ""
) -> dict[str, tuple[str, ...]]:
    """Identifiers by kind: all named (``doi``…) and the entry's own (``self_doi``…)."""
    own: dict[str, set[str]] = defaultdict(set)  # sets only for the kinds found
    _from_url(link, own)
    _from_label(guid, own)
    for raw in raw_ids:
        _from_label(raw, own)
    low = text.lower()
    _from_trailer(text, low, own)
    named = _mentions(low)
    result: dict[str, tuple[str, ...]] = {}
    for kind in KINDS:
        mine = own.get(kind)
        if mine:
            result[kind] = tuple(sorted(named[kind] | mine if kind in named else mine))
            result[SELF_PREFIX + kind] = tuple(sorted(mine))
        elif named.get(kind):
            result[kind] = tuple(sorted(named[kind]))
    return result


def own_ids(ids: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The ``self_*`` part of an ``extract_ids`` result, keyed by plain kind."""
    return {
        kind[len(SELF_PREFIX) :]: values
        for kind, values in ids.items()
        if kind.startswith(SELF_PREFIX) and values
    }
