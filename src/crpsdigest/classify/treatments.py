"""The treatment list: the bundled treatments.yaml, feeds.yaml additions, their validation.

Kept apart from matching so that config checking (``crpsdigest check``) can validate a
``treatments:`` list without compiling a classifier.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

GROUPS = ("drug", "interventional", "rehabilitation", "psychological", "other")
_LIST_KEYS = ("synonyms", "brands", "translations")
_KNOWN_KEYS = frozenset(
    {"slug", "name", "group", "abbreviations", "patterns", "classes", "exclude", "suppressed_by",
     "extend", *_LIST_KEYS}
)
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _load_bundled() -> list[dict[str, Any]]:
    text = resources.files("crpsdigest").joinpath("treatments.yaml").read_text(encoding="utf-8")
    # a safe loader, libyaml's when PyYAML was built with it (several times faster)
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return list(data["treatments"])


def _check_regex(value: object, where: str, errors: list[str]) -> None:
    if not isinstance(value, str) or not value:
        errors.append(f"{where}: must be a non-empty regular expression string")
        return
    try:
        re.compile(value)
    except re.error as exc:
        errors.append(f"{where}: invalid regular expression ({exc})")


def _check_one(
    item: object, where: str, bundled: set[str], known: set[str], errors: list[str]
) -> None:
    if not isinstance(item, dict):
        errors.append(f"{where}: must be a mapping with at least a slug")
        return
    for key in sorted(set(item) - _KNOWN_KEYS):
        errors.append(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(_KNOWN_KEYS))})")
    slug = item.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        errors.append(f"{where}.slug: must be lowercase words joined by hyphens, got {slug!r}")
        return
    is_new = slug not in bundled
    for key in ("name", "group"):
        if key in item and (not isinstance(item[key], str) or not item[key].strip()):
            errors.append(f"{where}.{key}: must be a non-empty string")
        elif is_new and key not in item:
            errors.append(f"{where}.{key}: required for the new treatment {slug!r}")
    if isinstance(item.get("group"), str) and item["group"] not in GROUPS:
        errors.append(f"{where}.group: must be one of {', '.join(GROUPS)}, got {item['group']!r}")
    for key in _LIST_KEYS:
        value = item.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            errors.append(f"{where}.{key}: must be a list of non-empty strings")
    for i, abbr in enumerate(item.get("abbreviations", []) or []):
        at = f"{where}.abbreviations[{i}]"
        if isinstance(abbr, dict):
            if not isinstance(abbr.get("abbr"), str) or not abbr["abbr"].strip():
                errors.append(f"{at}.abbr: must be a non-empty string")
            if "near" in abbr:
                _check_regex(abbr["near"], f"{at}.near", errors)
        elif not isinstance(abbr, str) or not abbr.strip():
            errors.append(f"{at}: must be a string or {{abbr: ..., near: ...}}")
    for i, pat in enumerate(item.get("patterns", []) or []):
        at = f"{where}.patterns[{i}]"
        if isinstance(pat, dict):
            _check_regex(pat.get("regex"), f"{at}.regex", errors)
            if "near" in pat:
                _check_regex(pat["near"], f"{at}.near", errors)
            gate = pat.get("gate", [])
            gates = [gate] if isinstance(gate, str) else gate
            if not isinstance(gates, list) or not all(isinstance(g, str) and g for g in gates):
                errors.append(f"{at}.gate: must be a string or a list of strings")
        else:
            _check_regex(pat, at, errors)
    for i, pat in enumerate(item.get("exclude", []) or []):
        _check_regex(pat, f"{where}.exclude[{i}]", errors)
    for key in ("classes", "suppressed_by"):
        value = item.get(key, [])
        if not isinstance(value, list):
            errors.append(f"{where}.{key}: must be a list of treatment slugs")
            continue
        for ref in value:
            if ref not in known:
                errors.append(f"{where}.{key}: unknown treatment slug {ref!r}")
    if is_new and not any(item.get(k) for k in (*_LIST_KEYS, "abbreviations", "patterns")):
        errors.append(f"{where}: a new treatment needs synonyms, abbreviations or patterns")


def validate_treatments(extra: list[dict[str, Any]]) -> list[str]:
    """Problems in a feeds.yaml ``treatments:`` list, as ``treatments[i].key: message`` lines."""
    if not isinstance(extra, list):
        return ["treatments: must be a list of treatments"]
    bundled = {t["slug"] for t in _load_bundled()}
    known = set(bundled)
    known.update(t["slug"] for t in extra if isinstance(t, dict) and isinstance(t.get("slug"), str))
    errors: list[str] = []
    seen: set[str] = set()
    for i, item in enumerate(extra):
        _check_one(item, f"treatments[{i}]", bundled, known, errors)
        slug = item.get("slug") if isinstance(item, dict) else None
        if isinstance(slug, str):
            if slug in seen:
                errors.append(f"treatments[{i}].slug: {slug!r} is listed twice")
            seen.add(slug)
    return errors


def treatment_slugs(extra: list[dict[str, Any]] | None = None) -> list[str]:
    """Every treatment's slug, bundled then ``extra``'s, as the classifier would know them
    (without building the classifier); [] when ``extra`` is invalid."""
    if extra and validate_treatments(extra):
        return []
    return [str(raw["slug"]) for raw in _merge(_load_bundled(), extra or [])]


def _merge(base: list[dict[str, Any]], extra: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Extra entries replace the keys they give; with ``extend: true`` their lists are appended."""
    by_slug = {t["slug"]: dict(t) for t in base}
    for item in extra:
        current = by_slug.get(item["slug"], {})
        if item.get("extend"):
            merged = dict(current)
            for key, value in item.items():
                if isinstance(value, list):
                    merged[key] = [*current.get(key, []), *value]
                elif key != "extend":
                    merged[key] = value
        else:
            merged = {**current, **{k: v for k, v in item.items() if k != "extend"}}
        by_slug[item["slug"]] = merged
    return list(by_slug.values())


@dataclass(frozen=True)
class Treatment:
    """One treatment as configured (after merging feeds.yaml overrides)."""

    slug: str
    name: str
    group: str
    terms: tuple[str, ...]
    abbreviations: tuple[tuple[str, str | None], ...] = ()
    patterns: tuple[tuple[str, str | None, tuple[str, ...]], ...] = ()
    classes: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    suppressed_by: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Treatment:
        terms: list[str] = []
        for key in _LIST_KEYS:
            terms.extend(raw.get(key, []) or [])
        abbrs = tuple(
            (a["abbr"], a.get("near")) if isinstance(a, dict) else (a, None)
            for a in raw.get("abbreviations", []) or []
        )
        pats: list[tuple[str, str | None, tuple[str, ...]]] = []
        for p in raw.get("patterns", []) or []:
            if isinstance(p, dict):
                gate = p.get("gate", ())
                gates = (gate,) if isinstance(gate, str) else tuple(gate)
                pats.append((p["regex"], p.get("near"), tuple(g.lower() for g in gates)))
            else:
                pats.append((p, None, ()))
        return cls(
            slug=raw["slug"],
            name=raw.get("name", raw["slug"]),
            group=raw.get("group", "other"),
            terms=tuple(terms),
            abbreviations=abbrs,
            patterns=tuple(pats),
            classes=tuple(raw.get("classes", []) or []),
            exclude=tuple(raw.get("exclude", []) or []),
            suppressed_by=tuple(raw.get("suppressed_by", []) or []),
        )
