"""Classification: is an entry about CRPS, which treatments is it about, what kind of item is it.

First version: synonyms from treatments.yaml matched on word boundaries. The spec is
shared/taxonomy.md; the deeper rules (subject versus mention) come later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from crpsdigest.models import Classification, Entry

_CRPS = re.compile(
    r"\bCRPS\b|complex regional pain syndrome|reflex sympathetic dystrophy|causalgia|"
    r"sudeck|algodystroph",
    re.I,
)


@dataclass(frozen=True)
class Treatment:
    slug: str
    name: str
    group: str
    patterns: tuple[str, ...]
    classes: tuple[str, ...] = ()


class Classifier:
    """Holds compiled patterns; build once per run, call :meth:`classify` per entry."""

    def __init__(self, treatments: list[Treatment]) -> None:
        self.treatments = treatments
        self.names = {t.slug: t.name for t in treatments}
        self._compiled = [
            (t, re.compile(r"\b(?:" + "|".join(re.escape(p) for p in t.patterns) + r")\b", re.I))
            for t in treatments
        ]

    def classify(self, entry: Entry) -> Classification:
        text = f"{entry.title}\n{entry.text}"
        relevant = bool(_CRPS.search(text))
        if not relevant:
            return Classification(relevant=False)
        evidence: dict[str, list[str]] = {}
        for treatment, pattern in self._compiled:
            hits = sorted({m.group(0) for m in pattern.finditer(text)})
            if hits:
                evidence[treatment.slug] = hits
                for cls in treatment.classes:
                    evidence.setdefault(cls, hits)
        return Classification(relevant=True, treatments=list(evidence), evidence=evidence)


def load_classifier(extra: list[dict[str, Any]] | None = None) -> Classifier:
    """The bundled treatments.yaml, extended or overridden by ``extra`` (from feeds.yaml)."""
    raw = yaml.safe_load(resources.files("crpsdigest").joinpath("treatments.yaml").read_text())
    by_slug = {t["slug"]: t for t in raw["treatments"]}
    for item in extra or []:
        by_slug[item["slug"]] = {**by_slug.get(item["slug"], {}), **item}
    return Classifier(
        [
            Treatment(
                slug=t["slug"],
                name=t.get("name", t["slug"]),
                group=t.get("group", "other"),
                patterns=(*tuple(t.get("synonyms", [])), t.get("name", t["slug"])),
                classes=tuple(t.get("classes", [])),
            )
            for t in by_slug.values()
        ]
    )


def validate_treatments(extra: list[dict[str, Any]]) -> list[str]:
    """Problems in a feeds.yaml ``treatments:`` list, one message per problem."""
    problems = []
    for i, item in enumerate(extra):
        if not isinstance(item, dict) or not isinstance(item.get("slug"), str):
            problems.append(f"treatments[{i}].slug: required, a lowercase-hyphenated name")
    return problems
