"""A Gemini (gemtext) emitter for migrate: a third-party plugin, registered by entry point.

Gemtext is line oriented: text lines, ``=> URL label`` link lines, ``#``/``##``/``###``
headings, ``* `` list items, ``> `` quotes and ````` preformatted blocks.  It has no
inline markup, so links are written as link lines after the block that contains them.

Only the document model is used (``migrate.model``); an emitter never sees docutils.
"""

from __future__ import annotations

import re

from migrate.model import (
    Admonition,
    BlockQuote,
    BulletList,
    CodeBlock,
    Comment,
    DefinitionList,
    Div,
    Document,
    Embed,
    FieldList,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    LineBlock,
    LineBreak,
    Link,
    MathBlock,
    OptionList,
    OrderedList,
    Paragraph,
    RawBlock,
    Rubric,
    SummaryBreak,
    Table,
    Target,
    Text,
    ThematicBreak,
    Topic,
    plain_text,
)

__version__ = "0.1.0"

EMBED_URLS = {
    "youtube": "https://www.youtube.com/watch?v={id}",
    "vimeo": "https://vimeo.com/{id}",
    "gist": "https://gist.github.com/{id}",
}


class GeminiEmitter:
    name = "gemini"
    description = "Gemini capsule pages (gemtext .gmi): headings, link lines, preformatted code"

    def output_path(self, doc: Document, ctx) -> str:
        return f"{doc.meta.slug or 'post'}.gmi"

    def emit(self, doc: Document, ctx) -> str:
        return _Writer(doc, ctx).document()


