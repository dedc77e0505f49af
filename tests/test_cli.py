"""The command line, run as a user would run it (a subprocess of the installed console script)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SAMPLES

import migrate

GOOD = """---
title: Good post
date: 2013-09-07 09:17:00
tags: openstack summit
categories: OpenStack, DevStack
---

Hello *world*, see `EtherPad`__.

__ https://etherpad.example.org/p/1
"""

BAD_DATE = """---
title: Bad date
date: someday soon
---

Body.
"""


def run(*args, input=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "migrate.cli", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_version_and_help():
    r = run("--version")
    assert r.returncode == 0 and migrate.__version__ in r.stdout
    for cmd in ([], ["convert"], ["inspect"], ["emitters"]):
        r = run(*cmd, "--help")
        assert r.returncode == 0 and "Usage:" in r.stdout


def test_stdin_to_stdout_json():
    r = run("convert", "-", "--to", "json", input=GOOD)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["meta"]["title"] == "Good post"
    assert data["meta"]["tags"] == ["openstack", "summit"]
    assert data["meta"]["categories"] == ["OpenStack", "DevStack"]
    assert data["meta"]["date"] == "2013-09-07T09:17:00+00:00"
    links = [b for b in data["blocks"][0]["content"] if b["t"] == "Link"]
    assert links[0]["target"] == "https://etherpad.example.org/p/1"


def test_batch_goes_on_after_a_failure_and_exit_code_says_so(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "20130907-good.rst").write_text(GOOD)
    (src / "20130908-bad.rst").write_text(BAD_DATE)
    out = tmp_path / "out"
    r = run("convert", str(src), "--to", "json", "--out", str(out), "--report", str(tmp_path / "r.json"))
    assert r.returncode == 1
    # the error names the file and the line of the date key
    assert f"{src / '20130908-bad.rst'}:3:" in r.stderr
    assert "someday soon" in r.stderr
    written = sorted(p.name for p in out.iterdir() if p.name != ".migrate")
    assert written == ["good.json"]
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["totals"]["error"] == 1 and report["totals"]["ok"] + report["totals"]["warning"] == 1


def test_clean_batch_exits_zero(tmp_path):
    (tmp_path / "a.rst").write_text(GOOD)
    r = run("convert", str(tmp_path / "a.rst"), "--to", "json", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    doc = migrate.Document.from_json((tmp_path / "o" / "a.json").read_text())
    assert doc.meta.title == "Good post"


def test_convert_needs_out_for_files(tmp_path):
    (tmp_path / "a.rst").write_text(GOOD)
    r = run("convert", str(tmp_path / "a.rst"), "--to", "json")
    assert r.returncode == 2 and "--out" in r.stderr


def test_unknown_target_is_a_usage_error(tmp_path):
    r = run("convert", "-", "--to", "nosuch", input=GOOD)
    assert r.returncode == 2 and "unknown target" in r.stderr


def test_inspect_text_and_json(tmp_path):
    p = tmp_path / "post.rst"
    p.write_text(
        "My Title\n########\n\n:date: 2015-1-6\n:tags: python, postgres\n\nIntro\n=====\n\nText.\n\n.. chart:: bar\n\n   data\n"
    )
    r = run("inspect", str(p))
    assert r.returncode == 0, r.stderr
    assert "dialect: pelican" in r.stdout and "My Title" in r.stdout and "Intro" in r.stdout
    assert "unknown directive" in r.stdout
    r = run("inspect", "--json", str(p))
    data = json.loads(r.stdout)
    assert data["dialect"] == "pelican"
    assert data["metadata"]["date"] == "2015-01-06T00:00:00+00:00"
    assert data["metadata"]["tags"] == ["python", "postgres"]
    assert data["outline"] == [{"level": 1, "title": "Intro", "id": "intro"}]
    assert any(d["code"] == "unknown-directive" and d["line"] == 12 for d in data["diagnostics"])


def test_samples_to_json(tmp_path):
    if not (SAMPLES / "migrate.toml").exists():
        pytest.skip("samples not written")
    out = tmp_path / "out"
    r = run("convert", str(SAMPLES), "--to", "json", "--out", str(out), "--report", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text())
    failed = [f for f in report["files"] if f["status"] == "error"]
    # exactly the deliberately broken post fails; everything else is written
    assert len(failed) == 1, failed
    assert r.returncode == 1
    posts = sorted(p for p in out.rglob("*.json") if ".migrate" not in p.parts)
    assert len(posts) == report["totals"]["files"] - 1
    for p in posts:
        doc = migrate.Document.from_json(p.read_text())
        assert doc.meta.title and doc.meta.date, p


def test_output_options_reach_the_emitters(tmp_path):
    """--front-matter, --heading-shift, --link-style, --flavor, --hugo-links and -O change the output."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.rst").write_text(
        "---\ntitle: A\ndate: 2013-09-07\n---\n\nSection\n=======\n\nSee `b <b.rst>`_ and `x <https://x.example/>`_.\n"
    )
    (src / "b.rst").write_text("---\ntitle: B\ndate: 2013-09-08\n---\n\nBody of b.\n")

    def convert(*opts):
        out = tmp_path / f"o{len(list(tmp_path.iterdir()))}"
        r = run("convert", str(src), "--to", "hugo", "--out", str(out), "--no-cache", *opts)
        assert r.returncode == 0, r.stderr
        return (out / "content/posts/a.md").read_text()

    default = convert()
    assert default.startswith("---\n") and "\n## Section" in default
    assert "{{< ref" in default  # hugo_links = ref by default
    toml = convert("--front-matter", "toml")
    assert toml.startswith("+++\n") and "title = " in toml
    shifted = convert("--heading-shift", "2")
    assert "\n### Section" in shifted
    ref = convert("--link-style", "reference")
    assert "[x][" in ref and "]: https://x.example/" in ref
    urls = convert("--hugo-links", "url")
    assert "{{< ref" not in urls and "(/posts/b/)" in urls
    opt = convert("-O", "heading_shift=0")
    assert "\n# Section" in opt
    r = run("convert", str(src), "--to", "hugo", "--out", str(tmp_path / "bad"), "-O", "novalue")
    assert r.returncode == 2 and "KEY=VALUE" in r.stderr
