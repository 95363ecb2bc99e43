"""Feed health for editors: what is broken, moved, gone, stale or subscribed twice, and what to do.

One list of :class:`HealthRow` feeds both the ``crpsdigest feeds`` table and ``out/health.html``,
so the terminal and the page never disagree.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.table import Table

from crpsdigest.atomic import write_atomic
from crpsdigest.fetch import FeedState
from crpsdigest.models import FeedRef
from crpsdigest.urls import canonical_url

Status = Literal["gone", "broken", "moved", "stale", "new", "ok"]
STATUS_ORDER: tuple[Status, ...] = ("gone", "broken", "moved", "stale", "new", "ok")
STALE_DAYS = 30


@dataclass
class HealthRow:
    feed: FeedRef
    status: Status
    detail: str  # what is wrong, one line
    action: str  # what the editor should do, one line ("" when nothing)
    state: FeedState
    duplicates: list[str] = field(default_factory=list)  # names of feeds that are the same


def _date(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d") if value else "never"


def _same_feed_key(url: str) -> str:
    """Spellings of one feed url: scheme, host case, ``www.``, trailing slash, tracking."""
    if not url.startswith(("http://", "https://")):
        return url
    return canonical_url(url).replace("://www.", "://", 1)


def health_rows(
    states: Mapping[str, FeedState],
    feeds: Sequence[FeedRef],
    now: datetime | None = None,
    stale_days: int = STALE_DAYS,
) -> list[HealthRow]:
    """One row per configured feed, worst first, then in feeds.yaml order."""
    now = now or datetime.now(UTC)
    rows: list[HealthRow] = []
    for feed in feeds:
        st = states.get(feed.url) or FeedState(url=feed.url)
        if st.gone:
            row = HealthRow(
                feed, "gone", f"HTTP 410 Gone (last tried {_date(st.last_attempt)})",
                f"feeds.yaml: remove feed {feed.name!r} or change its url; "
                f"or `crpsdigest feeds reset {feed.url}` to try again",
                st,
            )
        elif st.consecutive_failures:
            row = HealthRow(
                feed, "broken",
                f"{st.last_error or 'failing'} — {st.consecutive_failures} failure(s) in a row "
                f"since {_date(st.failing_since)}; last success {_date(st.last_success)}",
                "check the url in a browser; fix or remove it in feeds.yaml"
                if st.consecutive_failures >= 3 else "",
                st,
            )
        elif st.redirect_to:
            row = HealthRow(
                feed, "moved", f"moved permanently to {st.redirect_to}",
                f"feeds.yaml: feed {feed.name!r}: change url: {feed.url} → {st.redirect_to}",
                st,
            )
        elif st.last_success is None:
            row = HealthRow(feed, "new", "not fetched yet", "", st)
        elif st.last_changed is None or (now - st.last_changed).days >= stale_days:
            days = (now - (st.last_changed or st.last_success)).days
            row = HealthRow(
                feed, "stale", f"no new content for {days} days (since {_date(st.last_changed)})",
                "check the publisher still updates this feed", st,
            )
        else:
            row = HealthRow(
                feed, "ok", f"{st.entries_seen} entries; changed {_date(st.last_changed)}", "", st
            )
        rows.append(row)
    _mark_duplicates(rows)
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(rows, key=lambda r: order[r.status])  # stable: feeds.yaml order within a status


def _mark_duplicates(rows: list[HealthRow]) -> None:
    """Feeds that are one subscription: same url up to trivia, or redirected to the same place."""
    groups: dict[str, list[HealthRow]] = defaultdict(list)
    for row in rows:
        keys = {_same_feed_key(row.feed.url)}
        if row.state.redirect_to:
            keys.add(_same_feed_key(row.state.redirect_to))
        for key in keys:
            groups[key].append(row)
    for members in groups.values():
        for row in members:
            others = [m.feed.name for m in members if m is not row]
            row.duplicates.extend(n for n in others if n not in row.duplicates)


def write_health(
    states: Mapping[str, FeedState],
    feeds: Sequence[FeedRef],
    out_dir: Path,
    now: datetime | None = None,
    stale_days: int = STALE_DAYS,
) -> Path:
    """Write ``out_dir/health.html`` (atomically) and return its path."""
    now = now or datetime.now(UTC)
    rows = health_rows(states, feeds, now, stale_days)
    path = out_dir / "health.html"
    write_atomic(path, render_health(rows, now))
    return path


# the password in a url's login (https://user:password@host/…), up to the "@"
_PASSWORD = re.compile(r"(://[^/\s:@<>\"']*):[^/\s@<>\"']*@")


def _hide_passwords(page: str) -> str:
    """A members-only feed's url carries its login; the page may be published with the site."""
    return _PASSWORD.sub(r"\1:•••@", page)


