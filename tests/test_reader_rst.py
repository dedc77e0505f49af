"""The rST reader: real snippets in, model out.  One test (at least) per construct."""

from __future__ import annotations

import textwrap

import pytest

from migrate.config import Config, MetaDirective
from migrate.model import (
    Abbr,
    Admonition,
    BlockQuote,
    BulletList,
    Code,
    CodeBlock,
    Comment,
    DefinitionList,
    Div,
    Embed,
    Emph,
    FieldList,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    LineBlock,
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
    walk,
)
from migrate.readers.rst import parse_rst


def parse(src: str, **kw):
    return parse_rst(textwrap.dedent(src), "post.rst", **kw)


def blocks(src: str, **kw):
    return parse(src, doctitle=False, **kw).blocks


def only(src: str, **kw):
    bs = blocks(src, **kw)
    assert len(bs) == 1, bs
    return bs[0]


def inlines(src: str):
    b = only(src)
    assert isinstance(b, Paragraph), b
    return b.content


def find(tree, cls):
    return [n for n in walk(tree) if isinstance(n, cls)]


def codes(result):
    return [d.code for d in result.diagnostics]


# ----------------------------------------------------------------------------- structure


def test_title_subtitle_and_sections():
    r = parse(
        """
        =======
        Title
        =======

        Sub
        ===

        Intro.

        First
        -----

        Deep
        ~~~~

        Text.
        """
    )
    assert r.title == (Text("Title"),)
    assert r.subtitle == (Text("Sub"),)
    assert r.blocks[0] == Paragraph((Text("Intro."),))
    assert r.blocks[1] == Heading(1, (Text("First"),), "first")
    assert r.blocks[2] == Heading(2, (Text("Deep"),), "deep")


def test_no_doctitle_keeps_heading():
    r = parse("Title\n=====\n\nText.\n", doctitle=False)
    assert r.title == ()
    assert r.blocks[0] == Heading(1, (Text("Title"),), "title")


def test_paragraph_newlines_become_spaces():
    assert inlines("one\ntwo  three\n") == (Text("one two  three"),)


def test_label_before_section_goes_to_extra_ids():
    bs = blocks(".. _intro:\n\nIntro\n=====\n\nx\n")
    assert bs[0] == Heading(1, (Text("Intro"),), "intro-1", ("intro",)) or bs[0].extra_ids == ("intro",)
    assert "intro" in (bs[0].id, *bs[0].extra_ids)


def test_label_before_paragraph_emits_target():
    bs = blocks(".. _here:\n\nSome text.\n\nSee here_.\n")
    assert bs[0] == Target("here")
    assert bs[1] == Paragraph((Text("Some text."),))
    link = find(bs, Link)[0]
    assert link.target == "#here" and link.kind == "anchor"


def test_inline_target_is_span_with_id():
    (span,) = [i for i in inlines("A _`inline target` here.") if isinstance(i, Span)]
    assert span.id == "inline-target" and span.content == (Text("inline target"),)


def test_literal_blocks_and_highlight():
    bs = blocks(
        """
        Code::

           x = 1

        .. highlight:: ruby

        ::

           puts 1

        >>> 1 + 1
        2
        """
    )
    assert bs[1] == CodeBlock("x = 1")
    assert bs[2] == CodeBlock("puts 1", "ruby")
    assert bs[3] == CodeBlock(">>> 1 + 1\n2", "pycon")


@pytest.mark.parametrize("name", ["code", "code-block", "sourcecode"])
def test_code_directives_keep_options(name):
    b = only(
        f"""
        .. {name}:: python
           :linenos:
           :emphasize-lines: 1,3-4
           :caption: example.py
           :lineno-start: 10

           a = 1
           b = 2
        """
    )
    assert b == CodeBlock("a = 1\nb = 2", "python", True, 10, (1, 3, 4), "example.py")


