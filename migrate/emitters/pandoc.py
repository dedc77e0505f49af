"""The pandoc bridge: ``--to pandoc:FORMAT`` for every writer pandoc has.

The document (as every emitter receives it: metadata normalized, links rewritten) is
translated node by node into pandoc's JSON AST (pandoc-types ``Text.Pandoc.Definition``,
with the ``pandoc-api-version`` of the pandoc that will read it) and handed to pandoc
through pypandoc.  The translation is mechanical because the model follows pandoc's AST;
where the model is richer, the extra information travels as pandoc ``Div``/``Span``
classes and attributes (admonition kinds, unknown directives and roles, embeds).

Pandoc runs in ``--sandbox`` mode: it reads nothing but its input.  Images that binary
formats (docx, epub, odt, pptx, pdf) must embed are read here, only from inside the
post's folder or the source roots, and passed to pandoc as ``data:`` URIs, so a hostile
``.. image:: /etc/passwd`` cannot leak a file into a document.  The sandbox also makes
binary output reproducible: pandoc cannot read the clock, so docx/odt/epub timestamps are
fixed (1970-01-01) and the same post gives the same bytes.

Pandoc comes from the ``pypandoc-binary`` wheel (``pip install "migrate[pandoc]"``) or
from ``PATH``; when neither is there, :class:`~migrate.errors.MigrateError` says so.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import mimetypes
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import MigrateError
from ..model import (
    Abbr,
    Admonition,
    Block,
    BlockQuote,
    BulletList,
    Cell,
    Code,
    CodeBlock,
    Comment,
    DefinitionList,
    Div,
    Document,
    Embed,
    Emph,
    FieldList,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    Inline,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MathBlock,
    Metadata,
    OptionList,
    OrderedList,
    Paragraph,
    RawBlock,
    RawInline,
    Row,
    Rubric,
    Span,
    Strong,
    Subscript,
    SummaryBreak,
    Superscript,
    Table,
    Target,
    Text,
    ThematicBreak,
    Topic,
    walk,
)
from .base import EmitContext
from .markdown import ADMONITION_TITLES, STRUCTURAL_DIVS, TITLE_ROLES, directive_source, embed_url

INSTALL_HINT = (
    'install it with `pip install "migrate[pandoc]"` (pandoc bundled in the pypandoc-binary wheel) '
    "or install pandoc (https://pandoc.org/installing.html) and put it on PATH"
)

EXTENSIONS = {
    "asciidoc": "adoc",
    "asciidoctor": "adoc",
    "asciidoc_legacy": "adoc",
    "markdown": "md",
    "markdown_strict": "md",
    "markdown_phpextra": "md",
    "markdown_mmd": "md",
    "markdown_github": "md",
    "gfm": "md",
    "commonmark": "md",
    "commonmark_x": "md",
    "latex": "tex",
    "beamer": "tex",
    "context": "tex",
    "html": "html",
    "html4": "html",
    "html5": "html",
    "revealjs": "html",
    "slidy": "html",
    "slideous": "html",
    "s5": "html",
    "dzslides": "html",
    "chunkedhtml": "zip",
    "plain": "txt",
    "epub": "epub",
    "epub2": "epub",
    "epub3": "epub",
    "docbook": "xml",
    "docbook4": "xml",
    "docbook5": "xml",
    "jats": "xml",
    "jats_archiving": "xml",
    "jats_articleauthoring": "xml",
    "jats_publishing": "xml",
    "tei": "xml",
    "opendocument": "fodt",
    "mediawiki": "wiki",
    "dokuwiki": "txt",
    "zimwiki": "txt",
    "xwiki": "txt",
    "jira": "txt",
    "texinfo": "texi",
    "typst": "typ",
    "man": "1",
    "ms": "ms",
    "native": "native",
    "json": "json",
    "csljson": "json",
    "bibtex": "bib",
    "biblatex": "bib",
    "haddock": "txt",
    "muse": "muse",
    "vimdoc": "txt",
}
"""File extension per pandoc writer; any other writer's own name is its extension (docx, odt, org, rst...)."""

