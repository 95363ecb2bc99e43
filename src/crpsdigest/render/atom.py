"""Atom 1.0 feeds via feedgen: the weekly digests, every shown item, one feed per treatment.

Every date comes from the data (never now()), entry ids are tag: URIs that never change for a
week or an item, so rebuilding an unchanged week yields a byte-identical feed and readers see
no spurious updates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator

from crpsdigest.models import Digest, DigestItem, SiteInfo
from crpsdigest.render import common

GENERATOR = "crpsdigest"


class _AlternateLink(BaseEntryExtension):  # type: ignore[misc]
    """Write rel/type on an entry's link: feedgen 1.0 drops both for entry links."""

    media_type = ""

    def extend_atom(self, entry: Any) -> Any:
        for link in entry.findall("link"):
            link.set("rel", "alternate")
            if self.media_type:
                link.set("type", self.media_type)
        return entry


def _alternate(fe: FeedEntry, href: str, media_type: str = "") -> None:
    fe.link(href=href, rel="alternate")
    fe.register_extension("alternate", _AlternateLink, atom=True, rss=False)
    fe.alternate.media_type = media_type


def _dt(value: datetime) -> datetime:
    return common.as_utc(value).replace(microsecond=0)


def _feed(site: SiteInfo, path: str, title: str, updated: datetime,
          subtitle: str | None = None) -> FeedGenerator:
    base = common.site_base(site.site_url)
    self_url = urljoin(base, path)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(common.xml_safe(title))
    if subtitle:
        fg.subtitle(common.xml_safe(subtitle))
    fg.updated(_dt(updated))
    fg.author({"name": common.xml_safe(site.author_name), "email": site.editor_email})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=base, rel="alternate", type="text/html")
    fg.language(site.language)
    fg.generator(GENERATOR)
    return fg


def _treatment_category(site: SiteInfo, slug: str, names: Mapping[str, str]) -> dict[str, str]:
    return {"term": slug, "label": common.xml_safe(common.name_of(slug, dict(names))),
            "scheme": urljoin(common.site_base(site.site_url), "treatments/")}


def _present_treatments(digest: Digest) -> list[str]:
    seen: list[str] = []
    for item in [i for s in digest.sections for i in s.items] + list(digest.items):
        for t in item.treatments:
            if t not in seen and common.is_slug(t):
                seen.append(t)
    return seen


def digests_feed(site: SiteInfo, digests: Sequence[Digest], fragments: Mapping[str, str],
                 names: Mapping[str, str]) -> bytes:
    """out/atom.xml: one entry per weekly digest (``digests`` newest first, already kept)."""
    fg = _feed(site, "atom.xml", site.title,
               common.newest(d.updated for d in digests),
               subtitle="A weekly digest of CRPS treatment news")
    for d in digests:
        fe = fg.add_entry(order="append")
        fe.id(common.digest_entry_id(site.site_url, d.week))
        fe.title(common.xml_safe(f"{site.title} — week {d.week}"))
        fe.updated(_dt(d.updated))
        _alternate(fe, common.week_url(site.site_url, d.week), "text/html")
        fe.content(common.xml_safe(fragments[d.week]), type="html")
        for slug in _present_treatments(d):
            fe.category(_treatment_category(site, slug, names))
    return bytes(fg.atom_str(pretty=True))


def _item_entry(fg: FeedGenerator, site: SiteInfo, digest: Digest, item: DigestItem,
                names: Mapping[str, str]) -> None:
    fe = fg.add_entry(order="append")
    fe.id(common.item_entry_id(site.site_url, item, digest.week))
    fe.title(common.xml_safe(" ".join(item.title.split()) or "(untitled)"))
    fe.updated(_dt(common.item_updated(item, digest)))
    if item.published:
        fe.published(_dt(item.published))
    if item.source.strip():
        fe.author({"name": common.xml_safe(item.source.strip())})
    href = common.safe_href(item.link) or common.week_url(site.site_url, digest.week)
    _alternate(fe, href)
    summary = common.clean_summary(item.summary_html).strip()
    if summary:
        fe.summary(summary, type="html")
    elif item.summary_text.strip():
        fe.summary(common.xml_safe(item.summary_text.strip()))
    for slug in item.treatments:
        if common.is_slug(slug):
            fe.category(_treatment_category(site, slug, names))
    for kind in item.kinds:
        if common.is_slug(kind):
            fe.category({"term": kind, "label": common.kind_label(kind),
                         "scheme": urljoin(common.site_base(site.site_url), "kinds/")})


def items_feed(site: SiteInfo, digests: Sequence[Digest], names: Mapping[str, str],
               treatment: str | None = None) -> bytes:
    """out/items.xml (all shown items) or out/treatments/<slug>.xml (one treatment's items)."""
    pairs = [(d, i) for d, i in common.unique_items(digests)
             if treatment is None or treatment in i.treatments]
    if treatment is None:
        path, title = "items.xml", f"{site.title}: every item"
    else:
        path = f"treatments/{treatment}.xml"
        title = f"{site.title}: {common.name_of(treatment, dict(names))}"
    updated = common.newest([common.item_updated(i, d) for d, i in pairs]
                            or [d.updated for d in digests])
    fg = _feed(site, path, title, updated)
    for d, item in pairs:
        _item_entry(fg, site, d, item, names)
    return bytes(fg.atom_str(pretty=True))
