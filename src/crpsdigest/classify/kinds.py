"""Item kinds: clinical trial, RCT, review, case report, guideline, news, story, fundraiser.

From registry identifiers, PubMed publication types, feed hints and the kind cue phrases the
scanner matched (phrases._KIND_RULES), with the guards that keep a review's "randomised
trials" or a case report's "trial of" from making the item a trial.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from crpsdigest.classify.scanning import _START, _Doc, _Scanner
from crpsdigest.models import Entry

_KIND_ORDER = (
    "clinical-trial", "recruiting", "rct", "systematic-review", "case-report", "guideline",
    "news", "personal-story", "fundraising-event",
)
_KIND_RANK = {kind: i for i, kind in enumerate(_KIND_ORDER)}
_NOT_GUIDELINE = re.compile(
    r"(?:following|according\s+to|per|in\s+line\s+with|based\s+on|as\s+recommended\s+by|"
    # guidelines in general, cited: "first-line in every guideline", "most guidelines"
    r"(?:in|by)\s+(?:every|all|most|many|several)|"
    # a concession cites guidance in an item about something else: "although guidelines ..."
    r"(?:although|though|while|whereas|even\s+if)|"
    r"(?:recommended|advised|suggested|endorsed|listed|set\s+out|described)\s+(?:in|by)|"
    # an audit of practice against guidelines: "adherence to CRPS guidelines"
    r"adheren(?:ce|t)\s+to|compliance\s+with|concordance\s+with|deviations?\s+from|"
    r"volgens|gemass|gemaess|selon|segun|secondo|conforme|de\s+acordo\s+com|"
    r"ultrasound|fluoroscopic|fluoroscopy|image|imaging|ct|sonographic|radiological)"
    r"(?:\s+(?:the|current|national|local|dutch|uk|us|international|existing|crps|\w+'s|"
    r"de|der|die|den|het|la|le|les|las|los|il|lo|gli|a|as|o|os|del|della|delle|some))*\s*$"
)
# The same in French, Italian, Spanish, German, Dutch ("suggerita da alcune linee guida"),
# tried only when the words before the cue hold one of _FOREIGN_BY (most items: English).
_NOT_GUIDELINE_FOREIGN = re.compile(
    r"(?:(?:suggerit|raccomandat|consigliat|indicat)[aoie]\s+(?:da|nelle|dalle)|"
    r"(?:recommande|conseille|suggere)e?s?\s+par|(?:recomendad|sugerid|aconsejad)[oa]s?\s+"
    r"(?:por|en)|empfohlen\s+(?:von|in)|aanbevolen\s+(?:door|in))"
    r"(?:\s+(?:de|der|den|het|la|le|les|las|los|il|lo|gli|a|as|o|os|del|della|delle|"
    r"alcune|alcuni|algunas|algunos|algumas|certaines|certains|plusieurs|einigen|mehreren|"
    r"sommige|diverse|varie))*\s*$"
)
_FOREIGN_BY = re.compile(r" (?:da|nelle|dalle|par|por|en) |empfohlen|aanbevolen")
# After a guideline word: existing guidance cited in an item about something else
# ("national guidelines already suggest X, but ..."), not the item's kind.
_CITED_GUIDELINE = re.compile(
    r"\w*\s+(?:(?:already|currently|long|still|generally|often)\s+)?(?:recommend|suggest|advise|endorse|include|"
    r"list|support|mention|say)"
)
# After a randomised/controlled cue: plural trials are the literature, not this item
# ("randomised trials in adults have mostly used ...", "called for sham-controlled trials",
# "randomisierten Studien"); nor is a trial still to come ("a randomised trial is planned").
_PLURAL_TRIALS = re.compile(
    r"[\s\-]*(?:controlled\s+|clinical\s+)?(?:trials|studies|studien|"
    r"(?:trial|study)\s+(?:is|are|would\s+be|will\s+be)\s+(?:now\s+)?(?:planned|needed|"
    r"warranted|required))\b"
)
_ACADEMIC_TITLE = re.compile(
    r":\s*(?:a|an|the|eine?|une?|una|uno|el|la|le|il|lo)?\s*(?:randomi|double|placebo|"
    r"systematic|meta|case|retrospective|prospective|pilot|open|crossover|cohort|feasibility|"
    r"pragmatic|"
    r"phase|narrative|review|series|multicent|single|two|three|retrospektiv|prospektiv|"
    r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)[\s\-]*(?:year|month|week)s?"
    r"[\s\-]+(?:follow|outcome|result|extension)|long[\s\-]*term|experience\s+with|"
    r"protocol|study\s+protocol|an?\s+(?:\w+\s+)?(?:registry|register)[\s\-]+(?:study|analysis)|"
    r"(?:esperienza|experiencia|experience)\s+(?:di|de|d\W?)\s*(?:un|una|une|nostra|nuestra)\s|"
    r"follow[\s\-]*up|an?\s+(?:\w+\s+)?(?:consensus|delphi|position\s+statement)|"
    r"an?\s+(?:\w+\s+)?(?:survey|audit|"
    r"analysis|observational|cross)|"
    r"fallbericht|(?:studio|estudio|etude|studie|ensayo|essai)\s+(?:clinic[oa]\s+|clinique\s+)?"
    r"(?:randomi|retrospe|prospe|osservazional|observa|pilot|multicent|controla|controlla))"
)
# A registry record's own sections: "Exclusion criteria:", "Eligibility:" opening a sentence.
# Only a trial listing sets out who may take part; news and papers describe it in prose.
# Looked for before each colon of the body (most items have none or few): the label's last
# words, then what opens it must be the start of a sentence.
_CRITERIA_LABEL = re.compile(
    r"(?:^|[.;\n])\s*(?:(?:inclusion|exclusion|eligibility)(?:\s+criteria)?|"
    r"criteres?\s+d\W?(?:inclusion|exclusion)|criterios?\s+de\s+(?:inclusion|exclusion)|"
    r"criteri\s+di\s+(?:inclusione|esclusione)|(?:ein|aus)schlusskriterien)\s*$"
)
_CRITERIA_ENDS = (
    "inclusion", "exclusion", "eligibility", "criteria", "inclusione", "esclusione",
    "kriterien",
)
# A paper's own voice: the lead sentence gives the study's cohort ("Forty patients with CRPS
# were randomised", "... in 30 patients with CRPS") or opens on its design ("In a double-blind
# trial, ..."), and nothing in the item reports it at second hand (_second_hand). The people
# nouns' places come from the automaton's one pass (lazy "cohort" hits, no rule tried); then a number among the three
# words before one. (A regex search of the lead, tried at every character, costs more than
# the rest of an item's kinds.)
_NUMBER_WORDS = frozenset({
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "fifteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
    "ninety", "hundred",
})
_OWN_STUDY = re.compile(r"\s*in\s+(?:a|an|this)\s+[\w\s\-,]{0,60}?(?:trial|study)\b")
# Second-hand voice: someone says, finds or reports it; a team, clinic or charity does it;
# something is announced or will happen. A set of words, compared with the item's words: a
# regex search for any of them costs more than the rest of an item's classification.
_REPORTING_WORDS = frozenset({
    "said", "says", "say", "told", "according", "found", "finds", "show", "shows", "showed",
    "suggest", "suggests", "conclude", "concludes", "concluded", "researcher", "researchers",
    "scientist", "scientists", "team", "university", "clinic", "clinics", "hospital",
    "hospitals", "centre", "centres", "center", "centers", "charity", "expert", "experts",
    "doctor", "doctors", "surgeon", "surgeons", "specialist", "specialists", "published",
    "journal", "announce", "announced", "announces", "launch", "launches", "launched",
    "launching", "fund", "funds", "funded", "will", "now", "being", "chercheurs", "equipe",
    "chu", "lance", "forscher", "forscherin", "forscherinnen", "klinik", "kliniken",
    "klinikum", "ricercatori", "investigadores", "equipo",
    # the authors at second hand, "according to", in German, French, Spanish, Italian, Dutch
    "autoren", "auteurs", "autores", "autori", "laut", "selon", "segun", "secondo", "volgens",
    "onderzoekers", "pesquisadores",
})
_WORDS = re.compile(r"[a-z]+")
_HASHTAG = re.compile(r"(?<![\w&])#[^\W\d_]\w+")
# Hosts of literature databases and preprint servers (feed_formats.md sections 1 and 2).
_PAPER_HOSTS = (
    "pubmed.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov/pmc", "europepmc.org", "ebi.ac.uk/europepmc",
    "biorxiv.org", "medrxiv.org", "preprints.scielo.org", "researchsquare.com",
)
_COHORT_SIZE = re.compile(r"\(n\s*=\s*\d")
# "reports", "reported" by someone; not "case report", "73% reported", "patients reported"
# (the kind's name, the study's own outcome)
_REPORTS = re.compile(r"(?<!case )\breports?\b|(?<!% )(?<!patients )\breported\b")
_QUOTED = re.compile("[?\"\u201c\u201d\u00ab\u00bb]")
# Before a trial cue: a trial someone wants, calls or asks for is not one the item is about
# ("a charity wants a large trial of X"). The words just before the cue, less articles.
# After a trial cue ending in "is", "will": "a randomized trial is needed" calls for one.
_NEEDED = re.compile(r"\s+(?:now\s+|still\s+|urgently\s+|clearly\s+)?(?:needed|warranted|"
                     r"required|necessary)\b")
_WISH_VERBS = frozenset(
    {"want", "wants", "wanted", "urge", "urges", "urged", "demand", "demands", "need", "needs"}
)
_WISH_FOR = frozenset({"call", "calls", "called", "calling", "ask", "asks", "asked"})
_WISH_SKIP = frozenset({"a", "an", "the", "more", "proper", "larger", "bigger", "further"})
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
    feed_kind = _feed_kind(entry.feed.url)
    from_registry = feed_kind == "registry" or "clinicaltrials.gov" in entry.link.lower()
    if from_registry:
        found.setdefault("clinical-trial", {})["ClinicalTrials.gov"] = None

    lower = doc.lower
    cue: dict[str, list[tuple[str, int]]] = {}
    for label, start, end in hits:  # already in text order, give or take
        if label == "recruiting":
            before = lower[max(0, start - 6) : start]
            if before.rstrip(" ,").endswith("not") and not lower.startswith("not", start):
                continue  # "active, not recruiting"
            if lower.startswith(" to ", end) and "from " in lower[max(0, start - 14) : start]:
                continue  # "status changed from Recruiting to Completed": the old status
        elif label == "guideline":
            lo = max(0, start - 40)
            if _NOT_GUIDELINE.search(lower, lo, start) or (
                _FOREIGN_BY.search(lower, lo, start)
                and _NOT_GUIDELINE_FOREIGN.search(lower, lo, start)
            ):
                continue  # "following the Dutch guideline", "under ultrasound guidance"
            if _in_background(doc, start):
                continue  # "BACKGROUND: ... despite guidance against them": context
            if start >= doc.lead_end and _CITED_GUIDELINE.match(lower, end, end + 40):
                continue  # "guidelines already suggest X": cited in the body
        elif label == "rct" and _PLURAL_TRIALS.match(lower, end, end + 30):
            continue
        if label == "trial" and (
            _wished(lower, start) or _NEEDED.match(lower, end)
            or (lower.startswith("trials", end - 6) and lower.endswith("for ", 0, start))
        ):
            # "a charity wants a large trial of X", "a trial is needed": none yet; "an
            # outcome set for clinical trials": trials in general, the item's audience
            continue

        elif label == "listing" and start:
            line_start = lower.rfind("\n", 0, start) + 1
            before = lower[line_start:start].rstrip()
            if line_start and before and before[-1] not in ".;":
                continue  # "Status:" opens a line or a sentence of a record, not prose
        if label in cue:
            cue[label].append((doc.clean[start:end], start))
        else:
            cue[label] = [(doc.clean[start:end], start)]

    if cue:
        _cue_kinds(doc, cue, found)
    story = cue.get("story")
    if story:
        found.setdefault("personal-story", {})[story[0][0]] = None
    elif (count := _first_person(doc)) >= 3 or (
        count and "#" in doc.clean and _HASHTAG.search(doc.clean)
    ):
        # a post with hashtags is social media: one "my" is the writer speaking
        found.setdefault("personal-story", {})["first-person account"] = None
    academic = (
        bool(entry.pub_types) or "academic" in cue or _academic_title(doc)
        or feed_kind == "papers"
        # a cohort size in a paper's notation, "(n=38)" (the scanner's copy has no "=")
        or ("(n" in lower and _COHORT_SIZE.search(lower) is not None and not _second_hand(doc))
        or ("model" in cue and not _second_hand(doc))
        or (
            ("cohort" in doc.hits or lower.startswith("in", doc.title_end + 1))
            and _paper_voice(doc)
        )
    )
    if not academic and ("case" in cue or "review" in cue) and any(
        pos < doc.title_end for label in ("case", "review") for _, pos in cue.get(label, ())
    ):
        # a title that calls the item a case report or review, and nobody reporting it at
        # second hand: the paper itself, not news about it
        academic = not _second_hand(doc)
    listing = from_registry or "listing" in cue
    if not listing and not academic and _criteria_sections(lower, doc.title_end):
        listing = True  # a registry record's own eligibility sections: a trial listing
        found.setdefault("clinical-trial", {})["eligibility criteria"] = None
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
def _feed_kind(url: str) -> str:
    """"registry" for a ClinicalTrials.gov feed, "papers" for a literature database's or
    preprint server's (their items are papers, not news: PubMed's title-and-citation items
    have no other sign of it), else "". Asked once per feed, not once per entry."""
    url = url.lower()
    if "clinicaltrials.gov" in url:
        return "registry"
    return "papers" if any(host in url for host in _PAPER_HOSTS) else ""


def _academic_title(doc: _Doc) -> bool:
    """A title that says what kind of paper it is after a colon ("...: a randomised trial")."""
    colon = doc.lower.find(":", 0, doc.title_end)  # _ACADEMIC_TITLE starts with ":"
    if colon < 0:
        return False
    text = doc.lower
    if not text.isascii():
        text = text[: doc.title_end].translate(_IGNORECASE_EXTRA)
    return _ACADEMIC_TITLE.search(text, colon, doc.title_end) is not None


def _criteria_sections(lower: str, body: int) -> bool:
    """Eligibility or exclusion criteria set out as a section of their own (a trial record)."""
    colon = lower.find(":", body)
    while colon >= 0:
        label_end = colon
        while label_end > body and lower[label_end - 1] == " ":
            label_end -= 1  # French "Critères d'exclusion :"
        if lower.endswith(_CRITERIA_ENDS, body, label_end) and _CRITERIA_LABEL.search(
            lower, max(body - 1, label_end - 32), label_end
        ):
            return True
        colon = lower.find(":", colon + 1)
    return False


def _wished(lower: str, start: int) -> bool:
    """The cue at ``start`` follows "wants", "calls for", "asks for" (articles skipped)."""
    words = lower[max(0, start - 30) : start].split()
    while words and words[-1] in _WISH_SKIP:
        words.pop()
    if not words:
        return False
    if words[-1] in _WISH_VERBS:
        return True
    return words[-1] == "for" and len(words) > 1 and words[-2] in _WISH_FOR


def _second_hand(doc: _Doc) -> bool:
    """Someone reports the item's study: a reporting word, a question or a quotation."""
    lower = doc.lower
    if _QUOTED.search(doc.clean) is not None:
        return True
    if not _REPORTING_WORDS.isdisjoint(_words(lower)):
        return True
    if "report" not in lower:
        return False
    for m in _REPORTS.finditer(lower):
        # "Three reported", "12 reported": a count of the study's own participants
        before = lower[max(0, m.start() - 12) : m.start()].split()
        if not before or not (before[-1].isdigit() or before[-1] in _NUMBER_WORDS):
            return True
    return False


