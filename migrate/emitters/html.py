"""HTML emitter: a static site (one page per post, index, tag and category pages, Atom feed).

``HtmlRenderer`` turns the document model into an HTML5 fragment; ``HtmlEmitter`` puts it
into Jinja2 page templates (shipped in ``migrate/templates/html/``, overridable file by file
with the ``templates`` option) and, as a site emitter, writes the site-wide files once every
post was emitted.  Code is highlighted by Pygments with CSS classes only (the stylesheet is
shipped), so the output is byte-identical for the same input.

Everything taken from a post is escaped; ``javascript:``-like links are never written;
raw HTML passes through only when the configuration enables ``raw``.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

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
    Diagnostic,
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
from ..paths import real_path
from ..site import Post, fill
from ..slug import slugify
from .base import EmitContext
from .markdown import (
    ADMONITION_TITLES,
    QUIET_ROLES,
    STRUCTURAL_DIVS,
    directive_source,
    embed_url,
    slug_of,
)

TEMPLATE_PACKAGE = ("migrate", "templates/html")
STATIC_FILES = ("style.css", "pygments.css")
"""Files of the template directory copied to ``static/`` (each overridable like a template)."""
ASSET_PREFIX = "assets/"
"""Where the link transform puts copied assets for the ``html`` family (site-root relative)."""
MATHJAX_URL = "https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"
UNSAFE_SCHEMES = {"javascript", "vbscript", "data", "file"}
SAFE_DATA_IMAGE = re.compile(r"data:image/(png|gif|jpe?g|webp);base64,[A-Za-z0-9+/=\s]*$", re.I)
LENGTH = re.compile(r"\d+(\.\d+)?(px|%|em|rem|ex|ch|pt|pc|cm|mm|in|vw|vh)?$")
OL_TYPES = {"arabic": "1", "loweralpha": "a", "upperalpha": "A", "lowerroman": "i", "upperroman": "I"}
CODE_TAGS = {"kbd": "kbd", "samp": "samp"}
SPAN_TAGS = {
    "dfn": "dfn",
    "del": "del",
    "strike": "del",
    "s": "del",
    "title-reference": "cite",
    "title": "cite",
    "t": "cite",
}
EMBED_NAMES = {"youtube": "YouTube video", "vimeo": "Vimeo video", "gist": "Gist"}
KNOWN_ROLES = QUIET_ROLES | set(SPAN_TAGS) | {"guilabel", "menuselection", "term", "reference"}

# ---------------------------------------------------------------------------- options


@dataclass(frozen=True)
class HtmlOptions:
    """Options of the ``html`` target (``ctx.options`` keys, ``-`` or ``_`` alike)."""

    templates: str = ""
    """A directory whose files override the shipped templates and stylesheets, file by file."""
    standalone_page: bool = False
    """One self-contained page per post (``<slug>.html``, CSS inlined), no site files."""
    site_title: str = "Blog"
    """Title of the site: page titles, the index heading, the feed title."""
    base_url: str = ""
    """The new site's absolute address; used for the feed's ids and links when given."""
    relative_urls: bool = True
    """Write internal links relative to the page with explicit ``index.html`` (works from
    ``file://`` and from any folder); ``False`` keeps root-absolute ``/slug/`` links."""
    math: str = "tex"
    """``tex``: TeX kept in ``<span class="math">\\(…\\)</span>``; ``mathjax``: the same plus
    MathJax's script in the page head (network access when the page is viewed)."""
    mathjax_url: str = MATHJAX_URL
    gist_scripts: bool = False
    """Embed gists with GitHub's ``<script>`` (off: a plain link to the gist)."""
    redirects: bool = True
    """Write a small redirect page at each old URL (the post's aliases)."""
    lang: str = "en"
    """``<html lang>`` of pages whose post does not name its language."""

    @classmethod
    def from_ctx(cls, ctx: EmitContext) -> HtmlOptions:
        known = {f.name: f for f in fields(cls)}
        over: dict[str, Any] = {}
        for k, v in (ctx.options or {}).items():
            name = k.replace("-", "_")
            if name not in known or v is None:
                continue
            default = known[name].default
            if isinstance(default, bool) and isinstance(v, str):
                v = v.strip().lower() in ("1", "true", "yes", "on")
            elif isinstance(default, str):
                v = str(v)
            over[name] = v
        opts = cls(**over)
        if opts.math not in ("tex", "mathjax"):
            raise MigrateError(
                f"html option math must be tex or mathjax, not {opts.math!r}", code="bad-option"
            )
        return opts


# ---------------------------------------------------------------------------- escaping

_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    """Text as HTML may hold it: docutils' escape markers and control characters removed."""
    if "\x00" in text:
        text = re.sub("\x00[ \n]", "", text).replace("\x00", "")
    return _CONTROL.sub("", text)


def esc(text: str) -> str:
    return html.escape(clean(text), quote=False)


def attr(text: str) -> str:
    return html.escape(clean(text), quote=True)


def html_comment(text: str) -> str:
    """A comment that cannot end early nor trip an HTML parser (no ``--``, no ``<!``)."""
    body = clean(text).replace("<!", "&lt;!")
    while "--" in body:
        body = body.replace("--", "- -")
    body = body.strip()
    if body.startswith(">") or body.startswith("->"):
        body = " " + body
    if body.endswith("-"):
        body += " "
    return f"<!-- {body} -->"


def url_scheme(url: str) -> str:
    """The scheme a browser would see (it ignores ASCII whitespace and controls inside URLs)."""
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", url)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", squeezed)
    return m.group(1).lower() if m else ""