MIN_API = [1, 23]
"""pandoc-types 1.23 (pandoc 3.0): the ``Figure`` block this bridge writes appeared there."""

BINARY_FORMATS = {"docx", "odt", "epub", "epub2", "epub3", "pptx", "pdf", "chunkedhtml"}
"""Writers whose output is not text: ``emit`` returns bytes, and images are embedded."""

ALIGN = {"left": "AlignLeft", "right": "AlignRight", "center": "AlignCenter"}
LIST_STYLE = {
    "arabic": "Decimal",
    "loweralpha": "LowerAlpha",
    "upperalpha": "UpperAlpha",
    "lowerroman": "LowerRoman",
    "upperroman": "UpperRoman",
}
LIST_DELIM = {"period": "Period", "paren": "OneParen", "parens": "TwoParens"}
STRIKE_ROLES = {"del", "strike", "s"}
PLAIN_SPAN_ROLES = {"", "inline", "span", "target"}

_log = logging.getLogger("pypandoc")
_lock = threading.RLock()


# --------------------------------------------------------------------------- finding pandoc


def _pypandoc() -> Any:
    """pypandoc, with a pandoc it can run, or a MigrateError saying how to get one."""
    try:
        import pypandoc
    except ImportError as e:  # pragma: no cover - pypandoc is a dependency
        raise MigrateError(f"pypandoc is not installed ({e}); {INSTALL_HINT}", code="pandoc-missing") from e
    try:
        with _quiet_pypandoc():
            pypandoc.get_pandoc_path()
    except OSError as e:
        raise MigrateError(f"pandoc was not found; {INSTALL_HINT}", code="pandoc-missing") from e
    return pypandoc


@functools.lru_cache(maxsize=1)
def pandoc_versions() -> tuple[str, list[int]]:
    """(pandoc version, pandoc-api-version) of the pandoc pypandoc runs; asked once per process."""
    pypandoc = _pypandoc()
    with _quiet_pypandoc():
        version = pypandoc.get_pandoc_version()
        empty = pypandoc.convert_text("", "json", format="markdown")
    return version, list(json.loads(empty)["pandoc-api-version"])


@functools.lru_cache(maxsize=1)
def output_formats() -> frozenset[str]:
    """The writers the installed pandoc has (``pdf`` included: pandoc makes it through LaTeX)."""
    pypandoc = _pypandoc()
    with _quiet_pypandoc():
        return frozenset(pypandoc.get_pandoc_formats()[1]) | {"pdf"}


def base_format(fmt: str) -> str:
    """``markdown+smart-raw_html`` -> ``markdown``."""
    return re.split(r"[+-]", fmt, maxsplit=1)[0]


