""":class:`Classifier` and :func:`load_classifier`: the three decisions put together.

Builds the scanner from the treatment list and the phrase tables, runs the one scan per
entry, and combines relevance, kinds and the subject mentions into a Classification,
ordering treatments by where and how often the text names them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from crpsdigest.classify.kinds import _kinds
from crpsdigest.classify.mentions import _MentionFinder
from crpsdigest.classify.parallel import _classify_forked, _worker_count
from crpsdigest.classify.phrases import (
    _COHORT_ANCHORS,
    _CRPS_RULES,
    _CUE_RULES,
    _FIRST_PERSON_ANCHORS,
    _KIND_RULES,
    _OTHER_CONDITIONS,
    _WHOLE_WORD,
)
from crpsdigest.classify.relevance import _relevance
from crpsdigest.classify.scanning import (
    _END,
    _FIRST,
    _Doc,
    _lower_same_length,
    _Rule,
    _Scanner,
    _spaced,
)
from crpsdigest.classify.scoping import _NO_CUES, _RESEARCH_CUE, _Cues
from crpsdigest.classify.treatments import Treatment, _load_bundled, _merge, validate_treatments
from crpsdigest.models import Classification, Entry
from crpsdigest.normalize import fold_accents, normalize_text

# Between two treatments a title names one after the other: a head-to-head comparison, whose
# first-named arm is the item's subject ("Lidocaine versus ketamine infusions ..."). Not
# "X with or without Y", where Y is what is tested.
# A dose may follow the first arm: "Zoledronic acid 5 mg once or neridronate 4 x 100 mg".
_HEAD_TO_HEAD = re.compile(
    r"(?:\s*(?:at\s+)?\d[\d.,]*\s*(?:x\s*\d[\d.,]*\s*)?(?:mg|g|mcg|µg|ml|%)(?:/kg)?(?:/h|/day|/d)?"
    r"(?:\s+(?:once|daily|weekly|twice\s+daily|a\s+day))?)?"
    r"\s*(?:versus|vs\.?|compared\s+with|or)\s*"
)

# A treatment named in the title by a plural heading ("psychological interventions", "physical
# therapies") only heads the list of the specific treatments the body names.
_CATEGORY_ENDS = ("therapies", "interventions", "treatments", "approaches")

_NO_PARTS: list[tuple[int, int]] = []  # shared, never modified

# Position weights for ordering: the title and the lead say what an item is about.
_W_TITLE, _W_LEAD, _W_BODY = 3.0, 2.0, 1.0


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
        # the treatment names' rules first, then the other categories' (as before the split:
        # at one anchor, rules are tried in the order they were added)
        self._finder = _MentionFinder(treatments, scanner)
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
        # counted by their anchors alone (see kinds._first_person): the regex is never tried
        scanner.add(_Rule("person", "person", re.compile("i|my|me")), _FIRST_PERSON_ANCHORS)
        # the same for the people nouns of a study's cohort (see kinds._paper_voice)
        scanner.add(_Rule("cohort", "cohort", re.compile("people")), _COHORT_ANCHORS)
        # and where a "2" stands alone ("2)", "2. "): a numbered second part may follow
        # (see _other_topics); most texts have none, and then no search is made
        scanner.add(_Rule("part", "part", re.compile("2")), [" 2 "])
        scanner.build()
        self._scanner = scanner

    # ------------------------------------------------------------------ public

    def classify(self, entry: Entry) -> Classification:
        """Relevance, treatments (most central first), kinds and the phrases behind each."""
        # One normalisation pass over title and text; the first line break ends the title.
        raw_title = (entry.title or "").replace("\n", " ").strip()
        clean = normalize_text(f"{raw_title}\n{entry.text or ''}")
        title_end = clean.find("\n")
        folded = fold_accents(clean)
        lower = _lower_same_length(folded)
        spaced = _spaced(" " + lower)  # the automaton's copy, one leading space
        doc = _Doc(clean, folded, lower, title_end, spaced,
                   *self._scanner.scan(spaced, lower, folded))

        evidence: dict[str, list[str]] = {}
        found = doc.found  # the eager categories, matched during the scan
        crps_spans = _relevance(doc, found["crps"])
        relevant = bool(crps_spans)
        if relevant:
            evidence["crps"] = list(dict.fromkeys([clean[a:b] for a, b in crps_spans]))
        # a lone "2" in the text (the scan's "part" anchor) may number a newsletter's parts
        off_topic = _other_topics(doc, crps_spans) if "part" in doc.hits else _NO_PARTS
        kind_hits = found["kind"]
        if off_topic:  # a newsletter's other parts say nothing of the CRPS item's kind
            kind_hits = [h for h in kind_hits if not any(a <= h[1] < b for a, b in off_topic)]
        kinds = _kinds(entry, doc, kind_hits, evidence)

        treatments: list[str] = []
        if relevant or entry.feed.topic == "crps":
            # Google News titles end " - Outlet": the outlet's name is no treatment
            outlet = title_end
            if "news.google." in entry.feed.url:
                dash = clean.rfind(" - ", 0, title_end)
                if dash > 0:
                    outlet = dash
            treatments = self._treatments(doc, kinds, evidence, outlet, off_topic)
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
        return _classify_forked(self.classify, entries, workers)

    def _treatments(
        self,
        doc: _Doc,
        kinds: list[str],
        evidence: dict[str, list[str]],
        outlet: int,
        off_topic: list[tuple[int, int]],
    ) -> list[str]:
        mentions = self._finder.find(doc)
        if outlet < doc.title_end:
            mentions = [m for m in mentions if not outlet <= m[0] < doc.title_end]
        if off_topic:
            # a slug named in other parts only is other news, in the title too (a
            # newsletter's title lists its parts: "opioid tapering, a migraine app and CRPS")
            other = {m[2] for m in mentions if any(a <= m[0] < b for a, b in off_topic)}
            here = {m[2] for m in mentions if m[0] >= doc.title_end
                    and not any(a <= m[0] < b for a, b in off_topic)}
            mentions = [m for m in mentions if not (m[2] in other and (
                m[2] not in here or any(a <= m[0] < b for a, b in off_topic)))]
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
        cue_hits = self._scanner.matches(doc, "cue") if "cue" in doc.hits else None
        cues = _Cues.from_hits(cue_hits) if cue_hits else _NO_CUES
        fundraising = "fundraising-event" in kinds
        scores: dict[str, float] = {}
        first: dict[str, int] = {}
        in_title: list[tuple[int, int, str]] = []  # (start, end, slug) of each one's first
        phrases: dict[str, list[str]] = {}
        deferred: list[tuple[int, int, str]] = []
        kept: list[tuple[int, int, str, float]] = []
        every_arm: set[str] = set()
        for start, end, slug in deduped:
            if cues.cues:
                cue = cues.non_subject(doc, start, end)
                if cue:
                    if cue == "arms":
                        every_arm.add(slug)
                    continue
            if cues.background and cues.in_background(start):
                deferred.append((start, end, slug))
                continue
            if fundraising:
                s0, s1 = doc.sentence(start)
                if not _RESEARCH_CUE.search(doc.lower, s0, s1):
                    continue  # a fundraiser's own history, not a treatment under discussion
            kept.append((start, end, slug, 0.0))  # weighed by position below
        if every_arm:
            # "placebo plus physiotherapy": given in the control arm too, so in every arm
            kept = [m for m in kept if m[2] not in every_arm]
            deferred = [m for m in deferred if m[2] not in every_arm]
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
                if weight == _W_TITLE and doc.lower.endswith(_CATEGORY_ENDS, start, end):
                    # "Psychological interventions for CRPS: ...": a title heading over the
                    # kinds the body names; the body's own treatments say what it is about
                    weight = 0.5
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
                if start < title_end:
                    in_title.append((start, end, slug))
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
            lead = _head_to_head(doc.lower, in_title) if len(in_title) > 1 else None
            if lead and lead != ordered[0]:
                ordered.remove(lead)
                ordered.insert(0, lead)
        else:
            ordered = list(scores)
        result: list[str] = []
        for slug in ordered:
            if slug not in result:
                result.append(slug)
            # without repeats, in order (dict.fromkeys: inline, a call per slug costs more)
            evidence[slug] = list(dict.fromkeys([*evidence.get(slug, ()), *phrases[slug]]))
            for cls in self._classes.get(slug, ()):
                if cls not in result:
                    result.append(cls)
                evidence[cls] = _unique([*evidence.get(cls, []), *phrases[slug]])
        return result


def _other_topics(doc: _Doc, crps_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The numbered parts of a multi-topic item (a newsletter's "1) ... 2) ... 3) ...") that
    do not name CRPS, when another part does: their treatments and kind words are other
    news, not the CRPS item's subject (taxonomy 5, rule 5: CRPS must be the topic)."""
    lower = doc.lower
    if not crps_spans:
        return []
    starts = _numbered(lower, doc.title_end)
    if len(starts) < 2:
        return []
    parts = list(zip(starts, [*starts[1:], len(lower)], strict=True))
    on_topic = [any(a <= s < b for s, _ in crps_spans) for a, b in parts]
    if not any(on_topic):
        return []
    return [part for part, crps in zip(parts, on_topic, strict=True) if not crps]


def _numbered(lower: str, pos: int) -> list[int]:
    """Where "1)" or "1. ", then "2)" or "2. " ... open a part (not "type 1." or "4.5")."""
    starts: list[int] = []
    for n in "123456789":
        at = -1
        for mark in (n + ")", n + ". "):
            i = lower.find(mark, pos)
            while i >= 0:
                before = lower[i - 1] if i else " "
                after = lower[i + len(mark) : i + len(mark) + 2].lstrip()[:1]
                if not (before.isalnum() or before in ".,") and after.isalpha():
                    break
                i = lower.find(mark, i + 1)
            if i >= 0 and (at < 0 or i < at):
                at = i
        if at < 0:
            break
        starts.append(at)
        pos = at + 2
    return starts


def _head_to_head(lower: str, in_title: list[tuple[int, int, str]]) -> str | None:
    """The first arm of "A versus B" when the title opens its treatments that way."""
    (_, one_end, one), (two_start, _, _) = in_title[0], in_title[1]
    if _HEAD_TO_HEAD.fullmatch(lower, one_end, two_start):
        return one
    return None


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
