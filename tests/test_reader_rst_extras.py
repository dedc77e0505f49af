"""rST reader: plugin hook, crash safety, and less common constructs."""

from __future__ import annotations

import sys
import textwrap
from datetime import datetime, timezone
from pathlib import Path

import pytest
from docutils import nodes
from docutils.parsers.rst import Directive

import migrate.readers.rst as rst_module
from migrate.model import (
    Abbr,
    Code,
    CodeBlock,
    Div,
    Embed,
    FieldList,
    Figure,
    Heading,
    Image,
    ImageBlock,
    LineBreak,
    Link,
    OptionList,
    Paragraph,
    Span,
    Strong,
    Subscript,
    Superscript,
    Target,
    Text,
    plain_text,
    walk,
)
from migrate.readers.directives import (
    PLUGIN_GROUP,
    MetaDirectiveBase,
    load_plugins,
    migrate_node,
    register_directive,
    register_role,
)
from migrate.readers.rst import parse_rst
from migrate.reading import read

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]


def blocks(src: str):
    return parse_rst(textwrap.dedent(src), "post.rst", doctitle=False).blocks


class _Chart(Directive):
    required_arguments = 1
    has_content = True

    def run(self):
        return [migrate_node(Embed("chart", self.arguments[0], {"data": "\n".join(self.content)}))]


def _issue_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [migrate_node(Link((Text("#" + text),), f"https://tracker/{text}"))], []


def _plain_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.strong(rawtext, text)], []


def test_plugin_directive_and_role_pass_model_through():
    register_directive("plugin-chart", _Chart)
    register_role("plugin-issue", _issue_role)
    register_role("plugin-strong", _plain_role)
    r = parse_rst(".. plugin-chart:: bar\n\n   1 2 3\n\nSee :plugin-issue:`7` :plugin-strong:`x`.\n")
    assert r.blocks[0] == Embed("chart", "bar", {"data": "1 2 3"})
    assert Link((Text("#7"),), "https://tracker/7") in r.blocks[1].content
    assert r.diagnostics == ()


def test_plugin_overrides_builtin_name():
    class Loud(Directive):
        has_content = True

        def run(self):
            return [migrate_node(Div((), name="loud", text="\n".join(self.content)))]

    register_directive("plugin-youtube-override", Loud)
    assert blocks(".. plugin-youtube-override::\n\n   hi\n") == (Div((), name="loud", text="hi"),)


