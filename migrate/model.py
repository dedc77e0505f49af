"""The intermediate document model (IDM): what every reader produces and every emitter consumes.

Shaped after pandoc's AST (pandoc-types ``Definition.hs``) so that the pandoc bridge is
mechanical, but richer where rST is richer (spans in tables, admonition kinds, embeds,
field lists).  Nodes are frozen dataclasses holding tuples, so a document can be shared
between threads and processes and compared with ``==``.  Anything a reader cannot map
becomes a :class:`Div` or :class:`Span` carrying the directive or role name: content is
never dropped.

``to_json``/``from_json`` round-trip exactly; every node is written as an object with a
``"t"`` key naming its class (as pandoc's JSON does).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Union

SCHEMA_VERSION = 1

# --------------------------------------------------------------------------- inlines


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Emph:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strong:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Superscript:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Code:
    """Inline literal.  ``role`` keeps the originating role (``code``, ``kbd``, ``file``...)."""

    text: str
    language: str = ""
    role: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink.

    ``kind`` says how the reader understood the target: ``url`` (absolute URL or path),
    ``email``, ``anchor`` (``#id`` inside this document), ``doc`` (Sphinx ``:doc:``),
    ``ref`` (Sphinx ``:ref:`` label), ``post`` (resolved to another post by the link
    transform) or ``file`` (a static asset).  ``original`` keeps the target as written in
    the source when a transform rewrites ``target``.
    """

    content: tuple[Inline, ...]
    target: str
    title: str = ""
    kind: str = "url"
    original: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    src: str
    alt: str = ""
    title: str = ""
    width: str = ""
    height: str = ""
    align: str = ""
    target: str = ""
    classes: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)
    """Other image options, verbatim: ``scale``, ``loading``..."""


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """Reference to a :class:`Footnote`; ``kind`` is ``footnote`` or ``citation``."""

    label: str
    kind: str = "footnote"


@dataclass(frozen=True, slots=True)
class Math:
    text: str


@dataclass(frozen=True, slots=True)
class RawInline:
    format: str
    text: str


@dataclass(frozen=True, slots=True)
class Abbr:
    content: tuple[Inline, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class Span:
    """Inline fallback and anchor: keeps the role name of anything unmapped."""

    content: tuple[Inline, ...]
    role: str = ""
    classes: tuple[str, ...] = ()
    id: str = ""
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LineBreak:
    pass


Inline = Union[
    Text,
    Emph,
    Strong,
    Subscript,
    Superscript,
    Code,
    Link,
    Image,
    FootnoteRef,
    Math,
    RawInline,
    Abbr,
    Span,
    LineBreak,
]

# --------------------------------------------------------------------------- blocks


@dataclass(frozen=True, slots=True)
class Heading:
    """A section title.  ``id`` is docutils' id, kept so ``#fragment`` links keep working."""

    level: int
    content: tuple[Inline, ...]
    id: str = ""
    extra_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class CodeBlock:
    text: str
    language: str = ""
    line_numbers: bool = False
    start_line: int = 1
    emphasize_lines: tuple[int, ...] = ()
    caption: str = ""
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BlockQuote:
    blocks: tuple[Block, ...]
    attribution: tuple[Inline, ...] = ()
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BulletList:
    items: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True, slots=True)
class OrderedList:
    """``style``: arabic, loweralpha, upperalpha, lowerroman, upperroman; ``delimiter``: period, paren, parens."""

    items: tuple[tuple[Block, ...], ...]
    start: int = 1
    style: str = "arabic"
    delimiter: str = "period"


@dataclass(frozen=True, slots=True)
class DefinitionItem:
    term: tuple[Inline, ...]
    classifiers: tuple[tuple[Inline, ...], ...] = ()
    definition: tuple[Block, ...] = ()


@dataclass(frozen=True, slots=True)
class DefinitionList:
    items: tuple[DefinitionItem, ...]


@dataclass(frozen=True, slots=True)
class Field:
    name: tuple[Inline, ...]
    body: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class FieldList:
    items: tuple[Field, ...]


@dataclass(frozen=True, slots=True)
class OptionItem:
    options: tuple[str, ...]
    description: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class OptionList:
    items: tuple[OptionItem, ...]


@dataclass(frozen=True, slots=True)
class Cell:
    blocks: tuple[Block, ...]
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True, slots=True)
class Row:
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """``kind`` records the source syntax: grid, simple, csv, list.  Spans live in cells."""

    head: tuple[Row, ...]
    body: tuple[Row, ...]
    caption: tuple[Inline, ...] = ()
    colwidths: tuple[int, ...] = ()
    aligns: tuple[str, ...] = ()
    stub_columns: int = 0
    kind: str = "grid"
    classes: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True, slots=True)
