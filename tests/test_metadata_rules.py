"""Metadata rules end to end: migrate.toml -> `migrate convert` -> front matter of the output."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from migrate.config import Config
from migrate.model import Metadata
from migrate.transforms.metadata import apply_rules, canonical_tags

ALPHA = """---
title: Alpha Post
date: 2013-09-17 23:30:00
categories: OpenStack, DevStack
tags: openstack, py
summary: Short summary.
location: Paris
---

Body of alpha.
"""

BETA = """---
title: Beta Post
author: Someone Else
date: 2013-09-18 08:00:00
categories: openstack
tags: OpenStack, Python
---

Body of beta.
"""


def convert(tmp_path: Path, config: str, target: str = "hugo") -> dict[str, dict]:
    """Front matter of every output post, by output file name."""
    src = tmp_path / "posts"
    src.mkdir(exist_ok=True)
    (src / "20130917-alpha.rst").write_text(ALPHA, encoding="utf-8")
    (src / "20130918-beta.rst").write_text(BETA, encoding="utf-8")
    cfg = tmp_path / "rules.toml"
    cfg.write_text(config, encoding="utf-8")
    out = tmp_path / f"out-{target}"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "migrate.cli",
            "convert",
            str(src),
            "--to",
            target,
            "--out",
            str(out),
            "--config",
            str(cfg),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = {}
    for p in sorted(out.rglob("*.md")):
        text = p.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        result[p.name] = yaml.safe_load(text.split("---\n")[1])
    return result


def iso(value) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else str(value)


def test_no_rules_keeps_metadata_as_written(tmp_path) -> None:
    fm = convert(tmp_path, "")
    assert fm["alpha.md"]["tags"] == ["openstack", "py"]
    assert fm["alpha.md"]["categories"] == ["OpenStack", "DevStack"]
    assert fm["beta.md"]["tags"] == ["OpenStack", "Python"]
    assert "author" not in fm["alpha.md"]
    assert fm["alpha.md"]["location"] == "Paris"
    assert fm["alpha.md"]["summary"] == "Short summary."
    assert iso(fm["alpha.md"]["date"]) == "2013-09-17T23:30:00+00:00"


def test_default_author_and_timezone(tmp_path) -> None:
    fm = convert(tmp_path, 'default_author = "Sam Sample"\ntimezone = "Pacific/Kiritimati"\n')
    assert fm["alpha.md"]["author"] == "Sam Sample"
    assert fm["beta.md"]["author"] == "Someone Else"  # an explicit author wins
    assert iso(fm["alpha.md"]["date"]) == "2013-09-17T23:30:00+14:00"  # the day never moves
    fm = convert(tmp_path, 'timezone = "America/Los_Angeles"\n', "jekyll")
    assert set(fm) == {"2013-09-17-alpha.md", "2013-09-18-beta.md"}
    assert iso(fm["2013-09-17-alpha.md"]["date"]).startswith("2013-09-17 23:30:00 -0700")


@pytest.mark.parametrize(
    ("strategy", "files"),
    [
        ("auto", {"alpha.md", "beta.md"}),
        ("title", {"alpha-post.md", "beta-post.md"}),
        ("filename", {"alpha.md", "beta.md"}),
    ],
)
def test_slug_strategy(tmp_path, strategy, files) -> None:
    fm = convert(tmp_path, f'slug_strategy = "{strategy}"\n')
    assert set(fm) == files
    assert {v["slug"] for v in fm.values()} == {f.removesuffix(".md") for f in files}


def test_case_merge_first_spelling_wins(tmp_path) -> None:
    fm = convert(tmp_path, 'tag_case = "merge"\n')
    # alpha (read first) writes the tag `openstack` before its category `OpenStack`
    assert fm["alpha.md"]["tags"] == ["openstack", "py"]
    assert fm["alpha.md"]["categories"] == ["openstack", "DevStack"]
    assert fm["beta.md"]["tags"] == ["openstack", "Python"]
    assert fm["beta.md"]["categories"] == ["openstack"]


def test_renames_and_merges(tmp_path) -> None:
    fm = convert(
        tmp_path,
        'tag_case = "merge"\n'
        'tag_rename = { openstack = "OpenStack", py = "Python" }\n'
        'category_rename = { DevStack = "OpenStack" }\n',
    )
    assert fm["alpha.md"]["tags"] == ["OpenStack", "Python"]
    assert fm["beta.md"]["tags"] == ["OpenStack", "Python"]
    assert fm["alpha.md"]["categories"] == ["OpenStack"]  # DevStack merged into OpenStack
    assert fm["beta.md"]["categories"] == ["OpenStack"]


def test_lower_case(tmp_path) -> None:
    fm = convert(tmp_path, 'tag_case = "lower"\n')
    assert fm["beta.md"]["tags"] == ["openstack", "python"]
    assert fm["alpha.md"]["categories"] == ["openstack", "devstack"]


def test_move_category_into_tags(tmp_path) -> None:
    fm = convert(tmp_path, 'move_keys = { category = "tags" }\ntag_case = "merge"\n')
    assert fm["alpha.md"]["tags"] == ["openstack", "py", "DevStack"]
    assert "categories" not in fm["alpha.md"]
    assert fm["beta.md"]["tags"] == ["openstack", "Python"]
    assert "categories" not in fm["beta.md"]


def test_move_an_extra_key_into_a_field(tmp_path) -> None:
    fm = convert(tmp_path, 'move_keys = { location = "tags" }\n')
    assert fm["alpha.md"]["tags"] == ["openstack", "py", "Paris"]
    assert "location" not in fm["alpha.md"]


def test_drop_keys(tmp_path) -> None:
    fm = convert(tmp_path, 'drop_keys = ["description", "location", "title"]\n')
    alpha = fm["alpha.md"]
    assert "summary" not in alpha and "description" not in alpha  # `description` names the summary
    assert "location" not in alpha
    assert alpha["title"] == "Alpha Post"  # never dropped: every target needs one


def test_front_matter_names_per_target(tmp_path) -> None:
    config = (
        "[front_matter_names]\ntags = 'keywords'\n"
        "[front_matter_names.hugo]\ndescription = ''\n"
        "[front_matter_names.jekyll]\nexcerpt = 'description'\n"
    )
    hugo = convert(tmp_path, config, "hugo")["alpha.md"]
    assert hugo["keywords"] == ["openstack", "py"] and "tags" not in hugo
    assert hugo["summary"] == "Short summary." and "description" not in hugo
    jekyll = convert(tmp_path, config, "jekyll")["2013-09-17-alpha.md"]
    assert jekyll["description"] == "Short summary." and "excerpt" not in jekyll
    assert jekyll["keywords"] == ["openstack", "py"]
    md = convert(tmp_path, config, "markdown")["alpha.md"]
    assert md["summary"] == "Short summary." and md["keywords"] == ["openstack", "py"]


def test_rules_are_a_pure_function() -> None:
    cfg = Config(tag_case="merge", tag_rename={"PY": "python"}, move_keys={"categories": "tags"})
    metas = [Metadata(tags=("Py", "Docs"), categories=("Web",)), Metadata(tags=("docs",))]
    canonical = canonical_tags(metas, cfg)
    assert canonical == {"python": "python", "docs": "Docs", "web": "Web"}
    first = apply_rules(metas[0], cfg, canonical)
    assert (first.tags, first.categories) == (("python", "Docs", "Web"), ())
    assert apply_rules(metas[1], cfg, canonical).tags == ("Docs",)
    assert apply_rules(metas[0], Config()) == metas[0]