def test_docutils_crash_becomes_diagnostic(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(rst_module, "publish_doctree", boom)
    r = parse_rst("Some text.\n", "x.rst")
    assert r.blocks == (Div((), name="unparsed", text="Some text.\n"),)
    assert r.diagnostics[0].code == "rst-crash" and r.diagnostics[0].severity == "error"


def test_walker_bug_on_one_node_keeps_the_rest(monkeypatch):
    def bad(self, node, level):
        raise ValueError("nope")

    monkeypatch.setattr(rst_module.Walker, "_b_bullet_list", bad)
    r = parse_rst("Before.\n\n* item\n\nAfter.\n")
    assert r.blocks[0] == Paragraph((Text("Before."),))
    assert r.blocks[1] == Div((), name="bullet_list", text="item")
    assert r.blocks[2] == Paragraph((Text("After."),))
    assert [d.code for d in r.diagnostics] == ["rst-walk"]


def test_code_block_without_language_uses_highlight_default():
    bs = blocks(".. highlight:: rust\n\n.. code-block::\n\n   fn main() {}\n\n.. code::\n\n   plain\n")
    assert bs == (CodeBlock("fn main() {}", "rust"), CodeBlock("plain"))


def test_code_block_name_gives_target():
    bs = blocks(".. code-block:: python\n   :name: snippet\n\n   x\n\nSee snippet_.\n")
    assert bs[0] == Target("snippet") and bs[1] == CodeBlock("x", "python")
    assert Link((Text("snippet"),), "#snippet", kind="anchor") in bs[2].content


def test_parsed_literal_keeps_links():
    (div,) = blocks(".. parsed-literal::\n\n   see `x <http://x>`_\n   next\n")
    assert div.name == "parsed-literal" and div.text == "see x\nnext"
    assert div.blocks[0].content == (
        Text("see "),
        Link((Text("x"),), "http://x"),
        LineBreak(),
        Text("next"),
    )


def test_class_on_section_and_figure_with_target():
    bs = blocks(
        ".. class:: special\n\nHead\n====\n\n.. figure:: a.png\n   :target: http://t\n   :figclass: wide\n\n   Cap.\n"
    )
    assert bs[0] == Div((Heading(1, (Text("Head"),), "head"),), name="class", classes=("special",))
    fig = bs[1]
    assert isinstance(fig, Div) and fig.classes == ("wide",)
    assert isinstance(fig.blocks[0], Figure) and fig.blocks[0].image.target == "http://t"


def test_image_in_substitution_with_target_and_block_class():
    bs = blocks(
        "|logo|\n\n.. |logo| image:: l.png\n   :target: http://home\n\n.. image:: b.png\n   :class: round\n"
    )
    assert bs[0] == Paragraph((Image("l.png", "logo", target="http://home"),))
    assert bs[1] == ImageBlock(Image("b.png", classes=("round",)))


def test_header_footer_and_sectnum():
    bs = blocks(".. header:: Top\n\n.. sectnum::\n\nOne\n===\n")
    assert Div((Paragraph((Text("Top"),)),), name="header") in bs
    (h,) = [b for b in bs if isinstance(b, Heading)]
    assert isinstance(h.content[0], Span) and h.content[0].role == "generated"


def test_gist_js_and_youtube_url():
    bs = blocks(
        ".. gist:: https://gist.github.com/u/1234.js\n\n.. youtube:: https://www.youtube.com/watch?v=abc_D\n"
    )
    assert bs[0] == Embed("gist", "u/1234", {"url": "https://gist.github.com/u/1234.js"})
    assert bs[1] == Embed("youtube", "abc_D", {"url": "https://www.youtube.com/watch?v=abc_D"})


def test_unknown_directive_inside_list_and_substitution_text_role():
    r = parse_rst("* .. fancy:: x\n\n     inner\n\n.. |k| replace:: :kbd:`C-c`\n\nPress |k|.\n")
    assert r.blocks[0].items[0][0].name == "fancy"
    assert [d.line for d in r.diagnostics] == [1]
    assert r.blocks[1].content[1].role == "kbd"


def test_pelican_linenos_values():
    (b,) = blocks(".. sourcecode:: python\n   :linenos: table\n\n   x\n")
    assert b.line_numbers
    (b,) = blocks(".. sourcecode:: python\n   :linenos: none\n\n   x\n")
    assert not b.line_numbers


# ----------------------------------------------------------------------------- entry-point plugins

PLUGIN_SRC = Path(__file__).resolve().parent / "plugins" / "migrate_extra_directives"


def _fake_install(site: Path, name: str, entry_points: dict[str, str]) -> None:
    """What ``pip install`` leaves behind for importlib.metadata: a dist-info folder."""
    dist = site / f"{name.replace('-', '_')}-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    lines = "".join(f"{k} = {v}\n" for k, v in entry_points.items())
    (dist / "entry_points.txt").write_text(f"[{PLUGIN_GROUP}]\n{lines}")


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """The example plugin 'installed' without touching the environment: its package folder
    and a dist-info carrying the entry points declared in its own pyproject.toml."""
    project = tomllib.loads((PLUGIN_SRC / "pyproject.toml").read_text())["project"]
    _fake_install(tmp_path, project["name"], project["entry-points"][PLUGIN_GROUP])
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGIN_SRC))
    assert load_plugins(refresh=True) == ()
    yield tmp_path
    monkeypatch.undo()
    sys.modules.pop("migrate_extra_directives", None)
    load_plugins(refresh=True)


def test_entry_point_plugin_maps_a_real_post(installed_plugin, corpus):
    post = corpus / "nikola" / "nikola-py27-py3x-survey-results-and-the-future-of-python-27.rst"
    doc = read(post)
    charts = [b for b in walk(doc.blocks) if isinstance(b, Embed)]
    assert [(c.kind, c.id, c.attrs["title"]) for c in charts] == [
        ("chart", "Pie", "'Python 2 and 3 users'"),
        ("chart", "Bar", "'Operating systems used by survey participants'"),
        ("chart", "Pie", "'Python 3 interpreter usage'"),
    ]
    assert charts[0].attrs["style"] == "CleanStyle"
    assert charts[0].attrs["data"].splitlines() == [
        "'Python 2 only',  46",
        "'Python 3 only',  73",
        "'Python 2 and 3', 19",
    ]
    assert not [d for d in doc.diagnostics if d.code in ("unknown-directive", "plugin-error")]


