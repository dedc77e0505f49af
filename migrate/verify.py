"""Verify an output against the document it came from: was any word, link, code block,
heading, image or table cell lost on the way?

Both sides are reduced to an :class:`Inventory` (multisets of normalized features):

- the source side from the document model (:func:`inventory`), as the emitter saw it
  (links already rewritten by the link transform);
- the output side by reading the output back the way its consumers will
  (:func:`inventory_of_output`): Markdown through markdown-it-py (CommonMark + GFM tables,
  strikethrough, footnotes, definition lists, dollar math) after undoing the template
  layer of Hugo and Jekyll, HTML through :mod:`html.parser`, JSON through
  :meth:`Document.from_json` and the shipped JSON Schema.

:func:`compare` reports, per feature, what the source has and the output lacks; extra
material in the output (front matter, titles, navigation, footnote numbers) is never a
loss.  Everything here is pure: no I/O but reading the shipped schema, no printing.
See ``docs/verify.md``.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from .model import (
    Abbr,
    Admonition,
    BlockQuote,
    BulletList,
    Cell,
    Code,
    CodeBlock,
    Comment,
    DefinitionItem,
    DefinitionList,
    Div,
    Document,
    Embed,
    Emph,
    Field,
    FieldList,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    Line,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MathBlock,
    OptionItem,
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
)

__all__ = [
    "KINDS",
    "MAX_MISSING",
    "Inventory",
    "Loss",
    "OutputError",
    "compare",
    "inventory",
    "inventory_of_output",
    "normalize_code",
    "normalize_link",
    "output_kind",
    "site_key",
    "strip_front_matter",
    "verify",
    "words_of",
]

MAX_MISSING = 20
"""How many missing items a :class:`Loss` lists (the counts are always complete)."""

KINDS = ("words", "links", "code", "headings", "images", "cells")
"""The features compared, in report order (``schema`` is added when an output is unreadable)."""

MARKDOWN_KINDS = ("markdown", "hugo", "jekyll")

# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Inventory:
    """What a document or an output contains, as multisets of normalized features."""

    words: Counter[str] = dataclasses.field(default_factory=Counter)
    links: Counter[str] = dataclasses.field(default_factory=Counter)
    code_blocks: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    images: Counter[str] = dataclasses.field(default_factory=Counter)
    table_cells: Counter[str] = dataclasses.field(default_factory=Counter)

    def counters(self) -> dict[str, Counter[str]]:
        """Each feature as a multiset, keyed by its :class:`Loss` kind."""
        return {
            "words": Counter(self.words),
            "links": Counter(self.links),
            "code": Counter(self.code_blocks),
            "headings": Counter(self.headings),
            "images": Counter(self.images),
            "cells": Counter(self.table_cells),
        }


@dataclass(frozen=True)
class Loss:
    """One kind of feature the output lost.

    ``missing`` lists what the source has and the output lacks (sorted, repeated as often
    as it is missing, at most :data:`MAX_MISSING` items); ``expected`` counts the source's
    items of this kind and ``found`` how many of them the output has.
    """

    kind: str
    missing: tuple[str, ...]
    expected: int
    found: int

    @property
    def count(self) -> int:
        """How many items are missing (``missing`` may list fewer)."""
        return self.expected - self.found

    def __str__(self) -> str:
        shown = ", ".join(_short(m) for m in self.missing)
        more = self.count - len(self.missing)
        if more > 0:
            shown += f", … ({more} more)"
        return f"{self.kind}: {self.count} of {self.expected} missing: {shown}"


class OutputError(ValueError):
    """An output that cannot be read back at all (invalid JSON, schema violation)."""


def _short(s: str, width: int = 60) -> str:
    s = s.replace("\n", "⏎")
    return repr(s if len(s) <= width else s[: width - 1] + "…")


# --------------------------------------------------------------------------- normalization

_SPLIT = re.compile(r"\s+")


def _word_char(ch: str) -> str:
    cat = unicodedata.category(ch)
    if cat[0] in "PS":  # punctuation and symbols separate words
        return " "
    if cat[0] == "C" and not ch.isspace():  # control and format characters are invisible
        return ""
    return ch


def words_of(text: str) -> list[str]:
    """Normalized words: NFKC, casefolded, punctuation and symbols turned into spaces,
    invisible control and format characters dropped."""
    text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    if not text:
        return []
    text = "".join(_word_char(ch) for ch in text)
    return [w for w in _SPLIT.split(text) if w]


def _norm_text(text: str) -> str:
    """A heading or cell as normalized words joined by single spaces."""
    return " ".join(words_of(text))


def normalize_code(text: str) -> str:
    """Code as compared: tabs expanded, trailing whitespace and blank edge lines dropped."""
    lines = [line.rstrip() for line in text.expandtabs(8).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


_YOUTUBE = re.compile(
    r"^(?:https?:)?//(?:www\.|m\.)?(?:youtube(?:-nocookie)?\.com/(?:watch\?(?:.*&)?v=|embed/|v/|shorts/)|youtu\.be/)([\w-]+)",
    re.I,
)
_VIMEO = re.compile(r"^(?:https?:)?//(?:www\.|player\.)?vimeo\.com/(?:video/|.*/)?(\d+)", re.I)
_GIST = re.compile(r"^(?:https?:)?//gist\.github\.com/((?:[\w.-]+/)?[0-9a-f]+)(?:\.js)?(?:[?#].*)?$", re.I)


def _canonical_embed(url: str) -> str:
    m = _YOUTUBE.match(url)
    if m:
        return f"https://www.youtube.com/watch?v={m.group(1)}"
    m = _VIMEO.match(url)
    if m:
        return f"https://vimeo.com/{m.group(1)}"
    m = _GIST.match(url)
    if m:
        return f"https://gist.github.com/{m.group(1)}"
    return url


def normalize_link(url: str) -> str:
    """A link target as compared: entities and percent-escapes decoded, Hugo ``ref`` and
    Jekyll ``post_url`` tags in a canonical form, embed players mapped to their page URL."""
    url = html.unescape(url).strip()
    if "{{" in url:
        url = _hugo_layer(url, strict=False, in_link=True)
    if "{%" in url:
        url = _liquid_layer(url, strict=False)
    url = unquote(url)
    return _canonical_embed(url)


# --------------------------------------------------------------------------- source side


class _Collector:
    """Walks the model and collects what a faithful rendering shows."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.code: list[str] = []
        self.headings: list[str] = []
        self.cells: list[str] = []

    # -- helpers
    def link(self, target: str) -> None:
        t = normalize_link(target)
        if t:
            self.links.append(t)

    def sub_text(self, nodes: Any) -> str:
        """The visible text of a subtree (its features are collected as usual)."""
        mark = len(self.text)
        self.node(nodes)
        return "".join(self.text[mark:])

    def raw_html(self, text: str, inline: bool) -> None:
        ex = _extract_html(text)
        self.text.append(ex.joined_text() if inline else " " + ex.joined_text() + " ")
        self.links += ex.links
        self.images += ex.images
        self.code += ex.code
        self.headings += ex.headings
        self.cells += ex.cells

    def block(self, *parts: Any) -> None:
        self.text.append(" ")
        for p in parts:
            self.node(p)
        self.text.append(" ")

    # -- the walk
    def node(self, n: Any) -> None:  # one dispatch over the whole model
        if isinstance(n, (tuple, list)):
            for x in n:
                self.node(x)
        elif isinstance(n, Text):
            text = n.text
            if "\x00" in text:  # docutils' escape marker: an escaped space is no space at all
                text = re.sub("\x00[ \n]", "", text).replace("\x00", "")
            self.text.append(text)
        elif isinstance(n, (Code, Math)):
            self.text.append(n.text)
        elif isinstance(n, (Emph, Strong, Subscript, Superscript, Span, Abbr)):
            self.node(n.content)
        elif isinstance(n, Link):
            if n.content:
                self.node(n.content)
            else:
                self.text.append(n.target)
            self.link(n.target)
        elif isinstance(n, Image):
            if n.src:
                self.images.append(normalize_link(n.src))
            if n.target:
                self.link(n.target)
        elif isinstance(n, LineBreak):
            self.text.append(" ")
        elif isinstance(n, FootnoteRef):
            pass  # its label is markup
        elif isinstance(n, RawInline):
            if n.format.lower() == "html":
                self.raw_html(n.text, inline=True)
        elif isinstance(n, Heading):
            self.text.append(" ")
            text = self.sub_text(n.content)
            self.text.append(" ")
            self.headings.append(_norm_text(text))
        elif isinstance(n, (Paragraph, Rubric, Line)):
            self.block(n.content)
        elif isinstance(n, CodeBlock):
            code = normalize_code(n.text)
            if code:
                self.code.append(code)
                self.text.append(" " + code + " ")  # its words count too, as they do in outputs
            if n.caption:
                self.block(Text(n.caption))
        elif isinstance(n, BlockQuote):
            self.block(n.blocks, Paragraph(n.attribution))
        elif isinstance(n, (BulletList, OrderedList)):
            for item in n.items:
                self.block(item)
        elif isinstance(n, DefinitionList):
            self.node(n.items)
        elif isinstance(n, DefinitionItem):
            self.block(n.term)
            for c in n.classifiers:
                self.block(c)
            self.block(n.definition)
        elif isinstance(n, FieldList):
            self.node(n.items)
        elif isinstance(n, Field):
            self.block(n.name)
            self.block(n.body)
        elif isinstance(n, OptionList):
            self.node(n.items)
        elif isinstance(n, OptionItem):
            for opt in n.options:
                self.block(Text(opt))
            self.block(n.description)
        elif isinstance(n, Table):
            self.block(n.caption)
            self.node((*n.head, *n.body))
        elif isinstance(n, Row):
            self.node(n.cells)
        elif isinstance(n, Cell):
            self.text.append(" ")
            text = _norm_text(self.sub_text(n.blocks))
            self.text.append(" ")
            if text:
                self.cells.append(text)
        elif isinstance(n, ImageBlock):
            self.block(n.image)
        elif isinstance(n, Figure):
            self.block(n.image, Paragraph(n.caption), n.legend)
        elif isinstance(n, Admonition):
            self.block(Paragraph(n.title), n.blocks)
        elif isinstance(n, Topic):
            self.block(Paragraph(n.title), Paragraph(n.subtitle), n.blocks)
        elif isinstance(n, LineBlock):
            self.node(n.lines)
        elif isinstance(n, MathBlock):
            self.block(Text(n.text))
        elif isinstance(n, RawBlock):
            if n.format.lower() == "html":
                self.raw_html(n.text, inline=False)
        elif isinstance(n, Footnote):
            self.block(n.blocks)  # its label is markup
        elif isinstance(n, Embed):
            url = _embed_link(n)
            if url:
                self.links.append(url)
        elif isinstance(n, Div):
            if n.text.strip():
                # a directive kept with its source: emitters may show the parsed content or
                # the source verbatim (a literal block), so only its words are expected
                inner = _Collector()
                inner.node(n.blocks)
                self.text.append(" " + ("".join(inner.text) if n.blocks else n.text) + " ")
            else:
                self.block(n.blocks)
        elif isinstance(n, (ThematicBreak, SummaryBreak, Target, Comment)):
            pass
        elif dataclasses.is_dataclass(n):  # a node type added later: keep its text
            for f in dataclasses.fields(n):
                v = getattr(n, f.name)
                if isinstance(v, tuple) or dataclasses.is_dataclass(v):
                    self.block(v)

    def inventory(self) -> Inventory:
        return Inventory(
            words=Counter(words_of("".join(self.text))),
            links=Counter(self.links),
            code_blocks=tuple(self.code),
            headings=tuple(self.headings),
            images=Counter(self.images),
            table_cells=Counter(self.cells),
        )


