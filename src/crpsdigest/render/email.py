"""The weekly email: inlined-CSS HTML that survives mail clients, a real text part, a MIME message.

The HTML is capped below Gmail's 102 KB clipping point by showing fewer items and linking to
the week's page for the rest; the text part is rendered from the same view, never scraped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path

import css_inline

from crpsdigest.models import Digest, SiteInfo
from crpsdigest.render import common
from crpsdigest.render.templating import make_env
from crpsdigest.render.views import DigestView, digest_view

MAX_HTML_BYTES = 100_000  # Gmail clips messages over 102 KB; keep a margin for headers/encoding

_INLINER = css_inline.CSSInliner(keep_style_tags=False, keep_at_rules=True,
                                 load_remote_stylesheets=False)


def subject(site: SiteInfo, digest: Digest) -> str:
    return f"{site.title} — week {digest.week}"


def _head_style_last(html: str) -> str:
    """Move the kept @media <style> after <meta charset>, which must come first in <head>."""
    start = html.find("<head><style>")
    if start < 0:
        return html
    end = html.find("</style>", start)
    block = html[start + len("<head>"): end + len("</style>")]
    html = html[: start + len("<head>")] + "\n" + html[end + len("</style>"):]
    return html.replace("</head>", block + "\n</head>", 1)


def _render(site: SiteInfo, digest: Digest, view: DigestView,
            templates_dir: Path | None) -> tuple[str, str]:
    env = make_env(templates_dir)
    ctx = {
        "d": view,
        "lang": digest.language or site.language,
        "site_title": site.title,
        "subject": subject(site, digest),
        "editor_email": site.editor_email,
        "unsubscribe": common.safe_href(site.unsubscribe_url),
    }
    html = _head_style_last(_INLINER.inline(env.get_template("email.html").render(ctx)))
    text = env.get_template("email.txt").render(ctx)
    text = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"
    return html.rstrip("\n") + "\n", text


def render_email(
    site: SiteInfo,
    digest: Digest,
    *,
    treatments: Collection[str] | None = None,
    templates_dir: Path | None = None,
) -> tuple[str, str]:
    """(html, text) of one digest's email; ``treatments`` limits it to those sections."""
    names = common.treatment_names([digest])
    full = digest_view(digest, treatments=treatments, names=names)
    html, text = _render(site, digest, full, templates_dir)
    if len(html.encode()) <= MAX_HTML_BYTES:
        return html, text
    # Too long for mail clients: find the most items that fit, by bisection.
    lo, hi = 0, full.total
    best: tuple[str, str] | None = None
    while lo < hi:
        mid = (lo + hi + 1) // 2
        cand = _render(site, digest, digest_view(digest, treatments=treatments, limit=mid,
                                                 names=names), templates_dir)
        if len(cand[0].encode()) <= MAX_HTML_BYTES:
            lo, best = mid, cand
        else:
            hi = mid - 1
    if best is None:
        best = _render(site, digest, digest_view(digest, treatments=treatments, limit=0,
                                                 names=names), templates_dir)
    return best


def message_id(site: SiteInfo, digest: Digest) -> str:
    return f"<{digest.week}.digest@{common.site_host(site.site_url)}>"


def build_message(
    site: SiteInfo,
    digest: Digest,
    *,
    recipient: str | None = None,
    treatments: Collection[str] | None = None,
    templates_dir: Path | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """The full multipart/alternative message (text first, then HTML), deterministic bytes."""
    html, text = render_email(site, digest, treatments=treatments, templates_dir=templates_dir)
    return compose_message(site, digest, html, text, recipient=recipient,
                           extra_headers=extra_headers)


def compose_message(
    site: SiteInfo,
    digest: Digest,
    html: str,
    text: str,
    *,
    recipient: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> EmailMessage:
    """Wrap an already rendered (html, text) pair in the MIME message ``build_message`` gives."""
    msg = EmailMessage()
    msg["Subject"] = subject(site, digest)
    msg["From"] = formataddr((site.title, site.editor_email))
    if recipient:
        msg["To"] = recipient
    msg["Date"] = format_datetime(common.as_utc(digest.updated))
    msg["Message-ID"] = message_id(site, digest)
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    # The default boundary is random; derive it from the content so the .eml is reproducible.
    digest_hash = hashlib.sha256((text + "\x00" + html).encode()).hexdigest()[:32]
    msg.set_boundary(f"=_crpsdigest_{digest_hash}")
    for name, value in (extra_headers or {}).items():
        del msg[name]
        msg[name] = value
    return msg
