"""migrate.verify: correct outputs lose nothing; every kind of deletion is reported exactly."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLES

import migrate
from migrate.config import Config
from migrate.emitters import registry
from migrate.model import (
    Admonition,
    Cell,
    Code,
    CodeBlock,
    Div,
    Document,
    Embed,
    Emph,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    Link,
    Metadata,
    Paragraph,
    Row,
    SummaryBreak,
    Table,
    Text,
)
from migrate.pipeline import Job, build_site, discover, process, read_all
from migrate.verify import (
    MAX_MISSING,
    Inventory,
    Loss,
    compare,
    inventory,
    inventory_of_output,
    normalize_code,
    normalize_link,
    output_kind,
    site_key,
    strip_front_matter,
    verify,
    words_of,
)

T = Text


def _has_target(name: str) -> bool:
    try:
        registry.get(name)
    except migrate.MigrateError:
        return False
    return True


TARGETS = ["markdown", "hugo", "jekyll", "json"] + (["html"] if _has_target("html") else [])


def doc(*blocks, **meta) -> Document:
    meta.setdefault("title", "A Title Nobody Repeats")
    meta.setdefault("slug", "post")
    return Document(meta=Metadata(**meta), blocks=tuple(blocks))


def para(*inl) -> Paragraph:
    return Paragraph(tuple(T(x) if isinstance(x, str) else x for x in inl))


def cell(text: str) -> Cell:
    return Cell((para(text),))


# --------------------------------------------------------------------------- normalization


def test_words_are_casefolded_nfkc_and_split_on_punctuation() -> None:
    assert words_of("Hello, WORLD!  Straße ﬁle x_1 don't") == [
        "hello",
        "world",
        "strasse",
        "file",
        "x",
        "1",
        "don",
        "t",
    ]
    assert words_of("a\u00a0b\u200bc — d") == ["a", "bc", "d"]  # NBSP separates, ZWSP is invisible
    assert words_of("") == []


def test_code_normalization_keeps_indentation_drops_trailing_space() -> None:
    assert normalize_code("\n\n  a = 1   \n\tb\n\n") == "  a = 1\n        b"


def test_link_normalization() -> None:
    assert normalize_link("http://x.org/a%20b?q=1&amp;r=2") == "http://x.org/a b?q=1&r=2"
    assert normalize_link("https://www.youtube.com/embed/abc_-1") == "https://www.youtube.com/watch?v=abc_-1"
    assert normalize_link("https://youtu.be/abc") == "https://www.youtube.com/watch?v=abc"
    assert normalize_link("https://player.vimeo.com/video/42") == "https://vimeo.com/42"
    assert normalize_link("https://gist.github.com/u/0af1.js") == "https://gist.github.com/u/0af1"
    assert normalize_link('{{< ref "/posts/a#b" >}}') == "hugo-ref:/posts/a#b"
    assert normalize_link("{% post_url 2013-09-07-a %}#b") == "jekyll-post_url:2013-09-07-a#b"


def test_site_key_makes_page_relative_links_comparable() -> None:
    assert site_key("/pi-cluster/") == site_key("../pi-cluster/index.html") == "pi-cluster"
    assert site_key("/a/#x") == site_key("../../a/index.html#x") == "a#x"
    assert site_key("assets/i.png") == site_key("../assets/i.png") == "assets/i.png"
    assert site_key("https://x.org/") == "https://x.org/"
    assert site_key("#top") == "#top"


def test_output_kind() -> None:
    assert output_kind("markdown") == output_kind("hugo") == output_kind("jekyll") == "markdown"
    assert output_kind("html") == "html"
    assert output_kind("json") == "json"
    assert output_kind("pandoc:docx") is None
    assert output_kind("some-plugin") is None


def test_front_matter_is_not_body() -> None:
    assert strip_front_matter("---\ntitle: x\n---\nbody\n") == "body\n"
    assert strip_front_matter("+++\ntitle = 'x'\n+++\nbody\n") == "body\n"
    assert strip_front_matter('{"title": "x"}\nbody\n') == "\nbody\n"
    assert strip_front_matter("body\n---\n") == "body\n---\n"


def test_loss_str_and_counts() -> None:
    loss = Loss("words", ("b", "c"), 10, 7)
    assert loss.count == 3
    assert str(loss) == "words: 3 of 10 missing: 'b', 'c', … (1 more)"
    assert str(Loss("code", ("x\ny",), 1, 0)) == "code: 1 of 1 missing: 'x⏎y'"


def test_compare_lists_at_most_max_missing_sorted() -> None:
    src = Inventory(words=Counter({f"w{i:02}": 1 for i in range(30)}))
    (loss,) = compare(src, Inventory())
    assert loss == Loss("words", tuple(f"w{i:02}" for i in range(MAX_MISSING)), 30, 0)
    assert compare(src, src) == []


# --------------------------------------------------------------------------- a post with everything

RICH = doc(
    Heading(1, (T("Getting started"),), id="getting-started"),
    para(
        "The quick ",
        Emph((T("brown"),)),
        " fox reads ",
        Link((T("the manual"),), "https://example.org/manual"),
        " and ",
        Code("pip install fox"),
        ".",
        FootnoteRef("fnx"),
    ),
    SummaryBreak(),
    CodeBlock("def jump(over):\n    return over + 1\n", language="python"),
    ImageBlock(Image("images/fox.png", alt="Vulpine portrait")),
    Table(
        head=(Row((cell("Animal"), cell("Speed"))),),
        body=(Row((cell("fox"), cell("fast"))), Row((cell("dog"), cell("lazy")))),
    ),
    Admonition("note", (para("Foxes are clever."),)),
    Heading(1, (T("Second part"),), id="second-part"),
    para("Unique zebra paragraph here."),
    Embed("youtube", "dQw4w9WgXcQ"),
    Footnote("fnx", (para("A footnote body."),)),
)


@pytest.mark.parametrize("target", TARGETS)
def test_rich_post_loses_nothing(target: str) -> None:
    out = migrate.emit(RICH, target)
    assert verify(RICH, out, target) == []
    assert verify(RICH, out, output_kind(target) or target) == []


def test_inventory_of_the_model() -> None:
    inv = inventory(RICH)
    assert inv.headings == ("getting started", "second part")
    assert inv.code_blocks == ("def jump(over):\n    return over + 1",)
    assert inv.links == Counter(
        {"https://example.org/manual": 1, "https://www.youtube.com/watch?v=dQw4w9WgXcQ": 1}
    )
    assert inv.images == Counter({"images/fox.png": 1})
    assert inv.table_cells == Counter({"animal": 1, "speed": 1, "fox": 1, "fast": 1, "dog": 1, "lazy": 1})
    # the title is front matter, footnote labels are markup, image alt text is an attribute
    assert not {"title", "fnx", "vulpine"} & set(inv.words)
    assert (
        inv.words["fox"] == 3
    )  # prose, table cell, and ``fox.png`` is not a word: images are compared apart
    assert inv.words["jump"] == 1  # code counts as words too


def _expect(kind: str, missing: tuple[str, ...], src: Document = RICH) -> Loss:
    expected = sum(inventory(src).counters()[kind].values())
    return Loss(kind, missing, expected, expected - len(missing))


def _cut(text: str, old: str, new: str = "") -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_a_deleted_word(target: str) -> None:
    out = _cut(migrate.emit(RICH, target), "Unique zebra", "Unique")
    assert verify(RICH, out, target) == [_expect("words", ("zebra",))]


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_a_deleted_paragraph(target: str) -> None:
    out = _cut(migrate.emit(RICH, target), "Unique zebra paragraph here.\n")
    assert verify(RICH, out, target) == [_expect("words", ("here", "paragraph", "unique", "zebra"))]


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_a_deleted_link(target: str) -> None:
    out = _cut(migrate.emit(RICH, target), "[the manual](https://example.org/manual)", "the manual")
    assert verify(RICH, out, target) == [_expect("links", ("https://example.org/manual",))]


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_a_deleted_code_block(target: str) -> None:
    text = migrate.emit(RICH, target)
    start = text.index("```python")
    end = text.index("```", start + 3) + 3
    out = text[:start] + text[end:]
    assert verify(RICH, out, target) == [
        _expect("words", ("1", "def", "jump", "over", "over", "return")),
        _expect("code", ("def jump(over):\n    return over + 1",)),
    ]


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_a_changed_code_line(target: str) -> None:
    out = _cut(migrate.emit(RICH, target), "    return over + 1", "return over + 1")
    assert verify(RICH, out, target) == [_expect("code", ("def jump(over):\n    return over + 1",))]


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_a_deleted_heading(target: str) -> None:
    text = migrate.emit(RICH, target)
    line = next(x for x in text.splitlines() if x.startswith("## Second part"))
    out = _cut(text, line + "\n")
    assert verify(RICH, out, target) == [
        _expect("words", ("part", "second")),
        _expect("headings", ("second part",)),
    ]


@pytest.mark.parametrize("target", ["markdown", "jekyll"])
def test_detects_a_deleted_image(target: str) -> None:
    out = _cut(migrate.emit(RICH, target), "![Vulpine portrait](images/fox.png)")
    assert verify(RICH, out, target) == [_expect("images", ("images/fox.png",))]


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_detects_an_emptied_table_cell(target: str) -> None:
    out = _cut(migrate.emit(RICH, target), "| dog |", "|  |")
    assert verify(RICH, out, target) == [_expect("words", ("dog",)), _expect("cells", ("dog",))]


def test_detects_a_deleted_embed() -> None:
    out = _cut(migrate.emit(RICH, "hugo"), '{{< youtube "dQw4w9WgXcQ" >}}')
    assert verify(RICH, out, "hugo") == [_expect("links", ("https://www.youtube.com/watch?v=dQw4w9WgXcQ",))]
    out = migrate.emit(RICH, "jekyll")
    assert "youtube.com/embed/dQw4w9WgXcQ" in out  # the player counts as the video's link
    assert verify(RICH, out, "jekyll") == []


def test_detects_a_deleted_footnote_body() -> None:
    out = _cut(migrate.emit(RICH, "markdown"), "A footnote body.", "\u00a0")
    assert verify(RICH, out, "markdown") == [_expect("words", ("a", "body", "footnote"))]


# --------------------------------------------------------------------------- markup is not words


def test_alert_markers_heading_attrs_and_footnote_labels_are_markup() -> None:
    d = doc(
        Heading(1, (T("Setup"),), id="custom-id"),
        Admonition("note", (para("Keep it."),)),
        para("See", FootnoteRef("label"), " this."),
        Footnote("label", (para("Body."),)),
    )
    out = migrate.emit(d, "hugo")
    assert "{#custom-id}" in out and "[!NOTE]" in out and "[^label]" in out
    found = inventory_of_output(out, "hugo")
    assert found.headings == ("setup",)
    assert not {"note", "custom", "id", "label"} & set(found.words)
    # so losing the word "note" would not be hidden by the alert marker
    d2 = doc(Admonition("note", (para("note well"),)))
    out2 = _cut(migrate.emit(d2, "markdown"), "note well", "well")
    assert verify(d2, out2, "markdown") == [Loss("words", ("note",), 2, 1)]


def test_title_is_front_matter_not_body() -> None:
    d = doc(para("Body text."), title="Quite Unusual Title")
    out = migrate.emit(d, "markdown")
    assert "Quite Unusual Title" in out
    assert inventory(d).words == Counter({"body": 1, "text": 1})
    assert verify(d, out, "markdown") == []


def test_summary_break_and_comments_are_fine() -> None:
    d = doc(para("Before."), SummaryBreak(), para("After."))
    for target in ("markdown", "hugo", "jekyll"):
        out = migrate.emit(d, target)
        assert "<!--more-->" in out
        assert verify(d, out, target) == []


# --------------------------------------------------------------------------- template layers

TEMPLATE_CODE = "{{< youtube x >}} {{% notice %}} {{ site.title }} {% raw %}{% endraw %} {% if a %}"


def test_emitter_escapes_are_undone_not_counted_as_loss() -> None:
    d = doc(CodeBlock(TEMPLATE_CODE), para("Inline ", Code("{{< ref x >}}"), " and {{ page.title }} text."))
    for target in ("markdown", "hugo", "jekyll"):
        out = migrate.emit(d, target)
        assert verify(d, out, target) == [], target
    assert "{{</* youtube x */>}}" in migrate.emit(d, "hugo")
    assert "{% raw %}" in migrate.emit(d, "jekyll")


def test_unprotected_template_syntax_is_a_loss_on_the_platform() -> None:
    d = doc(para("Show {{ page.title }} literally."))
    raw = "---\ntitle: x\n---\n\nShow {{ page.title }} literally.\n"
    assert verify(d, raw, "markdown") == []  # plain Markdown keeps it
    assert verify(d, raw, "jekyll") == [Loss("words", ("page", "title"), 4, 2)]  # Liquid eats it
    hugo = "Show {{< page >}} literally.\n"
    d2 = doc(para("Show {{< page >}} literally."))
    assert verify(d2, hugo, "hugo") == [Loss("words", ("page",), 3, 2)]  # not a shortcode Hugo knows


def test_post_links_in_template_form() -> None:
    hugo = doc(para(Link((T("other"),), '{{< ref "/posts/other#sec" >}}', kind="post")))
    out = migrate.emit(hugo, "hugo")
    assert '({{< ref "/posts/other#sec" >}})' in out
    assert inventory_of_output(out, "hugo").links == Counter({"hugo-ref:/posts/other#sec": 1})
    assert verify(hugo, out, "hugo") == []
    assert verify(hugo, out.replace("other#sec", "other"), "hugo") == [
        Loss("links", ("hugo-ref:/posts/other#sec",), 1, 0)
    ]
    jekyll = doc(para(Link((T("other"),), "{% post_url 2013-09-07-other %}", kind="post")))
    out = migrate.emit(jekyll, "jekyll")
    assert verify(jekyll, out, "jekyll") == []
    assert verify(jekyll, out.replace("{% post_url 2013-09-07-other %}", "/x/"), "jekyll") == [
        Loss("links", ("jekyll-post_url:2013-09-07-other",), 1, 0)
    ]


def test_generic_markdown_kind_reads_every_dialect() -> None:
    """``output_kind`` says ``markdown`` for Hugo and Jekyll too: verify tries their readings."""
    d = doc(CodeBlock(TEMPLATE_CODE))
    for target in ("markdown", "hugo", "jekyll"):
        assert verify(d, migrate.emit(d, target), "markdown") == [], target


# --------------------------------------------------------------------------- HTML

PAGE = """<!doctype html>
<html><head><title>Site title</title><script>var words = "never counted";</script></head>
<body>
<nav><a href="../index.html">Home</a></nav>
<main><article class="post">
<header><h1 class="post-title">The Title</h1></header>
<div class="post-body">
<h2 id="intro">Intro <a class="headerlink" href="#intro">¶</a></h2>
<p>Read <a href="../other/index.html#part">the other post</a> and the
<a href="https://example.org/">site</a>.<sup><a class="footnote-ref" href="#fn-1">1</a></sup></p>
<div class="highlight"><pre><span></span><code><span class="linenos">1</span><span class="k">print</span>(<span class="s">"hi"</span>)
<span class="linenos">2</span>x <span class="o">=</span> 1
</code></pre></div>
<figure><img src="../assets/a.png" alt="alt text"><figcaption>A caption</figcaption></figure>
<table><tr><th>k<td>v</table>
<iframe src="https://www.youtube.com/embed/vid"></iframe>
</div></article></main>
<footer>Footer words</footer>
</body></html>
"""

PAGE_DOC = doc(
    Heading(1, (T("Intro"),)),
    para(
        "Read ",
        Link((T("the other post"),), "/other/#part"),
        " and the ",
        Link((T("site"),), "https://example.org/"),
        ".",
        FootnoteRef("1"),
    ),
    CodeBlock('print("hi")\nx = 1'),
    ImageBlock(Image("assets/a.png", alt="alt text")),
    para("A caption"),
    Table(head=(), body=(Row((cell("k"), cell("v"))),)),
    Embed("youtube", "vid"),
)


def test_generic_html_page() -> None:
    found = inventory_of_output(PAGE, "html")
    assert found.headings == ("intro",)
    assert found.code_blocks == ('print("hi")\nx = 1',)
    assert found.table_cells == Counter({"k": 1, "v": 1})
    assert not {"home", "footer", "never", "counted", "linenos"} & set(found.words)
    assert "title" not in found.words  # the page header is not the post body
    assert verify(PAGE_DOC, PAGE, "html") == []


def test_html_detects_losses() -> None:
    out = PAGE.replace('<a href="https://example.org/">site</a>', "site").replace("<td>v", "<td>")
    assert verify(PAGE_DOC, out, "html") == [
        Loss(
            "words",
            ("v",),
            sum(inventory(PAGE_DOC).words.values()),
            sum(inventory(PAGE_DOC).words.values()) - 1,
        ),
        Loss("links", ("https://example.org/",), 3, 2),
        Loss("cells", ("v",), 2, 1),
    ]
    out = PAGE.replace('<img src="../assets/a.png" alt="alt text">', "")
    assert verify(PAGE_DOC, out, "html") == [Loss("images", ("assets/a.png",), 1, 0)]


def test_html_fragment_without_page_structure() -> None:
    d = doc(para("Hello ", Link((T("there"),), "https://x.org/")))
    assert verify(d, '<p>Hello <a href="https://x.org/">there</a></p>', "html") == []
    assert verify(d, "<p>Hello there</p>", "html") == [Loss("links", ("https://x.org/",), 1, 0)]


def test_raw_html_in_the_source_is_read_like_output_html() -> None:
    from migrate.model import RawBlock

    d = doc(
        RawBlock("html", '<p>Raw <a href="https://r.org/">words</a></p>\n<table><tr><td>c</td></tr></table>')
    )
    inv = inventory(d)
    assert inv.links == Counter({"https://r.org/": 1}) and inv.table_cells == Counter({"c": 1})
    for target in ("markdown", "hugo", "jekyll"):
        assert verify(d, migrate.emit(d, target), target) == []


# --------------------------------------------------------------------------- JSON


def test_json_round_trip_and_schema() -> None:
    text = RICH.to_json()
    assert inventory_of_output(text, "json") == inventory(RICH)
    assert inventory_of_output(text.encode("utf-8"), "json") == inventory(RICH)
    assert verify(RICH, text, "json") == []
    (loss,) = verify(RICH, "{not json", "json")
    assert loss.kind == "schema" and loss.missing[0].startswith("not JSON")
    data = json.loads(text)
    data["blocks"][0]["level"] = "one"
    (loss,) = verify(RICH, json.dumps(data), "json")
    assert loss.kind == "schema" and loss.missing[0].startswith("schema: blocks/0:")
    data = json.loads(text)
    del data["blocks"][-3]  # the unique zebra paragraph
    assert verify(RICH, json.dumps(data), "json") == [
        _expect("words", ("here", "paragraph", "unique", "zebra"))
    ]


# --------------------------------------------------------------------------- fallbacks


def test_unknown_directive_kept_verbatim_keeps_its_words() -> None:
    div = Div((para("Jan, 31 Feb, 29"),), name="chart", arguments=("bar",), text="Jan, 31\nFeb, 29")
    d = doc(div)
    assert inventory(d).words == Counter({"jan": 1, "31": 1, "feb": 1, "29": 1})
    for target in TARGETS:
        assert verify(d, migrate.emit(d, target), target) == [], target


# --------------------------------------------------------------------------- samples and corpus


@cache
def _batch(root: str, target: str) -> tuple[tuple[str, Document, str | bytes], ...]:
    """Every post of ``root`` converted to ``target`` as the pipeline does (links rewritten)."""
    config = Config.from_file(SAMPLES / "migrate.toml") if Path(root) == SAMPLES else Config()
    paths = discover([root])
    job = Job(sources=paths, target=target, out=None, config=config, roots=[Path(root)])
    docs, results = read_all(paths, config)
    site = build_site(docs, results, job)
    emitter = registry.get(target)
    out = []
    for d in docs:
        if d is None:
            continue
        files, _diags, _records, emitted = process(d, site, job, emitter)
        out.append((d.source.path, emitted, files[0][1]))
    return tuple(out)


def _losses(root: Path, target: str) -> dict[str, list[str]]:
    found = {}
    for path, emitted, output in _batch(str(root), target):
        losses = verify(emitted, output, target)
        if losses:
            found[Path(path).relative_to(root).as_posix()] = [str(x) for x in losses]
    return found


@pytest.mark.parametrize("target", TARGETS)
def test_samples_lose_nothing(target: str) -> None:
    assert _batch(str(SAMPLES), target), "no sample posts were converted"
    assert _losses(SAMPLES, target) == {}


@pytest.mark.parametrize("target", TARGETS)
def test_corpus_loses_nothing(target: str, corpus: Path) -> None:
    assert _losses(CORPUS, target) == {}


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_samples_detect_a_deleted_sentence(target: str) -> None:
    """On a real post: delete one sentence of prose and the exact words are reported."""
    path, emitted, output = next(x for x in _batch(str(SAMPLES), target) if x[0].endswith("monitoring.rst"))
    sentence = "Grafana's provisioning file describes the data source"
    assert sentence in output
    losses = verify(emitted, output.replace(sentence, ""), target)
    assert [x.kind for x in losses] == ["words"]
    assert losses[0].missing == ("data", "describes", "file", "grafana", "provisioning", "s", "source", "the")
