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

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
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


def _check_one(item: object, where: str, known: set[str], errors: list[str]) -> None:
    if not isinstance(item, dict):
        errors.append(f"{where}: must be a mapping with at least a slug")
        return
    for key in sorted(set(item) - _KNOWN_KEYS):
        errors.append(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(_KNOWN_KEYS))})")
    slug = item.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        errors.append(f"{where}.slug: must be lowercase words joined by hyphens, got {slug!r}")
        return
    is_new = slug not in known
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
    known = {t["slug"] for t in _load_bundled()}
    known.update(t["slug"] for t in extra if isinstance(t, dict) and isinstance(t.get("slug"), str))
    errors: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(extra):
        _check_one(item, f"treatments[{i}]", known, errors)
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
    patterns: tuple[tuple[str, str | None], ...] = ()
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
        pats = tuple(
            (p["regex"], p.get("near")) if isinstance(p, dict) else (p, None)
            for p in raw.get("patterns", []) or []
        )
        return cls(
            slug=raw["slug"],
            name=raw.get("name", raw["slug"]),
            group=raw.get("group", "other"),
            terms=tuple(terms),
            abbreviations=abbrs,
            patterns=pats,
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


@dataclass
class _Mention:
    start: int
    end: int
    slug: str
    abbreviation: bool


@dataclass
class _Doc:
    """One entry's text in the forms matching needs; offsets agree across all three."""

    clean: str  # normalised, as shown in evidence
    folded: str  # accents folded, case kept
    lower: str  # folded and lower-cased
    title_end: int
    lead_end: int
    _bounds: list[int] | None = field(default=None, repr=False)

    def sentence(self, pos: int) -> tuple[int, int]:
        """Bounds of the sentence holding ``pos`` (title is its own sentence)."""
        if self._bounds is None:
            bounds = [0]
            for m in _SENTENCE_BREAK.finditer(self.clean):
                bounds.append(m.end())
            bounds.append(len(self.clean) + 1)
            self._bounds = bounds
        i = bisect_right(self._bounds, pos) - 1
        return self._bounds[i], self._bounds[i + 1]


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"')\]]?\s+|\n+")


# --------------------------------------------------------------------------- relevance

_CRPS_PATTERN = re.compile(
    r"(?P<rsd>(?<![\w])RSD(?![\w]))"
    r"|(?P<cs>(?<![\w])(?:CRPS|Crps|crps)(?:[12]|I{1,2})?(?![\w])|(?<![\w])(?:SDRC|RSDS)(?![\w]))"
    r"|(?P<ci>(?i:"
    r"complex[\s\-]*regional[\s\-]*pain[\s\-]*syndromes?"
    r"|reflex[\s\-]*sympathetic[\s\-]*dystroph(?:y|ies)"
    r"|causalgi(?:a|c)(?![\s\-]*like)"
    r"|morbus[\s\-]+sudeck|sudeck(?:'s|s)?[\s\-]*(?:atrophy|dystrophy|disease|syndrom\w*|osteoporosis|point)"
    r"|sudeck'sche|algo(?:neuro)?dystroph\w*|algo(?:neuro)?distrofi\w*|sindrome[\s\-]+algodistrofic\w*"
    r"|shoulder[\s\-]*hand[\s\-]*syndrome"
    r"|post[\s\-]*traumatic[\s\-]*(?:dystrophy|osteoporosis|pain[\s\-]*syndrome)"
    r"|syndrome[\s\-]+douloureux[\s\-]+regional[\s\-]+complexe"
    r"|sindrome[\s\-]+(?:de[\s\-]+)?dolor(?:oso)?[\s\-]+regional[\s\-]+complej[oa]"
    r"|sindrome[\s\-]+(?:dolorosa[\s\-]+)?regionale[\s\-]+complessa"
    r"|komplex\w*[\s\-]+regional\w*[\s\-]+schmerzsyndrom\w*"
    r"))"
)
_RSD_PAIN = re.compile(
    r"pain|limb|\blegs?\b|\barms?\b|\bhands?\b|\bfoot\b|\bfeet\b|ankle|wrist|knee|burning|swell|"
    r"nerve|injur|sympathetic|CRPS|complex regional|fracture|allodynia|dystroph",
    re.I,
)
_RSD_OTHER = re.compile(
    r"rejection|dysphoria|ADHD|school|district|emotion|criticism|ticker|shares", re.I
)
_OTHER_CONDITIONS = re.compile(
    r"fibromyalgia|multiple sclerosis|\bMS\b|crohn|long[\s\-]*covid|arthritis|migraine|"
    r"neuropath|lupus|cancer|parkinson|diabet|depression|\bPTSD\b|endometriosis|back pain|"
    r"phantom limb|chronic fatigue|\bME/CFS\b|irritable bowel|\bIBS\b|headache|autism|ADHD|"
    r"alzheimer|sciatica|ehlers|\bPOTS\b|osteoarthritis|psoriasis|hiv|epilepsy|obesity",
    re.I,
)