_EMBED_PAGES = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
    "gist": "https://gist.github.com/{id}",
}


def _embed_link(e: Embed) -> str:
    """The link an embed must keep: its provider page (players map back to it)."""
    if e.kind in _EMBED_PAGES and e.id:
        return normalize_link(_EMBED_PAGES[e.kind].format(id=e.id))
    from .emitters.markdown import embed_url

    url = embed_url(e)
    return normalize_link(url) if url else ""


def inventory(doc: Document) -> Inventory:
    """What ``doc`` contains (its body: the title and other metadata are not compared).

    Pass the document as the emitter saw it, after the link transform, so that link
    targets are the rewritten ones.
    """
    c = _Collector()
    c.node(doc.blocks)
    return c.inventory()


# --------------------------------------------------------------------------- HTML side

_INLINE_TAGS = {
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn",
    "em", "font", "i", "img", "ins", "kbd", "label", "mark", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
}  # fmt: skip
_VOID_TAGS = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "keygen",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "head", "title", "template", "noscript"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_FOOTNOTE_CLASSES = {"footnote-ref", "footnote-reference", "footnote-backref", "fn-backref", "fnref"}
_NUMBERING_CLASSES = {"linenos", "lineno", "linenodiv", "lnt", "ln"}
"""Pygments' line numbers: markup, not code."""


