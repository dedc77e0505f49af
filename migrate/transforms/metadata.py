"""Metadata rules from the configuration: renames, case merging, moved and dropped keys.

``canonical_tags`` needs the whole batch (the first spelling seen wins), so it runs once
over pass 1's documents; ``apply_rules`` is then a pure function per post.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from ..config import Config
from ..model import Metadata

LIST_FIELDS = ("tags", "categories", "authors", "aliases")


def canonical_tags(metas: Iterable[Metadata], config: Config) -> dict[str, str]:
    """Lower-cased tag or category -> the spelling used for it in the output."""
    if config.tag_case != "merge":
        return {}
    seen: dict[str, str] = {}
    for meta in metas:
        for value in (*meta.tags, *meta.categories):
            renamed = config.tag_rename.get(value, config.category_rename.get(value, value))
            seen.setdefault(renamed.lower(), renamed)
    return seen


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _terms(values: Iterable[str], renames: dict[str, str], config: Config, canonical: dict[str, str]):
    out = []
    for v in values:
        v = renames.get(v, v)
        if config.tag_case == "lower":
            v = v.lower()
        elif config.tag_case == "merge":
            v = canonical.get(v.lower(), v)
        out.append(v)
    return _dedupe(out)


def apply_rules(meta: Metadata, config: Config, canonical: dict[str, str] | None = None) -> Metadata:
    """The post's metadata after the configured rules (identity when none are set)."""
    canonical = canonical or {}
    values = {f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)}
    extra = dict(meta.extra)
    for src, dest in config.move_keys.items():
        moved = values.get(src) if src in values else extra.get(src)
        if moved in (None, "", ()):
            continue
        moved_list = tuple(moved) if isinstance(moved, (tuple, list)) else (str(moved),)
        if dest in LIST_FIELDS:
            values[dest] = (*values[dest], *moved_list)
        elif dest in values:
            values[dest] = moved if not isinstance(moved, (tuple, list)) else ", ".join(moved_list)
        else:
            extra[dest] = list(moved_list) if isinstance(moved, (tuple, list)) else moved
        if src in values:
            values[src] = type(values[src])() if isinstance(values[src], tuple) else ""
        else:
            extra.pop(src, None)
    for key in config.drop_keys:
        if key in values and key not in ("title",):
            default = next(f for f in dataclasses.fields(meta) if f.name == key)
            values[key] = (
                default.default if default.default is not dataclasses.MISSING else default.default_factory()
            )  # type: ignore[misc]
        extra.pop(key, None)
    values["tags"] = _terms(values["tags"], config.tag_rename, config, canonical)
    values["categories"] = _terms(values["categories"], config.category_rename, config, canonical)
    values["extra"] = extra
    return Metadata(**values)
