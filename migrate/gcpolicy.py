"""Garbage collection paced by post, not by allocation count.

docutils leaves every parsed document as a web of reference cycles (state machines, bound
transition methods, ``node.parent``), so CPython's collector runs every 700 allocations and
its full scans walk the whole batch record again and again: about a fifth of a serial run
(docs/performance.md).  Inside a chunk of posts the automatic collector is paused and one
young-generation collection runs after each post, which frees that post's cycles while they
are still young; the caller's collector state is restored when the chunk ends.

The main process of a batch pauses it too (:func:`paused`): what it builds (the cache index
it loaded, the site index, per-post records) is long-lived and has no cycles, so each
automatic collection only walks it again: a third of a re-run in which nothing changed.

Two things would still pile up as a batch runs, so it collects more every 64 posts
(:func:`between_chunks`): cycles that outlived their young collection (an SQLite connection
refers to itself through its statement cache) wait in the older generations, which nothing
collects while the collector is paused; and CPython's free lists (up to 2,000 spare tuples
of each length) fill up, which only a full collection empties.  Together they made the peak
memory of a 5,000-post batch grow by 2 to 4 MB over a 500-post one (docs/performance.md).
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def per_item(items: Iterable[T]) -> Iterator[T]:
    """Yield ``items``; collect the young generation after each one, automatic GC paused, and
    the older ones when they are done (:func:`between_chunks`)."""
    was_enabled = gc.isenabled()
    gc.disable()
    done = 0
    try:
        for item in items:
            yield item
            gc.collect(0)
            done += 1
    finally:
        between_chunks(done)
        if was_enabled:
            gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """Automatic collection paused (the caller's state restored at the end); young
    collections still run where :func:`per_item` asks for them."""
    was_enabled = gc.isenabled()
    gc.disable()
    # what the process held before the batch is set aside (``gc.freeze``), so that the full
    # collections of :func:`between_chunks` walk only what the batch made; given back after
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
        if was_enabled:
            gc.enable()


OLDER_EVERY = 64
"""Posts between two collections of the older generation (see :func:`between_chunks`)."""

FULL_EVERY = 256
"""Posts between two full collections (see :func:`between_chunks`)."""

_since_older = 0
_since_full = 0


def between_chunks(posts: int) -> None:
    """After a chunk of ``posts`` is finished: every ``OLDER_EVERY`` posts, the older
    generation too (what survived a young collection and died later, e.g. an SQLite
    connection, which is a cycle), and every ``FULL_EVERY`` posts a full collection, which
    also empties CPython's free lists (up to 2,000 spare tuples of each size: megabytes that
    fill up as a batch runs).  Counted in posts, not chunks: a re-run that renders one post
    walks no older generation (there, the cache index it loaded)."""
    global _since_older, _since_full
    _since_older += posts
    _since_full += posts
    if _since_full >= FULL_EVERY:
        _since_older = _since_full = 0
        gc.collect()
    elif _since_older >= OLDER_EVERY:
        _since_older = 0
        gc.collect(1)
