"""Link resolution and rewriting, on the samples, the real Blogofile corpus and small blogs.

Expected values come from reading the posts (samples/README.md's link table, and the
corpus posts by hand), never from running the code.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import CORPUS, SAMPLES

import migrate
from migrate.cli import main
from migrate.config import Config
from migrate.model import Image, Link, walk
from migrate.pipeline import Job, convert, discover
from migrate.transforms.links import rewrite

INTERNAL = ("resolved", "broken", "asset")


def link_report(sources, config: Config, roots, style: str = "hugo"):
    report = convert(
        Job(
            sources=discover(sources),
            target="json",
            out=None,
            config=config,
            roots=list(roots),
            link_style=style,
        )
    )
    return [rec for r in report.results for rec in r.links]


def table(records, root: Path) -> set[tuple]:
    """(file, line, target as written, status, file of the post it resolves to) per internal link."""
    out = set()
    for r in records:
        if r.status not in INTERNAL:
            continue
        to = Path(r.target_source).name if r.status == "resolved" else ""
        out.add(
            (Path(r.source).resolve().relative_to(root.resolve()).as_posix(), r.line, r.target, r.status, to)
        )
    return out


# --------------------------------------------------------------------------- samples


SAMPLE_LINKS = {
    # samples/README.md, "Internal links and what they resolve to"
    ("20130917-vlan-notes.rst", 9, "20130905-pi-cluster.rst", "resolved", "20130905-pi-cluster.rst"),
    (
        "20130917-vlan-notes.rst",
        31,
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/#power-budget",
        "resolved",
        "20130905-pi-cluster.rst",
    ),
    (
        "20130917-vlan-notes.rst",
        62,
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster",
        "resolved",
        "20130905-pi-cluster.rst",
    ),
    (
        "20130624-cafe-au-lait.rst",
        60,
        "https://old.example.com/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/",
        "resolved",
        "20130905-pi-cluster.rst",
    ),
    (
        "20260128-power-usage.rst",
        44,
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/",
        "resolved",
        "20130905-pi-cluster.rst",
    ),
    (
        "20260128-power-usage.rst",
        47,
        "/blog/2012/09/07/building-a-four-node-raspberry-pi-cluster/",
        "broken",
        "",
    ),
    ("monitoring.rst", 15, "{filename}20130905-pi-cluster.rst", "resolved", "20130905-pi-cluster.rst"),
    ("monitoring.rst", 51, "|filename|20130917-vlan-notes.rst", "resolved", "20130917-vlan-notes.rst"),
    ("monitoring.rst", 19, "{static}/images/dashboard.png", "asset", ""),
    ("home-automation.rst", 33, "link://slug/dns-adblock", "resolved", "dns-adblock.txt"),
    ("sphinx-notes.rst", 24, "20130905-pi-cluster", "resolved", "20130905-pi-cluster.rst"),
    ("sphinx-notes.rst", 25, "trunk-port-setup", "resolved", "20130917-vlan-notes.rst"),
    # the images of the posts (README "Images"): the |pi| substitution (line 13), the
    # image (38) and its :target: (41), the figure (65); the rstblog image and its :target:
    ("20130905-pi-cluster.rst", 13, "images/pi-logo.png", "asset", ""),
    ("20130905-pi-cluster.rst", 38, "images/rack.png", "asset", ""),
    ("20130905-pi-cluster.rst", 41, "images/rack-full.png", "asset", ""),
    ("20130905-pi-cluster.rst", 65, "images/rack.png", "asset", ""),
    ("rstblog/2012/06/17/serial-console-server/index.rst", 12, "wiring.png", "asset", ""),
    ("rstblog/2012/06/17/serial-console-server/index.rst", 15, "wiring.png", "asset", ""),
}


@pytest.fixture(scope="module")
def sample_records():
    return link_report([SAMPLES], Config.from_file(SAMPLES / "migrate.toml"), [SAMPLES])


def test_samples_every_internal_link_as_the_readme_says(sample_records) -> None:
    assert table(sample_records, SAMPLES) == SAMPLE_LINKS


def test_samples_fragments_and_labels_point_at_the_section(sample_records) -> None:
    new = {(Path(r.source).name, r.line): r.new for r in sample_records}
    assert new[("20130917-vlan-notes.rst", 31)] == '{{< ref "/posts/pi-cluster#power-budget" >}}'
    assert new[("20130917-vlan-notes.rst", 62)] == '{{< ref "/posts/pi-cluster" >}}'
    # :ref: label written before a section -> the section's own id (what the page carries)
    assert new[("sphinx-notes.rst", 25)] == '{{< ref "/posts/vlan-notes#setting-up-the-trunk-port" >}}'
    assert new[("zfs-snapshots.rst", 50)] == "#open-questions"  # same-page `Open questions`_


def test_samples_external_links_are_external(sample_records) -> None:
    external = {r.target for r in sample_records if r.status == "external"}
    assert external == {
        "https://en.wikipedia.org/wiki/IEEE_802.1Q",
        "https://openzfs.github.io/openzfs-docs/",
        "https://nlnetlabs.nl/documentation/unbound/",
        "https://www.sphinx-doc.org/",
        "http://www.ftdichip.com/",
        "mailto:sam@example.com",
    }


def test_without_old_base_url_the_absolute_old_link_stays_external() -> None:
    cfg = Config.from_dict({"old_permalink": "/blog/{year}/{month}/{day}/{title_slug}/"})
    recs = link_report([SAMPLES], cfg, [SAMPLES])
    cafe = [r for r in recs if Path(r.source).name == "20130624-cafe-au-lait.rst" and r.line == 60]
    assert [(r.status, r.new) for r in cafe] == [
        ("external", "https://old.example.com/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/")
    ]


# --------------------------------------------------------------------------- the Blogofile corpus

YFM_CONFIG = {"old_permalink": "/x/blog/{year}/{month}/{day}/{title_slug}/"}

# Read from the posts by hand: every link to /x/..., to a .rst file or relative, with the
# post it names.  Old URLs are /x/blog/<front-matter date>/<slug of the title>/.
CORPUS_LINKS = {
    # "Securing OpenStack Client Connections Part 1" is 20121212-tls.rst, dated 2012-12-18
    (
        "20121221-cli.rst",
        112,
        "/x/blog/2012/12/18/securing-openstack-client-connections-part-1/",
        "resolved",
        "20121212-tls.rst",
    ),
    # "A Fedora 18 Image for OpenStack" is dated 2013-01-25: 2012 is a wrong year
    ("20131021-cloud-images.rst", 14, "/x/blog/2012/01/25/a-fedora-18-image-for-openstack/", "broken", ""),
    (
        "20131021-cloud-images.rst",
        15,
        "/x/blog/2013/04/25/a-centos-6-image-for-openstack/",
        "resolved",
        "20130425-centos6-images.rst",
    ),
    # file 20130917-…, dated 2013-09-07 in its front matter; no trailing slash
    (
        "20131110-ods-hong-kong.rst",
        31,
        "/x/blog/2013/09/07/devstack-local-config",
        "resolved",
        "20130917-devstack-local-config.rst",
    ),
    (
        "20131110-ods-hong-kong.rst",
        50,
        "/x/blog/2013/09/05/openstack-seven-layer-dip-as-a-service/",
        "resolved",
        "20130905-open-stack-layers.rst",
    ),
    (
        "20131110-ods-hong-kong.rst",
        216,
        "20130905-open-stack-layers.rst",
        "resolved",
        "20130905-open-stack-layers.rst",
    ),
    (
        "20140713-windows-image-notes.rst",
        9,
        "/x/blog/2014/07/07/windows-images-for-openstack/",
        "resolved",
        "20140707-windows-image-vbox.rst",
    ),
    (
        "20141003-take-back-layers.rst",
        10,
        "/x/blog/2013/09/05/openstack-seven-layer-dip-as-a-service/",
        "resolved",
        "20130905-open-stack-layers.rst",
    ),
    # files of the old site that are not in the corpus
    ("20121113-fedora-images.rst", 18, "/x/files/fedora17-x86_64.ks", "broken", ""),
    ("20130125-fedora18-images.rst", 21, "/x/files/fedora-18-x86_64-cloud.ks", "broken", ""),
    ("20130125-fedora18-images.rst", 32, "/x/files/fedora-18-x86_64-cloud-dt1.ks", "broken", ""),
    ("20140707-windows-image-vbox.rst", 60, "/x/files/make-floppy.sh", "broken", ""),
    # `DevStack <devstack.org>`_: a relative link (the scheme was forgotten) to nothing
    ("20121020-devstack.rst", 10, "devstack.org", "broken", ""),
}


@pytest.fixture(scope="module")
def corpus_records():
    root = CORPUS / "yaml-frontmatter"
    if not root.is_dir():
        pytest.skip("../shared/corpus is not present beside the checkout")
    return link_report([root], Config.from_dict(YFM_CONFIG), [root])


def test_corpus_blogofile_links_resolve_exactly_as_read_by_hand(corpus_records) -> None:
    assert table(corpus_records, CORPUS / "yaml-frontmatter") == CORPUS_LINKS


def test_corpus_unresolved_links_say_why(corpus_records) -> None:
    reasons = {r.target: r.reason for r in corpus_records if r.status == "broken"}
    assert reasons["/x/blog/2012/01/25/a-fedora-18-image-for-openstack/"] == "no post has this old URL"
    assert reasons["/x/files/make-floppy.sh"].startswith("file not found")
    assert "relative link" in reasons["devstack.org"]


def test_corpus_old_urls_use_the_front_matter_date() -> None:
    root = CORPUS / "yaml-frontmatter"
    if not root.is_dir():
        pytest.skip("no corpus")
    docs = [migrate.read(p) for p in discover([root])]
    site = migrate.Site.build(docs, Config.from_dict(YFM_CONFIG), roots=[root])
    by_name = {Path(p.source).name: p for p in site.posts}
    assert by_name["20130917-devstack-local-config.rst"].old_urls == (
        "/x/blog/2013/09/07/devstack-local-config/",
    )
    assert by_name["20130905-open-stack-layers.rst"].old_urls == (
        "/x/blog/2013/09/05/openstack-seven-layer-dip-as-a-service/",
    )


def test_corpus_converted_to_hugo_rewrites_links_and_leaves_broken_ones(tmp_path) -> None:
    root = CORPUS / "yaml-frontmatter"
    if not root.is_dir():
        pytest.skip("no corpus")
    cfg = Config.from_dict({**YFM_CONFIG, "hugo_links": "url"})
    convert(Job(sources=discover([root]), target="hugo", out=tmp_path, config=cfg, roots=[root]))
    ods = (tmp_path / "content/posts/ods-hong-kong.md").read_text(encoding="utf-8")
    assert "(/posts/devstack-local-config/)" in ods
    assert "(/posts/open-stack-layers/)" in ods
    assert "/x/blog/" not in ods.split("\n---\n", 1)[1]  # only the aliases keep old URLs
    cloud = (tmp_path / "content/posts/cloud-images.md").read_text(encoding="utf-8")
    assert "(/x/blog/2012/01/25/a-fedora-18-image-for-openstack/)" in cloud  # unchanged
    assert "(/posts/centos6-images/)" in cloud
    layers = (tmp_path / "content/posts/devstack-local-config.md").read_text(encoding="utf-8")
    fm = yaml.safe_load(layers.split("---\n")[1])
    assert fm["aliases"] == ["/x/blog/2013/09/07/devstack-local-config/"]


# --------------------------------------------------------------------------- every syntax, one small blog

FIRST = """---
title: First Post
date: 2012-05-01 10:00:00
---

