"""Atomic file writes: a reader (or a killed run) sees the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: str | bytes) -> bool:
    """Write ``data`` to ``path`` via a temp file + fsync + rename; skip if unchanged.

    Returns True when the file changed. Skipping identical content keeps mtimes stable, so
    rebuilding an unchanged week touches nothing.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def remove_stale_temps(folder: Path, older_than: float = 3600.0) -> list[Path]:
    """Delete temp files a killed run left behind (``.NAME.*.tmp``), so they are never published.

    Only files older than ``older_than`` seconds go: a concurrent run's fresh temp file stays.
    """
    import time

    if not folder.is_dir():
        return []
    cutoff = time.time() - older_than
    removed = []
    for path in folder.rglob(".*.tmp"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