def test_code_number_lines_and_class():
    b = only(".. code:: c\n   :number-lines: 5\n   :class: big\n\n   int x;\n")
    assert b == CodeBlock("int x;", "c", True, 5, classes=("big",))


def test_block_quote_with_attribution_and_epigraph():
    bq = blocks("Para.\n\n   Quoted.\n\n   -- Someone\n")[1]
    assert bq == BlockQuote((Paragraph((Text("Quoted."),)),), (Text("Someone"),))
    ep = only(".. epigraph::\n\n   Wise words.\n\n   -- Sage\n")
    assert ep.classes == ("epigraph",) and ep.attribution == (Text("Sage"),)
    for name in ("highlights", "pull-quote"):
        assert only(f".. {name}::\n\n   x\n").classes == (name,)


def test_lists():
    bl = only("* a\n* b\n")
    assert bl == BulletList(((Paragraph((Text("a"),)),), (Paragraph((Text("b"),)),)))
    ol = only("3) c\n4) d\n")
    assert isinstance(ol, OrderedList) and (ol.start, ol.style, ol.delimiter) == (3, "arabic", "paren")
    ol = only("(a) x\n(b) y\n")
    assert (ol.style, ol.delimiter) == ("loweralpha", "parens")
    ol = only("iv. x\nv. y\n")
    assert (ol.start, ol.style, ol.delimiter) == (4, "lowerroman", "period")


def test_definition_list_with_classifiers():
    dl = only("term : classifier\n   Definition.\n")
    assert isinstance(dl, DefinitionList)
    item = dl.items[0]
    assert item.term == (Text("term"),)
    assert item.classifiers == ((Text("classifier"),),)
    assert item.definition == (Paragraph((Text("Definition."),)),)


def test_field_list_in_body():
    bs = blocks("Text first.\n\n:field: value\n:other: *x*\n")
    fl = bs[1]
    assert isinstance(fl, FieldList)
    assert fl.items[0].name == (Text("field"),) and fl.items[0].body == (Paragraph((Text("value"),)),)


def test_option_list():
    ol = only("-a         all\n--file=F   a file\n-o FILE, --out FILE  output\n")
    assert isinstance(ol, OptionList)
    assert ol.items[0].options == ("-a",)
    assert ol.items[1].options == ("--file=F",)
    assert ol.items[2].options == ("-o FILE", "--out FILE")


def test_line_block_nesting():
    lb = only("| one\n|    two\n| three\n")
    assert isinstance(lb, LineBlock)
    assert [(line.content, line.indent) for line in lb.lines] == [
        ((Text("one"),), 0),
        ((Text("two"),), 1),
        ((Text("three"),), 0),
    ]


def test_transition_comment_substitution_definition():
    bs = blocks("a\n\n----\n\nb\n\n.. a comment\n   more\n\n.. |x| replace:: y\n")
    assert bs[1] == ThematicBreak()
    assert bs[3] == Comment("a comment\nmore")
    assert len(bs) == 4


@pytest.mark.parametrize("src", [".. TEASER_END\n", ".. more\n", ".. more::\n"])
def test_summary_breaks(src):
    assert blocks("Intro.\n\n" + src + "\nRest.\n")[1] == SummaryBreak()


# ----------------------------------------------------------------------------- tables


def test_grid_table_with_spans():
    t = only(
        """
        +-----+-----+-----+
        | H1  | H2  | H3  |
        +=====+=====+=====+
        | a   | b         |
        +-----+-----+-----+
        | c   | d   | e   |
        +     +-----+-----+
        |     | f   | g   |
        |     |     |     |
        |     | g2  |     |
        +-----+-----+-----+
        """
    )
    assert isinstance(t, Table) and t.kind == "grid"
    assert len(t.head) == 1 and len(t.body) == 3
    assert t.body[0].cells[1].colspan == 2
    assert t.body[1].cells[0].rowspan == 2
    assert t.colwidths == (5, 5, 5)
    # multi-paragraph cells keep their blocks
    assert len(t.body[2].cells[0].blocks) == 2


