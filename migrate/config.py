"""Configuration: one frozen dataclass, loaded from ``migrate.toml``.

Every knob has a safe default, so ``Config()`` is a valid configuration.  Unknown keys in
a file are an error with a suggestion (a typo must never be silently ignored).
"""

from __future__ import annotations

import dataclasses
import difflib
import os
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
    """Like ``tag_separators``, for categories."""
    file_insertion: bool = False
    """Allow ``include``, ``raw :file:``, ``csv-table :file:`` (off: untrusted posts)."""
    raw: bool = False
    """Allow ``raw`` passthrough directives and roles (off: untrusted posts)."""
    encoding: str = "utf-8"
    """Encoding of the posts (a BOM is dropped)."""
    encoding_fallback: str = ""
    """Decode with this codec (reported) when a file is not valid in ``encoding``."""
    meta_directives: tuple[MetaDirective, ...] = ()
    """Extra metadata directives (dialects) taught by the user."""
    # --- metadata rules
    default_author: str = ""
    """Author of posts that name none (or name Tinkerer's ``default``)."""
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
    """Rename (or merge) categories, like ``tag_rename``."""
    move_keys: dict[str, str] = field(default_factory=dict)
    """Move one metadata key into another, e.g. ``{category = "tags"}`` appends the categories to
    the tags and leaves none.  Keys may be written as posts write them (``category``,
    ``author``, ``description``) or as extra keys; a moved list is appended to a list field."""
    drop_keys: tuple[str, ...] = ()
    """Metadata keys (normalized names or ``extra`` keys) to drop from the output."""
    # --- the old site and the new one
    old_permalink: tuple[str, ...] = ()
    """URL patterns of the old site (one or a list), e.g. ``/x/blog/{year}/{month}/{day}/{title_slug}/``,
    relative to ``old_base_url``.  Placeholders: {year} {month} {day} {slug} {title_slug}
    {filename} {categories}.  Each post gets the URLs as aliases, and links to them are rewritten."""
    old_base_url: str = ""
    """The old site's address; absolute links to it are treated as internal."""
    static_root: str = ""
    """Folder holding the old site's static files (images, downloads), relative to the config file.
    Site-absolute links (``/images/a.png``) are looked up here, then in the source directories."""
    hugo_section: str = "posts"
    """Hugo content section of the posts (``content/<section>/``)."""
    hugo_permalink: str = "/{section}/{slug}/"
    """URL of a post on the Hugo site (must match the site's ``permalinks`` setting)."""
    hugo_links: str = "ref"
    """Internal links in Hugo output: ``ref`` (``{{< ref >}}`` shortcodes, checked by Hugo) or ``url``."""
    jekyll_permalink: str = "/{year}/{month}/{day}/{slug}/"
    """URL of a post on the Jekyll site (must match the site's ``permalink`` setting)."""
    jekyll_links: str = "post_url"
    """Internal links in Jekyll output: ``post_url`` (``{% post_url %}`` tags) or ``url``."""
    markdown_permalink: str = "/{slug}/"
    """URL of a post in plain Markdown output (``{slug}.md`` links the files themselves)."""
    html_permalink: str = "/{slug}/"
    """URL of a post in HTML output."""
    front_matter_names: dict[str, Any] = field(default_factory=dict)
    """Rename front matter fields on output: ``{"summary" = "description"}`` for every target,
    or per target in a table such as ``[front_matter_names.jekyll]`` with ``excerpt =
    "description"`` (names as that target writes them; per-target entries win).  An empty
    new name drops the field."""

    def field_names(self, target: str) -> dict[str, str]:
        """The front matter renames that apply to ``target`` (``hugo``, ``jekyll``, ``markdown``...)."""
        names = {k: v for k, v in self.front_matter_names.items() if isinstance(v, str)}
        names.update(self.front_matter_names.get(target.split(":", 1)[0], None) or {})
        return names

    @classmethod
    def from_file(cls, path: str | Path) -> Config:
        """Load ``migrate.toml``; ``static_root`` is read relative to the file's folder."""
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise ConfigError(f"{p}: cannot read configuration: {e}") from e
        static = data.get("static_root", data.get("static-root"))
        if isinstance(static, str) and static and not Path(static).is_absolute():
            data = {k: v for k, v in data.items() if k not in ("static_root", "static-root")}
            data["static_root"] = Path(os.path.normpath(p.resolve().parent / static)).as_posix()
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
            else:
                value = _check_type(name, value, getattr(_DEFAULT, name), source)
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
        for pattern in (
            *self.old_permalink,
            self.hugo_permalink,
            self.jekyll_permalink,
            self.markdown_permalink,
            self.html_permalink,
        ):
            _check_pattern(pattern, source)
        from .dates import zone

        try:
            zone(self.timezone)
        except ValueError as e:
            raise ConfigError(f"{source}: {e}") from e


_DEFAULT = Config()
ONE_OR_MANY = ("old_permalink", "drop_keys")
"""Keys that take one string or a list of strings."""


def _type_name(value: Any) -> str:
    return {str: "a string", bool: "true or false", int: "a number", float: "a number", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)  # fmt: skip


def _check_type(name: str, value: Any, default: Any, source: str) -> Any:
    """``value`` converted to the type of the key's default, or a ConfigError saying what is wrong."""
    where = f"{source}: '{name}'"
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, not {_type_name(value)}")
        return value
    if isinstance(default, str):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, not {_type_name(value)}")
        return value
    if isinstance(default, tuple):
        if isinstance(value, str) and name in ONE_OR_MANY:
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings")
        return tuple(value)
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ConfigError(f'{where} must be a table (e.g. {{ old = "new" }}), not {_type_name(value)}')
        for k, v in value.items():
            if name == "front_matter_names" and isinstance(v, dict):
                _check_target(k, f"{source}: '{name}.{k}'")
                if not all(isinstance(x, str) for x in v.values()):
                    raise ConfigError(f"{source}: '{name}.{k}': every value must be a string")
            elif not isinstance(v, str):
                raise ConfigError(f"{where}: the value of '{k}' must be a string, not {_type_name(v)}")
        return dict(value)
    return value  # pragma: no cover - every key has one of the types above


def _check_target(name: str, where: str) -> None:
    from .emitters import registry

    names = list(registry.available())
    if name not in names:
        hint = difflib.get_close_matches(name, names, n=1)
        more = f" (did you mean '{hint[0]}'?)" if hint else f" (targets: {', '.join(sorted(names))})"
        raise ConfigError(f"{where}: unknown target '{name}'{more}")


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
