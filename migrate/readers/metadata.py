"""Metadata dialects: find them, then merge them into one normalized :class:`Metadata`.

Two steps, kept apart so the second is pure:

1. :func:`split_front_matter` (text) and :func:`read_sidecar` (a Nikola ``.meta`` file)
   find metadata *outside* the rST body: YAML ``---``, TOML ``+++``, Nikola ``.. key:``
   comments, Nikola's legacy line-per-field ``.meta``.  The body keeps the file's line
   numbers (front matter lines become empty lines) so docutils reports true lines.
2. :func:`build_metadata` merges those with what the rST reader found *inside* the body
   (:class:`~migrate.readers.base.MetaHit`: Pelican docinfo, Tinkerer, ABlog, ``.. meta::``,
   user-taught directives), the promoted document title and the file path.

Precedence: front matter > sidecar > in-body hits > document title > path.  Per field the
first source with a non-empty value wins.  Unknown keys are never dropped: they land in
``Metadata.extra`` (lower-cased, JSON-safe) with an ``unknown-metadata`` info diagnostic.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from ..config import Config
from ..dates import date_from_path, parse_date, zone
from ..errors import SourceError
from ..model import Block, Diagnostic, Heading, Metadata, SummaryBreak, plain_text
from ..slug import safe_slug, slugify, stem_slug
from .base import MetaHit

__all__ = ["FrontMatter", "split_front_matter", "read_sidecar", "build_metadata"]


@dataclass(frozen=True)
class FrontMatter:
    """Metadata found outside the rST body.

    ``dialect``: ``yaml``, ``toml``, ``nikola`` (``.. key: value`` comments or legacy
    line-per-field ``.meta``) or ``""`` when there is none.  ``body`` is the text with the
    metadata lines blanked (line numbers preserved; empty for a sidecar).  ``lines`` maps
    lower-cased keys to 1-based lines in ``source`` (the file the metadata came from; set
    for sidecars, "" means the post itself).
    """

    raw: dict[str, Any]
    dialect: str
    body: str
    lines: dict[str, int] = field(default_factory=dict)
    source: str = ""


# --------------------------------------------------------------------------- front matter


class _YamlLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when present: ~10x faster
    """safe_load without implicit timestamps: dates stay strings so that :func:`parse_date`
    reads every date the same way and an impossible date is reported with its line
    (PyYAML would raise a bare ValueError while loading)."""


_YamlLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# `.. key: value` -- key starts with a letter (`.. _target:` is a hyperlink target) and is
# followed by ONE colon (`.. note::` is a directive).
_NIKOLA_LINE = re.compile(r"^\.\.[ \t]+([A-Za-z][\w.-]*):(?!:)(?:[ \t]+(.*?))?[ \t]*$")
_TOML_KEY = re.compile(r"""^[ \t]*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))[ \t]*=""")
_TOML_TABLE = re.compile(r"^[ \t]*\[")


def split_front_matter(text: str, path: str = "") -> FrontMatter:
    """Split YAML (``---``), TOML (``+++``) or Nikola (``.. key: value``) metadata off the
    top of ``text``.  Malformed front matter raises :class:`SourceError` with its line."""
    bom = text.startswith("\ufeff")
    if bom:
        text = text[1:]
    lines = text.splitlines(keepends=True)
    first = lines[0].rstrip("\r\n").rstrip() if lines else ""
    if first == "---":
        return _fenced(lines, "---", ("---", "..."), "yaml", path)
    if first == "+++":
        return _fenced(lines, "+++", ("+++",), "toml", path)
    if _NIKOLA_LINE.match(first):
        return _nikola(lines)
    return FrontMatter({}, "", text)


def _fenced(lines: list[str], opener: str, closers: tuple[str, ...], dialect: str, path: str) -> FrontMatter:
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if end is None:
        raise SourceError(
            f"front matter opened at line 1 with '{opener}' is never closed", path, 1, code="front-matter"
        )
    inner = "".join(lines[1:end])
    if dialect == "yaml" and _looks_like_rst_overline(lines, end):
        return FrontMatter({}, "", "".join(lines))
    raw, keylines = _load_yaml(inner, path) if dialect == "yaml" else _load_toml(inner, path)
    body = "\n" * (end + 1) + "".join(lines[end + 1 :])
    return FrontMatter(raw, dialect, body, keylines)


def _looks_like_rst_overline(lines: list[str], end: int) -> bool:
    """``---`` / ``Hi`` / ``---`` is an rST section title with overline, not YAML."""
    return end == 2 and ":" not in lines[1] and lines[1].strip() != "" and len(lines[1].strip()) <= 3


def _load_yaml(inner: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        loader = _YamlLoader(inner)  # a SafeLoader subclass: no arbitrary objects
        try:
            node = loader.get_single_node()  # parsed once: the node gives key lines, then the data
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1 for 1-based, +1 for the `---` line
        problem = getattr(e, "problem", None) or str(e)
        raise SourceError(f"invalid YAML front matter: {problem}", path, line, code="front-matter") from e
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SourceError(
            f"YAML front matter must be a mapping of keys to values, not a {_kind(data)}",
            path,
            2,
            code="front-matter",
        )
    keylines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for knode, _ in node.value:
            keylines.setdefault(str(knode.value).strip().lower(), knode.start_mark.line + 2)
    return {str(k): v for k, v in data.items()}, keylines


def _kind(v: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}.get(
        type(v), type(v).__name__
    )


def _load_toml(inner: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = tomllib.loads(inner)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"at line (\d+)", str(e))
        line = int(m.group(1)) + 1 if m else 2
        raise SourceError(f"invalid TOML front matter: {e}", path, line, code="front-matter") from e
    keylines: dict[str, int] = {}
    for i, ln in enumerate(inner.splitlines(), start=2):
        if _TOML_TABLE.match(ln):
            break  # keys of sub-tables are not top-level keys
        if m := _TOML_KEY.match(ln):
            keylines.setdefault((m.group(1) or m.group(2) or m.group(3)).lower(), i)
    return data, keylines


def _nikola(lines: list[str]) -> FrontMatter:
    raw: dict[str, Any] = {}
    keylines: dict[str, int] = {}
    n = 0
    for n, ln in enumerate(lines):  # noqa: B007 - n is used after the loop
        m = _NIKOLA_LINE.match(ln.rstrip("\r\n"))
        if not m:
            break
        key = m.group(1)
        raw.setdefault(key, (m.group(2) or "").strip())
        keylines.setdefault(key.lower(), n + 1)
    else:
        n = len(lines)
    body = "\n" * n + "".join(lines[n:])
    return FrontMatter(raw, "nikola", body, keylines)


# --------------------------------------------------------------------------- sidecar

_LEGACY_FIELDS = ("title", "slug", "date", "tags", "link", "description", "type")


def read_sidecar(path: Path) -> FrontMatter | None:
    """The Nikola ``.meta`` file next to ``path`` (``post.txt`` -> ``post.meta``), or None.

    Accepts ``.. key: value`` comments, YAML ``---`` or TOML ``+++`` blocks, and Nikola's
    legacy format (line 1 title, 2 slug, 3 date, 4 tags, 5 link, 6 description, 7 type).
    """
    meta = Path(path).with_suffix(".meta")
    if meta == Path(path) or not meta.is_file():
        return None
    try:
        text = meta.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise SourceError(f"cannot read metadata sidecar: {e}", str(meta), code="io") from e
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    fm = split_front_matter(text, str(meta))
    if not fm.dialect:
        lines = text.split("\n")
        raw = {k: lines[i].strip() for i, k in enumerate(_LEGACY_FIELDS) if i < len(lines)}
        fm = FrontMatter(raw, "nikola", "", {k: i + 1 for i, k in enumerate(_LEGACY_FIELDS) if k in raw})
    return FrontMatter(fm.raw, fm.dialect, "", fm.lines, str(meta))


# --------------------------------------------------------------------------- merging

# canonical field <- accepted keys (lower-cased, '-' read as '_')
_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "date": ("date", "pubdate", "pub_date"),
    "updated": ("updated", "modified", "lastmod", "last_modified", "updated_at"),
    "authors": ("authors", "author"),
    "tags": ("tags", "tag"),
    "categories": ("categories", "category"),
    "slug": ("slug",),
    "summary": ("summary", "description", "excerpt"),
    "lang": ("lang", "language"),
    "aliases": ("aliases", "url", "permalink", "redirect", "redirect_from"),
}
_FIELD_OF = {k: canon for canon, keys in _ALIASES.items() for k in keys}
_DRAFT_KEYS = {"draft", "status", "published"}
# Keys that dialects define and we keep in `extra` without calling them unknown.
_KNOWN_EXTRA = {
    "link",  # Nikola: link to the original
    "type",  # Nikola post type
    "comments",  # Tinkerer
    "nocomments",
    "location",  # ABlog
    "blogpost",  # ABlog field-list marker
    "keywords",
    "save_as",  # Pelican
    "template",
    "guid",  # Blogofile
    "filter",
    "filters",
    "encoding",
    "status",  # non-draft Pelican statuses (hidden, published)
    "previewimage",
    "password",
    "hidetitle",
    "has_math",
    "subtitle",
}
_TRUE = {"true", "yes", "on", "1", "y"}
_FALSE = {"false", "no", "off", "0", "n"}


@dataclass
class _Value:
    value: Any
    line: int
    path: str
    dialect: str
    key: str


@dataclass
class _Layer:
    dialect: str
    path: str
    items: list[tuple[str, Any, int]]  # (key as written, value, line)


def build_metadata(
    *,
    path: str,
    front: FrontMatter,
    sidecar: FrontMatter | None,
    hits: Sequence[MetaHit],
    title: str,
    blocks: Sequence[Block],
    config: Config,
) -> tuple[Metadata, str, list[Diagnostic]]:
    """Merge every metadata source of one post into a normalized :class:`Metadata`.

    Returns the metadata, the dialect name (``yaml``, ``toml``, ``nikola``, ``nikola-meta``,
    ``pelican``, ``tinkerer``, ``ablog``, ``docutils-meta``, a user dialect, ``filename``
    or ``none``) and diagnostics.  An unreadable date raises :class:`SourceError` naming
    the file and line of the date.  Pure: reads no file.
    """
    diags: list[Diagnostic] = []
    layers = _layers(path, front, sidecar, hits, config)

    chosen: dict[str, _Value] = {}  # canonical field -> winning value
    extra: dict[str, _Value] = {}
    draft_votes: list[_Value] = []
    for layer in layers:
        for key, value, line in layer.items:
            k = _norm_key(key, layer.dialect)
            v = _Value(value, line, layer.path, layer.dialect, k)
            if k in _DRAFT_KEYS and _draft_vote(v) is not None:
                draft_votes.append(v)
                continue
            canon = _FIELD_OF.get(k)
            if canon is not None:
                if canon not in chosen and not _empty(value):
                    chosen[canon] = v
                continue
            ek = str(key).strip().lower()
            if ek in extra or _empty(value):
                continue  # shadowed by a stronger source, or nothing to keep
            extra[ek] = v
            if k not in _KNOWN_EXTRA:
                diags.append(
                    Diagnostic(
                        "info",
                        "unknown-metadata",
                        f"metadata key '{key}' is not a known field; kept in extra",
                        layer.path,
                        line,
                    )
                )

    tz, order = config.timezone, config.date_order
    path_date = date_from_path(_real_path(path))
    post_date = _date(chosen.get("date"), tz, order, path_date, diags)
    updated = _date(chosen.get("updated"), tz, order, path_date, diags)
    if post_date is None and (d := path_date) is not None:
        post_date = datetime.combine(d, time(0, 0), tzinfo=zone(tz))
        diags.append(Diagnostic("info", "date-from-path", f"date {d.isoformat()} taken from the path", path))

    tags = _split_list(chosen.get("tags"), config.tag_separators)
    categories = _split_list(chosen.get("categories"), config.category_separators)
    authors = _authors(chosen.get("authors"), config)
    draft = _draft(draft_votes, chosen.get("tags"), hits, "date" in chosen)
    if draft and chosen.get("tags") is not None and chosen["tags"].dialect.startswith("nikola"):
        tags = tuple(t for t in tags if t.lower() != "draft")  # Nikola's special tag is a flag

    doc_title = _text(chosen["title"].value) if "title" in chosen else title.strip()
    if not doc_title:
        heading = next((b for b in blocks if isinstance(b, Heading)), None)
        doc_title = plain_text(heading.content) if heading is not None else stem_slug(path)
        diags.append(
            Diagnostic(
                "warning",
                "no-title",
                f"no title in the metadata or document; using {doc_title!r}",
                path,
            )
        )

    meta = Metadata(
        title=doc_title,
        date=post_date,
        updated=updated,
        authors=authors,
        tags=tags,
        categories=categories,
        slug=_slug(chosen.get("slug"), path, doc_title, config),
        summary=_summary(chosen.get("summary"), blocks),
        draft=draft,
        aliases=_split_list(chosen.get("aliases"), ",", whitespace=False),
        lang=_text(chosen["lang"].value) if "lang" in chosen else "",
        extra={k: _json_safe(v.value) for k, v in extra.items()},
    )
    if meta.date is None:
        diags.append(
            Diagnostic(
                "warning",
                "no-date",
                "no date in the metadata, file name or folders; date-based URLs cannot be made",
                path,
            )
        )
    return meta, _dialect(front, sidecar, hits, path, title), diags


def _layers(
    path: str, front: FrontMatter, sidecar: FrontMatter | None, hits: Sequence[MetaHit], config: Config
) -> list[_Layer]:
    layers: list[_Layer] = []
    if front.raw:
        layers.append(_Layer(front.dialect, front.source or path, _items(front)))
    if sidecar is not None and sidecar.raw:
        layers.append(_Layer("nikola-meta", sidecar.source or path, _items(sidecar)))
    renames = {(md.dialect or md.name): md.fields for md in config.meta_directives}
    renames.update({md.name: md.fields for md in config.meta_directives})
    # docutils `.. meta::` is HTML head metadata: weaker than any blog dialect.
    ordered = [h for h in hits if h.dialect != "docutils-meta"] + [
        h for h in hits if h.dialect == "docutils-meta"
    ]
    for hit in ordered:
        mapping = renames.get(hit.dialect, {})
        items = [(mapping.get(k, k), v, hit.line) for k, v in hit.fields.items()]
        layers.append(_Layer(hit.dialect, path, items))
    return layers


def _items(fm: FrontMatter) -> list[tuple[str, Any, int]]:
    return [(k, v, fm.lines.get(k.strip().lower(), 0)) for k, v in fm.raw.items()]


def _norm_key(key: str, dialect: str) -> str:
    k = str(key).strip().lower()
    if dialect == "docutils-meta":
        k = k.split()[0] if k.split() else k  # `description lang=en` -> `description`
    return k.replace("-", "_")


def _empty(v: Any) -> bool:
    return (
        v is None or (isinstance(v, str) and not v.strip()) or (isinstance(v, (list, tuple, dict)) and not v)
    )


def _text(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return ", ".join(_text(x) for x in v)
    return " ".join(str(v).split())


def _real_path(path: str) -> str:
    return "" if path.startswith("<") and path.endswith(">") else path


def _date(
    v: _Value | None,
    tz: str,
    order: str,
    path_date: date | None = None,
    diags: list[Diagnostic] | None = None,
) -> datetime | None:
    """Parse a metadata date; an ambiguous day/month is settled by the path's year and month."""
    if v is None:
        return None
    value = v.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    try:
        return parse_date(value, tz=tz, order=order)
    except ValueError as e:
        if "ambiguous" in str(e) and path_date is not None:
            fits = []
            for guess in ("mdy", "dmy"):
                d = parse_date(value, tz=tz, order=guess)
                if (d.year, d.month) == (path_date.year, path_date.month):
                    fits.append(d)
            if len(fits) == 1:
                if diags is not None:
                    diags.append(
                        Diagnostic(
                            "info",
                            "date-disambiguated",
                            f"ambiguous date {value!r} read as {fits[0].date().isoformat()}, the month of the file name",
                            v.path,
                            v.line,
                        )
                    )
                return fits[0]
        raise SourceError(f"'{v.key}': {e}", v.path, v.line, code="date") from e


