"""Markdown (CommonMark + GFM) emitter, and the rendering core Hugo and Jekyll build on.

``render_markdown`` turns the IDM into a Markdown body; ``MarkdownRenderer`` is a class
only so that the Hugo and Jekyll emitters can override the few platform-specific pieces
(embeds, figures, literal-text protection, heading anchors, code fence info).  Escaping is
contextual so that ordinary prose carries no backslashes: a character is escaped only
where a CommonMark parser could read it as markup.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

import yaml

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
    DefinitionItem,
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
    plain_text,
    walk,
)
from .base import EmitContext

# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class MarkdownOptions:
    """How to write Markdown.  Defaults suit GitHub-flavoured Markdown read by humans."""

    flavor: str = "gfm"
    """``gfm`` (pipe tables, footnotes, strikethrough, definition lists) or ``commonmark``."""
    heading_shift: int = 1
    """Added to model heading levels: the post title is the page's ``h1``, sections start at ``##``."""
    link_style: str = "inline"
    """``inline`` ``[text](url)`` or ``reference`` ``[text][1]`` with definitions at the end."""
    admonitions: str = "gfm-alert"
    """``gfm-alert`` (``> [!NOTE]``), ``blockquote`` (``> **Note**``) or ``html`` (``<div class=admonition>``)."""
    front_matter: str = "yaml"
    """``yaml``, ``toml``, ``json`` or ``none``."""
    anchors: str = "html"
    """How to keep docutils' heading ids when the platform would generate another id:
    ``html`` (``<a id>`` before the heading), ``attr`` (``## Title {#id}``) or ``none``."""
    id_algorithm: str = "github"
    """Which generator the target platform uses for heading ids: ``github``, ``hugo``, ``kramdown``."""
    figures: str = "html"
    """``html`` (``<figure>`` with ``<figcaption>``) or ``markdown`` (image + italic caption)."""
    math_inline: str = "$"
    """Inline math delimiter: ``$`` (GitHub, Hugo passthrough) or ``$$`` (kramdown)."""
    line_blocks: str = "backslash"
    """Hard breaks in line blocks: ``backslash`` or ``br``."""
    html_markdown_attr: bool = True
    """Add ``markdown="1"`` on HTML wrappers holding Markdown (kramdown needs it, others ignore it)."""


TITLE_ROLES = {"title-reference", "title", "t"}
"""docutils' default role: the title of a work, rendered ``<cite>`` (emphasis in Markdown)."""

ALERT_KINDS = {
    "note": "NOTE",
    "seealso": "NOTE",
    "versionadded": "NOTE",
    "versionchanged": "NOTE",
    "admonition": "NOTE",
    "tip": "TIP",
    "hint": "TIP",
    "important": "IMPORTANT",
    "warning": "WARNING",
    "attention": "WARNING",
    "deprecated": "WARNING",
    "caution": "CAUTION",
    "danger": "CAUTION",
    "error": "CAUTION",
}

ADMONITION_TITLES = {
    "seealso": "See also",
    "versionadded": "New in version",
    "versionchanged": "Changed in version",
    "deprecated": "Deprecated since version",
}

EMBED_URLS = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
    "gist": "https://gist.github.com/{id}",
    "slideshare": "https://www.slideshare.net/{id}",
    "soundcloud": "https://soundcloud.com/{id}",
    "twitter": "https://twitter.com/i/status/{id}",
}

# --------------------------------------------------------------------------- heading ids


def docutils_id(text: str) -> str:
    """docutils' ``make_id`` (what the old site's anchors were)."""
    s = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^a-z0-9]+", "-", s)
    s = re.sub(r"^[^a-z]+", "", s)
    return s.rstrip("-")


def github_id(text: str) -> str:
    """GitHub's heading anchor: lower-case, drop punctuation but ``-``/``_``, spaces become ``-``."""
    s = text.strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def hugo_id(text: str) -> str:
    """Hugo/Goldmark ``autoHeadingIDType = "github"``: letters, digits, ``_`` and ``-`` kept, spaces to ``-``."""
    out = []
    for ch in text.strip().lower():
        if ch.isalnum() or ch in "_-":
            out.append(ch)
        elif ch.isspace():
            out.append("-")
    return "".join(out)


def kramdown_id(text: str) -> str:
    """kramdown-parser-gfm (Jekyll's default input): like GitHub, tabs also become ``-``."""
    s = text.lower()
    s = re.sub(r"[^\w\- \t]", "", s)
    return re.sub(r"[ \t]", "-", s)


ID_ALGORITHMS: dict[str, Callable[[str], str]] = {
    "github": github_id,
    "hugo": hugo_id,
    "kramdown": kramdown_id,
    "docutils": docutils_id,
}


class HeadingIds:
    """Replays a platform's id generator over the headings, duplicates included (``-1``, ``-2``)."""

    def __init__(self, algorithm: str) -> None:
        self.make = ID_ALGORITHMS[algorithm]
        self.seen: dict[str, int] = {}

    def next(self, text: str) -> str:
        base = self.make(text) or "heading"
        n = self.seen.get(base, -1) + 1
        self.seen[base] = n
        return f"{base}-{n}" if n else base


# --------------------------------------------------------------------------- escaping

_ASCII_PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def _is_space(ch: str) -> bool:
    return ch == "" or ch.isspace()


_SPECIAL = re.compile(r"\*+|_+|~+|[\\`\[\]<&|\n]")


