"""Rebuild a document bottom-up, replacing chosen nodes: the one traversal every transform uses."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any


def rebuild(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Return ``node`` with every dataclass descendant passed through ``fn`` (children first).

    Tuples are rebuilt only when something inside changed, so untouched subtrees are shared.
    """
    if isinstance(node, tuple):
        new = tuple(rebuild(x, fn) for x in node)
        return node if all(a is b for a, b in zip(new, node, strict=False)) else new
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, tuple) or dataclasses.is_dataclass(value):
                new = rebuild(value, fn)
                if new is not value:
                    changes[f.name] = new
        if changes:
            node = dataclasses.replace(node, **changes)
        return fn(node)
    return node
