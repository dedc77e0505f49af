"""The site index: old and new URLs, lookups, pickling, process independence, time zones."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from conftest import SAMPLES

import migrate
from migrate.config import Config
from migrate.model import Document
from migrate.pipeline import discover
from migrate.transforms.links import rewrite


def sample_site() -> tuple[migrate.Site, list[Document]]:
    cfg = Config.from_file(SAMPLES / "migrate.toml")
    docs = []
    for p in discover([SAMPLES]):
        try:
            docs.append(migrate.read(p, config=cfg))
        except migrate.MigrateError:
            pass  # rack-rebuild-plans.rst: its date is unparseable (a deliberate problem)
    return migrate.Site.build(docs, cfg, roots=[SAMPLES]), docs


def test_site_is_in_the_library_api() -> None:
    assert "Site" in migrate.__all__
    assert migrate.Site is migrate.site.Site


def test_samples_old_urls_from_the_readme() -> None:
    site, _ = sample_site()
    old = {Path(p.source).name: p.old_urls for p in site.posts}
    # samples/README.md, "Expected metadata": the Blogofile posts' old URLs (front-matter dates)
    assert old["20130905-pi-cluster.rst"][0] == "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/"
    assert old["20130917-vlan-notes.rst"][0] == "/blog/2013/09/17/vlans-on-a-cheap-managed-switch/"
    assert old["20130624-cafe-au-lait.rst"][0] == "/blog/2013/06/24/cafe-au-lait-notes-d-ete/"
    assert old["20260128-power-usage.rst"][0] == "/blog/2026/01/28/charting-a-year-of-power-usage/"
    # rstblog's :url: is an alias, case kept
    assert "/2012/06/17/Serial-Console-Server-From-Spare-Parts" in old["index.rst"]


def test_lookups() -> None:
    site, _ = sample_site()
    pi = site.post_for(SAMPLES / "20130905-pi-cluster.rst")
    assert pi is not None and pi.slug == "pi-cluster"
    for url in (
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/",
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster",
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/index.html",
        "/blog/2013/09/07/building-a-four-node-raspberry-pi-cluster/?utm=x#power-budget",
    ):
        assert site.find_old_url(url) == (pi, False), url
    assert site.find_old_url("/blog/2012/09/07/building-a-four-node-raspberry-pi-cluster/") == (None, False)
    assert site.local_path("https://old.example.com/blog/x/#y") == "/blog/x/#y"
    assert site.local_path("https://elsewhere.example.com/blog/x/") is None
    assert site.local_path("relative/path") is None
    assert site.find_doc("20130905-pi-cluster", None) is pi
    assert site.find_label("trunk-port-setup")[1] == "setting-up-the-trunk-port"
    assert pi.anchor("power-budget") == "power-budget"
    assert pi.anchor("nope") is None
    assert site.new_url(pi, "hugo") == "/posts/pi-cluster/"
    assert site.new_url(pi, "jekyll") == "/2013/09/07/pi-cluster/"
    assert site.new_url(pi, "markdown") == "/pi-cluster/"


def test_old_base_url_with_a_path_prefix() -> None:
    site = migrate.Site(config=Config(old_base_url="https://example.com/x"))
    assert site.local_path("https://example.com/x/blog/a/") == "/blog/a/"
    assert site.local_path("http://EXAMPLE.com/x") == "/"
    assert site.local_path("https://example.com/xyz/") == "/xyz/"  # not below the prefix


def test_site_pickles_and_compares_equal() -> None:
    site, _ = sample_site()
    again = pickle.loads(pickle.dumps(site))
    assert again == site
    assert again.find_old_url("/blog/2013/09/17/vlans-on-a-cheap-managed-switch") == site.find_old_url(
        "/blog/2013/09/17/vlans-on-a-cheap-managed-switch"
    )


def test_site_from_json_documents_is_the_same() -> None:
    """The index depends on the documents only, so documents that crossed a process as JSON give the same site."""
    site, docs = sample_site()
    again = migrate.Site.build([Document.from_json(d.to_json()) for d in docs], site.config, roots=[SAMPLES])
    assert again == site


def _rewrite_in_worker(args):
    doc, site = args
    new, records, assets = rewrite(doc, site, "hugo", Path(doc.source.path).read_text(encoding="utf-8"))
    return new, records, assets


def test_rewriting_in_worker_processes_gives_the_same_result() -> None:
    site, docs = sample_site()
    inline = [_rewrite_in_worker((d, site)) for d in docs]
    with ProcessPoolExecutor(max_workers=2) as pool:
        parallel = list(pool.map(_rewrite_in_worker, [(d, site) for d in docs]))
    assert parallel == inline
    assert any(r.status == "resolved" for _, recs, _ in inline for r in recs)


def test_duplicate_file_names_resolve_relative_first(tmp_path) -> None:
    for d in ("2012", "2013"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "post.rst").write_text(
            f"---\ntitle: Post {d}\ndate: {d}-01-01\nslug: post-{d}\n---\n\nx\n"
        )
    (tmp_path / "2013" / "other.rst").write_text(
        "---\ntitle: Other\ndate: 2013-02-02\n---\n\n`a <post.rst>`_ `b <../2012/post.rst>`_\n"
    )
    (tmp_path / "top.rst").write_text("---\ntitle: Top\ndate: 2013-02-03\n---\n\n`c <post.rst>`_\n")
    report = migrate.convert(
        migrate.Job(
            sources=discover([tmp_path]),
            target="json",
            out=None,
            config=Config(),
            roots=[tmp_path],
            link_style="hugo",
        )
    )
    recs = {(Path(r.source).name, r.target): r for res in report.results for r in res.links}
    assert recs[("other.rst", "post.rst")].new == '{{< ref "/posts/post-2013" >}}'
    assert recs[("other.rst", "../2012/post.rst")].new == '{{< ref "/posts/post-2012" >}}'
    top = recs[("top.rst", "post.rst")]
    assert (top.status, top.reason) == ("broken", "ambiguous: 2 posts are named 'post.rst'")


# --------------------------------------------------------------------------- the time-zone trap

TZ_POSTS = {
    # naive: read in the configured zone; the URL day is the written day whatever the zone
    "late.rst": ("Late Night", "2013-09-17 23:30:00"),
    "early.rst": ("Early Morning", "2013-09-18 00:30:00"),
    # an explicit offset: the day in that offset (not UTC's 2013-09-18, not the config zone's)
    "offset.rst": ("With Offset", "2013-09-17T20:00:00-08:00"),
}
TZ_LINKER = """---
title: Linker
date: 2014-01-01
---

