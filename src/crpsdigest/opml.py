"""OPML 2.0 in and out, so editors can move feed lists between crpsdigest and feed readers.

Reading never touches the network and refuses DTDs and entities (defusedxml): an OPML file
comes from anywhere. Outlines nest as folders; every outline with an ``xmlUrl`` is a feed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from crpsdigest.config import Config
from crpsdigest.editors import NewFeed, describe, find_subscription
from crpsdigest.urls import canonical_url

TOPICS = ("crps", "general")


class OpmlError(Exception):
    """An OPML file that cannot be read; the message is one line naming the file."""


@dataclass
class OpmlFeed:
    """One feed outline."""

    title: str
    url: str
    homepage: str | None
    topic: Literal["crps", "general"] | None  # from a category or folder named crps/general


def _attr(node: ET.Element, name: str) -> str:
    """An attribute by name, any case (readers write xmlUrl, xmlurl, XMLURL)."""
    for key, value in node.attrib.items():
        if key.lower() == name.lower():
            return value.strip()
    return ""


def _topic_of(category: str, folders: Sequence[str]) -> Literal["crps", "general"] | None:
    words = [w.strip().lower() for w in re.split(r"[,/]", category) if w.strip()]
    words += [f.strip().lower() for f in reversed(folders)]
    for word in words:
        if word == "crps":
            return "crps"
        if word == "general":
            return "general"
    return None


def read_opml(raw: bytes, name: str) -> list[OpmlFeed]:
    """Every feed outline of an OPML document, in document order, folders flattened."""
    try:
        root = SafeET.fromstring(raw)
    except DefusedXmlException as exc:
        what = {"EntitiesForbidden": "XML entities", "DTDForbidden": "a DTD"}.get(
            type(exc).__name__, "an external reference"
        )
        raise OpmlError(
            f"{name}: refused: the file declares {what}, which OPML never needs (unsafe XML)"
        ) from None
    except ET.ParseError as exc:
        line, col = exc.position
        reason = str(exc).split(":")[0]
        raise OpmlError(f"{name}:{line}: not valid XML ({reason}, column {col + 1})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"{name}:1: not an OPML file (the document is <{root.tag}>, not <opml>)")
    body = next((c for c in root if c.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError(f"{name}: an OPML file without <body>: no feeds in it")
    feeds: list[OpmlFeed] = []

    def walk(node: ET.Element, folders: tuple[str, ...]) -> None:
        for child in node:
            if child.tag.lower() != "outline":
                continue
            label = _attr(child, "text") or _attr(child, "title")
            url = _attr(child, "xmlUrl")
            if url:
                homepage = _attr(child, "htmlUrl")
                feeds.append(
                    OpmlFeed(
                        title=_attr(child, "title") or _attr(child, "text"),
                        url=url,
                        homepage=homepage if homepage.startswith(("http://", "https://")) else None,
                        topic=_topic_of(_attr(child, "category"), folders),
                    )
                )
            walk(child, (*folders, label) if not url else folders)

    walk(body, ())
    return feeds


@dataclass
class ImportPlan:
    add: list[NewFeed]
    notes: list[str]  # one line per feed skipped or renamed


def plan_import(
    config: Config, feeds: Sequence[OpmlFeed], topic: Literal["crps", "general"] | None
) -> ImportPlan:
    """Which outlines become feeds: new addresses only, names made unique."""
    plan = ImportPlan([], [])
    names = {f.name.casefold() for f in config.feeds}
    seen: dict[str, str] = {}
    for feed in feeds:
        label = feed.title or feed.url
        if not re.match(r"^https?://[^/\s]+\.[^/\s]+", feed.url):
            plan.notes.append(f"skipped “{label}”: {feed.url!r} is not an http(s) feed address")
            continue
        existing = find_subscription(config, [feed.url])
        if existing is not None:
            plan.notes.append(f"skipped “{label}”: already subscribed as {describe(*existing)}")
            continue
        key = canonical_url(feed.url)
        if key in seen:
            plan.notes.append(f"skipped “{label}”: the file lists it twice (also as “{seen[key]}”)")
            continue
        seen[key] = label
        name = feed.title or (urlsplit(feed.url).hostname or feed.url).removeprefix("www.")
        if name.casefold() in names:
            base = f"{name} ({(urlsplit(feed.url).hostname or '').removeprefix('www.')})"
            name, n = base, 2
            while name.casefold() in names:
                name, n = f"{base} {n}", n + 1
            plan.notes.append(f"renamed “{label}” to “{name}”: the name was taken")
        names.add(name.casefold())
        chosen = topic or feed.topic or "general"
        plan.add.append(NewFeed(name=name, url=feed.url, topic=chosen, homepage=feed.homepage))
    return plan


def write_opml(config: Config) -> tuple[str, list[str]]:
    """OPML 2.0 of the subscribed web feeds, one folder per topic; also the names left out.

    Local files (the demo's) mean nothing to a feed reader, so they are left out and named.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"{config.digest.title}: feeds"
    ET.SubElement(head, "ownerEmail").text = config.digest.editor_email
    ET.SubElement(head, "docs").text = "http://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    skipped: list[str] = []
    folders = {t: ET.Element("outline", text=t, title=t) for t in TOPICS}
    for feed in config.feeds:
        if not feed.url.startswith(("http://", "https://")):
            skipped.append(feed.name)
            continue
        attrs = {"type": "rss", "text": feed.name, "title": feed.name, "xmlUrl": feed.url}
        if feed.homepage:
            attrs["htmlUrl"] = feed.homepage
        attrs["category"] = f"/{feed.topic}"
        ET.SubElement(folders[feed.topic], "outline", attrs)
    for folder in folders.values():
        if len(folder):
            body.append(folder)
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n", skipped