Intro.

.. _details-label:

Details
=======

Text.
"""

SECOND = """---
title: Second Post
date: 2013-09-05 09:05:00
---

Relative file `r1 <../2012/first-post.rst>`_ and `r2 <../2012/first-post.rst#details>`_.

Old URL `o1 </blog/2012/05/01/first-post/>`_, `o2 </blog/2012/05/01/first-post>`_,
`o3 </blog/2012/05/01/first-post/#details>`_, `o4 <https://old.example.com/blog/2012/05/01/first-post/>`_,
`o5 <http://OLD.example.com/blog/2012/05/01/first-post/index.html>`_,
`o6 <../../../../2012/05/01/first-post/>`_.

Nikola `n1 <link://slug/first-post>`_, `n2 <link://post_path/2012/first-post.rst>`_.

Pelican `p1 <{filename}/2012/first-post.rst>`_, `p2 <{filename}../2012/first-post.rst>`_,
`p3 <|filename|../2012/first-post.rst>`_, `p4 <{static}/files/script.sh>`_, `p5 <{attach}files/script.sh>`_.

Sphinx :doc:`/2012/first-post` and :ref:`the details <details-label>`.

Label as fragment `f1 </blog/2012/05/01/first-post/#details-label>`_.

Broken `b1 </blog/2011/01/01/first-post/>`_, `b2 <missing.rst>`_, `b3 <link://slug/nope>`_,
:doc:`nope`, `b4 </blog/2012/05/01/first-post/#no-such-section>`_, `b5 <#nowhere>`_,
`b6 <https://old.example.com/blog/nothing-here/>`_.

