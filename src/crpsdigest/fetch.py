"""Fetch: feed URLs and local paths → bytes → ParsedFeed, with conditional GET.

(First version: sequential; the concurrent, fault-proof fetcher replaces it.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import httpx

from crpsdigest import USER_AGENT
from crpsdigest.models import FeedRef
from crpsdigest.parse import ParsedFeed, parse_feed

Outcome = Literal["new", "unchanged", "skipped", "error", "gone"]


@dataclass
class FetchResult:
    feed: FeedRef
    outcome: Outcome
    message: str
    state: dict[str, Any]
    parsed: ParsedFeed | None = None


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def read_source(source: str, timeout: float = 30.0) -> tuple[bytes | None, str]:
    """Bytes of a feed file or URL, or None and the reason."""
    try:
        if _is_url(source):
            response = httpx.get(
                source, headers={"User-Agent": USER_AGENT}, timeout=timeout, follow_redirects=True
            )
            if response.status_code >= 400:
                return None, f"HTTP {response.status_code}"
            return response.content, ""
        path = Path(source.removeprefix("file://"))
        return path.read_bytes(), ""
    except (OSError, httpx.HTTPError) as exc:
        return None, str(exc) or type(exc).__name__


def fetch_all_sync(
    feeds: Sequence[FeedRef],
    states: Mapping[str, Mapping[str, Any]],
    *,
    now: datetime,
    force: bool = False,
) -> list[FetchResult]:
    results = []
    for feed in feeds:
        state = dict(states.get(feed.url, {}))
        state["last_attempt"] = now.isoformat()
        body, problem = read_source(feed.url)
        if body is None:
            state["last_error"] = problem
            results.append(FetchResult(feed, "error", f"{feed.name}: error: {problem}", state))
            continue
        parsed = parse_feed(body, feed, fetched_at=now)
        state["last_success"] = now.isoformat()
        note = f" ({parsed.error})" if parsed.error else ""
        results.append(
            FetchResult(feed, "new", f"{feed.name}: {len(parsed.entries)} entries{note}", state, parsed)
        )
    return results