def extension(fmt: str) -> str:
    base = base_format(fmt)
    return EXTENSIONS.get(base, base)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[tuple[int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append((record.levelno, record.getMessage()))


class _quiet_pypandoc:
    """Collect what pypandoc logs (pandoc's stderr) instead of letting it print.

    pypandoc attaches a stderr handler to its logger when it has none; a library must not
    print, so for the duration of a call our handler is the logger's only handler.
    """

    def __enter__(self) -> _Capture:
        _lock.acquire()
        self.capture = _Capture()
        self.saved = (_log.handlers[:], _log.propagate)
        _log.handlers[:] = [self.capture]
        _log.propagate = False
        return self.capture

    def __exit__(self, *exc: object) -> None:
        _log.handlers[:], _log.propagate = self.saved
        _lock.release()


# --------------------------------------------------------------------------- the emitter


class PandocEmitter:
    """``pandoc:FORMAT``: the document through pandoc's JSON AST to any pandoc writer."""

    name = "pandoc"
    description = (
        "Any pandoc writer through pandoc's JSON AST: --to pandoc:FORMAT "
        "(docx, epub, odt, asciidoc, org, latex, markdown, ...; needs pandoc)"
    )

    @staticmethod
    def unavailable_reason() -> str:
        """Why this target cannot run here ("" when it can); shown by ``migrate emitters``."""
        try:
            _pypandoc()
        except MigrateError as e:
            return e.message
        return ""

    def cache_key(self) -> str:
        """The incremental cache re-renders every post when pandoc itself changes."""
        version, api = pandoc_versions()
        return f"pandoc {version} api {api}"

    def __init__(self, format: str = "") -> None:
        if not format:
            raise MigrateError(
                "the pandoc target needs a pandoc output format: --to pandoc:FORMAT "
                "(e.g. pandoc:docx, pandoc:epub, pandoc:asciidoc, pandoc:org)",
                code="unknown-target",
            )
        version, api = pandoc_versions()
        if list(api[:2]) < MIN_API:
            raise MigrateError(
                f"pandoc {version} is too old for the bridge (it writes the AST of pandoc 3.0 or newer, "
                f"pandoc-api-version {'.'.join(map(str, MIN_API))}); {INSTALL_HINT}",
                code="pandoc-missing",
            )
        formats = output_formats()
        if base_format(format) not in formats:
            raise MigrateError(
                f"pandoc has no '{base_format(format)}' writer; pandoc's writers: {', '.join(sorted(formats))}",
                code="unknown-target",
            )
        self.format = format
        self.name = f"pandoc:{format}"
        self.binary = base_format(format) in BINARY_FORMATS

    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        return f"{doc.meta.slug or 'post'}.{extension(self.format)}"

    def emit(self, doc: Document, ctx: EmitContext) -> str | bytes:
        """The converted post: ``str`` for text formats, ``bytes`` for binary ones (docx, epub...)."""
        pypandoc = _pypandoc()
        api = pandoc_versions()[1]
        images = ImageEmbedder(doc, ctx) if self.binary else None
        ast = to_pandoc(doc, api, ctx=ctx, images=images)
        args = ["--standalone", "--wrap=preserve", *ctx.options.get("pandoc_args", ())]
        with tempfile.TemporaryDirectory(prefix="migrate-pandoc-") as tmp:
            out = Path(tmp) / f"out.{'pdf' if base_format(self.format) == 'pdf' else extension(self.format)}"
            with _quiet_pypandoc() as capture:
                try:
                    pypandoc.convert_text(
                        json.dumps(ast, ensure_ascii=False),
                        self.format,
                        format="json",
                        extra_args=args,
                        outputfile=str(out),
                        sandbox=True,
                        verify_format=False,  # checked once in __init__; saves two pandoc runs a post
                    )
                except (RuntimeError, OSError) as e:
                    raise MigrateError(
                        f"pandoc could not write {self.format}: {str(e).strip()}",
                        path=doc.source.path,
                        code="pandoc-failed",
                    ) from e
            data = out.read_bytes()
        missing = images.missing if images is not None else set()
        for level, message in capture.messages:
            message = message.strip()
            if level < logging.WARNING or not message:
                continue
            if any(message.startswith(f"Could not fetch resource {src}") for src in missing):
                continue  # already reported, in our words
            ctx.warn(doc, "pandoc-warning", f"pandoc: {message}")
        if self.binary:
            return data
        text = data.decode("utf-8", errors="replace")
        return text if text.endswith("\n") else text + "\n"


class ImageEmbedder:
    """Local images as ``data:`` URIs, read only from the post's folder and the source roots."""

    def __init__(self, doc: Document, ctx: EmitContext) -> None:
        self.doc = doc
        self.ctx = ctx
        site = ctx.site
        dirs = []
        if doc.source.path and not doc.source.path.startswith("<"):
            dirs.append(Path(doc.source.path).resolve().parent)
        static_root = getattr(ctx.config, "static_root", "")
        if static_root:
            dirs.append(Path(static_root).resolve())
        dirs += [Path(r).resolve() for r in getattr(site, "roots", ()) or ()]
        self.dirs = list(dict.fromkeys(dirs))
        self.missing: set[str] = set()

    def find(self, src: str) -> Path | None:
        rel = src.split("#", 1)[0].split("?", 1)[0]
        if not rel or re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", rel):
            return None
        rel = rel.lstrip("/")
        names = [rel]
        if rel.startswith("assets/"):  # where the link transform put it for this target
            names.append(rel[len("assets/") :])
        for d in self.dirs:
            for name in names:
                p = (d / name).resolve()
                if p.is_file() and any(p.is_relative_to(root) for root in self.dirs):
                    return p
        return None

    def __call__(self, src: str) -> str:
        path = self.find(src)
        if path is None:
            if src and not src.startswith("data:") and not re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:", src):
                if src not in self.missing:
                    self.ctx.warn(self.doc, "image-not-embedded", f"image {src} not found in the source tree")
                self.missing.add(src)
            return src
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


# --------------------------------------------------------------------------- model -> pandoc JSON

Attr = list


def attr(id: str = "", classes: Iterable[str] = (), attrs: Iterable[tuple[str, str]] = ()) -> Attr:
    return [id, [c for c in dict.fromkeys(classes) if c], [[str(k), str(v)] for k, v in attrs]]


def node(t: str, c: Any = None) -> dict[str, Any]:
    return {"t": t} if c is None else {"t": t, "c": c}


_WS = re.compile(r"([ \t\r\n]+)")


def text_inlines(text: str) -> list[dict[str, Any]]:
    """Text as pandoc tokens: words are ``Str``, blanks ``Space``, line ends ``SoftBreak``.

    docutils' backslash-escape marker (NUL; ``10\\ :sup:`6``` is "no space here") is
    resolved as docutils resolves it: a NUL never reaches pandoc (nor an XML output).
    """
    if "\x00" in text:
        text = re.sub("\x00[ \n]", "", text).replace("\x00", "")
    out: list[dict[str, Any]] = []
    for part in _WS.split(text):
        if not part:
            continue
        if _WS.fullmatch(part):
            out.append(node("SoftBreak") if "\n" in part else node("Space"))
        else:
            out.append(node("Str", part))
    return out


def meta_value(value: Any) -> dict[str, Any] | None:
    """A free-form metadata value (``Metadata.extra``) as a pandoc MetaValue."""
    if value is None:
        return None
    if isinstance(value, bool):
        return node("MetaBool", value)
    if isinstance(value, (list, tuple)):
        return node("MetaList", [m for m in (meta_value(v) for v in value) if m is not None])
    if isinstance(value, dict):
        return node("MetaMap", {str(k): m for k, v in value.items() if (m := meta_value(v)) is not None})
    if hasattr(value, "isoformat"):
        return node("MetaString", value.isoformat())
    return node("MetaString", str(value))


def to_pandoc_meta(meta: Metadata) -> dict[str, Any]:
    """Our metadata as pandoc's meta block; docs/targets/pandoc.md lists the mapping."""
    out: dict[str, Any] = {}

    def strings(values: Iterable[str]) -> dict[str, Any]:
        return node("MetaList", [node("MetaInlines", text_inlines(v)) for v in values])

    if meta.title:
        out["title"] = node("MetaInlines", text_inlines(meta.title))
    if meta.date:
        out["date"] = node("MetaString", meta.date.isoformat())
    if meta.updated:
        out["updated"] = node("MetaString", meta.updated.isoformat())
    if meta.authors:
        out["author"] = strings(meta.authors)
    if meta.tags:
        out["keywords"] = strings(meta.tags)
        out["tags"] = strings(meta.tags)
    if meta.categories:
        out["categories"] = strings(meta.categories)
        out["category"] = node("MetaString", ", ".join(meta.categories))
    if meta.summary:
        out["description"] = node("MetaString", meta.summary)
        out["summary"] = node("MetaInlines", text_inlines(meta.summary))
    if meta.lang:
        out["lang"] = node("MetaString", meta.lang)
    if meta.slug:
        out["slug"] = node("MetaString", meta.slug)
    if meta.draft:
        out["draft"] = node("MetaBool", True)
    if meta.aliases:
        out["aliases"] = node("MetaList", [node("MetaString", a) for a in meta.aliases])
    if meta.extra:
        # under one key: a post's stray ``header-includes`` must not reach pandoc's templates
        extra = meta_value(meta.extra)
        if extra and extra["c"]:
            out["extra"] = extra
    return out


def to_pandoc(
    doc: Document, api_version: Iterable[int], ctx: EmitContext | None = None, images: Any = None
) -> dict[str, Any]:
    """The whole document as pandoc JSON data (``json.dumps`` it for ``pandoc -f json``)."""
    writer = PandocWriter(doc, ctx, images)
    return {
        "pandoc-api-version": list(api_version),
        "meta": to_pandoc_meta(doc.meta),
        "blocks": writer.blocks(doc.blocks),
    }


class PandocWriter:
    """One method per model node type: ``b_<Class>`` for blocks, ``i_<Class>`` for inlines."""

    def __init__(self, doc: Document, ctx: EmitContext | None = None, images: Any = None) -> None:
        self.doc = doc
        self.ctx = ctx
        self.images = images
        self.footnotes: dict[str, Footnote] = {}
        referenced: set[str] = set()
        for n in walk(doc.blocks):
            if isinstance(n, Footnote) and n.kind == "footnote":
                self.footnotes.setdefault(n.label, n)
            elif isinstance(n, FootnoteRef) and n.kind == "footnote":
                referenced.add(n.label)
        # footnotes become pandoc Notes where they are referenced; unreferenced ones stay put
        self.as_notes = {label for label in referenced if label in self.footnotes}
        self.open_notes: list[str] = []

    def warn(self, code: str, message: str) -> None:
        if self.ctx is not None:
            self.ctx.warn(self.doc, code, message)

    # -- dispatch

    def blocks(self, blocks: Iterable[Block]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for b in blocks:
            method = getattr(self, f"b_{type(b).__name__}", None)
            if method is None:
                self.warn("unknown-block", f"no pandoc mapping for {type(b).__name__}")
                continue
            out.extend(method(b))
        return out

    def inlines(self, inlines: Iterable[Inline]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for n in inlines:
            method = getattr(self, f"i_{type(n).__name__}", None)
            if method is None:
                self.warn("unknown-inline", f"no pandoc mapping for {type(n).__name__}")
                continue
            out.extend(method(n))
        return out

    def compact(self, blocks: Iterable[Block]) -> list[dict[str, Any]]:
        """Blocks of a table cell or tight list item: a lone paragraph is ``Plain``."""
        out = self.blocks(blocks)
        if out and out[0]["t"] == "Para" and all(b["t"] != "Para" for b in out[1:]):
            out[0] = node("Plain", out[0]["c"])
        return out

    # -- inlines

    def i_Text(self, n: Text) -> Iterator[dict[str, Any]]:
        yield from text_inlines(n.text)

    def i_Emph(self, n: Emph) -> Iterator[dict[str, Any]]:
        yield node("Emph", self.inlines(n.content))

    def i_Strong(self, n: Strong) -> Iterator[dict[str, Any]]:
        yield node("Strong", self.inlines(n.content))

    def i_Subscript(self, n: Subscript) -> Iterator[dict[str, Any]]:
        yield node("Subscript", self.inlines(n.content))

    def i_Superscript(self, n: Superscript) -> Iterator[dict[str, Any]]:
        yield node("Superscript", self.inlines(n.content))

    def i_Code(self, n: Code) -> Iterator[dict[str, Any]]:
        role = n.role if n.role not in ("", "code", "literal") else ""
        yield node("Code", [attr(classes=(n.language, role)), n.text])

    def i_Link(self, n: Link) -> Iterator[dict[str, Any]]:
        content = self.inlines(n.content) or [node("Str", n.target)]
        yield node("Link", [attr(), content, [n.target, n.title]])

    def i_Image(self, n: Image) -> Iterator[dict[str, Any]]:
        yield self.image(n)

    def image(self, n: Image, alt: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        src = self.images(n.src) if self.images is not None else n.src
        kv = [(k, v) for k, v in (("width", n.width), ("height", n.height)) if v]
        classes = (*n.classes, f"align-{n.align}" if n.align else "")
        img = node(
            "Image", [attr("", classes, kv), alt if alt is not None else text_inlines(n.alt), [src, n.title]]
        )
        if n.target:
            return node("Link", [attr(), [img], [n.target, ""]])
        return img

    def i_FootnoteRef(self, n: FootnoteRef) -> Iterator[dict[str, Any]]:
        if n.kind == "citation":
            yield node(
                "Link", [attr(classes=["citation"]), [node("Str", f"[{n.label}]")], [f"#{n.label}", ""]]
            )
            return
        if n.label in self.as_notes and n.label not in self.open_notes:
            self.open_notes.append(n.label)
            try:
                yield node("Note", self.blocks(self.footnotes[n.label].blocks))
            finally:
                self.open_notes.pop()
            return
        # a reference inside its own note, or to a footnote that does not exist
        yield node("Superscript", [node("Str", n.label)])

    def i_Math(self, n: Math) -> Iterator[dict[str, Any]]:
        yield node("Math", [node("InlineMath"), n.text])

    def i_RawInline(self, n: RawInline) -> Iterator[dict[str, Any]]:
        yield node("RawInline", [n.format.lower(), n.text])

    def i_Abbr(self, n: Abbr) -> Iterator[dict[str, Any]]:
        yield node(
            "Span", [attr("", ["abbr"], [("title", n.title)] if n.title else []), self.inlines(n.content)]
        )

    def i_Span(self, n: Span) -> Iterator[dict[str, Any]]:
        content = self.inlines(n.content)
        if n.role in STRIKE_ROLES:
            content = [node("Strikeout", content)]
        elif n.role in TITLE_ROLES:
            content = [node("Emph", content)]
        role = "" if n.role in PLAIN_SPAN_ROLES | STRIKE_ROLES | TITLE_ROLES else n.role
        if not (n.id or n.classes or role or n.attrs):
            yield from content
            return
        yield node("Span", [attr(n.id, (role, *n.classes), n.attrs.items()), content])

    def i_LineBreak(self, n: LineBreak) -> Iterator[dict[str, Any]]:
        yield node("LineBreak")

    # -- blocks

    def b_Heading(self, b: Heading) -> Iterator[dict[str, Any]]:
        header = node("Header", [b.level, attr(b.id), self.inlines(b.content)])
        # older ids (``.. _old-name:`` before the title) as Divs around the heading: writers
        # turn an id'd Div into an anchor (asciidoc ``[[id]]``, docx bookmark, LaTeX label)
        for extra in reversed(b.extra_ids):
            header = node("Div", [attr(extra), [header]])
        yield header

    def b_Paragraph(self, b: Paragraph) -> Iterator[dict[str, Any]]:
        yield node("Para", self.inlines(b.content))

    def b_CodeBlock(self, b: CodeBlock) -> Iterator[dict[str, Any]]:
        kv = []
        if b.line_numbers and b.start_line != 1:
            kv.append(("startFrom", str(b.start_line)))
        if b.emphasize_lines:
            kv.append(("emphasize", ",".join(map(str, b.emphasize_lines))))
        classes = (b.language, *b.classes, "numberLines" if b.line_numbers else "")
        code = node("CodeBlock", [attr("", classes, kv), b.text.rstrip("\n")])
        if b.caption:
            yield node(
                "Div", [attr("", ["listing"]), [node("Para", [node("Emph", text_inlines(b.caption))]), code]]
            )
        else:
            yield code

    def b_BlockQuote(self, b: BlockQuote) -> Iterator[dict[str, Any]]:
        inner = self.blocks(b.blocks)
        if b.attribution:
            inner.append(node("Para", [node("Str", "\u2014"), node("Space"), *self.inlines(b.attribution)]))
        quote = node("BlockQuote", inner)
        yield node("Div", [attr("", b.classes), [quote]]) if b.classes else quote

    def _items(self, items: tuple[tuple[Block, ...], ...]) -> list[list[dict[str, Any]]]:
        tight = all(
            len([x for x in item if isinstance(x, Paragraph)]) <= 1
            and (not item or isinstance(item[0], Paragraph))
            for item in items
        )
        return [self.compact(item) if tight else self.blocks(item) for item in items]

    def b_BulletList(self, b: BulletList) -> Iterator[dict[str, Any]]:
        yield node("BulletList", self._items(b.items))

    def b_OrderedList(self, b: OrderedList) -> Iterator[dict[str, Any]]:
        attrs = [
            b.start,
            node(LIST_STYLE.get(b.style, "DefaultStyle")),
            node(LIST_DELIM.get(b.delimiter, "DefaultDelim")),
        ]
        yield node("OrderedList", [attrs, self._items(b.items)])

    def b_DefinitionList(self, b: DefinitionList) -> Iterator[dict[str, Any]]:
        items = []
        for item in b.items:
            term = self.inlines(item.term)
            for c in item.classifiers:
                term += [node("Space"), node("Str", ":"), node("Space"), *self.inlines(c)]
            items.append([term, [self.blocks(item.definition)]])
        yield node("DefinitionList", items)

    def b_FieldList(self, b: FieldList) -> Iterator[dict[str, Any]]:
        items = [[self.inlines(f.name), [self.compact(f.body)]] for f in b.items]
        yield node("Div", [attr("", ["field-list"]), [node("DefinitionList", items)]])

    def b_OptionList(self, b: OptionList) -> Iterator[dict[str, Any]]:
        items = []
        for o in b.items:
            term: list[dict[str, Any]] = []
            for i, opt in enumerate(o.options):
                if i:
                    term += [node("Str", ","), node("Space")]
                term.append(node("Code", [attr(), opt]))
            items.append([term, [self.compact(o.description)]])
        yield node("Div", [attr("", ["option-list"]), [node("DefinitionList", items)]])

    def b_Table(self, t: Table) -> Iterator[dict[str, Any]]:
        rows = (*t.head, *t.body)
        ncols = max(
            len(t.colwidths),
            len(t.aligns),
            sum(c.colspan for c in rows[0].cells) if rows else 0,
            1,
        )
        aligns = [node(ALIGN.get(a, "AlignDefault")) for a in t.aligns]
        aligns += [node("AlignDefault")] * (ncols - len(aligns))
        total = sum(t.colwidths)
        if t.kind == "grid" and len(t.colwidths) == ncols and total > 0:
            widths = [node("ColWidth", w / total) for w in t.colwidths]
        else:
            widths = [node("ColWidthDefault")] * ncols
        caption = [None, [node("Plain", self.inlines(t.caption))] if t.caption else []]
        head = [attr(), [self.row(r) for r in t.head]]
        body = [[attr(), t.stub_columns, [], [self.row(r) for r in t.body]]]
        yield node(
            "Table",
            [
                attr(t.id, t.classes),
                caption,
                [list(x) for x in zip(aligns, widths, strict=True)],
                head,
                body,
                [attr(), []],
            ],
        )

    def row(self, r: Row) -> list[Any]:
        return [attr(), [self.cell(c) for c in r.cells]]

    def cell(self, c: Cell) -> list[Any]:
        return [attr(), node("AlignDefault"), c.rowspan, c.colspan, self.compact(c.blocks)]

    def b_ImageBlock(self, b: ImageBlock) -> Iterator[dict[str, Any]]:
        yield node("Para", [self.image(b.image)])

    def b_Figure(self, b: Figure) -> Iterator[dict[str, Any]]:
        caption_inlines = self.inlines(b.caption)
        caption = [node("Plain", caption_inlines)] if caption_inlines else []
        caption += self.blocks(b.legend)
        alt = text_inlines(b.image.alt) if b.image.alt else caption_inlines
        align = b.align or b.image.align
        yield node(
            "Figure",
            [
                attr(b.id, [f"align-{align}" if align else ""]),
                [None, caption],
                [node("Plain", [self.image(b.image, alt)])],
            ],
        )

    def b_Admonition(self, b: Admonition) -> Iterator[dict[str, Any]]:
        title = self.inlines(b.title) or text_inlines(ADMONITION_TITLES.get(b.kind, b.kind.capitalize()))
        inner = [node("Div", [attr("", ["title"]), [node("Para", title)]]), *self.blocks(b.blocks)]
        yield node("Div", [attr("", (b.kind, *b.classes)), inner])

    def b_Topic(self, b: Topic) -> Iterator[dict[str, Any]]:
        inner = []
        if b.title:
            inner.append(node("Para", [node("Strong", self.inlines(b.title))]))
        if b.subtitle:
            inner.append(node("Para", [node("Emph", self.inlines(b.subtitle))]))
        yield node("Div", [attr(b.id, [b.kind]), inner + self.blocks(b.blocks)])

    def b_Rubric(self, b: Rubric) -> Iterator[dict[str, Any]]:
        yield node("Div", [attr("", ["rubric"]), [node("Para", [node("Strong", self.inlines(b.content))])]])

    def b_LineBlock(self, b: LineBlock) -> Iterator[dict[str, Any]]:
        lines = []
        for line in b.lines:
            content = self.inlines(line.content)
            if line.indent:
                content.insert(0, node("Str", "\u00a0" * (4 * line.indent)))
            lines.append(content)
        yield node("LineBlock", lines)

    def b_MathBlock(self, b: MathBlock) -> Iterator[dict[str, Any]]:
        para = node("Para", [node("Math", [node("DisplayMath"), b.text])])
        yield node("Div", [attr(b.label, ["math"]), [para]]) if b.label else para

    def b_RawBlock(self, b: RawBlock) -> Iterator[dict[str, Any]]:
        yield node("RawBlock", [b.format.lower(), b.text])

    def b_ThematicBreak(self, b: ThematicBreak) -> Iterator[dict[str, Any]]:
        yield node("HorizontalRule")

    def b_SummaryBreak(self, b: SummaryBreak) -> Iterator[dict[str, Any]]:
        return iter(())  # the summary is in the metadata (description); documents have no fold

    def b_Comment(self, b: Comment) -> Iterator[dict[str, Any]]:
        return iter(())  # invisible in the source, invisible in every pandoc output (as pandoc's rST reader)

    def b_Footnote(self, b: Footnote) -> Iterator[dict[str, Any]]:
        if b.kind == "footnote" and b.label in self.as_notes:
            return  # written as a Note where it is referenced
        if b.kind == "citation":
            label = node("Span", [attr(b.label, ["citation-label"]), [node("Str", b.label)]])
            yield node(
                "Div",
                [attr("", ["citation"]), [node("DefinitionList", [[[label], [self.blocks(b.blocks)]]])]],
            )
            return
        head = node("Para", [node("Superscript", [node("Str", b.label)])])
        yield node("Div", [attr(b.label, ["footnote"]), [head, *self.blocks(b.blocks)]])

    def b_Embed(self, b: Embed) -> Iterator[dict[str, Any]]:
        url = embed_url(b)
        kv = [("embed-id", b.id), *b.attrs.items()]
        if url:
            label = b.attrs.get("title") or url
            para = node(
                "Para", [node("Link", [attr(), text_inlines(label), [url, b.attrs.get("title", "")]])]
            )
        else:
            self.warn("unmapped-embed", f"embed {b.kind}:{b.id} kept as text")
            para = node("Para", text_inlines(f"{b.kind}: {b.id}"))
        yield node("Div", [attr("", ["embed", b.kind], kv), [para]])

    def b_Target(self, b: Target) -> Iterator[dict[str, Any]]:
        yield node("Div", [attr(b.id), []])

    def b_Div(self, b: Div) -> Iterator[dict[str, Any]]:
        if b.name in STRUCTURAL_DIVS or not b.name:
            inner = self.blocks(b.blocks)
            classes = (*STRUCTURAL_DIVS.get(b.name, ()), *b.classes)
            if not (b.id or any(classes)):
                yield from inner
            else:
                yield node("Div", [attr(b.id, classes), inner])
            return
        if b.name == "parsed-literal":
            yield node("CodeBlock", [attr("", ["parsed-literal", *b.classes]), b.text.rstrip("\n")])
            return
        # a directive nobody knows: as the Markdown emitter does, its source is kept verbatim
        # when it has any (the parsed blocks lose its line structure), inside a Div that
        # carries the name as a class and the arguments and options as attributes
        kv = [("argument", " ".join(b.arguments))] if b.arguments else []
        kv += list(b.options.items())
        if b.text.strip():
            self.warn("unmapped-directive", f"directive {b.name!r} kept as its rST source in a code block")
            inner = [node("CodeBlock", [attr("", ["rst"]), directive_source(b)])]
        else:
            inner = self.blocks(b.blocks)
        yield node("Div", [attr(b.id, (b.name, *b.classes), kv), inner])