def _relevance(doc: _Doc) -> list[tuple[int, int]]:
    """Spans that make the text about CRPS; empty when it is not."""
    hits: list[tuple[int, int]] = []
    for m in _CRPS_PATTERN.finditer(doc.folded):
        if m.lastgroup == "rsd":
            lo, hi = max(0, m.start() - 100), m.end() + 100
            window = doc.folded[lo:hi]
            if _RSD_OTHER.search(window) or not _RSD_PAIN.search(window):
                continue
        hits.append((m.start(), m.end()))
    if not hits:
        return []
    if len(hits) >= 2 or hits[0][0] < doc.title_end:
        return hits
    # A single mention inside a list of other conditions is not what the text is about.
    s0, s1 = doc.sentence(hits[0][0])
    others = _OTHER_CONDITIONS.findall(doc.folded, s0, s1)
    if len(others) >= 2:
        return []
    return hits


# --------------------------------------------------------------------------- subject vs mention

# Cue phrases (matched on the lower-cased text). "pre" cues make treatments named after them in
# the same clause non-subjects; "post" cues those named before them; "block" cues (eligibility
# sections) run to the end of the paragraph or the next section heading; "xref" cues (pointers
# to other articles) cover the rest of their sentence; "contrast" cues only the next phrase.
_CUES = re.compile(
    r"(?P<block>\b(?:(?:key\s+)?(?:inclusion|exclusion|eligibility)\s+criteri(?:a|on)"
    r"|eligibility\s*:|criteres d'(?:inclusion|exclusion)|ein-?\s*und\s+ausschlusskriterien"
    r"|ausschlusskriterien|einschlusskriterien|criterios de (?:inclusion|exclusion))\b)"
    r"|(?P<head>\b(?:interventions?|arms?|treatment|primary outcomes?|secondary outcomes?|"
    r"outcomes?|study design|design|sponsor|locations?|status|methods?|results?|conclusions?)"
    r"\s*:)"
    r"|(?P<xref>\b(?:(?:our|the|recent|earlier|previous|past|other|older)\s+)+"
    r"(?:posts?|articles?|stories|blogs?|blog posts?|updates?|coverage|newsletters?)\s+"
    r"(?:on|about|regarding|involving|covering)\b"
    r"|\bfollowing\s+(?:recent|our|earlier|previous)\s+(?:articles?|posts?|stories|coverage)\b"
    r"|\b(?:see|read)\s+(?:also|more|our)\b|\brelated\s*:|\byou may also like\b"
    r"|\bwe\s+(?:have\s+)?(?:previously|recently|already)\s+(?:reported|written|wrote|covered)\b)"
    r"|(?P<contrast>\b(?:unlike|rather than|instead of|as opposed to)\b)"
    r"|(?P<pre>\b(?:after|despite|following)\s+(?:failing|failed|failure of|unsuccessful|"
    r"ineffective|trying)\b"
    r"|\b(?:had|has|have|'ve|'d|who)\s+(?:already\s+|previously\s+|also\s+)?"
    r"(?:failed|tried|received|undergone|had|taken|been\s+(?:given|treated\s+with|on|offered))\b"
    r"|\bfail(?:ed|ure of|ing)\s+(?:to respond to|treatments? with|trials? of)"
    r"|\bpreviously\s+(?:received|tried|treated|had|used|been|given|on)\b"
    r"|\bprevious(?:ly)?\s+(?:treatments?|therapies|use)\b"
    r"|\bprior(?!\s+to\b)\b|\bhistory of\b|\b(?:treatment|medication|drug|medical)\s+history\b"
    r"|\bdespite\b|\bin spite of\b|\b(?:refractory|resistant|unresponsive|non-?responsive)\s+to\b"
    r"|\bdid not respond to\b|\bno (?:response|relief) (?:to|from)\b"
    r"|\b(?:a )?variety of (?:treatments?|therap\w+|medications?)\b"
    r"|\b(?:various|numerous|countless|many|multiple|several)\s+(?:other\s+)?"
    r"(?:treatments|therapies|medications|drugs)\b"
    r"|\bin addition to (?:their|his|her|my|usual|regular|standard|existing)\b"
    r"|\busual care\b|\bstandard (?:care|treatment|of care)\b|\btreatment as usual\b"
    r"|\bcurrent(?:ly)?\s+(?:care|treatments?|therapies|options|management)\s+"
    r"(?:includes?|involves?|consists?|are|is|relies)\b"
    r"|\b(?:both|all)\s+(?:arms|groups|patients|participants)\s+(?:also\s+)?"
    r"(?:received|continued|got|had)\b"
    r"|\bbackground\s+(?:therapy|medication|treatment)\b"
    r"|\bstable\s+doses?\s+of\b|\bon\s+a\s+stable\b|\ballowed\s+to\s+continue\b"
    r"|\bconcomitant\b|\brescue\s+medication\b"
    r"|\b(?:requirements?|need)\s+for\b"
    r"|\bexcluded\s+if\b|\bmust\s+not\s+have\b)"
    r"|(?P<post>\b(?:had|has|have)\s+(?:all\s+)?(?:failed|not\s+(?:helped|worked))\b"
    r"|\b(?:were|was)\s+(?:excluded|not\s+allowed|not\s+permitted)\b"
    r"|\bwithout\s+(?:success|relief|benefit|improvement)\b|\bto\s+no\s+avail\b"
    r"|\b(?:proved|was|were|seemed)\s+initially\s+(?:beneficial|helpful|effective)\b"
    r"|\bnot\s+sustained\b|\bwore\s+off\b|\bstopped\s+working\b|\bnothing\s+(?:worked|helped)\b"
    r"|\bdid\s+not\s+help\s+(?:her|him|them|me)\b)"
    r"|(?P<brk>;|\bbut\b|\bwhereas\b|\bhowever\b|\bbefore\s+(?:starting|receiving|switching)\b"
    r"|,\s+(?:she|he|they|we|i|it|which|who|then|so|the patient|patients|participants|now|"
    r"later|until|when|while|and then|and now|and nothing|my|our|his|her|their)\b)"
)
_RESEARCH_CUE = re.compile(r"research|trial|study|studies|clinic\b|fund(?:ing|s)?\s+(?:for|into)")