_CONTENT_CLASSES = {"post-body", "entry-content", "e-content", "article-body", "post-content"}
_CONTENT_ALT = "|".join(map(re.escape, sorted(_CONTENT_CLASSES)))
_CONTENT_RX = re.compile(
    r"""<[a-z][^>]*\b(?:class\s*=\s*["']?[^"'>]*\b(?:"""
    + _CONTENT_ALT
    + r""")\b|itemprop\s*=\s*["']?articleBody)""",
    re.I,
)


def _content_rule(page: str) -> str:
    """Which element of a full page holds the post: ``body`` (a post-body class or
    ``itemprop=articleBody``), ``article``, ``main``, or ``""`` (the whole text)."""
    if _CONTENT_RX.search(page):
        return "body"
    if re.search(r"<article[\s>]", page, re.I):
        return "article"
    if re.search(r"<main[\s>]", page, re.I):
        return "main"
    return ""


@dataclass
class _Open:
    tag: str
    skip: bool = False
    unskip: bool = False
    pre: list[str] | None = None
    heading: list[str] | None = None
    cell: list[str] | None = None
    inline: bool = False


class _Extractor(HTMLParser):
    """Words, links, images, code blocks, headings and table cells of an HTML text."""

    def __init__(self, content: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.content = content
        self.stack: list[_Open] = []
        self.text: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.code: list[str] = []
        self.headings: list[str] = []
        self.cells: list[str] = []
        self.skip = 1 if content else 0  # outside the content element of a page
        self.pre = 0

    # -- state
    def _buffers(self) -> list[list[str]]:
        bufs = [o.heading for o in self.stack if o.heading is not None]
        bufs += [o.cell for o in self.stack if o.cell is not None]
        return bufs

    def _boundary(self) -> None:
        """A block boundary: a space between words (nothing inside code)."""
        if self.skip:
            return
        self.text.append(" ")
        if not self.pre:
            for b in self._buffers():
                b.append(" ")

    def _emit(self, s: str) -> None:
        """Visible text."""
        if self.skip:
            return
        if self.pre:
            # code counts as words too (a directive may be kept verbatim in a literal
            # block), but not as heading or cell text
            for o in self.stack:
                if o.pre is not None:
                    o.pre.append(s)
            self.text.append(s)
            return
        self.text.append(s)
        for b in self._buffers():
            b.append(s)

    def _close_to(self, index: int) -> None:
        while len(self.stack) > index:
            self._finish(self.stack.pop())

    def _finish(self, o: _Open) -> None:
        if o.skip:
            self.skip -= 1
        if o.unskip:
            self.skip += 1
        if o.pre is not None:
            self.pre -= 1
            code = normalize_code("".join(o.pre))
            if code and not self.skip:
                self.code.append(code)
        if o.heading is not None and not self.skip:
            self.headings.append(_norm_text("".join(o.heading)))
        if o.cell is not None and not self.skip:
            text = _norm_text("".join(o.cell))
            if text:
                self.cells.append(text)
        if not o.inline:
            self._boundary()

    def _last(self, tags: Iterable[str], stop: Iterable[str]) -> int:
        """Index of the innermost open element in ``tags`` not enclosed by one in ``stop``."""
        tags, stop = set(tags), set(stop)
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag in tags:
                return i
            if self.stack[i].tag in stop:
                return -1
        return -1

    # -- parser callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        # implied end tags (HTML that omits them)
        if tag in ("td", "th", "tr"):
            i = self._last(("td", "th") if tag != "tr" else ("td", "th", "tr"), ("table",))
            if i >= 0:
                self._close_to(i)
        elif tag == "li":
            i = self._last(("li",), ("ul", "ol", "menu"))
            if i >= 0:
                self._close_to(i)
        in_skip = bool(self.skip)
        footnote = bool(classes & _FOOTNOTE_CLASSES) or (
            tag == "a"
            and a.get("href", "").startswith("#fn")
            and bool(self.stack)
            and self.stack[-1].tag == "sup"
        )
        inline = tag in _INLINE_TAGS or ("math" in classes and "inline" in classes)
        if not in_skip:
            if tag == "a" and a.get("href") and not footnote:
                self._link(a["href"])
            elif tag in ("iframe", "embed") and a.get("src"):
                self._link(a["src"])
            elif tag == "script" and a.get("src"):
                self._link(a["src"])
            elif tag == "img" and a.get("src"):
                self.images.append(normalize_link(a["src"]))
        if tag == "br":
            self._boundary()
            return
        if tag in _VOID_TAGS:
            if not inline:
                self._boundary()
            return
        if not inline:
            self._boundary()
        o = _Open(tag, inline=inline)
        if self.content and self._is_content(tag, a, classes):
            o.unskip = True
            self.skip -= 1
        if tag in _SKIP_TAGS or footnote or "footnotes-sep" in classes or classes & _NUMBERING_CLASSES:
            o.skip = True
            self.skip += 1
        if tag == "pre":
            o.pre = []
            self.pre += 1
        if tag in _HEADINGS:
            o.heading = []
        if tag in ("td", "th"):
            o.cell = []
        self.stack.append(o)

    def _is_content(self, tag: str, a: dict[str, str], classes: set[str]) -> bool:
        if self.content == "body":
            return bool(classes & _CONTENT_CLASSES) or a.get("itemprop") == "articleBody"
        return tag == self.content

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                self._close_to(i)
                return
        if tag in ("p", "br"):
            self._boundary()

    def handle_data(self, data: str) -> None:
        self._emit(data)

    def _link(self, href: str) -> None:
        t = normalize_link(href)
        if t:
            self.links.append(t)

    def close(self) -> None:
        super().close()
        self._close_to(0)

    def joined_text(self) -> str:
        return "".join(self.text)

    def inventory(self) -> Inventory:
        return Inventory(
            words=Counter(words_of(self.joined_text())),
            links=Counter(self.links),
            code_blocks=tuple(self.code),
            headings=tuple(self.headings),
            images=Counter(self.images),
            table_cells=Counter(self.cells),
        )


def _extract_html(text: str, page: bool = False) -> _Extractor:
    """Features of an HTML fragment, or of a full ``page`` (then only its content element)."""
    ex = _Extractor(_content_rule(text) if page else "")
    ex.feed(text)
    ex.close()
    return ex


# --------------------------------------------------------------------------- template layers

_SC_NAME = re.compile(r"\s*(/?)\s*([\w./-]+)")
_SC_PARAM = re.compile(r'\s+(?:([\w-]+)=)?("(?:[^"\\]|\\.)*"|`[^`]*`|[^\s"`]+?(?=\s|[>%]\}\}))', re.S)
_SC_END = re.compile(r"\s*([>%])\}\}")


def _parse_shortcode(
    text: str, pos: int, close: str
) -> tuple[str, bool, list[str], dict[str, str], int] | None:
    """``{{< name params >}}`` starting after the opening ``{{<``: (name, closing, args, kwargs, end)."""
    m = _SC_NAME.match(text, pos)
    if not m:
        return None
    closing, name = bool(m.group(1)), m.group(2)
    pos = m.end()
    args: list[str] = []
    kwargs: dict[str, str] = {}
    while True:
        end = _SC_END.match(text, pos)
        if end:
            if end.group(1) != {"<": ">"}.get(close, close):
                return None
            return name, closing, args, kwargs, end.end()
        p = _SC_PARAM.match(text, pos)
        if not p:
            return None
        value = p.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.S)
        elif value.startswith("`"):
            value = value[1:-1]
        if p.group(1):
            kwargs[p.group(1)] = value
        else:
            args.append(value)
        pos = p.end()


