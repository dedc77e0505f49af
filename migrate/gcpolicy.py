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
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")


def per_item(items: Iterable[T]) -> Iterator[T]:
    """Yield ``items``; collect the young generation after each one, automatic GC paused."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for item in items:
            yield item
            gc.collect(0)
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """Automatic collection paused (the caller's state restored at the end); young
    collections still run where :func:`per_item` asks for them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
