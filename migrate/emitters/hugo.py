"""Hugo emitter: Goldmark Markdown with Hugo front matter, shortcodes and page bundles.

Site requirements (documented in the report and the test site): ``disablePathToLower =
true`` so mixed-case aliases keep their case, and ``[markup.goldmark.renderer] unsafe =
true`` for the HTML this emitter falls back to (tables with spans, anchors, comments).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from ..model import CodeBlock, Document, Embed, Figure, Image, walk
from .base import EmitContext
from .markdown import (
    MarkdownOptions,
    MarkdownRenderer,
    dump_front_matter,
    embed_url,
    escape_text,
    html_attr,
    options_from,
    rename_fields,
    report,
    slug_of,
)

HUGO_RESERVED = {
    "aliases",
    "build",
    "cascade",
    "date",
    "description",
    "draft",
    "expirydate",
    "headless",
    "iscjklanguage",
    "keywords",
    "lastmod",
    "layout",
    "linktitle",
    "markup",
    "menus",
    "menu",
    "outputs",
    "params",
    "publishdate",
    "resources",
    "sitemap",
    "slug",
    "summary",
    "title",
    "translationkey",
    "type",
    "url",
    "weight",
    "lang",
    "tags",
    "categories",
    "authors",
    "author",
}

_SHORTCODE = re.compile(r"\{\{<(.*?)>\}\}|\{\{%(.*?)%\}\}", re.S)


def escape_shortcodes(text: str) -> str:
    """``{{< x >}}`` → ``{{</* x */>}}``: Hugo renders the commented form as the literal original."""

    def fix(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return "{{</*" + m.group(1) + "*/>}}"
        return "{{%/*" + m.group(2) + "*/%}}"

    return _SHORTCODE.sub(fix, text)


def _quote(value: str) -> str:
    """A shortcode parameter in double quotes (Hugo unescapes ``\\"``)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


class HugoRenderer(MarkdownRenderer):
    """Markdown for Goldmark: ``{#id}`` heading attributes, Hugo shortcodes, literal ``{{<``."""

    def literal(self, text: str) -> str:
        return escape_shortcodes(text)

    def embed(self, e: Embed) -> str:
        if e.kind == "youtube" and e.id:
            return f"{{{{< youtube {_quote(e.id)} >}}}}"
        if e.kind == "vimeo" and e.id:
            return f"{{{{< vimeo {_quote(e.id)} >}}}}"
        if e.kind == "gist" and e.id:
            # Hugo removed its ``gist`` shortcode in v0.156; GitHub's own embed script works
            # everywhere (it needs ``markup.goldmark.renderer.unsafe``, like every HTML fallback)
            file = f"?file={quote(e.attrs['file'])}" if e.attrs.get("file") else ""
            return f'<script src="https://gist.github.com/{html_attr(e.id)}.js{file}"></script>'
        url = embed_url(e)
        if url:
            return f"<{url}>"
        self.warn("unmapped-embed", f"embed {e.kind}:{e.id} kept as text")
        return escape_text(f"{e.kind}: {e.id}")

    def figure(self, b: Figure) -> str:
        im = b.image
        params: list[tuple[str, str]] = [("src", im.src)]
        if im.alt:
            params.append(("alt", im.alt))
        if b.caption:
            params.append(("caption", self.inlines(b.caption).strip()))
        for name in ("title", "width", "height"):
            if getattr(im, name):
                params.append((name, getattr(im, name)))
        if im.target:
            params.append(("link", im.target))
        classes = [*im.classes, *([f"align-{b.align}"] if b.align else [])]
        if classes:
            params.append(("class", " ".join(classes)))
        anchor = f'<a id="{b.id}"></a>\n\n' if b.id else ""
        out = anchor + "{{< figure " + " ".join(f"{k}={_quote(v)}" for k, v in params) + " >}}"
        if b.legend:
            out += "\n\n" + self.blocks(b.legend)
        return out

    def code_info(self, b: CodeBlock) -> str:
        info = super().code_info(b)
        attrs = []
        if b.line_numbers:
            attrs.append("linenos=table")
            if b.start_line != 1:
                attrs.append(f"linenostart={b.start_line}")
        if b.emphasize_lines:
            attrs.append("hl_lines=[" + ",".join(str(n) for n in b.emphasize_lines) + "]")
        if attrs:
            info = (info or "text") + " {" + ",".join(attrs) + "}"
        return info


HUGO_DEFAULTS = MarkdownOptions(
    anchors="attr", id_algorithm="hugo", html_markdown_attr=False, admonitions="gfm-alert"
)


def has_local_images(doc: Document) -> bool:
    """Whether the post references images stored with it (then it becomes a page bundle)."""
    for n in walk(doc.blocks):
        if isinstance(n, Image) and not re.match(r"[a-z][a-z0-9+.-]*:|//", n.src, re.I):
            return True
    return False


def hugo_front_matter(doc: Document) -> dict[str, Any]:
    """Hugo's own keys first; unknown extras at top level unless they clash, then under ``params``."""
    m = doc.meta
    data: dict[str, Any] = {"title": m.title}
    if m.date:
        data["date"] = m.date
    if m.updated:
        data["lastmod"] = m.updated
    if len(m.authors) == 1:
        data["author"] = m.authors[0]
    if m.authors:
        data["authors"] = list(m.authors)
    if m.tags:
        data["tags"] = list(m.tags)
    if m.categories:
        data["categories"] = list(m.categories)
    if m.slug:
        data["slug"] = m.slug
    if m.summary:
        data["summary"] = m.summary
        data["description"] = m.summary
    if m.draft:
        data["draft"] = True
    if m.aliases:
        data["aliases"] = list(m.aliases)
    params: dict[str, Any] = {}
    if m.lang:
        params["lang"] = m.lang
    for k, v in m.extra.items():
        if k.lower() in HUGO_RESERVED or k in data:
            params[k] = v
        else:
            data[k] = v
    if params:
        data["params"] = params
    return data


class HugoEmitter:
    """``content/<section>/<slug>.md`` (or ``<slug>/index.md`` bundles for posts with images)."""

    name = "hugo"
    description = "Hugo content files (Goldmark Markdown, shortcodes, page bundles)"

    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        section = str(ctx.options.get("section", getattr(ctx.config, "hugo_section", "posts"))).strip("/")
        slug = slug_of(doc)
        if has_local_images(doc):
            return f"content/{section}/{slug}/index.md"
        return f"content/{section}/{slug}.md"

    def emit(self, doc: Document, ctx: EmitContext) -> str:
        opts = options_from(ctx, HUGO_DEFAULTS)
        opts = replace(opts, front_matter=str(ctx.options.get("front_matter", "yaml")))
        r = HugoRenderer(opts)
        body = r.render(doc)
        report(ctx, doc, r.warnings)
        return (
            dump_front_matter(rename_fields(hugo_front_matter(doc), ctx, "hugo"), opts.front_matter)
            + "\n"
            + body
        )
