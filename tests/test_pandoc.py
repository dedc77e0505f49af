"""The pandoc bridge (``--to pandoc:FORMAT``), checked through pandoc itself.

The samples are converted through the CLI as a user would; what comes out is read back
with pandoc (docx -> plain text, markdown -> JSON AST) and compared with the source
document: every word, the metadata, the structure.
"""

from __future__ import annotations

import collections
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from conftest import SAMPLES

import migrate
from migrate.config import Config
from migrate.emitters import pandoc as bridge
from migrate.emitters import registry
from migrate.emitters.base import EmitContext
from migrate.errors import MigrateError
from migrate.model import (
    Abbr,
    Admonition,
    Block,
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
    Field,
    FieldList,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    Inline,
    Line,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MathBlock,
    Metadata,
    OptionItem,
    OptionList,
    OrderedList,
    Paragraph,
    RawBlock,
    RawInline,
    Row,
    Rubric,
    SourceInfo,
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
    plain_text,
    walk,
)

pypandoc = pytest.importorskip("pypandoc")
try:
    pypandoc.get_pandoc_path()
except OSError:  # pragma: no cover - the test extra installs pypandoc-binary
    pytest.skip("pandoc is not installed", allow_module_level=True)

CONFIG = Config.from_file(SAMPLES / "migrate.toml")
WORD = re.compile(r"\w+")


def words(text: str) -> collections.Counter:
    """Words as a reader sees them: docutils' escape marker resolved, ``x²`` equal to ``x2``."""
    text = re.sub("\x00[ \n]", "", text).replace("\x00", "")
    return collections.Counter(WORD.findall(unicodedata.normalize("NFKC", text).lower()))


