"""De-duplication: which entries are the same item, and which one of them the digest shows.

Spec: ``shared/DESIGN.md`` ("What counts as a duplicate"). A false merge hides an item from
readers, so every rule below errs towards keeping entries apart.

Merging, in order (union-find; every union is refused when the two sides own CONFLICTING ids of
one kind, e.g. two different DOIs or two different own NCT numbers, however alike they look):

1. earlier assignments (``known``): entries that shared a cluster keep sharing it (never re-split);
2. own identifiers (``self_*`` kinds from :func:`crpsdigest.identifiers.extract_ids`): same DOI,
   PMID, PMCID, NCT or ISRCTN number; ids merely named in a text never count here;
3. the same canonical URL, the same URL-shaped guid, the same Medium post id. A URL shared by two
   differently titled items of ONE feed (a feed linking every item to its home page), by more
   than :data:`MAX_URL_GROUP` entries, or a one-segment section URL ("/news") shared by unrelated
   headlines is ignored; comments keep their ``#comment-…`` fragment so they never fold into
   their post;
4. an id named in one entry's text that is another entry's own id, with similar titles and
   overlapping text (a journal item whose DOI is only in its text, a trial mirror naming the NCT
   number); a news story citing the number has different text and stays apart;
   4b. one outlet's story re-issued under new headlines, guids and slugs that keep one long
   article number ("…-31987654"), when one whole text holds half of the other;
5. near duplicates, within :data:`WINDOW_DAYS`: similar titles (outlet suffixes such as
   Google News' " - Outlet" stripped) AND overlapping text, or near-identical text under an edited
   title; when either side has no real text, near-identical titles from the same outlet within
   :data:`TITLE_ONLY_WINDOW_DAYS`. Two items of ONE feed (different guids) need near-identical
   text: a feed repeating a headline is usually running a series. Guards:
   numbers and month names in titles must agree (weekly roundups, phase 2 vs 3), title markers
   must agree (patient/lay summary, sub-study/secondary analysis/follow-up, comment/reply/
   erratum, preprint), comments ("By: …", "Comment on …") never near-merge. A long, near-identical
   text (≥ :data:`VERBATIM_TEXT_SIM` over ≥ :data:`VERBATIM_MIN_SHINGLES` word triples) merges
   two feeds' items under a rewritten headline (a press release retitled by news sites) unless
   both titles carry numbers that disagree; a sentence two items of one feed share is that
   feed's boilerplate and never counts; a copy with an added intro is compared over whole
   texts. The long-title rule refuses titles that each have a word the other lacks (companion
   papers: "upper-limb" / "lower-limb"), titles whose words are moved around (a charity's
   "Webinar recording: X" sharing a video titled "X (webinar recording)"), and two full texts
   that share nothing (an event title everyone copies). Titles that each have a word the other lacks, when each text carries its own
   title's word and not the other's, are two records from one template and never near-merge.

Candidate pairs for step 5 come from blocking on each title's rarest words (every title-based
merge needs title similarity ≥ 0.5, so true pairs share rare words) and on each text's two
longest sentences (verbatim copies), then a sliding date window per block;
text shingles are computed only for entries that meet a candidate, so cost grows near-linearly.

Cluster ids are stable: a component containing entries from ``known`` takes the smallest of
their cluster ids (so a bridge keeps the older cluster's id); otherwise the id is
``c<YYYYMMDDhhmmss>-<uid>`` of its earliest member (first seen, else published), so that across
runs older ids sort first.

Representative (one per cluster) is the first by: source rank (0 original publisher, journal or
trial registry; 1 PubMed / PMC; 2 Europe PMC; 3 syndicators (MSN, Yahoo News, Flipboard …) and
trial mirrors — a non-registry page owning an NCT/ISRCTN number, or naming one while owning no
paper id; 4 Google News / Google Alerts wrappers), then higher
``feed.priority``, then earliest published (undated last), then uid.

Related coverage: clusters that name the same single study (a story citing a paper's DOI, two
outlets' own write-ups with alike titles but different text) share ``ClusterInfo.story`` (the
smallest cluster id of the group); they are never merged.
"""

from __future__ import annotations

import gc
import html
import math
import re
import string
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

from rapidfuzz import fuzz

from crpsdigest.identifiers import KINDS, extract_ids, own_ids
from crpsdigest.models import ClusterInfo, Entry
from crpsdigest.urls import canonical_url
from crpsdigest.urls import url_host as _url_host

WINDOW_DAYS = 7
TITLE_ONLY_WINDOW_DAYS = 3
TITLE_SIM = 0.90  # titles alike enough when texts also overlap
TITLE_ONLY_SIM = 0.95  # when one side has no text to compare
EDITED_TITLE_SIM = 0.50  # an edited headline over the same text
TEXT_SIM = 0.50  # shingle containment: "the same text, lightly changed"
SAME_TEXT_SIM = 0.85
WEAK_ID_TITLE_SIM = 0.80
STORY_TITLE_SIM = 0.75
MIN_SHINGLES = 8
SHINGLE_WORDS = 80
MAX_BLOCK = 3000
MAX_URL_GROUP = 200  # more entries than this behind one URL: a home or section page
LISTING_TITLE_SIM = 0.35
BLOCK_TOKENS = 4
LONG_TITLE_SIM = 0.97  # a long title repeated this closely names one record, whatever the texts
LONG_TITLE_TOKENS = 6  # distinctive words a title needs to count as long
MAX_NEIGHBOURS = 300
VERBATIM_TEXT_SIM = 0.90  # the same long text under a rewritten headline
VERBATIM_MIN_SHINGLES = 40  # word triples both texts need for that (about half a window)
ANCHOR_SENTENCES = 2  # longest sentences of a text used as blocking keys
ANCHOR_MIN_WORDS = 12
FULL_TEXT_WORDS = 1500  # words of a whole text compared when a pair already shares evidence

