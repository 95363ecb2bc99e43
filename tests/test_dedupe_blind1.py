"""De-duplication fixes found by blind round 1 (tests/fixtures/dedup_blind1.jsonl).

Each test uses its own wording, not the round's, and fails without the fix it names.
"""

from __future__ import annotations

from test_dedupe import make, same

from crpsdigest.dedupe import cluster_entries


def test_companion_papers_with_one_word_swapped_in_a_long_title_stay_apart() -> None:
    """Same authors, same template, upper vs lower extremity: two papers, not two copies."""
    upper = make(
        "pubmed",
        "pubmed:41000001",
        "Transcutaneous auricular vagus nerve stimulation for chronic upper extremity complex "
        "regional pain syndrome: a randomised sham-controlled trial.",
        "https://pubmed.ncbi.nlm.nih.gov/41000001/",
        "Forty adults with CRPS of one arm received active or sham ear stimulation twice daily "
        "for eight weeks. Pain and grip strength improved more with active stimulation, and heart "
        "rate variability rose, suggesting a shift towards parasympathetic tone.",
    )
    lower = make(
        "neuromodulation-journal",
        "nm-2025-311",
        "Transcutaneous auricular vagus nerve stimulation for chronic lower extremity complex "
        "regional pain syndrome: a randomised sham-controlled trial",
        "https://neuromodulation-journal.example/article/nm-2025-311",
        "In thirty-six adults with CRPS of the foot or ankle, ear stimulation did not reduce "
        "walking pain compared with sham over eight weeks, although sleep quality improved. Body "
        "site may matter for this treatment, and larger studies are planned.",
        days=2,
    )
    result = cluster_entries([upper, lower])
    assert not same(result, upper, lower)


def test_google_news_outlet_named_by_its_bracketed_short_name_matches_its_site() -> None:
    """Google News names a government outlet "Full Name (ACRONYM) (.gov)"; its host is the acronym."""
    page = make(
        "cdc-newsroom",
        "https://www.cdc.gov/media/releases/2025/pain-registry-crps.html",
        "Registry to track rare pain conditions",
        "https://www.cdc.gov/media/releases/2025/pain-registry-crps.html",
        "A new national registry will collect information on people with complex regional pain "
        "syndrome and other rare chronic pain conditions, health officials said on Tuesday, to "
        "help researchers understand how often the conditions occur and how they are treated.",
        feed_url="https://tools.cdc.gov/api/v2/resources/media/132608.rss",
    )
    wrapped = make(
        "google-news",
        "52782339990001",
        "Registry to track rare pain conditions - Centers for Disease "
        "Control and Prevention (CDC) (.gov)",
        "https://news.google.com/rss/articles/CBMiQkFVX3lxTFBvcGFxdWV0b2tlbmNkY3JlZ2lzdHJ5?oc=5",
        "Registry to track rare pain conditions",
        days=0.3,
        feed_url="https://news.google.com/rss/search?q=crps&hl=en-US&gl=US&ceid=US:en",
    )
    result = cluster_entries([page, wrapped])
    assert same(result, page, wrapped)


RELEASE = (
    "People with complex regional pain syndrome who were offered a spinal cord stimulator "
    "within a year of diagnosis were more likely to be back at work two years later than those "
    "who waited longer, according to an analysis of 1,140 patients in a Dutch national registry. "
    "Among those implanted early, 58 percent had returned to paid work, compared with 37 percent "
    "of those implanted after three years or more. \"Waiting until every other option has failed "
    "may cost people their jobs,\" said the lead author, a neurosurgeon at Leiden University "
    "Medical Center. The researchers caution that people treated early may have differed in "
    "other ways, and a randomised comparison is being planned with patient organisations."
)


BLURB = (
    "Every fortnight the CRPS Conversations podcast talks with people living with complex "
    "regional pain syndrome, their families and the clinicians who treat them. We cover new "
    "research, practical tips for work and school, and the emotional side of living with "
    "long-term pain. Send us your questions through the website and we will answer a selection "
    "of them on air. The podcast is produced by volunteers and is not a substitute for advice "
    "from your own doctor or physiotherapist."
)


def test_one_long_text_under_a_rewritten_headline_is_one_item_but_not_a_feeds_blurb() -> None:
    """A press release retitled by a news site shares its whole text, not its headline; a blurb
    one feed repeats under every item is no such sign."""
    release = make(
        "lumc",
        "https://www.lumc.nl/en/news/2025/06/early-stimulators-crps-work/",
        "Earlier spinal cord stimulation linked to return to work in CRPS",
        "https://www.lumc.nl/en/news/2025/06/early-stimulators-crps-work/",
        RELEASE,
    )
    retitled = make(
        "newswire",
        "newswire-88231",
        "Dutch registry: timing of implant matters for jobs",
        "https://newswire.example/health/88231",
        "Republished from Leiden University Medical Center. " + RELEASE,
        days=1,
    )
    episodes = [
        make("podcast", f"ep-{n}", title, f"https://crpsconversations.example/{slug}", BLURB, days=n)
        for n, title, slug in [
            (0, "Talking to teachers about CRPS", "teachers"),
            (2, "Ketamine infusions: a nurse explains", "ketamine-nurse"),
        ]
    ]
    mirrored = make(
        "podcast-directory",
        "dir-5521",
        "Starting university with CRPS: three students share their plans",
        "https://podcasts.directory.example/crps-conversations/5521",
        BLURB,
        days=2.1,
    )
    result = cluster_entries([release, retitled, *episodes, mirrored])
    assert same(result, release, retitled)
    assert "rewritten headline" in result[retitled.uid].reason + result[release.uid].reason
    assert len({result[e.uid].cluster for e in [*episodes, mirrored]}) == 3
