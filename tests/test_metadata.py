"""Front matter dialects, sidecars and the merge into normalized Metadata."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from migrate.config import Config, MetaDirective
from migrate.errors import SourceError
from migrate.model import Heading, Paragraph, SummaryBreak, Text
from migrate.readers.base import MetaHit
from migrate.readers.metadata import FrontMatter, build_metadata, read_sidecar, split_front_matter

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
UTC = timezone.utc
NONE = FrontMatter({}, "", "")


def corpus_file(rel: str) -> Path:
    p = CORPUS / rel
    if not p.is_file():
        pytest.skip(f"corpus file {rel} is not present")
    return p


def build(
    path: str = "post.rst",
    front: FrontMatter = NONE,
    sidecar: FrontMatter | None = None,
    hits: tuple[MetaHit, ...] = (),
    title: str = "",
    blocks: tuple = (),
    config: Config | None = None,
):
    return build_metadata(
        path=path,
        front=front,
        sidecar=sidecar,
        hits=hits,
        title=title,
        blocks=blocks,
        config=config or Config(),
    )


# --------------------------------------------------------------------------- split_front_matter

YAML_POST = """---
title: DevStack Local Config
author: dtroyer
date: 2013-09-07 09:17:00
categories: OpenStack, DevStack
tags: steam
---

