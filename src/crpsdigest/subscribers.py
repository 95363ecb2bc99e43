"""Subscribers: who gets the email, and which treatment sections each of them follows.

Addresses are checked (syntax only: no DNS, so it works offline) and stored normalised; a
subscriber follows every treatment (``None``) or chosen slugs. The CSV form (header row, an
``email`` column, an optional ``treatments`` column of comma-separated slugs) is both the
import and the export format, so an export imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from crpsdigest.digest import OTHER

CSV_FIELDS = ("email", "treatments")


class SubscriberError(ValueError):
    """A subscriber that cannot be stored; the message is one line naming the problem."""


@dataclass(frozen=True)
class Subscriber:
    email: str
    treatments: tuple[str, ...] | None = None  # None: every treatment


def normalize_address(text: str) -> str:
    """The address as stored (domain lower-cased, IDNA-normalised), or SubscriberError."""
    value = text.strip()
    if not value:
        raise SubscriberError("empty email address")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise SubscriberError(f"{value!r} is not a valid email address: {exc}") from None


def parse_treatments(text: str | None, known: Collection[str]) -> tuple[str, ...] | None:
    """Comma-separated slugs → a sorted tuple; empty means every treatment (None).

    ``other`` (the "Other CRPS news" section) is accepted besides the treatment slugs.
    """
    if text is None or not text.strip():
        return None
    allowed = set(known) | {OTHER}
    slugs: list[str] = []
    for raw in text.split(","):
        slug = raw.strip().lower()
        if not slug:
            continue
        if slug not in allowed:
            raise SubscriberError(
                f"unknown treatment {slug!r} (known: {', '.join(sorted(allowed))})"
            )
        if slug not in slugs:
            slugs.append(slug)
    return tuple(sorted(slugs)) if slugs else None


def make_subscriber(email: str, treatments: str | None, known: Collection[str]) -> Subscriber:
    return Subscriber(normalize_address(email), parse_treatments(treatments, known))


def read_csv(path: Path, known: Collection[str]) -> tuple[list[Subscriber], list[str]]:
    """Good rows and one ``FILE:LINE: problem`` per bad row (the whole file may be bad)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{name}: not UTF-8 text ({exc.reason})"]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "email" not in fields:
        return [], [f"{name}:1: the header row needs an `email` column (found: {', '.join(fields) or 'nothing'})"]
    reader.fieldnames = fields
    good: list[Subscriber] = []
    problems: list[str] = []
    try:
        for row in reader:
            line = reader.line_num
            email = (row.get("email") or "").strip()
            if not email and not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue  # a blank line
            try:
                good.append(make_subscriber(email, row.get("treatments"), known))
            except SubscriberError as exc:
                problems.append(f"{name}:{line}: {exc}")
    except csv.Error as exc:
        problems.append(f"{name}:{reader.line_num}: not valid CSV ({exc})")
    return good, problems


def to_csv(subscribers: Iterable[Subscriber]) -> str:
    """The export: header row, then one row per subscriber; empty treatments = every one."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for s in subscribers:
        writer.writerow((s.email, ",".join(s.treatments or ())))
    return out.getvalue()