def is_safe_url(url: str, image: bool = False) -> bool:
    scheme = url_scheme(url)
    if scheme == "data" and image:
        return bool(SAFE_DATA_IMAGE.match(url.strip()))
    return scheme not in UNSAFE_SCHEMES


def css_token(text: str) -> str:
    """A class-name-safe form of a directive, role or language name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")


# ---------------------------------------------------------------------------- URLs


def page_path(url: str, standalone: bool = False) -> str:
    """Output file for a site-root URL: ``/a/b/`` → ``a/b/index.html`` (standalone: ``a/b.html``)."""
    path = url.split("#", 1)[0].split("?", 1)[0].lstrip("/")
    if standalone:
        path = path.rstrip("/") or "index"
        return path if path.endswith((".html", ".htm")) else path + ".html"
    if not path or path.endswith("/"):
        return path + "index.html"
    if "." not in path.rsplit("/", 1)[-1]:
        return path + "/index.html"
    return path


def root_prefix(path: str) -> str:
    """``../`` for every folder between the page at ``path`` and the site root."""
    return "../" * path.count("/")


@dataclass(frozen=True)
class Linker:
    """Writes site-root URLs as seen from one page."""

    page: str
    relative: bool = True
    standalone: bool = False

    def url(self, site_url: str) -> str:
        """``site_url`` is root-absolute (``/tags/x/``) or root-relative (``assets/x.png``)."""
        path, hash_, frag = site_url.partition("#")
        path, q, query = path.partition("?")
        tail = (q + query) + (hash_ + frag)
        if not self.relative:
            if self.standalone and self._is_page(path):
                return "/" + page_path(path, True) + tail
            return "/" + path.lstrip("/") + tail
        target = page_path(path, self.standalone) if self._is_page(path) else path.lstrip("/")
        rel = root_prefix(self.page) + target
        if target == self.page and not tail:
            rel = posixpath.basename(target)
        return rel + tail

    @staticmethod
    def _is_page(path: str) -> bool:
        last = path.rsplit("/", 1)[-1]
        return path in ("", "/") or path.endswith("/") or "." not in last or last.endswith((".html", ".htm"))


def post_url(doc: Document, ctx: EmitContext) -> str:
    """The post's URL on the new site (``html_permalink``), as the link transform writes it."""
    post = None
    site = ctx.site
    if site is not None and doc.source.path:
        post = site.by_source.get(real_path(doc.source.path))
    if post is None:
        post = Post(
            source=doc.source.path or "post",
            docname="",
            slug=slug_of(doc),
            title=doc.meta.title,
            date=doc.meta.date,
            categories=doc.meta.categories,
        )
    pattern = getattr(ctx.config, "html_permalink", "/{slug}/") or "/{slug}/"
    url = fill(pattern, post.placeholders())
    return url if url.startswith("/") else "/" + url


# ---------------------------------------------------------------------------- renderer


@lru_cache(maxsize=64)
def _lexer(language: str):
    return get_lexer_by_name(language, stripnl=False, ensurenl=True)


