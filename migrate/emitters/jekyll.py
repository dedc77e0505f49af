"""Jekyll emitter: kramdown (GFM input) Markdown in ``_posts/``, Liquid-safe.

Liquid runs over a post before kramdown, so any ``{{ }}`` / ``{% %}`` in the text or the
code would be executed or swallowed; such lines are wrapped in ``{% raw %}``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..model import Document, Embed, SummaryBreak, walk
from ..site import Post, fill
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

_LIQUID = re.compile(r"\{\{|\{%")
_ENDRAW = re.compile(r"\{%(-?\s*endraw\s*-?%\})")


def _raw(text: str) -> str:
    """Wrap text in ``{% raw %}``; a literal ``{% endraw %}`` is split so it cannot close the block."""
    return (
        "{% raw %}"
        + _ENDRAW.sub(lambda m: "{%{% endraw %}" + m.group(1) + "{% raw %}", text)
        + "{% endraw %}"
    )


def protect_liquid(text: str) -> str:
    """Wrap literal text holding Liquid delimiters in ``{% raw %}`` … ``{% endraw %}``.

    Applied to each literal leaf (text, code, code blocks, raw HTML), never to the whole
    body, so the ``{% post_url %}`` tags the link transform writes keep working.  Liquid
    removes the raw tags before kramdown sees the Markdown, so they may sit anywhere.
    """
    return _raw(text) if _LIQUID.search(text) else text


def jekyll_date(dt: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS +ZZZZ``, the form Jekyll documents."""
    s = dt.strftime("%Y-%m-%d %H:%M:%S")
    z = dt.strftime("%z")
    return f"{s} {z}" if z else s


def _escape_dollars(text: str) -> str:
    return text.replace("$$", "\\$\\$")


class JekyllRenderer(MarkdownRenderer):
    """Markdown for kramdown: ``{#id}`` attributes, ``$$`` math, raw-HTML embeds."""

    def literal(self, text: str) -> str:
        return protect_liquid(text)

    def text(self, s: str) -> str:
        escaped = escape_text(s, table=self.table_depth > 0, link=self.link_depth > 0)
        return protect_liquid(_escape_dollars(escaped))

    def embed(self, e: Embed) -> str:
        if e.kind == "youtube" and e.id:
            return (
                f'<iframe width="560" height="315" src="https://www.youtube.com/embed/{html_attr(e.id)}" '
                'frameborder="0" allowfullscreen></iframe>'
            )
        if e.kind == "vimeo" and e.id:
            return f'<iframe src="https://player.vimeo.com/video/{html_attr(e.id)}" width="640" height="360" frameborder="0" allowfullscreen></iframe>'
        if e.kind == "gist" and e.id:
            return f'<script src="https://gist.github.com/{html_attr(e.id)}.js"></script>'
        url = embed_url(e)
        if url:
            return f"<{url}>"
        self.warn("unmapped-embed", f"embed {e.kind}:{e.id} kept as text")
        return escape_text(f"{e.kind}: {e.id}")


JEKYLL_DEFAULTS = MarkdownOptions(
    # kramdown has no GitHub alerts (``> [!NOTE]`` would show literally): a styled <div>
    anchors="attr",
    id_algorithm="kramdown",
    math_inline="$$",
    admonitions="html",
)


def post_permalink(doc: Document, ctx: EmitContext) -> str:
    """The post's ``permalink``, fixed at conversion time (option ``permalink``).

    ``auto`` (the default) fills ``Config.jekyll_permalink`` with the post's own date, in the
    post's own offset: Jekyll would otherwise compute ``:year/:month/:day`` in the build
    machine's time zone (a post at 23:30 +00:00 moves to the next day in Tokyo) and slugify
    ``:slug`` (``tmux_for_the_homelab`` becomes ``tmux-for-the-homelab``), so links written as
    plain URLs and the old site's structure would drift.  ``none`` leaves the URL to the
    site's ``permalink`` setting; any other value is a pattern with migrate's placeholders
    (``/{year}/{month}/{day}/{slug}/``) or a literal path.
    """
    opt = str(ctx.options.get("permalink", "auto"))
    if opt in ("none", "", "false", "False"):
        return ""
    pattern = getattr(ctx.config, "jekyll_permalink", "") if opt == "auto" else opt
    if not pattern:
        return ""
    post = Post(
        source=doc.source.path,
        docname="",
        slug=slug_of(doc),
        title=doc.meta.title,
        date=doc.meta.date,
        categories=doc.meta.categories,
    )
    return fill(pattern, post.placeholders())


def jekyll_front_matter(doc: Document, ctx: EmitContext, has_more: bool) -> dict[str, Any]:
    m = doc.meta
    data: dict[str, Any] = {"layout": ctx.options.get("layout", "post"), "title": m.title}
    if m.date:
        data["date"] = jekyll_date(m.date)
    if m.updated:
        data["last_modified_at"] = jekyll_date(m.updated)
    if m.categories:
        data["categories"] = list(m.categories)
    if m.tags:
        data["tags"] = list(m.tags)
    if len(m.authors) == 1:
        data["author"] = m.authors[0]
    elif m.authors:
        data["author"] = list(m.authors)
    if m.slug:
        data["slug"] = m.slug
    if m.summary:
        data["excerpt"] = m.summary
    if has_more:
        data["excerpt_separator"] = "<!--more-->"
    if m.draft:
        data["published"] = False
    if m.lang:
        data["lang"] = m.lang
    if m.aliases:
        data["redirect_from"] = list(m.aliases)
    link = post_permalink(doc, ctx)
    if link:
        data["permalink"] = link
    for k, v in m.extra.items():
        data.setdefault(k, v)
    return data


class JekyllEmitter:
    """``_posts/YYYY-MM-DD-<slug>.md`` with Jekyll front matter."""

    name = "jekyll"
    description = "Jekyll posts (kramdown GFM, Liquid-safe, jekyll-redirect-from aliases)"

    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        day = doc.meta.date.strftime("%Y-%m-%d") if doc.meta.date else "1970-01-01"
        return f"_posts/{day}-{slug_of(doc)}.md"

    def emit(self, doc: Document, ctx: EmitContext) -> str:
        opts = options_from(ctx, JEKYLL_DEFAULTS)
        opts = replace(opts, front_matter="yaml")
        r = JekyllRenderer(opts)
        body = r.render(doc)
        report(ctx, doc, r.warnings)
        more = any(isinstance(n, SummaryBreak) for n in walk(doc.blocks))
        fm = rename_fields(jekyll_front_matter(doc, ctx, more), ctx, "jekyll")
        return dump_front_matter(fm, "yaml") + "\n" + body
