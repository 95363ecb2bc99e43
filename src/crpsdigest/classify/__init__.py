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

The parts, each a module of this package:

* ``treatments`` - the treatment list: bundled YAML, feeds.yaml additions, validation;
* ``regexes`` - reading regex source at build time (anchors, literal starts, the synonym trie);
* ``scanning`` - one entry's text forms (:class:`_Doc`) and the automaton pass (:class:`_Scanner`);
* ``phrases`` - the phrase tables: CRPS names, cue phrases, kind cues;
* ``relevance``, ``scoping`` (subject versus mention), ``kinds`` - the three decisions;
* ``mentions`` - where each treatment is named, traps removed;
* ``classifier`` - :class:`Classifier` and :func:`load_classifier`, putting it together;
* ``parallel`` - ``classify_many``'s forked worker processes.
"""

from crpsdigest.classify.classifier import Classifier, load_classifier
from crpsdigest.classify.parallel import PARALLEL_MIN
from crpsdigest.classify.treatments import (
    GROUPS,
    Treatment,
    treatment_slugs,
    validate_treatments,
)

__all__ = [
    "GROUPS",
    "PARALLEL_MIN",
    "Classifier",
    "Treatment",
    "load_classifier",
    "treatment_slugs",
    "validate_treatments",
]