def test_simple_table_with_colspan():
    t = only(
        """
        =====  =====
        A      B
        =====  =====
        wide cell
        ------------
        1      2
        =====  =====
        """
    )
    assert t.kind == "simple"
    assert t.body[0].cells[0].colspan == 2


def test_table_directive_caption_and_class():
    t = only(
        """
        .. table:: Caption *here*
           :class: wide

           ===  ===
           a    b
           ===  ===
        """
    )
    assert t.caption == (Text("Caption "), Emph((Text("here"),)))
    assert t.kind == "simple" and "wide" in t.classes


def test_csv_table():
    t = only(
        """
        .. csv-table:: Numbers
           :header: "A", "B"
           :widths: 30, 70
           :stub-columns: 1

           1, "two, three"
        """
    )
    assert t.kind == "csv" and t.caption == (Text("Numbers"),)
    assert t.colwidths == (30, 70) and t.stub_columns == 1
    assert t.body[0].cells[1].blocks == (Paragraph((Text("two, three"),)),)


def test_list_table():
    t = only(
        """
        .. list-table::
           :header-rows: 1

           * - A
             - B
           * - one

               two
             - x
        """
    )
    assert t.kind == "list" and len(t.head) == 1
    assert len(t.body[0].cells[0].blocks) == 2


def test_malformed_table_keeps_source_and_reports():
    r = parse("+---+---+\n| a | b\n+---+---+\n", doctitle=False)
    assert any(isinstance(b, CodeBlock) and "| a | b" in b.text for b in r.blocks)
    assert any(d.code == "rst-error" and d.line in (1, 2) for d in r.diagnostics)


# ----------------------------------------------------------------------------- images


def test_image_block_with_target():
    b = only(
        ".. image:: pic.png\n   :alt: A pic\n   :width: 200px\n   :align: center\n   :target: http://x.org\n"
    )
    assert b == ImageBlock(Image("pic.png", "A pic", width="200px", align="center", target="http://x.org"))


def test_figure():
    f = only(".. figure:: f.png\n   :align: right\n\n   The *caption*.\n\n   Legend text.\n")
    assert isinstance(f, Figure)
    assert f.image.src == "f.png" and f.align == "right"
    assert f.caption == (Text("The "), Emph((Text("caption"),)), Text("."))
    assert f.legend == (Paragraph((Text("Legend text."),)),)


def test_substitutions_text_and_image():
    c = inlines(
        """
        A |name| and |logo|.

        .. |name| replace:: *Name*
        .. |logo| image:: logo.png
        """
    )
    assert c == (Text("A "), Emph((Text("Name"),)), Text(" and "), Image("logo.png", "logo"), Text("."))


# ----------------------------------------------------------------------------- admonitions & co


@pytest.mark.parametrize(
    "kind", ["attention", "caution", "danger", "error", "hint", "important", "note", "tip", "warning"]
)
def test_admonitions(kind):
    assert only(f".. {kind}:: Be careful.\n") == Admonition(kind, (Paragraph((Text("Be careful."),)),))


def test_generic_admonition_with_title():
    a = only(".. admonition:: My *title*\n\n   Body.\n")
    assert a == Admonition(
        "admonition", (Paragraph((Text("Body."),)),), (Text("My "), Emph((Text("title"),)))
    )


def test_sphinx_admonitions():
    a = only(".. seealso:: Other page.\n")
    assert a == Admonition("seealso", (Paragraph((Text("Other page."),)),))
    for name in ("versionadded", "versionchanged", "deprecated"):
        a = only(f".. {name}:: 2.1 Some *text*.\n\n   More.\n")
        assert a.kind == name and a.title == (Text("2.1"),)
        assert a.blocks == (
            Paragraph((Text("Some "), Emph((Text("text"),)), Text("."))),
            Paragraph((Text("More."),)),
        )


