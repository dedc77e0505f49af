"""rST reader: plugin hook, crash safety, and less common constructs."""

from __future__ import annotations

import textwrap

from docutils import nodes
from docutils.parsers.rst import Directive

import migrate.readers.rst as rst_module
from migrate.model import (
    CodeBlock,
    Div,
    Embed,
    Figure,
    Heading,
    Image,
    ImageBlock,
    LineBreak,
    Link,
    Paragraph,
    Span,
    Target,
    Text,
)
from migrate.readers.directives import migrate_node, register_directive, register_role
from migrate.readers.rst import parse_rst


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