# Every byte but a-z as a space: split() of the translated text gives the runs _WORDS finds.
_NOT_A_TO_Z = bytes(b if 97 <= b <= 122 else 32 for b in range(256))


def _words(lower: str) -> list[str]:
    """``_WORDS.findall(lower)``: the runs of a-z, found by C-level translate and split
    instead of a regex match per word (Latin-1 text; any other goes to the regex)."""
    try:
        data = lower.encode("latin-1")
    except UnicodeEncodeError:
        return _WORDS.findall(lower)
    return data.translate(_NOT_A_TO_Z).decode("ascii").split()


def _paper_voice(doc: _Doc) -> bool:
    """A study told in its own voice: the lead gives its cohort or its design."""
    lower = doc.lower
    start = doc.title_end
    if not _has_cohort(lower, start, doc.lead_end, doc.hits.get("cohort", ())) and _OWN_STUDY.match(
        lower, start
    ) is None:
        return False
    return not _second_hand(doc)


def _has_cohort(
    lower: str, start: int, end: int, nouns: Sequence[tuple[int, object]]
) -> bool:
    """A number of people: "Forty-seven patients", "in 20 CRPS patients", "1,200 adults"."""
    for at, _ in nouns:  # in text order
        if at >= end:
            break
        if at >= start:
            for word in lower[max(start, at - 40) : at].split()[-4:]:
                word = word.strip("(").replace(",", "")
                if word.isdigit() or word.split("-")[0] in _NUMBER_WORDS:
                    return True
    return False


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
        for phrase, pos in cue.get(label, ()):
            if label == "case" and whole_review and pos >= doc.title_end:
                continue  # "the evidence consists of case reports": what a review pooled
            if (label == "case" and "rct" in found and pos >= doc.title_end
                    and phrase.lower().endswith(" cases")):
                continue  # a randomised trial's "two cases of raised liver enzymes": events
            found.setdefault(kind, {})[phrase] = None


# First-person words ("I", "i", "my", "me") are counted in the automaton's copy of the text:
# each is an anchor of its own (" i ", " my ", " me ", category "person"), so the count is
# the number of those hits, found in the one pass over the text. Less the Roman numeral I
# ("CRPS type I", "phase I") and "i.e.".
_NOT_FIRST_PERSON = re.compile(
    r" (?:type|crps|phase|grade|stage|class|part|schedule|level|"
    r"tier|category|group|figure|table|appendix) i(?= )| i e(?= )"
)


def _first_person(doc: _Doc) -> int:
    count = len(doc.hits.get("person", ()))
    if count >= 3:
        count -= len(_NOT_FIRST_PERSON.findall(doc.spaced))
    return count