def _attr(v: str) -> str:
    return html.escape(v, quote=True)


def _hugo_shortcode(name: str, args: list[str], kwargs: dict[str, str], in_link: bool) -> str | None:
    """What Hugo renders for the shortcodes our emitter writes (as Markdown/HTML); None: unknown."""
    first = args[0] if args else ""
    if name in ("ref", "relref"):
        return f"hugo-{name}:" + quote(first or kwargs.get("path", ""), safe="/#:?&=%@+~")
    if in_link:
        return None
    if name == "youtube":
        vid = kwargs.get("id", first)
        return f"<https://www.youtube.com/watch?v={vid}>" if vid else ""
    if name == "vimeo":
        vid = kwargs.get("id", first)
        return f"<https://vimeo.com/{vid}>" if vid else ""
    if name == "gist":
        user, gid = (args + ["", ""])[:2]
        path = f"{user}/{gid}" if gid else user
        return f"<https://gist.github.com/{path}>" if path else ""
    if name == "figure":
        src = kwargs.get("src", first)
        img = f'<img src="{_attr(src)}" alt="{_attr(kwargs.get("alt", ""))}">'
        link = kwargs.get("link", "")
        if link:
            # Hugo does not render a shortcode inside another one's parameter
            link = "hugo-unrendered:" + link if "{{" in link else link
            img = f'<a href="{_attr(link)}">{img}</a>'
        caption = kwargs.get("caption", "")
        return f"\n\n<p>{img}</p>\n\n" + (caption + "\n\n" if caption else "")
    return None