@dataclass
class _Cues:
    pre: list[tuple[int, int, str]]  # (start, end, kind), sorted by start
    starts: list[int]
    breaks: list[int]
    heads: list[int]

    @classmethod
    def scan(cls, lower: str) -> _Cues:
        pre: list[tuple[int, int, str]] = []
        breaks: list[int] = []
        heads: list[int] = []
        for m in _CUES.finditer(lower):
            kind = m.lastgroup or ""
            if kind == "brk":
                breaks.append(m.start())
            elif kind == "head":
                heads.append(m.start())
            else:
                pre.append((m.start(), m.end(), kind))
        return cls(pre, [c[0] for c in pre], breaks, heads)

    def _between(self, positions: Sequence[int], lo: int, hi: int) -> bool:
        i = bisect_left(positions, lo)
        return i < len(positions) and positions[i] < hi

    def non_subject(self, doc: _Doc, start: int, end: int) -> bool:
        """True when the mention at [start, end) is history, criterion, background and so on."""
        s0, s1 = doc.sentence(start)
        paragraph_start = doc.lower.rfind("\n", 0, start) + 1
        lo = bisect_left(self.starts, min(s0, paragraph_start))
        for c_start, c_end, kind in self.pre[lo:]:
            if c_start >= start:
                if kind == "post" and c_start < s1 and not self._between(self.breaks, end, c_start):
                    return True
                if c_start >= s1:
                    break
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


