"""Render: Digests → files in out/. (Placeholder until the full renderer lands.)"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from crpsdigest.atomic import write_atomic
from crpsdigest.models import Digest, SiteInfo


def write_outputs(
    site: SiteInfo, digests: Sequence[Digest], out_dir: Path, templates_dir: Path | None = None
) -> list[Path]:
    changed = []
    for d in digests:
        body = "".join(
            f"<h2>{html.escape(s.name)}</h2>"
            + "".join(f"<p><a href='{html.escape(i.link)}'>{html.escape(i.title)}</a></p>" for i in s.items)
            for s in d.sections
        )
        path = out_dir / d.week / "index.html"
        if write_atomic(path, f"<!doctype html><title>{d.week}</title>{body}"):
            changed.append(path)
    return changed