def convert_samples(out: Path, target: str) -> dict[str, Path]:
    """Convert the samples through the CLI; source path -> main output file."""
    report_path = out.parent / f"{out.name}.report.json"
    r = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "convert", str(SAMPLES), "--to", target, "--out", str(out)]
        + ["--report", str(report_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in r.stderr, r.stderr
    report = json.loads(report_path.read_text())
    failed = [f["source"] for f in report["files"] if f["status"] == "error"]
    # exactly the deliberately broken post fails
    assert [Path(f).name for f in failed] == ["rack-rebuild-plans.rst"], r.stderr
    assert r.returncode == 1
    outputs = {f["source"]: out / f["outputs"][0] for f in report["files"] if f["status"] != "error"}
    assert len(outputs) >= 10
    for path in outputs.values():
        assert path.is_file(), path
    return outputs


@pytest.fixture(scope="module")
def docx(tmp_path_factory) -> dict[str, Path]:
    return convert_samples(tmp_path_factory.mktemp("docx") / "out", "pandoc:docx")


@pytest.fixture(scope="module")
def asciidoc(tmp_path_factory) -> dict[str, Path]:
    return convert_samples(tmp_path_factory.mktemp("adoc") / "out", "pandoc:asciidoc")


@pytest.fixture(scope="module")
def markdown(tmp_path_factory) -> dict[str, Path]:
    return convert_samples(tmp_path_factory.mktemp("md") / "out", "pandoc:markdown")


def source_doc(source: str) -> Document:
    return migrate.read(Path(source), config=CONFIG)


# --------------------------------------------------------------------------- docx


def test_docx_keeps_every_word(docx):
    for source, path in docx.items():
        assert path.suffix == ".docx" and zipfile.is_zipfile(path), path
        doc = source_doc(source)
        text = pypandoc.convert_file(str(path), "plain", extra_args=["--wrap=none"])
        missing = words(plain_text(doc.blocks)) - words(text)
        assert not missing, f"{path.name} lost {dict(missing)}"


def test_docx_core_properties_carry_the_metadata(docx):
    ns = {
        "dc": "http://purl.org/dc/elements/1.1/",
        "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    }
    for source, path in docx.items():
        doc = source_doc(source)
        core = ElementTree.fromstring(zipfile.ZipFile(path).read("docProps/core.xml"))
        assert core.findtext("dc:title", namespaces=ns) == doc.meta.title, path
        assert core.findtext("dc:creator", namespaces=ns) == ", ".join(doc.meta.authors)
        assert core.findtext("cp:keywords", namespaces=ns) == ", ".join(doc.meta.tags)
        if doc.meta.categories:
            assert core.findtext("cp:category", namespaces=ns) == ", ".join(doc.meta.categories)
        if doc.meta.summary:
            assert core.findtext("dc:description", namespaces=ns) == doc.meta.summary
        # and pandoc's own docx reader finds title, author and date in the document again
        meta = json.loads(pypandoc.convert_file(str(path), "json"))["meta"]
        assert _text(meta["title"]["c"]) == doc.meta.title
        assert _text(meta["author"]["c"]) == ", ".join(doc.meta.authors)
        assert datetime.fromisoformat(_text(meta["date"]["c"])) == doc.meta.date


def _empty() -> dict:
    return {"pandoc-api-version": bridge.pandoc_versions()[1], "meta": {}, "blocks": []}


def test_docx_structure(docx):
    """Headings are Word headings, code keeps its lines, footnotes are Word footnotes, images are embedded."""
    by_name = {Path(s).name: p for s, p in docx.items()}
    cluster = by_name["20130905-pi-cluster.rst"]
    z = zipfile.ZipFile(cluster)
    document = z.read("word/document.xml").decode()
    assert 'w:val="Heading1"' in document
    footnotes = z.read("word/footnotes.xml").decode()
    assert "Ask me how I know." in footnotes
    media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert media, "the images of the post are embedded"
    # the table with row and column spans keeps its merged cells
    assert "w:vMerge" in document and "w:gridSpan" in document
    monitoring = zipfile.ZipFile(by_name["monitoring.rst"]).read("word/document.xml").decode()
    assert "SourceCode" in monitoring  # pandoc's code style
    native = pypandoc.convert_file(str(by_name["monitoring.rst"]), "native")
    assert 'urllib.request.urlopen(\\"http://pi-3:8086/write?db=lab\\", line.encode())' in native
    math = zipfile.ZipFile(by_name["home-automation.rst"]).read("word/document.xml").decode()
    assert "m:oMath" in math  # TeX math became Word equations


def test_docx_is_reproducible():
    doc = migrate.read(SAMPLES / "20130905-pi-cluster.rst", config=CONFIG)
    emitter = registry.get("pandoc:docx")
    first = emitter.emit(doc, EmitContext(config=CONFIG))
    second = emitter.emit(doc, EmitContext(config=CONFIG))
    assert isinstance(first, bytes) and first == second


# --------------------------------------------------------------------------- asciidoc


def test_asciidoc_headings_code_and_links(asciidoc):
    by_name = {Path(s).name: p for s, p in asciidoc.items()}
    for source, path in asciidoc.items():
        assert path.suffix == ".adoc"
        text = path.read_text(encoding="utf-8")
        doc = source_doc(source)
        assert text.startswith(f"= {doc.meta.title}\n"), path
        assert "\x00" not in text
        headings = re.findall(r"^(=+) (.*)$", text, flags=re.M)[1:]
        expected = [(h.level + 1, plain_text(h.content)) for h in walk(doc.blocks) if isinstance(h, Heading)]
        assert [(len(m), t) for m, t in headings] == expected, path
        for h in (n for n in walk(doc.blocks) if isinstance(n, Heading)):
            for (
                anchor
            ) in h.extra_ids:  # older ids stay link targets (pandoc writes the id when not automatic)
                assert f"[[{anchor}]]\n" in text, (path, anchor)
        for code in (n for n in walk(doc.blocks) if isinstance(n, CodeBlock)):
            for line in code.text.strip("\n").splitlines():
                assert line in text, (path, line)

    monitoring = by_name["monitoring.rst"].read_text(encoding="utf-8")
    assert "== The collector\n" in monitoring
    assert "[source,python]\n----\nimport os\n" in monitoring
    assert "[source,bash]\n----\nfor n in 1 2 3 4; do" in monitoring
    assert "[NOTE]\n====\n" in monitoring and "[WARNING]\n====\n" in monitoring
    # an internal link, rewritten by the link transform, and its text
    assert "link:/pi-cluster/[the Pi cluster]" in monitoring
    assert "image:assets/images/dashboard.png[The Grafana dashboard" in monitoring

    vlan = by_name["20130917-vlan-notes.rst"].read_text(encoding="utf-8")
    assert "https://en.wikipedia.org/wiki/IEEE_802.1Q[802.1Q article on Wikipedia]" in vlan
    assert "link:/pi-cluster/#power-budget[power budget]" in vlan

    cluster = by_name["20130905-pi-cluster.rst"].read_text(encoding="utf-8")
    assert "footnote:[Ask me how I know.]" in cluster
    assert ".2+|5 V 10 A brick" in cluster  # the row span survived
    assert "|Spare USB hub 2+a|" in cluster  # and the column span


# --------------------------------------------------------------------------- markdown


def test_markdown_metadata_block(markdown):
    for source, path in markdown.items():
        assert path.suffix == ".md"
        doc = source_doc(source)
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        front = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
        unescape = lambda v: re.sub(r"\\(.)", r"\1", v)  # noqa: E731 - YAML values are Markdown
        assert unescape(front["title"]) == doc.meta.title
        # RFC 3339, the same instant as the normalized date
        assert datetime.fromisoformat(front["date"]) == doc.meta.date
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", front["date"])
        assert front["author"] == list(doc.meta.authors)
        assert front["keywords"] == list(doc.meta.tags) == front["tags"]
        assert front.get("categories", []) == list(doc.meta.categories)
        assert front["slug"] == doc.meta.slug
        if doc.meta.summary:
            assert " ".join(unescape(front["description"]).split()) == " ".join(doc.meta.summary.split())


def test_markdown_keeps_every_word_and_the_structure(markdown):
    for source, path in markdown.items():
        doc = source_doc(source)
        ast = json.loads(pypandoc.convert_file(str(path), "json", format="markdown"))
        text = pypandoc.convert_text(json.dumps({**ast, "meta": {}}), "plain", format="json")
        missing = words(plain_text(doc.blocks)) - words(text)
        assert not missing, f"{path.name} lost {dict(missing)}"
        kinds = collections.Counter(_pandoc_types(ast["blocks"]))
        headings = [n for n in walk(doc.blocks) if isinstance(n, Heading)]
        assert kinds["Header"] == len(headings), path
        assert kinds["CodeBlock"] >= len([n for n in walk(doc.blocks) if isinstance(n, CodeBlock)])
        assert kinds["Note"] == len(
            {n.label for n in walk(doc.blocks) if isinstance(n, FootnoteRef) and n.kind == "footnote"}
        )
        assert kinds["Table"] == len([n for n in walk(doc.blocks) if isinstance(n, Table)])
    cluster = next(p for s, p in markdown.items() if s.endswith("pi-cluster.rst")).read_text(encoding="utf-8")
    assert "[^1]: Prices were from the summer of 2013" in cluster
    monitoring = next(p for s, p in markdown.items() if s.endswith("monitoring.rst")).read_text(
        encoding="utf-8"
    )
    assert "``` python\nimport os" in monitoring
    assert "# The collector" in monitoring


def _pandoc_types(value):
    if isinstance(value, dict):
        if "t" in value:
            yield value["t"]
        for v in value.values():
            yield from _pandoc_types(v)
    elif isinstance(value, list):
        for v in value:
            yield from _pandoc_types(v)


# --------------------------------------------------------------------------- every node


def _every_node_document() -> Document:
    def t(s: str) -> tuple[Text]:
        return (Text(s),)

    blocks = (
        Heading(1, (*t("Intro "), Emph(t("here"))), id="intro", extra_ids=("old-intro",)),
        Paragraph(
            (
                *t("Words "),
                Strong(t("strong")),
                Text(" "),
                Code("print()", language="python"),
                Text(" "),
                Link(t("link text"), "https://example.org/", title="Example"),
                Text(" "),
                Image("pic.png", alt="a picture", width="40"),
                Text(" H"),
                Subscript(t("2")),
                Text("O x"),
                Superscript(t("2")),
                Text(" "),
                Math("e^{i\\pi}"),
                Text(" "),
                RawInline("html", "<b>raw</b>"),
                Text(" "),
                Abbr(t("HTML"), title="HyperText Markup Language"),
                Text(" "),
                Span(t("Ctrl-C"), role="kbd"),
                Span(t("deleted"), role="del"),
                LineBreak(),
                Text("note"),
                FootnoteRef("1"),
                Text(" cite "),
                FootnoteRef("CIT1", kind="citation"),
            )
        ),
        CodeBlock(
            "a = 1\nb = 2\n", language="python", line_numbers=True, start_line=5, caption="listing one"
        ),
        BulletList(((Paragraph(t("one")),), (Paragraph(t("two")),))),
        OrderedList(((Paragraph(t("alpha")),),), start=3, style="loweralpha", delimiter="parens"),
        DefinitionList((DefinitionItem(t("term"), (t("classifier"),), (Paragraph(t("definition")),)),)),
        FieldList((Field(t("field"), (Paragraph(t("value")),)),)),
        OptionList((OptionItem(("-a", "--all"), (Paragraph(t("everything")),)),)),
        Table(
            head=(
                Row((Cell((Paragraph(t("h1")),)), Cell((Paragraph(t("h2")),)), Cell((Paragraph(t("h3")),)))),
            ),
            body=(
                Row(
                    (
                        Cell((Paragraph(t("spans two rows")),), rowspan=2),
                        Cell((Paragraph(t("spans two columns")),), colspan=2),
                    )
                ),
                Row((Cell((Paragraph(t("b")),)), Cell((Paragraph(t("c")),)))),
            ),
            caption=t("table caption"),
            colwidths=(10, 20, 20),
            aligns=("left", "center", "right"),
        ),
        ImageBlock(Image("block.png", alt="block image")),
        Figure(
            Image("fig.png", alt="figure alt"),
            caption=t("figure caption"),
            legend=(Paragraph(t("legend")),),
            id="fig-1",
        ),
        Admonition("warning", (Paragraph(t("careful")),)),
        Admonition("admonition", (Paragraph(t("custom body")),), title=t("Custom title")),
        Topic("sidebar", t("Side title"), (Paragraph(t("side body")),)),
        Rubric(t("rubric text")),
        LineBlock((Line(t("first line")), Line(t("indented line"), indent=1))),
        MathBlock("a^2 + b^2 = c^2", label="pythagoras"),
        RawBlock("html", "<hr class='raw'>"),
        ThematicBreak(),
        SummaryBreak(),
        Footnote("1", (Paragraph(t("footnote body")),)),
        Footnote("2", (Paragraph(t("unreferenced footnote")),)),
        Footnote("CIT1", (Paragraph(t("citation body")),), kind="citation"),
        Embed("youtube", "abc123"),
        Target("anchor-here"),
        Comment("invisible"),
        Div((Paragraph(t("in a container")),), name="container", classes=("wide",)),
        Div(
            (Paragraph(t("chart data")),),
            name="chart",
            arguments=("bar",),
            options={"height": "300"},
            text="a, 1\nb, 2",
        ),
    )
    meta = Metadata(
        title="Every node",
        date=datetime.fromisoformat("2015-09-04T12:40:00-03:00"),
        authors=("Ann", "Bob"),
        tags=("t1", "t two"),
        categories=("Cat",),
        summary="What it is.",
        slug="every-node",
        lang="en",
        extra={"header-includes": "<script>alert(1)</script>", "series": ["a", "b"]},
    )
    return Document(meta, blocks, SourceInfo(path="every.rst"))


def test_every_model_node_has_a_mapping():
    for cls in Block.__args__:  # type: ignore[attr-defined]
        assert hasattr(bridge.PandocWriter, f"b_{cls.__name__}"), cls
    for cls in Inline.__args__:  # type: ignore[attr-defined]
        assert hasattr(bridge.PandocWriter, f"i_{cls.__name__}"), cls


def _all(ast, t: str) -> list:
    """Every pandoc node of type ``t`` in a JSON AST, depth first; each as its ``c`` value."""
    out = []

    def go(v):
        if isinstance(v, dict):
            if v.get("t") == t:
                out.append(v.get("c"))
            for x in v.values():
                go(x)
        elif isinstance(v, list):
            for x in v:
                go(x)

    go(ast)
    return out


def _attr_of(ast, t: str, cls: str) -> list:
    """The nodes of type ``t`` (Div, Span, CodeBlock...) whose attribute carries class ``cls``."""
    return [c for c in _all(ast, t) if cls in c[0][1]]


def _text(inlines) -> str:
    return pypandoc.convert_text(
        json.dumps({**_empty(), "blocks": [{"t": "Plain", "c": inlines}]}), "plain", "json"
    ).strip()


def test_every_node_reaches_pandoc():
    doc = _every_node_document()
    api = bridge.pandoc_versions()[1]
    ctx = EmitContext()
    data = bridge.to_pandoc(doc, api, ctx=ctx)
    # pandoc parses every node and hands back the same AST
    ast = json.loads(pypandoc.convert_text(json.dumps(data), "json", format="json"))
    assert ast["blocks"] == data["blocks"]

    header = _all(ast, "Header")[0]
    assert header[0] == 1 and header[1][0] == "intro" and _text(header[2]) == "Intro here"
    assert [d[0][0] for d in _all(ast, "Div")][0] == "old-intro"  # the older id wraps the heading
    code = _all(ast, "Code")[0]
    assert code == [["", ["python"], []], "print()"]
    link = next(c for c in _all(ast, "Link") if c[2][0] == "https://example.org/")
    assert link[2] == ["https://example.org/", "Example"] and _text(link[1]) == "link text"
    image = next(c for c in _all(ast, "Image") if c[2][0] == "pic.png")
    assert image[0] == ["", [], [["width", "40"]]] and _text(image[1]) == "a picture"
    assert _all(ast, "Subscript") == [[{"t": "Str", "c": "2"}]]
    assert _all(ast, "Superscript")[0] == [{"t": "Str", "c": "2"}]
    maths = _all(ast, "Math")
    assert [{"t": "InlineMath"}, "e^{i\\pi}"] in maths and [{"t": "DisplayMath"}, "a^2 + b^2 = c^2"] in maths
    assert _all(ast, "RawInline") == [["html", "<b>raw</b>"]]
    abbr = _attr_of(ast, "Span", "abbr")[0]
    assert abbr[0][2] == [["title", "HyperText Markup Language"]] and _text(abbr[1]) == "HTML"
    assert _text(_attr_of(ast, "Span", "kbd")[0][1]) == "Ctrl-C"
    assert _text(_all(ast, "Strikeout")[0]) == "deleted"
    assert _all(ast, "LineBreak") == [None]
    # footnotes: a referenced one is a Note where it is referenced; an unreferenced one stays put
    notes = _all(ast, "Note")
    assert len(notes) == 1 and _text(notes[0][0]["c"]) == "footnote body"
    assert _attr_of(ast, "Div", "footnote")[0][0][0] == "2"
    citation = _attr_of(ast, "Link", "citation")[0]
    assert citation[2] == ["#CIT1", ""]
    assert _attr_of(ast, "Span", "citation-label")[0][0][0] == "CIT1"
    block = _all(ast, "CodeBlock")[0]
    assert block == [["", ["python", "numberLines"], [["startFrom", "5"]]], "a = 1\nb = 2"]
    assert _all(_attr_of(ast, "Div", "listing"), "Emph")[0] == [
        {"t": "Str", "c": "listing"},
        {"t": "Space"},
        {"t": "Str", "c": "one"},
    ]
    assert [item[0]["t"] for item in _all(ast, "BulletList")[0]] == ["Plain", "Plain"]  # tight
    assert _all(ast, "OrderedList")[0][0] == [3, {"t": "LowerAlpha"}, {"t": "TwoParens"}]
    term = _all(ast, "DefinitionList")[0][0][0]
    assert _text(term) == "term : classifier"
    assert _attr_of(ast, "Div", "field-list") and _attr_of(ast, "Div", "option-list")
    table = _all(ast, "Table")[0]
    assert table[2] == [
        [{"t": "AlignLeft"}, {"t": "ColWidth", "c": 0.2}],
        [{"t": "AlignCenter"}, {"t": "ColWidth", "c": 0.4}],
        [{"t": "AlignRight"}, {"t": "ColWidth", "c": 0.4}],
    ]
    first_row = table[4][0][3][0][1]
    assert [(cell[2], cell[3]) for cell in first_row] == [(2, 1), (1, 2)]  # (rowspan, colspan)
    assert _text(table[1][1][0]["c"]) == "table caption"
    figure = _all(ast, "Figure")[0]
    assert figure[0][0] == "fig-1" and [b["t"] for b in figure[1][1]] == ["Plain", "Para"]  # caption, legend
    warning = _attr_of(ast, "Div", "warning")[0]
    assert warning[1][0]["c"][0][1] == ["title"] and _text(warning[1][0]["c"][1][0]["c"]) == "Warning"
    custom = _attr_of(ast, "Div", "admonition")[0]
    assert _text(custom[1][0]["c"][1][0]["c"]) == "Custom title"
    assert _attr_of(ast, "Div", "sidebar") and _attr_of(ast, "Div", "rubric")
    lines = _all(ast, "LineBlock")[0]
    assert lines[1][0] == {"t": "Str", "c": "\u00a0" * 4}
    assert _attr_of(ast, "Div", "math")[0][0][0] == "pythagoras"
    assert _all(ast, "RawBlock") == [["html", "<hr class='raw'>"]]
    assert _all(ast, "HorizontalRule") == [None]
    embed = _attr_of(ast, "Div", "embed")[0]
    assert embed[0] == ["", ["embed", "youtube"], [["embed-id", "abc123"]]]
    assert _all(embed, "Link")[0][2][0] == "https://www.youtube.com/watch?v=abc123"
    assert [["anchor-here", [], []], []] in _all(ast, "Div")
    assert _attr_of(ast, "Div", "container")[0][0] == ["", ["container", "wide"], []]
    chart = _attr_of(ast, "Div", "chart")[0]
    assert chart[0][2] == [["argument", "bar"], ["height", "300"]]
    assert chart[1] == [
        {"t": "CodeBlock", "c": [["", ["rst"], []], ".. chart:: bar\n   :height: 300\n\n   a, 1\n   b, 2"]}
    ]
    assert "invisible" not in json.dumps(ast)  # comments are not content
    assert any(d.code == "unmapped-directive" for d in ctx.diagnostics)

    # metadata: only known keys at the top; a post's stray keys cannot reach pandoc's templates
    meta = data["meta"]
    assert set(meta) >= {
        "title",
        "date",
        "author",
        "keywords",
        "tags",
        "categories",
        "description",
        "lang",
        "extra",
    }
    assert meta["date"] == {"t": "MetaString", "c": "2015-09-04T12:40:00-03:00"}
    assert "header-includes" not in meta and "header-includes" in meta["extra"]["c"]
    html = pypandoc.convert_text(json.dumps(data), "html", format="json", extra_args=["--standalone"])
    assert "<script>alert(1)</script>" not in html
    assert "<title>Every node</title>" in html


def test_text_formats_and_extensions():
    doc = _every_node_document()
    for fmt, suffix, needle in [
        ("org", ".org", "#+title: Every node"),
        ("latex", ".tex", "\\begin{document}"),
        ("gfm", ".md", '<td rowspan="2" style="text-align: left;">spans two rows</td>'),
        ("rst", ".rst", "Every node"),
        ("html", ".html", "<h1"),
        ("plain", ".txt", "spans two columns"),
        ("asciidoc", ".adoc", "= Every node"),
        ("markdown-smart", ".md", "title: Every node"),
    ]:
        emitter = registry.get(f"pandoc:{fmt}")
        assert emitter.output_path(doc, EmitContext()) == f"every-node{suffix}"
        text = emitter.emit(doc, EmitContext())
        assert isinstance(text, str) and needle in text, (fmt, text[:400])
    for fmt, suffix, magic in [("epub", ".epub", b"PK"), ("odt", ".odt", b"PK")]:
        emitter = registry.get(f"pandoc:{fmt}")
        assert emitter.output_path(doc, EmitContext()) == f"every-node{suffix}"
        data = emitter.emit(doc, EmitContext())
        assert isinstance(data, bytes) and data.startswith(magic)
        back = pypandoc.convert_text(data, "plain", format=fmt) if fmt != "epub" else None
        if back is not None:
            assert "spans two columns" in back


# --------------------------------------------------------------------------- safety and errors


def test_images_are_embedded_only_from_the_source_tree(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nSECRET-BYTES")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "images").mkdir()
    (posts / "images" / "ok.png").write_bytes((SAMPLES / "images" / "pi-logo.png").read_bytes())
    post = posts / "20200101-imgs.rst"
    post.write_text(
        "Images\n######\n\n.. image:: images/ok.png\n   :alt: fine\n\n"
        f".. image:: ../secret.png\n   :alt: outside\n\n.. image:: {secret}\n   :alt: absolute\n",
        encoding="utf-8",
    )
    doc = migrate.read(post)
    ctx = EmitContext()
    data = registry.get("pandoc:docx").emit(doc, ctx)
    z = zipfile.ZipFile(io.BytesIO(data))
    media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and media[0] == (posts / "images" / "ok.png").read_bytes()
    assert all(b"SECRET-BYTES" not in z.read(n) for n in z.namelist())
    refused = [d for d in ctx.diagnostics if d.code == "image-not-embedded"]
    assert len(refused) == 2 and all(d.path == str(post) for d in refused)


def test_unknown_format_and_missing_format():
    with pytest.raises(MigrateError, match="pandoc has no 'nonsense' writer"):
        registry.get("pandoc:nonsense")
    with pytest.raises(MigrateError, match="--to pandoc:FORMAT"):
        registry.get("pandoc")


def test_missing_pandoc_is_a_clear_error(monkeypatch):
    def no_pandoc():
        raise OSError("No pandoc was found")

    monkeypatch.setattr(pypandoc, "get_pandoc_path", no_pandoc)
    bridge.output_formats.cache_clear()
    bridge.pandoc_versions.cache_clear()
    try:
        with pytest.raises(MigrateError) as e:
            registry.get("pandoc:docx")
        assert 'pip install "migrate[pandoc]"' in str(e.value) and "PATH" in str(e.value)
        assert e.value.code == "pandoc-missing"
        assert 'pip install "migrate[pandoc]"' in registry.describe()["pandoc"]
        with pytest.raises(MigrateError, match="pandoc was not found"):
            migrate.emit(_every_node_document(), "pandoc:markdown")
    finally:
        bridge.output_formats.cache_clear()
        bridge.pandoc_versions.cache_clear()


def test_missing_pandoc_through_the_cli(tmp_path):
    env = {**os.environ, "PYPANDOC_PANDOC": str(tmp_path / "no-such-pandoc")}
    run = [sys.executable, "-m", "migrate.cli"]
    r = subprocess.run(
        [*run, "convert", str(SAMPLES), "--to", "pandoc:docx", "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert r.returncode == 2
    assert "pandoc was not found" in r.stderr and 'pip install "migrate[pandoc]"' in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()
    r = subprocess.run([*run, "emitters"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0
    line = next(x for x in r.stdout.splitlines() if x.startswith("pandoc"))
    assert "unavailable" in line and 'pip install "migrate[pandoc]"' in line


def test_stdin_to_stdout(tmp_path):
    post = (SAMPLES / "monitoring.rst").read_bytes()
    run = [sys.executable, "-m", "migrate.cli", "convert", "-", "--config", str(SAMPLES / "migrate.toml")]
    r = subprocess.run([*run, "--to", "pandoc:org"], input=post, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    org = r.stdout.decode()
    assert "#+title: Monitoring the Homelab with Grafana" in org
    assert "#+begin_src python" in org
    r = subprocess.run([*run, "--to", "pandoc:docx"], input=post, capture_output=True, timeout=120)
    assert r.returncode == 0, r.stderr
    (tmp_path / "post.docx").write_bytes(r.stdout)
    assert "Monitoring the Homelab" in pypandoc.convert_file(
        str(tmp_path / "post.docx"), "plain", extra_args=["-s"]
    )


def test_old_pandoc_is_refused(monkeypatch):
    monkeypatch.setattr(bridge, "pandoc_versions", lambda: ("2.19.2", [1, 22, 2, 1]))
    with pytest.raises(MigrateError, match=r"pandoc 2\.19\.2 is too old .* pandoc 3\.0 or newer"):
        registry.get("pandoc:docx")


def test_pandoc_args_reach_pandoc():
    doc = migrate.read(SAMPLES / "monitoring.rst", config=CONFIG)
    html = migrate.emit(doc, "pandoc:html", config=CONFIG, pandoc_args=["--toc"])
    assert '<nav id="TOC"' in html and 'href="#the-collector"' in html
    assert "<title>Monitoring the Homelab with Grafana</title>" in html