# --------------------------------------------------------------------------- kinds

_KIND_ORDER = (
    "clinical-trial", "recruiting", "rct", "systematic-review", "case-report", "guideline",
    "news", "personal-story", "fundraising-event",
)
_KIND_CUES = re.compile(
    r"(?P<trial_id>(?<![\w])(?:NCT\d{8}|ISRCTN\d{6,}|(?i:eudract)(?:\s*(?:no\.?|number))?:?\s*"
    r"20\d\d-\d{6}-\d\d))"
    r"|(?P<trial>(?i:\bphase\s*(?:[1-4]|i{1,3}|iv)(?:\s*/\s*(?:[1-4]|i{1,3}))?\b"
    r"|\bclinical\s+(?:trials?|study)\b|\b(?:pilot|feasibility|open[\s\-]*label|crossover|"
    r"multi-?cent(?:re|er)|interventional)\s+(?:study|trial)\b|\bopen\s+pilot\b"
    r"|\b(?:this|the|a|new|our)\s+(?:\w+\s+){0,2}trial\s+(?:will|is|has|tests?|compares?)\b"
    r"|\bessai\s+clinique\b|\bstudio\s+clinico\b|\bensayo\s+clinico\b|\bklinische\s+studie\b))"
    r"|(?P<rct>(?i:\brandomi[sz]ed\b|\brandomi[sz]ed?\s+to\b|\brandomly\s+assigned\b"
    r"|\bdouble[\s\-]*blind(?:ed)?\b|\bplacebo[\s\-]*controlled\b|\bsham[\s\-]*controlled\b"
    r"|\brandomi[sz]zat[oa]\b|\brandomisiert\w*|\baleatori[sz]ad[oa]\b|\brandomise[ed]?\b)"
    r"|(?<![\w])RCTs?(?![\w]))"
    r"|(?P<recruiting>(?i:\b(?:not\s+yet\s+)?recruiting\b|\bnow\s+enrolling\b"
    r"|\b(?:started|begun|began|is|are)\s+enrolling\b|\benrolling\s+(?:now|patients|participants)\b"
    r"|\bseek(?:s|ing)?\s+(?:participants|volunteers|patients)\b"
    r"|\bvolunteers\s+(?:needed|wanted)\b|\blooking\s+for\s+(?:participants|volunteers)\b"
    r"|\brecruitment\s+(?:is\s+)?open\b))"
    r"|(?P<review>(?i:\bsystematic(?:ally)?\s+review\w*|\bmeta[\s\-]*analys[ie]s\b"
    r"|\bcochrane\b|\brevue\s+systematique\b|\brevision\s+sistematica\b))"
    r"|(?P<narrative>(?i:\bnarrative\s+review\b))"
    r"|(?P<case>(?i:\bcase\s+(?:reports?|series|study|studies)\b|\ba\s+case\s+of\b"
    r"|\b(?:two|three|four|five|six|seven|eight|nine|ten|\d+)\s+cases\b"
    r"|\bthe\s+cases\s+of\b|\bserie\s+de\s+cas\b|\bfallbericht\b|\bcaso\s+clinico\b"
    r"|\bserie\s+de\s+casos\b))"
    r"|(?P<guideline>(?i:\bguidelines?\b|\bguidance\b|\bconsensus\s+(?:statement|"
    r"recommendations?|report)\b|\bpractice\s+parameters?\b|\brecommandations\b|\bleitlinie\w*"
    r"|\blinee\s+guida\b|\bguias?\s+de\s+practica\b))"
    r"|(?P<fundraising>(?i:\brais(?:e|es|ed|ing)\s+(?:money|funds|awareness\s+and\s+money|£|\$|€|\d)"
    r"|\bfund-?rais\w*|\bjustgiving\b|\bgofundme\b|\bsponsored\s+\w+|\bsponsor\s+me\b"
    r"|\bawareness\s+(?:day|month|week)\b|\bcharity\s+(?:walk|run|ball|event|auction|challenge)\b"
    r"|\bmarathon\b|\bbake\s+sale\b|\bskydive\b|\bdonate\b))"
    r"|(?P<story>(?i:\bmy\s+(?:journey|story|life\s+with|crps|rsd)\b"
    r"|\bshares?\s+(?:her|his|their)\s+story\b|\bpatient\s+profile\b))"
)
_FIRST_PERSON = re.compile(r"(?<![\w'])(?:I|I'm|I've|I'd|I'll|my|My|me)(?![\w'])")
_ACADEMIC = re.compile(
    r"(?:^|\n)\s*(?:background|objectives?|aims?|methods?|results?|conclusions?|purpose)\s*:"
    r"|\bwe\s+(?:included|randomi[sz]ed|pooled|measured|describe|report|reviewed|searched|found|"
    r"identified|examined|estimated|summari[sz]e|assessed|analy[sz]ed|investigated|present|"
    r"retrospectively|prospectively|conducted|compared|evaluated|identified|recruited)\b"
    r"|\bin\s+this\s+(?:randomi[sz]ed|double-blind|open|prospective|retrospective|study|trial)\b"
    r"|\b(?:patients|participants|subjects)\s+(?:were|was)\s+(?:randomi[sz]ed|enrolled|included|"
    r"allocated|assigned)\b",
    re.I,
)
_ACADEMIC_TITLE = re.compile(
    r":\s*(?:a|an|the)?\s*(?:randomi|double|placebo|systematic|meta|case|retrospective|"
    r"prospective|pilot|open|crossover|cohort|feasibility|phase|narrative|review|series|"
    r"multicent|single|two|three)",
    re.I,
)
_LISTING = re.compile(r"(?:^|\n)\s*(?:overall\s+)?status\s*:", re.I)
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