def _split_list(v: _Value | None, separators: str, whitespace: bool = True) -> tuple[str, ...]:
    """A YAML list, a separated string (``a, b``) or a space-separated one (``a b``)."""
    if v is None:
        return ()
    raw = v.value
    parts: Iterable[Any]
    if isinstance(raw, (list, tuple, set)):
        parts = raw
    elif isinstance(raw, bool):
        parts = ()
    else:
        s = str(raw)
        seps = [c for c in separators if c in s]
        if seps:
            parts = re.split("|".join(map(re.escape, seps)), s)
        else:
            parts = s.split() if whitespace else [s]
    out: list[str] = []
    for p in parts:
        t = _text(p).strip()
        if t and t not in out:
            out.append(t)
    return tuple(out)


def _authors(v: _Value | None, config: Config) -> tuple[str, ...]:
    names = _split_list(v, ",;", whitespace=False) if v is not None else ()
    if v is not None and v.dialect == "tinkerer":
        # Tinkerer's `.. author:: default` means "the blog's author" (from its conf.py).
        names = tuple(n for n in names if n.lower() != "default")
        if not names and config.default_author:
            names = (config.default_author,)
    if not names and config.default_author:
        names = (config.default_author,)
    return names


def _as_bool(v: Any) -> bool | None:
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    return True if s in _TRUE else False if s in _FALSE else None


