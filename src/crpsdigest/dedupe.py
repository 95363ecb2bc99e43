"""De-duplication: which entries are the same item, and which one of them the digest shows.

First version: same canonical URL or a shared identifier. ``shared/DESIGN.md`` ("What counts as
a duplicate") is the spec; a false merge is worse than a missed duplicate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from crpsdigest.models import ClusterInfo, Entry


def _sort_key(entry: Entry) -> tuple[int, float, str]:
    ts = entry.published.timestamp() if entry.published else float("inf")
    return (-entry.feed.priority, ts, entry.uid)


def cluster_entries(
    entries: Sequence[Entry], known: Mapping[str, str] | None = None
) -> dict[str, ClusterInfo]:
    """Map every entry's uid to its cluster; ``known`` holds cluster ids from earlier runs."""
    parent: dict[str, str] = {e.uid: e.uid for e in entries}
    reasons: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    seen: dict[str, str] = {}
    for entry in entries:
        keys = [f"url:{entry.canonical_url}"] + [
            f"{kind}:{value}" for kind, values in entry.ids.items() for value in values
        ]
        for key in keys:
            other = seen.setdefault(key, entry.uid)
            if other != entry.uid and find(other) != find(entry.uid):
                parent[find(entry.uid)] = find(other)
                reasons[entry.uid] = f"same {key}"
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(find(entry.uid), []).append(entry)
    result: dict[str, ClusterInfo] = {}
    for members in groups.values():
        members.sort(key=_sort_key)
        ids = sorted((known or {}).get(m.uid, "") for m in members)
        cluster = next((i for i in ids if i), members[0].uid)
        for i, member in enumerate(members):
            result[member.uid] = ClusterInfo(
                cluster=cluster, representative=i == 0, reason=reasons.get(member.uid, "")
            )
    return result
