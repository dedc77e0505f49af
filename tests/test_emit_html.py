"""The ``html`` target: the sample blog as a static site, checked page by page.

One module-scoped conversion of ``samples/`` feeds most tests (the machine is shared);
small hand-built documents cover security, ids, options and template overriding.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import html5lib
import pytest
from conftest import SAMPLES

import migrate
from migrate.config import Config
from migrate.emitters.base import EmitContext
from migrate.emitters.html import HtmlEmitter, Linker, page_path
from migrate.model import (
    Cell,
    Code,
    CodeBlock,
    Comment,
    Div,
    Document,
    Embed,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    Link,
    Math,
    MathBlock,
    Metadata,
    Paragraph,
    RawBlock,
    RawInline,
    Row,
    SourceInfo,
    Span,
    Table,
    Target,
    Text,
    plain_text,
)
from migrate.pipeline import Job, convert, discover

ATOM = "{http://www.w3.org/2005/Atom}"
BAD = "rack-rebuild-plans.rst"
XHTML = "{http://www.w3.org/1999/xhtml}"
BLOCK_TAGS = {
    "p", "div", "li", "td", "th", "tr", "dt", "dd", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "br",
    "figcaption", "figure", "aside", "nav", "blockquote", "caption", "table", "ul", "ol", "dl", "hr",
}  # fmt: skip
WRONG_YEAR = "blog/2012/09/07/building-a-four-node-raspberry-pi-cluster/index.html"
"""The deliberately broken old permalink in 20260128-power-usage.rst (reported, left as written)."""


# --------------------------------------------------------------------------- helpers


def parse_strict(data: bytes | str):
    """Parse with html5lib's strict parser: any HTML5 parse error raises."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data)


def words(text: str) -> Counter:
    text = re.sub("\x00[ \n]", "", text).replace("\x00", "")
    return Counter(re.findall(r"\w+", text))


def visible_text(tree) -> str:
    """Text a reader sees: text nodes (not script/style/title) and image alt texts, blocks spaced."""
    out: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in ("script", "style", "title", "head"):
            out.append(" " + (el.tail or ""))
            return
        if tag in BLOCK_TAGS:
            out.append(" ")
        if tag == "img":
            out.append(" " + el.get("alt", "") + " ")
        out.append(el.text or "")
        for child in el:
            walk(child)
        if tag in BLOCK_TAGS:
            out.append(" ")
        out.append(el.tail or "")

    walk(tree)
    return "".join(out)


def ids_of(tree) -> set[str]:
    return {el.get("id") for el in tree.iter() if el.get("id")}


def hrefs_of(tree) -> list[str]:
    return [el.get(a) for el in tree.iter() for a in ("href", "src") if el.get(a) is not None]


def post_ctx(**options) -> EmitContext:
    return EmitContext(config=options.pop("config", Config()), options=options)


def post(*blocks, slug: str = "post", **meta) -> Document:
    meta.setdefault("title", "A post")
    meta.setdefault("date", datetime(2020, 5, 17, 8, 0, tzinfo=UTC))
    return Document(Metadata(slug=slug, **meta), tuple(blocks), SourceInfo(path=f"{slug}.rst"))


def body(html: str) -> str:
    m = re.search(r'<div class="post-body">\n(.*)\n</div>\n</article>', html, re.S)
    assert m, html
    return m.group(1)


# --------------------------------------------------------------------------- the sample site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """samples/ converted to html once; (out dir, report, {source name: document as read})."""
    out = tmp_path_factory.mktemp("html") / "site"
    cfg = Config.from_file(SAMPLES / "migrate.toml")
    job = Job(
        sources=discover([SAMPLES]), target="html", out=out, config=cfg, roots=[SAMPLES], use_cache=False
    )
    report = convert(job)
    docs = {}
    for p in discover([SAMPLES]):
        if p.name != BAD:
            docs[p.relative_to(SAMPLES).as_posix()] = migrate.read(p, config=cfg)
    return out, report, docs


