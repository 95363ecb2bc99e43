"""The static archive: index of weeks, one page per week, one per treatment, editors' review.

Pages link to each other relatively (they work from any host and from a local folder) and
carry their CSS inline, so one file is one complete, script-free page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import jinja2

from crpsdigest.models import Digest, ReviewRow, SiteInfo
from crpsdigest.render import common
from crpsdigest.render.views import ItemView, digest_view, item_view, range_text

REVIEW_ORDER = ("shown", "shown-earlier", "duplicate", "excluded", "not-relevant")


@dataclass
class WeekSummary:
    week: str
    range_text: str
    total: int
    counts: str


@dataclass
class TreatmentSummary:
    slug: str
    name: str
    count: int


@dataclass
class WeekGroup:
    week: str
    items: list[ItemView] = field(default_factory=list)


@dataclass
class ReviewView:
    title: str
    href: str | None
    source: str
    detail: str
    treatments: list[str]
    evidence: list[tuple[str, list[str]]]


@dataclass
class ReviewGroup:
    status: str
    label: str
    rows: list[ReviewView]


def _base_ctx(site: SiteInfo, root: str, lang: str | None = None) -> dict[str, Any]:
    return {
        "site_title": site.title,
        "lang": lang or site.language,
        "root": root,
        "editor_email": site.editor_email,
    }


def _tag_links(items: Sequence[ItemView], slugs_of: dict[str, list[str]],
               names: dict[str, str]) -> dict[str, list[tuple[str, str]]]:
    return {
        it.uid: [(s, common.name_of(s, names))
                 for s in slugs_of.get(it.uid, []) if common.is_slug(s)]
        for it in items
    }


def week_page(env: jinja2.Environment, site: SiteInfo, digest: Digest,
              names: dict[str, str]) -> str:
    view = digest_view(digest, names=names)
    items = [it for s in view.sections for it in s.items]
    slugs_of = {i.uid: i.treatments for i in digest.items}
    for s in digest.sections:
        for i in s.items:
            slugs_of.setdefault(i.uid, i.treatments)
    ctx = _base_ctx(site, "../", digest.language)
    ctx.update(d=view, tag_links=_tag_links(items, slugs_of, names))
    return env.get_template("week.html").render(ctx)


def digest_fragment(env: jinja2.Environment, digest: Digest, names: dict[str, str]) -> str:
    """The digest as an HTML fragment with absolute links, for Atom <content type="html">."""
    view = digest_view(digest, names=names)
    return env.get_template("digest_content.html").render(
        d=view, root=common.site_base(digest.site_url))


def index_page(env: jinja2.Environment, site: SiteInfo, digests: Sequence[Digest],
               names: dict[str, str]) -> str:
    weeks = []
    for d in sorted(digests, key=lambda d: d.week, reverse=True):
        view = digest_view(d, names=names)
        weeks.append(WeekSummary(
            week=d.week, range_text=range_text(d), total=view.total,
            counts=", ".join(f"{r.name}: {r.count}" for r in view.chart),
        ))
    per = treatment_items(digests)
    treatments = [TreatmentSummary(slug=s, name=common.name_of(s, names),
                                   count=sum(len(g.items) for g in per[s]))
                  for s in sorted(per, key=lambda s: common.name_of(s, names).lower())]
    ctx = _base_ctx(site, "")
    ctx.update(weeks=weeks, treatments=treatments)
    return env.get_template("index.html").render(ctx)


def treatment_items(digests: Sequence[Digest], names: dict[str, str] | None = None,
                    ) -> dict[str, list[WeekGroup]]:
    """slug → its items grouped by week, newest week first, each item once (newest showing)."""
    names = names or {}
    out: dict[str, list[WeekGroup]] = {}
    ordered = sorted(digests, key=lambda d: d.week, reverse=True)
    for d, item in common.unique_items(ordered):
        for slug in item.treatments:
            if not common.is_slug(slug):
                continue
            groups = out.setdefault(slug, [])
            if not groups or groups[-1].week != d.week:
                groups.append(WeekGroup(week=d.week))
            groups[-1].items.append(item_view(item, d, names))
    return out


def treatment_pages(env: jinja2.Environment, site: SiteInfo, digests: Sequence[Digest],
                    names: dict[str, str]) -> dict[str, str]:
    """slug → page HTML listing every past item of that treatment."""
    pages: dict[str, str] = {}
    slugs_of = {i.uid: i.treatments for d in digests for i in d.items}
    for slug, groups in sorted(treatment_items(digests, names).items()):
        items = [it for g in groups for it in g.items]
        ctx = _base_ctx(site, "../")
        ctx.update(slug=slug, name=common.name_of(slug, names), weeks=groups,
                   count=len(items), tag_links=_tag_links(items, slugs_of, names))
        pages[slug] = env.get_template("treatment.html").render(ctx)
    return pages


def _review_view(row: ReviewRow, names: dict[str, str]) -> ReviewView:
    return ReviewView(
        title=" ".join(row.title.split()) or "(untitled)",
        href=common.safe_href(row.link),
        source=row.source,
        detail=row.detail,
        treatments=[f"{common.name_of(t, names)} ({t})" for t in row.treatments],
        evidence=[(k, list(row.evidence[k])) for k in sorted(row.evidence)],
    )


def review_page(env: jinja2.Environment, site: SiteInfo, digest: Digest,
                names: dict[str, str]) -> str:
    """Every candidate of the week, grouped by what happened to it, with tags and evidence."""
    groups = []
    statuses = list(REVIEW_ORDER) + sorted({r.status for r in digest.review} - set(REVIEW_ORDER))
    for status in statuses:
        rows = [_review_view(r, names) for r in digest.review if r.status == status]
        if rows:
            groups.append(ReviewGroup(status=status, rows=rows,
                                      label=common.STATUS_LABELS.get(status, status)))
    ctx = _base_ctx(site, "../", digest.language)
    ctx.update(week=digest.week, range_text=range_text(digest), groups=groups,
               rows=digest.review)
    return env.get_template("review.html").render(ctx)