def escape_text(s: str, *, table: bool = False, link: bool = False, gfm: bool = True) -> str:
    """Escape a literal text run so Markdown reads it back unchanged, and escape nothing more.

    Only the characters Markdown may read as markup are looked at (a regex finds them); the
    runs between them are copied as they are, which keeps this fast on long posts.
    """
    if "\x00" in s:  # docutils' backslash-escape marker: ``\ `` is "no space here"
        s = re.sub("\x00[ \n]", "", s).replace("\x00", "")
    out: list[str] = []
    n = len(s)
    last = 0
    for m in _SPECIAL.finditer(s):
        i, j = m.start(), m.end()
        if i > last:
            out.append(s[last:i])
        last = j
        ch = s[i]
        if ch in "*_~":
            run = s[i:j]
            before = s[i - 1] if i else "\x00"  # unknown neighbour: assume it may be markup
            after = s[j] if j < n else "\x00"
            if ch == "*":
                needed = not (_is_space(before) and _is_space(after) and before != "\x00" and after != "\x00")
            elif ch == "_":
                needed = not (before.isalnum() and after.isalnum())
            else:
                needed = gfm and len(run) >= 2
            out.append("".join("\\" + c for c in run) if needed else run)
            continue
        nxt = s[i + 1] if i + 1 < n else ""
        if ch == "\\":
            out.append("\\\\" if (nxt == "" or nxt in _ASCII_PUNCT) else ch)
        elif ch == "`" or ch == "[":
            out.append("\\" + ch)
        elif ch == "]":
            out.append("\\]" if link else ch)
        elif ch == "<":
            out.append("\\<" if (nxt == "" or nxt.isalpha() or nxt in "/!?") else ch)
        elif ch == "&":
            out.append("\\&" if re.match(r"&#?[A-Za-z0-9]+;", s[i:]) else ch)
        elif ch == "|":
            out.append("\\|" if table else ch)
        else:  # newline
            out.append(" ")
    if last < n:
        out.append(s[last:])
    return "".join(out)


_LINE_START = [
    (re.compile(r"^(#{1,6})(?=\s|$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^>"), lambda m: "\\>"),
    (re.compile(r"^([-+])(?=\s|$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^(\d{1,9})([.)])(?=\s|$)"), lambda m: m.group(1) + "\\" + m.group(2)),
    (re.compile(r"^([=-])(?=[=-]*\s*$)"), lambda m: "\\" + m.group(1)),
    (re.compile(r"^~~~"), lambda m: "\\~~~"),
    (re.compile(r"^:(?=\s)"), lambda m: "\\:"),
]


def escape_line_starts(text: str) -> str:
    """Escape what would start a block (heading, quote, list, setext underline) at a line start."""
    lines = []
    for line in text.split("\n"):
        line = line.lstrip(" \t")
        for rx, fix in _LINE_START:
            new = rx.sub(fix, line, count=1)
            if new != line:
                line = new
                break
        lines.append(line)
    return "\n".join(lines)


def code_span(text: str, table: bool = False) -> str:
    """Inline code with a backtick fence longer than any run inside."""
    text = text.replace("\n", " ")
    runs = [len(r) for r in re.findall(r"`+", text)]
    fence = "`" * (max(runs, default=0) + 1)
    if (
        text.startswith("`")
        or text.endswith("`")
        or (text.startswith(" ") and text.endswith(" ") and text.strip())
    ):
        text = f" {text} "
    if table:
        text = text.replace("|", "\\|")
    return f"{fence}{text}{fence}"


def fence_for(text: str) -> str:
    runs = [len(r) for r in re.findall(r"`+", text)]
    return "`" * max(3, max(runs, default=0) + 1)


_UNSAFE_SCHEME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)


def unsafe_url(url: str, image: bool = False) -> bool:
    """A URL a browser would run as script (``javascript:``, ``vbscript:``, ``data:`` except an
    image source), as browsers read it: ASCII whitespace and control characters are ignored,
    case too.  Such links are written as their text only (docs/security.md)."""
    m = _UNSAFE_SCHEME.match(re.sub(r"[\x00-\x20\x7f]+", "", url))
    return bool(m) and not (image and m.group(0).lower() == "data:")


def link_destination(url: str) -> str:
    if url == "" or re.search(r"[\s<>]", url) or url.count("(") != url.count(")"):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def link_title(title: str) -> str:
    return ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"' if title else ""


def html_attr(value: str) -> str:
    return html.escape(value, quote=True)


def comment(text: str) -> str:
    """An HTML comment whose text cannot close it early."""
    body = text.replace("--", "- -").replace("--", "- -").strip()
    if body.endswith("-"):
        body += " "
    return f"<!-- {body} -->" if "\n" not in body else f"<!--\n{body}\n-->"


def indent(text: str, first: str, rest: str | None = None) -> str:
    """Prefix lines (``first`` on the first); blank lines get the prefix without trailing spaces."""
    rest = first if rest is None else rest
    out = []
    for i, line in enumerate(text.split("\n")):
        p = first if i == 0 else rest
        out.append(p + line if line else p.rstrip())
    return "\n".join(out)


@dataclass
class _Delim:
    """An emphasis span whose markers (``*`` or ``<em>``) are chosen once its neighbours are known."""

    marker: str
    tag: str
    inner: str


# --------------------------------------------------------------------------- renderer