def test_topic_sidebar_rubric():
    t = only(".. topic:: T\n\n   body\n")
    assert t == Topic("topic", (Text("T"),), (Paragraph((Text("body"),)),))
    s = only(".. sidebar:: Side\n   :subtitle: Sub\n\n   body\n")
    assert s.kind == "sidebar" and s.subtitle == (Text("Sub"),)
    assert only(".. rubric:: Rub\n") == Rubric((Text("Rub"),))


def test_contents_topic_is_generated():
    bs = blocks(".. contents:: Table\n\nOne\n===\n\nTwo\n===\n")
    toc = bs[0]
    assert isinstance(toc, Topic) and toc.kind == "contents" and toc.title == (Text("Table"),)
    links = find(toc.blocks, Link)
    assert [(link.target, link.kind) for link in links] == [("#one", "anchor"), ("#two", "anchor")]


def test_compound_container_and_class():
    c = only(".. container:: box\n\n   Inside.\n")
    assert c == Div((Paragraph((Text("Inside."),)),), name="container", classes=("box",))
    assert only(".. compound::\n\n   a\n").name == "compound"
    bs = blocks(".. class:: special\n\nA paragraph.\n\n.. class:: hl\n\n::\n\n   code\n")
    assert bs[0] == Div((Paragraph((Text("A paragraph."),)),), name="class", classes=("special",))
    assert bs[1] == CodeBlock("code", classes=("hl",))


def test_math():
    assert inlines(r"Euler :math:`e^{i\pi}`.") == (Text("Euler "), Math(r"e^{i\pi}"), Text("."))
    bs = blocks(".. math::\n   :name: eq1\n\n   a^2\n")
    assert MathBlock("a^2", "eq1") in bs


# ----------------------------------------------------------------------------- raw / include


def test_raw_disabled_keeps_source_and_says_how():
    r = parse("Intro.\n\n.. raw:: html\n\n   <b>x</b>\n", doctitle=False)
    assert r.blocks[1] == Div((), name="raw", arguments=("html",), text="<b>x</b>")
    (d,) = [d for d in r.diagnostics if d.code == "raw-disabled"]
    assert d.line == 3 and "line 3" in d.message and "raw = true" in d.message


def test_raw_enabled():
    src = ".. raw:: html\n\n   <b>x</b>\n\n.. role:: html(raw)\n   :format: html\n\nA :html:`<i>`.\n"
    r = parse_rst(src, "post.rst", Config(raw=True))
    assert r.blocks[0] == RawBlock("html", "<b>x</b>")
    assert RawInline("html", "<i>") in find(r.blocks, RawInline)


def test_raw_role_disabled_keeps_text():
    r = parse(".. role:: html(raw)\n   :format: html\n\nA :html:`<i>`.\n", doctitle=False)
    assert "<i>" in "".join(t.text for t in find(r.blocks, Text))
    assert any("raw = true" in d.message for d in r.diagnostics)


def parse_cfg(src, **cfg):
    return parse_rst(textwrap.dedent(src), "post.rst", Config(**cfg), doctitle=False)


def test_include_disabled_and_enabled(tmp_path):
    (tmp_path / "part.rst").write_text("Included *text*.\n")
    src = "Before.\n\n.. include:: part.rst\n"
    r = parse_rst(src, str(tmp_path / "post.rst"))
    assert r.blocks[1] == Div((), name="include", arguments=("part.rst",))
    (d,) = [d for d in r.diagnostics if d.code == "file-insertion-disabled"]
    assert d.line == 3 and "file_insertion = true" in d.message
    r = parse_rst(src, str(tmp_path / "post.rst"), Config(file_insertion=True))
    assert r.blocks[1] == Paragraph((Text("Included "), Emph((Text("text"),)), Text(".")))


def test_csv_table_file_disabled(tmp_path):
    (tmp_path / "d.csv").write_text("1,2\n")
    src = ".. csv-table:: T\n   :file: d.csv\n"
    r = parse_rst(src, str(tmp_path / "post.rst"))
    assert r.blocks[0].name == "csv-table"
    assert [d.line for d in r.diagnostics if d.code == "file-insertion-disabled"] == [1]
    r = parse_rst(src, str(tmp_path / "post.rst"), Config(file_insertion=True))
    assert isinstance(r.blocks[0], Table) and r.blocks[0].kind == "csv"


