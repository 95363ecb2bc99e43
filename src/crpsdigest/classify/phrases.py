"""The phrase tables: names of CRPS, cue phrases for subject versus mention, kind cues.

Data, not logic: the rules the scanner is loaded with, kept together so that tuning the
classifier to a new way of writing is an edit here, and the code that reads the matches
(relevance.py, scoping.py, kinds.py) stays short enough to read.
"""

from __future__ import annotations

# Names of CRPS (relevance.py), as (label, regex, cased): cased rules are matched on the
# case-kept text, the others on the lower-cased text.
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
    ("name", r"sindrome[\s\-]+(?:de[\s\-]+)?dor[\s\-]+regional[\s\-]+complexa", False),
    # Portuguese also puts "complexa" first, and uses "da dor": "síndrome complexa de dor
    # regional", "síndromes da dor regional complexa"
    ("name", r"sindromes?[\s\-]+(?:complexa[\s\-]+(?:de|da)[\s\-]+dor[\s\-]+regional|"
             r"da[\s\-]+dor[\s\-]+regional[\s\-]+complexa)", False),
    ("name", r"complex[\s\-]+regionaal[\s\-]+pijnsyndroom", False),
    # back matter: a CRPS name after a reference list or an author's bio is not the topic
    # (relevance.py stops counting there)
    ("back", r"(?:references|bibliography|bibliographie|literatur|referencias|bibliografia|"
             r"referencias\s+bibliograficas)\s*:", False),
    ("back", r"about\s+the\s+authors?(?![\w])", False),
)


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
    # "after two unsuccessful X": a count or article may stand before the failure word
    ("pre", r"after\s+(?:(?:a|an|one|two|three|four|several|multiple|repeated)\s+)?"
            r"(?:failing|failed|failure\s+of|unsuccessful|ineffective|trying)" + _W),
    # a response to X that qualified a patient for the item's own treatment: eligibility
    ("pre", r"after\s+(?:a\s+)?(?:positive|good|favou?rable)\s+response\s+to" + _W),
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
    # (not "sans bénéfice démontré": a verdict on the evidence, not someone's history)
    ("post", r"sans\s+(?:succes|benefice|effet|resultat|amelioration)" + _W
             + r"(?!\s+(?:demontre|prouve|etabli)e?s?\b)"),
    ("post", r"ohne\s+(?:erfolg|wirkung|besserung|nutzen)" + _W
             + r"(?!\s+(?:nachgewiesen|belegt|bewiesen))"),
    ("post", r"sin\s+(?:exito|beneficio|efecto|resultado|mejoria)" + _W
             + r"(?!\s+(?:demostrad|probad|comprobad)[oa]s?\b)"),
    ("post", r"senza\s+(?:successo|beneficio|effetto|risultat[oi]|miglioramento)" + _W
             + r"(?!\s+(?:dimostrat|provat)[oi]\b)"),
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
    # grouping variables: "analyses were stratified by opioid use" (taxonomy 5.2)
    ("pre", r"(?:stratified|grouped|categori[sz]ed|subgrouped|dichotomi[sz]ed)\s+(?:by|"
            r"according\s+to)" + _W),
    # covariates are grouping variables too: "adjusted for age and opioid use"
    ("pre", r"adjust(?:ed|ing|ment)\s+for" + _W),
    # usual care given to everyone: "each patient also received X", "per departmental
    # protocol" (not "each patient received X": a single-arm study's own treatment)
    ("pre", r"(?:every|each)\s+(?:patient|participant|child|subject|person)\s+(?:also\s+"
            r"(?:took|takes|received|receives|got|was\s+given|had)|kept|continued)" + _W),
    ("pre", r"per\s+(?:the\s+)?(?:departmental|hospital|local|unit|ward|standard|"
            r"institutional|routine)\s+(?:protocol|policy|practice)" + _W),
    ("pre", r"(?:continued|kept|maintained|stayed\s+on|remained\s+on)\s+(?:their|his|her|"
            r"the)\s+(?:existing|usual|regular|current|previous|ongoing)" + _W),
    # usual care stated for the whole cohort or every group: "all participants continued
    # their physio", "both groups received rehabilitation" (not "all patients received X":
    # a single-arm study's own treatment)
    ("pre", r"(?:all|both)\s+(?:the\s+)?(?:\w+\s+)?(?:patients|participants|subjects|children|"
            r"adults|groups|arms)\s+(?:also\s+(?:received|took|had|got|underwent)|continued|"
            r"kept|maintained|stayed\s+on|remained\s+on)" + _W),
    ("pre", r"both\s+(?:the\s+)?(?:groups|arms)\s+(?:received|got|had|underwent)" + _W),
    # care said to be the same for everyone: "all patients followed the same standard
    # physiotherapy pathway" (a study's own treatment is not "the same" as anything)
    ("pre", r"(?:received|followed|underwent|had|got)\s+the\s+same" + _W),
    ("pre", r"(?:todos|todas)\s+(?:os\s+|as\s+|los\s+|las\s+)?(?:\w+\s+)?(?:mantiveram|"
            r"mantuvieron|continuaram|continuaron|seguiram|siguieron)" + _W),
    ("pre", r"(?:erhalten|erhielten|bekommen|bekamen|behalten|behielten)\s+weiterhin" + _W),
    ("pre", r"weiterhin\s+(?:ihre|seine|die|den|das)" + _W),
    # background: "current treatments such as steroids help only some patients" (taxonomy
    # 5, "trial background ... not tagged")
    ("pre", r"(?:current|existing|available|conventional|standard)\s+(?:treatments?|therapies|"
            r"drugs|medications|medicines|options)\s+(?:such\s+as|like|including|include)" + _W),
    # a co-intervention in the control arm is in every arm: "placebo plus physiotherapy"
    ("arms", r"(?:placebo|sham)\s+(?:plus|\+|combined\s+with|together\s+with|along\s+with|"
             r"in\s+addition\s+to)" + _W),
    # what a tested treatment is added to runs in every arm: "X as an add-on to physio"
    ("arms", r"add[\s\-]*on\s+(?:therapy\s+|treatment\s+)?to" + _W),
    ("arms", r"added\s+to\s+(?:usual|standard|routine|their|ongoing)?" + _W),
    # "X plus usual physiotherapy versus usual physiotherapy alone": the base of every arm
    ("arms", r"plus\s+(?:their\s+|the\s+)?(?:usual|standard|routine)" + _W),
    # a registry's intervention list marking one as everyone's: "Other: X (all participants)"
    ("post", r"(?:all|both)\s+(?:participants|patients|arms|groups)\s*\)"),
    ("pre", r"(?:has|have|had)\s+(?:since\s+|already\s+|also\s+)?been\s+through" + _W),
    # history before the item's own events: "Before referral, all were taking X"
    ("pre", r"before\s+(?:referral|admission|enrol?ment|inclusion|study\s+entry|"
            r"the\s+study)\s*," + _W),
    # the pluperfect tells the history before the item's own events
    ("post", r"had\s+(?:all\s+|both\s+)?been\s+(?:stopped|discontinued|withdrawn|"
             r"ineffective|unhelpful|unsuccessful|abandoned|of\s+no\s+(?:use|benefit))" + _W),
    ("post", r"(?:just|only)\s+made\s+(?:me|her|him|them)" + _W),
    ("post", r"(?:machten|machte)\s+mich\s+(?:nur|bloss|lediglich)" + _W),
    ("post", r"(?:solo|solamente)\s+me\s+(?:daba|daban|dio|dieron|producia|producian|"
             r"provocaba|causaba)" + _W),
    ("post", r"so\s+me\s+(?:dava|davam|deu|deram|deixava|causava)" + _W),
    ("post", r"mi\s+(?:dava|davano|faceva|facevano)\s+solo" + _W),
    # "without much success" in five languages (the plain forms are above)
    ("post", r"sans\s+(?:grand|grande|grands|reel|veritable|aucun|aucune|vrai)\s+"
             r"(?:succes|benefice|effet|resultat|amelioration)s?" + _W),
    ("post", r"sin\s+(?:gran|grandes|mucho|mucha|ningun|ninguna|demasiado|apenas)\s+"
             r"(?:exito|beneficio|efecto|resultado|mejoria)s?" + _W),
    ("post", r"senza\s+(?:grandi|grande|particolari|alcun|nessun|molti|veri|apprezzabili)\s+"
             r"(?:successo|benefici|beneficio|effetto|effetti|risultat[oi]|miglioramento|"
             r"miglioramenti)" + _W),
    ("post", r"ohne\s+(?:gro\w*|nennenswert\w*|spurbar\w*|jede\w*|wirklich\w*)\s+"
             r"(?:erfolg|wirkung|besserung|nutzen)" + _W),
    ("post", r"sem\s+(?:grande\s+|grandes\s+|nenhum\s+|qualquer\s+)?(?:sucesso|beneficio|"
             r"efeito|resultado|melhora)s?" + _W),
    # non-response and exclusion wording in Spanish, French, Italian, German, Portuguese
    ("pre", r"falta\s+de\s+respuesta\s+(?:a|al)" + _W),
    ("pre", r"absence\s+de\s+reponse\s+(?:a|au|aux)" + _W),
    ("pre", r"mancata\s+risposta\s+(?:a|al|alla|ai|agli|alle)" + _W),
    ("pre", r"(?:ausbleibend|fehlend)\w*\s+(?:ansprechen|wirkung)\s+(?:auf|von)" + _W),
    ("pre", r"nao\s+(?:responderam|respondeu|respondem|tinham\s+respondido|"
            r"tinha\s+respondido)" + _W),
    ("pre", r"(?:sem|falta\s+de)\s+resposta\s+(?:a|as|ao|aos)" + _W),
    ("pre", r"(?:no\s+podran|ne\s+pourront\s+pas|non\s+potranno|nao\s+poderao)\s+"
            r"(?:participar|partecipare)" + _W),
    ("pre", r"(?:quienes|que)\s+(?:ya\s+)?(?:hayan|hubieran)\s+(?:recibido|probado|tenido)"
            + _W),
    # "X was not enough": the title's way of saying X failed
    ("post", r"(?:was|were)(?:n't|\s+not)\s+enough" + _W),
    ("post", r"(?:non\s+(?:bastava|bastavano|e\s+bastat[oa]|basto)|ne\s+suffisai(?:t|ent)\s+pas|"
             r"n'(?:a|ont)\s+pas\s+suffi|no\s+(?:bastaba|bastaban|basto|fue\s+suficiente)|"
             r"(?:reichte|reichten)\s+nicht|nao\s+(?:bastava|bastou|foi\s+suficiente))" + _W),
    # a comments section under the article (a line of its own): what readers or spammers
    # name there is not what the item is about
    *(("tail", rf"{w}(?<=\n{w})(?:\s*\(\d+\))?\s*:?\s*(?=\n)") for w in (
        "comments", "comment", "reader comments", "leave a reply", "leave a comment",
        "responses", "replies", "kommentare", "commentaires", "comentarios", "commenti",
        "reacties")),
    # a reference list or an author's bio at the end: what it names is not the subject
    ("tail", r"(?:references|bibliography|bibliographie|literatur|referencias|bibliografia)"
             r"\s*:"),
    ("tail", r"about\s+the\s+authors?" + _W),
    ("brk", r";"),
    ("brk", r"but" + _W),
    ("brk", r"whereas" + _W),
    ("brk", r"however" + _W),
    ("brk", r"before\s+(?:being\s+)?(?:starting|receiving|switching|referred|offered|"
            r"considered|undergoing|trying|getting|given)" + _W),
    ("brk", r",\s+(?:were|was|are|is|received|underwent|took)" + _W),
    # the same turn to the item's own treatment in French, Spanish, Italian, German, Portuguese
    ("brk", r",\s+(?:se|on|il|elle|fue|fueron|foi|foram|wurde|wurden|erhielt|erhielten|"
            r"recibio|recibieron|recebeu|receberam|ricevette|si\s+e|e\s+stat[oa])" + _W),
    ("brk", r",\s+(?:a|o|la|el|le|il|die|der|los|las|les|os|as|i|gli)\s+(?:paciente|pacientes|"
            r"patiente?s?|paziente|pazienti|patientin|patienten)" + _W),
    ("brk", r"(?:were|was)\s+randomi[sz]ed" + _W),
    # "X can be considered when other treatments have not helped": the failure that follows
    # is the other treatments', not X's
    ("brk", r"(?:when|if|once|where|unless)\s+(?:other|previous|earlier|first[\s\-]*line|"
            r"conservative|simpler)\s+(?:treatments?|therapies|options|measures)" + _W),
    # ", then she was offered X" turns to the subject; ", then pregabalin" only extends a list
    *(("brk", rf",\s+{lead}then\s+(?:she|he|they|we|i|it|my|our|his|her|their|came|"
              r"started|switched|was|were|got|received|the\s+patient)" + _W)
      for lead in ("", r"and\s+")),
    ("brk", r",\s+(?:she|he|they|we|i|it|which|who|so|the\s+patient|patients|participants|"
            r"now|later|until|when|while|and\s+now|and\s+nothing|my|our|his|her|"
            r"their)" + _W),
)