class _Writer:
    def __init__(self, doc: Document, ctx) -> None:
        self.doc = doc
        self.ctx = ctx
        self.notes: list[Footnote] = []

    def warn(self, code: str, message: str) -> None:
        if self.ctx is not None:
            self.ctx.warn(self.doc, code, message)

    def document(self) -> str:
        meta = self.doc.meta
        lines = [f"# {meta.title or meta.slug}"]
        facts = []
        if meta.date:
            facts.append(meta.date.date().isoformat())
        if meta.authors:
            facts.append("by " + ", ".join(meta.authors))
        if meta.tags:
            facts.append("tags: " + ", ".join(meta.tags))
        if facts:
            lines += ["", " · ".join(facts)]
        lines += self.blocks(self.doc.blocks)
        if self.notes:
            lines += ["", "## Notes"]
            for note in self.notes:
                lines += ["", f"[{note.label}] " + self.flat(note.blocks)]
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines) + "\n"

    # -- inlines: text without markup, plus the links found in it

    def text(self, inlines) -> tuple[str, list[str]]:
        parts: list[str] = []
        links: list[str] = []

        def go(nodes) -> None:
            for n in nodes:
                if isinstance(n, Text):  # NUL is docutils' escape marker: "\ " means no space
                    parts.append(re.sub("\x00[ \n]", "", n.text).replace("\x00", ""))
                elif isinstance(n, LineBreak):
                    parts.append(" ")
                elif isinstance(n, FootnoteRef):
                    parts.append(f"[{n.label}]")
                elif isinstance(n, Image):
                    parts.append(n.alt or "image")
                    links.append(f"=> {n.src} {n.alt or 'image'} (image)")
                elif isinstance(n, Link):
                    label = plain_text(n.content) or n.target
                    go(n.content) if n.content else parts.append(n.target)
                    if not n.target.startswith("#"):
                        links.append(f"=> {n.target} {label}")
                elif hasattr(n, "content"):
                    go(n.content)
                elif hasattr(n, "text"):  # Code, Math, RawInline
                    parts.append(n.text)

        go(inlines)
        return " ".join("".join(parts).split()), links

    def flat(self, blocks) -> str:
        return " ".join(re.sub("\x00[ \n]", "", plain_text(blocks)).replace("\x00", "").split())

    # -- blocks

    def blocks(self, blocks) -> list[str]:
        out: list[str] = []
        for b in blocks:
            lines = self.block(b)
            if lines:
                out += ["", *lines]
        return out

    def para(self, inlines, prefix: str = "") -> list[str]:
        text, links = self.text(inlines)
        return [prefix + text, *links] if text else links

    def pre(self, text: str, alt: str = "") -> list[str]:
        body = [(" " + line if line.startswith("```") else line) for line in text.rstrip("\n").split("\n")]
        return [f"```{alt}", *body, "```"]

    def items(self, items, marker) -> list[str]:
        out = []
        for i, item in enumerate(items):
            first, rest = True, []
            for b in item:
                if isinstance(b, Paragraph) and first:
                    out += self.para(b.content, marker(i))
                    first = False
                elif isinstance(b, (BulletList, OrderedList)):
                    rest += self.block(b)
                else:
                    rest += [line for line in self.block(b) if line]
            out += rest
        return out

    def block(self, b) -> list[str]:
        if isinstance(b, Heading):
            return ["#" * min(b.level + 1, 3) + " " + self.text(b.content)[0]]
        if isinstance(b, Paragraph):
            return self.para(b.content)
        if isinstance(b, CodeBlock):
            return self.pre(b.text, b.language)
        if isinstance(b, MathBlock):
            return self.pre(b.text, "math")
        if isinstance(b, BlockQuote):
            lines = [f"> {line}" for line in self.blocks(b.blocks) if line and not line.startswith("=>")]
            if b.attribution:
                lines.append("> — " + self.text(b.attribution)[0])
            return lines + [line for line in self.blocks(b.blocks) if line.startswith("=>")]
        if isinstance(b, BulletList):
            return self.items(b.items, lambda i: "* ")
        if isinstance(b, OrderedList):
            return self.items(b.items, lambda i: f"* {b.start + i}. ")
        if isinstance(b, DefinitionList):
            out = []
            for item in b.items:
                out += [
                    self.text(item.term)[0],
                    *(f"  {line}" for line in self.blocks(item.definition) if line),
                ]
            return out
        if isinstance(b, FieldList):
            return [f"{self.text(f.name)[0]}: {self.flat(f.body)}" for f in b.items]
        if isinstance(b, OptionList):
            return [f"{', '.join(o.options)}  {self.flat(o.description)}" for o in b.items]
        if isinstance(b, Table):
            rows = [[plain_text(c.blocks) for c in r.cells] for r in (*b.head, *b.body)]
            width = max((len(r) for r in rows), default=0)
            sizes = [max((len(r[i]) for r in rows if i < len(r)), default=0) for i in range(width)]
            text = "\n".join(
                "  ".join(c.ljust(s) for c, s in zip(r, sizes, strict=False)).rstrip() for r in rows
            )
            caption = plain_text(b.caption)
            return ([caption] if caption else []) + self.pre(text, caption or "table")
        if isinstance(b, ImageBlock):
            return [f"=> {b.image.src} {b.image.alt or 'image'} (image)"]
        if isinstance(b, Figure):
            caption = plain_text(b.caption) or b.image.alt or "image"
            legend = [line for line in self.blocks(b.legend) if line]
            return [f"=> {b.image.src} {caption} (image)", *legend]
        if isinstance(b, Admonition):
            title = plain_text(b.title) or b.kind.capitalize()
            return [f"> {title}:", *(f"> {line}" for line in self.blocks(b.blocks) if line)]
        if isinstance(b, Topic):
            return [f"### {plain_text(b.title)}" if b.title else "", *self.blocks(b.blocks)[1:]]
        if isinstance(b, Rubric):
            return [self.text(b.content)[0]]
        if isinstance(b, LineBlock):
            return [" " * (4 * line.indent) + self.text(line.content)[0] for line in b.lines]
        if isinstance(b, Footnote):
            self.notes.append(b)
            return []
        if isinstance(b, Embed):
            pattern = EMBED_URLS.get(b.kind)
            url = b.attrs.get("url") or (pattern.format(id=b.id) if pattern else "")
            if not url:
                self.warn("gemini-embed", f"embed {b.kind}:{b.id} has no URL; kept as text")
                return [f"{b.kind}: {b.id}"]
            return [f"=> {url} {b.kind}: {b.id}"]
        if isinstance(b, RawBlock):
            self.warn("gemini-raw", f"raw {b.format} block kept as preformatted text")
            return self.pre(b.text, b.format)
        if isinstance(b, ThematicBreak):
            return ["───"]
        if isinstance(b, (Comment, SummaryBreak, Target)):
            return []
        if isinstance(b, Div):
            inner = [line for line in self.blocks(b.blocks) if line] if b.blocks else []
            if not inner and b.text.strip():
                self.warn("gemini-directive", f"directive {b.name!r} kept as preformatted text")
                return self.pre(b.text, b.name)
            return inner
        self.warn("gemini-unknown", f"no gemtext for {type(b).__name__}; kept as text")
        return [plain_text(b)]