def test_entry_point_plugin_role_on_a_real_post(installed_plugin, corpus):
    doc = read(corpus / "ablog" / "ablog-v0.2-released.rst")
    links = [n for n in walk(doc.blocks) if isinstance(n, Link) and "/issues/" in n.target]
    assert [(plain_text(link.content), link.target) for link in links] == [
        ("#12", "https://github.com/sunpy/ablog/issues/12"),
        ("#13", "https://github.com/sunpy/ablog/issues/13"),
    ]
    assert "unknown-role" not in [d.code for d in doc.diagnostics]


def test_without_the_plugin_the_same_posts_keep_div_and_span_and_warn(corpus):
    load_plugins(refresh=True)
    doc = read(corpus / "nikola" / "nikola-py27-py3x-survey-results-and-the-future-of-python-27.rst")
    divs = [b for b in walk(doc.blocks) if isinstance(b, Div) and b.name == "chart"]
    assert [d.arguments for d in divs] == [("Pie",), ("Bar",), ("Pie",)]
    assert divs[0].options == {"title": "'Python 2 and 3 users'", "style": "CleanStyle"}
    assert [d.line for d in doc.diagnostics if d.code == "unknown-directive"] == [18, 33, 55]
    doc = read(corpus / "ablog" / "ablog-v0.2-released.rst")
    spans = [n for n in walk(doc.blocks) if isinstance(n, Span) and n.role == "issue"]
    assert [plain_text(s.content) for s in spans] == ["12", "13"]
    assert [d.line for d in doc.diagnostics if d.code == "unknown-role"] == [35, 41]


