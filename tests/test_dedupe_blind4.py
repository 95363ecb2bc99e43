"""De-duplication fixes found by blind round 4 (tests/fixtures/dedup_blind4.jsonl).

Each test uses its own wording, not the round's, and fails without the fix it names.
"""

from __future__ import annotations

from test_dedupe import make, same

from crpsdigest.dedupe import cluster_entries
from crpsdigest.models import Entry

_TITLE = "News from the helpline"

# the fixed opening every issue of a charity's newsletter carries (longer than the
# window of words dedupe compares first)
_WELCOME = (
    "Hello and thank you for reading the helpline newsletter from the Ember Pain Network, the "
    "volunteer-run charity for people affected by complex regional pain syndrome and the "
    "families who look after them. Our helpline is open on weekday evenings and Saturday "
    "mornings, and every call is answered by someone who has lived with the condition or cared "
    "for somebody who has. Please remember that our volunteers cannot give medical advice, so "
    "check anything you read here with your own doctor or pain team. Below is this issue's news "
    "from the network and beyond. "
)

_OCTOBER = (
    "Our Norwich support group moves to the library on the first Tuesday of each month. A "
    "member has written a guide to asking an employer for reasonable adjustments at work. The "
    "quiz night in Ipswich raised enough to train six new helpline volunteers, and we said "
    "goodbye to our founding treasurer after eleven years."
)

_NOVEMBER = (
    "A new peer group for teenagers meets online on Thursday afternoons. We answered a record "
    "number of calls about benefit assessments, so a welfare adviser will join the helpline "
    "team in the new year. Thank you to everyone who knitted fingerless gloves for the winter "
    "appeal, which are now on their way to hospital pain clinics."
)


def _issue(guid: str, body: str, days: float) -> Entry:
    return make(
        "ember-pain-network",
        f"https://emberpain.example/?p={guid}",
        _TITLE,
        f"https://emberpain.example/newsletter/{guid}/",
        f"<p>{_WELCOME}</p><p>{body}</p>",
        days=days,
    )


def _cross_post(text: str) -> Entry:
    return make(
        "pain-charities-digest",
        "pcd-ember-nov",
        "News From The Helpline",
        "https://paincharities.example/posts/ember-news-from-the-helpline",
        text,
        days=6.5,
    )


def test_two_issues_of_a_newsletter_with_one_title_and_one_opening_stay_apart() -> None:
    """Two monthly issues share their title and a long fixed welcome paragraph but report
    different news after it; a copy of the second issue elsewhere joins the second issue,
    never the first. Readers must see both issues."""
    october, november = _issue("901", _OCTOBER, 0), _issue("944", _NOVEMBER, 6)
    copy = _cross_post("<p>Shared from the Ember Pain Network.</p><p>" + _WELCOME + _NOVEMBER + "</p>")
    result = cluster_entries([october, november, copy])
    assert not same(result, october, november)
    assert not same(result, october, copy)
    assert same(result, november, copy)


def test_a_copy_cut_off_after_the_opening_still_joins_its_issue() -> None:
    """The check on the text after the opening must not part a true copy truncated early: an
    excerpt that stops inside the welcome paragraph has no body of its own to disagree with."""
    november = _issue("944", _NOVEMBER, 6)
    excerpt = _cross_post(_WELCOME[:420] + " [...]")
    assert same(cluster_entries([november, excerpt]), november, excerpt)