class ImageBlock:
    image: Image


@dataclass(frozen=True, slots=True)
class Figure:
    image: Image
    caption: tuple[Inline, ...] = ()
    legend: tuple[Block, ...] = ()
    align: str = ""
    id: str = ""
    width: str = ""
    """The figure's own width (rST ``:figwidth:``); the image's is ``image.width``."""


@dataclass(frozen=True, slots=True)
class Admonition:
    """``kind``: attention, caution, danger, error, hint, important, note, tip, warning,
    seealso, versionadded, versionchanged, deprecated, or ``admonition`` (generic, with title)."""

    kind: str
    blocks: tuple[Block, ...]
    title: tuple[Inline, ...] = ()
    classes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Topic:
    """``kind``: topic, sidebar or contents (``.. contents::``, whose generated list is kept)."""

    kind: str
    title: tuple[Inline, ...]
    blocks: tuple[Block, ...]
    subtitle: tuple[Inline, ...] = ()
    id: str = ""


@dataclass(frozen=True, slots=True)
class Rubric:
    content: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Line:
    content: tuple[Inline, ...]
    indent: int = 0


@dataclass(frozen=True, slots=True)
class LineBlock:
    lines: tuple[Line, ...]


@dataclass(frozen=True, slots=True)
class MathBlock:
    text: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class RawBlock:
    format: str
    text: str


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    pass


@dataclass(frozen=True, slots=True)
class SummaryBreak:
    """``.. more::`` / ``.. TEASER_END``: what comes before is the post's summary."""


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote or citation body.  ``kind``: footnote, citation."""

    label: str
    blocks: tuple[Block, ...]
    kind: str = "footnote"


@dataclass(frozen=True, slots=True)
class Embed:
    """Third-party media: ``kind`` youtube, vimeo, gist, ...; ``id`` the provider's id."""

    kind: str
    id: str
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Target:
    """An anchor point (``.. _label:`` before an element that cannot carry an id)."""

    id: str


@dataclass(frozen=True, slots=True)
class Comment:
    text: str


@dataclass(frozen=True, slots=True)
class Div:
    """Block fallback: a directive nobody mapped, with its content parsed and its source kept."""

    blocks: tuple[Block, ...]
    name: str = ""
    classes: tuple[str, ...] = ()
    id: str = ""
    arguments: tuple[str, ...] = ()
    options: dict[str, str] = field(default_factory=dict)
    text: str = ""


Block = Union[
    Heading,
    Paragraph,
    CodeBlock,
    BlockQuote,
    BulletList,
    OrderedList,
    DefinitionList,
    FieldList,
    OptionList,
    Table,
    ImageBlock,
    Figure,
    Admonition,
    Topic,
    Rubric,
    LineBlock,
    MathBlock,
    RawBlock,
    ThematicBreak,
    SummaryBreak,
    Footnote,
    Embed,
    Target,
    Comment,
    Div,
]

# --------------------------------------------------------------------------- document


@dataclass(frozen=True, slots=True)
class Metadata:
    """Normalized post metadata.  Unknown keys are kept in ``extra``, never dropped."""

    title: str = ""
    date: datetime | None = None
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    slug: str = ""
    summary: str = ""
    draft: bool = False
    aliases: tuple[str, ...] = ()
    lang: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A warning or error about a source file, with the line it concerns (0 when unknown)."""

    severity: str
    code: str
    message: str
    path: str = ""
    line: int = 0

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where a document came from.  ``dialect`` names the metadata dialect detected."""

    path: str = ""
    dialect: str = ""
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Document:
    meta: Metadata
    blocks: tuple[Block, ...]
    source: SourceInfo = field(default_factory=SourceInfo)
    diagnostics: tuple[Diagnostic, ...] = ()

    def to_json(self, indent: int | None = 1) -> str:
        """Serialize losslessly: fields in declaration order, free-form keys (``attrs``,
        ``extra``) in source order, so the same post gives the same bytes and a document read
        back from JSON renders exactly as the original (tests/test_batch.py)."""
        return json.dumps(to_data(self), indent=indent, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Document:
        doc = from_data(json.loads(text))
        if not isinstance(doc, Document):
            raise ValueError("JSON does not hold a migrate Document")
        return doc


# --------------------------------------------------------------------------- (de)serialization

NODE_TYPES: dict[str, type] = {
    c.__name__: c
    for c in (
        *Inline.__args__,  # type: ignore[attr-defined]
        *Block.__args__,  # type: ignore[attr-defined]
        DefinitionItem,
        Field,
        OptionItem,
        Cell,
        Row,
        Line,
        Metadata,
        Diagnostic,
        SourceInfo,
        Document,
    )
}

_DATETIME_FIELDS = {"date", "updated"}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(cls: type) -> tuple[str, ...]:
    """The field names of a model class, cached (``dataclasses.fields`` is slow in hot loops)."""
    try:
        return _FIELD_NAMES[cls]
    except KeyError:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls))
        return names


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_LEAF_TYPES = ("str", "int", "float", "bool", "dict", "tuple[str, ...]", "tuple[int, ...]", "datetime")