def _kinds(entry: Entry, doc: _Doc, evidence: dict[str, list[str]]) -> list[str]:
    found: dict[str, list[str]] = {}

    def add(kind: str, phrase: str) -> None:
        phrases = found.setdefault(kind, [])
        if phrase not in phrases:
            phrases.append(phrase)

    for pub_type in entry.pub_types:
        for kind in _PUB_TYPE_KINDS.get(pub_type.strip().lower(), ()):
            add(kind, f"publication type: {pub_type}")
    for key in ("nct", "isrctn", "eudract"):
        for value in entry.ids.get(key, ()):
            add("clinical-trial", value)
    from_registry = "clinicaltrials.gov" in entry.feed.url.lower() or (
        "clinicaltrials.gov" in entry.link.lower()
    )
    if from_registry:
        add("clinical-trial", "ClinicalTrials.gov")

    cue_hits: dict[str, list[str]] = {}
    for m in _KIND_CUES.finditer(doc.folded):
        group = m.lastgroup or ""
        if group == "recruiting":
            before = doc.lower[max(0, m.start() - 12) : m.start()]
            if "not" in before.split()[-1:] or before.rstrip().endswith(("not", "not,")):
                continue
        phrase = doc.clean[m.start() : m.end()]
        cue_hits.setdefault(group, []).append(phrase)

    review = "review" in cue_hits or "systematic-review" in found
    if review:
        for phrase in cue_hits.get("review", []):
            add("systematic-review", phrase)
    else:
        for phrase in cue_hits.get("trial_id", []) + cue_hits.get("trial", []):
            add("clinical-trial", phrase)
        for phrase in cue_hits.get("rct", []):
            add("rct", phrase)
            add("clinical-trial", phrase)
    for phrase in cue_hits.get("trial_id", []):
        add("clinical-trial", phrase)
    if "clinical-trial" in found:
        for phrase in cue_hits.get("recruiting", []):
            add("recruiting", phrase)
    for phrase in cue_hits.get("case", []):
        add("case-report", phrase)
    for phrase in cue_hits.get("guideline", []):
        add("guideline", phrase)
    for phrase in cue_hits.get("fundraising", []):
        add("fundraising-event", phrase)

    first_person = len(_FIRST_PERSON.findall(doc.folded))
    if "story" in cue_hits or first_person >= 3:
        add("personal-story", (cue_hits.get("story") or ["first-person account"])[0])
    academic = bool(entry.pub_types) or bool(
        _ACADEMIC.search(doc.folded) or _ACADEMIC_TITLE.search(doc.folded, 0, doc.title_end)
    )
    listing = from_registry or bool(_LISTING.search(doc.folded))
    if not academic and not listing and "personal-story" not in found:
        add("news", "news or charity post")
    kinds = [k for k in _KIND_ORDER if k in found]
    for kind in kinds:
        evidence[kind] = found[kind]
    return kinds


