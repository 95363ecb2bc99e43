"""De-duplication fixes found by blind round 2 (tests/fixtures/dedup_blind2.jsonl).

Each test uses its own wording, not the round's, and fails without the fix it names.
"""

from __future__ import annotations

from test_dedupe import make, same

from crpsdigest.dedupe import cluster_entries

_TEMPLATE = (
    "This randomised study will compare {arm} with usual care in adults who have had complex "
    "regional pain syndrome of the {site} for at least three months. After a two-week baseline "
    "period, participants attend weekly sessions for eight weeks and keep a daily symptom diary. "
    "Outcomes are measured at the end of treatment and again three months later by an assessor "
    "who does not know which group each participant is in."
)


def test_two_trials_from_one_template_stay_apart_when_texts_differ_like_their_titles() -> None:
    """A registry mirror lists a sponsor's two trials: one summary template, "hand" vs "knee"
    in both title and text. Two trials of one treatment are two items, however alike."""
    hand, knee = (
        make(
            "trialfinder",
            f"tf-{number}",
            f"Graded Exposure Therapy for Complex Regional Pain Syndrome of the {site.title()}",
            f"https://trialfinder.example/studies/graded-exposure-crps-{site}-{number}",
            _TEMPLATE.format(arm="graded exposure therapy", site=site),
            days=number / 100000,
        )
        for site, number in (("hand", 5501), ("knee", 5502))
    )
    assert not same(cluster_entries([hand, knee]), hand, knee)


def test_two_charities_own_texts_under_one_copied_event_title_stay_apart() -> None:
    """Both sites copy the organiser's event name as their title but write their own notice."""
    title = "Online workshop: sleep and complex regional pain syndrome with Professor Ian Doyle"
    first = make(
        "crps-scotland",
        "https://crps-scotland.example/?p=771",
        title,
        "https://crps-scotland.example/2025/09/online-workshop-sleep-crps/",
        "Poor sleep and pain feed each other, and many of our members tell us nights are the "
        "hardest part of living with CRPS. Professor Ian Doyle, who runs a sleep clinic in "
        "Glasgow, will talk through what the research says and answer your questions. The "
        "workshop is free and takes place on Zoom; booking closes two days beforehand. Members "
        "who cannot attend can ask us for the slides afterwards.",
    )
    second = make(
        "pain-alliance-ireland",
        "https://painalliance.example/?p=3302",
        title,
        "https://painalliance.example/events/online-workshop-sleep-crps/",
        "We are delighted to share details of an upcoming online session for anyone in Ireland "
        "affected by this condition. The speaker is a professor of sleep medicine whose team "
        "studies insomnia in chronic pain. Family members are very welcome to attend too. "
        "Registration is through the organiser's website, and there is no charge. Captions will "
        "be available during the event, and a recording will follow by email.",
        days=1,
    )
    assert not same(cluster_entries([first, second]), first, second)


def test_a_repost_with_its_own_intro_paragraph_and_title_is_the_same_item() -> None:
    """A long text reposted whole, with an added opening paragraph and a different headline."""
    body = (
        "From October the specialist pain service at Royal Infirmary will offer evening clinics "
        "on Tuesdays and Thursdays for people with complex regional pain syndrome who work during "
        "the day. Each appointment lasts forty-five minutes and includes a physiotherapy review "
        "and a medication check with a specialist pharmacist. Patients already under the service "
        "can ask to move to an evening slot by calling the booking line, and new referrals from "
        "GPs will be offered the choice at their first appointment. The service says the change "
        "follows a patient survey in which two thirds of respondents said daytime clinics made "
        "them take unpaid leave. The evening clinics are being run as a twelve-month pilot and "
        "will be reviewed next summer."
    )
    original = make(
        "royal-infirmary-news",
        "https://royalinfirmary.example/news/evening-pain-clinics",
        "Evening clinics for CRPS patients from October",
        "https://royalinfirmary.example/news/evening-pain-clinics",
        body,
    )
    repost = make(
        "crps-support-group",
        "https://crpssupport.example/?p=912",
        "Good news for working members: after-hours appointments at the pain service",
        "https://crpssupport.example/2025/09/after-hours-appointments/",
        "Several of you asked us to push for this, and we are really pleased to share the "
        "announcement below from the hospital, which we have reproduced in full for members. "
        + body,
        days=1,
    )
    assert same(cluster_entries([original, repost]), original, repost)


def test_one_outlets_story_updated_under_new_slugs_with_one_article_number_is_one_item() -> None:
    """A newsroom re-issues an updated story: new guid, headline and slug, same article number,
    the earlier text kept under a new lead. Another story of the outlet stays apart."""
    first_text = (
        "A support group for people with complex regional pain syndrome in Leeds has been told "
        "it must leave the community centre where it has met for nine years. Members said the "
        "monthly meetings were a lifeline and that few other venues have step-free access and "
        "quiet rooms. The council said the building needs repairs and would close in November."
    )
    update_text = (
        "The Leeds CRPS support group has been offered a new home at the central library, the "
        "council has confirmed, after hundreds of people signed a petition. " + first_text
    )
    feed = "https://yorkshireecho.example/news/?service=rss"
    first = make(
        "yorkshire-echo",
        "https://yorkshireecho.example/news/leeds-news/crps-group-told-leave-centre-28123456",
        "Pain support group told to leave its home of nine years",
        "https://yorkshireecho.example/news/leeds-news/crps-group-told-leave-centre-28123456",
        first_text,
        feed_url=feed,
    )
    update = make(
        "yorkshire-echo",
        "https://yorkshireecho.example/news/leeds-news/crps-group-new-home-library-28123456",
        "Pain support group finds new home at library after petition",
        "https://yorkshireecho.example/news/leeds-news/crps-group-new-home-library-28123456",
        update_text,
        days=2,
        feed_url=feed,
    )
    other = make(
        "yorkshire-echo",
        "https://yorkshireecho.example/news/leeds-news/library-opening-hours-cut-28123999",
        "Library opening hours to be cut from November",
        "https://yorkshireecho.example/news/leeds-news/library-opening-hours-cut-28123999",
        "The central library will close on Mondays from November, the council said, as part of "
        "savings agreed in the spring budget. Weekend hours are unchanged and the new community "
        "rooms on the ground floor will still be available for groups to book.",
        days=2,
        feed_url=feed,
    )
    result = cluster_entries([first, update, other])
    assert same(result, first, update)
    assert not same(result, update, other)