_GOOGLE_NEWS = "news.google.com"
_AGGREGATOR_HOSTS = (_GOOGLE_NEWS,)
_SYNDICATOR_HOSTS = (
    "msn.com",
    "news.yahoo.com",
    "flipboard.com",
    "newsbreak.com",
    "ground.news",
    "feedly.com",
    "inoreader.com",
    "newsnow.co.uk",
    "pressreader.com",
    "headtopics.com",
    "newsbeezer.com",
)
_REGISTRY_HOSTS = (
    "clinicaltrials.gov",
    "isrctn.com",
    "euclinicaltrials.eu",
    "clinicaltrialsregister.eu",
    "anzctr.org.au",
    "drks.de",
    "chictr.org.cn",
    "ctri.nic.in",
)
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "for",
        "to",
        "and",
        "or",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "its",
        "it",
        "this",
        "that",
        "new",
        "study",
        "trial",
        "patients",
        "patient",
        "crps",
        "complex",
        "regional",
        "pain",
        "syndrome",
        "how",
        "what",
        "why",
        "who",
    ]
)
_HOST_LABEL_STOP = frozenset(
    ["com", "org", "net", "co", "uk", "gov", "edu", "ac", "io", "news", "www", "info", "us", "au"]
)
_OUTLET_STOP = frozenset(["the", "news", "online", "com", "co", "uk", "org", "net", "www", "daily"])
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for m in names
}
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
} | {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "ii": 2, "iii": 3, "iv": 4}
_MARKERS = {
    "summary": re.compile(
        r"plain[- ]language|lay summary|patient summary|summary for patients|for patients\b|"
        r"patient guide|visual abstract|video abstract|infographic|podcast|explainer|"
        r"in plain english|what (?:this|the) study means",
    ),
    "substudy": re.compile(
        r"sub-?stud|secondary analys|post[- ]?hoc|follow[- ]?up|long[- ]term|extension|"
        r"ancillary|exploratory|pooled|subgroup|protocol|interim|pilot|feasibility|"
        r"cost[- ]effectiveness|economic evaluation|qualitative|meta-analys|systematic review|"
        r"two[- ]year|five[- ]year|one[- ]year",
    ),
    "reply": re.compile(
        r"^\s*(?:re|by)\s*:|comments? on\b|commentary|\breply\b|response to|letter to|"
        r"\berrat|correction|corrigend|retract|editorial|expression of concern",
    ),
}
_COMMENT_TITLE = re.compile(r"^\s*(?:by|comment|comments on|re)\s*:|^\s*comments? on\b")
_COMMENT_LINK = re.compile(r"#comment-|[?&]replytocom=|/comment-page-|#respond", re.I)
_SUFFIX_SEP = re.compile(r"\s+(?:-|–|—|\||::)\s+(?!.*\s(?:-|–|—|\||::)\s)")
_WORD = re.compile(r"[^\W_]+")
_PUNCT_TO_SPACE = str.maketrans(dict.fromkeys(string.punctuation + "\u2013\u2014\u2026", " "))
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d]?\s+")
_TAG = re.compile(r"<[^>]{0,200}>")
_PREPRINT_HOSTS = (
    "biorxiv.org",
    "medrxiv.org",
    "researchsquare.com",
    "preprints.org",
    "ssrn.com",
    "arxiv.org",
    "osf.io",
    "authorea.com",
    "jmirpreprints.com",
)
_PREPRINT_DOI = ("10.1101/", "10.21203/", "10.20944/", "10.2139/", "10.31219/", "10.22541/")
_ID_HINT = re.compile(r"10\.\d|pubmed|pmc|nct\d|isrctn|europepmc|med/|doi", re.I)
_GUID_PREFIX = re.compile(r"^https?://(?:(?:www|m|amp|mobile)\.)?", re.I)
_TAG_URN = re.compile(
    r"^(?:tag:[^\s,]+\.[a-z]{2,}[^\s,]*,\d{4}[-\d]*:\S+|urn:uuid:[0-9a-f\-]{32,})$", re.I
)
_NODE_AT_SITE = re.compile(r"(\d+) at (https?://\S+)", re.I)
_MEDIUM_P = re.compile(r"medium\.com/p/([0-9a-f]{8,12})\b")
_MEDIUM_SLUG = re.compile(r"-([0-9a-f]{10,12})$")
# a worded slug ending in a long article number (Reach plc, stern.de, Yahoo): newsrooms rewrite
# the slug with each headline update but keep the number
_SLUG_ARTICLE_ID = re.compile(r"^(?=[^/]*[a-z]{2})[a-z0-9\-]+-(\d{7,})(?:\.html?|\.ece)?$")