@dataclass
class MarkdownRenderer:
    """Writes one document; subclasses override the platform hooks (``embed``, ``figure``...)."""

    opts: MarkdownOptions = field(default_factory=MarkdownOptions)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    # -- state per document
    def _reset(self, doc: Document) -> None:
        self._fn_labels: dict[str, str] = {}
        self.ids = HeadingIds(self.opts.id_algorithm)
        self.refs: dict[tuple[str, str], int] = {}
        self.footnotes: list[Footnote] = [b for b in walk(doc.blocks) if isinstance(b, Footnote)]
        self.cited = {self.fn_label(n.label) for n in walk(doc.blocks) if isinstance(n, FootnoteRef)}
        self.table_depth = 0
        self.link_depth = 0
        self.verbatim_lines: list[str] = []

    @property
    def gfm(self) -> bool:
        return self.opts.flavor == "gfm"

    def warn(self, code: str, message: str) -> None:
        self.warnings.append((code, message))

    # -- hooks
    def literal(self, text: str) -> str:
        """Protect already-rendered literal text from a template engine (Hugo, Liquid)."""
        return text

    def embed(self, e: Embed) -> str:
        url = embed_url(e)
        if url:
            return f"<{url}>"
        self.warn("unmapped-embed", f"embed {e.kind}:{e.id} kept as text")
        return escape_text(f"{e.kind}: {e.id}")

    def code_info(self, b: CodeBlock) -> str:
        lang = re.sub(r"[\s`]+", "-", b.language.strip())
        return lang

    def figure(self, b: Figure) -> str:
        if self.opts.figures == "markdown":
            parts = [self.image(b.image)]
            if b.caption:
                parts.append("*" + self.inlines(b.caption).strip() + "*")
            out = "\n\n".join(escape_line_starts(p) if i else p for i, p in enumerate(parts))
        else:
            cls = f' class="align-{html_attr(b.align)}"' if b.align else ""
            fid = f' id="{html_attr(b.id)}"' if b.id else ""
            lines = [f"<figure{fid}{cls}>", self.html_image(b.image)]
            if b.caption:
                lines.append(f"<figcaption>{self.html_inlines(b.caption)}</figcaption>")
            lines.append("</figure>")
            out = "\n".join(lines)
        if b.legend:
            out += "\n\n" + self.blocks(b.legend)
        return out

    def heading_suffix(self, b: Heading) -> tuple[str, str]:
        """(block before the heading, text after its title) that keep docutils' ids."""
        text = plain_text(b.content)
        generated = self.ids.next(text)
        ids = [i for i in (b.id, *b.extra_ids) if i]
        before: list[str] = []
        after = ""
        if self.opts.anchors == "none" or not ids:
            return "", ""
        if self.opts.anchors == "attr":
            if b.id and b.id != generated:
                after = " {#" + b.id + "}"
            ids = list(b.extra_ids)
        else:
            ids = [i for i in ids if i != generated]
        before = [f'<a id="{html_attr(i)}"></a>' for i in ids]
        return "".join(before), after

    def math_inline(self, text: str) -> str:
        d = self.opts.math_inline
        return f"{d}{self.literal(text)}{d}"

    # -- document
    def render(self, doc: Document) -> str:
        self._reset(doc)
        body = self.blocks(doc.blocks)
        tail = self.footnote_definitions()
        if self.refs:
            defs = [
                f"[{n}]: {self.destination('url', t)}{link_title(title)}"
                for (t, title), n in self.refs.items()
            ]
            tail.append("\n".join(defs))
        text = "\n\n".join(p for p in [body, *tail] if p.strip())
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
        return self.restore_verbatim(text.strip("\n")) + "\n"

    # -- verbatim text (code): kept byte for byte through indentation and clean-up
    def verbatim(self, text: str) -> str:
        """Stand-ins for the lines of ``text``, so that blank and trailing-space lines of code
        survive the blank-line clean-up and still get the list / quote prefix of their block."""
        out = []
        for line in text.split("\n"):
            self.verbatim_lines.append(line)
            out.append(f"\x00V{len(self.verbatim_lines) - 1}\x00")
        return "\n".join(out)

    def restore_verbatim(self, text: str) -> str:
        if not self.verbatim_lines:
            return text

        def line(m: re.Match[str]) -> str:
            content = self.verbatim_lines[int(m.group(2))]
            return m.group(1) + content if content else m.group(1).rstrip()

        return re.sub(r"^(.*?)\x00V(\d+)\x00$", line, text, flags=re.M)

    # -- blocks
    def blocks(self, blocks: Iterable[Block], tight: bool = False) -> str:
        parts: list[str] = []
        prev: Block | None = None
        for b in blocks:
            out = self.block(b)
            if out is None or out == "":
                continue
            if prev is not None and type(prev) is type(b) and isinstance(b, (BulletList, OrderedList)):
                parts.append("<!-- -->")  # stop CommonMark from merging two adjacent lists
            parts.append(out)
            prev = b
        return ("\n" if tight else "\n\n").join(parts)

    def block(self, b: Block) -> str | None:
        method = getattr(self, "b_" + type(b).__name__, None)
        if method is None:
            self.warn("unknown-block", f"no Markdown rendering for {type(b).__name__}")
            return None
        return method(b)

    def b_Heading(self, b: Heading) -> str:
        level = max(1, min(6, b.level + self.opts.heading_shift))
        text = self.inlines(b.content).strip() or escape_text(b.id)
        if re.search(r"(^|\s)#+$", text):
            text = re.sub(r"#+$", lambda m: "\\" + m.group(0), text)
        before, after = self.heading_suffix(b)
        if after:
            text = text.replace("{", "\\{")
        head = "#" * level + " " + text + after
        return f"{before}\n\n{head}" if before else head

    def b_Paragraph(self, b: Paragraph) -> str:
        return escape_line_starts(self.inlines(b.content).strip())

    def b_CodeBlock(self, b: CodeBlock) -> str:
        text = self.literal(b.text.rstrip("\n"))
        fence = fence_for(text)
        out = (
            f"{fence}{self.code_info(b)}\n{self.verbatim(text)}\n{fence}"
            if text
            else f"{fence}{self.code_info(b)}\n{fence}"
        )
        if b.caption:
            out = "*" + escape_text(b.caption).strip() + "*\n\n" + out
        return out

    def b_BlockQuote(self, b: BlockQuote) -> str:
        inner = self.blocks(b.blocks)
        if b.attribution:
            inner += "\n\n— " + self.inlines(b.attribution).strip()
        return indent(inner, "> ")

    def list_is_tight(self, items: Iterable[tuple[Block, ...]]) -> bool:
        for item in items:
            paras = [x for x in item if not isinstance(x, (BulletList, OrderedList))]
            if len(paras) > 1 or (paras and not isinstance(item[0], Paragraph)):
                return False
        return True

    def _list(self, items: tuple[tuple[Block, ...], ...], markers: list[str]) -> str:
        tight = self.list_is_tight(items)
        out = []
        for item, marker in zip(items, markers, strict=True):
            body = self.blocks(item, tight=tight) or ""
            pad = " " * len(marker)
            out.append(indent(body, marker, pad) if body else marker.rstrip())
        return ("\n" if tight else "\n\n").join(out)

    def b_BulletList(self, b: BulletList) -> str:
        return self._list(b.items, ["- "] * len(b.items))

    def b_OrderedList(self, b: OrderedList) -> str:
        d = "." if b.delimiter == "period" else ")"
        start = max(0, b.start)
        return self._list(b.items, [f"{start + i}{d} " for i in range(len(b.items))])

    def b_DefinitionList(self, b: DefinitionList) -> str:
        return self._deflist([(self.term(it), it.definition) for it in b.items])

    def term(self, it: DefinitionItem) -> tuple[Inline, ...]:
        content: list[Inline] = list(it.term)
        for c in it.classifiers:
            content += [Text(" : "), Emph(c)]
        return tuple(content)

    def _deflist(self, items: list[tuple[tuple[Inline, ...], tuple[Block, ...]]]) -> str:
        if not self.gfm:
            lines = ["<dl>"]
            for term, body in items:
                lines.append(f"<dt>{self.html_inlines(term)}</dt>")
                lines.append(self.html_wrap("dd", "", body))
            lines.append("</dl>")
            return "\n".join(lines)
        out = []
        for term, body in items:
            t = escape_line_starts(self.inlines(term).strip()) or "\\-"
            d = self.blocks(body) if body else ""
            out.append(t + "\n" + (indent(d, ":   ", "    ") if d else ":"))
        return "\n\n".join(out)

    def b_FieldList(self, b: FieldList) -> str:
        return self._deflist([(f.name, f.body) for f in b.items])

    def b_OptionList(self, b: OptionList) -> str:
        items = []
        for it in b.items:
            term: list[Inline] = []
            for i, opt in enumerate(it.options):
                if i:
                    term.append(Text(", "))
                term.append(Code(opt))
            items.append((tuple(term), it.description))
        return self._deflist(items)

    # -- tables
    def pipe_table_ok(self, t: Table) -> bool:
        if not self.gfm or len(t.head) != 1:
            return False
        width = len(t.head[0].cells)
        for row in (*t.head, *t.body):
            if len(row.cells) != width:
                return False
            for c in row.cells:
                if c.colspan != 1 or c.rowspan != 1 or len(c.blocks) > 1:
                    return False
                if c.blocks and not isinstance(c.blocks[0], Paragraph):
                    return False
        return width > 0

    def b_Table(self, t: Table) -> str:
        parts = []
        if t.id:
            parts.append(f'<a id="{html_attr(t.id)}"></a>')
        if self.pipe_table_ok(t):
            if t.caption:
                parts.append("*" + self.inlines(t.caption).strip() + "*")
            parts.append(self.pipe_table(t))
        else:
            parts.append(self.html_table(t))
        return "\n\n".join(parts)

    def pipe_table(self, t: Table) -> str:
        self.table_depth += 1
        try:

            def row(r: Any) -> str:
                cells = [self.inlines(c.blocks[0].content).strip() if c.blocks else "" for c in r.cells]
                return "| " + " | ".join(cells) + " |"

            width = len(t.head[0].cells)
            aligns = list(t.aligns) + [""] * width
            seps = []
            for a in aligns[:width]:
                seps.append({"left": ":---", "center": ":---:", "right": "---:"}.get(a, "---"))
            lines = [row(t.head[0]), "| " + " | ".join(seps) + " |"]
            lines += [row(r) for r in t.body]
            return "\n".join(lines)
        finally:
            self.table_depth -= 1

    def html_table(self, t: Table) -> str:
        lines = ["<table>"]
        if t.caption:
            lines.append(f"<caption>{self.html_inlines(t.caption)}</caption>")
        for section, rows, tag in (("thead", t.head, "th"), ("tbody", t.body, "td")):
            if not rows:
                continue
            lines.append(f"<{section}>")
            for r in rows:
                lines.append("<tr>")
                for i, c in enumerate(r.cells):
                    ctag = "th" if tag == "th" or i < t.stub_columns else "td"
                    attrs = ""
                    if c.colspan > 1:
                        attrs += f' colspan="{c.colspan}"'
                    if c.rowspan > 1:
                        attrs += f' rowspan="{c.rowspan}"'
                    lines.append(self.html_cell(ctag, attrs, c))
                lines.append("</tr>")
            lines.append(f"</{section}>")
        lines.append("</table>")
        return "\n".join(lines)

    def html_cell(self, tag: str, attrs: str, c: Cell) -> str:
        if all(isinstance(x, Paragraph) for x in c.blocks):
            paras = [self.html_inlines(x.content) for x in c.blocks]  # type: ignore[union-attr]
            inner = paras[0] if len(paras) == 1 else "".join(f"<p>{p}</p>" for p in paras)
            return f"<{tag}{attrs}>{inner}</{tag}>"
        return self.html_wrap(tag, attrs, c.blocks)

    def html_wrap(self, tag: str, attrs: str, blocks: tuple[Block, ...]) -> str:
        """An HTML element holding Markdown blocks (blank lines let CommonMark parse them)."""
        md = ' markdown="1"' if self.opts.html_markdown_attr else ""
        inner = self.blocks(blocks)
        if not inner:
            return f"<{tag}{attrs}></{tag}>"
        return f"<{tag}{attrs}{md}>\n\n{inner}\n\n</{tag}>"

    # -- images and figures
    def image(self, im: Image) -> str:
        if unsafe_url(im.target) or unsafe_url(im.src, image=True):
            self.warn("unsafe-link", f"image link to {im.target or im.src!r} dropped (script URL)")
            im = replace(im, target="" if unsafe_url(im.target) else im.target)
            im = replace(im, src="" if unsafe_url(im.src, image=True) else im.src)
        if im.width or im.height or im.classes:
            return self.html_image(im)  # wraps itself in <a> when it has a target
        self.link_depth += 1
        alt = escape_text(im.alt, link=True, gfm=self.gfm)
        self.link_depth -= 1
        md = f"![{alt}]({self.destination('url', im.src)}{link_title(im.title)})"
        if im.target:
            md = f"[{md}]({self.destination('url', im.target)})"
        return md

    def html_image(self, im: Image) -> str:
        if unsafe_url(im.target) or unsafe_url(im.src, image=True):
            self.warn("unsafe-link", f"image link to {im.target or im.src!r} dropped (script URL)")
            im = replace(im, target="" if unsafe_url(im.target) else im.target)
            im = replace(im, src="" if unsafe_url(im.src, image=True) else im.src)
        attrs = f'src="{html_attr(im.src)}" alt="{html_attr(im.alt)}"'
        for name in ("title", "width", "height"):
            v = getattr(im, name)
            if v:
                attrs += f' {name}="{html_attr(v)}"'
        if im.classes:
            attrs += f' class="{html_attr(" ".join(im.classes))}"'
        tag = f"<img {attrs}>"
        return f'<a href="{html_attr(im.target)}">{tag}</a>' if im.target else tag

    def b_ImageBlock(self, b: ImageBlock) -> str:
        return self.image(b.image)

    def b_Figure(self, b: Figure) -> str:
        return self.figure(b)

    # -- admonitions, topics, misc blocks
    def admonition_title(self, b: Admonition) -> str:
        if b.title:
            return self.inlines(b.title).strip()
        return escape_text(ADMONITION_TITLES.get(b.kind, b.kind.capitalize()))

    def b_Admonition(self, b: Admonition) -> str:
        body = self.blocks(b.blocks)
        style = self.opts.admonitions
        if style == "html":
            title = (
                self.html_inlines(b.title)
                if b.title
                else html.escape(ADMONITION_TITLES.get(b.kind, b.kind.capitalize()))
            )
            cls = " ".join(["admonition", b.kind, *b.classes])
            md = ' markdown="1"' if self.opts.html_markdown_attr else ""
            return f'<div class="{html_attr(cls)}"{md}>\n<p class="admonition-title">{title}</p>\n\n{body}\n\n</div>'
        if style == "gfm-alert":
            kind = ALERT_KINDS.get(b.kind, "NOTE")
            head = f"[!{kind}]"
            if b.title or b.kind not in ALERT_KINDS or b.kind in ADMONITION_TITLES or b.kind == "admonition":
                head += "\n**" + self.admonition_title(b) + "**"
            sep = "\n\n" if "\n" in head else "\n"
            return indent(head + (sep + body if body else ""), "> ")
        return indent("**" + self.admonition_title(b) + "**" + ("\n\n" + body if body else ""), "> ")

    def b_Topic(self, b: Topic) -> str:
        head = "**" + self.inlines(b.title).strip() + "**" if b.title else ""
        if b.subtitle:
            head += "\n*" + self.inlines(b.subtitle).strip() + "*"
        body = self.blocks(b.blocks)
        anchor = f'<a id="{html_attr(b.id)}"></a>\n\n' if b.id else ""
        if b.kind == "contents":
            return anchor + "\n\n".join(p for p in (head, body) if p)
        if b.kind == "sidebar" and self.opts.html_markdown_attr is not None and self.gfm:
            md = ' markdown="1"' if self.opts.html_markdown_attr else ""
            return anchor + f"<aside{md}>\n\n" + "\n\n".join(p for p in (head, body) if p) + "\n\n</aside>"
        return anchor + indent("\n\n".join(p for p in (head, body) if p), "> ")

    def b_Rubric(self, b: Rubric) -> str:
        return "**" + self.inlines(b.content).strip() + "**"

    def b_LineBlock(self, b: LineBlock) -> str:
        stanzas: list[list[str]] = [[]]
        for line in b.lines:
            text = self.inlines(line.content).strip()
            if not text:
                if stanzas[-1]:
                    stanzas.append([])
                continue
            lead = "&nbsp;" * (2 * line.indent)
            stanzas[-1].append(lead + escape_line_starts(text))
        brk = "\\" if self.opts.line_blocks == "backslash" else "<br>"
        return "\n\n".join((brk + "\n").join(s) for s in stanzas if s)

    def b_MathBlock(self, b: MathBlock) -> str:
        anchor = f'<a id="{html_attr(b.label)}"></a>\n\n' if b.label else ""
        return f"{anchor}$$\n{self.literal(b.text.strip())}\n$$"

    def b_RawBlock(self, b: RawBlock) -> str:
        if b.format.lower() == "html":
            return self.literal(b.text.strip("\n"))
        self.warn("raw-dropped", f"raw {b.format} block kept as a comment")
        return comment(f"raw {b.format}: {b.text}")

    def b_ThematicBreak(self, b: ThematicBreak) -> str:
        return "* * *"

    def b_SummaryBreak(self, b: SummaryBreak) -> str:
        return "<!--more-->"

    def b_Footnote(self, b: Footnote) -> str | None:
        return None  # written at the end

    def b_Embed(self, b: Embed) -> str:
        return self.embed(b)

    def b_Target(self, b: Target) -> str:
        return f'<a id="{html_attr(b.id)}"></a>'

    def b_Comment(self, b: Comment) -> str | None:
        return comment(self.literal(b.text)) if b.text.strip() else None

    def b_Div(self, b: Div) -> str:
        if b.name in STRUCTURAL_DIVS or not b.name:
            # docutils' own wrappers: ``class`` only adds classes, the others are plain <div>s
            classes = " ".join(c for c in (*STRUCTURAL_DIVS.get(b.name, ()), *b.classes) if c)
            attrs = f' class="{html_attr(classes)}"' if classes else ""
            if b.id:
                attrs += f' id="{html_attr(b.id)}"'
            if not attrs:
                return self.blocks(b.blocks)
            return self.html_wrap("div", attrs, b.blocks)
        # a directive nobody knows: its source is kept, visibly and verbatim, so that nothing
        # (arguments, options, line structure of its content) is lost; the reader reports it
        self.warn("unmapped-directive", f"directive {b.name!r} kept as its rST source in a literal block")
        if not b.text.strip() and b.blocks:
            classes = " ".join(c for c in (b.name, *b.classes) if c)
            attrs = f' class="{html_attr(classes)}"'
            if b.id:
                attrs += f' id="{html_attr(b.id)}"'
            return self.html_wrap("div", attrs, b.blocks)
        text = self.literal(directive_source(b))
        fence = fence_for(text)
        anchor = f'<a id="{html_attr(b.id)}"></a>\n\n' if b.id else ""
        return f"{anchor}{fence}rst\n{self.verbatim(text)}\n{fence}"

    # -- footnotes
    def fn_label(self, label: str) -> str:
        """A footnote label every engine accepts (kramdown: ``[A-Za-z0-9_][A-Za-z0-9_-]*``);
        docutils' symbol labels (``*``, ``†``) become ``note-N``, unique in the document."""
        labels = self.__dict__.setdefault("_fn_labels", {})
        if label not in labels:
            clean = re.sub(r"[^A-Za-z0-9_-]+", "-", label.strip()).strip("-")
            if not clean or not re.match(r"[A-Za-z0-9_]", clean):
                clean = f"note-{len(labels) + 1}"
            base, n = clean, 2
            while clean in labels.values():
                clean, n = f"{base}-{n}", n + 1
            labels[label] = clean
        return labels[label]

    def footnote_definitions(self) -> list[str]:
        out = []
        for fn in self.footnotes:
            label = self.fn_label(fn.label)
            body = self.blocks(fn.blocks)
            if self.gfm and label in self.cited:
                out.append(indent(body or "\u00a0", f"[^{label}]: ", "    "))
            else:
                anchor = f'<a id="fn-{html_attr(label)}"></a>'
                out.append(anchor + "\\[" + escape_text(fn.label) + "\\] " + body)
        return out

    # -- inlines
    def inlines(self, nodes: Iterable[Inline]) -> str:
        pieces: list[str | _Delim] = []
        for n in nodes:
            if isinstance(n, Span) and n.role in TITLE_ROLES and not n.id:
                n = Emph(n.content)
            if isinstance(n, (Emph, Strong)) or (
                isinstance(n, Span) and n.role in ("del", "strike", "s") and self.gfm
            ):
                inner = self.inlines(n.content)
                stripped = inner.strip(" ")
                if not stripped:
                    pieces.append(inner)
                    continue
                lead = inner[: len(inner) - len(inner.lstrip(" "))]
                trail = inner[len(inner.rstrip(" ")) :]
                marker, tag = {Emph: ("*", "em"), Strong: ("**", "strong")}.get(type(n), ("~~", "del"))
                pieces += [lead, _Delim(marker, tag, stripped), trail]
            else:
                pieces.append(self.inline(n))
        return self._resolve(pieces)

    def _resolve(self, pieces: list[str | _Delim]) -> str:
        out = ""
        for i, p in enumerate(pieces):
            if isinstance(p, str):
                out += p
                continue
            prev = out[-1] if out else " "
            nxt = " "
            for q in pieces[i + 1 :]:
                if isinstance(q, _Delim):
                    nxt = q.marker[0]
                    break
                if q:
                    nxt = q[0]
                    break
            first, last = p.inner[0], p.inner[-1]
            opens = not first.isspace() and (
                first not in _ASCII_PUNCT or prev.isspace() or prev in _ASCII_PUNCT
            )
            closes = not last.isspace() and (last not in _ASCII_PUNCT or nxt.isspace() or nxt in _ASCII_PUNCT)
            if p.marker == "~~":
                opens = opens and not p.inner.startswith("~")
            if opens and closes and not p.inner.endswith("\\"):
                out += p.marker + p.inner + p.marker
            else:
                out += f"<{p.tag}>{p.inner}</{p.tag}>"
        return out

    def text(self, s: str) -> str:
        return self.literal(
            escape_text(s, table=self.table_depth > 0, link=self.link_depth > 0, gfm=self.gfm)
        )

    def inline(self, n: Inline) -> str:
        if isinstance(n, Text):
            return self.text(n.text)
        if isinstance(n, Code):
            return self.literal(code_span(n.text, table=self.table_depth > 0))
        if isinstance(n, Link):
            return self.link(n)
        if isinstance(n, Image):
            return self.image(n)
        if isinstance(n, FootnoteRef):
            label = self.fn_label(n.label)
            if self.gfm:
                return f"[^{label}]"
            return f'<sup><a href="#fn-{html_attr(label)}">{html.escape(n.label)}</a></sup>'
        if isinstance(n, Math):
            return self.math_inline(n.text)
        if isinstance(n, RawInline):
            if n.format.lower() == "html":
                return self.literal(n.text)
            self.warn("raw-dropped", f"raw {n.format} inline kept as text")
            return self.text(n.text)
        if isinstance(n, Subscript):
            return f"<sub>{self.inlines(n.content)}</sub>"
        if isinstance(n, Superscript):
            return f"<sup>{self.inlines(n.content)}</sup>"
        if isinstance(n, Abbr):
            t = f' title="{html_attr(n.title)}"' if n.title else ""
            return f"<abbr{t}>{self.inlines(n.content)}</abbr>"
        if isinstance(n, LineBreak):
            return "\\\n" if self.table_depth == 0 else "<br>"
        if isinstance(n, Span):
            return self.span(n)
        self.warn("unknown-inline", f"no Markdown rendering for {type(n).__name__}")
        return ""

    def span(self, n: Span) -> str:
        inner = self.inlines(n.content)
        anchor = f'<a id="{html_attr(n.id)}"></a>' if n.id else ""
        if n.role in ("del", "strike", "s"):
            return anchor + f"<del>{inner}</del>"
        if n.role in TITLE_ROLES:
            return anchor + f"<cite>{inner}</cite>"
        if n.role and n.role not in QUIET_ROLES:
            self.warn("unmapped-role", f"role {n.role!r} kept as its text")
        return anchor + inner

    def link(self, n: Link) -> str:
        target = n.target
        if unsafe_url(target):
            self.warn("unsafe-link", f"link to {target!r} written as its text only (script URL)")
            return self.inlines(n.content) if n.content else self.text(target)
        text_plain = plain_text(n.content)
        if not n.content or (
            text_plain == target and not n.title and re.match(r"(https?|ftp)://\S+$", target)
        ):
            if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*$", target) and self.table_depth == 0:
                return "<" + self.literal(target) + ">"
        if n.kind == "email" and text_plain and target == "mailto:" + text_plain and self.table_depth == 0:
            return "<" + text_plain + ">"
        self.link_depth += 1
        try:
            text = self.inlines(n.content) if n.content else self.text(target)
        finally:
            self.link_depth -= 1
        if self.table_depth:
            target = target.replace("|", "%7C")
        if self.opts.link_style == "reference":
            key = (target, n.title)
            num = self.refs.setdefault(key, len(self.refs) + 1)
            return f"[{text}][{num}]"
        return f"[{text}]({self.destination(n.kind, target)}{link_title(n.title)})"

    def destination(self, kind: str, target: str) -> str:
        """A link destination; template tags the link transform wrote (``{{< ref >}}``) stay bare."""
        if re.match(r"\{\{[<%]|\{%", target):
            return target
        return link_destination(self.literal(target))

    # -- inline HTML (for table cells, captions, definition terms inside HTML blocks)
    def html_inlines(self, nodes: Iterable[Inline]) -> str:
        out = []
        for n in nodes:
            if isinstance(n, Text):
                text = re.sub("\x00[ \n]", "", n.text).replace("\x00", "")
                out.append(self.literal(html.escape(text.replace("\n", " "), quote=False)))
            elif isinstance(n, Emph):
                out.append(f"<em>{self.html_inlines(n.content)}</em>")
            elif isinstance(n, Strong):
                out.append(f"<strong>{self.html_inlines(n.content)}</strong>")
            elif isinstance(n, Subscript):
                out.append(f"<sub>{self.html_inlines(n.content)}</sub>")
            elif isinstance(n, Superscript):
                out.append(f"<sup>{self.html_inlines(n.content)}</sup>")
            elif isinstance(n, Code):
                out.append(f"<code>{self.literal(html.escape(n.text, quote=False))}</code>")
            elif isinstance(n, Link) and unsafe_url(n.target):
                self.warn("unsafe-link", f"link to {n.target!r} written as its text only (script URL)")
                out.append(self.html_inlines(n.content) if n.content else html.escape(n.target))
            elif isinstance(n, Link):
                t = f' title="{html_attr(n.title)}"' if n.title else ""
                inner = self.html_inlines(n.content) if n.content else html.escape(n.target)
                out.append(f'<a href="{html_attr(n.target)}"{t}>{inner}</a>')
            elif isinstance(n, Image):
                out.append(self.html_image(n))
            elif isinstance(n, FootnoteRef):
                label = self.fn_label(n.label)
                out.append(f'<sup><a href="#fn-{html_attr(label)}">{html.escape(n.label)}</a></sup>')
            elif isinstance(n, Math):
                d = self.opts.math_inline
                out.append(f"{d}{self.literal(html.escape(n.text, quote=False))}{d}")
            elif isinstance(n, RawInline):
                out.append(n.text if n.format.lower() == "html" else html.escape(n.text))
            elif isinstance(n, LineBreak):
                out.append("<br>")
            elif isinstance(n, Abbr):
                t = f' title="{html_attr(n.title)}"' if n.title else ""
                out.append(f"<abbr{t}>{self.html_inlines(n.content)}</abbr>")
            elif isinstance(n, Span):
                inner = self.html_inlines(n.content)
                anchor = f'<a id="{html_attr(n.id)}"></a>' if n.id else ""
                if n.role in ("del", "strike", "s"):
                    inner = f"<del>{inner}</del>"
                elif n.role in TITLE_ROLES:
                    inner = f"<cite>{inner}</cite>"
                elif n.role and n.role not in QUIET_ROLES:
                    self.warn("unmapped-role", f"role {n.role!r} kept as its text")
                out.append(anchor + inner)
        return "".join(out)


