"""The whole reader (decode, front matter, sidecar, rST, metadata) over every real post of
``../shared/corpus``: no crash, a title and a date for each post, the right dialect, and
exact normalized metadata for at least one post of every dialect.

Every test here skips cleanly when the corpus is not beside the checkout.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import CORPUS, corpus_posts

from migrate.config import Config, MetaDirective
from migrate.errors import SourceError
from migrate.model import Div, Document, Heading, walk
from migrate.reading import read

UTC = timezone.utc
POSTS = corpus_posts()
skip_without_corpus = pytest.mark.skipif(
    not POSTS, reason="../shared/corpus is not present beside the checkout"
)

#: What samples/migrate.toml teaches: rstblog's `.. rstblog-settings::` directive.
RSTBLOG = MetaDirective("rstblog-settings", dialect="rstblog", fields={"url": "aliases"})
CONFIG = Config(meta_directives=(RSTBLOG,))

#: Posts that genuinely carry no date anywhere (metadata, file name, folders).  Exact: a
#: post leaving or joining this list is a regression (or a fix) that must be looked at.
NO_DATE = {
    "ablog/ablog-v0.3-released.rst",  # release note without `.. post::`: a plain Sphinx page
    "other/pgcli__pages__3.faq.rst",  # a Pelican *page*
    "other/tinkerer__doc__tinkering.rst",  # Tinkerer documentation page
    "pelican/draft_article_without_date.rst",  # Pelican's own sample of exactly that
    "pelican/pages__hidden_page.rst",  # Pelican pages
    "pelican/pages__test_page.rst",
}


def rel(p: Path) -> str:
    return p.relative_to(CORPUS).as_posix()


_CACHE: dict[str, Document] = {}


def doc_of(name: str) -> Document:
    if name not in _CACHE:
        _CACHE[name] = read(CORPUS / name, config=CONFIG)
    return _CACHE[name]


@skip_without_corpus
def test_corpus_has_every_dialect_folder():
    folders = {rel(p).split("/")[0] for p in POSTS}
    assert folders == {"ablog", "nikola", "other", "pelican", "tinkerer-ablog", "yaml-frontmatter"}
    assert len(POSTS) == 96  # .meta sidecars are not posts


@skip_without_corpus
@pytest.mark.parametrize("post", POSTS, ids=rel)
def test_every_corpus_post_reads(post: Path):
    doc = doc_of(rel(post))
    codes = {d.code for d in doc.diagnostics}
    assert not codes & {"rst-crash", "rst-walk", "plugin-error"}, doc.diagnostics
    assert doc.blocks, "no body"
    assert doc.meta.title.strip() and "no-title" not in codes, doc.diagnostics
    if rel(post) in NO_DATE:
        assert doc.meta.date is None and "no-date" in codes
    else:
        assert doc.meta.date is not None and doc.meta.date.tzinfo is not None, doc.diagnostics
    assert all(d.path for d in doc.diagnostics)
    assert all(d.line > 0 for d in doc.diagnostics if d.severity != "info" and d.code != "no-date")
    assert Document.from_json(doc.to_json()) == doc


@skip_without_corpus
def test_the_no_date_list_is_exact():
    undated = {rel(p) for p in POSTS if doc_of(rel(p)).meta.date is None}
    assert undated == NO_DATE


def _expected_dialect(name: str) -> str:
    special = {
        "ablog/ablog-v0.3-released.rst": "none",
        "nikola/f-rest-1-compiler.rst": "pelican",  # Nikola's "compiler" extractor = docinfo
        "nikola/f-rest-1-toml.rst": "toml",
        "nikola/f-rest-1-yaml.rst": "yaml",
        "pelican/2012-11-30_filename-metadata.rst": "filename",
        "other/pgcli__pages__3.faq.rst": "none",
        "other/tinkerer__doc__tinkering.rst": "none",
    }
    if name in special:
        return special[name]
    if name.startswith("nikola/"):
        sidecar = (CORPUS / name).with_suffix(".meta").is_file()
        return "nikola-meta" if sidecar else "nikola"
    for prefix, dialect in (
        ("yaml-frontmatter/", "yaml"),
        ("pelican/", "pelican"),
        ("ablog/", "ablog"),
        ("tinkerer-ablog/tinkerer/", "tinkerer"),
        ("tinkerer-ablog/readthedocs-blog/", "ablog"),
        ("other/kcuzner-rstblog/", "rstblog"),
    ):
        if name.startswith(prefix):
            return dialect
    raise AssertionError(f"no expectation for {name}")


@skip_without_corpus
def test_every_dialect_is_detected():
    got = {rel(p): doc_of(rel(p)).source.dialect for p in POSTS}
    assert got == {name: _expected_dialect(name) for name in got}


# --------------------------------------------------------------------------- one post per dialect

D = datetime


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


EXPECTED = {
    # YAML front matter: one comma string of categories, one space string of tags
    "yaml-frontmatter/20130418-ods.rst": dict(
        title="OpenStack Developer Summit",
        date=D(2013, 4, 19, 19, 4, tzinfo=UTC),
        tags=("openstack", "summit"),
        categories=("OpenStack",),
        authors=("dtroyer",),
        slug="ods",
        draft=False,
    ),
    "yaml-frontmatter/20130917-devstack-local-config.rst": dict(
        title="DevStack Local Config",
        date=D(2013, 9, 7, 9, 17, tzinfo=UTC),
        tags=("steam",),
        categories=("OpenStack", "DevStack"),
        slug="devstack-local-config",
    ),
    "yaml-frontmatter/20131008-voting.rst": dict(draft=True),
    # Pelican: title + field list; `2015-1-6` and `2016/06/28` date shapes; :status: draft
    "pelican/pgcli__launch.rst": dict(
        title="Launching pgcli",
        date=D(2015, 1, 6, tzinfo=UTC),
        tags=("python", "postgres"),
        categories=("Blog",),
        slug="launch",
    ),
    "pelican/pgcli__release_1.0.0.rst": dict(
        title="Release v1.0.0", date=D(2016, 6, 28, tzinfo=UTC), slug="v1.0.0"
    ),
    "pelican/draft_article.rst": dict(
        title="A draft article", date=D(2011, 5, 8, 15, 58, tzinfo=UTC), draft=True
    ),
    "pelican/draft_article_without_date.rst": dict(date=None, draft=True),
    "pelican/pages__hidden_page.rst": dict(draft=False, categories=("test",), extra={"status": "hidden"}),
    "pelican/super_article.rst": dict(
        title="This is a super article !",
        date=D(2010, 12, 2, 10, 14, tzinfo=UTC),
        updated=D(2013, 11, 17, 23, 29, tzinfo=UTC),
        tags=("foo", "bar", "foobar"),
        categories=("yeah",),
        authors=("Alexis Métaireau",),
        summary="Multi-line metadata should be supported as well as inline markup.",
    ),
    "pelican/2012-11-30_filename-metadata.rst": dict(
        title="FILENAME_METADATA example", date=D(2012, 11, 30, tzinfo=UTC), slug="filename-metadata"
    ),
    # Nikola: comments (`UTC-03:00` offset), .meta sidecars (legacy line-per-field)
    "nikola/author-pages-in-nikola-770.rst": dict(
        title="Author pages in Nikola v7.7.0",
        date=D(2015, 9, 4, 12, 40, tzinfo=tz(-3)),
        tags=("nikola", "authors"),
        categories=("Features",),
        authors=("Juanjo Conti",),
        slug="author-pages-in-nikola-v770",
    ),
    "nikola/nikola-is-near.txt": dict(
        title="Nikola is Near",
        date=D(2012, 3, 28, 22, 59, tzinfo=UTC),
        tags=("python", "nikola", "programming"),
        slug="nikola-is-near",
    ),
    "nikola/f-rest-2-toml.rst": dict(title="T: reST, 2, TOML", date=D(2017, 7, 1, tzinfo=UTC)),
    # ABlog: `.. post::` (after the title, or before it), and the `:blogpost: true` field list
    "ablog/ablog-v0.2-released.rst": dict(
        title="ABlog v0.2 released",
        date=D(2014, 8, 31, tzinfo=UTC),
        authors=("Ahmet",),
        categories=("Release",),
        extra={"location": "SF"},
    ),
    "ablog/ablog-v0.1-released.rst": dict(
        title="ABlog v0.1 released",
        date=D(2014, 5, 14, tzinfo=UTC),
        tags=("tips",),
        categories=("Release",),
        authors=("Ahmet",),
    ),
    "tinkerer-ablog/readthedocs-blog/adding-markdown-support.rst": dict(
        title="Read the Docs & Sphinx now support Commonmark",
        date=D(2015, 10, 16, tzinfo=UTC),
        tags=("commonmark", "markdown", "feature"),
    ),
    # Tinkerer: directives at the end, the date only in the YYYY/MM/DD folders
    "tinkerer-ablog/tinkerer/2012/07/05/tinkerer_0_4_beta_released.rst": dict(
        title="Tinkerer 0.4 Beta Released",
        date=D(2012, 7, 5, tzinfo=UTC),
        tags=("tinkerer", "release"),
        categories=("tinkerer",),
        slug="tinkerer_0_4_beta_released",
    ),
    # rstblog, taught through meta_directives: `9 March 2025` and `2009/02/13`
    "other/kcuzner-rstblog/posts/0004-vhdl-access-types/vhdl-access-types.rst": dict(
        title='Using "access" types and "new" in VHDL',
        date=D(2025, 3, 9, tzinfo=UTC),
        tags=("vhdl", "fpga"),
        aliases=("vhdl-access-types",),
    ),
    "other/kcuzner-rstblog/posts/2009/02/13/not-so-temporary/index.rst": dict(
        title="Not so temporary...",
        date=D(2009, 2, 13, tzinfo=UTC),
        tags=("server", "websites"),
        aliases=("/2009/02/13/not-so-temporary",),
        slug="not-so-temporary",
    ),
}


@skip_without_corpus
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_normalized_metadata(name: str):
    meta = doc_of(name).meta
    for field, expected in EXPECTED[name].items():
        got = getattr(meta, field)
        if field == "extra":
            assert {k: got.get(k) for k in expected} == expected
        else:
            assert got == expected, field
        if isinstance(expected, datetime):
            assert got.utcoffset() == expected.utcoffset()


@skip_without_corpus
def test_title_is_promoted_past_metadata_before_it():
    """ABlog's field list (v0.1) or `.. post::` (RTD blog) before the title: the title is
    still the post title, not a body heading."""
    for name in (
        "ablog/ablog-v0.1-released.rst",
        "tinkerer-ablog/readthedocs-blog/adding-markdown-support.rst",
    ):
        doc = doc_of(name)
        headings = [b for b in walk(doc.blocks) if isinstance(b, Heading)]
        assert doc.meta.title not in [h.content[0].text for h in headings if h.content]
        assert "no-title" not in {d.code for d in doc.diagnostics}


@skip_without_corpus
def test_rstblog_needs_teaching():
    """Without meta_directives the rstblog posts keep the directive (as a Div) and warn."""
    name = "other/kcuzner-rstblog/posts/0004-vhdl-access-types/vhdl-access-types.rst"
    doc = read(CORPUS / name)
    assert doc.source.dialect == "none" and doc.meta.date is None
    (div,) = [b for b in doc.blocks if isinstance(b, Div) and b.name == "rstblog-settings"]
    assert div.options["date"] == "9 March 2025"
    assert [(d.code, d.line) for d in doc.diagnostics if d.code == "unknown-directive"] == [
        ("unknown-directive", 1)
    ]
    taught = doc_of(name)
    assert not [b for b in walk(taught.blocks) if isinstance(b, Div) and b.name == "rstblog-settings"]
    assert "unknown-directive" not in {d.code for d in taught.diagnostics}


@skip_without_corpus
def test_rstblog_taught_from_the_samples_config():
    """The documented way (samples/migrate.toml) gives the same result as CONFIG."""
    cfg = Config.from_file(Path(__file__).resolve().parents[1] / "samples" / "migrate.toml")
    for p in POSTS:
        if rel(p).startswith("other/kcuzner-rstblog/"):
            doc = read(p, config=cfg)
            assert doc.source.dialect == "rstblog"
            assert (doc.meta.title, doc.meta.date, doc.meta.tags) == (
                doc_of(rel(p)).meta.title,
                doc_of(rel(p)).meta.date,
                doc_of(rel(p)).meta.tags,
            )


@skip_without_corpus
def test_ambiguous_corpus_date_follows_file_name_or_config():
    """`:date: 07-01-2013` is ambiguous; the file name (2013.01) settles it, and an explicit
    date_order in the configuration is obeyed."""
    post = CORPUS / "pelican" / "notmyidea__2013.01.new-year-python-meme.rst"
    doc = doc_of(rel(post))
    assert doc.meta.date == datetime(2013, 1, 7, tzinfo=UTC)
    assert [(d.code, d.line) for d in doc.diagnostics if d.code == "date-disambiguated"] == [
        ("date-disambiguated", 4)
    ]
    doc = read(post, config=Config(date_order="mdy"))
    assert doc.meta.date == datetime(2013, 7, 1, tzinfo=UTC)
    text = post.read_text(encoding="utf-8")
    with pytest.raises(SourceError) as e:  # no file name to settle it, no date_order: an error
        read(text, path="new-year-python-meme.rst")
    assert (e.value.path, e.value.line) == ("new-year-python-meme.rst", 4) and "date_order" in str(e.value)