@dataclass(slots=True)
class _Item:
    """What matching needs about one entry, computed once."""

    idx: int
    entry: Entry
    uid: str
    own: dict[str, frozenset[str]]
    named: dict[str, frozenset[str]]
    keys: list[tuple[str, str]]  # (namespace, value) exact keys
    comment: bool
    rank: int
    ts: float | None
    title: str  # normalised, outlet suffix stripped
    tokens: list[str]
    numbers: frozenset[str]
    markers: frozenset[str]
    has_text: bool  # False for Google News items, whose description is only headlines
    outlet: str  # condensed outlet name for aggregator items ("" otherwise)
    outlet_aliases: frozenset[str]  # its parenthesised short names: "… (NIH) (.gov)" → {"nih"}
    identity: frozenset[str]  # condensed names this entry's publisher goes by
    host: str
    path: str  # canonical URL path ("" when it is too short to identify a page)
    authors: frozenset[str]
    anchors: tuple[int, ...]  # hashes of the text's longest sentences (see _anchors)
    _shingles: frozenset[int] | None = None
    _full: frozenset[int] | None = None

    @property
    def shingles(self) -> frozenset[int]:
        """Word 3-grams of the text (empty when there is no real text), computed on demand."""
        if self._shingles is None:
            text = _norm_text(self.entry.text[: SHINGLE_WORDS * 16]) if self.has_text else ""
            words = _WORD.findall(text)
            title_words = set(self.title.split())
            if len(words) < 12 or len(set(words) - title_words) <= 4:
                self._shingles = frozenset()  # no text, or it only repeats the headline
            else:
                self._shingles = _shingles(words)
        return self._shingles

    @property
    def full_shingles(self) -> frozenset[int]:
        """Word 3-grams of the whole text (up to :data:`FULL_TEXT_WORDS`), for the rare pairs
        that already share a long sentence or an article id: a copy with a line added on top
        shifts the matching window, but still holds the other text whole."""
        if self._full is None:
            text = _norm_text(self.entry.text[: FULL_TEXT_WORDS * 16]) if self.has_text else ""
            words = _WORD.findall(text)[:FULL_TEXT_WORDS]
            self._full = _shingles_all(words) if self.shingles else frozenset()
        return self._full

    def drop_shingles(self) -> None:
        self._shingles = None
        self._full = None


