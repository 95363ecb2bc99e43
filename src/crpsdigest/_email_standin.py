"""TEMPORARY stand-in for crpsdigest.render.email.build_message (deleted when render lands)."""

from __future__ import annotations

import html
from collections.abc import Collection, Mapping
from email.message import EmailMessage
from email.utils import formataddr
from pathlib import Path

from crpsdigest.models import Digest, SiteInfo


def build_message(
    site: SiteInfo,
    digest: Digest,
    *,
    recipient: str | None = None,
    treatments: Collection[str] | None = None,
    templates_dir: Path | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    sections = [s for s in digest.sections if treatments is None or s.slug in treatments]
    text = "\n\n".join(
        s.name + "\n" + "\n".join(f"- {i.title} <{i.link}>" for i in s.items) for s in sections
    )
    body = "".join(
        f"<h2>{html.escape(s.name)}</h2>"
        + "".join(f"<p><a href='{html.escape(i.link)}'>{html.escape(i.title)}</a></p>" for i in s.items)
        for s in sections
    )
    msg = EmailMessage()
    msg["Subject"] = f"{site.title} — week {digest.week}"
    msg["From"] = formataddr((site.title, site.editor_email))
    if recipient:
        msg["To"] = recipient
    msg.set_content(text + "\n", subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(f"<!doctype html><html><body>{body}</body></html>\n", subtype="html",
                        charset="utf-8", cte="quoted-printable")
    msg.set_boundary("=_crpsdigest_standin")
    for name, value in (extra_headers or {}).items():
        del msg[name]
        msg[name] = value
    return msg