def render_health(rows: Sequence[HealthRow], now: datetime) -> str:
    esc = html.escape
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUS_ORDER}
    dupes = [r for r in rows if r.duplicates]
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    body: list[str] = []
    todo = [r for r in rows if r.action]
    if todo or dupes:
        body.append("<h2>To do</h2><ul>")
        body += [f"<li><strong>{esc(r.feed.name)}</strong>: {esc(r.action)}</li>" for r in todo]
        body += [
            f"<li><strong>{esc(r.feed.name)}</strong>: same feed as "
            f"{esc(', '.join(r.duplicates))}; keep one in feeds.yaml</li>"
            for r in dupes
        ]
        body.append("</ul>")
    body.append(
        "<h2>All feeds</h2><table><thead><tr><th scope=col>Feed</th><th scope=col>Status</th>"
        "<th scope=col>Detail</th><th scope=col>Last success</th><th scope=col>HTTP</th>"
        "<th scope=col>Entries</th></tr></thead><tbody>"
    )
    for r in rows:
        st = r.state
        body.append(
            f'<tr class="{r.status}"><th scope=row>{esc(r.feed.name)}<br>'
            f"<small>{esc(r.feed.url)}</small></th><td>{r.status}</td><td>{esc(r.detail)}</td>"
            f"<td>{_date(st.last_success)}</td><td>{st.http_status or ''}</td>"
            f"<td>{st.entries_seen}</td></tr>"
        )
    body.append("</tbody></table>")
    return _hide_passwords(
        "<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        "<title>Feed health</title><style>"
        "body{font-family:system-ui,sans-serif;margin:1rem auto;max-width:70rem;padding:0 1rem}"
        "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
        "padding:.3rem .5rem;border-bottom:1px solid #ccc}small{color:#555;word-break:break-all}"
        "tr.gone td:nth-child(2),tr.broken td:nth-child(2){color:#a00;font-weight:bold}"
        "tr.moved td:nth-child(2),tr.stale td:nth-child(2){color:#850}"
        "</style></head><body>"
        f"<h1>Feed health</h1><p>{len(rows)} {'feed' if len(rows) == 1 else 'feeds'}: "
        f"{esc(summary)}. "
        f"Checked {now.astimezone(UTC).strftime('%Y-%m-%d %H:%M UTC')}.</p>"
        + "".join(body)
        + "</body></html>\n"
    )


STATUS_STYLE = {"gone": "bold red", "broken": "red", "moved": "yellow", "stale": "yellow",
                "new": "cyan", "ok": "green"}


def print_health(console: Console, rows: Sequence[HealthRow], feeds: Sequence[FeedRef]) -> None:
    """``crpsdigest feeds``: a rich table on a terminal, plain lines otherwise; then the to-dos.

    Plain lines keep feeds.yaml's index, name, topic and url first, so they grep and diff well.
    """
    if console.is_terminal:
        table = Table(title="Feed health")
        for name in ("Feed", "Status", "Last success", "Fails", "Entries", "Detail"):
            table.add_column(name, overflow="fold")
        for r in rows:
            table.add_row(
                r.feed.name, f"[{STATUS_STYLE[r.status]}]{r.status}[/]",
                _date(r.state.last_success), str(r.state.consecutive_failures or ""),
                str(r.state.entries_seen), r.detail,
            )
        console.print(table)
    else:
        index = {f.url: i for i, f in enumerate(feeds)}
        width = max((len(r.feed.name) for r in rows), default=0)
        for r in rows:
            console.print(
                f"{index[r.feed.url]:>3}  {r.feed.name:<{width}}  {r.feed.topic:<7}  "
                f"{r.feed.url}  [{r.status}] {r.detail}",
                markup=False, highlight=False, soft_wrap=True,
            )
    for r in rows:
        if r.action:
            console.print(f"{r.feed.name}: {r.action}", markup=False, highlight=False,
                          soft_wrap=True)
        if r.duplicates:
            console.print(f"{r.feed.name}: same feed as {', '.join(r.duplicates)}; keep one",
                          markup=False, highlight=False, soft_wrap=True)