# --------------------------------------------------------------------------- classifier


class Classifier:
    """Holds compiled patterns; build once per run, call :meth:`classify` per entry."""

    def __init__(self, treatments: list[Treatment]) -> None:
        self.treatments = treatments
        self.names: dict[str, str] = {t.slug: t.name for t in treatments}
        self.groups: dict[str, str] = {t.slug: t.group for t in treatments}
        self._by_slug = {t.slug: t for t in treatments}
        self._order = {t.slug: i for i, t in enumerate(treatments)}

        # Literal synonyms: one prefix-factored alternation; the matched text's key says which.
        self._term_slugs: dict[str, list[str]] = {}
        latin: list[list[str]] = []
        other_script: list[str] = []
        for t in treatments:
            for term in t.terms:
                units = _units(term)
                if not units:
                    continue
                key = match_key(term)
                slugs = self._term_slugs.setdefault(key, [])
                if t.slug not in slugs:
                    slugs.append(t.slug)
                if units[0].isascii():
                    latin.append(units)
                else:
                    other_script.append(re.escape("".join(u for u in units if u != _SEP)))
        alternatives = [r"(?<![\w])(?:" + _trie_regex(latin) + r")(?![\w])"]
        if other_script:
            alternatives.append("(?:" + "|".join(sorted(set(other_script))) + ")")
        self._terms = re.compile("|".join(alternatives))

        # Case-sensitive abbreviations.
        self._abbr: dict[str, list[tuple[str, re.Pattern[str] | None]]] = {}
        for t in treatments:
            for abbr, near in t.abbreviations:
                near_re = re.compile(near, re.I) if near else None
                self._abbr.setdefault(abbr, []).append((t.slug, near_re))
        abbrs = sorted(self._abbr, key=lambda a: (-len(a), a))
        self._abbr_re = (
            re.compile(r"(?<![\w])(?:" + "|".join(map(re.escape, abbrs)) + r")(?![\w])")
            if abbrs
            else None
        )

        # Raw regular expressions, one named group each.
        self._pattern_info: dict[str, tuple[str, re.Pattern[str] | None]] = {}
        groups: list[str] = []
        for t in treatments:
            for regex, near in t.patterns:
                name = f"p{len(groups)}"
                groups.append(f"(?P<{name}>{regex})")
                self._pattern_info[name] = (t.slug, re.compile(near, re.I) if near else None)
        self._patterns = re.compile("|".join(groups), re.I) if groups else None

        self._exclude = {
            t.slug: re.compile("|".join(f"(?:{x})" for x in t.exclude), re.I)
            for t in treatments
            if t.exclude
        }

    # ------------------------------------------------------------------ matching

    def _mentions(self, doc: _Doc) -> list[_Mention]:
        found: list[_Mention] = []
        for m in self._terms.finditer(doc.lower):
            key = match_key(m.group(0))
            for slug in self._term_slugs.get(key, ()):
                found.append(_Mention(m.start(), m.end(), slug, False))
        if self._patterns is not None:
            for m in self._patterns.finditer(doc.folded):
                slug, near = self._pattern_info[m.lastgroup or ""]
                if near is None or self._near(doc, m.start(), m.end(), near):
                    found.append(_Mention(m.start(), m.end(), slug, False))
        if self._abbr_re is not None:
            literal_slugs = {f.slug for f in found}
            for m in self._abbr_re.finditer(doc.folded):
                for slug, near in self._abbr[m.group(0)]:
                    if (
                        near is None
                        or slug in literal_slugs
                        or self._near(doc, m.start(), m.end(), near)
                    ):
                        found.append(_Mention(m.start(), m.end(), slug, True))
        if not found:
            return found
        kept: list[_Mention] = []
        excluded: dict[str, list[tuple[int, int]]] = {}
        for mention in found:
            rx = self._exclude.get(mention.slug)
            if rx is not None:
                spans = excluded.get(mention.slug)
                if spans is None:
                    spans = [(x.start(), x.end()) for x in rx.finditer(doc.folded)]
                    excluded[mention.slug] = spans
                if any(a <= mention.start and mention.end <= b for a, b in spans):
                    continue
            kept.append(mention)
        return kept

    @staticmethod
    def _near(doc: _Doc, start: int, end: int, near: re.Pattern[str]) -> bool:
        lo = max(0, start - _NEAR_WINDOW)
        return near.search(doc.folded[lo : end + _NEAR_WINDOW]) is not None

    # ------------------------------------------------------------------ public

    def classify(self, entry: Entry) -> Classification:
        """Relevance, treatments (most central first), kinds and the phrases behind each."""
        title = normalize_text(entry.title or "").replace("\n", " ").strip()
        body = normalize_text(entry.text or "")
        clean = f"{title}\n{body}"
        folded = fold_accents(clean)
        title_end = len(title)
        lead_stop = _SENTENCE_BREAK.search(clean, title_end + 1)
        lead_end = lead_stop.start() if lead_stop else len(clean)
        doc = _Doc(clean, folded, folded.lower(), title_end, lead_end)

        evidence: dict[str, list[str]] = {}
        crps_spans = _relevance(doc)
        relevant = bool(crps_spans)
        if relevant:
            evidence["crps"] = _unique(doc.clean[a:b] for a, b in crps_spans)
        kinds = _kinds(entry, doc, evidence)

        treatments: list[str] = []
        if relevant or entry.feed.topic == "crps":
            treatments = self._treatments(doc, kinds, evidence)
        return Classification(
            relevant=relevant, treatments=treatments, kinds=kinds, evidence=evidence
        )

    def _treatments(self, doc: _Doc, kinds: list[str], evidence: dict[str, list[str]]) -> list[str]:
        mentions = self._mentions(doc)
        if not mentions:
            return []
        mentions.sort(key=lambda m: (m.start, -m.end))
        # Where literal and pattern matches overlap for one slug, keep the longer.
        deduped: list[_Mention] = []
        for m in mentions:
            if deduped and deduped[-1].slug == m.slug and m.start < deduped[-1].end:
                continue
            deduped.append(m)
        named = {m.slug for m in deduped}
        cues = _Cues.scan(doc.lower)
        fundraising = "fundraising-event" in kinds
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        phrases: dict[str, list[str]] = {}
        for m in deduped:
            if cues.non_subject(doc, m.start, m.end):
                continue
            if fundraising:
                s0, s1 = doc.sentence(m.start)
                if not _RESEARCH_CUE.search(doc.lower, s0, s1):
                    continue
            if m.start < doc.title_end:
                weight = _W_TITLE
            elif m.start < doc.lead_end:
                weight = _W_LEAD
            else:
                weight = _W_BODY
            scores[m.slug] = scores.get(m.slug, 0.0) + weight
            first.setdefault(m.slug, m.start)
            phrases.setdefault(m.slug, []).append(doc.clean[m.start : m.end])
        for slug in list(scores):
            umbrella = self._by_slug[slug].suppressed_by
            if umbrella and named.intersection(umbrella):
                del scores[slug]
        ordered = sorted(scores, key=lambda s: (-scores[s], first[s], self._order.get(s, 0)))
        result: list[str] = []
        for slug in ordered:
            if slug not in result:
                result.append(slug)
            evidence[slug] = _unique(phrases[slug])
            for cls in self._by_slug[slug].classes:
                if cls not in result:
                    result.append(cls)
                evidence[cls] = _unique([*evidence.get(cls, []), *phrases[slug]])
        return result


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def load_classifier(extra: list[dict[str, Any]] | None = None) -> Classifier:
    """The bundled treatments.yaml, extended or overridden by ``extra`` (feeds.yaml)."""
    if extra:
        errors = validate_treatments(extra)
        if errors:
            raise ValueError("invalid treatments: " + "; ".join(errors))
    merged = _merge(_load_bundled(), extra or [])
    return Classifier([Treatment.from_dict(raw) for raw in merged])