def test_broken_plugin_is_reported_not_fatal(tmp_path, monkeypatch):
    (tmp_path / "broken_plugin.py").write_text("def register(registry):\n    registry.directive('x', 42)\n")
    _fake_install(
        tmp_path, "broken-plugin", {"broken": "broken_plugin:register", "gone": "no_such_mod:register"}
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        errors = load_plugins(refresh=True)
        assert len(errors) == 2 and "not a docutils Directive" in errors[0] and "no_such_mod" in errors[1]
        r = parse_rst(".. x::\n\nText.\n", "post.rst")
        assert [d.code for d in r.diagnostics].count("plugin-error") == 2
        assert r.blocks[0] == Div((), name="x")  # nothing half-registered
    finally:
        monkeypatch.undo()
        sys.modules.pop("broken_plugin", None)
        load_plugins(refresh=True)


# ----------------------------------------------------------------------------- title promotion


def title_and_blocks(src: str, **kw):
    r = parse_rst(textwrap.dedent(src), "post.rst", **kw)
    return plain_text(r.title), r.blocks, r


@pytest.mark.parametrize(
    "before",
    [
        ".. post:: 2016-05-15\n   :tags: a, b\n",  # ABlog
        ".. author:: Me\n.. tags:: a\n",  # Tinkerer (usually at the end, but anywhere works)
        ":blogpost: true\n:date: May 15, 2016\n",  # ABlog / Sphinx file-wide field list
        ".. highlight:: python\n",  # Sphinx default language
        ".. _top:\n",  # a label
        ".. a comment\n",
    ],
)
def test_title_promoted_past_what_precedes_it(before):
    title, bs, r = title_and_blocks(before + "\nThe Title\n=========\n\nBody.\n\nSub\n---\n\nMore.\n")
    assert title == "The Title"
    assert [b for b in bs if isinstance(b, Heading)] == [Heading(1, (Text("Sub"),), "sub")]
    assert Paragraph((Text("Body."),)) in bs


def test_metadata_directives_leave_no_body_node():
    _, bs, r = title_and_blocks(".. post:: 2016-05-15\n\nT\n=\n\nx\n\n.. author:: Me\n.. categories:: c\n")
    assert bs == (Paragraph((Text("x"),)),)
    assert [h.dialect for h in r.meta] == ["ablog", "tinkerer", "tinkerer"]


def test_several_top_level_sections_first_is_the_title():
    """Sphinx (ABlog, Tinkerer) takes the first section title as the page title even
    when docutils would not promote it (siblings at the same level)."""
    title, bs, r = title_and_blocks(
        ".. post:: May 15, 2016\n\nFirst\n=====\n\nIntro, see First_.\n\nSecond\n======\n\nMore.\n"
    )
    assert title == "First"
    assert bs == (
        Target("first"),  # referenced from the body: the anchor is kept
        Paragraph((Text("Intro, see "), Link((Text("First"),), "#first", kind="anchor"), Text("."))),
        Heading(1, (Text("Second"),), "second"),
        Paragraph((Text("More."),)),
    )
    assert [(d.code, d.line) for d in r.diagnostics] == [("title-from-first-section", 3)]


def test_no_promotion_when_content_comes_first_or_doctitle_is_off():
    title, bs, _ = title_and_blocks("Intro.\n\nA\n=\n\nB\n=\n")
    assert title == "" and len([b for b in bs if isinstance(b, Heading)]) == 2
    title, bs, _ = title_and_blocks(".. post:: 2016-05-15\n\nA\n=\n\nB\n=\n", doctitle=False)
    assert title == "" and bs[0] == Heading(1, (Text("A"),), "a")


def test_sample_post_with_post_directive_before_title(tmp_path):
    doc = read(Path(__file__).resolve().parents[1] / "samples" / "sphinx-notes.rst")
    assert doc.meta.title == "Keeping Homelab Notes in Sphinx"
    assert "no-title" not in [d.code for d in doc.diagnostics]
    assert doc.source.dialect == "ablog" and doc.meta.tags == ("sphinx", "documentation")
    headings = [plain_text(b.content) for b in walk(doc.blocks) if isinstance(b, Heading)]
    assert headings[0] == "Linking notes to posts" and doc.meta.title not in headings


# ----------------------------------------------------------------------------- construct audit


def test_image_keeps_every_option():
    bs = blocks(
        """
        .. image:: a.png
           :alt: Alt text
           :height: 100px
           :width: 50%
           :scale: 50 %
           :align: center
           :target: http://x.org
           :class: c1
           :name: img1
           :loading: lazy
        """
    )
    assert bs == (
        Target("img1"),
        ImageBlock(
            Image(
                "a.png",
                "Alt text",
                width="50%",
                height="100px",
                align="center",
                target="http://x.org",
                classes=("c1",),
                attrs={"scale": "50", "loading": "lazy"},
            )
        ),
    )


def test_figure_keeps_every_option():
    (div,) = blocks(
        """
        .. figure:: f.png
           :figwidth: 60%
           :figclass: wide
           :align: left
           :name: fig1
           :width: 200px
           :alt: A figure

           The caption.

           The legend.
        """
    )
    assert div.name == "class" and div.classes == ("wide",)
    (fig,) = div.blocks
    assert fig == Figure(
        Image("f.png", "A figure", width="200px"),
        (Text("The caption."),),
        (Paragraph((Text("The legend."),)),),
        align="left",
        id="fig1",
        width="60%",
    )


def test_option_strings_keep_their_delimiter():
    """``--port=PORT`` and ``-p PORT`` stay exactly as written (no ``--port==PORT``)."""
    doc = read(Path(__file__).resolve().parents[1] / "samples" / "20130917-vlan-notes.rst")
    (ol,) = [b for b in walk(doc.blocks) if isinstance(b, OptionList)]
    assert [i.options for i in ol.items] == [
        ("-p PORT", "--port=PORT"),
        ("-t", "--tagged"),
        ("-u VLAN",),
        ("--save",),
    ]
    (ol,) = blocks("-f FILE, --file=FILE, /V, --opt=<x y>  desc\n")
    assert ol.items[0].options == ("-f FILE", "--file=FILE", "/V", "--opt=<x y>")


def test_anonymous_embedded_and_standalone_links():
    (p,) = blocks(
        "`a <http://a.org>`__ and `b`__ and <http://c.org> and http://d.org/x?y=1.\n\n__ http://b.org\n"
    )
    links = [(plain_text(i.content), i.target) for i in p.content if isinstance(i, Link)]
    assert links == [
        ("a", "http://a.org"),
        ("b", "http://b.org"),
        ("http://c.org", "http://c.org"),
        ("http://d.org/x?y=1", "http://d.org/x?y=1"),
    ]


def test_unicode_and_replace_substitutions():
    (p,) = blocks("|copy| 2013 |me|\n\n.. |copy| unicode:: 0xA9\n.. |me| replace:: **Sam**\n")
    assert p.content == (Text("\u00a9 2013 "), Strong((Text("Sam"),)))


def test_role_kinds_in_one_paragraph():
    (p,) = blocks(
        "H\\ :sub:`2`\\ O, E=mc\\ :sup:`2`, :abbr:`HTML (HyperText)`, :title-reference:`Dune`, "
        ":code:`x = 1`, :file:`/etc/hosts`, :kbd:`Ctrl+C`, :doc:`other`, :ref:`label`.\n"
    )
    got = [i for i in p.content if not isinstance(i, Text)]
    assert got == [
        Subscript((Text("2"),)),
        Superscript((Text("2"),)),
        Abbr((Text("HTML"),), "HyperText"),
        Span((Text("Dune"),), role="title-reference"),
        Code("x = 1", "", "code"),
        Code("/etc/hosts", role="file"),
        Code("Ctrl+C", role="kbd"),
        Link((Text("other"),), "other", kind="doc"),
        Link((Text("label"),), "label", kind="ref"),
    ]


def test_include_and_csv_file_warnings_name_file_and_line(tmp_path):
    post = tmp_path / "post.rst"
    post.write_text("Intro.\n\n.. include:: other.rst\n\n.. csv-table:: T\n   :file: data.csv\n")
    doc = read(post)
    found = [(d.code, d.path, d.line) for d in doc.diagnostics if d.code == "file-insertion-disabled"]
    assert found == [("file-insertion-disabled", str(post), 3), ("file-insertion-disabled", str(post), 5)]
    assert [b.name for b in doc.blocks if isinstance(b, Div)] == ["include", "csv-table"]


@pytest.mark.parametrize(
    ("src", "line"),
    [
        ("Para.\n\n.. image::\n", 3),  # directive error (missing argument)
        ("Text `unclosed.\n", 1),  # inline markup error
        ("Para.\n\nA |nosuch| substitution.\n", 3),  # undefined substitution
        ("x\n\n.. _a:\n.. _a:\n\ny\n", 4),  # duplicate target
        ("* item\nno blank line\n", 2),  # list ends without a blank line
    ],
)
def test_system_messages_are_warnings_with_file_and_line(tmp_path, src, line):
    post = tmp_path / "post.rst"
    post.write_text(src)
    doc = read(post)
    rst = [d for d in doc.diagnostics if d.severity != "info" and d.code not in ("no-date", "no-title")]
    assert rst, doc.diagnostics
    assert all(d.path == str(post) and d.severity in ("warning", "error") for d in rst)
    if line:
        assert line in [d.line for d in rst]


def test_plugin_metadata_directive_is_a_dialect():
    """A plugin teaches a metadata directive by subclassing MetaDirectiveBase."""

    class PubInfo(MetaDirectiveBase):
        dialect = "pubinfo"

        def fields(self):
            return {"date": " ".join(self.arguments), **self.options}

    register_directive("plugin-pubinfo", PubInfo)
    doc = read(".. plugin-pubinfo:: 28 January 2026\n   :tags: power usage\n\nPower\n=====\n\nBody.\n")
    assert doc.source.dialect == "pubinfo"
    assert (doc.meta.title, doc.meta.tags) == ("Power", ("power", "usage"))
    assert doc.meta.date == datetime(2026, 1, 28, tzinfo=timezone.utc)
    assert doc.blocks == (Paragraph((Text("Body."),)),)


def test_field_list_after_a_promoted_first_section_is_docinfo():
    """Several top-level sections stop docutils' title *and* docinfo transforms; the field
    list right after the promoted title is still the post's (Pelican) metadata."""
    doc = read("Title\n=====\n\n:date: 2020-01-02\n:tags: a, b\n\nBody.\n\nOther\n=====\n\nx\n")
    assert (doc.meta.title, doc.meta.tags, doc.source.dialect) == ("Title", ("a", "b"), "pelican")
    assert doc.meta.date == datetime(2020, 1, 2, tzinfo=timezone.utc)
    assert doc.blocks[0] == Paragraph((Text("Body."),))
    assert not [b for b in doc.blocks if isinstance(b, FieldList)]