def test_listing_disabled_and_enabled(tmp_path):
    (tmp_path / "listings").mkdir()
    (tmp_path / "listings" / "hello.py").write_text("print('hi')\n")
    src = ".. listing:: hello.py python\n"
    r = parse_rst(src, str(tmp_path / "post.rst"))
    assert r.blocks[0].name == "listing" and "file-insertion-disabled" in codes(r)
    r = parse_rst(src, str(tmp_path / "post.rst"), Config(file_insertion=True))
    assert r.blocks[0] == CodeBlock("print('hi')", "python", caption="hello.py")


# ----------------------------------------------------------------------------- footnotes


def test_footnote_kinds_labels_match():
    r = parse(
        """
        Auto [#]_, named [#note]_, symbol [*]_, manual [3]_, citation [CIT2002]_.

        .. [#] Auto body.
        .. [#note] Named body.
        .. [*] Symbol body.
        .. [3] Manual body.
        .. [CIT2002] Citation body.
        """,
        doctitle=False,
    )
    refs = find(r.blocks, FootnoteRef)
    notes = find(r.blocks, Footnote)
    assert [ref.label for ref in refs] == ["1", "note", "*", "3", "CIT2002"]
    assert [(n.label, n.kind) for n in notes] == [
        ("1", "footnote"),
        ("note", "footnote"),
        ("*", "footnote"),
        ("3", "footnote"),
        ("CIT2002", "citation"),
    ]
    assert refs[-1].kind == "citation"
    assert notes[0].blocks == (Paragraph((Text("Auto body."),)),)


# ----------------------------------------------------------------------------- references


def test_link_kinds():
    c = inlines(
        """
        `Anon`__, `Embedded <http://e.org>`_, Named_, http://standalone.org,
        me@example.com, and `Indirect`_.

        __ http://anon.org
        .. _Named: http://named.org
        .. _Indirect: Named_
        """
    )
    links = {
        plain: (link.target, link.kind)
        for link in c
        if isinstance(link, Link)
        for plain in [link.content[0].text]
    }
    assert links["Anon"] == ("http://anon.org", "url")
    assert links["Embedded"] == ("http://e.org", "url")
    assert links["Named"] == ("http://named.org", "url")
    assert links["http://standalone.org"] == ("http://standalone.org", "url")
    assert links["me@example.com"] == ("mailto:me@example.com", "email")
    assert links["Indirect"] == ("http://named.org", "url")


def test_embedded_reference_to_internal_target():
    bs = blocks("See `the section <sect_>`_.\n\n.. _sect:\n\nThere.\n")
    (link,) = find(bs, Link)
    assert (link.target, link.kind) == ("#sect", "anchor")


def test_unresolved_reference_keeps_text_and_warns():
    r = parse("A missing_ link.\n", doctitle=False)
    assert r.blocks[0] == Paragraph((Text("A missing_ link."),))
    (d,) = r.diagnostics
    assert d.severity == "warning" and d.code == "unresolved-reference" and d.line == 1


def test_pep_rfc_links():
    links = [i for i in inlines(":pep:`8` and :rfc:`2822`") if isinstance(i, Link)]
    assert "pep-0008" in links[0].target and "rfc2822" in links[1].target


# ----------------------------------------------------------------------------- inline roles


def test_basic_inlines():
    c = inlines("*e* **s** ``lit`` H\\ :sub:`2`\\ O x\\ :sup:`2` :code:`print(1)` :code:`x`")
    assert Emph((Text("e"),)) in c and Strong((Text("s"),)) in c
    assert Code("lit") in c
    assert Subscript((Text("2"),)) in c and Superscript((Text("2"),)) in c
    assert Code("print(1)", "", "code") in c


