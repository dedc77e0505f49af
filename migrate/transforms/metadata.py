"""Metadata rules from the configuration: renames, case merging, moved and dropped keys.

``canonical_tags`` needs the whole batch (the first spelling seen wins), so it runs once
over pass 1's metadata; ``apply_rules`` is then a pure function per post.  The order is:
move keys, drop keys, then rename and case-fold tags and categories (so a category moved
into the tags is renamed and merged like any tag).

Key names in ``move_keys`` and ``drop_keys`` may be written the way posts write them
(``category``, ``author``, ``description``): they are read as the normalized field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import Config
from ..model import Metadata

LIST_FIELDS = ("tags", "categories", "authors", "aliases")
KEEP = ("title",)
"""Fields ``drop_keys`` refuses to drop (every target needs a title)."""


def field_name(key: str) -> str:
    """The normalized Metadata field a key names (``category`` -> ``categories``), else the key."""
    from ..readers.metadata import _FIELD_OF

    k = key.strip().lower().replace("-", "_")
    names = {f.name for f in dataclasses.fields(Metadata)}
    if k in names:
        return k
    return _FIELD_OF.get(k, key)


def _renamed(value: str, renames: Mapping[str, str]) -> str:
    """Exact match first, then ignoring case (``OpenStack`` and ``openstack`` rename alike)."""
    if value in renames:
        return renames[value]
    folded = value.casefold()
    for k, v in renames.items():
        if k.casefold() == folded:
            return v
    return value


def canonical_tags(metas: Iterable[Metadata | None], config: Config) -> dict[str, str]:
    """Case-folded tag or category -> the spelling used for it in the output (``tag_case = "merge"``)."""
    if config.tag_case != "merge":
        return {}
    seen: dict[str, str] = {}
    for meta in metas:
        if meta is None:
            continue
        meta = _moved(meta, config)
        for value in meta.tags:
            renamed = _renamed(value, config.tag_rename)
            seen.setdefault(renamed.casefold(), renamed)
        for value in meta.categories:
            renamed = _renamed(value, config.category_rename)
            seen.setdefault(renamed.casefold(), renamed)
    return seen


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _terms(values: Iterable[str], renames: Mapping[str, str], config: Config, canonical: Mapping[str, str]):
    out = []
    for v in values:
        v = _renamed(v, renames)
        if config.tag_case == "lower":
            v = v.lower()
        elif config.tag_case == "merge":
            v = canonical.get(v.casefold(), v)
        out.append(v)
    return _dedupe(out)


def _empty(meta: Metadata, key: str) -> Any:
    f = next(f for f in dataclasses.fields(meta) if f.name == key)
    return f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]


def _moved(meta: Metadata, config: Config) -> Metadata:
    """``move_keys`` applied: the source key's value is appended to (or replaces) the destination."""
    if not config.move_keys:
        return meta
    values = {f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)}
    extra = dict(meta.extra)
    for src_key, dest_key in config.move_keys.items():
        src, dest = field_name(src_key), field_name(dest_key)
        if src == dest:
            continue
        moved = values[src] if src in values else extra.get(src_key, extra.get(src))
        if moved in (None, "", (), []):
            continue
        as_list = tuple(str(v) for v in moved) if isinstance(moved, (tuple, list)) else (str(moved),)
        if dest in LIST_FIELDS:
            values[dest] = (*values[dest], *as_list)
        elif dest in values:
            values[dest] = ", ".join(as_list) if isinstance(moved, (tuple, list)) else moved
        else:
            extra[dest_key] = list(as_list) if isinstance(moved, (tuple, list)) else moved
        if src in values:
            values[src] = _empty(meta, src)
        else:
            extra.pop(src_key, None)
            extra.pop(src, None)
    values["extra"] = extra
    return Metadata(**values)


def apply_rules(meta: Metadata, config: Config, canonical: Mapping[str, str] | None = None) -> Metadata:
    """The post's metadata after the configured rules (identity when none are set)."""
    canonical = canonical if canonical is not None else canonical_tags([meta], config)
    meta = _moved(meta, config)
    values = {f.name: getattr(meta, f.name) for f in dataclasses.fields(meta)}
    extra = dict(meta.extra)
    for key in config.drop_keys:
        name = field_name(key)
        if name in values and name not in KEEP and name != "extra":
            values[name] = _empty(meta, name)
        extra.pop(key, None)
        extra.pop(name, None)
    values["tags"] = _terms(values["tags"], config.tag_rename, config, canonical)
    values["categories"] = _terms(values["categories"], config.category_rename, config, canonical)
    values["extra"] = extra
    return Metadata(**values)