@dataclass
class _Forest:
    """Union-find whose roots carry the own ids of their whole component."""

    parent: list[int]
    own: list[dict[str, set[str]]]
    edges: list[tuple[int, int, str]] = field(default_factory=list)

    def find(self, x: int) -> int:
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def conflict(self, a: int, b: int) -> str:
        """The kind on which two components own different ids ("" when compatible)."""
        ra, rb = self.own[self.find(a)], self.own[self.find(b)]
        for kind in KINDS:
            va, vb = ra.get(kind), rb.get(kind)
            if va and vb and not (va & vb):
                return kind
        return ""

    def union(self, a: int, b: int, reason: str, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if not force and self.conflict(a, b):
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        for kind, values in self.own[rb].items():
            self.own[ra].setdefault(kind, set()).update(values)
        self.own[rb] = {}
        self.edges.append((a, b, reason))
        return True


def _norm_text(value: str) -> str:
    if "&" in value:
        value = html.unescape(html.unescape(value))
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    value = value.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    return value.replace("\u201d", '"').lower()


@lru_cache(maxsize=8192)
def _condense(name: str) -> str:
    words = [w for w in _WORD.findall(_norm_text(name)) if w not in _OUTLET_STOP]
    return "".join(words)


@lru_cache(maxsize=4096)
def _feed_host(url: str) -> str:
    return _url_host(url)


def url_host(url: str) -> str:
    """Host without www.-style prefixes; cheap for the already-canonical ``https://host/…``."""
    if url.startswith("https://"):
        host = url[8:].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        if (
            host
            and ":" not in host
            and "@" not in host
            and host == host.lower()
            and not host.startswith(("www.", "m.", "amp.", "mobile."))
        ):
            return host
    return _url_host(url)


def _is_aggregated(entry: Entry, link_host: str) -> bool:
    hosts = (link_host, _feed_host(entry.feed.url))
    if any(h in _AGGREGATOR_HOSTS for h in hosts):
        return True
    link = entry.link.lower()
    return ("google." in link and "/url?" in link) or "google.com/alerts" in entry.feed.url


def _source_rank(
    entry: Entry,
    own: Mapping[str, frozenset[str]],
    named: Mapping[str, frozenset[str]],
    aggregated: bool,
    link_host: str,
) -> int:
    """Lower is more original: see the module docstring."""
    if aggregated:
        return 4
    if link_host.endswith(_SYNDICATOR_HOSTS):
        return 3
    if link_host.endswith("europepmc.org") or "europepmc" in entry.link.lower():
        return 2
    if link_host.endswith("ncbi.nlm.nih.gov"):
        return 1
    paper = own.get("doi") or own.get("pmid") or own.get("pmcid")
    trial = (
        own.get("nct")
        or own.get("isrctn")
        or (not paper and (named.get("nct") or named.get("isrctn")))
    )
    if trial and not link_host.endswith(_REGISTRY_HOSTS):
        return 3  # a trial mirror: a page about a registry record that is not the registry
    return 0


def _strip_outlet(title: str, entry: Entry, aggregated: bool) -> tuple[str, str]:
    """Title without a trailing " - Outlet" / " | Site", and the outlet it named."""
    names = {_condense(n) for n in (entry.source_name or "", entry.feed.name) if n}
    host = url_host(entry.canonical_url or entry.link).split(".")
    names |= {label for label in host if len(label) > 3}
    match = _SUFFIX_SEP.search(title)
    if not match:
        return title, _condense(entry.source_name or "") if aggregated else ""
    head, tail = title[: match.start()], title[match.end() :]
    outlet = _condense(tail)
    if aggregated and len(tail.split()) <= 8 and head.strip():
        return head, outlet
    if outlet and any(outlet == n or (len(n) > 3 and n in outlet) for n in names if n):
        return head, ""
    return title, _condense(entry.source_name or "") if aggregated else ""


def _outlet_aliases(raw_title: str) -> frozenset[str]:
    """Short names an aggregator gives in brackets after the outlet's full name (Google News:
    "National Institutes of Health (NIH) (.gov)"); the outlet's own host often uses them."""
    match = _SUFFIX_SEP.search(raw_title)
    tail = raw_title[match.end() :] if match else ""
    found = {_condense(part) for part in re.findall(r"\(([^()]{1,40})\)", tail)}
    return frozenset(a for a in found if len(a) >= 3 and a not in _HOST_LABEL_STOP)


def _numbers(title: str) -> frozenset[str]:
    found = set(re.findall(r"\d+", title))
    for word in _WORD.findall(title):
        if word in _MONTHS:
            found.add(f"m{_MONTHS[word]}")
        elif word in _NUMBER_WORDS:
            found.add(str(_NUMBER_WORDS[word]))
    return frozenset(found)


def _shingles_all(words: list[str]) -> frozenset[int]:
    return frozenset(map(hash, zip(words, words[1:], words[2:], strict=False)))


def _full_text_sim(a: _Item, b: _Item) -> float:
    """Containment of word 3-grams over whole texts (see :attr:`_Item.full_shingles`)."""
    small = min(len(a.full_shingles), len(b.full_shingles))
    return len(a.full_shingles & b.full_shingles) / small if small else 0.0


def _shingles(words: list[str]) -> frozenset[int]:
    """Word 3-grams as hashes; only ever compared within one run, so per-process hashing is fine."""
    words = words[:SHINGLE_WORDS]
    return frozenset(map(hash, zip(words, words[1:], words[2:], strict=False)))


def _timestamp(entry: Entry) -> float | None:
    when = entry.published or entry.first_seen
    return when.timestamp() if when else None


def _markers(
    title: str, entry: Entry, own: Mapping[str, frozenset[str]], link_host: str
) -> frozenset[str]:
    """Kinds of item a title or source reveals; two entries must agree on all of them."""
    found = {kind for kind, rx in _MARKERS.items() if rx.search(title)}
    link = entry.link.lower()
    if (
        link_host.endswith(_PREPRINT_HOSTS)
        or "/ppr/" in link
        or any(d.startswith(_PREPRINT_DOI) for d in own.get("doi", ()))
    ):
        found.add("preprint")  # a preprint and its journal version are different records
    return frozenset(found)


def _guid_key(guid: str) -> str:
    """A URL-shaped guid spelled one way (scheme, www., host case, trailing slash folded)."""
    rest = _GUID_PREFIX.sub("", guid.strip())
    host, _, path = rest.partition("/")
    return f"{host.lower()}/{path.rstrip('/')}"


def _opaque_guid_key(guid: str) -> str:
    """A non-URL guid that is unique on the whole web: an Atom ``tag:``/``urn:`` IRI, or
    Drupal's ``<node> at https://site`` (the site makes the node number global)."""
    guid = guid.strip()
    if _TAG_URN.match(guid):
        return guid.lower()
    drupal = _NODE_AT_SITE.fullmatch(guid)
    if drupal:
        return f"{drupal.group(1)} at {url_host(canonical_url(drupal.group(2)))}"
    return ""


def _page_path(url: str) -> str:
    """The path of a canonical URL when it names one page by a worded slug (not "/news")."""
    path = url.split("://", 1)[-1].partition("/")[2].partition("?")[0]
    slug = path.rstrip("/").rsplit("/", 1)[-1]
    return path if len(re.findall(r"[a-z]{2,}", slug.lower())) >= 3 else ""


def _own(entry: Entry) -> dict[str, frozenset[str]]:
    """Own ids; entries built without ``self_*`` kinds get them re-derived from link and guid."""
    ids = entry.ids
    if not any(k.startswith("self_") for k in ids) and _ID_HINT.search(entry.link + entry.guid):
        ids = extract_ids(link=entry.link, guid=entry.guid)
    return {k: frozenset(v) for k, v in own_ids(ids).items()}


@lru_cache(maxsize=4096)
def _feed_identity(homepage: str) -> frozenset[str]:
    return frozenset(_condense(label) for label in _url_host(homepage).split("."))


def _prepare(idx: int, entry: Entry) -> _Item:
    own = _own(entry)
    named = {
        k: values
        for k in KINDS
        if (values := frozenset(entry.ids.get(k, ())) - own.get(k, frozenset()))
    }
    link_host = url_host(entry.link)
    aggregated = _is_aggregated(entry, link_host)
    raw_title = _TAG.sub(" ", _norm_text(entry.title)).strip()
    comment = bool(_COMMENT_TITLE.search(raw_title) or _COMMENT_LINK.search(entry.link))
    comment = comment or bool(_COMMENT_LINK.search(entry.guid))
    title, outlet = _strip_outlet(raw_title, entry, aggregated)
    words = _WORD.findall(title)
    # a Google News description is headlines and outlet names, never the article's text
    google_news = _GOOGLE_NEWS in (link_host, _feed_host(entry.feed.url))
    url = entry.canonical_url or canonical_url(entry.link)
    if comment:
        fragment = entry.link.partition("#")[2]
        url = f"{url}#{fragment}" if fragment else f"{url}#guid={entry.guid}"
    keys: list[tuple[str, str]] = [(kind, v) for kind in KINDS for v in sorted(own.get(kind, ()))]
    if url.startswith("https://") and url.count("/") >= 3:
        keys.append(("url", url))
    if entry.guid.lower().startswith(("http://", "https://")) and not comment:
        guid_key = _guid_key(entry.guid)
        if guid_key.count("/") >= 1:
            keys.append(("guid", guid_key))
    opaque = _opaque_guid_key(entry.guid)
    if opaque and not comment:
        keys.append(("guid", opaque))
    medium = _MEDIUM_P.search(entry.guid) or (
        _MEDIUM_SLUG.search(url) if "medium.com" in url else None
    )
    if medium and not comment:
        keys.append(("medium", medium.group(1)))
    host = url_host(url)
    identity = {_condense(entry.feed.name), _condense(entry.source_name or "")}
    identity |= {label for label in host.split(".") if label not in _HOST_LABEL_STOP}
    identity |= _feed_identity(entry.feed.homepage or "")
    return _Item(
        idx=idx,
        entry=entry,
        uid=entry.uid,
        own=own,
        named=named,
        keys=keys,
        comment=comment,
        rank=_source_rank(entry, own, named, aggregated, link_host),
        ts=_timestamp(entry),
        title=" ".join(words),
        tokens=[w for w in dict.fromkeys(words) if w not in _STOP and len(w) > 1],
        numbers=_numbers(title),
        markers=_markers(raw_title, entry, own, link_host),
        has_text=not google_news,
        outlet=outlet if aggregated else "",
        outlet_aliases=_outlet_aliases(raw_title) if aggregated and outlet else frozenset(),
        identity=frozenset(i for i in identity if len(i) > 2),
        host=host,
        path=_page_path(url),
        authors=frozenset(_condense(a) for a in entry.authors if _condense(a)),
        anchors=() if google_news or comment else _anchors(entry.text),
    )


def _title_sim(a: _Item, b: _Item) -> float:
    return max(fuzz.ratio(a.title, b.title), fuzz.token_sort_ratio(a.title, b.title)) / 100


def _text_sim(a: _Item, b: _Item) -> float:
    """Containment of word 3-grams: an excerpt inside the full text scores 1."""
    small = min(len(a.shingles), len(b.shingles))
    return len(a.shingles & b.shingles) / small if small else 0.0


def _same_outlet(a: _Item, b: _Item) -> bool:
    """For title-only matches: both copies come from one publisher."""
    for x, y in ((a, b), (b, a)):
        if x.outlet:
            names = y.identity | ({y.outlet} if y.outlet else set())
            return bool(x.outlet_aliases & names) or any(
                x.outlet == n
                or (len(x.outlet) >= 3 and x.outlet in n)
                or (len(n) >= 6 and n in x.outlet)
                for n in names
            )
    if a.host and a.host == b.host:
        return True
    # a custom domain or sister site: the same worded path by the same named author
    return bool(a.path and a.path == b.path and a.authors & b.authors)


def _long_title_match(a: _Item, b: _Item, tsim: float) -> bool:
    """Two copies of one record under a long, near-identical title (a journal's TOC item with no
    DOI and PubMed's entry; a syndicated headline): such titles are not written twice. The
    words must come in the same order: a copy changes case, punctuation or drops a subtitle,
    while a title whose parts are moved around ("Webinar recording: X" / "X (webinar
    recording)") is somebody's own write-up of the thing the first title names."""
    return (
        tsim >= LONG_TITLE_SIM
        and fuzz.ratio(a.title, b.title) / 100 >= LONG_TITLE_SIM
        and min(len(a.tokens), len(b.tokens)) >= LONG_TITLE_TOKENS
        and not _swapped_word(a, b)
    )


def _swapped_word(a: _Item, b: _Item) -> bool:
    """Each title has a word the other lacks ("upper-limb" / "lower-limb"): a companion paper
    by the same authors, not a second copy. Copies differ by case, punctuation or a dropped
    subtitle, which leaves one title's words inside the other's."""
    words_a, words_b = set(a.title.split()), set(b.title.split())
    return bool(words_a - words_b) and bool(words_b - words_a)


def _two_own_texts(a: _Item, b: _Item, csim: float) -> bool:
    """Two full texts that share nothing under one long title: two write-ups under a title
    everyone copies (an event's name), not two copies. A journal's TOC blurb or a short excerpt
    under PubMed's title has fewer word triples than a full text."""
    return min(len(a.shingles), len(b.shingles)) >= VERBATIM_MIN_SHINGLES and csim < TEXT_SIM


def _bodies_part(a: _Item, b: _Item) -> bool:
    """Two texts that open alike but go on to say different things: a weekly series' fixed
    intro, a podcast's show-notes preamble or a structured abstract's shared Background fill
    the compared window, yet what follows it is each item's own. Compares the word triples
    past the window; a copy truncated early has too few of them to say anything, and a copy
    with a line added on top still holds the rest of the other text."""
    tail_a, tail_b = a.full_shingles - a.shingles, b.full_shingles - b.shingles
    small = min(len(tail_a), len(tail_b))
    return small >= MIN_SHINGLES and len(tail_a & tail_b) / small < TEXT_SIM


def _text_words(item: _Item) -> set[str]:
    return set(_WORD.findall(_norm_text(item.entry.text[: SHINGLE_WORDS * 16])))


def _template_siblings(a: _Item, b: _Item) -> bool:
    """Two records written from one template (a sponsor's "upper limb" and "lower limb" trials
    with one summary): each title has a word the other lacks, and each text carries its own
    title's word but not the other's. An edited headline over one text does not change the
    body the same way."""
    if not _swapped_word(a, b):
        return False
    words_a, words_b = set(a.title.split()), set(b.title.split())
    text_a, text_b = _text_words(a), _text_words(b)
    return bool(((words_a - words_b) & text_a) - text_b) and bool(
        ((words_b - words_a) & text_b) - text_a
    )


def _verbatim(a: _Item, b: _Item, same_feed: bool, within: str) -> str:
    """One long text republished under a rewritten headline (a press release on EurekAlert and
    on news sites that retitle it): near-identical text over a full window of words is not
    written twice. Two items of one feed never count (a feed's boilerplate description)."""
    if same_feed or not any(x in b.anchors for x in a.anchors):
        return ""  # (no shared long sentence: cheap to tell, and most pairs end here)
    if min(len(a.shingles), len(b.shingles)) < VERBATIM_MIN_SHINGLES:
        return ""
    csim = _text_sim(a, b)
    if csim < VERBATIM_TEXT_SIM:
        # a line added on top (a charity reposting an organiser's text under its own intro)
        # shifts the window; the whole texts still hold one another
        csim = _full_text_sim(a, b)
        if csim < VERBATIM_TEXT_SIM:
            return ""
    return (
        f"text similarity {csim:.2f} ≥ {VERBATIM_TEXT_SIM:.2f} over ≥ {VERBATIM_MIN_SHINGLES} "
        f"word triples {within} (rewritten headline)"
    )


def _near(a: _Item, b: _Item) -> tuple[str, bool]:
    """Why ``a`` and ``b`` are the same item ("" if not), and whether they share a story."""
    if a.comment or b.comment or a.markers != b.markers:
        return "", False
    days = abs(a.ts - b.ts) / 86400 if a.ts is not None and b.ts is not None else None
    if days is not None and days > WINDOW_DAYS:
        return "", False
    within = f"within {WINDOW_DAYS} days" if days is not None else "(undated)"
    # one feed publishing two alike items under two guids is usually a series, not a copy
    same_feed = a.entry.feed.url == b.entry.feed.url
    if a.numbers != b.numbers:
        # numbers in both titles that disagree: another issue of a series, whatever the text
        return ("" if a.numbers and b.numbers else _verbatim(a, b, same_feed, within)), False
    tsim = _title_sim(a, b)
    if tsim < EDITED_TITLE_SIM:
        return _verbatim(a, b, same_feed, within), False
    if _template_siblings(a, b):
        return "", False
    if a.shingles and b.shingles and min(len(a.shingles), len(b.shingles)) >= MIN_SHINGLES:
        csim = _text_sim(a, b)
        if csim >= TEXT_SIM and _bodies_part(a, b):
            return "", False
        if tsim >= TITLE_SIM and csim >= TEXT_SIM and not same_feed:
            return (
                f"title similarity {tsim:.2f} ≥ {TITLE_SIM:.2f} {within}, "
                f"text similarity {csim:.2f} ≥ {TEXT_SIM:.2f}"
            ), False
        if csim >= SAME_TEXT_SIM:
            return (
                f"text similarity {csim:.2f} ≥ {SAME_TEXT_SIM:.2f} {within} "
                f"(edited title, similarity {tsim:.2f})"
            ), False
        if _long_title_match(a, b, tsim) and not same_feed and not _two_own_texts(a, b, csim):
            return f"long title similarity {tsim:.2f} ≥ {LONG_TITLE_SIM:.2f} {within}", False
        return "", tsim >= STORY_TITLE_SIM and csim < TEXT_SIM
    if (
        tsim >= TITLE_ONLY_SIM
        and not same_feed
        and (days is None or days <= TITLE_ONLY_WINDOW_DAYS)
        and _same_outlet(a, b)
    ):
        return (
            f"title similarity {tsim:.2f} ≥ {TITLE_ONLY_SIM:.2f} within "
            f"{TITLE_ONLY_WINDOW_DAYS} days, same outlet, no text to compare"
        ), False
    if _long_title_match(a, b, tsim) and not same_feed:
        return f"long title similarity {tsim:.2f} ≥ {LONG_TITLE_SIM:.2f} {within}", False
    return "", tsim >= STORY_TITLE_SIM and not _same_outlet(a, b)


def _exact(items: Sequence[_Item], forest: _Forest) -> None:
    """Steps 2 and 3: shared own ids and URL-like keys."""
    groups: dict[tuple[str, str], list[_Item]] = defaultdict(list)
    for item in items:
        for key in item.keys:
            groups[key].append(item)
    for (space, value), members in groups.items():
        if len(members) < 2:
            continue
        url_like = space in ("url", "guid", "medium")
        if url_like and (len(members) > MAX_URL_GROUP or _key_is_shared_by_one_feed(members)):
            continue
        # a section page ("https://site/news") shared by unrelated headlines is no identity
        listing = space == "url" and value.rstrip("/").count("/") <= 3
        label = {"url": "canonical URL", "guid": "guid"}.get(space, space)
        for i, member in enumerate(members):
            for prior in members[:i]:
                if listing and _title_sim(prior, member) < LISTING_TITLE_SIM:
                    continue
                forest.union(prior.idx, member.idx, f"same {label} {value}")


def _key_is_shared_by_one_feed(members: list[_Item]) -> bool:
    """A URL several differently titled items of one feed share does not identify an item."""
    by_feed: dict[str, list[_Item]] = defaultdict(list)
    for m in members:
        by_feed[m.entry.feed.url].append(m)
    for same_feed in by_feed.values():
        for i, x in enumerate(same_feed):
            if any(_title_sim(x, y) < TITLE_SIM for y in same_feed[:i]):
                return True
    return False


def _weak_ids(items: Sequence[_Item], forest: _Forest) -> None:
    """Step 4: an id named in one text is another entry's own id, and the titles agree."""
    owners: dict[tuple[str, str], list[_Item]] = defaultdict(list)
    for item in items:
        for kind, values in item.own.items():
            for v in values:
                owners[(kind, v)].append(item)
    for item in items:
        for kind in KINDS:
            for value in sorted(item.named.get(kind, ())):
                for other in owners.get((kind, value), ()):
                    if other is item or forest.find(other.idx) == forest.find(item.idx):
                        continue
                    if item.comment or other.comment or item.markers != other.markers:
                        continue
                    tsim = _title_sim(item, other)
                    texts = min(len(item.shingles), len(other.shingles)) >= MIN_SHINGLES
                    if texts and _text_sim(item, other) >= SAME_TEXT_SIM:
                        # a mirror copying the record's text under another (official) title
                        forest.union(
                            other.idx,
                            item.idx,
                            f"{kind} {value} named in its text is the other's own {kind}, "
                            f"text similarity ≥ {SAME_TEXT_SIM:.2f}",
                        )
                        continue
                    if item.numbers != other.numbers or tsim < WEAK_ID_TITLE_SIM:
                        continue
                    if (texts and _text_sim(item, other) >= TEXT_SIM) or (
                        not texts and tsim >= TITLE_ONLY_SIM
                    ):
                        forest.union(
                            other.idx,
                            item.idx,
                            f"{kind} {value} named in its text is the other's own {kind}, "
                            f"title similarity {tsim:.2f} ≥ {WEAK_ID_TITLE_SIM:.2f}",
                        )


def _article_id(item: _Item) -> str:
    """``host/number`` when the canonical URL's last segment is a worded slug ending in a long
    article number ("" otherwise)."""
    url = item.entry.canonical_url or ""
    if not url.startswith("https://") or "?" in url:
        return ""
    match = _SLUG_ARTICLE_ID.match(url.rsplit("/", 1)[-1].lower())
    return f"{item.host}/{match.group(1)}" if match else ""


def _article_ids(items: Sequence[_Item], forest: _Forest) -> None:
    """Step 4b: one outlet's story updated under new headlines, guids and slugs but one article
    number, whose later text still holds the earlier one (a new lead paragraph on top)."""
    groups: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        if not item.comment and (key := _article_id(item)):
            groups[key].append(item)
    for key, members in sorted(groups.items()):
        if not 2 <= len(members) <= MAX_NEIGHBOURS:
            continue
        for i, member in enumerate(members):
            for prior in members[:i]:
                if forest.find(prior.idx) == forest.find(member.idx):
                    continue
                if prior.markers != member.markers:
                    continue
                csim = _full_text_sim(prior, member)
                if csim >= TEXT_SIM:
                    forest.union(
                        prior.idx,
                        member.idx,
                        f"same article number {key}, whole-text similarity "
                        f"{csim:.2f} ≥ {TEXT_SIM:.2f} (updated story)",
                    )


def _blocks(items: Sequence[_Item]) -> Iterable[list[_Item]]:
    """Groups of possibly-alike entries: each title's rarest words (prefix filtering)."""
    df: dict[str, int] = defaultdict(int)
    for item in items:
        for token in item.tokens:
            df[token] += 1
    # rarest first, ties by spelling; one rank per word makes the per-title sort a C-level key
    rank = {t: r for r, t in enumerate(sorted(df, key=lambda t: (df[t], t)))}
    blocks: dict[str | int, list[_Item]] = defaultdict(list)
    for item in items:
        for token in sorted(item.tokens, key=rank.__getitem__)[:BLOCK_TOKENS]:
            blocks[token].append(item)
        for anchor in item.anchors:
            # a rewritten headline shares no rare title word with the copy it retitles
            blocks[anchor].append(item)
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            yield members


def _anchors(text: str) -> tuple[int, ...]:
    """Block keys for verbatim copies: the text's longest whole sentences within the matching
    window (a copy keeps its sentences even when a line is added before or after them)."""
    window = text[: SHINGLE_WORDS * 16]
    if len(window) < ANCHOR_MIN_WORDS * 8:
        return ()  # too short for two long sentences: nothing a verbatim merge could use
    sentences = _SENTENCE_END.split(window)  # normalised below, only the chosen ones
    if len(window) < len(text):
        sentences.pop()  # cut by the window: another copy may cut it elsewhere
    if len(sentences) < 2:
        return ()
    # longest by spaces (cheap: clean's plain text has single spaces), ties by spelling; only
    # the chosen ones are normalised and split into words
    counts = list(map(str.count, sentences, repeat(" ")))
    if max(counts) < ANCHOR_MIN_WORDS - 1:
        return ()
    sized = sorted((-n, s) for n, s in zip(counts, sentences, strict=True) if n >= ANCHOR_MIN_WORDS - 1)
    # hashed like the shingles (compared within one run only); never equal to a title word
    return tuple(
        hash(" ".join(_norm_text(s).translate(_PUNCT_TO_SPACE).split()))
        for _, s in sized[:ANCHOR_SENTENCES]
    )


def _drop_boilerplate_anchors(items: Sequence[_Item]) -> None:
    """A sentence two differently titled items of one feed share is that feed's boilerplate (a
    podcast's blurb under every episode), not a sign of a copy: it must not tie any copy of it
    to either item. (One feed repeating an item under one title is a re-emission, not that.)"""
    title_of: dict[tuple[int, str], str] = {}
    boilerplate: set[int] = set()
    for item in items:
        for anchor in item.anchors:
            title = title_of.setdefault((anchor, item.entry.feed.url), item.title)
            if title != item.title:
                boilerplate.add(anchor)
    if boilerplate:
        for item in items:
            if any(x in boilerplate for x in item.anchors):
                item.anchors = tuple(x for x in item.anchors if x not in boilerplate)


def _candidate_pairs(items: Sequence[_Item]) -> list[tuple[int, int]]:
    """Index pairs (smaller first, in order) that share a block and lie within the date window.

    A pair is kept as the integer ``a * len(items) + b`` until the end: hashing and sorting
    ints costs a fraction of doing so for tuples, and the pair count grows faster than the
    archive (blocks of a title's rarest words fill up as the archive grows).
    """
    size = len(items)
    codes: set[int] = set()
    window = WINDOW_DAYS * 86400
    for members in _blocks(items):
        dated = sorted((m.ts, m.idx) for m in members if m.ts is not None)
        for i, (a_ts, a) in enumerate(dated):
            for b_ts, b in dated[i + 1 : i + 1 + MAX_NEIGHBOURS]:
                if b_ts - a_ts > window:
                    break
                codes.add(a * size + b if a < b else b * size + a)
        if len(members) <= MAX_NEIGHBOURS:
            for x in members:
                if x.ts is None:
                    for y in members:
                        if x.idx != y.idx:
                            codes.add(min(x.idx, y.idx) * size + max(x.idx, y.idx))
    return [divmod(code, size) for code in sorted(codes)]


def _new_cluster_id(members: Sequence[_Item]) -> str:
    def stamp(item: _Item) -> tuple[str, str]:
        when = item.entry.first_seen or item.entry.published
        return (when.strftime("%Y%m%d%H%M%S") if when else "99999999999999", item.uid)

    first = min(stamp(m) for m in members)
    return f"c{first[0]}-{first[1]}"


def _rep_key(item: _Item) -> tuple[int, int, float, str]:
    return (
        item.rank,
        -item.entry.feed.priority,
        item.ts if item.ts is not None else math.inf,
        item.uid,
    )


def _reasons(members: list[_Item], rep: _Item, edges: list[tuple[int, int, str]]) -> dict[int, str]:
    """For each member, the reason on the merge edge through which the representative reaches it."""
    adjacent: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for a, b, why in edges:
        adjacent[a].append((b, why))
        adjacent[b].append((a, why))
    reasons = {rep.idx: ""}
    queue = [rep.idx]
    while queue:
        node = queue.pop(0)
        for other, why in adjacent[node]:
            if other not in reasons:
                reasons[other] = why
                queue.append(other)
    return reasons


def cluster_entries(
    entries: Sequence[Entry], known: Mapping[str, str] | None = None
) -> dict[str, ClusterInfo]:
    """Map every entry's uid to its cluster; ``known`` holds cluster ids from earlier runs."""
    # Clustering allocates millions of small acyclic objects; pausing the cyclic collector keeps
    # its repeated full passes from making large archives cost more than linearly.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _cluster(entries, known or {})
    finally:
        if was_enabled:
            gc.enable()


def _cluster(entries: Sequence[Entry], known: Mapping[str, str]) -> dict[str, ClusterInfo]:
    unique: dict[str, Entry] = {}
    for entry in entries:
        unique.setdefault(entry.uid, entry)
    ordered = sorted(unique.values(), key=lambda e: e.uid)
    items = [_prepare(i, e) for i, e in enumerate(ordered)]
    forest = _Forest(
        parent=list(range(len(items))),
        own=[{k: set(v) for k, v in item.own.items()} for item in items],
    )
    by_known: dict[str, list[_Item]] = defaultdict(list)
    for item in items:
        if item.uid in known:
            by_known[known[item.uid]].append(item)
    for cluster_id, members in sorted(by_known.items()):
        for member in members[1:]:
            forest.union(members[0].idx, member.idx, f"kept in cluster {cluster_id}", force=True)
    _drop_boilerplate_anchors(items)
    _exact(items, forest)
    _weak_ids(items, forest)
    _article_ids(items, forest)
    story_edges: list[tuple[int, int]] = []
    pairs = _candidate_pairs(items)
    # position of each entry's last candidate pair (a list: a dict lookup per pair costs more)
    last_use = [-1] * len(items)
    for k, (a_idx, b_idx) in enumerate(pairs):
        last_use[a_idx] = last_use[b_idx] = k
    for k, (a_idx, b_idx) in enumerate(pairs):
        if forest.find(a_idx) != forest.find(b_idx):
            reason, story = _near(items[a_idx], items[b_idx])
            if reason and not forest.union(a_idx, b_idx, reason):
                story = not forest.conflict(a_idx, b_idx)
            if story:
                story_edges.append((a_idx, b_idx))
        for idx in (a_idx, b_idx):
            if last_use[idx] == k:
                items[idx].drop_shingles()  # keeps peak memory flat on large archives
    return _assign(items, forest, known, story_edges)


def _assign(
    items: Sequence[_Item],
    forest: _Forest,
    known: Mapping[str, str],
    story_edges: list[tuple[int, int]],
) -> dict[str, ClusterInfo]:
    components: dict[int, list[_Item]] = defaultdict(list)
    for item in items:
        components[forest.find(item.idx)].append(item)
    edges_by_root: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for edge in forest.edges:
        edges_by_root[forest.find(edge[0])].append(edge)
    cluster_of: dict[int, str] = {}
    result: dict[str, ClusterInfo] = {}
    for root, members in components.items():
        ids = sorted(known[m.uid] for m in members if m.uid in known)
        cluster = ids[0] if ids else _new_cluster_id(members)
        cluster_of[root] = cluster
        rep = min(members, key=_rep_key)
        reasons = _reasons(members, rep, edges_by_root[root])
        for m in members:
            result[m.uid] = ClusterInfo(
                cluster=cluster, representative=m is rep, reason=reasons.get(m.idx, "")
            )
    stories = _stories(items, forest, cluster_of, story_edges)
    for item in items:
        story = stories.get(forest.find(item.idx))
        if story is not None:
            result[item.uid].story = story
    return result


def _stories(
    items: Sequence[_Item],
    forest: _Forest,
    cluster_of: Mapping[int, str],
    story_edges: list[tuple[int, int]],
) -> dict[int, str]:
    """Groups of clusters covering one study: a shared single named id, or alike titles."""
    links: list[tuple[int, int]] = [(forest.find(a), forest.find(b)) for a, b in story_edges]
    by_id: dict[tuple[str, str], list[int]] = defaultdict(list)
    for item in items:
        named = {(k, v) for k, values in item.named.items() for v in values}
        keys = {(k, v) for k, values in item.own.items() for v in values}
        if len(named) <= 2:  # a roundup naming many trials is not about one study
            keys |= named
        for key in sorted(keys):
            by_id[key].append(forest.find(item.idx))
    for roots in by_id.values():
        links.extend((roots[0], r) for r in roots[1:])
    parent = {root: root for root in cluster_of}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for root in cluster_of:
        groups[find(root)].append(root)
    stories: dict[int, str] = {}
    for roots in groups.values():
        if len(roots) > 1:
            name = "s-" + min(cluster_of[r] for r in roots)
            for r in roots:
                stories[r] = name
    return stories