def child_fields(cls: type) -> tuple[str, ...]:
    """The fields of a model class that may hold nodes (not strings, numbers or string tuples),
    from the annotations, cached: traversals skip the rest."""
    try:
        return _CHILD_FIELDS[cls]
    except KeyError:
        names = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if not any(
                str(f.type).replace(" = ()", "").strip() == t or str(f.type).startswith(t + " ")
                for t in _LEAF_TYPES
            )
        )
        _CHILD_FIELDS[cls] = names
        return names


def is_node(value: Any) -> bool:
    """True for instances of model dataclasses (fast ``dataclasses.is_dataclass`` for instances)."""
    return hasattr(type(value), "__dataclass_fields__")


_LEAVES = (str, int, float, bool, type(None))


def to_data(value: Any) -> Any:
    """Turn a model value into plain JSON data (nodes become objects tagged with ``t``)."""
    if isinstance(value, _LEAVES):
        return value
    cls = type(value)
    if hasattr(cls, "__dataclass_fields__"):
        out: dict[str, Any] = {"t": cls.__name__}
        for name in field_names(cls):
            v = getattr(value, name)
            if isinstance(v, _LEAVES):
                out[name] = v
            elif isinstance(v, datetime):
                out[name] = v.isoformat()
            else:
                out[name] = to_data(v)
        return out
    if isinstance(value, (tuple, list)):
        return [to_data(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_data(v) for k, v in value.items()}
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def from_data(data: Any, *, _tuple: bool = True) -> Any:
    """Inverse of :func:`to_data`."""
    if isinstance(data, dict) and "t" in data and data["t"] in NODE_TYPES:
        cls = NODE_TYPES[data["t"]]
        kwargs: dict[str, Any] = {}
        for name in field_names(cls):
            if name not in data:
                continue
            v = data[name]
            if isinstance(v, _LEAVES) and not (name in _DATETIME_FIELDS and cls is Metadata):
                kwargs[name] = v
            elif name in _DATETIME_FIELDS and cls is Metadata:
                kwargs[name] = datetime.fromisoformat(v) if v else None
            elif name in ("extra", "attrs", "options") and isinstance(v, dict):
                kwargs[name] = _plain(v)
            else:
                kwargs[name] = from_data(v)
        return cls(**kwargs)
    if isinstance(data, list):
        return tuple(from_data(v) for v in data)
    if isinstance(data, dict):
        return {k: from_data(v) for k, v in data.items()}
    return data


def _plain(v: Any) -> Any:
    """Free-form values (``extra``) keep JSON's own lists and dicts."""
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


# --------------------------------------------------------------------------- helpers


def plain_text(nodes: Any) -> str:
    """Concatenated text of inlines or blocks (for slugs, summaries, verification)."""
    parts: list[str] = []

    def walk(n: Any) -> None:
        if isinstance(n, (tuple, list)):
            for x in n:
                walk(x)
        elif isinstance(n, Text):
            parts.append(n.text)
        elif isinstance(n, (Code, Math)):
            parts.append(n.text)
        elif isinstance(n, LineBreak):
            parts.append(" ")
        elif isinstance(n, Image):
            parts.append(n.alt)
        elif dataclasses.is_dataclass(n):
            for name in ("content", "blocks", "items", "lines", "term", "definition", "cells", "body"):
                if hasattr(n, name):
                    walk(getattr(n, name))
                    if not isinstance(n, (Emph, Strong, Span, Link, Subscript, Superscript, Abbr)):
                        parts.append(" ")

    walk(nodes)
    return " ".join("".join(parts).split())


_NOT_WALKED = (Metadata, SourceInfo, Diagnostic)


def walk(nodes: Any):
    """Yield every node (block, inline and helper records) depth-first, in document order."""
    stack = [nodes]
    while stack:
        n = stack.pop()
        if isinstance(n, (tuple, list)):
            stack.extend(reversed(n))
        elif hasattr(type(n), "__dataclass_fields__") and not isinstance(n, _NOT_WALKED):
            yield n
            children = []
            for name in child_fields(type(n)):
                v = getattr(n, name)
                if isinstance(v, (tuple, list)):
                    if v:
                        children.append(v)
                elif hasattr(type(v), "__dataclass_fields__"):
                    children.append(v)
            stack.extend(reversed(children))