def test_code_role_with_language():
    bs = blocks(".. role:: py(code)\n   :language: python\n\nA :py:`x = 1`.\n")
    assert Code("x = 1", "python", "code") in find(bs, Code)


def test_abbreviations_and_title_reference():
    c = inlines(
        ":abbr:`LIFO (last-in, first-out)` :abbreviation:`ABC` :acronym:`NATO` `Dune` :title-reference:`It`"
    )
    assert Abbr((Text("LIFO"),), "last-in, first-out") in c
    assert Abbr((Text("ABC"),)) in c and Abbr((Text("NATO"),)) in c
    assert Span((Text("Dune"),), role="title-reference") in c
    assert Span((Text("It"),), role="title-reference") in c


@pytest.mark.parametrize("role", ["kbd", "file", "samp", "command", "program"])
def test_code_like_roles(role):
    assert inlines(f":{role}:`some text`") == (Code("some text", role=role),)


def test_sphinx_link_roles():
    c = inlines(":doc:`other` :doc:`Title <dir/other>` :ref:`label` :ref:`Text <label>` :download:`f.zip`")
    links = [i for i in c if isinstance(i, Link)]
    assert links[0] == Link((Text("other"),), "other", kind="doc")
    assert links[1] == Link((Text("Title"),), "dir/other", kind="doc")
    assert links[2] == Link((Text("label"),), "label", kind="ref")
    assert links[3] == Link((Text("Text"),), "label", kind="ref")
    assert links[4] == Link((Text("f.zip"),), "f.zip", kind="file")


def test_sphinx_span_roles():
    c = inlines(":term:`Glossary` :guilabel:`&Cancel` :menuselection:`File --> Open`")
    assert Span((Text("Glossary"),), role="term") in c
    assert Span((Text("&Cancel"),), role="guilabel") in c
    assert Span((Text("File --> Open"),), role="menuselection") in c


def test_sphinx_domain_roles_are_code():
    c = inlines(":py:func:`os.path.join` :confval:`timeout` :rst:dir:`code-block` :class:`~a.B`")
    assert Code("os.path.join", role="py:func") in c
    assert Code("timeout", role="confval") in c
    assert Code("code-block", role="rst:dir") in c
    assert Code("B", role="class") in c
    c = inlines(":py:func:`join <os.path.join>`")
    assert c == (Span((Code("join", role="py:func"),), role="py:func", attrs={"target": "os.path.join"}),)


def test_unknown_role_kept_and_warned():
    r = parse("Line one.\n\nSee :issue:`42` here.\n", doctitle=False)
    assert Span((Text("42"),), role="issue") in r.blocks[1].content
    (d,) = r.diagnostics
    assert (d.code, d.line, d.severity) == ("unknown-role", 3, "warning")


def test_custom_role_is_span_with_class():
    c = blocks(".. role:: red\n\nA :red:`warning`.\n")[0].content
    assert Span((Text("warning"),), classes=("red",)) in c


# ----------------------------------------------------------------------------- blog directives


def test_unknown_directive_kept_and_warned():
    r = parse(
        """
        Intro.

        .. chart:: Bar
           :title: Browsers
           :flag:

           Some *content*.
        """,
        doctitle=False,
    )
    div = r.blocks[1]
    assert div == Div(
        (Paragraph((Text("Some "), Emph((Text("content"),)), Text("."))),),
        name="chart",
        arguments=("Bar",),
        options={"title": "Browsers", "flag": ""},
        text="Some *content*.",
    )
    (d,) = r.diagnostics
    assert (d.code, d.line) == ("unknown-directive", 4)
    assert "'chart'" in d.message


@pytest.mark.parametrize("name", ["thumbnail", "media", "post-list", "doc"])
def test_other_blog_directives_are_generic(name):
    r = parse(f".. {name}:: arg\n", doctitle=False)
    assert r.blocks[0].name == name and codes(r) == ["unknown-directive"]


