"""Canonical paths of sources, cheaply.

Posts are named by their real path everywhere (the site index, cache keys), so every post is
resolved several times per run.  ``os.path.realpath`` checks every part of the path with one
system call each, in Python; the posts of a batch share a few folders, so the folder is
resolved once and only the file name is checked for a link.
"""

from __future__ import annotations

import functools
import os
import stat


@functools.lru_cache(maxsize=4096)
def _real_folder(cwd: str, folder: str) -> str:
    return os.path.realpath(os.path.join(cwd, folder))


def real_path(path: str | os.PathLike) -> str:
    """``os.path.realpath(path)``, with the folder's resolution kept for the next file in it.

    A folder's links are read once per process and folder: a batch does not change its own
    source tree (:func:`forget` for callers that do, between batches)."""
    p = os.fspath(path)
    folder, name = os.path.split(p)
    if name in ("", ".", ".."):
        return os.path.realpath(p)
    full = os.path.join(_real_folder(os.getcwd(), folder), name)
    try:
        if stat.S_ISLNK(os.lstat(full).st_mode):
            return os.path.realpath(full)
    except OSError:
        pass  # does not exist: realpath would not resolve it either
    return full


def forget() -> None:
    """Drop the folders resolved so far (a new batch may run on a changed tree)."""
    _real_folder.cache_clear()
