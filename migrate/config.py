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
            kwargs[name] = value
        cfg = cls(**kwargs)
        cfg.validate(source)
        return cfg

    def validate(self, source: str = "<config>") -> None:
        if self.date_order not in ("ymd", "mdy", "dmy"):
            raise ConfigError(f"{source}: date_order must be ymd, mdy or dmy, not {self.date_order!r}")
        if self.slug_strategy not in ("auto", "title", "filename"):
            raise ConfigError(f"{source}: slug_strategy must be auto, title or filename")
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
