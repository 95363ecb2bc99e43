"""De-duplication: the labelled set's pairwise scores, each trap, stable ids, representatives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dedup_fixture import load_cases, pairwise_scores

from crpsdigest.dedupe import cluster_entries
from crpsdigest.identifiers import extract_ids
from crpsdigest.models import Entry, FeedRef
from crpsdigest.urls import canonical_url

BASE = datetime(2024, 6, 3, 8, tzinfo=UTC)
LONG_TEXT = (
    "A six-week programme of graded exposure to feared movements helped people with complex "
    "regional pain syndrome do more with their affected arm or leg, researchers at a university "
    "hospital reported, after a trial in sixty-two adults treated at two sites."
)


def make(
    feed: str,
    guid: str,
    title: str,
    link: str,
    text: str = "",
    *,
    days: float = 0,
    raw_ids: tuple[str, ...] = (),
    priority: int = 0,
    feed_url: str | None = None,
) -> Entry:
    return Entry(
        feed=FeedRef(url=feed_url or f"https://{feed}.example/feed", name=feed, priority=priority),
        guid=guid,
        title=title,
        link=link,
        canonical_url=canonical_url(link),
        text=text,
        published=BASE + timedelta(days=days),
        ids=extract_ids(link=link, guid=guid, raw_ids=raw_ids, text=text),
    )


def same(result: dict[str, object], a: Entry, b: Entry) -> bool:
    return result[a.uid].cluster == result[b.uid].cluster  # type: ignore[attr-defined]


def test_labelled_set_pairwise_precision_and_recall() -> None:
    cases = load_cases()
    assert len(cases) >= 190  # the main set and blind round 1
    result = cluster_entries([c.entry for c in cases])
    gold = {c.entry.uid: c.cluster for c in cases}
    found = {uid: info.cluster for uid, info in result.items()}
    precision, recall, fp, fn = pairwise_scores(gold, found)
    print(f"dedup pairwise precision {precision:.3f} recall {recall:.3f} (fp={fp}, fn={fn})")
    assert precision >= 0.98
    assert recall >= 0.95


def test_labelled_set_representatives_are_originals_and_reasons_given() -> None:
    cases = load_cases()
    result = cluster_entries([c.entry for c in cases])
    by_cluster: dict[str, list[str]] = {}
    for uid, info in result.items():
        by_cluster.setdefault(info.cluster, []).append(uid)
    aggregated = {c.entry.uid for c in cases if c.aggregator}
    for members in by_cluster.values():
        reps = [u for u in members if result[u].representative]
        assert len(reps) == 1
        if set(members) - aggregated:
            assert reps[0] not in aggregated
        for uid in members:
            assert bool(result[uid].reason) == (uid != reps[0])


def test_conflicting_dois_never_merge_despite_identical_titles() -> None:
    a = make(
        "pubA",
        "pubmed:1",
        "CRPS: a narrative review",
        "https://pubmed.ncbi.nlm.nih.gov/1/",
        LONG_TEXT,
        raw_ids=("doi:10.1000/a.1",),
    )
    b = make(
        "pubB",
        "pubmed:2",
        "CRPS: a narrative review",
        "https://pubmed.ncbi.nlm.nih.gov/2/",
        LONG_TEXT,
        raw_ids=("doi:10.1000/b.2",),
    )
    assert not same(cluster_entries([a, b]), a, b)


def test_two_trials_of_one_drug_stay_apart() -> None:
    title = "Neridronate in Patients With Complex Regional Pain Syndrome Type 1"
    a = make("ct", "NCT06200002", title, "https://clinicaltrials.gov/study/NCT06200002", LONG_TEXT)
    b = make("ct", "NCT06200004", title, "https://clinicaltrials.gov/study/NCT06200004", LONG_TEXT)
    mirror = make("mirror", "m1", title, "https://trials.example/ct-NCT06200004", LONG_TEXT)
    result = cluster_entries([a, b, mirror])
    assert not same(result, a, b)
    assert same(result, b, mirror)
    assert "same nct NCT06200004" in result[mirror.uid].reason or result[mirror.uid].representative


def test_news_citing_a_trial_number_is_not_the_trial() -> None:
    trial = make(
        "ct",
        "NCT06100001",
        "Ketamine vs lidocaine infusion for CRPS",
        "https://clinicaltrials.gov/study/NCT06100001",
        "This randomized study compares five-day outpatient ketamine infusions with "
        "lidocaine infusions in adults with refractory CRPS; the primary outcome is pain.",
    )
    news = make(
        "news",
        "n1",
        "Ketamine vs lidocaine infusion for CRPS",
        "https://news.example/ketamine",
        "A hospital in Northfield has begun enrolling patients in a head-to-head comparison "
        "of two infusions long used off-label; the trial is registered as NCT06100001.",
    )
    result = cluster_entries([trial, news])
    assert not same(result, trial, news)
    assert news.ids["nct"] == ("NCT06100001",)


def test_weekly_roundups_with_templated_titles_stay_apart() -> None:
    entries = [
        make(
            "blog",
            f"p{w}",
            f"CRPS news roundup – week {w}",
            f"https://blog.example/roundup-{w}",
            "Welcome to this week's roundup: research, events and support group dates. " * 3,
            days=7 * (w - 12) / 10,
        )
        for w in (12, 13, 14)
    ]
    result = cluster_entries(entries)
    assert len({result[e.uid].cluster for e in entries}) == 3


def test_paper_and_its_patient_summary_stay_apart() -> None:
    paper = make(
        "j", "j1", "Predictors of outcome in CRPS: a cohort", "https://j.example/a1", LONG_TEXT
    )
    summary = make(
        "j",
        "j2",
        "Plain language summary: Predictors of outcome in CRPS: a cohort",
        "https://j.example/a2",
        LONG_TEXT,
    )
    assert not same(cluster_entries([paper, summary]), paper, summary)


def test_main_study_and_sub_study_stay_apart() -> None:
    main = make(
        "j",
        "j1",
        "Low-dose naltrexone for CRPS: a randomised trial",
        "https://j.example/1",
        LONG_TEXT,
    )
    sub = make(
        "j",
        "j2",
        "Low-dose naltrexone for CRPS: a randomised trial secondary analysis",
        "https://j.example/2",
        LONG_TEXT,
    )
    assert not same(cluster_entries([main, sub]), main, sub)


def test_independent_write_ups_stay_apart_but_share_a_story() -> None:
    a = make(
        "bbc",
        "b1",
        "Exposure therapy helps people with CRPS, trial finds",
        "https://bbc.example/1",
        LONG_TEXT,
    )
    b = make(
        "guardian",
        "g1",
        "Exposure therapy helps people with CRPS, trial shows",
        "https://guardian.example/1",
        "Treatment long used for anxiety appears to help patients regain function, according to "
        "a study in the journal Pain; sixty-two adults were assigned to sessions or usual care.",
    )
    result = cluster_entries([a, b])
    assert not same(result, a, b)
    assert result[a.uid].story is not None and result[a.uid].story == result[b.uid].story


def test_comment_and_its_post_stay_apart() -> None:
    post_url = "https://blog.example/2024/03/ldn-and-crps/"
    post = make("blog", "https://blog.example/?p=1", "LDN and CRPS", post_url, LONG_TEXT)
    comment = make(
        "comments",
        post_url + "#comment-5",
        "By: Janet",
        post_url + "#comment-5",
        "Thank you for this post about LDN and CRPS.",
    )
    other = make(
        "comments",
        post_url + "#comment-6",
        "By: Janet",
        post_url + "#comment-6",
        "Thank you for this post about LDN and CRPS.",
    )
    result = cluster_entries([post, comment, other])
    assert len({result[e.uid].cluster for e in (post, comment, other)}) == 3


def test_edited_post_tracking_links_and_http_merge_with_reason() -> None:
    a = make(
        "blog",
        "https://www.blog.example/?p=7",
        "LDN and CRPS: what to know",
        "https://www.blog.example/ldn-crps/",
        LONG_TEXT,
    )
    b = make(
        "blogcat",
        "http://blog.example/?p=7",
        "LDN and CRPS: everything you need to know",
        "http://blog.example/ldn-crps?utm_source=rss",
        LONG_TEXT + " Updated in March.",
    )
    result = cluster_entries([a, b])
    assert same(result, a, b)
    loser = b if result[a.uid].representative else a
    assert result[loser.uid].reason.startswith("same canonical URL https://blog.example/")


def test_near_duplicate_reason_names_the_similarities() -> None:
    a = make(
        "sci", "s1", "Skin biopsy could help diagnose CRPS", "https://sci.example/1", LONG_TEXT
    )
    b = make(
        "sci",
        "s2",
        "Skin biopsy could help diagnose CRPS, study says",
        "https://sci.example/2",
        LONG_TEXT.replace("helped", "has helped"),
        days=1,
    )
    far = make(
        "sci",
        "s3",
        "Skin biopsy could help diagnose CRPS",
        "https://sci.example/3",
        LONG_TEXT,
        days=60,
    )
    result = cluster_entries([a, b, far])
    assert same(result, a, b) and not same(result, a, far)
    reason = result[b.uid].reason or result[a.uid].reason
    assert "text similarity" in reason and "within 7 days" in reason


def test_google_news_title_suffix_stripped_and_outlet_must_match() -> None:
    own = make(
        "BBC News",
        "b1",
        "CRPS patients call for faster diagnosis",
        "https://www.bbc.co.uk/news/health-1",
        LONG_TEXT,
    )
    gn_bbc = make(
        "gnews",
        "g1",
        "CRPS patients call for faster diagnosis - BBC News",
        "https://news.google.com/rss/articles/CBMiAU_yqLopaque1?oc=5",
        "",
        feed_url="https://news.google.com/rss/search?q=CRPS",
    )
    gn_itv = make(
        "gnews",
        "g2",
        "CRPS patients call for faster diagnosis - ITV News",
        "https://news.google.com/rss/articles/CBMiAU_yqLopaque2?oc=5",
        "",
        feed_url="https://news.google.com/rss/search?q=CRPS",
    )
    result = cluster_entries([own, gn_bbc, gn_itv])
    assert same(result, own, gn_bbc)
    assert not same(result, own, gn_itv)
    assert result[own.uid].representative


def test_cluster_ids_are_stable_across_runs_and_bridges_keep_the_older_id() -> None:
    a = make(
        "pubA",
        "pubmed:1",
        "Paper one",
        "https://pubmed.ncbi.nlm.nih.gov/1/",
        raw_ids=("doi:10.1000/x.1",),
    )
    b = make(
        "journal", "j1", "Paper one", "https://journal.example/p1", raw_ids=("doi:10.1000/x.1",)
    )
    first = cluster_entries([a])
    second = cluster_entries([a, b], {a.uid: first[a.uid].cluster})
    assert second[b.uid].cluster == second[a.uid].cluster == first[a.uid].cluster
    assert cluster_entries([a, b]) == cluster_entries([b, a])  # input order does not matter
    # a later entry owning both the PMID of one known cluster and the DOI of another bridges them
    c = make("epmc", "MED/2", "Paper two", "https://europepmc.org/article/MED/2")
    bridge = make(
        "pubB",
        "pubmed:2",
        "Paper two",
        "https://pubmed.ncbi.nlm.nih.gov/2/",
        raw_ids=("doi:10.1000/x.1",),
    )
    known = {b.uid: "c-001", c.uid: "c-002"}
    result = cluster_entries([b, c, bridge], known)
    assert {result[e.uid].cluster for e in (b, c, bridge)} == {"c-001"}
    assert not same(cluster_entries([a, bridge]), a, bridge)  # PMIDs 1 and 2 conflict
    # known clusters are never re-split, even if today's rules would not merge them
    x = make("f", "x", "Alpha", "https://x.example/1")
    y = make("g", "y", "Beta", "https://y.example/2")
    kept = cluster_entries([x, y], {x.uid: "c-1", y.uid: "c-1"})
    assert kept[x.uid].cluster == kept[y.uid].cluster == "c-1"


def test_representative_order_original_then_priority_then_earliest() -> None:
    doi = ("doi:10.1000/r.1",)
    journal = make("journal", "j", "R", "https://journal.example/r1", raw_ids=doi, days=2)
    pubmed = make("pubmed", "pubmed:9", "R", "https://pubmed.ncbi.nlm.nih.gov/9/", raw_ids=doi)
    epmc = make("epmc", "MED/9", "R", "https://europepmc.org/article/MED/9", days=-1)
    result = cluster_entries([pubmed, epmc, journal])
    assert result[journal.uid].representative
    without_journal = cluster_entries([pubmed, epmc])
    assert without_journal[pubmed.uid].representative  # PubMed before Europe PMC
    early = make("blogA", "a", "Post", "https://a.example/post", days=0)
    late_hi = make("blogB", "b", "Post", "https://a.example/post?utm_source=x", days=1, priority=5)
    assert cluster_entries([early, late_hi])[late_hi.uid].representative
    late = make("blogC", "c", "Post", "https://a.example/post#x", days=1)
    assert cluster_entries([early, late])[early.uid].representative


def test_preprint_and_journal_version_stay_apart_even_without_dois() -> None:
    preprint = make(
        "epmc",
        "PPR/PPR1",
        "Motor cortex changes in CRPS",
        "https://europepmc.org/article/PPR/PPR800123",
        LONG_TEXT,
    )
    journal = make(
        "front",
        "f1",
        "Motor cortex changes in CRPS",
        "https://journal.example/motor-cortex",
        LONG_TEXT,
        days=3,
    )
    assert not same(cluster_entries([preprint, journal]), preprint, journal)


def test_trial_mirror_naming_the_number_merges_but_is_not_representative() -> None:
    text = "A randomised comparison of two infusions in adults with refractory CRPS; " * 2
    record = make(
        "ct",
        "NCT06100001",
        "Ketamine versus lidocaine for CRPS",
        "https://clinicaltrials.gov/study/NCT06100001",
        text,
        days=1,
    )
    mirror = make(
        "mirror",
        "m-1",
        "Ketamine versus lidocaine for CRPS",
        "https://trials.example/listing/991",
        "Study ID: NCT06100001. " + text,
    )
    result = cluster_entries([mirror, record])
    assert same(result, record, mirror)
    assert result[record.uid].representative  # registry before mirror, though mirror is older
    assert "NCT06100001" in result[mirror.uid].reason


def test_medium_story_in_user_tag_and_publication_feeds_is_one_item() -> None:
    guid = "https://medium.com/p/5e6f7a8b9c0d"
    user = make(
        "medu",
        guid,
        "What I wish I knew",
        "https://medium.com/@w/what-i-wish-5e6f7a8b9c0d?source=rss-17fe------2",
    )
    tag = make(
        "medt",
        guid,
        "What I wish I knew",
        "https://medium.com/@w/what-i-wish-5e6f7a8b9c0d?source=rss------crps-5",
    )
    pub = make(
        "medp",
        guid,
        "What I wish I knew",
        "https://medium.com/pub/what-i-wish-5e6f7a8b9c0d?source=rss----b6---4",
    )
    result = cluster_entries([user, tag, pub])
    assert len({result[e.uid].cluster for e in (user, tag, pub)}) == 1


def test_running_again_with_its_own_output_as_known_changes_nothing() -> None:
    cases = load_cases()
    entries = [c.entry for c in cases]
    first = cluster_entries(entries)
    known = {uid: info.cluster for uid, info in first.items()}
    again = cluster_entries(entries, known)
    assert {u: i.cluster for u, i in again.items()} == known
    # a week later only some entries come back, plus a new copy of a known paper
    later = make(
        "pubC",
        "pubmed:38100001",
        "Intravenous neridronate for early CRPS",
        "https://pubmed.ncbi.nlm.nih.gov/38100001/",
        raw_ids=("pmid:38100001",),
    )
    p1 = next(c.entry for c in cases if c.cluster == "P1")
    week2 = cluster_entries([p1, later], {p1.uid: known[p1.uid]})
    assert week2[later.uid].cluster == known[p1.uid]


def test_undated_entries_still_merge_on_ids_and_text() -> None:
    a = make("blogA", "a1", "Pacing is not giving up", "https://a.example/pacing", LONG_TEXT)
    b = make("blogB", "b1", "Pacing is not giving up", "https://b.example/pacing", LONG_TEXT)
    a.published = b.published = None
    assert same(cluster_entries([a, b]), a, b)


def test_items_linking_to_one_section_page_are_not_merged() -> None:
    a = make(
        "feedA", "a1", "Ketamine clinic opens in Leeds", "https://charity.example/news/", LONG_TEXT
    )
    b = make(
        "feedB",
        "b1",
        "Fundraising walk raises £10,000",
        "https://charity.example/news",
        "Walkers covered twelve miles along the canal to raise money for research.",
    )
    c = make(
        "feedA",
        "a2",
        "New support group in York",
        "https://charity.example/news#york",
        "Our York group meets on the first Tuesday of each month at the library.",
    )
    result = cluster_entries([a, b, c])
    assert len({result[e.uid].cluster for e in (a, b, c)}) == 3
