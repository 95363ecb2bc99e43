"""De-duplication fixes found by blind round 3 (tests/fixtures/dedup_blind3.jsonl).

Each test uses its own wording, not the round's, and fails without the fix it names.
"""

from __future__ import annotations

from test_dedupe import make, same

from crpsdigest.dedupe import cluster_entries
from crpsdigest.models import Entry

_TALK = "Mirror therapy for complex regional pain syndrome: what the trials show (conference talk)"


# feed, guid, title, link, text of a clinic's own post sharing the talk
_CLINIC_POST = (
    "northside-hand-clinic",
    "https://northsidehand.example/?p=412",
    "Conference talk: mirror therapy for complex regional pain syndrome - what the trials show",
    "https://northsidehand.example/blog/conference-talk-mirror-therapy/",
    "Our therapists watched this talk together at a team lunch and want to pass it on. We "
    "already use mirror boxes with most patients whose hand pain started after a fracture, and "
    "it was reassuring to hear which parts of our approach have good evidence behind them. Ask "
    "at your next appointment if you would like to borrow a box.",
)


def _talk_video() -> Entry:
    return make(
        "vimeo-pain-society",
        "vimeo:918273645",
        _TALK,
        "https://vimeo.com/918273645",
        "Filmed at the society's autumn meeting in Bristol. Dr Lena Fischer reviews the "
        "randomised trials of mirror therapy and graded motor imagery, what they measured "
        "and why the results differ between early and long-standing cases.",
    )


def test_a_post_that_reorders_a_videos_title_around_its_own_text_is_not_the_video() -> None:
    """A clinic's blog post shares a recorded talk under the talk's words moved around
    ("Conference talk: …" instead of "… (conference talk)") and its own text. That is the
    clinic's own write-up, apart from the recording, though the words are the same."""
    video = _talk_video()
    post = make(*_CLINIC_POST, days=3)
    assert not same(cluster_entries([video, post]), video, post)


def test_the_same_video_title_with_changed_case_and_punctuation_still_merges() -> None:
    """The order-keeping check must not lose true copies: a directory lists the recording
    under the same title in Title Case without the brackets, with no text of its own."""
    video = _talk_video()
    listing = make(
        "pain-video-directory",
        "pvd-55120",
        "Mirror Therapy For Complex Regional Pain Syndrome - What The Trials Show, Conference Talk",
        "https://painvideos.example/watch/55120",
        "",
        days=1,
    )
    assert same(cluster_entries([video, listing]), video, listing)