def _hugo_layer(text: str, *, strict: bool, in_link: bool = False) -> str:
    """Render Hugo's shortcode layer: escaped ``{{</* x */>}}`` becomes the literal
    ``{{< x >}}``, known shortcodes become what they render, unknown ones vanish when
    ``strict`` (Hugo would fail the build) and stay literal otherwise."""
    out: list[str] = []
    i = 0
    while True:
        j = text.find("{{", i)
        if j < 0 or j + 2 >= len(text):
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:j])
        kind = text[j + 2]
        if kind not in "<%":
            out.append("{{")
            i = j + 2
            continue
        close = ">" if kind == "<" else "%"
        if text.startswith("/*", j + 3):
            end = text.find("*/" + close + "}}", j + 5)
            if end >= 0:
                out.append("{{" + kind + text[j + 5 : end] + close + "}}")
                i = end + 5
                continue
        parsed = _parse_shortcode(text, j + 3, kind)
        if parsed is None:
            out.append("{{")
            i = j + 2
            continue
        name, closing, args, kwargs, end = parsed
        rendered = None if closing else _hugo_shortcode(name, args, kwargs, in_link)
        if rendered is None:
            rendered = "" if strict else text[j:end]
        out.append(rendered)
        i = end


_LIQUID_TAG = re.compile(r"\{%-?\s*(\w+)(.*?)-?%\}", re.S)
_LIQUID_OUT = re.compile(r"\{\{.*?\}\}", re.S)
_ENDRAW = re.compile(r"\{%-?\s*endraw\s*-?%\}")


