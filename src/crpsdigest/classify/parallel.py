"""classify_many's worker processes: forked children classify slices of one batch.

Forking lets children inherit the compiled classifier and the entries instead of unpickling
them; results travel back as marshalled plain tuples. Kept apart from the classifier because
it is process plumbing with module state (:data:`_FORKED`), not classification.
"""

from __future__ import annotations

import marshal
import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from itertools import pairwise

from crpsdigest.models import Classification, Entry

# Below this many entries a serial loop beats forking (~10 ms) plus pickling the results.
PARALLEL_MIN = 2000

# What forked children of :meth:`Classifier.classify_many` inherit (its ``classify`` and the
# entries): set only around the pool.
_FORKED: tuple[Callable[[Entry], Classification], Sequence[Entry]] | None = None


def _worker_count(workers: int | None, n: int) -> int:
    """How many processes to use: 1 for small batches or where "fork" is unavailable."""
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        # spawn would pickle the compiled classifier per child: not worth it; fork on
        # macOS can crash in system libraries (Python's own default there is spawn)
        return 1
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
            os.cpu_count() or 1
        )
    if n < PARALLEL_MIN:
        return 1
    return max(1, min(workers, n // (PARALLEL_MIN // 2)))


def _classify_range(bounds: tuple[int, int]) -> bytes:
    """Runs in a forked child: classify the inherited entries ``start:stop``.

    Results go back as marshalled plain tuples: the parent loads them about twice as fast
    as pickled dataclasses, and that load is the parent's share of the overhead.
    """
    assert _FORKED is not None, "classify_many children must be forked"
    classify, entries = _FORKED
    return marshal.dumps([
        (c.relevant, c.treatments, c.kinds, c.evidence)
        for c in map(classify, entries[bounds[0] : bounds[1]])
    ])


def _classify_forked(
    classify: Callable[[Entry], Classification], entries: Sequence[Entry], workers: int
) -> list[Classification]:
    """``classify`` over ``entries`` split between this process and ``workers - 1`` forked
    children (``workers`` >= 2, from :func:`_worker_count`), in input order."""
    global _FORKED
    # The parent also loads every child's results: give it a smaller share (measured).
    first = len(entries) * 19 // (20 * workers)
    rest = len(entries) - first
    bounds = [0] + [first + rest * i // (workers - 1) for i in range(workers)]
    _FORKED = (classify, entries)
    try:
        ctx = multiprocessing.get_context("fork")
        # the parent classifies the first chunk itself while the children do the rest
        with ctx.Pool(workers - 1) as pool:
            pending = pool.map_async(_classify_range, list(pairwise(bounds[1:])))
            out = [classify(e) for e in entries[: bounds[1]]]
            for part in pending.get():
                out.extend(
                    Classification(relevant=r, treatments=t, kinds=k, evidence=e)
                    for r, t, k, e in marshal.loads(part)
                )
    finally:
        _FORKED = None
    return out