`a </x/2013/09/17/late-night/>`_ `b </x/2013/09/18/early-morning/>`_ `c </x/2013/09/17/with-offset/>`_
"""


@pytest.mark.parametrize(
    ("config_zone", "process_tz"),
    [
        ("Pacific/Kiritimati", "America/Los_Angeles"),
        ("America/Los_Angeles", "Pacific/Kiritimati"),
        ("UTC", "Asia/Kolkata"),
    ],
)
def test_naive_dates_never_move_the_day(tmp_path, config_zone, process_tz) -> None:
    for name, (title, date) in TZ_POSTS.items():
        (tmp_path / name).write_text(f"---\ntitle: {title}\ndate: {date}\n---\n\nBody.\n")
    (tmp_path / "linker.rst").write_text(TZ_LINKER)
    (tmp_path / "migrate.toml").write_text(
        f'timezone = "{config_zone}"\nold_permalink = "/x/{{year}}/{{month}}/{{day}}/{{title_slug}}/"\n'
    )
    env = {**os.environ, "TZ": process_tz}
    proc = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "links", str(tmp_path), "--to", "jekyll", "--json",
         "--fail-on", "broken-links"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert {x["target"]: x["new"] for x in data["links"]} == {
        "/x/2013/09/17/late-night/": "{% post_url 2013-09-17-late %}",
        "/x/2013/09/18/early-morning/": "{% post_url 2013-09-18-early %}",
        "/x/2013/09/17/with-offset/": "{% post_url 2013-09-17-offset %}",
    }
    # and the Jekyll files carry the same days in their names
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "convert", str(tmp_path), "--to", "jekyll", "--out", str(out)],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (out / "_posts").iterdir())
    assert names == [
        "2013-09-17-late.md",
        "2013-09-17-offset.md",
        "2013-09-18-early.md",
        "2014-01-01-linker.md",
    ]


def test_placeholders_are_computed_on_demand_with_the_values_of_fields() -> None:
    from migrate.site import PLACEHOLDERS, fill

    site, _ = sample_site()
    pattern = "/" + "/".join("{" + name + "}" for name in PLACEHOLDERS) + "/"
    for post in site.posts:
        full = post.fields(section="posts")
        assert set(full) == set(PLACEHOLDERS)
        lazy = post.placeholders(section="posts")
        assert "title_slug" not in lazy  # nothing computed before a pattern asks
        assert fill(pattern, lazy) == fill(pattern, full)
        assert {name: lazy[name] for name in PLACEHOLDERS} == full
    with pytest.raises(KeyError):
        fill("/{nope}/", site.posts[0].placeholders())