@pytest.fixture(scope="module")
def pages(site):
    out, _, _ = site
    return {p.relative_to(out).as_posix(): p for p in sorted(out.rglob("*.html"))}


@pytest.fixture(scope="module")
def trees(pages):
    return {rel: parse_strict(p.read_bytes()) for rel, p in pages.items()}


def result_for(report, name: str):
    return next(r for r in report.results if r.source.endswith(name))


def test_every_post_has_a_page_and_the_bad_one_fails(site) -> None:
    out, report, docs = site
    assert result_for(report, BAD).outputs == []
    assert any(d.severity == "error" for d in result_for(report, BAD).diagnostics)
    for name in docs:
        result = result_for(report, name)
        main = result.outputs[0]
        assert re.fullmatch(r"[\w-]+/index\.html", main), main
        assert (out / main).is_file()
    slugs = {result_for(report, n).outputs[0].split("/")[0] for n in docs}
    assert {"pi-cluster", "vlan-notes", "homelab-monitoring-grafana", "serial-console-server"} <= slugs
    for rel in ("index.html", "feed.xml", "static/style.css", "static/pygments.css", "tags/index.html"):
        assert (out / rel).is_file(), rel


def test_every_page_is_valid_html5(pages) -> None:
    assert len(pages) > 30
    for rel, p in pages.items():
        try:
            parse_strict(p.read_bytes())
        except Exception as e:  # html5lib raises ParseError with the position
            raise AssertionError(f"{rel}: {e}") from e


def test_words_of_every_post_are_on_its_page(site, trees) -> None:
    out, report, docs = site
    for name, doc in docs.items():
        rel = result_for(report, name).outputs[0]
        tree = trees[rel]
        page_words = words(visible_text(tree))
        missing = words(plain_text(doc.blocks)) - page_words
        assert not missing, f"{name}: {sorted(missing)[:20]}"
        h1 = tree.find(".//h1")
        assert "".join(h1.itertext()).strip() == doc.meta.title


def test_every_internal_link_and_fragment_resolves(site, trees) -> None:
    out, _, _ = site
    unresolved = []
    checked = 0
    for rel, tree in trees.items():
        for href in hrefs_of(tree):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            checked += 1
            if not parts.path:  # same page
                target_rel, target_tree = rel, tree
            else:
                target_rel = str(PurePosixPath(rel).parent / unquote(parts.path))
                target = (out / target_rel).resolve()
                if not target.is_file():
                    unresolved.append((rel, href))
                    continue
                target_rel = target.relative_to(out.resolve()).as_posix()
                target_tree = trees.get(target_rel)
            if parts.fragment:
                assert target_tree is not None and parts.fragment in ids_of(target_tree), (rel, href)
    assert checked > 300
    # only the deliberately broken old permalink (reported as a broken link) points nowhere
    assert unresolved and all(h.endswith(WRONG_YEAR) for _, h in unresolved), unresolved


def test_links_between_posts_and_sections(site, trees) -> None:
    _, report, _ = site
    vlan = trees["vlan-notes/index.html"]
    links = hrefs_of(vlan)
    assert "../pi-cluster/index.html#power-budget" in links
    assert "../pi-cluster/index.html" in links
    sphinx = hrefs_of(trees["sphinx-notes/index.html"])
    assert "../vlan-notes/index.html#setting-up-the-trunk-port" in sphinx
    zfs = hrefs_of(trees["zfs-snapshots/index.html"])
    assert "#open-questions" in zfs
    power = result_for(report, "20260128-power-usage.rst")
    assert any(d.code == "broken-link" and d.line == 47 for d in power.diagnostics)


