"""Find emitters: the ``migrate.emitters`` entry-point group, built-ins included.

Built-ins are registered through the same group in ``pyproject.toml``; the fallback table
below only matters when the package runs from a source tree whose installed metadata is
older than the code (or that was never installed).

A plugin that cannot be loaded (its import fails, its object is not an emitter) never
breaks the others: ``describe`` lists it as unavailable with the reason, and ``get``
raises :class:`~migrate.errors.MigrateError` naming it, never a bare traceback.
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
    "html": "migrate.emitters.html:HtmlEmitter",
    "pandoc": "migrate.emitters.pandoc:PandocEmitter",
}


def _load(spec: str) -> Any:
    module, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split(".") if attr else ():
        obj = getattr(obj, part)
    return obj


def available() -> dict[str, str]:
    """Name -> ``module:object`` of every installed emitter, sorted by name."""
    found = dict(BUILTINS)
    for ep in entry_points(group=GROUP):
        found[ep.name] = ep.value
    return dict(sorted(found.items()))


def load(name: str) -> Any:
    """The registered object (usually a class) for a base target name, not instantiated."""
    specs = available()
    if name not in specs:
        raise MigrateError(f"unknown target '{name}'; installed: {', '.join(specs)}", code="unknown-target")
    try:
        obj = _load(specs[name])
    except Exception as e:  # a plugin's import may fail in any way; it must not crash the CLI
        raise MigrateError(
            f"emitter '{name}' ({specs[name]}) cannot be loaded: {type(e).__name__}: {e}", code="emitter-load"
        ) from e
    missing = [a for a in ("emit", "output_path") if not callable(getattr(obj, a, None))]
    if missing:
        raise MigrateError(
            f"emitter '{name}' ({specs[name]}) is not an emitter: no {' or '.join(missing)}()",
            code="emitter-load",
        )
    return obj


def get(name: str) -> Any:
    """An emitter instance by name; ``base:ARG`` passes ARG to the class (``pandoc:docx``)."""
    base, _, arg = name.partition(":")
    obj = load(base)
    if isinstance(obj, type):
        try:
            obj = obj(arg) if arg else obj()
        except MigrateError:
            raise
        except TypeError as e:
            if arg:
                raise MigrateError(
                    f"emitter '{base}' takes no ':{arg}' argument ({e})", code="unknown-target"
                ) from e
            raise MigrateError(f"emitter '{base}' cannot be created: {e}", code="emitter-load") from e
        except Exception as e:
            raise MigrateError(
                f"emitter '{base}' cannot be created: {type(e).__name__}: {e}", code="emitter-load"
            ) from e
    elif arg:
        raise MigrateError(f"emitter '{base}' takes no ':{arg}' argument", code="unknown-target")
    return obj


def describe() -> dict[str, str]:
    """Name -> one-line description (or why it is unavailable) for ``migrate emitters``.

    Emitters are not instantiated (``pandoc`` needs a format to be); an emitter may define
    ``unavailable_reason()`` returning why it cannot run here ("" when it can).
    """
    out = {}
    for name in available():
        try:
            obj = load(name)
            lines = str(getattr(obj, "description", "") or "").strip().splitlines()
            desc = lines[0] if lines else "(no description)"
            check = getattr(obj, "unavailable_reason", None)
            reason = check() if callable(check) else ""
            out[name] = f"{desc} (unavailable: {reason})" if reason else desc
        except MigrateError as e:
            out[name] = f"(unavailable: {e})"
        except Exception as e:  # a plugin's description or check misbehaving
            out[name] = f"(unavailable: {type(e).__name__}: {e})"
    return out
