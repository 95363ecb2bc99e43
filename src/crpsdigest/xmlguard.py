"""Entity declarations in feeds: keep the harmless ones, drop bombs and external entities.

feedparser strips a feed's DOCTYPE before parsing but only finds declarations that start a line,
and it expands every simple text entity it keeps. So a one-line ``<!DOCTYPE`` with nested entities
(billion laughs) reaches expat, which expands several MB before its amplification guard trips, and
one 100 kB entity referenced 20,000 times (quadratic blowup) is expanded in full by the loose
parser: gigabytes. This module replaces feedparser's DOCTYPE step: every DOCTYPE and entity
declaration before the root element goes, and only plain-text entities whose total expansion
stays within a small budget are declared again. External (``SYSTEM``/``PUBLIC``) and parameter
entities never are, so nothing is read from disk or the network.
"""

from __future__ import annotations

import re
from typing import Any

import feedparser.api

# Bytes all kept entities may add when expanded; legitimate feeds declare a few short strings.
ENTITY_BUDGET = 100_000

# What may precede the root element: white space, PIs, comments and DOCTYPEs (a quoted "]>"
# inside an internal subset ends the match early; the rest is then a syntax error, not a bomb).
_PROLOG_TOKEN = re.compile(
    rb"\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE\b[^\[>]*(?:\[.*?\]\s*)?>", re.S | re.I
)
_PLAIN_ENTITY = re.compile(rb'<!ENTITY\s+([A-Za-z_][\w.-]*)\s+"(&#\w+;|[^&"%<]*)"\s*>')


def _split_prolog(data: bytes) -> tuple[bytes, list[bytes], bytes]:
    """(prolog without DOCTYPEs, the DOCTYPEs, the rest from the root element on)."""
    head = bytearray()
    doctypes = []
    pos = 0
    while m := _PROLOG_TOKEN.match(data, pos):
        if m.end() == pos:
            break
        token = m.group(0)
        if token[:9].upper() == b"<!DOCTYPE":
            doctypes.append(token)
        else:
            head += token
        pos = m.end()
    return bytes(head), doctypes, data[pos:]


def replace_doctype(data: bytes) -> tuple[str | None, bytes, dict[str, str]]:
    """feedparser's contract: (RSS 0.91 Netscape flag, document, entities for the loose parser)."""
    head, doctypes, body = _split_prolog(data)
    version = "rss091n" if any(b"netscape" in d.lower() for d in doctypes) else None
    kept: dict[bytes, bytes] = {}
    spent = 0
    for name, value in _PLAIN_ENTITY.findall(b"".join(doctypes)):
        cost = len(value) * body.count(b"&" + name + b";")
        if name not in kept and spent + cost <= ENTITY_BUDGET:
            kept[name] = value
            spent += cost
    if kept:
        decls = b"".join(b'<!ENTITY %s "%s">' % item for item in kept.items())
        head += b"<!DOCTYPE feed [" + decls + b"]>"
    entities = {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in kept.items()}
    return version, head + body, entities


def install() -> None:
    """Make feedparser use :func:`replace_doctype` (idempotent)."""
    api: Any = feedparser.api
    api.replace_doctype = replace_doctype