# Kind cues (kinds.py), as (label, regex, cased): cased rules are matched on the case-kept text.
_NUM_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
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
    ("trial", r"(?:a|the|its|their)\s+(?:small|large|new|pilot|first)\s+trials?\s+(?:of|involving|with|at|in|"
              r"among)" + _W, False),
    ("trial", r"essai\s+clinique", False),
    ("trial", r"(?:studio\s+pilota|estudio\s+piloto|etude\s+pilote|pilotstudie)" + _W, False),
    ("trial", r"studio\s+clinico", False),
    ("trial", r"ensayo\s+clinico", False),
    ("trial", r"klinisch\w*\s+(?:studie|prufung)", False),
    ("trial", r"sperimentazion[ei]\s+(?:clinic[ah]e?|controllat[ae])", False),
    ("trial", r"(?:estudio|etude)\s+clinique?o?" + _W, False),
    ("rct", r"randomi[sz](?:ed|ation|ing)?" + _W, False),
    ("rct", r"randomly\s+(?:assigned|allocated)" + _W, False),
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
    ("recruiting", r"sucht\s+(?:\w+\s+){0,4}(?:teilnehme(?:r|nde)\w*|probanden|patient\w*|"
                   r"erwachsene|betroffene|freiwillige)", False),
    ("recruiting", r"(?:teilnehmer|probanden)\w*\s+gesucht", False),
    ("recruiting", r"(?:busca|buscan|recherche|recrute|cerca|cercano)\s+(?:des\s+|de\s+)?"
                   r"(?:participant\w*|partecipanti|pacientes|patients|pazienti|volontari|"
                   r"voluntarios|volontaires)", False),
    ("recruiting", r"(?:reclutando|en\s+reclutamiento|recrutement\s+en\s+cours|"
                   r"reclutamento\s+in\s+corso|rekrutierend)" + _W, False),
    # recruitment starting, in Italian, French, Spanish, Portuguese, Dutch ("al via il
    # reclutamento", "ouverture du recrutement", "comienza el reclutamiento")
    ("recruiting", r"(?:(?:al\s+via|iniziato|inizia|parte)\s+(?:il\s+)?reclutamento|"
                   r"(?:debut|lancement|ouverture)\s+du\s+recrutement|"
                   r"(?:comienza|empieza|abre|inicia)\s+(?:el\s+)?reclutamiento|"
                   r"(?:comeca|inicia|abre)\s+(?:o\s+)?recrutamento|"
                   r"werving\s+(?:is\s+)?(?:gestart|begonnen|geopend))" + _W, False),
    ("recruiting", r"now\s+enrolling" + _W, False),
    ("recruiting", r"(?:started|begun|began|is|are)\s+enrolling" + _W, False),
    ("recruiting", r"enrolling\s+(?:now|patients|participants)" + _W, False),
    ("recruiting", r"seek(?:s|ing)?\s+(?:participants|volunteers|patients)" + _W, False),
    ("recruiting", r"volunteers\s+(?:needed|wanted)" + _W, False),
    ("recruiting", r"looking\s+for\s+(?:\d[\d,]*\s+|more\s+|new\s+)?(?:participants|"
                   r"volunteers)" + _W, False),
    ("recruiting", r"recruitment\s+(?:is\s+|will\s+)?(?:open|opens|opened|begins|starts)" + _W,
     False),
    ("recruiting", r"participants\s+(?:are\s+)?(?:needed|wanted|sought)" + _W, False),
    ("trial", r"(?:nehmen|nimmt|teilnehmen)\s+an\s+der\s+studie" + _W, False),
    ("trial", r"(?:ensaio|estudo)\s+clinico" + _W, False),
    ("rct", r"randomi[sz]ad[oa]s?" + _W, False),
    ("rct", r"controlad[oa]s?\s+(?:por|com|con)\s+placebo" + _W, False),
    ("rct", r"gerandomiseerd\w*", False),
    ("rct", r"(?:placebogecontroleerd\w*|dubbelblind\w*)", False),
    ("recruiting", r"looking\s+for\s+(?:people|patients|adults|children|women|men)\s+"
                   r"(?:who|with|aged)" + _W, False),
    ("recruiting", r"wanted\s+for\s+(?:a\s+|the\s+|our\s+|new\s+|a\s+new\s+)?"
                   r"(?:study|trial|research)" + _W, False),
    ("review", r"systematic(?:ally)?\s+review\w*", False),
    ("review", r"meta[\s\-]*analys[ie]s" + _W, False),
    # Metaanalyse (DE, NL), méta-analyse (FR), metaanálisis (ES), meta-analisi (IT),
    # metanálise (PT)
    ("review", r"(?:meta[\s\-]*analyse[nr]?|meta[\s\-]*anal(?:isis|isi)|metanalis[ei])" + _W,
     False),
    ("review", r"cochrane" + _W, False),
    # pooling a number of trials is a meta-analysis: "a review that pooled 11 randomised
    # trials", "pooling seven trials"
    ("review", r"pool(?:ed|ing|s)?\s+(?:data\s+from\s+)?(?:\d+|two|three|four|five|six|seven|"
               r"eight|nine|ten|eleven|twelve)\s+(?:randomi[sz]ed\s+)?(?:controlled\s+)?"
               r"(?:trials|studies)" + _W, False),
    ("review", r"revue\s+systematique", False),
    ("review", r"revision\s+sistematica", False),
    # "systematische Übersichtsarbeit" (DE), "revisione sistematica" (IT), "revisão
    # sistemática" (PT), "systematische review" (NL)
    ("review", r"systematische[nr]?\s+(?:ubersicht|literaturubersicht|review)\w*", False),
    ("review", r"revis(?:ione|ao)\s+sistematica", False),
    ("case", r"case\s+(?:reports?|series|study|studies)" + _W, False),
    ("case", r"a case of" + _W, False),
    ("case", r"case\s+of\s+the\s+(?:week|month|day)" + _W, False),
    ("case", r"year[\s\-]*old\s+(?:man|woman|boy|girl|patient|male|female|child)\s+"
             r"(?:presented|was\s+referred|was\s+admitted)" + _W, False),
    ("case", r"the\s+cases\s+of" + _W, False),
    # a case-series title: "our experience with six patients"
    ("case", r"experience\s+with\s+(?:two|three|four|five|six|seven|eight|nine|ten|[2-9])\s+"
             r"(?:patients|cases|children|adults|women|men)" + _W, False),
    *(("case", rf"{n}\s+cases" + _W, False) for n in _NUM_WORDS),
    # "série de cas", "série de 12 cas", "serie de 5 casos"
    ("case", r"serie\s+de\s+(?:\d+\s+)?cas(?:os)?" + _W, False),
    # the count in words: "série de huit cas", "serie de cinco casos"
    ("case", r"serie\s+de\s+(?:deux|trois|quatre|cinq|six|sept|huit|neuf|dix|douze|dos|tres|"
             r"cuatro|cinco|seis|siete|ocho|nueve|diez|doce)\s+cas(?:os)?" + _W, False),
    ("case", r"fallbericht\w*", False),
    ("case", r"(?:reporte|informe|presentacion)\s+de\s+(?:un\s+)?caso" + _W, False),
    ("case", r"(?:presentamos|describimos)\s+(?:el|un)\s+caso" + _W, False),
    ("case", r"(?:cas\s+clinique|a\s+propos\s+d'un\s+cas)" + _W, False),
    ("case", r"a\s+proposito\s+de\s+(?:un|dos|tres)\s+casos?" + _W, False),
    ("case", r"(?:relato|serie)\s+de\s+casos?" + _W, False),
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
    ("guideline", r"recomm(?:a|e)ndations" + _W, False),
    ("guideline", r"leitlinie\w*", False),
    ("guideline", r"linee\s+guida" + _W, False),
    ("guideline", r"(?:raccomandazioni|recomendaciones)" + _W, False),
    ("guideline", r"guias?\s+de\s+practica\s+clinica" + _W, False),
    ("guideline", r"richtlijn\w*", False),
    ("guideline", r"(?:diretriz|diretrizes|recomendacoes)" + _W, False),
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
    # "recauda fondos", "raccolta fondi", "arrecada fundos"
    ("fundraising", r"(?:raccogliere|raccoglie|raccolta\s+(?:di\s+)?|recaudar|recauda|recaudan|"
                    r"recaudacion\s+de|collecter\s+des|collecte\s+de|recolter\s+des|"
                    r"arrecadar|arrecada|arrecadam|arrecadacao\s+de)\s*(?:fond[io]s?|fundos)"
                    + _W, False),
    ("fundraising", r"(?:inzamelingsactie|geld\s+inzamelen|zamel(?:t|en)\s+geld)" + _W, False),
    ("fundraising", r"(?:spenden\s+(?:zu\s+)?sammeln|spendenlauf|spendenaktion|benefiz\w*)",
     False),
    *(("story", rf"my {w}" + _W, False) for w in ("journey", "story", "life with", "crps", "rsd")),
    ("story", r"(?:mein\s+leben\s+mit|meine\s+geschichte|mi\s+historia|mi\s+vida\s+con|"
              r"ma\s+vie\s+avec|mon\s+histoire|mon\s+parcours|la\s+mia\s+storia|"
              r"la\s+mia\s+vita\s+con|il\s+mio\s+percorso|mi\s+experiencia\s+con|"
              r"mijn\s+verhaal|mijn\s+leven\s+met|minha\s+historia|a\s+minha\s+vida\s+com)"
              + _W, False),
    ("story", r"shares?\s+(?:her|his|their)\s+story" + _W, False),
    # a patient's story told by a host or a parent: "tells her story", "raconte son
    # parcours", "my daughter's CRPS"
    ("story", r"(?:tells?|recounts?)\s+(?:us\s+)?(?:her|his|their)\s+(?:story|journey)" + _W,
     False),
    ("story", r"(?:raconte|racontent)\s+(?:son|sa|leur)\s+(?:parcours|histoire|combat|quotidien)"
              + _W, False),
    ("story", r"(?:cuenta|relata)\s+su\s+(?:historia|experiencia)" + _W, False),
    ("story", r"erzahl(?:t|en)\s+(?:ihre|seine)\s+geschichte" + _W, False),
    ("story", r"racconta\s+la\s+sua\s+(?:storia|esperienza)" + _W, False),
    ("story", r"my\s+(?:daughter|son|child|wife|husband|partner|mum|mom|mother|dad|father)\s*'?s"
              r"\s+(?:crps|rsd|journey|story)" + _W, False),
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
    # a structured abstract's headings in French, Spanish, Portuguese, Italian, German
    ("academic", r"(?:methodes?|resultats|metodos?|resultados|metodi|risultati|methoden|"
                 r"ergebnisse|conclusao|conclusoes|conclusiones|conclusioni|"
                 r"schlussfolgerungen?)\s*:", False),
    *(("academic", rf"we {verb}" + _W, False) for verb in (
        "included", "randomised", "randomized", "pooled", "measured", "describe", "report",
        "reviewed", "searched", "found", "identified", "examined", "estimated", "summarise",
        "summarize", "assessed", "analysed", "analyzed", "investigated", "present",
        "retrospectively", "prospectively", "conducted", "compared", "evaluated", "recruited",
        "built", "modelled", "modeled", "developed", "performed", "surveyed", "calculated",
        "followed")),
    ("academic", r"quality[\s\-]*adjusted" + _W, False),
    # study and laboratory method wording
    ("academic", r"consecutive\s+(?:patients|adults|children|cases|participants)" + _W, False),
    ("academic", r"(?:biops(?:y|ies)|samples?|specimens?)\s+(?:were|was)\s+(?:obtained|"
                 r"taken|collected|analy[sz]ed)" + _W, False),
    ("academic", r"cultured\s+(?:\w+\s+)?(?:cells|fibroblasts|keratinocytes|neurons|"
                 r"macrophages|myocytes)" + _W, False),
    ("academic", r"methods\s+and\s+analysis\s*:", False),
    ("academic", r"in this\s+(?:randomi[sz]ed|double-blind|open|prospective|retrospective|"
                 r"study|trial)" + _W, False),
    *(("academic", rf"{who}\s+(?:were|was)\s+(?:randomi[sz]ed|enrolled|included|allocated|"
                   r"assigned)" + _W, False) for who in ("patients", "participants", "subjects")),
    ("academic", r"(?:rats|mice)\s+(?:were|underwent|received)" + _W, False),
    # an animal model is named by papers and by news about them alike (kinds.py)
    ("model", r"(?:rat|mouse|murine|rodent)\s+(?:[\w\-]+\s+){0,3}models?" + _W, False),
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


# Anchors of the people nouns that, with a number before them in the lead, give a study's
# cohort (kinds._paper_voice): only where they are is kept, no rule is tried.
_COHORT_ANCHORS = (
    "patients", "adults", "children", "adolescents", "participants", "people", "subjects",
    "women", "amputees", "volunteers", "survivors", "teenagers", "controls",
)

# Anchors of first-person words, counted by their hits alone (see kinds._first_person).
_FIRST_PERSON_ANCHORS = (" i ", " my ", " me ")