def _liquid_layer(text: str, *, strict: bool) -> str:
    """Render the Liquid layer Jekyll runs before kramdown: ``{% raw %}`` blocks become
    their literal text, ``{% post_url %}`` a canonical link, and (when ``strict``) any
    other tag or ``{{ output }}`` vanishes, as it would on the built site."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        j_tag = text.find("{%", i)
        j_out = text.find("{{", i) if strict else -1
        cands = [x for x in (j_tag, j_out) if x >= 0]
        if not cands:
            out.append(text[i:])
            break
        j = min(cands)
        out.append(text[i:j])
        if j == j_out:
            m = _LIQUID_OUT.match(text, j)
            if m:
                i = m.end()
            else:
                out.append("{{")
                i = j + 2
            continue
        m = _LIQUID_TAG.match(text, j)
        if not m:
            out.append("{%")
            i = j + 2
            continue
        name, arg = m.group(1), m.group(2).strip()
        if name == "raw":
            end = _ENDRAW.search(text, m.end())
            stop = end.start() if end else n
            out.append(text[m.end() : stop])
            i = end.end() if end else n
        elif name in ("post_url", "link"):
            out.append(f"jekyll-{name}:" + quote(arg, safe="/#:?&=%@+~"))
            i = m.end()
        elif strict:
            i = m.end()
        else:
            out.append(m.group(0))
            i = m.end()
    return "".join(out)


# --------------------------------------------------------------------------- Markdown side


def strip_front_matter(text: str) -> str:
    """The body of a Markdown file: YAML (``---``), TOML (``+++``) or JSON front matter removed."""
    for fence, ends in (("---", ("---", "...")), ("+++", ("+++",))):
        if text.startswith(fence + "\n"):
            lines = text.split("\n")
            for k in range(1, len(lines)):
                if lines[k].rstrip() in ends:
                    return "\n".join(lines[k + 1 :])
            return text
    if text.startswith("{"):
        try:
            _, end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return text
        return text[end:]
    return text


@lru_cache(maxsize=1)
def _markdown_parser() -> Any:
    try:
        from markdown_it import MarkdownIt
        from mdit_py_plugins.deflist import deflist_plugin
        from mdit_py_plugins.dollarmath import dollarmath_plugin
        from mdit_py_plugins.footnote import footnote_plugin
        from mdit_py_plugins.front_matter import front_matter_plugin
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise OutputError(
            "verifying Markdown needs markdown-it-py and mdit-py-plugins (pip install 'migrate[test]')"
        ) from e
    return (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .enable("strikethrough")
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(front_matter_plugin)
        .use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    )


_ALERT = re.compile(r"^\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*$", re.I)
_HEADING_ATTR = re.compile(r"[ \t]*\{#[^\s{}]*\}[ \t]*$")


def _drop_markup(tokens: list[Any]) -> None:
    """Remove what our emitters write as markup but markdown-it reads as text: GitHub alert
    markers (``> [!NOTE]``) and heading id attributes (``## Title {#id}``)."""
    for k, tok in enumerate(tokens):
        if tok.type == "blockquote_open" and k + 2 < len(tokens):
            para, inline = tokens[k + 1], tokens[k + 2]
            if para.type == "paragraph_open" and inline.type == "inline" and inline.children:
                first = inline.children[0]
                if first.type == "text" and _ALERT.match(first.content):
                    first.content = ""
        elif tok.type == "heading_open" and k + 1 < len(tokens):
            inline = tokens[k + 1]
            if inline.children:
                last = inline.children[-1]
                if last.type == "text":
                    last.content = _HEADING_ATTR.sub("", last.content)


def markdown_to_html(text: str, kind: str = "markdown") -> str:
    """Render an output the way its readers will: template layer, then markdown-it."""
    body = strip_front_matter(text)
    if kind == "hugo":
        body = _hugo_layer(body, strict=True)
    elif kind == "jekyll":
        body = _liquid_layer(body, strict=True)
    md = _markdown_parser()
    env: dict[str, Any] = {}
    tokens = md.parse(body, env)
    _drop_markup(tokens)
    return md.renderer.render(tokens, md.options, env)


# --------------------------------------------------------------------------- JSON side


@lru_cache(maxsize=1)
def _schema_validator() -> Any:
    try:
        import jsonschema
    except ImportError:  # pragma: no cover - optional
        return None
    schema = json.loads((Path(__file__).parent / "schema" / "document.schema.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _read_json(text: str) -> Document:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise OutputError(f"not JSON: {e}") from e
    validator = _schema_validator()
    if validator is not None:
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(root)"
            raise OutputError(f"schema: {where}: {first.message}")
    try:
        return Document.from_json(text)
    except (ValueError, TypeError) as e:
        raise OutputError(f"not a migrate document: {e}") from e


# --------------------------------------------------------------------------- API


def inventory_of_output(text: str | bytes, kind: str) -> Inventory:
    """What an output contains, read back as its consumers read it.

    ``kind``: ``markdown`` (CommonMark + GFM as written, no template layer), ``hugo`` or
    ``jekyll`` (Markdown read through that platform's template layer: Hugo shortcodes,
    Liquid tags; what the site would not render vanishes), ``html`` or ``json``.
    Raises :class:`OutputError` when the output cannot be read at all.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if kind in MARKDOWN_KINDS:
        return _extract_html(markdown_to_html(text, kind)).inventory()
    if kind == "html":
        return _extract_html(text, page=True).inventory()
    if kind == "json":
        return inventory(_read_json(text))
    raise ValueError(f"cannot verify outputs of kind {kind!r} (markdown, hugo, jekyll, html or json)")


def compare(source: Inventory, output: Inventory) -> list[Loss]:
    """What ``source`` has and ``output`` lacks, one :class:`Loss` per feature; empty when nothing was lost."""
    losses = []
    src, out = source.counters(), output.counters()
    for kind in KINDS:
        s, o = src[kind], out[kind]
        missing = s - o
        if not missing:
            continue
        expected = sum(s.values())
        found = expected - sum(missing.values())
        listed = tuple(sorted(missing.elements())[:MAX_MISSING])
        losses.append(Loss(kind, listed, expected, found))
    return losses


_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


def site_key(url: str) -> str:
    """A site-internal URL as a page-independent key (for HTML, whose links are relative
    to the page): ``/x/``, ``../x/index.html`` and ``x`` are all ``x``.  URLs with a scheme
    and ``#anchors`` are kept."""
    if not url or url.startswith("#") or _SCHEME.match(url):
        return url
    path, hash_, frag = url.partition("#")
    path, q, query = path.partition("?")
    while path.startswith(("../", "./", "/")):
        path = path[3:] if path.startswith("../") else path[2:] if path.startswith("./") else path[1:]
    for suffix in ("index.html", "index.htm", ".html", ".htm"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return path.rstrip("/") + q + query + hash_ + frag


def _site_keys(inv: Inventory) -> Inventory:
    def keys(c: Counter[str]) -> Counter[str]:
        out: Counter[str] = Counter()
        for k, n in c.items():
            out[site_key(k)] += n
        return out

    return dataclasses.replace(inv, links=keys(inv.links), images=keys(inv.images))


def verify(doc: Document, output: str | bytes, kind: str) -> list[Loss]:
    """Compare an output of ``doc`` (as emitted: links rewritten) with ``doc`` itself.

    ``kind``: best the target name (``markdown``, ``hugo``, ``jekyll``, ``html``,
    ``json``), which reads the output exactly as that platform will.  With the generic
    ``markdown`` (what :func:`output_kind` says for all three Markdown targets) an output
    holding ``{{`` or ``{%`` is also read as Hugo and as Jekyll would read it, and the
    reading that loses least is reported.  An output that cannot be read back at all is
    one ``schema`` loss naming the problem.
    """
    if kind not in (*MARKDOWN_KINDS, "html", "json"):
        kind = output_kind(kind) or kind
    source = inventory(doc)
    try:
        if kind == "markdown":
            text = output.decode("utf-8", errors="replace") if isinstance(output, bytes) else output
            readings = ["markdown"]
            if "{{" in text:
                readings.append("hugo")
            if "{%" in text or "{{" in text:
                readings.append("jekyll")
            results = [compare(source, inventory_of_output(text, k)) for k in readings]
            return min(results, key=lambda losses: sum(loss.count for loss in losses))
        found = inventory_of_output(output, kind)
        if kind == "html":  # page-relative links: compare site paths
            return compare(_site_keys(source), _site_keys(found))
        return compare(source, found)
    except OutputError as e:
        return [Loss("schema", (str(e),), 1, 0)]


def output_kind(target: str) -> str | None:
    """How an output of ``target`` is read back: ``markdown``, ``html``, ``json``, or None
    when it cannot be verified (``pandoc:*`` and third-party targets)."""
    base = target.split(":", 1)[0]
    if ":" in target and base == "pandoc":
        return None
    if base in MARKDOWN_KINDS:
        return "markdown"
    if base in ("html", "json"):
        return base
    return None