STRUCTURAL_DIVS: dict[str, tuple[str, ...]] = {
    "class": (),
    "container": ("container",),
    "compound": ("compound",),
    "div": (),
}
"""Div names that are docutils constructs, not unknown directives: no warning, no source block."""

QUIET_ROLES = {"inline", "span", "target", "title-reference", "title", "t", "del", "strike", "s"}
"""Span roles that render as themselves (or as emphasis) and are not reported."""


def directive_source(b: Div) -> str:
    """The rST text of an unmapped directive, rebuilt from its name, arguments, options and content."""
    head = f".. {b.name}::" + (" " + " ".join(b.arguments) if b.arguments else "")
    lines = [head.rstrip()]
    for k, v in b.options.items():
        lines.append(f"   :{k}: {v}".rstrip())
    body = b.text.strip("\n")
    if body:
        lines.append("")
        lines += [("   " + line).rstrip() for line in body.split("\n")]
    return "\n".join(lines)


def embed_url(e: Embed) -> str:
    """The canonical page URL of an embed (what plain Markdown links to)."""
    if e.attrs.get("url"):
        url = e.attrs["url"]
    else:
        pattern = EMBED_URLS.get(e.kind)
        url = pattern.format(id=e.id) if pattern and e.id else ""
    # written as an autolink ``<url>``: characters that would end it (or start HTML) are encoded
    return re.sub(r"[\s<>\"'`]", lambda m: f"%{ord(m.group(0)):02X}", url)


