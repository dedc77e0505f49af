"""Rebuild a document bottom-up, replacing chosen nodes: the one traversal every transform uses."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from ..model import child_fields


def rebuild(node: Any, fn: Callable[[Any], Any]) -> Any:
    """Return ``node`` with every dataclass descendant passed through ``fn`` (children first).

    Tuples are rebuilt only when something inside changed, so untouched subtrees are shared.
    """
    if isinstance(node, tuple):
        if not node:
            return node
        new = tuple(rebuild(x, fn) for x in node)
        return node if all(a is b for a, b in zip(new, node, strict=False)) else new
    cls = type(node)
    if hasattr(cls, "__dataclass_fields__"):
        changes = {}
        for name in child_fields(cls):
            value = getattr(node, name)
            if isinstance(value, tuple) or hasattr(type(value), "__dataclass_fields__"):
                new = rebuild(value, fn)
                if new is not value:
                    changes[name] = new
        if changes:
            node = dataclasses.replace(node, **changes)
        return fn(node)
    return node
