"""The Hugo emitter: front matter, shortcodes, literal ``{{<``, and a real ``hugo`` build."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from html import unescape

import frontmatter
from sites import build_hugo, hugo_site, markdown_html, parse_page

from migrate.emitters.base import EmitContext
from migrate.emitters.hugo import HugoEmitter, escape_shortcodes
from migrate.model import (
    Cell,
    Code,
    CodeBlock,
    Document,
    Embed,
    Figure,
    Heading,
    Image,
    Link,
    Metadata,
    Paragraph,
    Row,
    SummaryBreak,
    Table,
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


def test_escape_shortcodes() -> None:
    assert escape_shortcodes('{{< youtube "x" >}}') == '{{</* youtube "x" */>}}'
    assert escape_shortcodes("{{% note %}}") == "{{%/* note */%}}"
    assert escape_shortcodes("plain {{ .Title }}") == "plain {{ .Title }}"


def test_front_matter_fields() -> None:
    tz = timezone(timedelta(hours=-5))
    d = post(
        "hello",
        para("x"),
        title="Hello",
        date=datetime(2013, 9, 7, 9, 17, tzinfo=tz),
        updated=datetime(2014, 1, 1, tzinfo=tz),
        authors=("Ann",),
        tags=("a", "b"),
        categories=("c",),
        summary="Short.",
        draft=True,
        aliases=("/x/blog/2013/09/07/Hello/",),
        extra={"series": "s", "weight": 3},
    )
    out = HugoEmitter().emit(d, EmitContext())
    fm = frontmatter.loads(out).metadata
    assert fm["date"] == "2013-09-07T09:17:00-05:00"
    assert fm["lastmod"] == "2014-01-01T00:00:00-05:00"
    assert fm["author"] == "Ann" and fm["authors"] == ["Ann"]
    assert fm["tags"] == ["a", "b"] and fm["categories"] == ["c"]
    assert fm["summary"] == "Short." and fm["draft"] is True
    assert fm["aliases"] == ["/x/blog/2013/09/07/Hello/"]
    assert fm["series"] == "s"
    assert fm["params"] == {"weight": 3}
    toml = HugoEmitter().emit(d, EmitContext(options={"front_matter": "toml"}))
    assert toml.startswith("+++\n") and "date = 2013-09-07T09:17:00-05:00" in toml
    assert "[params]\nweight = 3" in toml


def test_output_path_and_bundles() -> None:
    plain = post("plain", para("x"))
    pics = post("pics", para(Image("a.png", "a")))
    remote = post("remote", para(Image("https://example.com/a.png", "a")))
    e, ctx = HugoEmitter(), EmitContext()
    assert e.output_path(plain, ctx) == "content/posts/plain.md"
    assert e.output_path(pics, ctx) == "content/posts/pics/index.md"
    assert e.output_path(remote, ctx) == "content/posts/remote.md"
    assert e.output_path(plain, EmitContext(options={"section": "blog"})) == "content/blog/plain.md"


def test_embeds_and_figures_use_shortcodes() -> None:
    out = HugoEmitter().emit(
        post(
            "e",
            Embed("youtube", "dQw4w9WgXcQ"),
            Embed("vimeo", "123"),
            Embed("gist", "octo/abc"),
            Figure(Image("a.png", "alt"), caption=(T('a "quoted" caption'),)),
        ),
        EmitContext(),
    )
    assert '{{< youtube "dQw4w9WgXcQ" >}}' in out
    assert '{{< vimeo "123" >}}' in out
    # Hugo removed its gist shortcode in v0.156: GitHub's embed script instead
    assert '<script src="https://gist.github.com/octo/abc.js"></script>' in out
    assert "{{< gist" not in out
    assert '{{< figure src="a.png" alt="alt" caption="a \\"quoted\\" caption" >}}' in out


def test_heading_ids_use_attribute_syntax() -> None:
    out = HugoEmitter().emit(
        post("h", Heading(1, (T("Same"),), id="same"), Heading(1, (T("Q&A -- time"),), id="q-a-time")),
        EmitContext(),
    )
    assert "## Same\n" in out
    assert "## Q\\&A -- time {#q-a-time}" in out or "## Q&A -- time {#q-a-time}" in out


def test_post_links_keep_ref_shortcodes() -> None:
    link = Link((T("other post"),), '{{< ref "/posts/other" >}}', kind="post")
    out = HugoEmitter().emit(post("l", para("See ", link, ".")), EmitContext())
    assert '[other post]({{< ref "/posts/other" >}})' in out


SHORTCODE_TEXT = '{{< youtube "notreal" >}}'
CODE = 'layout:\n  {{< figure src="x" >}}\n  {{% notice %}}\nend\n'


def test_hugo_builds_site(tmp_path) -> None:
    docs = [
        post(
            "first-post",
            Heading(1, (T("Intro -- part one"),), id="intro-part-one"),
            para("Hello ", Link((T("Example"),), "https://example.com/page"), " words_with_underscores."),
            SummaryBreak(),
            para("Literal shortcode text: ", T(SHORTCODE_TEXT), " and ", Code("{{% inline %}}"), "."),
            CodeBlock(CODE, "yaml"),
            Embed("youtube", "dQw4w9WgXcQ"),
            Table(
                head=(Row((Cell((para("H1"),)), Cell((para("H2"),)))),),
                body=(
                    Row((Cell((para("span"),), rowspan=2), Cell((para("a"),)))),
                    Row((Cell((para("b"),)),)),
                ),
            ),
            para("Math $x$ here."),
            title="First Post",
            tags=("python", "rst"),
            categories=("Tech",),
            aliases=("/x/blog/2013/09/07/First-Post/",),
        ),
        post(
            "with-image",
            para("Look: ", Image("photo.png", "A photo")),
            Figure(Image("photo.png", "again"), caption=(T("Figure caption words"),)),
            title="With Image",
            date=datetime(2014, 2, 3, 4, 5, tzinfo=UTC),
        ),
    ]
    e, ctx = HugoEmitter(), EmitContext()
    files: dict[str, str | bytes] = {e.output_path(d, ctx): e.emit(d, ctx) for d in docs}
    files["content/posts/with-image/photo.png"] = b"\x89PNG\r\n\x1a\n"
    src = hugo_site(tmp_path / "site", files)
    out = tmp_path / "public"
    build_hugo(src, out)

    page_file = out / "posts" / "first-post" / "index.html"
    assert page_file.exists(), sorted(str(p.relative_to(out)) for p in out.rglob("*.html"))
    html = page_file.read_text(encoding="utf-8")
    page = parse_page(html)
    assert "First Post" in page.words
    assert 'datetime="2013-09-07T09:17:00+00:00"' in unescape(html)
    assert "python" in page.words and "Tech" in page.words
    assert "words_with_underscores." in page.words
    assert "https://example.com/page" in page.links
    assert SHORTCODE_TEXT in page.words
    assert "{{% inline %}}" in page.words
    assert page.pre and page.pre[0] == CODE
    assert any("youtube" in src for src in page.iframes)
    assert "intro-part-one" in page.ids
    assert "Intro -- part one" in page.words
    assert 'rowspan="2"' in html
    assert "Math $x$ here." in page.words

    alias = out / "x" / "blog" / "2013" / "09" / "07" / "First-Post" / "index.html"
    assert alias.exists()
    refresh = parse_page(alias.read_text(encoding="utf-8")).refresh
    assert refresh.endswith("/posts/first-post/")

    img_page = parse_page((out / "posts" / "with-image" / "index.html").read_text(encoding="utf-8"))
    assert "photo.png" in img_page.images[0]
    assert "Figure caption words" in img_page.words
    assert (out / "posts" / "with-image" / "photo.png").exists()


def test_markdown_it_sees_the_words() -> None:
    out = HugoEmitter().emit(post("w", para("alpha ", T(SHORTCODE_TEXT))), EmitContext())
    assert "alpha" in parse_page(markdown_html(out)).words