def test_headings_keep_docutils_ids(site, trees) -> None:
    _, _, docs = site
    for name, doc in docs.items():
        rel = result_for(site[1], name).outputs[0]
        ids = ids_of(trees[rel])
        for b in migrate.model.walk(doc.blocks):
            if isinstance(b, Heading) and b.id:
                assert b.id in ids, (name, b.id)
    h = trees["pi-cluster/index.html"].find(".//h2[@id='power-budget']")
    assert h is not None and "Power budget" in "".join(h.itertext())


def test_tables_footnotes_figures(trees, pages) -> None:
    tree = trees["pi-cluster/index.html"]
    cells = {c.get("rowspan") for c in tree.iter("td")} | {c.get("colspan") for c in tree.iter("td")}
    assert "2" in cells
    span = next(c for c in tree.iter("td") if c.get("rowspan") == "2")
    assert "".join(span.itertext()) == "5 V 10 A brick"
    wide = next(c for c in tree.iter("td") if c.get("colspan") == "2")
    assert len(wide.findall("p")) == 2  # the two-paragraph cell
    assert [th.text for th in tree.find(".//table/thead").iter("th")][:2] == ["Node", "Role"]
    # footnotes: every reference links to its note and every note links back
    refs = [a for a in tree.iter("a") if a.get("role") == "doc-noteref"]
    notes = [n for n in tree.iter("aside") if n.get("role") == "doc-footnote"]
    assert len(refs) == 5 and len(notes) == 5
    ids = ids_of(tree)
    for a in refs:
        assert a.get("href")[1:] in ids and a.get("id") in ids
    for n in notes:
        back = [a.get("href")[1:] for a in n.iter("a") if a.get("role") == "doc-backlink"]
        assert back and all(b in ids for b in back)
    fig = tree.find(".//figure")
    assert fig.find("img").get("alt") == "Wiring of the power brick"
    assert "before tidying" in "".join(fig.find("figcaption").itertext())
    assert "common ground" in "".join(fig.find("figcaption").itertext())
    img = tree.find(".//a[@class='image-reference']")
    assert img.get("href") == "../assets/images/rack-full.png"


def test_highlighted_code_admonitions_and_lists(trees) -> None:
    mon = trees["homelab-monitoring-grafana/index.html"]
    py = mon.find(".//div[@class='highlight language-python']")
    assert py is not None
    assert {s.get("class") for s in py.iter("span")} & {"k", "kn", "nf"}  # keywords, names
    assert mon.find(".//div[@class='highlight language-yaml']") is not None
    kinds = {a.get("class") for a in mon.iter("aside")}
    assert {"admonition note", "admonition warning", "admonition admonition"} <= kinds
    generic = next(a for a in mon.iter("aside") if a.get("class") == "admonition admonition")
    assert generic.find("p").text == "Was it worth it?"
    vlan = trees["vlan-notes/index.html"]
    assert vlan.find(".//dl[@class='option-list']") is not None
    assert vlan.find(".//div[@class='highlight language-bash']") is not None
    assert trees["sphinx-notes/index.html"].find(".//dl[@class='field-list']") is not None
    cafe = trees["cafe-au-lait/index.html"]
    lines = cafe.findall(".//div[@class='line-block']/div")
    assert len(lines) >= 3
    assert cafe.find(".//blockquote[@class='epigraph']") is not None
    zfs = trees["zfs-snapshots/index.html"]
    ol = next(o for o in zfs.iter("ol") if o.get("type") == "a")
    assert ol.get("start") == "3"


