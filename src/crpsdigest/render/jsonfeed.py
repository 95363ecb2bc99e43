"""out/feed.json: JSON Feed 1.1 of every shown item, with treatment tags."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from crpsdigest.models import Digest, SiteInfo
from crpsdigest.render import common

VERSION = "https://jsonfeed.org/version/1.1"


def _rfc3339(dt: Any) -> str:
    return str(common.as_utc(dt).replace(microsecond=0).isoformat())


def json_feed(site: SiteInfo, digests: Sequence[Digest], names: Mapping[str, str]) -> str:
    base = common.site_base(site.site_url)
    items: list[dict[str, Any]] = []
    for d, item in common.unique_items(digests):
        entry: dict[str, Any] = {
            "id": common.item_entry_id(site.site_url, item, d.week),
            "url": common.safe_href(item.link) or common.week_url(site.site_url, d.week),
            "title": " ".join(item.title.split()) or "(untitled)",
        }
        summary_html = common.clean_summary(item.summary_html).strip()
        if summary_html:
            entry["content_html"] = summary_html
        entry["content_text"] = item.summary_text.strip() or entry["title"]
        entry["summary"] = common.shorten(item.summary_text) or entry["title"]
        if item.published:
            entry["date_published"] = _rfc3339(item.published)
        entry["date_modified"] = _rfc3339(common.item_updated(item, d))
        if item.source.strip():
            entry["authors"] = [{"name": item.source.strip()}]
        entry["tags"] = [common.name_of(t, dict(names)) for t in item.treatments] + [
            common.kind_label(k) for k in item.kinds]
        entry["_crpsdigest"] = {"week": d.week, "treatments": list(item.treatments),
                                "kinds": list(item.kinds)}
        items.append(entry)
    feed = {
        "version": VERSION,
        "title": site.title,
        "home_page_url": base,
        "feed_url": urljoin(base, "feed.json"),
        "description": "Every item of the weekly CRPS treatment digest",
        "language": site.language,
        "authors": [{"name": site.author_name, "url": f"mailto:{site.editor_email}"}],
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"