def test_youtube_vimeo_gist():
    bs = blocks(
        """
        .. youtube:: dQw4w9WgXcQ
           :width: 640
           :height: 480
           :align: center

        .. vimeo:: 12345

        .. gist:: https://gist.github.com/user/abc123

        .. gist:: abc456
        """
    )
    assert bs[0] == Embed("youtube", "dQw4w9WgXcQ", {"width": "640", "height": "480", "align": "center"})
    assert bs[1] == Embed("vimeo", "12345", {})
    assert bs[2] == Embed("gist", "user/abc123", {"url": "https://gist.github.com/user/abc123"})
    assert bs[3] == Embed("gist", "abc456", {})


def test_failed_directive_keeps_source():
    r = parse(".. image::\n\nafter\n", doctitle=False)
    assert r.blocks[0].name == "image" and ".. image::" in r.blocks[0].text
    assert r.diagnostics and r.diagnostics[0].line == 1


# ----------------------------------------------------------------------------- metadata


def test_docinfo_pelican():
    r = parse(
        """
        My post
        #######

        :date: 2010-10-03 10:20
        :modified: 2010-10-04
        :tags: thats, awesome
        :category: yeah
        :slug: my-super-post
        :author: Alexis
        :authors: Alexis Metaireau; Conan Doyle
        :summary: Short version for *index* and
           feeds
        :status: draft
        :custom: anything

        Body.
        """
    )
    assert r.title == (Text("My post"),)
    (hit,) = r.meta
    assert hit.dialect == "pelican" and hit.line == 5
    assert hit.fields == {
        "date": "2010-10-03 10:20",
        "modified": "2010-10-04",
        "tags": "thats, awesome",
        "category": "yeah",
        "slug": "my-super-post",
        "author": "Alexis",
        "authors": "Alexis Metaireau, Conan Doyle",
        "summary": "Short version for index and feeds",
        "status": "draft",
        "custom": "anything",
    }
    assert r.blocks == (Paragraph((Text("Body."),)),)


def test_tinkerer_meta():
    r = parse(
        """
        Post
        ====

        .. author:: default
        .. categories:: a, b
        .. tags:: x, y
        .. comments::

        Body.
        """
    )
    assert [(h.dialect, h.fields, h.line) for h in r.meta] == [
        ("tinkerer", {"author": "default"}, 5),
        ("tinkerer", {"categories": "a, b"}, 6),
        ("tinkerer", {"tags": "x, y"}, 7),
        ("tinkerer", {"comments": True}, 8),
    ]
    assert r.blocks == (Paragraph((Text("Body."),)),)
    assert r.diagnostics == ()


def test_ablog_post():
    r = parse(
        """
        .. post:: Apr 15, 2014
           :tags: earth, love
           :category: Ideas
           :author: me
           :location: World
           :language: en
           :redirect: old/url
           :excerpt: 2
           :image: 1
           :nocomments:
           :whatever: kept

        Title
        =====
        """
    )
    (hit,) = r.meta
    assert hit.dialect == "ablog" and hit.line == 2
    assert hit.fields == {
        "date": "Apr 15, 2014",
        "tags": "earth, love",
        "category": "Ideas",
        "author": "me",
        "location": "World",
        "language": "en",
        "redirect": "old/url",
        "excerpt": "2",
        "image": "1",
        "nocomments": True,
        "whatever": "kept",
    }


def test_docutils_meta():
    r = parse("Text.\n\n.. meta::\n   :description: The post\n   :keywords: a, b\n", doctitle=False)
    (hit,) = r.meta
    assert hit == type(hit)("docutils-meta", {"description": "The post", "keywords": "a, b"}, 3)
    assert r.blocks == (Paragraph((Text("Text."),)),)