def test_math_embeds_and_fallbacks(site, trees) -> None:
    _, report, _ = site
    home = trees["local-first-home-automation/index.html"]
    maths = [s for s in home.iter() if s.get("class") == "math"]
    assert any(m.tag == "span" and m.text.startswith("\\(") for m in maths)
    assert any(m.tag == "div" and "\\frac{86400}{t}" in m.text for m in maths)
    assert not [s for s in home.iter("script")]  # MathJax is off by default; gists are links
    iframes = [f.get("src") for f in home.iter("iframe")]
    assert iframes == [
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        "https://player.vimeo.com/video/123456",
    ]
    assert "https://gist.github.com/someone/abc123" in hrefs_of(home)
    power = trees["power-usage/index.html"]
    chart = power.find(".//div[@data-directive='chart']")
    assert chart is not None and chart.get("data-arguments") == "bar"
    assert "Monthly energy (kWh)" in chart.get("data-options")
    assert "   Jan, 31\n   Feb, 29\n" in chart.find("pre").text
    jira = power.find(".//span[@data-role='jira']")
    assert jira.text == "PROJ-12"
    codes = {d.code for d in result_for(report, "20260128-power-usage.rst").diagnostics}
    assert {"unmapped-directive", "unmapped-role"} <= codes


def test_assets_are_copied(site, trees) -> None:
    out, _, _ = site
    for rel, tree in trees.items():
        for img in tree.iter("img"):
            assert (out / rel).parent.joinpath(img.get("src")).resolve().is_file(), (rel, img.get("src"))
    assert (out / "assets/rstblog/2012/06/17/serial-console-server/wiring.png").is_file()


def newest_first(tree) -> list[str]:
    """The post links of a listing page, in order."""
    return [h.find("a").get("href") for h in tree.iter("h2") if h.get("class") == "post-item-title"]


def test_index_lists_posts_newest_first(site, trees) -> None:
    _, report, docs = site
    listed = newest_first(trees["index.html"])
    expected = sorted(docs.values(), key=lambda d: d.meta.date, reverse=True)
    assert len(listed) == len(docs) == 11
    want = [next(r.outputs[0] for r in report.results if r.source.endswith(n)) for n in docs]
    assert sorted(listed) == sorted(want)
    dates = []
    for href in listed:
        t = trees[href].find(".//time[@class='published']")
        dates.append(datetime.fromisoformat(t.get("datetime")))
    assert dates == sorted(dates, reverse=True)
    assert dates == [d.meta.date for d in expected]
    assert listed[0] == "power-usage/index.html" and listed[-1] == "serial-console-server/index.html"


def test_tag_and_category_pages(trees) -> None:
    homelab = newest_first(trees["tags/homelab/index.html"])
    assert homelab == [
        "../../local-first-home-automation/index.html",
        "../../vlan-notes/index.html",
        "../../serial-console-server/index.html",
    ]
    assert newest_first(trees["tags/home-automation/index.html"]) == [
        "../../local-first-home-automation/index.html"
    ]
    networking = newest_first(trees["categories/networking/index.html"])
    assert networking == [
        "../../dns-adblock/index.html",
        "../../vlan-notes/index.html",
        "../../pi-cluster/index.html",
    ]
    listing = trees["tags/index.html"]
    names = [
        a.text
        for a in listing.iter("a")
        if a.get("href", "").endswith("/index.html") and "/" in a.get("href")
    ]
    assert "home automation" in names and "raspberry pi" in names
    post = trees["pi-cluster/index.html"]
    tags = [a.get("href") for a in post.iter("a") if a.get("rel") == "tag"]
    assert tags == ["../tags/raspberry/index.html", "../tags/pi/index.html"]