External `e1 <https://example.com/x>`_ and `e2 <mailto:a@example.com>`_, and `here <#intro-section>`_.

.. _intro-section:

File `script <files/script.sh>`_.

.. image:: files/pic.png

.. image:: files/missing.png
"""

CONFIG = """
old_permalink = "/blog/{year}/{month}/{day}/{title_slug}/"
old_base_url = "https://old.example.com"
"""


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    root = tmp_path / "blog"
    (root / "2012").mkdir(parents=True)
    (root / "2013" / "files").mkdir(parents=True)
    (root / "files").mkdir()
    (root / "2012" / "first-post.rst").write_text(FIRST, encoding="utf-8")
    (root / "2013" / "second-post.rst").write_text(SECOND, encoding="utf-8")
    (root / "2013" / "files" / "script.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    (root / "files" / "script.sh").write_bytes(b"#!/bin/sh\necho static\n")
    (root / "2013" / "files" / "pic.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")
    (tmp_path / "migrate.toml").write_text(CONFIG, encoding="utf-8")
    return root


def blog_records(blog: Path, style: str = "hugo", **cfg):
    config = dataclasses.replace(Config.from_file(blog.parent / "migrate.toml"), **cfg)
    recs = link_report([blog], config, [blog], style)
    return {r.target: r for r in recs if Path(r.source).name == "second-post.rst"}, config


def test_every_link_syntax_resolves_to_the_first_post(blog) -> None:
    recs, _ = blog_records(blog)
    resolved = {
        "../2012/first-post.rst": "",
        "../2012/first-post.rst#details": "#details",
        "/blog/2012/05/01/first-post/": "",
        "/blog/2012/05/01/first-post": "",
        "/blog/2012/05/01/first-post/#details": "#details",
        "https://old.example.com/blog/2012/05/01/first-post/": "",
        "http://OLD.example.com/blog/2012/05/01/first-post/index.html": "",
        "../../../../2012/05/01/first-post/": "",
        "link://slug/first-post": "",
        "link://post_path/2012/first-post.rst": "",
        "{filename}/2012/first-post.rst": "",
        "{filename}../2012/first-post.rst": "",
        "|filename|../2012/first-post.rst": "",
        "/2012/first-post": "",  # :doc:
        "details-label": "#details",  # :ref: label -> the section's id
        "/blog/2012/05/01/first-post/#details-label": "#details",
    }
    for target, frag in resolved.items():
        rec = recs[target]
        assert (rec.status, Path(rec.target_source).name) == ("resolved", "first-post.rst"), target
        assert rec.new == f'{{{{< ref "/posts/first-post{frag}" >}}}}', target


def test_unresolvable_links_are_broken_and_say_why(blog) -> None:
    recs, _ = blog_records(blog)
    broken = {t: r.reason for t, r in recs.items() if r.status == "broken"}
    assert set(broken) == {
        "/blog/2011/01/01/first-post/",
        "missing.rst",
        "link://slug/nope",
        "nope",
        "/blog/2012/05/01/first-post/#no-such-section",
        "#nowhere",
        "https://old.example.com/blog/nothing-here/",
        "files/missing.png",
    }
    assert broken["/blog/2011/01/01/first-post/"] == "no post has this old URL"
    assert broken["missing.rst"] == "no post 'missing.rst' in the batch"
    assert broken["link://slug/nope"] == "no post for link://slug/nope"
    assert broken["nope"] == "no document 'nope' in the batch"
    assert "no section '#no-such-section'" in broken["/blog/2012/05/01/first-post/#no-such-section"]
    assert broken["#nowhere"] == "no such anchor in this post"
    assert broken["files/missing.png"].startswith("file not found")
    assert {t for t, r in recs.items() if r.status == "external"} == {
        "https://example.com/x",
        "mailto:a@example.com",
    }
    assert recs["#intro-section"].status == "anchor"


def test_broken_links_are_left_unchanged_in_the_document(blog) -> None:
    config = Config.from_file(blog.parent / "migrate.toml")
    docs = [migrate.read(p, config=config) for p in discover([blog])]
    site = migrate.Site.build(docs, config, roots=[blog])
    second = next(d for d in docs if d.source.path.endswith("second-post.rst"))
    new, records, _ = rewrite(second, site, "hugo", Path(second.source.path).read_text())
    targets = {n.target for n in walk(new.blocks) if isinstance(n, Link)}
    for kept in ("/blog/2011/01/01/first-post/", "missing.rst", "link://slug/nope", "#nowhere"):
        assert kept in targets
    assert "../2012/first-post.rst" not in targets
    srcs = {n.src for n in walk(new.blocks) if isinstance(n, Image)}
    assert srcs == {"files/pic.png", "files/missing.png"}  # bundle-relative; missing one unchanged
    # the report counts them: one record per link, each with a line
    assert sum(r.status == "broken" for r in records) == 8
    assert all(r.line > 0 for r in records if r.status in ("broken", "resolved"))


@pytest.mark.parametrize(
    ("style", "options", "expected"),
    [
        ("hugo", {}, '{{< ref "/posts/first-post#details" >}}'),
        ("hugo", {"hugo_links": "url"}, "/posts/first-post/#details"),
        ("hugo", {"hugo_links": "url", "hugo_section": "blog"}, "/blog/first-post/#details"),
        ("jekyll", {}, "{% post_url 2012-05-01-first-post %}#details"),
        ("jekyll", {"jekyll_links": "url"}, "/2012/05/01/first-post/#details"),
        ("markdown", {}, "/first-post/#details"),
        ("markdown", {"markdown_permalink": "{slug}.md"}, "first-post.md#details"),
    ],
)
def test_link_style_per_target(blog, style, options, expected) -> None:
    recs, _ = blog_records(blog, style, **options)
    assert recs["/blog/2012/05/01/first-post/#details"].new == expected


def test_hugo_output_and_assets(blog, tmp_path) -> None:
    out = tmp_path / "out"
    config = Config.from_file(blog.parent / "migrate.toml")
    report = convert(Job(sources=discover([blog]), target="hugo", out=out, config=config, roots=[blog]))
    # the second post has a local image, so it is a page bundle with its files beside it
    text = (out / "content/posts/second-post/index.md").read_text(encoding="utf-8")
    assert '[r1]({{< ref "/posts/first-post" >}})' in text
    assert '[o3]({{< ref "/posts/first-post#details" >}})' in text
    assert "[b1](/blog/2011/01/01/first-post/)" in text
    assert "[b2](missing.rst)" in text
    assert "[script](files/script.sh)" in text
    assert (out / "content/posts/second-post/files/script.sh").read_bytes() == b"#!/bin/sh\necho hi\n"
    assert (out / "content/posts/second-post/files/pic.png").is_file()
    # {static}/files/script.sh is the root's file, a different one, outside the post's folder
    assert "[p4](script.sh)" in text
    assert (out / "content/posts/second-post/script.sh").read_bytes() == b"#!/bin/sh\necho static\n"
    fm = yaml.safe_load(text.split("---\n")[1])
    assert fm["aliases"] == ["/blog/2013/09/05/second-post/"]
    first = (out / "content/posts/first-post.md").read_text(encoding="utf-8")
    assert yaml.safe_load(first.split("---\n")[1])["aliases"] == ["/blog/2012/05/01/first-post/"]
    broken = [d for r in report.results for d in r.diagnostics if d.code == "broken-link"]
    assert len(broken) == 8
    assert all(d.path.endswith("second-post.rst") and d.line > 0 for d in broken)


def test_hugo_post_without_images_puts_files_in_static(tmp_path) -> None:
    root = tmp_path / "b"
    (root / "dl").mkdir(parents=True)
    (root / "dl" / "notes.pdf").write_bytes(b"%PDF-1.4")
    (root / "p.rst").write_text("---\ntitle: P\ndate: 2020-01-02\n---\n\nGet `the notes <dl/notes.pdf>`_.\n")
    out = tmp_path / "out"
    convert(Job(sources=discover([root]), target="hugo", out=out, config=Config(), roots=[root]))
    assert "[the notes](/dl/notes.pdf)" in (out / "content/posts/p.md").read_text()
    assert (out / "static/dl/notes.pdf").read_bytes() == b"%PDF-1.4"


def test_jekyll_assets_and_post_url(blog, tmp_path) -> None:
    out = tmp_path / "out"
    config = Config.from_file(blog.parent / "migrate.toml")
    convert(Job(sources=discover([blog]), target="jekyll", out=out, config=config, roots=[blog]))
    text = (out / "_posts/2013-09-05-second-post.md").read_text(encoding="utf-8")
    assert "[r1]({% post_url 2012-05-01-first-post %})" in text
    assert "[script](/assets/2013/files/script.sh)" in text
    assert "[p4](/assets/files/script.sh)" in text
    assert (out / "assets/files/script.sh").read_bytes() == b"#!/bin/sh\necho static\n"
    assert (out / "assets/2013/files/script.sh").read_bytes() == b"#!/bin/sh\necho hi\n"
    fm = yaml.safe_load(text.split("---\n")[1])
    assert fm["redirect_from"] == ["/blog/2013/09/05/second-post/"]


def test_static_root_is_relative_to_the_config_file(tmp_path) -> None:
    (tmp_path / "site" / "static" / "img").mkdir(parents=True)
    (tmp_path / "site" / "static" / "img" / "a.png").write_bytes(b"png")
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "p.rst").write_text("---\ntitle: P\ndate: 2020-01-02\n---\n\n.. image:: /img/a.png\n")
    (tmp_path / "migrate.toml").write_text('static_root = "site/static"\n')
    config = Config.from_file(tmp_path / "migrate.toml")
    recs = link_report([posts], config, [posts], "jekyll")
    assert [(r.status, r.new) for r in recs] == [("asset", "/assets/img/a.png")]


def test_repeated_targets_get_their_own_lines(tmp_path) -> None:
    (tmp_path / "a.rst").write_text(
        "---\ntitle: A\ndate: 2020-01-01\n---\n\n`x </nope/>`_\n\nand\n\n`y </nope/>`_ and `z </nope>`_\n"
    )
    recs = link_report([tmp_path], Config(), [tmp_path])
    assert [(r.target, r.line) for r in recs] == [("/nope/", 6), ("/nope/", 10), ("/nope", 10)]


def test_mixed_case_alias_is_found_ignoring_case() -> None:
    # rstblog's :url: keeps its case; a link in lower case still finds it (and says so)
    root = SAMPLES / "rstblog"
    cfg = Config.from_file(SAMPLES / "migrate.toml")
    docs = [migrate.read(p, config=cfg) for p in discover([root])]
    site = migrate.Site.build(docs, cfg, roots=[root])
    post, folded = site.find_old_url("/2012/06/17/serial-console-server-from-spare-parts/")
    assert post is not None and post.slug == "serial-console-server" and folded
    assert site.find_old_url("/2012/06/17/Serial-Console-Server-From-Spare-Parts") == (post, False)


# --------------------------------------------------------------------------- migrate links


def test_links_command_text_json_and_exit_codes(blog) -> None:
    runner = CliRunner()
    cfg = str(blog.parent / "migrate.toml")
    res = runner.invoke(main, ["links", str(blog), "--config", cfg])
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert any("/blog/2011/01/01/first-post/" in x and "BROKEN: no post has this old URL" in x for x in lines)
    assert any(x.strip().startswith("6  ../2012/first-post.rst  -> {{< ref") for x in lines)

    res = runner.invoke(main, ["links", str(blog), "--config", cfg, "--json", "--to", "jekyll"])
    assert res.exit_code == 0
    data = json.loads(res.output)
    by_target = {x["target"]: x for x in data["links"]}
    assert by_target["../2012/first-post.rst"]["new"] == "{% post_url 2012-05-01-first-post %}"
    assert by_target["../2012/first-post.rst"]["status"] == "resolved"
    assert by_target["missing.rst"]["status"] == "broken"
    assert by_target["missing.rst"]["line"] == 22
    assert data["totals"]["broken"] == 8

    res = runner.invoke(main, ["links", str(blog), "--config", cfg, "--fail-on", "broken-links"])
    assert res.exit_code == 1


def test_links_command_clean_blog_exits_zero_with_fail_on(tmp_path) -> None:
    (tmp_path / "a.rst").write_text("---\ntitle: A\ndate: 2020-01-01\n---\n\nSee `b <b.rst>`_.\n")
    (tmp_path / "b.rst").write_text("---\ntitle: B\ndate: 2020-01-02\n---\n\nBack to `a <a.rst>`_.\n")
    proc = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "links", str(tmp_path), "--fail-on", "broken-links", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert {(Path(x["source"]).name, x["new"]) for x in data["links"]} == {
        ("a.rst", '{{< ref "/posts/b" >}}'),
        ("b.rst", '{{< ref "/posts/a" >}}'),
    }


def test_links_command_on_samples_fails_on_the_one_broken_link() -> None:
    proc = subprocess.run(
        [
            sys.executable, "-m", "migrate.cli", "links", str(SAMPLES),
            "--config", str(SAMPLES / "migrate.toml"), "--json", "--fail-on", "broken-links",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    broken = [
        (Path(x["source"]).name, x["line"], x["target"]) for x in data["links"] if x["status"] == "broken"
    ]
    assert broken == [
        ("20260128-power-usage.rst", 47, "/blog/2012/09/07/building-a-four-node-raspberry-pi-cluster/")
    ]
