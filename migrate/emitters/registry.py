"""Find emitters: the ``migrate.emitters`` entry-point group, built-ins included.

Built-ins are registered through the same group in ``pyproject.toml``; the fallback table
below only matters when the package runs from a source tree that was never installed.
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from ..errors import MigrateError

GROUP = "migrate.emitters"
BUILTINS = {
    "json": "migrate.emitters.json:JsonEmitter",
    "markdown": "migrate.emitters.markdown:MarkdownEmitter",
    "hugo": "migrate.emitters.hugo:HugoEmitter",
    "jekyll": "migrate.emitters.jekyll:JekyllEmitter",
}


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    return getattr(importlib.import_module(module), attr)


def available() -> dict[str, str]:
    """Name -> ``module:object`` of every installed emitter, sorted by name."""
    found = dict(BUILTINS)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return dict(sorted(found.items()))


def get(name: str) -> Any:
    """An emitter instance by name (``pandoc:FORMAT`` goes to the pandoc bridge)."""
    base, _, arg = name.partition(":")
    specs = available()
    if base not in specs:
        raise MigrateError(f"unknown target '{name}'; installed: {', '.join(specs)}", code="unknown-target")
    try:
        obj = _load(specs[base])
    except (ImportError, AttributeError) as e:
        raise MigrateError(f"emitter '{base}' cannot be loaded: {e}", code="emitter-load") from e
    if isinstance(obj, type):
        obj = obj(arg) if arg else obj()
    elif arg:
        raise MigrateError(f"emitter '{base}' takes no ':{arg}' argument", code="unknown-target")
    return obj


def describe() -> dict[str, str]:
    """Name -> one-line description (or the load error) for ``migrate emitters``."""
    out = {}
    for name in available():
        try:
            out[name] = getattr(get(name), "description", "").splitlines()[0]
        except (MigrateError, IndexError) as e:
            out[name] = f"(unavailable: {e})"
    return out
