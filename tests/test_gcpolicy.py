"""The batch's collector policy: young collections per post, older ones per chunk, the
caller's objects set aside and given back (see migrate/gcpolicy.py)."""

from __future__ import annotations

import gc
import weakref

import pytest

from migrate import gcpolicy


class Node:
    pass


def _cycle(holder: list) -> weakref.ref:
    node = Node()
    node.me = node  # a cycle: only a collection frees it
    holder.append(node)
    return weakref.ref(node)


def test_a_cycle_that_outlived_its_young_collection_is_freed_when_the_chunk_ends():
    """Like an SQLite connection dropped mid-chunk: alive at item 0's young collection (so
    promoted to an older generation), garbage after item 1: the chunk's end frees it."""
    holder: list = []
    ref = None
    for i in gcpolicy.per_item(range(gcpolicy.OLDER_EVERY)):
        if i == 0:
            ref = _cycle(holder)
        elif i == 1:
            holder.clear()
        else:
            assert ref is not None and ref() is not None  # young collections alone leave it
    assert ref is not None and ref() is None


def test_older_collections_are_paced_by_posts_not_chunks(monkeypatch):
    calls: list[int] = []
    monkeypatch.setattr(gcpolicy, "_since_full", 0)
    monkeypatch.setattr(gcpolicy, "_since_older", 0)
    monkeypatch.setattr(gc, "collect", lambda generation=2: calls.append(generation) or 0)
    for _ in range(10):  # ten chunks of 64 posts
        for _ in gcpolicy.per_item(range(64)):
            pass
    ends = [g for g in calls if g != 0]
    assert calls.count(0) == 640  # one young collection per post
    assert ends == [1, 1, 1, 2, 1, 1, 1, 2, 1, 1]  # one per chunk, a full one every 256 posts
    calls.clear()
    for _ in range(3):  # a re-run's chunk of one post: only young collections
        for _ in gcpolicy.per_item(range(1)):
            pass
    assert calls == [0, 0, 0]


def test_a_batch_sets_the_callers_objects_aside_and_gives_them_back():
    if gc.get_freeze_count():
        pytest.skip("something froze objects before this test")
    with gcpolicy.paused():
        assert gc.get_freeze_count() > 0 and not gc.isenabled()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    gc.freeze()  # a caller that froze its own objects (e.g. before forking workers) keeps them frozen
    try:
        frozen = gc.get_freeze_count()
        with gcpolicy.paused():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