def test_user_taught_meta_directive():
    cfg = Config(
        meta_directives=(
            MetaDirective(name="rstblog-settings", dialect="rstblog", fields={"url": "aliases"}),
            MetaDirective(name="pubinfo", argument="date"),
        )
    )
    src = ".. rstblog-settings::\n   :title: T\n   :url: /old/\n\n.. pubinfo:: 2020-01-01\n   :by: me\n\nBody.\n"
    r = parse_rst(src, "p.rst", cfg)
    assert [(h.dialect, h.fields, h.line) for h in r.meta] == [
        ("rstblog", {"title": "T", "aliases": "/old/"}, 1),
        ("pubinfo", {"by": "me", "date": "2020-01-01"}, 5),
    ]
    assert r.blocks == (Paragraph((Text("Body."),)),)
    # without the configuration the same directive is an unknown (kept) one
    r = parse_rst(src, "p.rst")
    assert r.blocks[0].name == "rstblog-settings" and "unknown-directive" in codes(r)


# ----------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "src,line",
    [
        ("+---+\n| a\n+---+\n", 2),  # malformed table (docutils points at the bad row)
        ("Para.\n\n  Bad\n indentation.\n", 4),
        ("Text :nosuchthing:`x`.\n\n*unclosed\n", 3),
        ("Title\n====\n", 2),  # short underline
        (".. code:: python\n   :bad-number-lines: x\n   :number-lines: abc\n\n   x\n", 1),
    ],
)
def test_system_messages_become_diagnostics(src, line):
    r = parse(src, doctitle=False)
    assert r.blocks
    assert any(d.line == line and d.path == "post.rst" for d in r.diagnostics), r.diagnostics


def test_never_raises_on_garbage():
    for src in ["", "\x00\x01", "`", "..", ".. |x|", "[#]_", "__", ".. _:", "+-+\n|", "*" * 5000, "\t\t..::"]:
        r = parse_rst(src)
        assert isinstance(r.blocks, tuple)


def test_results_are_hashable_models():
    r = parse("A *b* c.\n")
    assert r.blocks == parse("A *b* c.\n").blocks


def test_pooled_list_parsers_start_clean_for_every_list():
    """Enumerated lists of different styles, nested and one after another: each keeps its own
    numbering and style although the reader reuses docutils' list state machines."""
    text = (
        "#. auto one\n#. auto two\n\n"
        "3. three\n4. four\n\n"
        "a) letter a\n\n   i. roman one\n   ii. roman two\n\nb) letter b\n\n"
        "(1) paren one\n(2) paren two\n"
    )
    doc = blocks(text)
    lists = [b for b in doc if isinstance(b, OrderedList)]
    assert [(b.start, b.style, b.delimiter, len(b.items)) for b in lists] == [
        (1, "arabic", "period", 2),
        (3, "arabic", "period", 2),
        (1, "loweralpha", "paren", 2),
        (1, "arabic", "parens", 2),
    ]
    nested = [b for b in lists[2].items[0] if isinstance(b, OrderedList)]
    assert [(b.style, len(b.items)) for b in nested] == [("lowerroman", 2)]
    assert blocks(text) == doc


def test_a_parsed_post_is_freed_by_a_young_collection(monkeypatch):
    """Nothing long-lived (docutils' cached state machines, our pool) keeps a post's doctree:
    the batch frees each post with one young-generation collection (gcpolicy.py)."""
    import gc
    import weakref

    import migrate.readers.rst as rst

    made: list[weakref.ref] = []
    real = rst.publish_doctree

    def spy(*args, **kwargs):
        document = real(*args, **kwargs)
        made.append(weakref.ref(document))
        return document

    monkeypatch.setattr(rst, "publish_doctree", spy)
    text = "Title\n=====\n\n- a\n- b\n\n  1. nested\n  2. list\n\n.. note:: body\n\n   :field: value\n"
    parse(text)  # warm up pools and caches
    was = gc.isenabled()
    gc.disable()
    try:
        gc.collect()
        for _ in range(3):
            parse(text)
        gc.collect(0)
        assert [r() for r in made[1:]] == [None, None, None]
    finally:
        if was:
            gc.enable()
