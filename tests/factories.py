"""Digest objects for render tests, built by hand so expected output can be checked by eye."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from crpsdigest.models import Digest, DigestItem, Link, ReviewRow, Section, SiteInfo

SITE = SiteInfo(
    title="CRPS Treatment Digest",
    site_url="https://digest.example.org/",
    editor_email="editors@example.org",
    author_name="Digest editors",
    keep_weeks=52,
    unsubscribe_url="https://digest.example.org/unsubscribe",
)

NAMES = {
    "low-dose-naltrexone": "Low-dose naltrexone (LDN)",
    "ketamine": "Ketamine",
    "bisphosphonates": "Bisphosphonates",
    "neridronate": "Neridronate",
    "spinal-cord-stimulation": "Spinal cord stimulation",
    "other": "Other CRPS news",
}


def make_item(
    n: int,
    treatments: list[str],
    *,
    week_start: date = date(2026, 11, 23),
    title: str | None = None,
    link: str | None = None,
    summary_html: str | None = None,
    kinds: list[str] | None = None,
    also: list[Link] | None = None,
    is_update: bool = False,
    late: bool = False,
    summary_words: int = 40,
) -> DigestItem:
    published = datetime.combine(week_start, datetime.min.time(), UTC) + timedelta(hours=9 + n)
    text = " ".join(f"word{i}" for i in range(summary_words))
    return DigestItem(
        uid=f"uid{n:04d}{week_start:%Y%m%d}",
        title=title or f"Study {n} of {', '.join(treatments) or 'CRPS care'} in CRPS",
        link=link or f"https://news.example.com/{week_start:%Y/%m}/story-{n}",
        source=f"Source {n % 3}",
        published=published,
        summary_html=summary_html or f"<p>{text}</p>",
        summary_text=text,
        treatments=treatments,
        kinds=kinds if kinds is not None else ["news"],
        evidence={t: [f"{t} phrase {n}"] for t in treatments},
        also=also or [],
        updated=published + timedelta(hours=1) if is_update else None,
        is_update=is_update,
        late=late,
    )


def make_digest(
    week: str = "2026-W48",
    *,
    sections: dict[str, list[DigestItem]] | None = None,
    site: SiteInfo = SITE,
    review: list[ReviewRow] | None = None,
) -> Digest:
    """A digest whose sections follow ``sections`` order; items are the sections' items."""
    year, wk = int(week[:4]), int(week[6:])
    start = date.fromisocalendar(year, wk, 1)
    if sections is None:
        sections = {
            "low-dose-naltrexone": [make_item(1, ["low-dose-naltrexone"], week_start=start,
                                              kinds=["personal-story"])],
            "ketamine": [
                make_item(2, ["ketamine"], week_start=start, kinds=["rct", "clinical-trial"]),
                make_item(3, ["ketamine", "low-dose-naltrexone"], week_start=start,
                          kinds=["case-report"]),
            ],
        }
    secs = [Section(slug=s, name=NAMES.get(s, s), items=items) for s, items in sections.items()]
    items = [i for s in secs for i in s.items]
    updated = max((i.updated or i.published or datetime(year, 1, 1, tzinfo=UTC)) for i in items) \
        if items else datetime.combine(start, datetime.min.time(), UTC)
    return Digest(
        week=week,
        start=start,
        end=start + timedelta(days=6),
        title=site.title,
        site_url=site.site_url,
        language="en",
        timezone="Europe/London",
        items=items,
        sections=secs,
        updated=updated,
        treatment_names={s: NAMES[s] for s in NAMES if s != "other"},
        review=review if review is not None else [
            ReviewRow(uid=i.uid, title=i.title, link=i.link, source=i.source, status="shown",
                      detail="", treatments=i.treatments, evidence=i.evidence)
            for i in items
        ],
    )


def nasty_item(n: int = 9) -> DigestItem:
    """An item whose every string tries to break out of its context."""
    return make_item(
        n,
        ["ketamine"],
        title='Ketamine <script>alert("t")</script> & "quotes" ]]> <b>bold</b>',
        link="https://evil.example.com/a?x=1&y=<2>",
        summary_html=(
            '<p onclick="steal()">Safe <b>text</b> <img src=x onerror=alert(1)>'
            '<script>alert("s")</script><a href="javascript:alert(2)">js</a>'
            '<a href="/relative">rel</a><a href="https://ok.example.com/">ok</a></p>'
        ),
        also=[Link(title="Copy <i>x</i>", url="javascript:alert(3)", source="Bad & Co"),
              Link(title="Mirror", url="https://mirror.example.net/k", source="Mirror News")],
    )


def sample_archive() -> list[Digest]:
    """Three weeks, newest first; week 48 has the hostile item, an update, a late item,
    "also reported by" links and a review page with every status."""
    start = date(2026, 11, 23)
    nasty = nasty_item()
    updated = make_item(4, ["spinal-cord-stimulation"], week_start=start, is_update=True,
                        kinds=["recruiting", "clinical-trial"],
                        also=[Link(title="Trial listing", url="https://trials.example.org/NCT01234567",
                                   source="Trials Registry")])
    late = make_item(5, [], week_start=start, late=True, kinds=["guideline"])
    w48 = make_digest("2026-W48", sections={
        "low-dose-naltrexone": [make_item(1, ["low-dose-naltrexone"], week_start=start,
                                          kinds=["personal-story"])],
        "ketamine": [make_item(2, ["ketamine"], week_start=start, kinds=["rct", "clinical-trial"]),
                     nasty],
        "spinal-cord-stimulation": [updated],
        "other": [late],
    })
    w48.review += [
        ReviewRow(uid="d1", title="Study 2 (syndicated copy)", link="https://copy.example.net/s2",
                  source="Copy Net", status="duplicate", detail="duplicate of Study 2 (same DOI)",
                  treatments=["ketamine"], evidence={"ketamine": ["ketamine infusion"]}),
        ReviewRow(uid="n1", title="RSD: rejection sensitive dysphoria tips", link="https://adhd.example.com/rsd",
                  source="ADHD Blog", status="not-relevant", detail="no CRPS term",
                  treatments=[], evidence={}),
        ReviewRow(uid="e1", title="Sponsored: miracle cure", link="https://spam.example.com/x",
                  source="Spam", status="excluded", detail="excluded by feeds.yaml rule",
                  treatments=[], evidence={}),
        ReviewRow(uid="s1", title="Older LDN story", link="https://news.example.com/old",
                  source="Source 1", status="shown-earlier", detail="shown in 2026-W47",
                  treatments=["low-dose-naltrexone"], evidence={"low-dose-naltrexone": ["LDN"]}),
    ]
    w47 = make_digest("2026-W47")
    w46 = make_digest("2026-W46", sections={
        "neridronate": [make_item(7, ["neridronate", "bisphosphonates"],
                                  week_start=date(2026, 11, 9), kinds=["systematic-review"])],
    })
    return [w48, w47, w46]