def render_markdown(
    doc: Document, opts: MarkdownOptions | None = None, warnings: list[tuple[str, str]] | None = None
) -> str:
    """The Markdown body of ``doc`` (no front matter), ending with one newline."""
    r = MarkdownRenderer(opts or MarkdownOptions())
    text = r.render(doc)
    if warnings is not None:
        warnings.extend(r.warnings)
    return text


# --------------------------------------------------------------------------- front matter


def rfc3339(dt: datetime | date | None) -> str:
    if dt is None:
        return ""
    if isinstance(dt, datetime):
        return dt.isoformat(timespec="seconds")
    return dt.isoformat()


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, datetime):
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    if v is None:
        return '""'
    return json.dumps(str(v), ensure_ascii=False)


def toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def dump_toml(data: dict[str, Any]) -> str:
    """A small TOML writer: scalars and arrays first, then ``[tables]`` (TOML's ordering rule)."""
    lines = [f"{toml_key(k)} = {toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for k, v in data.items():
        if isinstance(v, dict):
            lines.append(f"\n[{toml_key(k)}]")
            lines += [f"{toml_key(sk)} = {toml_value(sv)}" for sk, sv in v.items()]
    return "\n".join(lines) + "\n"


def _jsonable(v: Any) -> Any:
    if isinstance(v, (datetime, date)):
        return rfc3339(v)
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return v


_FAST_YAML = getattr(yaml, "CSafeDumper", None)  # libyaml: 5x faster than the pure-Python dumper
_YAML_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\Z")
_YAML_TEXT = re.compile(r"[\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*\Z")


def _simple_yaml(v: Any) -> bool:
    """Data both YAML dumpers write byte for byte alike (tests/test_fuzz.py checks it).

    libyaml escapes characters outside the Basic Multilingual Plane (emoji) and line
    separators that PyYAML writes as they are, and words some odd keys differently; such
    data goes through the pure-Python dumper so the output never depends on which is
    installed.
    """
    if isinstance(v, str):
        return _YAML_TEXT.match(v) is not None
    if isinstance(v, list):
        return all(_simple_yaml(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _YAML_KEY.match(k) and _simple_yaml(x) for k, x in v.items())
    return v is None or isinstance(v, (bool, int, float))


def dump_front_matter(data: dict[str, Any], fmt: str) -> str:
    """Front matter block in ``yaml`` (``---``), ``toml`` (``+++``), ``json`` or ``none``."""
    if fmt == "none" or not data:
        return ""
    if fmt == "toml":
        return "+++\n" + dump_toml(data) + "+++\n"
    if fmt == "json":
        return json.dumps(_jsonable(data), ensure_ascii=False, indent=2) + "\n"
    if fmt == "yaml":
        plain = _jsonable(data)
        dumper = _FAST_YAML if _FAST_YAML is not None and _simple_yaml(plain) else yaml.SafeDumper
        body = yaml.dump(plain, Dumper=dumper, sort_keys=False, allow_unicode=True, width=10**6)
        return "---\n" + body + "---\n"
    raise ValueError(f"unknown front matter format {fmt!r} (yaml, toml, json or none)")


def meta_dict(meta: Metadata) -> dict[str, Any]:
    """Plain-Markdown front matter: the normalized fields that are set, then ``extra``."""
    data: dict[str, Any] = {}
    simple = {
        "title": meta.title,
        "date": meta.date,
        "updated": meta.updated,
        "authors": list(meta.authors),
        "tags": list(meta.tags),
        "categories": list(meta.categories),
        "slug": meta.slug,
        "summary": meta.summary,
        "draft": meta.draft,
        "aliases": list(meta.aliases),
        "lang": meta.lang,
    }
    for k, v in simple.items():
        if v or (k == "title"):
            data[k] = v
    for k, v in meta.extra.items():
        data.setdefault(k, v)
    return data


def slug_of(doc: Document) -> str:
    """The post's slug, falling back to the source file's stem."""
    if doc.meta.slug:
        return doc.meta.slug
    if doc.source.path:
        return PurePosixPath(doc.source.path.replace("\\", "/")).stem
    return docutils_id(doc.meta.title) or "post"


def options_from(ctx: EmitContext, base: MarkdownOptions) -> MarkdownOptions:
    """Overlay ``ctx.options`` entries named like :class:`MarkdownOptions` fields."""
    known = {f for f in MarkdownOptions.__dataclass_fields__}
    over = {k.replace("-", "_"): v for k, v in ctx.options.items() if k.replace("-", "_") in known}
    return replace(base, **over)


def rename_fields(data: dict[str, Any], ctx: EmitContext, target: str = "markdown") -> dict[str, Any]:
    """Apply ``Config.front_matter_names`` for ``target`` (``summary`` -> ``description``; "" drops)."""
    cfg = ctx.config
    names = cfg.field_names(target) if hasattr(cfg, "field_names") else {}
    return {names.get(k, k): v for k, v in data.items() if names.get(k, k)}


def report(ctx: EmitContext, doc: Document, warnings: list[tuple[str, str]]) -> None:
    for code, message in dict.fromkeys(warnings):
        ctx.warn(doc, code, message)


# --------------------------------------------------------------------------- emitter


class MarkdownEmitter:
    """Plain CommonMark/GFM files with YAML front matter: ``<slug>.md``."""

    name = "markdown"
    description = "CommonMark / GitHub-flavoured Markdown with YAML front matter"
    defaults = MarkdownOptions()

    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        return f"{slug_of(doc)}.md"

    def emit(self, doc: Document, ctx: EmitContext) -> str:
        opts = options_from(ctx, self.defaults)
        warnings: list[tuple[str, str]] = []
        body = render_markdown(doc, opts, warnings)
        report(ctx, doc, warnings)
        fm = dump_front_matter(rename_fields(meta_dict(doc.meta), ctx), opts.front_matter)
        return fm + ("\n" if fm else "") + body