def test_atom_feed(site) -> None:
    out, _, docs = site
    data = (out / "feed.xml").read_bytes()
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    published = [d for d in docs.values() if not d.meta.draft]
    assert len(entries) == len(published) == 10  # zfs-snapshots is a draft
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    for i in [*ids, feed.find(f"{ATOM}id").text]:
        assert urlsplit(i).scheme in ("tag", "https", "http"), i
    newest = max(d.meta.updated or d.meta.date for d in published)
    assert feed.find(f"{ATOM}updated").text == newest.isoformat()
    stamps = [datetime.fromisoformat(e.find(f"{ATOM}published").text) for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    first = entries[0]
    assert first.find(f"{ATOM}title").text == "Charting a Year of Power Usage"
    link = first.find(f"{ATOM}link").get("href")
    assert (out / link).is_file()
    content = first.find(f"{ATOM}content")
    assert content.get("type") == "html"
    assert "333 kWh" in content.text and "<p>" in content.text
    assert feed.find(f"{ATOM}author/{ATOM}name").text == "Sam Sample"


def test_redirects_from_old_urls(site, trees) -> None:
    out, _, _ = site
    rel = "2012/06/17/Serial-Console-Server-From-Spare-Parts/index.html"
    tree = trees[rel]
    refresh = tree.find(".//meta[@http-equiv='refresh']").get("content")
    target = refresh.split("url=", 1)[1]
    assert (out / rel).parent.joinpath(target).resolve() == (
        out / "serial-console-server/index.html"
    ).resolve()
    assert "blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/index.html" in trees


def test_output_is_deterministic(site, tmp_path) -> None:
    out, _, _ = site
    again = tmp_path / "again"
    cfg = Config.from_file(SAMPLES / "migrate.toml")
    convert(
        Job(
            sources=discover([SAMPLES]),
            target="html",
            out=again,
            config=cfg,
            roots=[SAMPLES],
            use_cache=False,
        )
    )

    def tree(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".migrate" not in p.relative_to(root).parts
        }

    first, second = tree(out), tree(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# --------------------------------------------------------------------------- security


def test_text_is_escaped_and_scripts_never_emitted() -> None:
    doc = post(
        Paragraph((Text('<script>alert("x")</script> & <b>bold</b>'),)),
        Paragraph((Link((Text("click"),), "javascript:alert(1)"),)),
        Paragraph((Link((Text("tabbed"),), " JaVa\tScRiPt:alert(1)"),)),
        Paragraph((Link((Text("data"),), "data:text/html,<script>alert(1)</script>"),)),
        Paragraph((Image("javascript:alert(1)", alt="evil"),)),
        Paragraph((Link((Text("quote"),), 'https://x.example/"onmouseover="alert(1)'),)),
        Comment("--> <script>alert(1)</script> <!--"),
        Heading(1, (Text("<img src=x onerror=alert(1)>"),), id='x" onclick="alert(1)'),
        Div((Paragraph((Text("inner"),)),), name="my<dir>", options={"a": '"><script>'}),
        Embed("youtube", '"><script>alert(1)</script>'),
        title="<script>alert(1)</script>",
    )
    ctx = post_ctx()
    html = HtmlEmitter().emit(doc, ctx)
    tree = parse_strict(html)
    assert [s for s in tree.iter("script")] == []
    for el in tree.iter():
        for name, value in el.items():
            assert not name.lower().startswith("on"), (el.tag, name)
            assert "javascript" not in value.lower().replace("\t", ""), (el.tag, name, value)
            assert not value.lower().startswith("data:text"), value
    text = visible_text(tree)
    assert '<script>alert("x")</script> & <b>bold</b>' in text
    assert "click" in text and "evil" in text
    assert tree.find(".//title").text.startswith("<script>")
    assert {c for c, _ in [(d.code, d) for d in ctx.diagnostics]} >= {"unsafe-link"}
    assert "&lt;script&gt;" in html and "<b>" not in html


def test_raw_html_only_when_enabled() -> None:
    doc = post(
        RawBlock("html", '<div class="widget">W</div>'), Paragraph((RawInline("html", "<mark>m</mark>"),))
    )
    ctx = post_ctx()
    off = body(HtmlEmitter().emit(doc, ctx))
    assert '<div class="widget">' not in off and '&lt;div class="widget"&gt;W&lt;/div&gt;' in off
    assert "<mark>" not in off and "&lt;mark&gt;m&lt;/mark&gt;" in off
    assert {d.code for d in ctx.diagnostics} == {"raw-escaped"}
    on_ctx = post_ctx(config=Config(raw=True))
    on = body(HtmlEmitter().emit(doc, on_ctx))
    assert '<div class="widget">W</div>' in on and "<mark>m</mark>" in on
    assert on_ctx.diagnostics == []


# --------------------------------------------------------------------------- renderer details


def test_ids_are_kept_exactly_and_never_duplicated() -> None:
    doc = post(
        Target("label-before"),
        Heading(1, (Text("Power budget"),), id="power-budget", extra_ids=("label-before", "old-id")),
        Heading(1, (Text("Again"),), id="power-budget"),
        Paragraph(
            (Span((Text("here"),), id="inline-anchor"), Link((Text("up"),), "#power-budget", kind="anchor"))
        ),
    )
    tree = parse_strict(HtmlEmitter().emit(doc, post_ctx()))
    all_ids = [el.get("id") for el in tree.iter() if el.get("id")]
    assert len(all_ids) == len(set(all_ids))
    assert {"power-budget", "label-before", "old-id", "inline-anchor"} <= set(all_ids)
    assert tree.find(".//h2[@id='power-budget']") is not None


def test_code_languages_and_inline_code() -> None:
    doc = post(
        CodeBlock("def f(x):\n    return x  # note\n", "python", line_numbers=True, emphasize_lines=(2,)),
        CodeBlock("plain <text>", "no-such-language-xyz"),
        CodeBlock("echo hi", "", caption="A caption"),
        Paragraph(
            (
                Code("print(1)", language="python", role="code"),
                Code("C-x", role="kbd"),
                Code("/etc/x", role="file"),
            )
        ),
    )
    ctx = post_ctx()
    page = HtmlEmitter().emit(doc, ctx)
    tree = parse_strict(page)
    html = body(page)
    assert '<div class="highlight language-python">' in html
    assert '<span class="k">def</span>' in html and '<span class="hll">' in html
    assert "plain &lt;text&gt;" in html
    assert [d.code for d in ctx.diagnostics] == ["unknown-language"]
    assert tree.find(".//figure/figcaption").text == "A caption"
    assert "<kbd>C-x</kbd>" in html and 'data-role="file"' in html
    assert '<code class="highlight language-python" data-role="code">' not in html  # code role is plain
    code = next(c for c in tree.iter("code") if c.get("class", "").startswith("highlight"))
    assert "".join(code.itertext()) == "print(1)"


def test_table_header_rows_stub_columns_and_caption() -> None:
    P = lambda s: (Paragraph((Text(s),)),)  # noqa: E731
    t = Table(
        head=(
            Row((Cell(P("h1")), Cell(P("h2"), colspan=2))),
            Row((Cell(P("a")), Cell(P("b")), Cell(P("c")))),
        ),
        body=(
            Row((Cell(P("stub"), rowspan=2), Cell(P("x")), Cell(P("y")))),
            Row((Cell(P("z")), Cell(P("w")))),
        ),
        caption=(Text("Cap"),),
        stub_columns=1,
        aligns=("left", "right", "center"),
        id="tbl",
    )
    tree = parse_strict(HtmlEmitter().emit(post(t), post_ctx()))
    table = tree.find(".//table[@id='tbl']")
    assert table.find("caption").text == "Cap"
    assert len(table.findall("thead/tr")) == 2
    assert table.find("thead/tr/th[@colspan='2']").text == "h2"
    stub = table.find("tbody/tr/th")
    assert stub.text == "stub" and stub.get("rowspan") == "2" and stub.get("scope") == "row"


def test_math_choice_and_mathjax_option() -> None:
    doc = post(Paragraph((Math("a^2 < b"),)), MathBlock("x = y", label="eq-1"))
    html = HtmlEmitter().emit(doc, post_ctx())
    assert '<span class="math">\\(a^2 &lt; b\\)</span>' in html
    assert '<div id="eq-1" class="math">\\[x = y\\]</div>' in html
    assert "<script" not in html
    jax = HtmlEmitter().emit(doc, post_ctx(math="mathjax"))
    assert '<script id="MathJax-script" async src="https://cdn.jsdelivr.net/' in jax
    no_math = HtmlEmitter().emit(post(Paragraph((Text("x"),))), post_ctx(math="mathjax"))
    assert "<script" not in no_math


def test_footnote_with_two_references_links_back_to_both() -> None:
    doc = post(
        Paragraph((Text("One"), FootnoteRef("1"), Text(" two"), FootnoteRef("1"), FootnoteRef("missing"))),
        Footnote("1", (Paragraph((Text("Note."),)),)),
    )
    ctx = post_ctx()
    tree = parse_strict(HtmlEmitter().emit(doc, ctx))
    note = tree.find(".//aside[@id='fn-1']")
    back = [a.get("href") for a in note.iter("a")]
    assert back == ["#fnref-1", "#fnref-1-2"]
    assert {"fnref-1", "fnref-1-2"} <= ids_of(tree)
    assert "missing-footnote" in {d.code for d in ctx.diagnostics}


def test_linker_paths() -> None:
    assert page_path("/pi-cluster/") == "pi-cluster/index.html"
    assert page_path("/2013/09/x/") == "2013/09/x/index.html"
    assert page_path("/x/", standalone=True) == "x.html"
    assert page_path("/a/b.html") == "a/b.html"
    lk = Linker("pi-cluster/index.html")
    assert lk.url("/vlan-notes/#sec") == "../vlan-notes/index.html#sec"
    assert lk.url("assets/images/a.png") == "../assets/images/a.png"
    assert lk.url("/") == "../index.html"
    assert Linker("index.html").url("/tags/x/") == "tags/x/index.html"
    assert Linker("x/index.html", relative=False).url("assets/a.png") == "/assets/a.png"


def test_permalink_pattern_moves_pages_and_links(tmp_path) -> None:
    cfg = Config(html_permalink="/{year}/{slug}/")
    doc = post(Paragraph((Text("x"),)), slug="hello")
    ctx = post_ctx(config=cfg)
    assert HtmlEmitter().output_path(doc, ctx) == "2020/hello/index.html"
    html = HtmlEmitter().emit(doc, ctx)
    assert 'href="../../static/style.css"' in html


# --------------------------------------------------------------------------- options


def test_standalone_page(tmp_path) -> None:
    doc = post(
        CodeBlock("x = 1", "python"),
        Paragraph((Link((Text("other"),), "/other/#s", kind="post"),)),
        slug="one",
    )
    ctx = post_ctx(standalone_page=True)
    e = HtmlEmitter()
    assert e.output_path(doc, ctx) == "one.html"
    html = e.emit(doc, ctx)
    parse_strict(html)
    assert "<style>" in html and ".highlight .k" in html and "--accent" in html
    assert "<link " not in html and 'class="site-nav"' not in html
    assert 'href="other.html#s"' in html
    assert e.site_files([doc], ctx) == []


def test_standalone_through_the_cli_stdin() -> None:
    src = "Title\n=====\n\n:date: 2020-01-02\n\nSome *text* and ``code``.\n\n.. code-block:: python\n\n   import os\n"
    r = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "convert", "-", "--to", "html", "--standalone-page"],
        input=src,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    tree = parse_strict(r.stdout)
    assert tree.find(".//h1").text == "Title"
    assert '<span class="kn">import</span>' in r.stdout and "<style>" in r.stdout


def test_templates_override_file_by_file(tmp_path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "post.html").write_text(
        '{% extends "base.html" %}{% block content %}<article class="custom">{{ post.title }}{{ body }}</article>{% endblock %}\n',
        encoding="utf-8",
    )
    (tpl / "style.css").write_text("body { color: rebeccapurple; }\n", encoding="utf-8")
    doc = post(Paragraph((Text("Hello words"),)), tags=("a",))
    ctx = post_ctx(templates=str(tpl))
    e = HtmlEmitter()
    html = e.emit(doc, ctx)
    assert '<article class="custom">A post<p>Hello words</p></article>' in html
    assert "site-nav" in html  # base.html still the shipped one
    files = dict(e.site_files([doc], ctx))
    assert files["static/style.css"] == "body { color: rebeccapurple; }\n"
    assert ".highlight" in files["static/pygments.css"]
    assert "post-list" in files["index.html"]  # shipped index template
    for rel, text in files.items():
        if rel.endswith(".html"):
            parse_strict(text)


def test_cli_builds_a_site_with_templates_and_options(tmp_path) -> None:
    tpl = tmp_path / "tpl"
    tpl.mkdir()
    (tpl / "index.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>Custom index</h1>'
        '{% for p in posts %}<a class="p" href="{{ p.url }}">{{ p.title }}</a>{% endfor %}{% endblock %}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = subprocess.run(
        [
            sys.executable, "-m", "migrate.cli", "convert", str(SAMPLES / "20130905-pi-cluster.rst"),
            str(SAMPLES / "20130917-vlan-notes.rst"), "--to", "html", "--out", str(out),
            "--config", str(SAMPLES / "migrate.toml"), "--templates", str(tpl),
            "-O", "site_title=Sam's lab", "-O", "base_url=https://lab.example.org",
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr + r.stdout
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<h1>Custom index</h1>" in index and "Sam&#39;s lab" in index
    assert index.index("vlan-notes/index.html") < index.index("pi-cluster/index.html")
    feed = ET.fromstring((out / "feed.xml").read_bytes())
    assert feed.find(f"{ATOM}id").text == "https://lab.example.org/"
    ids = [e.find(f"{ATOM}id").text for e in feed.findall(f"{ATOM}entry")]
    assert ids == ["https://lab.example.org/vlan-notes/", "https://lab.example.org/pi-cluster/"]
    vlan = (out / "vlan-notes/index.html").read_text(encoding="utf-8")
    assert 'href="../pi-cluster/index.html#power-budget"' in vlan


def test_bad_options_are_reported() -> None:
    doc = post(Paragraph((Text("x"),)))
    with pytest.raises(migrate.MigrateError, match="templates directory"):
        HtmlEmitter().emit(doc, post_ctx(templates="/no/such/dir"))
    with pytest.raises(migrate.MigrateError, match="math"):
        HtmlEmitter().emit(doc, post_ctx(math="mathml"))


def test_terms_that_slugify_alike_share_one_page() -> None:
    a = post(Paragraph((Text("a"),)), slug="a", tags=("C++",), categories=("Dev",))
    b = post(Paragraph((Text("b"),)), slug="b", tags=("c",), date=datetime(2021, 1, 1, tzinfo=UTC))
    ctx = post_ctx()
    e = HtmlEmitter()
    files = dict(e.site_files([a, b], ctx))
    page = parse_strict(files["tags/c/index.html"])
    assert [h.find("a").get("href") for h in page.iter("h2") if h.get("class") == "post-item-title"] == [
        "../../b/index.html",
        "../../a/index.html",
    ]
    assert 'href="../tags/c/index.html"' in e.emit(a, ctx) and 'href="../tags/c/index.html"' in e.emit(b, ctx)
    assert "categories/dev/index.html" in files and "tags/c-2/index.html" not in files


def test_root_absolute_urls_option() -> None:
    doc = post(
        Paragraph((Link((Text("o"),), "/other/#s", kind="post"), Image("assets/images/x.png", alt="x"))),
        slug="one",
        tags=("t",),
    )
    html = HtmlEmitter().emit(doc, post_ctx(relative_urls="false"))
    assert 'href="/other/#s"' in html and 'src="/assets/images/x.png"' in html
    assert 'href="/static/style.css"' in html and 'href="/tags/t/"' in html