def _draft_vote(v: _Value) -> bool | None:
    """What ``draft: yes``, ``published: false`` or ``status: draft`` say; None when the
    value is something else (``status: hidden``, ``published: 2013-09-07``: kept in extra)."""
    if v.key == "draft":
        return _as_bool(v.value)
    if v.key == "published":
        b = _as_bool(v.value)
        return None if b is None else not b
    status = str(v.value).strip().lower()
    return {"draft": True, "published": False}.get(status)


def _draft(votes: list[_Value], tags: _Value | None, hits: Sequence[MetaHit], has_date: bool) -> bool:
    """The first (highest-precedence) explicit draft indicator decides."""
    if votes:
        return bool(_draft_vote(votes[0]))
    if tags is not None and tags.dialect.startswith("nikola"):
        return "draft" in {t.lower() for t in _split_list(tags, ",")}
    # ABlog: a `.. post::` without a date is a draft.
    return not has_date and any(h.dialect == "ablog" for h in hits)


def _slug(v: _Value | None, path: str, title: str, config: Config) -> str:
    from_title = slugify(title, unicode=config.unicode_slugs) if title else ""
    if config.slug_strategy == "title":
        return from_title or stem_slug(path) or slugify("")
    if config.slug_strategy == "filename":
        return stem_slug(path) or from_title or slugify("")
    if v is not None:
        return safe_slug(_text(v.value))
    return stem_slug(path) or from_title or slugify("")


def _summary(v: _Value | None, blocks: Sequence[Block]) -> str:
    if v is not None:
        return _text(v.value)
    for i, b in enumerate(blocks):
        if isinstance(b, SummaryBreak):
            return plain_text(blocks[:i])
    return ""


def _json_safe(v: Any) -> Any:
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k).lower(): _json_safe(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set)):
        return [_json_safe(x) for x in v]
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    return str(v)


def _dialect(
    front: FrontMatter, sidecar: FrontMatter | None, hits: Sequence[MetaHit], path: str, title: str
) -> str:
    if front.dialect and front.raw:
        return front.dialect
    if sidecar is not None and sidecar.raw:
        return "nikola-meta"
    blog = [h.dialect for h in hits if h.dialect != "docutils-meta"]
    if blog:
        if blog[0] == "pelican" and any("blogpost" in h.fields for h in hits):
            return "ablog"  # ABlog's field-list form (:blogpost: true)
        return blog[0]
    if hits:
        return "docutils-meta"
    if date_from_path(_real_path(path)) is not None:
        return "filename"
    return "none"
