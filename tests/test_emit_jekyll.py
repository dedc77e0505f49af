"""The Jekyll emitter: front matter, Liquid protection, and a real ``jekyll build``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import unescape

import frontmatter
from sites import build_jekyll, jekyll_site, parse_page

from migrate.emitters.base import EmitContext
from migrate.emitters.jekyll import JekyllEmitter, jekyll_date, protect_liquid
from migrate.model import (
    Code,
    CodeBlock,
    Document,
    Embed,
    Heading,
    Link,
    Metadata,
    Paragraph,
    SummaryBreak,
    Text,
)

T = Text
UTC = timezone.utc


def post(slug: str, *blocks, **meta) -> Document:
    meta.setdefault("title", slug.replace("-", " ").title())
    meta.setdefault("date", datetime(2013, 9, 7, 9, 17, tzinfo=UTC))
    return Document(meta=Metadata(slug=slug, **meta), blocks=tuple(blocks))


def para(*inl) -> Paragraph:
    return Paragraph(tuple(T(x) if isinstance(x, str) else x for x in inl))


def test_protect_liquid() -> None:
    assert protect_liquid("plain") == "plain"
    assert protect_liquid("{{ x }}") == "{% raw %}{{ x }}{% endraw %}"
    tricky = protect_liquid("a {% endraw %} b")
    assert tricky == "{% raw %}a {%{% endraw %} endraw %}{% raw %} b{% endraw %}"


def test_date_and_path() -> None:
    tz = timezone(timedelta(hours=2))
    d = post("hello", para("x"), date=datetime(2013, 9, 7, 9, 17, tzinfo=tz))
    assert jekyll_date(d.meta.date) == "2013-09-07 09:17:00 +0200"
    assert JekyllEmitter().output_path(d, EmitContext()) == "_posts/2013-09-07-hello.md"


def test_front_matter() -> None:
    d = post(
        "hello",
        para("before"),
        SummaryBreak(),
        para("after"),
        authors=("Ann",),
        tags=("a",),
        categories=("c",),
        summary="Short.",
        aliases=("/old/Hello.html",),
    )
    out = JekyllEmitter().emit(d, EmitContext(options={"permalink": "/hello/"}))
    fm = frontmatter.loads(out).metadata
    assert fm["layout"] == "post" and fm["title"] == "Hello"
    assert fm["date"] == "2013-09-07 09:17:00 +0000"
    assert fm["author"] == "Ann" and fm["tags"] == ["a"] and fm["categories"] == ["c"]
    assert fm["excerpt"] == "Short."
    assert fm["redirect_from"] == ["/old/Hello.html"]
    assert fm["permalink"] == "/hello/"
    assert fm["excerpt_separator"] == "<!--more-->"
    assert "before\n\n<!--more-->\n\nafter" in out


def test_post_url_links_stay_liquid() -> None:
    link = Link((T("older"),), "{% post_url 2013-01-02-older %}#part", kind="post")
    out = JekyllEmitter().emit(post("l", para("See ", link, " and {{ not liquid }}.")), EmitContext())
    assert "[older]({% post_url 2013-01-02-older %}#part)" in out
    assert "{% raw %} and {{ not liquid }}.{% endraw %}" in out


LIQUID_TEXT = "Template: {{ page.title }} and {% include x.html %}"
CODE = "{% raw %}\n{{ site.data }}\n{% endraw %}\n{%- if x -%}y{%- endif -%}\n"


def test_jekyll_builds_site(tmp_path) -> None:
    docs = [
        post(
            "first-post",
            Heading(1, (T("Intro -- part one"),), id="intro-part-one"),
            para("Hello ", Link((T("Example"),), "https://example.com/page"), " words_with_underscores."),
            SummaryBreak(),
            para(T(LIQUID_TEXT), " and ", Code("{{ inline }}"), "."),
            CodeBlock(CODE, "liquid"),
            Embed("youtube", "dQw4w9WgXcQ"),
            title="First Post",
            tags=("python", "rst"),
            categories=("Tech",),
            aliases=("/x/blog/2013/09/07/First-Post/",),
        ),
        post(
            "second",
            para("Back to ", Link((T("first"),), "{% post_url 2013-09-07-first-post %}", kind="post"), "."),
            title="Second",
            date=datetime(2014, 2, 3, 4, 5, tzinfo=UTC),
        ),
    ]
    e, ctx = JekyllEmitter(), EmitContext()
    files = {e.output_path(d, ctx): e.emit(d, ctx) for d in docs}
    src = jekyll_site(tmp_path / "site", files)
    out = tmp_path / "_site"
    build_jekyll(src, out)

    page_file = out / "2013" / "09" / "07" / "first-post" / "index.html"
    assert page_file.exists(), sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    html = page_file.read_text(encoding="utf-8")
    page = parse_page(html)
    assert "First Post" in page.words
    assert 'datetime="2013-09-07T09:17:00+00:00"' in unescape(html)
    assert "python" in page.words and "Tech" in page.words
    assert "words_with_underscores." in page.words
    assert "https://example.com/page" in page.links
    assert LIQUID_TEXT in page.words
    assert "{{ inline }}" in page.words
    assert page.pre and page.pre[0] == CODE
    assert any("youtube.com/embed/dQw4w9WgXcQ" in s for s in page.iframes)
    assert "intro-part-one" in page.ids
    assert "Intro -- part one" in page.words or "Intro – part one" in page.words

    alias = out / "x" / "blog" / "2013" / "09" / "07" / "First-Post" / "index.html"
    assert alias.exists()
    assert parse_page(alias.read_text(encoding="utf-8")).refresh.endswith("/2013/09/07/first-post/")

    second = parse_page((out / "2014" / "02" / "03" / "second" / "index.html").read_text(encoding="utf-8"))
    assert "/2013/09/07/first-post/" in second.links