def _footnote_key(label: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")
    return key or "s" + "-".join(f"{ord(c):x}" for c in label.strip() or "?")


@dataclass
class HtmlRenderer:
    """Renders one document's blocks to an HTML5 fragment, reporting what it had to fall back on."""

    linker: Linker = field(default_factory=lambda: Linker("index.html"))
    opts: HtmlOptions = field(default_factory=HtmlOptions)
    raw: bool = False
    headerlinks: bool = True
    warnings: list[tuple[str, str]] = field(default_factory=list)

    def render(self, blocks: Iterable[Block]) -> str:
        self.ids: set[str] = set()
        self.refs: dict[str, list[str]] = {}
        self.footnotes: set[str] = set()
        self.link_depth = 0
        self.uses_math = False
        blocks = tuple(blocks)
        for b in walk(blocks):
            if isinstance(b, Footnote):
                self.footnotes.add(b.label)
        body = self.blocks(blocks)
        return re.sub("\x00back:([^\x00]*)\x00", lambda m: self._backrefs(m.group(1)), body)

    def warn(self, code: str, message: str) -> None:
        self.warnings.append((code, message))

    def claim(self, ident: str) -> str:
        """`` id="…"`` the first time an id is used on the page, else nothing (ids stay unique)."""
        if not ident or ident in self.ids:
            return ""
        self.ids.add(ident)
        return f' id="{attr(ident)}"'

    # -- URLs
    def href(self, url: str, kind: str = "url", image: bool = False) -> str | None:
        """The URL to write, or None when it must not be written (unsafe scheme)."""
        url = clean(url).strip()
        if not is_safe_url(url, image=image):
            self.warn("unsafe-link", f"link to {url[:60]!r} not written (unsafe scheme)")
            return None
        if url.startswith("#") or url_scheme(url) or url.startswith("//"):
            return url
        if url.startswith("/") or url.startswith(ASSET_PREFIX):
            return self.linker.url(url)
        return url

    # -- blocks
    def blocks(self, blocks: Iterable[Block]) -> str:
        out = []
        for b in blocks:
            method = getattr(self, "b_" + type(b).__name__, None)
            if method is None:
                self.warn("unknown-block", f"no HTML rendering for {type(b).__name__}")
                continue
            text = method(b)
            if text:
                out.append(text)
        return "\n".join(out)

    def b_Heading(self, b: Heading) -> str:
        level = max(2, min(6, b.level + 1))
        ident = self.claim(b.id)
        extra = "".join(f"<span{self.claim(i)}></span>" for i in b.extra_ids if i not in self.ids)
        link = ""
        if ident and self.headerlinks:
            link = f' <a class="headerlink" href="#{attr(b.id)}" aria-label="Link to this section">¶</a>'
        return f"<h{level}{ident}>{extra}{self.inlines(b.content)}{link}</h{level}>"

    def b_Paragraph(self, b: Paragraph) -> str:
        inner = self.inlines(b.content)
        return f"<p>{inner}</p>" if inner.strip() else ""

    def b_CodeBlock(self, b: CodeBlock) -> str:
        lang = b.language.strip()
        lexer = TextLexer(stripnl=False, ensurenl=True)
        if lang and lang.lower() not in ("text", "none", "plain", "default"):
            try:
                lexer = _lexer(lang.lower())
            except ClassNotFound:
                self.warn("unknown-language", f"no highlighter for language {lang!r}; shown as plain text")
        classes = " ".join(
            ["highlight", *([f"language-{css_token(lang)}"] if lang else []), *map(css_token, b.classes)]
        )
        formatter = HtmlFormatter(
            cssclass=classes.strip(),
            wrapcode=True,
            linenos="inline" if b.line_numbers else False,
            linenostart=b.start_line,
            hl_lines=list(b.emphasize_lines),
        )
        text = clean(b.text).rstrip("\n")
        out = highlight(text, lexer, formatter).rstrip("\n")
        if b.caption:
            return f'<figure class="code-block">\n<figcaption>{esc(b.caption)}</figcaption>\n{out}\n</figure>'
        return out

    def b_BlockQuote(self, b: BlockQuote) -> str:
        cls = f' class="{attr(" ".join(b.classes))}"' if b.classes else ""
        inner = self.blocks(b.blocks)
        if b.attribution:
            inner += f'\n<p class="attribution">— {self.inlines(b.attribution)}</p>'
        return f"<blockquote{cls}>\n{inner}\n</blockquote>"

    def _items(self, items: tuple[tuple[Block, ...], ...]) -> str:
        out = []
        for item in items:
            if len(item) == 1 and isinstance(item[0], Paragraph):
                out.append(f"<li>{self.inlines(item[0].content)}</li>")
            else:
                out.append(f"<li>\n{self.blocks(item)}\n</li>")
        return "\n".join(out)

    def b_BulletList(self, b: BulletList) -> str:
        return f"<ul>\n{self._items(b.items)}\n</ul>"

    def b_OrderedList(self, b: OrderedList) -> str:
        attrs = f' start="{b.start}"' if b.start != 1 else ""
        kind = OL_TYPES.get(b.style, "1")
        if kind != "1":
            attrs += f' type="{kind}"'
        if b.delimiter in ("paren", "parens"):
            attrs += f' class="delimiter-{b.delimiter}"'
        return f"<ol{attrs}>\n{self._items(b.items)}\n</ol>"

    def _dd(self, body: tuple[Block, ...]) -> str:
        if len(body) == 1 and isinstance(body[0], Paragraph):
            return f"<dd>{self.inlines(body[0].content)}</dd>"
        return f"<dd>\n{self.blocks(body)}\n</dd>"

    def b_DefinitionList(self, b: DefinitionList) -> str:
        out = ["<dl>"]
        for it in b.items:
            term = self.inlines(it.term)
            for c in it.classifiers:
                term += f' <span class="classifier-delimiter">:</span> <span class="classifier">{self.inlines(c)}</span>'
            out += [f"<dt>{term}</dt>", self._dd(it.definition)]
        out.append("</dl>")
        return "\n".join(out)

    def b_FieldList(self, b: FieldList) -> str:
        out = ['<dl class="field-list">']
        for f in b.items:
            out += [f"<dt>{self.inlines(f.name)}</dt>", self._dd(f.body)]
        out.append("</dl>")
        return "\n".join(out)

    def b_OptionList(self, b: OptionList) -> str:
        out = ['<dl class="option-list">']
        for it in b.items:
            opts = ", ".join(f'<kbd class="option">{esc(o)}</kbd>' for o in it.options)
            out += [f"<dt>{opts}</dt>", self._dd(it.description)]
        out.append("</dl>")
        return "\n".join(out)

    def b_Table(self, t: Table) -> str:
        classes = " ".join(("docutils", f"table-{css_token(t.kind)}", *map(css_token, t.classes)))
        lines = [f'<table{self.claim(t.id)} class="{attr(classes)}">']
        if t.caption:
            lines.append(f"<caption>{self.inlines(t.caption)}</caption>")
        if t.colwidths and sum(t.colwidths) > 0:
            total = sum(t.colwidths)
            lines.append("<colgroup>")
            lines += [f'<col style="width: {100 * w / total:.1f}%">' for w in t.colwidths]
            lines.append("</colgroup>")
        for section, rows, head in (("thead", t.head, True), ("tbody", t.body, False)):
            if not rows:
                continue
            lines.append(f"<{section}>")
            for r in rows:
                cells = []
                for i, c in enumerate(r.cells):
                    tag = "th" if head or i < t.stub_columns else "td"
                    a = ""
                    if not head and i < t.stub_columns:
                        a += ' scope="row"'
                    elif head:
                        a += ' scope="col"' if c.colspan == 1 else ' scope="colgroup"'
                    if c.colspan > 1:
                        a += f' colspan="{c.colspan}"'
                    if c.rowspan > 1:
                        a += f' rowspan="{c.rowspan}"'
                    if i < len(t.aligns) and t.aligns[i] in ("left", "center", "right") and c.colspan == 1:
                        a += f' class="align-{t.aligns[i]}"'
                    cells.append(self._cell(tag, a, c))
                lines.append("<tr>" + "".join(cells) + "</tr>")
            lines.append(f"</{section}>")
        lines.append("</table>")
        return '<div class="table-wrapper">\n' + "\n".join(lines) + "\n</div>"

    def _cell(self, tag: str, attrs: str, c: Cell) -> str:
        if not c.blocks:
            return f"<{tag}{attrs}></{tag}>"
        if len(c.blocks) == 1 and isinstance(c.blocks[0], Paragraph):
            return f"<{tag}{attrs}>{self.inlines(c.blocks[0].content)}</{tag}>"
        return f"<{tag}{attrs}>\n{self.blocks(c.blocks)}\n</{tag}>"

    def image(self, im: Image) -> str:
        src = self.href(im.src, image=True)
        if src is None:
            return f'<span class="image-removed">{esc(im.alt)}</span>'
        a = f'src="{attr(src)}" alt="{attr(im.alt)}"'
        if im.title:
            a += f' title="{attr(im.title)}"'
        style = []
        for dim in ("width", "height"):
            v = getattr(im, dim).strip()
            if v.isdigit():
                a += f' {dim}="{v}"'
            elif v and LENGTH.match(v):
                style.append(f"{dim}: {v}")
            elif v:
                self.warn("image-size", f"image {dim} {v!r} ignored")
        if style:
            a += f' style="{attr("; ".join(style))}"'
        classes = [*im.classes, *([f"align-{im.align}"] if im.align else [])]
        if classes:
            a += f' class="{attr(" ".join(map(css_token, classes)))}"'
        tag = f"<img {a}>"
        if im.target and self.link_depth == 0:
            target = self.href(im.target, kind="url")
            if target is not None:
                return f'<a class="image-reference" href="{attr(target)}">{tag}</a>'
        return tag

    def b_ImageBlock(self, b: ImageBlock) -> str:
        return f'<div class="image">{self.image(b.image)}</div>'

    def b_Figure(self, b: Figure) -> str:
        cls = "figure" + (f" align-{css_token(b.align)}" if b.align else "")
        out = [f'<figure{self.claim(b.id)} class="{cls}">', self.image(b.image)]
        if b.caption or b.legend:
            out.append("<figcaption>")
            if b.caption:
                out.append(f'<p class="caption">{self.inlines(b.caption)}</p>')
            if b.legend:
                out.append(f'<div class="legend">\n{self.blocks(b.legend)}\n</div>')
            out.append("</figcaption>")
        out.append("</figure>")
        return "\n".join(out)

    def b_Admonition(self, b: Admonition) -> str:
        if b.title:
            title = self.inlines(b.title)
        else:
            title = esc(ADMONITION_TITLES.get(b.kind, b.kind.capitalize()))
        cls = " ".join(("admonition", css_token(b.kind), *map(css_token, b.classes)))
        return f'<aside class="{attr(cls)}">\n<p class="admonition-title">{title}</p>\n{self.blocks(b.blocks)}\n</aside>'

    def b_Topic(self, b: Topic) -> str:
        tag = {"contents": "nav", "sidebar": "aside"}.get(b.kind, "div")
        cls = {"contents": "contents topic", "sidebar": "sidebar"}.get(b.kind, "topic")
        out = [f'<{tag}{self.claim(b.id)} class="{cls}">']
        if b.title:
            out.append(
                f'<p class="{"sidebar" if b.kind == "sidebar" else "topic"}-title">{self.inlines(b.title)}</p>'
            )
        if b.subtitle:
            out.append(f'<p class="sidebar-subtitle">{self.inlines(b.subtitle)}</p>')
        out += [self.blocks(b.blocks), f"</{tag}>"]
        return "\n".join(out)

    def b_Rubric(self, b: Rubric) -> str:
        return f'<p class="rubric">{self.inlines(b.content)}</p>'

    def b_LineBlock(self, b: LineBlock) -> str:
        out = ['<div class="line-block">']
        for line in b.lines:
            style = f' style="margin-left: {1.5 * line.indent:g}em"' if line.indent else ""
            inner = self.inlines(line.content)
            out.append(f'<div class="line"{style}>{inner if inner.strip() else "<br>"}</div>')
        out.append("</div>")
        return "\n".join(out)

    def b_MathBlock(self, b: MathBlock) -> str:
        self.uses_math = True
        return f'<div{self.claim(b.label)} class="math">\\[{esc(b.text.strip())}\\]</div>'

    def b_RawBlock(self, b: RawBlock) -> str:
        if b.format.lower() == "html" and self.raw:
            return clean(b.text).strip("\n")
        why = (
            "raw HTML is disabled (config raw = false)"
            if b.format.lower() == "html"
            else f"raw {b.format} is not HTML"
        )
        self.warn("raw-escaped", f"raw {b.format} block shown as text: {why}")
        return f'<pre class="raw" data-format="{attr(b.format)}">{esc(b.text)}</pre>'

    def b_ThematicBreak(self, b: ThematicBreak) -> str:
        return "<hr>"

    def b_SummaryBreak(self, b: SummaryBreak) -> str:
        return "<!--more-->"

    def b_Footnote(self, b: Footnote) -> str:
        key = _footnote_key(b.label)
        prefix = "cite" if b.kind == "citation" else "fn"
        ident = self.claim(f"{prefix}-{key}")
        label = f'<span class="label"><span class="fn-bracket">[</span>{esc(b.label)}<span class="fn-bracket">]</span></span>'
        return (
            f'<aside{ident} class="{"citation" if b.kind == "citation" else "footnote"}" role="doc-footnote">\n'
            f"{label}\x00back:{b.kind}:{b.label}\x00\n{self.blocks(b.blocks)}\n</aside>"
        )

    def _backrefs(self, spec: str) -> str:
        kind, _, label = spec.partition(":")
        refs = self.refs.get(f"{kind}:{label}", [])
        if not refs:
            return ""
        if len(refs) == 1:
            return f' <span class="backrefs"><a role="doc-backlink" href="#{attr(refs[0])}" aria-label="Back to the text">↩</a></span>'
        links = ",".join(f'<a role="doc-backlink" href="#{attr(r)}">{i}</a>' for i, r in enumerate(refs, 1))
        return f' <span class="backrefs">({links})</span>'

    def b_Embed(self, e: Embed) -> str:
        ident = clean(e.id).strip()
        page = embed_url(e)
        provider = EMBED_NAMES.get(e.kind, e.kind.capitalize())
        title = esc(e.attrs.get("title", "")) or esc(f"{provider} {ident}")
        if e.kind == "youtube" and re.fullmatch(r"[\w-]{1,64}", ident):
            src = f"https://www.youtube-nocookie.com/embed/{ident}"
            return self._iframe("youtube", src, f"https://www.youtube.com/watch?v={ident}", title)
        if e.kind == "vimeo" and re.fullmatch(r"\d{1,20}", ident):
            return self._iframe(
                "vimeo", f"https://player.vimeo.com/video/{ident}", f"https://vimeo.com/{ident}", title
            )
        if e.kind == "gist" and re.fullmatch(r"[\w-]+(/[\w-]+)?", ident):
            url = f"https://gist.github.com/{ident}"
            link = f'<p class="embed-link"><a href="{attr(url)}">{title}</a></p>'
            if self.opts.gist_scripts:
                file = re.sub(r"[^\w.-]", "", e.attrs.get("file", ""))
                q = f"?file={attr(file)}" if file else ""
                return f'<div class="embed embed-gist">\n<script src="{attr(url)}.js{q}"></script>\n<noscript>{link}</noscript>\n</div>'
            return f'<div class="embed embed-gist">\n{link}\n</div>'
        safe = self.href(page) if page else None
        if safe:
            return f'<div class="embed embed-{attr(css_token(e.kind))}">\n<p class="embed-link"><a href="{attr(safe)}">{title}</a></p>\n</div>'
        self.warn("unmapped-embed", f"embed {e.kind}:{e.id} kept as text")
        return f'<div class="embed embed-{attr(css_token(e.kind))}"><p>{esc(f"{e.kind}: {e.id}")}</p></div>'

    @staticmethod
    def _iframe(kind: str, src: str, page: str, title: str) -> str:
        return (
            f'<figure class="embed embed-{kind}">\n'
            f'<iframe src="{attr(src)}" title="{title}" width="560" height="315" loading="lazy" '
            'allow="encrypted-media; picture-in-picture; fullscreen" allowfullscreen '
            'referrerpolicy="strict-origin-when-cross-origin"></iframe>\n'
            f'<figcaption><a href="{attr(page)}">{title}</a></figcaption>\n</figure>'
        )

    def b_Target(self, b: Target) -> str:
        ident = self.claim(b.id)
        return f'<span{ident} class="target"></span>' if ident else ""

    def b_Comment(self, b: Comment) -> str:
        return html_comment(b.text) if b.text.strip() else ""

    def b_Div(self, b: Div) -> str:
        ident = self.claim(b.id)
        if b.name in STRUCTURAL_DIVS or not b.name:
            classes = " ".join(css_token(c) for c in (*STRUCTURAL_DIVS.get(b.name, ()), *b.classes) if c)
            if not classes and not ident:
                return self.blocks(b.blocks)
            cls = f' class="{attr(classes)}"' if classes else ""
            return f"<div{ident}{cls}>\n{self.blocks(b.blocks)}\n</div>"
        if b.name == "parsed-literal":
            inner = "\n".join(self.inlines(p.content) for p in b.blocks if isinstance(p, Paragraph))
            return f'<pre{ident} class="parsed-literal">{inner or esc(b.text)}</pre>'
        self.warn("unmapped-directive", f"directive {b.name!r} kept as a <div data-directive> element")
        classes = " ".join(css_token(c) for c in ("directive", f"directive-{b.name}", *b.classes) if c)
        a = f'{ident} class="{attr(classes)}" data-directive="{attr(b.name)}"'
        if b.arguments:
            a += f' data-arguments="{attr(" ".join(b.arguments))}"'
        if b.options:
            a += f' data-options="{attr(json.dumps(b.options, ensure_ascii=False, sort_keys=True))}"'
        if b.text.strip() or not b.blocks:
            # the source as written (line structure, arguments, options): nothing is lost
            inner = f'<pre class="directive-source">{esc(directive_source(b))}</pre>'
        else:
            inner = self.blocks(b.blocks)
        return f"<div{a}>\n{inner}\n</div>"

    # -- inlines
    def inlines(self, nodes: Iterable[Inline]) -> str:
        return "".join(self.inline(n) for n in nodes)

    def inline(self, n: Inline) -> str:
        if isinstance(n, Text):
            return esc(n.text)
        if isinstance(n, Emph):
            return f"<em>{self.inlines(n.content)}</em>"
        if isinstance(n, Strong):
            return f"<strong>{self.inlines(n.content)}</strong>"
        if isinstance(n, Subscript):
            return f"<sub>{self.inlines(n.content)}</sub>"
        if isinstance(n, Superscript):
            return f"<sup>{self.inlines(n.content)}</sup>"
        if isinstance(n, Code):
            return self.code(n)
        if isinstance(n, Link):
            return self.link(n)
        if isinstance(n, Image):
            return self.image(n)
        if isinstance(n, FootnoteRef):
            return self.footnote_ref(n)
        if isinstance(n, Math):
            self.uses_math = True
            return f'<span class="math">\\({esc(n.text)}\\)</span>'
        if isinstance(n, RawInline):
            if n.format.lower() == "html" and self.raw:
                return clean(n.text)
            self.warn("raw-escaped", f"raw {n.format} inline shown as text")
            return f'<code class="raw" data-format="{attr(n.format)}">{esc(n.text)}</code>'
        if isinstance(n, Abbr):
            t = f' title="{attr(n.title)}"' if n.title else ""
            return f"<abbr{t}>{self.inlines(n.content)}</abbr>"
        if isinstance(n, LineBreak):
            return "<br>"
        if isinstance(n, Span):
            return self.span(n)
        self.warn("unknown-inline", f"no HTML rendering for {type(n).__name__}")
        return ""

    def code(self, n: Code) -> str:
        tag = CODE_TAGS.get(n.role, "code")
        classes = []
        if n.role and n.role not in CODE_TAGS and n.role != "code":
            classes.append(css_token(n.role))
        inner = esc(n.text)
        if n.language:
            try:
                lexer = _lexer(n.language.lower())
                inner = highlight(clean(n.text), lexer, HtmlFormatter(nowrap=True)).rstrip("\n")
                classes[:0] = ["highlight", f"language-{css_token(n.language)}"]
            except ClassNotFound:
                self.warn("unknown-language", f"no highlighter for language {n.language!r}")
        cls = f' class="{attr(" ".join(classes))}"' if classes else ""
        role = (
            f' data-role="{attr(n.role)}"' if n.role and n.role != "code" and n.role not in CODE_TAGS else ""
        )
        return f"<{tag}{cls}{role}>{inner}</{tag}>"

    def link(self, n: Link) -> str:
        inner = self.inlines_in_link(n.content) if n.content else esc(n.target)
        target = self.href(n.target, kind=n.kind)
        if target is None or self.link_depth:
            return f'<span class="link-removed">{inner}</span>' if target is None else inner
        t = f' title="{attr(n.title)}"' if n.title else ""
        cls = ' class="internal"' if n.kind in ("post", "file", "anchor") or target.startswith("#") else ""
        return f'<a href="{attr(target)}"{cls}{t}>{inner}</a>'

    def inlines_in_link(self, nodes: Iterable[Inline]) -> str:
        self.link_depth += 1
        try:
            return self.inlines(nodes)
        finally:
            self.link_depth -= 1

    def footnote_ref(self, n: FootnoteRef) -> str:
        key = _footnote_key(n.label)
        prefix = "cite" if n.kind == "citation" else "fn"
        shown = f"[{esc(n.label)}]"
        if n.label not in self.footnotes:
            self.warn("missing-footnote", f"no footnote [{n.label}] in this post")
            return f'<span class="footnote-reference">{shown}</span>'
        if self.link_depth:
            return f'<span class="footnote-reference">{shown}</span>'
        refs = self.refs.setdefault(f"{n.kind}:{n.label}", [])
        ref_id = f"{prefix}ref-{key}" + (f"-{len(refs) + 1}" if refs else "")
        while ref_id in self.ids:
            ref_id += "-x"
        self.ids.add(ref_id)
        refs.append(ref_id)
        cls = "citation-reference" if n.kind == "citation" else "footnote-reference"
        return f'<a class="{cls}" id="{attr(ref_id)}" href="#{prefix}-{attr(key)}" role="doc-noteref">{shown}</a>'

    def span(self, n: Span) -> str:
        inner = self.inlines(n.content)
        ident = self.claim(n.id)
        tag = SPAN_TAGS.get(n.role, "span")
        classes = [css_token(c) for c in n.classes if css_token(c)]
        a = ident
        if n.role and tag == "span" and n.role not in ("inline", "span"):
            classes.insert(0, css_token(n.role))
            a += f' data-role="{attr(n.role)}"'
            if n.role not in KNOWN_ROLES:
                self.warn("unmapped-role", f"role {n.role!r} kept as a <span data-role> element")
        if n.attrs.get("target"):
            a += f' data-target="{attr(n.attrs["target"])}"'
        if classes:
            a += f' class="{attr(" ".join(classes))}"'
        if tag == "span" and not a:
            return inner
        return f"<{tag}{a}>{inner}</{tag}>"


def render_html(doc: Document, ctx: EmitContext | None = None, page: str = "post/index.html") -> str:
    """The HTML body of ``doc`` (a fragment, no page around it)."""
    ctx = ctx or EmitContext()
    opts = HtmlOptions.from_ctx(ctx)
    r = HtmlRenderer(
        Linker(page, opts.relative_urls, opts.standalone_page), opts, bool(getattr(ctx.config, "raw", False))
    )
    return r.render(doc.blocks)


# ---------------------------------------------------------------------------- templates


@lru_cache(maxsize=8)
def environment(templates: str = "") -> jinja2.Environment:
    """Jinja2 environment: the user's template directory first, then the shipped templates."""
    loaders: list[jinja2.BaseLoader] = []
    if templates:
        if not Path(templates).is_dir():
            raise MigrateError(f"templates directory {templates!r} does not exist", code="bad-option")
        loaders.append(jinja2.FileSystemLoader(templates))
    loaders.append(jinja2.PackageLoader(*TEMPLATE_PACKAGE))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["isodate"] = lambda d: d.isoformat(timespec="seconds") if d else ""
    env.filters["shortdate"] = lambda d: d.strftime("%Y-%m-%d") if d else ""
    return env


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render a page template; a broken (user) template is a :class:`MigrateError` naming it."""
    try:
        return env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as e:
        raise MigrateError(
            f"template {e.name or name}: {e.message}", path=e.filename or "", line=e.lineno, code="template"
        ) from e
    except jinja2.TemplateError as e:
        raise MigrateError(f"template {name}: {e}", code="template") from e


def static_text(templates: str, name: str) -> str:
    """A stylesheet from the template directories (overridable like a template)."""
    env = environment(templates)
    source, _, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    return source


def sort_newest_first(docs: Iterable[Document]) -> list[Document]:
    """Dated posts newest first (ties: title, then slug), undated posts after them by title."""
    dated = sorted(
        (d for d in docs if d.meta.date), key=lambda d: (-d.meta.date.timestamp(), d.meta.title, slug_of(d))
    )
    undated = sorted((d for d in docs if not d.meta.date), key=lambda d: (d.meta.title, slug_of(d)))
    return dated + undated


def summary_text(doc: Document, words: int = 45) -> str:
    """The post's summary: its own, else the text before ``more``, else its first paragraph."""
    if doc.meta.summary:
        text = doc.meta.summary
    else:
        before = []
        for b in doc.blocks:
            if isinstance(b, SummaryBreak):
                break
            before.append(b)
        has_break = len(before) < len(doc.blocks)
        paras = [b for b in (before if has_break else doc.blocks) if isinstance(b, Paragraph)]
        text = plain_text(tuple(paras) if has_break else tuple(paras[:1]))
    parts = clean(text).split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


# ---------------------------------------------------------------------------- emitter


TAXONOMIES = {"tags": ("Tags", "Tag"), "categories": ("Categories", "Category")}


def term_slug(name: str, config: Any = None) -> str:
    """The page name of a tag or category; a function of the name alone, so a post page can
    link to it without knowing the other posts (names that slugify alike share one page)."""
    return slugify(name, unicode=bool(getattr(config, "unicode_slugs", False))) or "term"


def terms_of(doc: Document, kind: str) -> tuple[str, ...]:
    return tuple(n for n in (doc.meta.tags if kind == "tags" else doc.meta.categories) if n.strip())


@dataclass(frozen=True)
class Term:
    """One tag or category page: its slug and every name that maps to it."""

    slug: str
    names: tuple[str, ...]
    kind: str

    @property
    def url(self) -> str:
        return f"/{self.kind}/{self.slug}/"

    @property
    def name(self) -> str:
        return ", ".join(self.names)


def taxonomy(docs: Iterable[Document], kind: str, config: Any = None) -> list[Term]:
    """Every tag (``kind="tags"``) or category page, sorted by name."""
    by_slug: dict[str, set[str]] = {}
    for d in docs:
        for n in terms_of(d, kind):
            by_slug.setdefault(term_slug(n, config), set()).add(n)
    terms = [
        Term(slug, tuple(sorted(names, key=lambda n: (n.lower(), n))), kind)
        for slug, names in by_slug.items()
    ]
    return sorted(terms, key=lambda t: (t.names[0].lower(), t.names[0], t.slug))


class HtmlEmitter:
    """A static HTML site: ``<slug>/index.html`` per post, index, tags, categories, Atom feed."""

    name = "html"
    description = "Static HTML site (Jinja2 templates, Pygments highlighting, index, tag pages, Atom feed)"

    # -- per post
    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        opts = HtmlOptions.from_ctx(ctx)
        return page_path(post_url(doc, ctx), opts.standalone_page)

    def emit(self, doc: Document, ctx: EmitContext) -> str:
        opts = HtmlOptions.from_ctx(ctx)
        page = self.output_path(doc, ctx)
        renderer = self._renderer(page, opts, ctx)
        body = renderer.render(doc.blocks)
        for code, message in dict.fromkeys(renderer.warnings):
            ctx.warn(doc, code, message)
        linker = renderer.linker
        env = environment(opts.templates)
        context = self._page_context(opts, linker, title=doc.meta.title or slug_of(doc))
        context.update(
            post=self._entry(doc, ctx, opts, linker),
            body=Markup(body),
            uses_math=renderer.uses_math,
            standalone=opts.standalone_page,
        )
        if opts.standalone_page:
            context["inline_css"] = Markup("\n".join(static_text(opts.templates, n) for n in STATIC_FILES))
        return render_template(env, "post.html", context)

    def _renderer(self, page: str, opts: HtmlOptions, ctx: EmitContext) -> HtmlRenderer:
        linker = Linker(page, opts.relative_urls, opts.standalone_page)
        return HtmlRenderer(linker, opts, bool(getattr(ctx.config, "raw", False)))

    def _page_context(self, opts: HtmlOptions, linker: Linker, title: str) -> dict[str, Any]:
        return {
            "site_title": opts.site_title,
            "title": title,
            "lang": opts.lang,
            "root": linker.url("/"),
            "home_url": linker.url("/"),
            "tags_url": linker.url("/tags/"),
            "categories_url": linker.url("/categories/"),
            "feed_url": linker.url("/feed.xml"),
            "stylesheets": [linker.url(f"/static/{n}") for n in STATIC_FILES],
            "standalone": False,
            "inline_css": "",
            "mathjax_url": opts.mathjax_url if opts.math == "mathjax" else "",
            "uses_math": False,
            "generator": "migrate",
        }

    def _entry(self, doc: Document, ctx: EmitContext, opts: HtmlOptions, linker: Linker) -> dict[str, Any]:
        m = doc.meta

        def links(kind: str) -> list[dict[str, str]]:
            return [
                {
                    "name": n,
                    "url": "" if opts.standalone_page else linker.url(f"/{kind}/{term_slug(n, ctx.config)}/"),
                }
                for n in terms_of(doc, kind)
            ]

        return {
            "title": m.title or slug_of(doc),
            "url": linker.url(post_url(doc, ctx)),
            "date": m.date,
            "updated": m.updated,
            "authors": list(m.authors),
            "draft": m.draft,
            "lang": m.lang or opts.lang,
            "summary": summary_text(doc),
            "description": clean(m.summary),
            "tags": links("tags"),
            "categories": links("categories"),
        }

    # -- site
    def site_files(self, docs: list[Document], ctx: EmitContext) -> list[tuple[str, str | bytes]]:
        opts = HtmlOptions.from_ctx(ctx)
        if opts.standalone_page:
            return []
        env = environment(opts.templates)
        docs = sort_newest_first(docs)
        taken = {self.output_path(d, ctx) for d in docs}
        files: list[tuple[str, str | bytes]] = []

        def add(path: str, content: str | bytes) -> None:
            if path in taken:
                ctx.diagnostics.append(
                    Diagnostic(
                        "warning", "output-clash", f"site file {path} not written: a post is written there"
                    )
                )
                return
            taken.add(path)
            files.append((path, content))

        def listing(path: str, title: str, template: str, selected: list[Document], **extra: Any) -> None:
            linker = Linker(path, opts.relative_urls)
            context = self._page_context(opts, linker, title)
            context["posts"] = [self._entry(d, ctx, opts, linker) for d in selected]
            context.update(extra)
            for key, value in list(extra.items()):
                if callable(value):
                    context[key] = value(linker)
            add(path, render_template(env, template, context))

        listing("index.html", opts.site_title, "index.html", docs, heading=opts.site_title, is_home=True)
        for kind, (label, singular) in TAXONOMIES.items():
            terms = taxonomy(docs, kind, ctx.config)
            members = {t.slug: [d for d in docs if set(terms_of(d, kind)) & set(t.names)] for t in terms}

            def term_list(linker: Linker, terms: list[Term] = terms, members=members) -> list[dict[str, Any]]:
                return [
                    {"name": t.name, "url": linker.url(t.url), "count": len(members[t.slug])} for t in terms
                ]

            listing(f"{kind}/index.html", label, "terms.html", [], heading=label, kind=kind, terms=term_list)
            for t in terms:
                listing(
                    f"{kind}/{t.slug}/index.html",
                    f"{singular}: {t.name}",
                    "term.html",
                    members[t.slug],
                    heading=t.name,
                    kind=kind,
                    singular=singular,
                )
        feed = self._feed(docs, ctx, opts, env)
        if feed:
            add("feed.xml", feed)
        for name in STATIC_FILES:
            add(f"static/{name}", static_text(opts.templates, name))
        if opts.redirects:
            for d in docs:
                for alias in d.meta.aliases:
                    path = self._alias_path(alias)
                    if path is None or path in taken:
                        continue
                    linker = Linker(path, opts.relative_urls)
                    context = self._page_context(opts, linker, d.meta.title or slug_of(d))
                    context["target"] = linker.url(post_url(d, ctx))
                    add(path, render_template(env, "redirect.html", context))
        return files

    @staticmethod
    def _alias_path(alias: str) -> str | None:
        parts = urlsplit(alias)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return None
        segments = [s for s in parts.path.split("/") if s]
        if not segments or any(s in (".", "..") or "\\" in s or "\x00" in s for s in segments):
            return None
        return page_path(parts.path)

    def _feed(
        self, docs: list[Document], ctx: EmitContext, opts: HtmlOptions, env: jinja2.Environment
    ) -> str:
        entries_docs = [d for d in docs if d.meta.date and not d.meta.draft]
        if not entries_docs:
            return ""
        base = opts.base_url.rstrip("/")
        authority = (
            urlsplit(base).hostname or urlsplit(getattr(ctx.config, "old_base_url", "") or "").hostname
        )
        authority = authority or "migrate.invalid"
        feed_linker = Linker("feed.xml", relative=True)
        entries = []
        for d in entries_docs:
            url = post_url(d, ctx)
            page = self.output_path(d, ctx)
            renderer = self._renderer(page, opts, ctx)
            renderer.headerlinks = False
            body = renderer.render(d.blocks)
            link = base + url if base else feed_linker.url(url)
            ident = base + url if base else f"tag:{authority},{d.meta.date:%Y-%m-%d}:{url}"
            m = d.meta
            entries.append(
                {
                    "title": m.title or slug_of(d),
                    "id": ident,
                    "link": link,
                    "published": m.date,
                    "updated": max(m.updated or m.date, m.date),
                    "authors": list(m.authors),
                    "categories": sorted(set(m.categories) | set(m.tags), key=lambda s: (s.lower(), s)),
                    "summary": clean(m.summary),
                    "content": body,
                }
            )
        newest = max(e["updated"] for e in entries)
        oldest = min(e["published"] for e in entries)
        author = getattr(ctx.config, "default_author", "") or opts.site_title
        context = {
            "site_title": opts.site_title,
            "feed_id": base + "/" if base else f"tag:{authority},{oldest:%Y}:feed",
            "self_url": base + "/feed.xml" if base else "feed.xml",
            "home_url": base + "/" if base else "index.html",
            "updated": newest,
            "author": author,
            "entries": entries,
            "generator": "migrate",
        }
        return render_template(env, "feed.xml", context)
