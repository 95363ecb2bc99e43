"""Render stage: every output file (feeds, archive pages, email previews) from built Digests.

All files go through ``write_atomic``, which skips unchanged content, so a rebuild of unchanged
weeks changes nothing on disk and the returned list names only what really changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from crpsdigest.atomic import remove_stale_temps, write_atomic
from crpsdigest.models import Digest, SiteInfo
from crpsdigest.render import atom, common, site
from crpsdigest.render.email import build_message, compose_message, render_email
from crpsdigest.render.jsonfeed import json_feed
from crpsdigest.render.templating import make_env

__all__ = ["build_message", "render_email", "render_files", "write_outputs"]


def render_files(site_info: SiteInfo, digests: Sequence[Digest],
                 templates_dir: Path | None = None) -> dict[str, str | bytes]:
    """Every output as relative path → content, without touching the disk."""
    env = make_env(templates_dir)
    archive = sorted(digests, key=lambda d: d.week, reverse=True)
    for d in archive:
        common.check_week(d.week)
    names = common.treatment_names(archive)
    recent = common.kept(site_info, archive)
    files: dict[str, str | bytes] = {}

    fragments = {d.week: site.digest_fragment(env, d, names) for d in recent}
    files["atom.xml"] = atom.digests_feed(site_info, recent, fragments, names)
    files["items.xml"] = atom.items_feed(site_info, recent, names)
    files["feed.json"] = json_feed(site_info, recent, names)
    files["index.html"] = site.index_page(env, site_info, archive, names)
    for slug, page in site.treatment_pages(env, site_info, archive, names).items():
        files[f"treatments/{slug}.html"] = page
        files[f"treatments/{slug}.xml"] = atom.items_feed(site_info, recent, names, slug)
    for d in archive:
        files[f"{d.week}/index.html"] = site.week_page(env, site_info, d, names)
        files[f"{d.week}/review.html"] = site.review_page(env, site_info, d, names)
        html, text = render_email(site_info, d, templates_dir=templates_dir)
        files[f"{d.week}/email.html"] = html
        files[f"{d.week}/email.txt"] = text
        files[f"{d.week}/email.eml"] = bytes(
            compose_message(site_info, d, html, text).as_bytes())
    return files


def write_outputs(
    site: SiteInfo,
    digests: Sequence[Digest],
    out_dir: Path,
    templates_dir: Path | None = None,
) -> list[Path]:
    """Write all outputs for ``digests`` (newest first) under ``out_dir``; return changed paths."""
    remove_stale_temps(out_dir)
    changed: list[Path] = []
    for rel, data in sorted(render_files(site, digests, templates_dir).items()):
        path = out_dir / rel
        if write_atomic(path, data):
            changed.append(path)
    return changed
