"""What templates see: Digest data turned into display-ready values (safe links, local dates).

Templates stay free of logic about trust and time zones; this module decides both once, so
the email, its text part, the web pages and the Atom content all show the same thing.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from markupsafe import Markup

from crpsdigest.models import Digest, DigestItem, Section
from crpsdigest.render import common


@dataclass
class LinkView:
    text: str
    href: str | None
    ref: int = 0  # number in the text part's link list


@dataclass
class ItemView:
    uid: str
    title: str
    href: str | None
    source: str
    date: str
    date_iso: str
    kinds: list[str]
    treatments: list[str]
    summary_html: Markup
    summary_short: str
    also: list[LinkView]
    is_update: bool
    late: bool
    week: str = ""
    ref: int = 0
    # The email shows an item in full once, under its most central treatment; in the other
    # sections it is a one-line pointer to that section (``seen_in`` names it).
    seen_in: str = ""

    @property
    def also_text(self) -> str:
        """The "also reported by" list for the text part, with link numbers."""
        return "; ".join(f"{a.text} [{a.ref}]" if a.ref else a.text for a in self.also)


@dataclass
class SectionView:
    slug: str
    name: str
    items: list[ItemView]
    total: int
    more_href: str = ""

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


@dataclass
class ChartRow:
    slug: str
    name: str
    count: int
    percent: int


@dataclass
class DigestView:
    week: str
    title: str
    range_text: str
    week_href: str
    archive_href: str
    sections: list[SectionView]
    chart: list[ChartRow]
    total: int
    shown: int
    preheader: str
    links: list[LinkView] = field(default_factory=list)

    @property
    def trimmed(self) -> bool:
        return self.shown < self.total


def range_text(digest: Digest) -> str:
    """"23–29 November 2026", with month/year only where they differ."""
    s, e = digest.start, digest.end
    if s.year != e.year:
        return f"{s.day} {s:%B %Y} – {e.day} {e:%B %Y}"
    if s.month != e.month:
        return f"{s.day} {s:%B} – {e.day} {e:%B %Y}"
    return f"{s.day}–{e.day} {e:%B %Y}"


def item_view(item: DigestItem, digest: Digest, names: dict[str, str]) -> ItemView:
    return ItemView(
        uid=item.uid,
        title=" ".join(item.title.split()) or "(untitled)",
        href=common.safe_href(item.link),
        source=item.source,
        date=common.fmt_date(item.published, digest.timezone),
        date_iso=common.iso_date(item.published, digest.timezone),
        kinds=[common.kind_label(k) for k in item.kinds],
        treatments=[common.name_of(t, names) for t in item.treatments],
        summary_html=Markup(common.clean_summary(item.summary_html)),
        summary_short=common.shorten(item.summary_text),
        also=[
            LinkView(text=f"{link.source}: {' '.join(link.title.split())}".strip(": "),
                     href=common.safe_href(link.url))
            for link in item.also
        ],
        is_update=item.is_update,
        late=item.late,
        week=digest.week,
    )


def _selected(digest: Digest, treatments: Collection[str] | None) -> list[Section]:
    if treatments is None:
        return [s for s in digest.sections if s.items]
    wanted = set(treatments)
    return [s for s in digest.sections if s.slug in wanted and s.items]


def _home_sections(sections: list[Section]) -> dict[str, Section]:
    """Each item's home: the shown section of its most central treatment."""
    by_slug = {s.slug: s for s in sections}
    home: dict[str, Section] = {}
    for s in sections:
        for item in s.items:
            if item.uid not in home:
                slug = next((t for t in item.treatments if t in by_slug), s.slug)
                home[item.uid] = by_slug[slug]
    return home


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def digest_view(
    digest: Digest,
    *,
    treatments: Collection[str] | None = None,
    limit: int | None = None,
    names: dict[str, str] | None = None,
) -> DigestView:
    """The digest as shown; ``limit`` caps the number of items (the rest stay on the web)."""
    names = names if names is not None else common.treatment_names([digest])
    sections = _selected(digest, treatments)
    base = common.week_url(digest.site_url, digest.week)
    budget = limit if limit is not None else sum(len(s.items) for s in sections)
    home = _home_sections(sections)
    views: list[SectionView] = []
    for s in sections:
        take = s.items[: max(budget, 0)]
        budget -= len(take)
        items = [item_view(i, digest, names) for i in take]
        for it in items:
            if home[it.uid].slug != s.slug:
                it.seen_in = home[it.uid].name
        views.append(SectionView(
            slug=s.slug, name=s.name, total=len(s.items),
            items=items,
            more_href=f"{base}#{s.slug}",
        ))
    # An item tagged with two treatments sits in two sections but is one item.
    total = len({i.uid for s in sections for i in s.items})
    shown = len({i.uid for v in views for i in v.items})
    most = max((v.total for v in views), default=0)
    chart = [
        ChartRow(slug=v.slug, name=v.name, count=v.total,
                 percent=max(4, round(100 * v.total / most)) if most else 0)
        for v in views
    ]
    top = ", ".join(f"{r.name} {r.count}" for r in chart[:4])
    preheader = f"{_plural(total, 'item')} this week" + (f": {top}" if top else "") + "."
    view = DigestView(
        week=digest.week, title=digest.title, range_text=range_text(digest),
        week_href=base, archive_href=common.site_base(digest.site_url),
        sections=views, chart=chart, total=total, shown=shown, preheader=preheader,
    )
    _number_links(view)
    return view


def _number_links(view: DigestView) -> None:
    """Give every linked item and "also" link a [n] for the text part, in reading order."""
    links: list[LinkView] = []
    for s in view.sections:
        for it in s.items:
            if it.href:
                links.append(LinkView(text=it.title, href=it.href, ref=len(links) + 1))
                it.ref = len(links)
            for a in it.also:
                if a.href:
                    links.append(LinkView(text=a.text, href=a.href, ref=len(links) + 1))
                    a.ref = len(links)
    view.links = links
