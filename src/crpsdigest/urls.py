"""Canonical URLs: one spelling per page, so the same article found twice has one key.

Rules, in order (see ``shared/feed_formats.md`` §4 and §9):

* only ``http``/``https`` URLs are touched; ``tag:``, ``urn:``, file paths come back unchanged;
* redirect wrappers are unwrapped first: Google Alerts ``google.com/url?url=…``, Google's
  consent page ``consent.google.com/…?continue=…``, the AMP cache ``*.cdn.ampproject.org/c/s/…``
  and Google News ``news.google.com/rss/articles/<token>`` (also ``/__i/rss/rd/articles/``)
  when the token is an old-style base64 protobuf that carries the publisher URL (newer opaque
  ``AU_yqL…`` tokens cannot be resolved offline and are kept, minus their ``oc=`` parameter);
* tracking parameters are dropped: ``utm_*``, click ids (``fbclid``, ``gclid`` …), Mailchimp
  ``mc_cid``/``mc_eid``, PubMed's per-feed ``fc``/``ff``/``v`` (PubMed hosts only, since ``v``
  means something elsewhere), journal ``af=R`` and ``rss=1``, Medium/RSS ``source=rss…``,
  Google's ``oc``, and ``amp`` markers;
* percent-encoding and query order are normalised by w3lib's ``canonicalize_url``;
* scheme folds to https, host is lower-cased without ``www.``/``m.``/``amp.``/``mobile.``,
  default ports and fragments go, ``/amp`` path segments and ``.amp`` suffixes go, and so does a
  trailing slash.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gclsrc",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "_ga",
        "_gl",
        "oc",
        "ocid",
        "ncid",
        "cmpid",
        "ref_src",
        "ref_url",
        "sr_share",
        "amp",
        "outputtype",
        "__twitter_impression",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "at_")
_PUBMED_TRACKING = frozenset({"fc", "ff", "v", "limit"})
_PUBMED_HOSTS = ("pubmed.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov")
_GOOGLE_NEWS_HOST = "news.google.com"
_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")
_GN_PATH = re.compile(r"^/(?:__i/rss/rd/|rss/)?articles/([A-Za-z0-9_\-]+)")
_URL_IN_BYTES = re.compile(rb"https?://[\x21-\x7e]+")


def _is_tracking(host: str, key: str, value: str) -> bool:
    """Whether one query parameter only says how the reader arrived, not what the page is."""
    k = key.lower()
    if k in _TRACKING or k.startswith(_TRACKING_PREFIXES):
        return True
    if host.endswith(_PUBMED_HOSTS) and k in _PUBMED_TRACKING:
        return True
    if k == "af" and value.upper() == "R":
        return True
    if k == "rss" and value in ("1", "true", "yes"):
        return True
    if k == "source" and (value.lower().startswith("rss") or host.endswith("medium.com")):
        return True
    if k == "ref" and value.lower() in ("rss", "feed", "feedly", "twitter", "facebook"):
        return True
    return host == _GOOGLE_NEWS_HOST and k in ("hl", "gl", "ceid")


def _strip_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if not host.startswith(_HOST_PREFIXES):
        return host  # most hosts: the loop below would change nothing
    changed = True
    while changed:
        changed = False
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                changed = True
    return host


def _strip_amp_path(path: str) -> str:
    segments = [s for s in path.split("/")]
    if len(segments) > 2 and segments[1].lower() == "amp":
        segments.pop(1)
    while len(segments) > 1 and segments[-1].lower() in ("amp", ""):
        segments.pop()
    path = "/".join(segments)
    path = re.sub(r"\.amp(\.html?)?$", r"\1", path, flags=re.I)
    return re.sub(r"/index\.amp\.html?$", "", path, flags=re.I)


def decode_google_news(token: str) -> str | None:
    """The publisher URL inside an old-style Google News article token, or None if opaque."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    # Protobuf: 08 13 (field 1 = 19) then 22 <varint len> <url> (field 4), maybe a 2nd URL (AMP).
    pos = 0
    while pos < len(raw):
        tag = raw[pos]
        pos += 1
        wire = tag & 7
        if wire == 0:
            while pos < len(raw) and raw[pos] & 0x80:
                pos += 1
            pos += 1
        elif wire == 2:
            length, shift = 0, 0
            while pos < len(raw):
                byte = raw[pos]
                pos += 1
                length |= (byte & 0x7F) << shift
                shift += 7
                if not byte & 0x80:
                    break
            value = raw[pos : pos + length]
            pos += length
            if value.startswith((b"http://", b"https://")):
                match = _URL_IN_BYTES.match(value)
                if match and match.end() == len(value):
                    return value.decode("ascii")
        else:
            break
    return None


def _hostname(parts: SplitResult) -> str:
    """``(parts.hostname or "").lower()``; a plain ``host.example`` netloc is its own hostname."""
    netloc = parts.netloc
    if "@" in netloc or ":" in netloc or "[" in netloc or "%" in netloc:
        return (parts.hostname or "").lower()
    return netloc.lower()


