"""The Markdown emitter: every construct re-parsed with markdown-it (as fidelity.py does)."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import frontmatter
import pytest
from markdown_it import MarkdownIt
from sites import markdown_html, parse_page

from migrate.emitters.base import EmitContext
from migrate.emitters.markdown import (
    MarkdownEmitter,
    MarkdownOptions,
    docutils_id,
    escape_text,
    github_id,
    hugo_id,
    kramdown_id,
    render_markdown,
)
from migrate.model import (
    Admonition,
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
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    Line,
    LineBlock,
    Link,
    Metadata,
    OrderedList,
    Paragraph,
    Row,
    Span,
    Strong,
    SummaryBreak,
    Superscript,
    Table,
    Target,
    Text,
)

T = Text


def doc(*blocks, **meta) -> Document:
    return Document(meta=Metadata(**meta), blocks=tuple(blocks))


def md(*blocks, **opts) -> str:
    return render_markdown(doc(*blocks), MarkdownOptions(**opts))


def para(*inl) -> Paragraph:
    return Paragraph(tuple(T(x) if isinstance(x, str) else x for x in inl))


def cell(*texts: str, **kw) -> Cell:
    return Cell(tuple(para(t) for t in texts), **kw)


TRICKY = [
    "snake_case_name and CONSTANT_VALUE",
    "2*3*4 = 24",
    "__init__ and __main__",
    "a * b * c",
    "# not a heading",
    "#hashtag stays",
    "> not a quote",
    "- not a list",
    "+ not a list",
    "1. not a list",
    "2) not a list",
    "[not](a link)",
    "[^not] a footnote",
    "use `backticks` here",
    "<div> is a tag, a < b",
    "&amp; is an entity, AT&T is not",
    "C:\\Users\\me\\ and \\*",
    "~~not struck~~",
    "***",
    "---",
    "===",
    "_leading and trailing_",
    "*stars*",
    "**bold**",
    "foo_",
    "![not](an image)",
    "pipes | in | prose",
    ": colon start",
    "~~~ not a fence",
    "https://example.com/path_with_underscores_",
]


@pytest.mark.parametrize("text", TRICKY)
def test_escaping_round_trips_through_markdown_it(text: str) -> None:
    out = md(para(text))
    rendered = markdown_html(out)
    assert rendered == f"<p>{html.escape(text, quote=False)}</p>\n", out


def test_plain_prose_has_no_backslashes() -> None:
    text = (
        "It's a normal sentence, with commas (and parentheses): fine! 50% off? Yes; "
        'e.g. C-3PO & R2-D2 said "hi" -- twice... snake_case stays, 3 * 4 = 12.'
    )
    out = md(para(text))
    assert out == text + "\n"
    assert "\\" not in out


def test_escape_text_is_minimal() -> None:
    assert escape_text("a_b_c") == "a_b_c"
    assert escape_text("_a") == "\\_a"
    assert escape_text("x|y", table=True) == "x\\|y"
    assert escape_text("x|y") == "x|y"


def test_inline_markup() -> None:
    out = md(
        para(
            "Some ",
            Emph((T("emphasis"),)),
            ", ",
            Strong((T("strong "),)),
            "and ",
            Code("code with ` tick"),
            " and ",
            Link((T("a link"),), "https://example.com/x?a=1&b=2", title='say "hi"'),
            ".",
        )
    )
    h = markdown_html(out)
    assert "<em>emphasis</em>" in h
    assert "<strong>strong</strong> and" in h
    assert "<code>code with ` tick</code>" in h
    assert '<a href="https://example.com/x?a=1&amp;b=2" title="say &quot;hi&quot;">a link</a>' in h


def test_emphasis_that_cannot_flank_falls_back_to_html() -> None:
    out = md(para("x", Strong((T("bold."),)), "y"))
    assert markdown_html(out) == "<p>x<strong>bold.</strong>y</p>\n"


def test_reference_links() -> None:
    out = md(
        para(Link((T("one"),), "https://a.example/"), " ", Link((T("two"),), "https://a.example/")),
        link_style="reference",
    )
    assert out.count("[1]: https://a.example/") == 1
    assert markdown_html(out).count('href="https://a.example/"') == 2


def test_code_block_content_byte_for_byte() -> None:
    code = "def f():\n    return '```'  # ``` inside\n\n\tx = `y`\n"
    out = md(CodeBlock(code, language="python"))
    tokens = MarkdownIt("commonmark").parse(out)
    fence = [t for t in tokens if t.type == "fence"][0]
    assert fence.info == "python"
    assert fence.content == code
    assert out.startswith("````python\n")


def test_code_block_in_list_item_survives() -> None:
    code = "a\n\nb\n"
    out = md(BulletList(((para("item"), CodeBlock(code, "sh")),)))
    page = parse_page(markdown_html(out))
    assert page.pre == [code]


def test_pipe_table_when_representable() -> None:
    t = Table(
        head=(Row((cell("Name"), cell("Value"))),),
        body=(Row((cell("a|b"), Cell((para(Code("x|y")),)))), Row((cell("*c*"), Cell(())))),
        aligns=("left", "right"),
    )
    out = md(t)
    assert out.startswith("| Name | Value |\n| :--- | ---: |")
    page = parse_page(markdown_html(out))
    assert [c for c in page.text if c.strip()] == ["Name", "Value", "a|b", "x|y", "*c*"]


def test_table_with_spans_and_paragraphs_becomes_html() -> None:
    t = Table(
        head=(Row((cell("A", colspan=2),)),),
        body=(
            Row((cell("span", rowspan=2), cell("p1", "p2"))),
            Row((Cell((BulletList(((para("item"),), (para("other"),))),)),)),
        ),
    )
    out = md(t)
    h = markdown_html(out)
    assert '<th colspan="2">A</th>' in h
    assert '<td rowspan="2">span</td>' in h
    assert "<p>p1</p><p>p2</p>" in h
    assert "<li>item</li>" in h and "<li>other</li>" in h


def test_table_without_header_is_html() -> None:
    out = md(Table(head=(), body=(Row((cell("x"), cell("y"))),)))
    assert "<table>" in out and "<td>x</td>" in out


def test_footnotes_and_citations_at_the_end() -> None:
    out = md(
        para("Claim", FootnoteRef("1"), " and ", FootnoteRef("CIT2002", kind="citation"), "."),
        Footnote("1", (para("The note."),)),
        para("After."),
        Footnote("CIT2002", (para("A book."),), kind="citation"),
    )
    assert out.index("After.") < out.index("[^1]: The note.")
    h = markdown_html(out)
    assert 'class="footnote-ref"' in h
    assert "The note." in h and "A book." in h


def test_unreferenced_footnote_keeps_its_words() -> None:
    out = md(para("x"), Footnote("7", (para("orphan words"),)))
    assert "orphan words" in markdown_html(out)


def test_definition_list_renders_dl() -> None:
    dl = DefinitionList(
        (
            DefinitionItem((T("term"),), ((T("classifier"),),), (para("first"), para("second"))),
            DefinitionItem((T("other"),), (), (para("def"),)),
        )
    )
    h = markdown_html(md(dl))
    assert "<dt>term : <em>classifier</em></dt>" in h
    assert "<p>first</p>" in h and "<p>second</p>" in h and "<dt>other</dt>" in h
    hc = markdown_html(md(dl, flavor="commonmark"))
    assert "<dl>" in hc and "<dt>term : <em>classifier</em></dt>" in hc and "first" in hc


def test_line_block_hard_breaks_and_indent() -> None:
    lb = LineBlock((Line((T("one"),)), Line((T("two"),), indent=1), Line(()), Line((T("# three"),))))
    h = markdown_html(md(lb))
    assert "one<br />" in h
    assert "\u00a0\u00a0two" in html.unescape(h)
    assert "<p># three</p>" in h


def test_lists_nested_and_adjacent() -> None:
    out = md(
        BulletList(((para("a"),), (para("b"), BulletList(((para("c"),),))))),
        BulletList(((para("d"),),)),
        OrderedList(((para("x"),), (para("y"),)), start=3),
    )
    h = markdown_html(out)
    assert h.count("<ul>") == 3
    assert '<ol start="3">' in h


def test_heading_anchor_only_when_ids_differ() -> None:
    out = md(
        Heading(1, (T("Same id"),), id="same-id"),
        Heading(1, (T("C++ -- tips"),), id="c-tips"),
    )
    assert "## Same id" in out
    assert '<a id="same-id">' not in out
    assert '<a id="c-tips"></a>\n\n## C++ -- tips' in out
    out2 = md(Heading(1, (T("C++ -- tips"),), id="c-tips"), anchors="attr")
    assert "## C++ -- tips {#c-tips}" in out2


def test_id_algorithms() -> None:
    assert docutils_id("Hello, World!") == "hello-world"
    assert github_id("Hello, World!") == "hello-world"
    assert github_id("a -- b") == "a----b"
    assert hugo_id("Foo_Bar (baz)") == "foo_bar-baz"
    assert kramdown_id("Tabs\tand spaces") == "tabs-and-spaces"


def test_heading_levels_shift_and_cap() -> None:
    out = md(Heading(1, (T("One"),), id="one"), Heading(6, (T("Deep"),), id="deep"))
    assert out.startswith("## One\n")
    assert "###### Deep" in out


def test_admonitions_keep_text_in_every_style() -> None:
    a = Admonition("warning", (para("Mind the gap."),))
    g = md(a)
    assert g.startswith("> [!WARNING]\n> Mind the gap.")
    assert "Mind the gap." in markdown_html(g)
    b = md(a, admonitions="blockquote")
    assert "<strong>Warning</strong>" in markdown_html(b)
    h = markdown_html(md(a, admonitions="html"))
    assert 'class="admonition warning"' in h and "<p>Mind the gap.</p>" in h
    titled = md(Admonition("admonition", (para("body"),), title=(T("Custom title"),)))
    assert "Custom title" in markdown_html(titled)


def test_images_and_figures() -> None:
    out = md(
        ImageBlock(Image("pics/a.png", alt="An [alt]", title="T")),
        ImageBlock(Image("b.png", alt="b", target="https://example.com/")),
        Figure(
            Image("c.png", alt="c"), caption=(T("The "), Emph((T("caption"),))), legend=(para("legend text"),)
        ),
    )
    page = parse_page(markdown_html(out))
    assert page.images == ["pics/a.png", "b.png", "c.png"]
    assert "https://example.com/" in page.links
    assert "The caption" in page.words and "legend text" in page.words
    assert "figcaption" in page.tags
    alt = md(Figure(Image("c.png", alt="c"), caption=(T("cap"),)), figures="markdown")
    assert "*cap*" in alt


def test_comment_cannot_close_early() -> None:
    out = md(Comment("a -- b --> c"))
    assert out.startswith("<!--") and out.count("-->") == 1
    assert "<p>" not in markdown_html(out)


def test_unmapped_directive_and_role_kept_and_reported() -> None:
    ctx = EmitContext()
    d = doc(
        Div((para("inner words"),), name="sidebar-thing"),
        para("x ", Span((T("role text"),), role="weird")),
    )
    out = MarkdownEmitter().emit(d, ctx)
    h = markdown_html(out)
    assert '<div class="sidebar-thing"' in h and "<p>inner words</p>" in h
    assert "role text" in h
    codes = [x.code for x in ctx.diagnostics]
    assert codes.count("unmapped-directive") == 1 and codes.count("unmapped-role") == 1


def test_unknown_directive_source_kept_verbatim() -> None:
    ctx = EmitContext()
    chart = Div(
        (para("Jan, 31 Feb, 29"),),
        name="chart",
        arguments=("bar",),
        options={"title": "Monthly energy (kWh)"},
        text="Jan, 31\nFeb, 29",
    )
    out = MarkdownEmitter().emit(doc(chart), ctx)
    page = parse_page(markdown_html(out))
    assert page.pre == [".. chart:: bar\n   :title: Monthly energy (kWh)\n\n   Jan, 31\n   Feb, 29\n"]
    assert [d.code for d in ctx.diagnostics] == ["unmapped-directive"]


def test_docutils_wrappers_and_title_reference_do_not_warn() -> None:
    ctx = EmitContext()
    d = doc(
        Div((para("classy"),), name="class", classes=("special",)),
        Div((para("boxed"),), name="container"),
        Div((para("one"), para("two")), name="compound"),
        para("Read ", Span((T("Candide"),), role="title-reference"), " again."),
    )
    out = MarkdownEmitter().emit(d, ctx)
    h = markdown_html(out)
    for cls in ("special", "container", "compound"):
        assert re.search(f'<div class="{cls}"[ >]', h)
    assert 'class="class' not in h
    assert "Read <em>Candide</em> again." in h
    assert ctx.diagnostics == []


def test_blank_lines_and_trailing_spaces_in_code_survive() -> None:
    code = "[a]\nx = 1\n\n\n[b]\ny = 2  \n"
    for out in (md(CodeBlock(code, "ini")), md(BulletList(((para("item"), CodeBlock(code)),)))):
        assert parse_page(markdown_html(out)).pre == [code]


def test_docutils_escaped_whitespace_is_removed() -> None:
    out = md(para("10\x00 ", Superscript((T("6"),)), " bytes"))
    assert "10<sup>6</sup> bytes" in out and "\x00" not in out


def test_sized_image_with_target_is_one_link() -> None:
    out = md(para(Image("rack.png", "Rack", width="320px", target="rack-full.png")))
    page = parse_page(markdown_html(out))
    assert page.links == ["rack-full.png"] and page.images == ["rack.png"]


def test_embed_summary_break_target() -> None:
    out = md(Embed("youtube", "dQw4w9WgXcQ"), SummaryBreak(), Target("old-anchor"))
    assert "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in parse_page(markdown_html(out)).links
    assert "<!--more-->" in out
    assert '<a id="old-anchor"></a>' in out


def test_front_matter_and_final_newline() -> None:
    tz = timezone(timedelta(hours=2))
    d = doc(
        para("Body."),
        title="Überschrift: a *title*",
        date=datetime(2013, 9, 7, 9, 17, tzinfo=tz),
        tags=("python", "rst"),
        authors=("Ann",),
        slug="hello",
        aliases=("/x/blog/2013/09/07/Hello/",),
        extra={"series": "intro"},
    )
    out = MarkdownEmitter().emit(d, EmitContext())
    post = frontmatter.loads(out)
    assert post["title"] == "Überschrift: a *title*"
    assert post["date"] == "2013-09-07T09:17:00+02:00"
    assert post["tags"] == ["python", "rst"]
    assert post["aliases"] == ["/x/blog/2013/09/07/Hello/"]
    assert post["series"] == "intro"
    assert out.endswith("Body.\n") and not out.endswith("\n\n")
    assert out == MarkdownEmitter().emit(d, EmitContext())
    assert MarkdownEmitter().output_path(d, EmitContext()) == "hello.md"
    toml = MarkdownEmitter().emit(d, EmitContext(options={"front_matter": "toml"}))
    assert toml.startswith("+++\n") and "date = 2013-09-07T09:17:00+02:00" in toml


def test_words_of_every_block_survive() -> None:
    blocks = [
        Heading(1, (T("Alpha heading"),), id="alpha-heading"),
        para("bravo ", Emph((T("charlie"),))),
        BulletList(((para("delta"),),)),
        Admonition("note", (para("echo"),)),
        Table(head=(Row((cell("foxtrot"),)),), body=(Row((cell("golf"),)),)),
        DefinitionList((DefinitionItem((T("hotel"),), (), (para("india"),)),)),
        LineBlock((Line((T("juliet"),)),)),
    ]
    words = set(re.findall(r"\w+", parse_page(markdown_html(md(*blocks))).words))
    for w in "alpha heading bravo charlie delta echo foxtrot golf hotel india juliet".split():
        assert w in {x.lower() for x in words}


RST_SAMPLE = """\
Section *one*
=============

Some *emphasis*, ``code`` and a `link <https://example.com/>`_ with snake_case.

.. code-block:: python

   print("```")

+-------+-------+
| A     | B     |
+=======+=======+
| span  | x     |
|       +-------+
|       | y     |
+-------+-------+

term
   definition

Footnote here [#]_.

.. [#] The note.
"""


def test_from_real_rst() -> None:
    try:
        from migrate.readers.rst import parse_rst

        result = parse_rst(RST_SAMPLE)
    except Exception as e:  # the reader is developed in parallel
        pytest.skip(f"rST reader not available: {e}")
    if any(isinstance(b, Div) and b.name == "unparsed" for b in result.blocks):
        pytest.skip("rST reader could not parse the sample yet")
    out = render_markdown(Document(meta=Metadata(title="t"), blocks=result.blocks), MarkdownOptions())
    h = markdown_html(out)
    page = parse_page(h)
    assert "emphasis" in page.words and "snake_case" in page.words
    assert "https://example.com/" in page.links
    assert 'print("```")' in page.pre[0]
    assert 'rowspan="2"' in h
    assert "<dt>term</dt>" in h
    assert "The note." in page.words
