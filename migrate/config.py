"""Configuration: one frozen dataclass, loaded from ``migrate.toml``.

Every knob has a safe default, so ``Config()`` is a valid configuration.  Unknown keys in
a file are an error with a suggestion (a typo must never be silently ignored).
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


@dataclass(frozen=True)
class MetaDirective:
    """Teach the reader a metadata directive (e.g. rstblog's ``.. rstblog-settings::``).

    ``fields`` maps the directive's option names to metadata keys (``url`` -> ``aliases``);
    options not listed keep their own name.  ``argument`` names the key that receives the
    directive argument, if any (ABlog's ``.. post:: DATE`` uses ``date``).
    """

    name: str
    dialect: str = ""
    argument: str = ""
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    # --- reading
    timezone: str = "UTC"
    """Zone given to naive dates (IANA name such as ``Europe/Paris``, or ``UTC``)."""
    date_order: str = "ymd"
    """How to read ambiguous numeric dates such as ``07-01-2013``: ``mdy`` or ``dmy``; ``ymd``
    (the default) refuses to guess and reports an error naming the file and line."""
    tag_separators: str = ","
    """Characters that split a one-string tag list; when none occur, whitespace splits."""
    category_separators: str = ","
    file_insertion: bool = False
    """Allow ``include``, ``raw :file:``, ``csv-table :file:`` (off: untrusted posts)."""
    raw: bool = False
    """Allow ``raw`` passthrough directives and roles (off: untrusted posts)."""
    encoding: str = "utf-8"
    encoding_fallback: str = ""
    """Decode with this codec (reported) when a file is not valid in ``encoding``."""
    meta_directives: tuple[MetaDirective, ...] = ()
    """Extra metadata directives (dialects) taught by the user."""
    # --- metadata rules
    default_author: str = ""
    slug_strategy: str = "auto"
    """``auto``: explicit slug > file name > title; ``title``: always from the title;
    ``filename``: always from the file name."""
    unicode_slugs: bool = False
    """Keep non-ASCII letters in slugs instead of transliterating them."""
    tag_case: str = "keep"
    """``keep`` tags as written, ``lower`` them, or ``merge`` spellings that differ only in case
    (the first spelling seen in the batch wins, e.g. ``OpenStack``/``openstack``)."""
    tag_rename: dict[str, str] = field(default_factory=dict)
    """Rename (or merge, by giving several the same name) tags: ``{"py" = "python"}``."""
    category_rename: dict[str, str] = field(default_factory=dict)
    move_keys: dict[str, str] = field(default_factory=dict)
    """Move one metadata key into another, e.g. ``{"categories" = "tags"}`` appends categories to tags."""
    drop_keys: tuple[str, ...] = ()
    """Metadata keys (normalized names or ``extra`` keys) to drop from the output."""
    # --- the old site and the new one
    old_permalink: tuple[str, ...] = ()
    """URL patterns of the old site, e.g. ``/x/blog/{year}/{month}/{day}/{title_slug}/``.
    Placeholders: {year} {month} {day} {slug} {title_slug} {filename}."""
    old_base_url: str = ""
    """The old site's address; absolute links to it are treated as internal."""
    static_root: str = ""
    """Folder holding the old site's static files (images, downloads), relative to the config file."""
    hugo_section: str = "posts"
    hugo_permalink: str = "/{section}/{slug}/"
    hugo_links: str = "ref"
    """Internal links in Hugo output: ``ref`` (``{{< ref >}}`` shortcodes, checked by Hugo) or ``url``."""
    jekyll_permalink: str = "/{year}/{month}/{day}/{slug}/"
    jekyll_links: str = "post_url"
    """Internal links in Jekyll output: ``post_url`` (``{% post_url %}`` tags) or ``url``."""
    markdown_permalink: str = "/{slug}/"
    html_permalink: str = "/{slug}/"
    front_matter_names: dict[str, str] = field(default_factory=dict)
    """Rename front matter fields on output, e.g. ``{"summary" = "description"}``."""

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{p}: cannot read configuration: {e}") from e
        return cls.from_dict(data, source=str(p))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<config>") -> Config:
        known = {f.name: f for f in dataclasses.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            name = key.replace("-", "_")
            if name not in known:
                hint = difflib.get_close_matches(name, known, n=1)
                more = f" (did you mean '{hint[0]}'?)" if hint else ""
                raise ConfigError(f"{source}: unknown configuration key '{key}'{more}")
            if name == "meta_directives":
                value = tuple(_meta_directive(v, source) for v in _as_list(value))
            elif name in ("old_permalink", "drop_keys") and isinstance(value, str):
                value = (value,)
            elif isinstance(value, list):
                value = tuple(value)
            kwargs[name] = value
        cfg = cls(**kwargs)
        cfg.validate(source)
        return cfg

    def validate(self, source: str = "<config>") -> None:
        if self.date_order not in ("ymd", "mdy", "dmy"):
            raise ConfigError(f"{source}: date_order must be ymd, mdy or dmy, not {self.date_order!r}")
        if self.slug_strategy not in ("auto", "title", "filename"):
            raise ConfigError(f"{source}: slug_strategy must be auto, title or filename")
        if self.tag_case not in ("keep", "lower", "merge"):
            raise ConfigError(f"{source}: tag_case must be keep, lower or merge")
        if self.hugo_links not in ("ref", "url"):
            raise ConfigError(f"{source}: hugo_links must be ref or url")
        if self.jekyll_links not in ("post_url", "url"):
            raise ConfigError(f"{source}: jekyll_links must be post_url or url")
        for pattern in self.old_permalink:
            _check_pattern(pattern, source)
        from .dates import zone

        try:
            zone(self.timezone)
        except ValueError as e:
            raise ConfigError(f"{source}: {e}") from e


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, dict):  # [meta_directives.rstblog-settings] tables
        return [{"name": k, **v} for k, v in value.items()]
    return list(value)


def _meta_directive(value: Any, source: str) -> MetaDirective:
    if isinstance(value, MetaDirective):
        return value
    allowed = {f.name for f in dataclasses.fields(MetaDirective)}
    bad = set(value) - allowed
    if bad:
        raise ConfigError(f"{source}: unknown key(s) {sorted(bad)} in meta_directives")
    return MetaDirective(**value)


PLACEHOLDERS = ("year", "month", "day", "slug", "title_slug", "filename", "section", "categories")


def _check_pattern(pattern: str, source: str) -> None:
    import string

    for _, name, _, _ in string.Formatter().parse(pattern):
        if name is not None and name not in PLACEHOLDERS:
            hint = difflib.get_close_matches(name, PLACEHOLDERS, n=1)
            more = f" (did you mean '{{{hint[0]}}}'?)" if hint else ""
            raise ConfigError(f"{source}: unknown placeholder '{{{name}}}' in {pattern!r}{more}")