def _may_wrap(host: str) -> bool:
    """Whether ``host`` (lower-cased) is one whose links :func:`_unwrap` may unwrap."""
    return (
        host.startswith(("google.", "www.google.", "consent.google."))
        or host.endswith(".cdn.ampproject.org")
        or host == _GOOGLE_NEWS_HOST
    )


def _unwrap(parts: SplitResult, host: str) -> str | None:
    """The target of a known redirect wrapper, or None when the URL is not one.

    ``host``: ``parts.hostname`` lower-cased ("" for none), which the caller needs too.
    """
    if not _may_wrap(host):
        return None  # most links: no wrapper, and no need to read the query
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if re.fullmatch(r"(?:www\.)?google\.[a-z.]+", host) and parts.path == "/url":
        target = params.get("url") or params.get("q")
        if target and target.lower().startswith(("http://", "https://")):
            return target
    if host == "consent.google.com" and params.get("continue", "").startswith("http"):
        return params["continue"]
    if host.endswith(".cdn.ampproject.org"):
        match = re.match(r"^/[cv]/(s/)?(.+)$", parts.path)
        if match:
            scheme = "https" if match.group(1) else "http"
            query = f"?{parts.query}" if parts.query else ""
            return f"{scheme}://{match.group(2)}{query}"
    if host == _GOOGLE_NEWS_HOST:
        match = _GN_PATH.match(parts.path)
        if match:
            return decode_google_news(match.group(1))
    return None


_PLAIN_PATH = re.compile(r"[A-Za-z0-9_.~/-]*")
# A link urlsplit and parse_qsl read trivially: lower-case http(s), a host without port,
# userinfo or brackets, a plain path, a query of plain ``k=v`` fields, no fragment. Its parts
# are the regex groups, and its query fields ``field.partition("=")`` (nothing to unquote).
_PLAIN_URL = re.compile(
    r"https?://([A-Za-z0-9.-]+)(/[A-Za-z0-9_.~/-]*)?(?:\?([A-Za-z0-9_.~=&-]*))?", re.ASCII
)


def canonical_url(url: str) -> str:
    """One spelling of ``url`` for matching; non-http(s) input is returned unchanged."""
    original = url
    url = url.strip()
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None:
        netloc, path, query = plain.groups()
        host = netloc.lower()  # _hostname: a netloc without "@", ":", "[" or "%"
        if not _may_wrap(host):  # else _unwrap may have something to do: the general way
            split = [f.partition("=") for f in query.split("&") if f] if query else []
            fields = [(k, v) for k, _, v in split]
            return _canonical(original, host, None, path or "", fields, plain_path=True)
    parts: SplitResult | None = None
    host = ""
    for _ in range(4):  # wrappers can nest (consent page → Google News → publisher)
        if not url.lower().startswith(("http://", "https://")):
            break
        parts = urlsplit(url)  # split once: the unwrapped URL's parts serve below
        host = _hostname(parts)
        target = _unwrap(parts, host)
        if target is None:
            break
        url = target.strip()
        parts = None
    if not url.lower().startswith(("http://", "https://")):
        return original
    if parts is None:
        parts = urlsplit(url)
        host = _hostname(parts)
    port = None
    if ":" in parts.netloc:  # else no port: SplitResult.port would parse the netloc again
        try:
            port = parts.port
        except ValueError:
            port = None
    fields = parse_qsl(parts.query, keep_blank_values=True) if parts.query else []
    return _canonical(original, host, port, parts.path, fields)


def _canonical(
    original: str,
    host: str,
    port: int | None,
    path: str,
    fields: Iterable[tuple[str, str]],
    plain_path: bool = False,
) -> str:
    """The canonical spelling from a link's (unwrapped) parts; ``fields``: its query's.

    ``plain_path``: the path is known to match _PLAIN_PATH.
    """
    host = host.rstrip(".")
    if not host:
        return original
    query = [(k, v) for k, v in fields if not _is_tracking(host, k, v)]
    netloc = _strip_host(host)
    if port is not None and port not in (80, 443):
        netloc = f"{netloc}:{port}"
    path = path or "/"
    if query or not (plain_path or _PLAIN_PATH.fullmatch(path)) or "/." in path:
        # escapes, non-ASCII, dot segments or a query: w3lib's canonical spelling (a plain
        # path without a query is already in it, and most links are that)
        normal = urlsplit(canonicalize_url(urlunsplit(("https", netloc, path, urlencode(query), ""))))
        path, query_text = normal.path, normal.query
    else:
        query_text = ""
    if path.endswith("/") or "amp" in path.lower():  # the only paths it changes
        path = _strip_amp_path(path)
    # urlunsplit(("https", netloc, path, query_text, "")), spelled out: netloc is never empty
    if path and path[0] != "/":
        path = "/" + path
    url = f"https://{netloc}{path}"
    return f"{url}?{query_text}" if query_text else url


def url_host(url: str) -> str:
    """Host of a URL without ``www.``-style prefixes ("" for non-URLs)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return _strip_host(unquote(host))
