"""Editors' overrides from feeds.yaml: exclude an item, pin it first, or set its treatments.

An override names one item by id (the entry uid shown on the review page and by ``inspect``, or
the feed's own guid) or by URL (compared in canonical form). It applies to the item's whole
duplicate cluster: excluding a story hides every copy of it, pinning pins the copy shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crpsdigest.config import Config, OverrideSettings
from crpsdigest.models import Entry
from crpsdigest.urls import canonical_url


@dataclass(frozen=True)
class Applied:
    """What the overrides say about one item or cluster; each value is the override's label."""

    exclude: str | None = None
    pin: str | None = None
    treatments: tuple[tuple[str, ...], str] | None = None  # (slugs, label)

    def __bool__(self) -> bool:
        return bool(self.exclude or self.pin or self.treatments)

    def notes(self) -> list[str]:
        """Phrases for the review page, such as ``pinned by overrides[1]``."""
        out = []
        if self.exclude:
            out.append(f"excluded by {self.exclude}")
        if self.pin:
            out.append(f"pinned by {self.pin}")
        if self.treatments:
            out.append(f"treatments set by {self.treatments[1]}")
        return out

    def evidence(self) -> dict[str, list[str]]:
        if not self.treatments:
            return {}
        slugs, label = self.treatments
        return {slug: [f"set by override {label}"] for slug in slugs}


NOTHING = Applied()


class Overrides:
    """The ``overrides:`` list, indexed for matching entries."""

    def __init__(self, settings: Sequence[OverrideSettings]) -> None:
        self.settings = list(settings)
        self._by_id: dict[str, list[int]] = {}
        self._by_url: dict[str, list[int]] = {}
        for i, s in enumerate(self.settings):
            if s.id:
                self._by_id.setdefault(s.id, []).append(i)
            if s.url:
                self._by_url.setdefault(canonical_url(s.url), []).append(i)

    @classmethod
    def from_config(cls, config: Config) -> Overrides:
        return cls(config.overrides)

    def __bool__(self) -> bool:
        return bool(self.settings)

    def label(self, index: int) -> str:
        note = self.settings[index].note
        return f"overrides[{index}]" + (f" ({note})" if note else "")

    def matching(self, uid: str, guid: str, link: str, canonical: str = "") -> list[int]:
        """Indexes of the overrides that name this item."""
        hits: set[int] = set()
        for key in (uid, guid):
            hits.update(self._by_id.get(key, ()))
        for url in {canonical, canonical_url(link) if link else ""} - {""}:
            hits.update(self._by_url.get(url, ()))
        return sorted(hits)

    def _applied(self, indexes: Iterable[int]) -> Applied:
        exclude = pin = None
        treatments = None
        for i in sorted(set(indexes)):
            s = self.settings[i]
            if s.exclude and exclude is None:
                exclude = self.label(i)
            if s.pin and pin is None:
                pin = self.label(i)
            if s.treatments is not None and treatments is None:
                treatments = (tuple(s.treatments), self.label(i))
        return Applied(exclude, pin, treatments)

    def for_entries(self, entries: Iterable[Entry]) -> Applied:
        """What applies to a cluster: the union over its members (first override wins a tie)."""
        return self._applied(
            i for e in entries for i in self.matching(e.uid, e.guid, e.link, e.canonical_url)
        )

    def apply_to_row(self, row: dict[str, Any]) -> Applied:
        """Mark one ``inspect`` row (a dict) with what the overrides say about it."""
        applied = self._applied(
            self.matching(
                str(row.get("uid", "")), str(row.get("guid", "")), str(row.get("link", "")),
                str(row.get("canonical_url", "")),
            )
        )  # fmt: skip
        if applied.treatments:
            row["treatments"] = list(applied.treatments[0])
            row["evidence"] = applied.evidence()
        if applied:
            row["excluded"] = applied.exclude is not None
            row["pinned"] = applied.pin is not None
            row["override"] = "; ".join(applied.notes())
        return applied