DevStack has long had...
"""


def test_yaml_front_matter_keeps_line_numbers() -> None:
    fm = split_front_matter(YAML_POST, "p.rst")
    assert fm.dialect == "yaml"
    assert fm.raw["title"] == "DevStack Local Config"
    assert fm.raw["date"] == "2013-09-07 09:17:00"  # dates stay text: parse_date reads them
    assert fm.lines == {"title": 2, "author": 3, "date": 4, "categories": 5, "tags": 6}
    assert fm.body.splitlines()[:8] == [""] * 8
    assert fm.body.splitlines()[8] == "DevStack has long had..."
    assert len(fm.body.splitlines()) == len(YAML_POST.splitlines())


def test_toml_front_matter() -> None:
    text = '+++\ntitle = "T"\nslug = "s"\ntags = "a,b"\n\n[extra]\ndate = 1\n+++\nBody\n'
    fm = split_front_matter(text)
    assert fm.dialect == "toml"
    assert fm.raw == {"title": "T", "slug": "s", "tags": "a,b", "extra": {"date": 1}}
    assert fm.lines == {"title": 2, "slug": 3, "tags": 4}
    assert fm.body.split("\n")[8] == "Body"


def test_nikola_comment_metadata() -> None:
    text = (
        ".. title: T: reST, 1, Nikola\n"
        ".. slug: s\n"
        ".. category:\n"
        ".. link: \n"
        ".. date: 2017-07-01 00:00:00 UTC\n"
        "\n"
        ".. note:: a directive, not metadata\n"
    )
    fm = split_front_matter(text)
    assert fm.dialect == "nikola"
    assert fm.raw == {
        "title": "T: reST, 1, Nikola",
        "slug": "s",
        "category": "",
        "link": "",
        "date": "2017-07-01 00:00:00 UTC",
    }
    assert fm.lines["date"] == 5
    assert fm.body == "\n" * 5 + "\n.. note:: a directive, not metadata\n"


@pytest.mark.parametrize(
    "text",
    [
        ".. note:: Not metadata\n",
        ".. _target: http://example.com\n",
        ".. |sub| image:: x.png\n",
        "Title\n=====\n\n:date: 2013-01-01\n",
        "",
    ],
)
def test_no_front_matter(text: str) -> None:
    fm = split_front_matter(text)
    assert fm.dialect == "" and fm.raw == {} and fm.body == text


def test_rst_overline_title_is_not_yaml() -> None:
    text = "---\nHi\n---\n\nBody\n"
    assert split_front_matter(text).dialect == ""


def test_invalid_yaml_names_file_and_line() -> None:
    text = "---\ntitle: ok\ntags: [a, b\ndate: 2013-01-01\n---\nBody\n"
    with pytest.raises(SourceError) as e:
        split_front_matter(text, "bad.rst")
    assert e.value.path == "bad.rst"
    assert e.value.line in (4, 5)  # the line where PyYAML notices the unclosed list
    assert "invalid YAML front matter" in str(e.value)
    assert str(e.value).startswith(f"bad.rst:{e.value.line}: ")


def test_invalid_yaml_bad_indent_line() -> None:
    text = "---\ntitle: ok\n  bad: indent: here\n---\n"
    with pytest.raises(SourceError) as e:
        split_front_matter(text, "bad.rst")
    assert e.value.line == 3


def test_yaml_not_a_mapping() -> None:
    with pytest.raises(SourceError, match="must be a mapping.*not a list") as e:
        split_front_matter("---\n- a\n- b\n---\nBody\n", "list.rst")
    assert (e.value.path, e.value.line) == ("list.rst", 2)


def test_unclosed_front_matter() -> None:
    with pytest.raises(SourceError, match="front matter opened at line 1 .* is never closed") as e:
        split_front_matter("---\ntitle: x\n\nBody text\n", "open.rst")
    assert (e.value.path, e.value.line) == ("open.rst", 1)
    with pytest.raises(SourceError, match="never closed"):
        split_front_matter('+++\ntitle = "x"\n', "open.rst")


def test_invalid_toml_names_line() -> None:
    with pytest.raises(SourceError, match="invalid TOML") as e:
        split_front_matter('+++\ntitle = "x"\nbroken line\n+++\n', "t.rst")
    assert e.value.line == 3


def test_empty_yaml_block() -> None:
    fm = split_front_matter("---\n---\nBody\n")
    assert fm.dialect == "yaml" and fm.raw == {} and fm.body == "\n\nBody\n"


# --------------------------------------------------------------------------- sidecars


def test_sidecar_styles(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Body\n")
    assert read_sidecar(post) is None

    (tmp_path / "post.meta").write_text(".. title: A\n.. slug: a\n.. date: 2012/08/17 10:10:03\n")
    sc = read_sidecar(post)
    assert sc is not None and sc.dialect == "nikola"
    assert sc.raw == {"title": "A", "slug": "a", "date": "2012/08/17 10:10:03"}
    assert sc.source == str(tmp_path / "post.meta") and sc.lines["date"] == 3 and sc.body == ""

    (tmp_path / "post.meta").write_text('+++\ntitle = "B"\n+++\n')
    assert read_sidecar(post).raw == {"title": "B"}

    (tmp_path / "post.meta").write_text("---\ntitle: C\n---\n")
    assert read_sidecar(post).raw == {"title": "C"}


def test_legacy_line_per_field_sidecar(tmp_path: Path) -> None:
    post = tmp_path / "old.txt"
    (tmp_path / "old.meta").write_text(
        "Nikola is Near\nnikola-is-near\n2012/03/28 22:59\npython,nikola\n\nA teaser\n"
    )
    sc = read_sidecar(post)
    assert sc is not None
    assert sc.raw["title"] == "Nikola is Near"
    assert sc.raw["slug"] == "nikola-is-near"
    assert sc.raw["tags"] == "python,nikola"
    assert sc.lines["date"] == 3
    meta, dialect, _ = build(path=str(post), sidecar=sc)
    assert dialect == "nikola-meta"
    assert meta.date == datetime(2012, 3, 28, 22, 59, tzinfo=UTC)
    assert meta.tags == ("python", "nikola")
    assert meta.summary == "A teaser"


def test_bad_date_in_sidecar_names_the_meta_file(tmp_path: Path) -> None:
    post = tmp_path / "p.rst"
    (tmp_path / "p.meta").write_text(".. title: X\n.. date: 2013-02-30\n")
    with pytest.raises(SourceError) as e:
        build(path=str(post), sidecar=read_sidecar(post))
    assert e.value.path == str(tmp_path / "p.meta") and e.value.line == 2


# --------------------------------------------------------------------------- build_metadata


def test_yaml_post_normalized() -> None:
    fm = split_front_matter(YAML_POST, "_posts/20130917-devstack-local-config.rst")
    meta, dialect, diags = build(path="_posts/20130917-devstack-local-config.rst", front=fm)
    assert dialect == "yaml"
    assert meta.title == "DevStack Local Config"
    assert meta.date == datetime(2013, 9, 7, 9, 17, tzinfo=UTC)
    assert meta.authors == ("dtroyer",)
    assert meta.categories == ("OpenStack", "DevStack")
    assert meta.tags == ("steam",)
    assert meta.slug == "devstack-local-config"
    assert meta.draft is False and meta.extra == {} and diags == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("openstack summit", ("openstack", "summit")),
        ("OpenStack, DevStack", ("OpenStack", "DevStack")),
        ("meta,reST,onefile", ("meta", "reST", "onefile")),
        ("GitHub Actions, GitHub, automation", ("GitHub Actions", "GitHub", "automation")),
        (["a", "b", "a", " ", 3], ("a", "b", "3")),
        ("a, , b,a", ("a", "b")),
    ],
)
def test_tag_splitting(value, expected) -> None:
    meta, _, _ = build(front=FrontMatter({"tags": value}, "yaml", ""))
    assert meta.tags == expected


def test_separators_are_configurable() -> None:
    cfg = Config(tag_separators=";", category_separators="|")
    fm = FrontMatter({"tags": "a b;c", "category": "x y|z"}, "yaml", "")
    meta, _, _ = build(front=fm, config=cfg)
    assert meta.tags == ("a b", "c") and meta.categories == ("x y", "z")


def test_date_sources_and_errors() -> None:
    fm = split_front_matter("---\ntitle: t\nmodified: 2013-11-17 23:29\ndate: 2013-02-30\n---\n", "x.rst")
    with pytest.raises(SourceError) as e:
        build(path="x.rst", front=fm)
    assert (e.value.path, e.value.line) == ("x.rst", 4)
    assert "day is out of range" in str(e.value)

    fm = split_front_matter(".. title: t\n.. date: 07-01-2013\n", "n.rst")
    with pytest.raises(SourceError, match='ambiguous.*date_order = "mdy"') as e:
        build(path="n.rst", front=fm)
    assert e.value.line == 2
    meta, _, _ = build(path="n.rst", front=fm, config=Config(date_order="dmy"))
    assert meta.date == datetime(2013, 1, 7, tzinfo=UTC)


def test_updated_and_timezone() -> None:
    fm = FrontMatter({"date": "2010-12-02 10:14", "modified": "2013-11-17 23:29"}, "yaml", "")
    meta, _, _ = build(front=fm, config=Config(timezone="Europe/Paris"))
    assert meta.date.utcoffset() == timedelta(hours=1)
    assert meta.updated == datetime(2013, 11, 17, 22, 29, tzinfo=UTC)


def test_date_from_path_when_metadata_has_none() -> None:
    meta, dialect, diags = build(
        path="blog/2012/07/05/x.rst", title="X", config=Config(timezone="Asia/Tokyo")
    )
    assert meta.date == datetime(2012, 7, 5, tzinfo=timezone(timedelta(hours=9)))
    assert meta.date.tzinfo is not None and meta.date.hour == 0
    assert dialect == "filename"
    assert [d.code for d in diags] == ["date-from-path"] and diags[0].severity == "info"


def test_metadata_date_beats_path() -> None:
    fm = FrontMatter({"date": "2013-09-07 09:17:00"}, "yaml", "")
    meta, _, diags = build(path="20130917-devstack-local-config.rst", front=fm, title="x")
    assert meta.date.day == 7 and not diags


def test_precedence_front_over_hits_over_title() -> None:
    fm = FrontMatter({"title": "Front"}, "yaml", "", {"title": 2})
    hit = MetaHit("pelican", {"title": "Hit", "slug": "from-hit", "date": "2012-01-01"}, line=4)
    meta, dialect, _ = build(front=fm, hits=(hit,), title="Doc title")
    assert (meta.title, meta.slug, dialect) == ("Front", "from-hit", "yaml")
    meta, dialect, _ = build(hits=(hit,), title="Doc title")
    assert (meta.title, dialect) == ("Hit", "pelican")
    meta, _, _ = build(title="Doc title")
    assert meta.title == "Doc title"


def test_front_matter_beats_sidecar() -> None:
    fm = FrontMatter({"title": "Front"}, "nikola", "")
    sc = FrontMatter({"title": "Side", "slug": "side"}, "nikola", "", source="p.meta")
    meta, dialect, _ = build(front=fm, sidecar=sc)
    assert (meta.title, meta.slug, dialect) == ("Front", "side", "nikola")


@pytest.mark.parametrize(
    ("raw", "draft"),
    [
        ({"status": "draft"}, True),
        ({"status": "published"}, False),
        ({"draft": True}, True),
        ({"draft": "yes"}, True),
        ({"draft": False}, False),
        ({"published": False}, True),
        ({"published": "true"}, False),
        ({"xdraft": True}, False),  # dtroyer's way of *un*-drafting: just an unknown key
        ({}, False),
    ],
)
def test_draft(raw, draft) -> None:
    meta, _, _ = build(front=FrontMatter(raw, "yaml", ""), title="t")
    assert meta.draft is draft


def test_nikola_draft_tag_is_a_flag() -> None:
    meta, _, _ = build(front=FrontMatter({"tags": "python, draft"}, "nikola", ""), title="t")
    assert meta.draft is True and meta.tags == ("python",)
    meta, _, _ = build(front=FrontMatter({"tags": "python, draft"}, "yaml", ""), title="t")
    assert meta.draft is False and meta.tags == ("python", "draft")


def test_pelican_hidden_status_is_kept() -> None:
    hit = MetaHit("pelican", {"category": "test", "status": "hidden"}, line=4)
    meta, _, diags = build(hits=(hit,), title="This is a test hidden page")
    assert meta.draft is False and meta.extra == {"status": "hidden"} and meta.categories == ("test",)
    assert not [d for d in diags if d.code == "unknown-metadata"]


def test_authors() -> None:
    meta, _, _ = build(front=FrontMatter({"author": "Juanjo Conti"}, "nikola", ""), title="t")
    assert meta.authors == ("Juanjo Conti",)
    meta, _, _ = build(
        hits=(MetaHit("ablog", {"author": "Ahmet, Mehmet", "date": "Mar 25, 2015"}),), title="t"
    )
    assert meta.authors == ("Ahmet", "Mehmet")
    meta, _, _ = build(front=FrontMatter({"authors": ["A", "B"]}, "yaml", ""), title="t")
    assert meta.authors == ("A", "B")
    meta, _, _ = build(title="t", config=Config(default_author="Jane"))
    assert meta.authors == ("Jane",)


def test_slug_strategies() -> None:
    fm = FrontMatter({"title": "OpenStack - Seven Layer Dip", "slug": "Explicit/../Slug"}, "yaml", "")
    path = "_posts/20130905-open-stack-layers.rst"
    meta, _, _ = build(path=path, front=fm)
    assert meta.slug == "Explicit-Slug"
    no_slug = FrontMatter({"title": "OpenStack - Seven Layer Dip"}, "yaml", "")
    assert build(path=path, front=no_slug)[0].slug == "open-stack-layers"
    assert (
        build(path=path, front=fm, config=Config(slug_strategy="title"))[0].slug
        == "openstack-seven-layer-dip"
    )
    assert build(path=path, front=fm, config=Config(slug_strategy="filename"))[0].slug == "open-stack-layers"
    assert build(path="<string>", front=no_slug)[0].slug == "openstack-seven-layer-dip"
    assert build(path="posts/2012/06/17/making-a-websocket-server/index.rst", title="x")[0].slug == (
        "making-a-websocket-server"
    )
    assert build(path="<string>", title="Deuxième", config=Config(unicode_slugs=True))[0].slug == "deuxième"


def test_summary_sources() -> None:
    blocks = (
        Paragraph((Text("First"), Text(" para."))),
        SummaryBreak(),
        Paragraph((Text("Rest."),)),
    )
    assert build(title="t", blocks=blocks)[0].summary == "First para."
    assert build(title="t", blocks=blocks[:1])[0].summary == ""
    fm = FrontMatter({"description": "From meta"}, "nikola", "")
    assert build(front=fm, title="t", blocks=blocks)[0].summary == "From meta"
    hit = MetaHit("pelican", {"summary": "Multi-line metadata should be supported\n    as well."})
    assert build(hits=(hit,), title="t")[0].summary == "Multi-line metadata should be supported as well."
    meta_hit = MetaHit("docutils-meta", {"description lang=en": "From docutils meta"}, line=6)
    post_hit = MetaHit("ablog", {"date": "Nov 14, 2022", "tags": "announcement, feature"}, line=1)
    meta, dialect, diags = build(hits=(meta_hit, post_hit), title="t")
    assert (meta.summary, dialect) == ("From docutils meta", "ablog")
    assert diags == []


def test_empty_values_are_dropped_quietly() -> None:
    fm = split_front_matter(".. title: T\n.. link:\n.. description:\n.. category: \n.. type: text\n")
    meta, _, diags = build(front=fm)
    assert meta.extra == {"type": "text"} and meta.summary == "" and meta.categories == ()
    assert [d.code for d in diags] == ["no-date"]


def test_unknown_keys_go_to_extra_with_a_diagnostic() -> None:
    fm = split_front_matter(
        "---\ntitle: t\nXDraft: true\nLicense: WTFPL\nseries:\n  name: s\n  when: 2013-01-01\n---\n", "u.rst"
    )
    meta, _, diags = build(path="u.rst", front=fm)
    assert meta.extra == {"xdraft": True, "license": "WTFPL", "series": {"name": "s", "when": "2013-01-01"}}
    json.dumps(meta.extra)
    unknown = {(d.line, d.severity) for d in diags if d.code == "unknown-metadata"}
    assert unknown == {(3, "info"), (4, "info"), (5, "info")}
    assert all(d.path == "u.rst" for d in diags)


def test_extra_is_json_safe_for_toml_datetimes() -> None:
    fm = split_front_matter("+++\ntitle = 't'\nreviewed = 2020-01-02T03:04:05Z\nday = 2020-01-02\n+++\n")
    meta, _, _ = build(front=fm)
    assert meta.extra == {"reviewed": "2020-01-02T03:04:05+00:00", "day": "2020-01-02"}


def test_aliases() -> None:
    hit = MetaHit("rstblog", {"title": "T", "url": "/2014/01/27/first-thoughts-on-the-teensy-3-1"}, 1)
    assert build(hits=(hit,))[0].aliases == ("/2014/01/27/first-thoughts-on-the-teensy-3-1",)
    fm = FrontMatter({"permalink": "http://x.org/x/blog/2013/09/07/devstack-local-config/"}, "yaml", "")
    assert build(front=fm, title="t")[0].aliases == ("http://x.org/x/blog/2013/09/07/devstack-local-config/",)
    hit = MetaHit("ablog", {"date": "Apr 8, 2015", "redirect": "old/a, old/b"}, 1)
    assert build(hits=(hit,), title="t")[0].aliases == ("old/a", "old/b")
    fm = FrontMatter({"link": "https://example.com/orig"}, "nikola", "")
    meta = build(front=fm, title="t")[0]
    assert meta.aliases == () and meta.extra == {"link": "https://example.com/orig"}


def test_user_taught_directive_fields_are_renamed() -> None:
    md = MetaDirective(name="rstblog-settings", dialect="rstblog", fields={"url": "aliases", "when": "date"})
    hit = MetaHit("rstblog", {"title": "T", "when": "9 March 2025", "url": "vhdl-access-types"}, 1)
    meta, dialect, _ = build(hits=(hit,), config=Config(meta_directives=(md,)))
    assert meta.date == datetime(2025, 3, 9, tzinfo=UTC)
    assert meta.aliases == ("vhdl-access-types",) and dialect == "rstblog"


def test_lang() -> None:
    assert build(hits=(MetaHit("pelican", {"lang": "fr"}),), title="t")[0].lang == "fr"
    assert (
        build(hits=(MetaHit("ablog", {"language": "en", "date": "May 15, 2016"}),), title="t")[0].lang == "en"
    )


def test_no_title() -> None:
    blocks = (Heading(1, (Text("First heading"),)), Paragraph((Text("x"),)))
    meta, _, diags = build(path="notes/my-notes.rst", blocks=blocks)
    assert meta.title == "First heading"
    assert [(d.code, d.severity) for d in diags] == [("no-title", "warning"), ("no-date", "warning")]
    meta, dialect, diags = build(path="notes/my-notes.rst")
    assert meta.title == "my-notes" and dialect == "none"
    assert [d.code for d in diags] == ["no-title", "no-date"]


def test_ablog_post_without_date_is_a_draft() -> None:
    meta, _, _ = build(hits=(MetaHit("ablog", {"tags": "x"}, 1),), title="t")
    assert meta.draft is True


# --------------------------------------------------------------------------- hand-built hits mirroring the corpus


def test_pelican_hits() -> None:
    # pelican/super_article.rst
    hit = MetaHit(
        "pelican",
        {
            "tags": "foo, bar, foobar",
            "date": "2010-12-02 10:14",
            "modified": "2013-11-17 23:29",
            "category": "yeah",
            "author": "Alexis Métaireau",
            "summary": "Multi-line metadata should be supported\nas well as **inline markup**.",
        },
        line=4,
    )
    meta, dialect, diags = build(
        path="pelican/super_article.rst", hits=(hit,), title="This is a super article !"
    )
    assert dialect == "pelican"
    assert meta.title == "This is a super article !"
    assert meta.date == datetime(2010, 12, 2, 10, 14, tzinfo=UTC)
    assert meta.updated == datetime(2013, 11, 17, 23, 29, tzinfo=UTC)
    assert meta.tags == ("foo", "bar", "foobar") and meta.categories == ("yeah",)
    assert meta.authors == ("Alexis Métaireau",)
    assert meta.slug == "super_article"
    assert diags == []


def test_pelican_ambiguous_corpus_date() -> None:
    # pelican/notmyidea__2013.01.new-year-python-meme.rst has `:date: 07-01-2013`
    hit = MetaHit("pelican", {"date": "07-01-2013", "category": "tech"}, line=4)
    with pytest.raises(SourceError) as e:
        build(path="new-year-python-meme.rst", hits=(hit,), title="New year python meme, 2012")
    assert e.value.line == 4 and "date_order" in str(e.value)
    # the file name's year and month settle it: 2013.01 means 7 January, not 1 July
    meta, _, diags = build(path="2013.01.new-year-python-meme.rst", hits=(hit,), title="x")
    assert meta.date == datetime(2013, 1, 7, tzinfo=UTC)
    assert [d.code for d in diags] == ["date-disambiguated"] and diags[0].line == 4
    meta, _, _ = build(
        path="2013.01.new-year-python-meme.rst", hits=(hit,), title="x", config=Config(date_order="dmy")
    )
    assert meta.date == datetime(2013, 1, 7, tzinfo=UTC)
    assert meta.slug == "new-year-python-meme"


def test_tinkerer_hits_and_folder_date() -> None:
    # tinkerer-ablog/tinkerer/2012/07/05/tinkerer_0_4_beta_released.rst
    hits = (
        MetaHit("tinkerer", {"author": "default"}, 54),
        MetaHit("tinkerer", {"categories": "tinkerer"}, 55),
        MetaHit("tinkerer", {"tags": "tinkerer, release"}, 56),
        MetaHit("tinkerer", {"comments": True}, 57),
    )
    path = "tinkerer/2012/07/05/tinkerer_0_4_beta_released.rst"
    meta, dialect, diags = build(path=path, hits=hits, title="Tinkerer 0.4 Beta Released")
    assert dialect == "tinkerer"
    assert meta.date == datetime(2012, 7, 5, tzinfo=UTC)
    assert meta.authors == ()  # "default" is the blog's author, unknown here
    assert meta.categories == ("tinkerer",) and meta.tags == ("tinkerer", "release")
    assert meta.extra == {"comments": True}
    assert [d.code for d in diags] == ["date-from-path"]
    meta, _, _ = build(path=path, hits=hits, title="x", config=Config(default_author="Vlad Riscutia"))
    assert meta.authors == ("Vlad Riscutia",)


def test_ablog_hits() -> None:
    # ablog/ablog-v0.5-released.rst
    hit = MetaHit(
        "ablog",
        {"date": "Mar 25, 2015", "author": "Ahmet, Mehmet", "category": "Release", "location": "SF"},
        line=4,
    )
    meta, dialect, diags = build(
        path="ablog/ablog-v0.5-released.rst", hits=(hit,), title="ABlog v0.5 released"
    )
    assert dialect == "ablog"
    assert meta.date == datetime(2015, 3, 25, tzinfo=UTC)
    assert meta.authors == ("Ahmet", "Mehmet") and meta.categories == ("Release",)
    assert meta.extra == {"location": "SF"} and meta.draft is False
    assert diags == []


# --------------------------------------------------------------------------- the real corpus


def test_corpus_devstack_local_config() -> None:
    p = corpus_file("yaml-frontmatter/20130917-devstack-local-config.rst")
    fm = split_front_matter(p.read_text(encoding="utf-8"), str(p))
    meta, dialect, _ = build(path=str(p), front=fm)
    assert dialect == "yaml"
    assert meta.categories == ("OpenStack", "DevStack")
    assert meta.tags == ("steam",)
    assert meta.date == datetime(2013, 9, 7, 9, 17, tzinfo=UTC)
    assert meta.slug == "devstack-local-config"


def test_corpus_space_separated_tags() -> None:
    p = corpus_file("yaml-frontmatter/20130418-ods.rst")
    text = p.read_text(encoding="utf-8")
    assert "tags: openstack summit" in text
    meta, _, _ = build(path=str(p), front=split_front_matter(text, str(p)))
    assert meta.tags == ("openstack", "summit")
    assert meta.date == datetime(2013, 4, 19, 19, 4, tzinfo=UTC)


def test_corpus_space_separated_category() -> None:
    p = corpus_file("yaml-frontmatter/20140211-client-layers.rst")
    meta, _, diags = build(path=str(p), front=split_front_matter(p.read_text(encoding="utf-8"), str(p)))
    assert meta.categories == ("OpenStackClient", "SDK")
    assert meta.extra == {"xdraft": True} and meta.draft is False
    assert [(d.code, d.line) for d in diags] == [("unknown-metadata", 7)]


def test_corpus_yaml_drafts() -> None:
    p = corpus_file("yaml-frontmatter/20131008-voting.rst")
    meta, _, _ = build(path=str(p), front=split_front_matter(p.read_text(encoding="utf-8"), str(p)))
    assert meta.draft is True


def test_corpus_nikola_author_pages() -> None:
    p = corpus_file("nikola/author-pages-in-nikola-770.rst")
    fm = split_front_matter(p.read_text(encoding="utf-8"), str(p))
    assert fm.dialect == "nikola" and fm.lines["date"] == 4
    meta, dialect, diags = build(path=str(p), front=fm)
    assert dialect == "nikola"
    assert meta.title == "Author pages in Nikola v7.7.0"
    assert meta.date == datetime(2015, 9, 4, 12, 40, tzinfo=timezone(timedelta(hours=-3)))
    assert meta.date.utcoffset() == timedelta(hours=-3)
    assert meta.tags == ("nikola", "authors") and meta.categories == ("Features",)
    assert meta.authors == ("Juanjo Conti",)
    assert meta.slug == "author-pages-in-nikola-v770"
    assert meta.extra == {"type": "text"} and diags == []
    assert fm.body.startswith("\n" * 10 + "Since version 7.7.0")


def test_corpus_nikola_updated_z() -> None:
    p = corpus_file("nikola/1-nolinks.rst")
    meta, _, _ = build(path=str(p), front=split_front_matter(p.read_text(encoding="utf-8"), str(p)))
    assert meta.updated == datetime(2018, 8, 10, 6, 54, tzinfo=UTC)
    assert meta.extra == {"link": "https://getnikola.com/"}


def test_corpus_nikola_txt_and_meta() -> None:
    p = corpus_file("nikola/nikola-4-released.txt")
    sc = read_sidecar(p)
    assert sc is not None and sc.dialect == "nikola"
    fm = split_front_matter(p.read_text(encoding="utf-8"), str(p))
    assert fm.dialect == ""
    meta, dialect, _ = build(path=str(p), front=fm, sidecar=sc)
    assert dialect == "nikola-meta"
    assert meta.title == "Nikola 4 Released"
    assert meta.slug == "nikola-4-released"
    assert meta.date == datetime(2012, 8, 17, 10, 10, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "kind", "front_dialect"),
    [
        ("f-rest-1-toml.rst", "1", "toml"),
        ("f-rest-1-yaml.rst", "1", "yaml"),
        ("f-rest-1-nikola.rst", "1", "nikola"),
        ("f-rest-2-toml.rst", "2", "toml"),
        ("f-rest-2-yaml.rst", "2", "yaml"),
        ("f-rest-2-nikola.rst", "2", "nikola"),
    ],
)
def test_corpus_nikola_metadata_extractors(name: str, kind: str, front_dialect: str) -> None:
    p = corpus_file(f"nikola/{name}")
    text = p.read_text(encoding="utf-8")
    fm = split_front_matter(text, str(p))
    sc = read_sidecar(p)
    if kind == "1":
        assert fm.dialect == front_dialect and sc is None
        assert fm.body.splitlines()[-2:] == ["Content line 1.", "Content line 2."]
        assert len(fm.body.splitlines()) == len(text.splitlines())
    else:
        assert fm.dialect == "" and sc is not None and sc.dialect == front_dialect
    meta, dialect, _ = build(path=str(p), front=fm, sidecar=sc)
    assert dialect == (front_dialect if kind == "1" else "nikola-meta")
    label = {"toml": "TOML", "yaml": "YAML", "nikola": "Nikola"}[front_dialect]
    files = "onefile" if kind == "1" else "twofile"
    assert meta.title == f"T: reST, {kind}, {label}"
    assert meta.slug == f"s-rest-{kind}-{front_dialect}"
    assert meta.date == datetime(2017, 7, 1, tzinfo=UTC)
    assert meta.tags == ("meta", "reST", files, label)


def test_corpus_every_front_matter_splits() -> None:
    """No corpus file makes the splitter raise, and line counts never change."""
    if not CORPUS.is_dir():
        pytest.skip("corpus not present")
    for p in sorted(CORPUS.rglob("*")):
        if p.suffix not in (".rst", ".txt"):
            continue
        text = p.read_text(encoding="utf-8")
        fm = split_front_matter(text, str(p))
        assert len(fm.body.splitlines()) == len(text.splitlines()), p


def test_with_the_rst_reader_when_available() -> None:
    """End to end through the real rST reader (written concurrently): Pelican field list."""
    rst = pytest.importorskip("migrate.readers.rst")
    if not callable(getattr(rst, "parse_rst", None)):
        pytest.skip("migrate.readers.rst.parse_rst not available yet")
    p = corpus_file("pelican/pgcli__launch.rst")
    text = p.read_text(encoding="utf-8")
    fm = split_front_matter(text, str(p))
    res = rst.parse_rst(fm.body, str(p), Config(), doctitle=True)
    if not res.meta:
        pytest.skip("the rST reader does not yield metadata hits yet")
    from migrate.model import plain_text

    meta, dialect, _ = build(
        path=str(p), front=fm, hits=res.meta, title=plain_text(res.title), blocks=res.blocks
    )
    assert meta.title == "Launching pgcli"
    assert meta.date == datetime(2015, 1, 6, tzinfo=UTC)
    assert meta.tags == ("python", "postgres") and meta.categories == ("Blog",)
    assert meta.slug == "launch"
