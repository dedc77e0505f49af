"""Emitters are plugins: found through the ``migrate.emitters`` entry-point group.

The third-party package in ``tests/plugins/migrate_gemini`` is made discoverable the way
pip would (a ``.dist-info`` with ``entry_points.txt``, written from the package's own
``pyproject.toml``) without installing anything into the environment, and used through
the CLI.  A plugin that cannot be imported is listed as unavailable and refused with a
clear message, never a traceback.
"""

from __future__ import annotations

import ast
import collections
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES

import migrate
from migrate.config import Config
from migrate.emitters import registry
from migrate.errors import MigrateError
from migrate.model import Heading, plain_text, walk

try:
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

GEMINI = ROOT / "tests" / "plugins" / "migrate_gemini"
CONFIG = Config.from_file(SAMPLES / "migrate.toml")


def dist_info(site: Path, name: str, version: str, entry_points: dict[str, dict[str, str]]) -> Path:
    """What ``pip install`` leaves behind for discovery: METADATA and entry_points.txt."""
    d = site / f"{name.replace('-', '_')}-{version}.dist-info"
    d.mkdir(parents=True)
    (d / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    lines = []
    for group, eps in entry_points.items():
        lines.append(f"[{group}]")
        lines += [f"{k} = {v}" for k, v in eps.items()]
    (d / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return d


def run(*args: str, pythonpath: list[Path] = (), input: str | None = None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, pythonpath), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.run(
        [sys.executable, "-m", "migrate.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        input=input,
        timeout=300,
    )


@pytest.fixture
def gemini_site(tmp_path) -> list[Path]:
    """PYTHONPATH entries that make the Gemini plugin installed, as its pyproject.toml declares."""
    project = tomllib.loads((GEMINI / "pyproject.toml").read_text())["project"]
    site = tmp_path / "site"
    dist_info(site, project["name"], project["version"], project["entry-points"])
    return [site, GEMINI]


# --------------------------------------------------------------------------- built-ins


def test_builtins_are_registered_through_the_entry_point_group():
    """The built-ins are declared in pyproject.toml exactly as the fallback table names them."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"][registry.GROUP]
    for name, spec in registry.BUILTINS.items():
        assert declared.get(name) == spec, f"{name} is not registered in pyproject.toml"
    for name, spec in declared.items():
        assert registry.available()[name] == spec


def test_emitters_command_lists_every_target_with_a_description():
    r = run("emitters")
    assert r.returncode == 0, r.stderr
    listed = dict(line.split(None, 1) for line in r.stdout.splitlines())
    for name in registry.BUILTINS:
        assert name in listed
        assert len(listed[name]) > 10 and "unavailable" not in listed[name], listed[name]
    assert "pandoc:FORMAT" in listed["pandoc"]


def test_unknown_target_names_the_installed_ones():
    with pytest.raises(MigrateError, match=r"unknown target 'nope'; installed: .*json.*markdown"):
        registry.get("nope")
    with pytest.raises(MigrateError, match="takes no ':x' argument"):
        registry.get("json:x")
    r = run("convert", str(SAMPLES), "--to", "nope", "--out", "unused")
    assert r.returncode == 2 and "unknown target 'nope'" in r.stderr and "Traceback" not in r.stderr


# --------------------------------------------------------------------------- a third-party emitter


def test_gemini_plugin_is_listed(gemini_site):
    r = run("emitters", pythonpath=gemini_site)
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stdout.splitlines() if x.split()[0] == "gemini")
    assert "Gemini capsule pages (gemtext .gmi)" in line
    # the built-ins are still there
    assert {x.split()[0] for x in r.stdout.splitlines()} >= set(registry.BUILTINS) | {"gemini"}


def test_convert_samples_with_the_gemini_plugin(gemini_site, tmp_path):
    out = tmp_path / "capsule"
    r = run(
        "convert", str(SAMPLES), "--to", "gemini", "--out", str(out), "--report", str(tmp_path / "r.json"),
        pythonpath=gemini_site,
    )  # fmt: skip
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == 1  # the deliberately broken sample
    report = json.loads((tmp_path / "r.json").read_text())
    done = {f["source"]: f["outputs"] for f in report["files"] if f["status"] != "error"}
    assert len(done) >= 10
    for source, outputs in done.items():
        page = out / outputs[0]
        assert page.suffix == ".gmi", page
        text = page.read_text(encoding="utf-8")
        doc = migrate.read(Path(source), config=CONFIG)
        assert text.startswith(f"# {doc.meta.title}\n"), page
        # every heading is a gemtext heading, and not a word of the post is lost
        for h in (n for n in walk(doc.blocks) if isinstance(n, Heading)):
            assert re.search(rf"^#{{2,3}} {re.escape(plain_text(h.content))}$", text, flags=re.M), (page, h)
        missing = _words(plain_text(doc.blocks)) - _words(text)
        assert not missing, f"{page.name} lost {dict(missing)}"
        # gemtext has no inline markup: link lines only, never Markdown links
        assert not re.search(r"\]\((?:https?:|/)", text), page

    monitoring = (out / "homelab-monitoring-grafana.gmi").read_text(encoding="utf-8")
    assert "\n## The collector\n" in monitoring
    assert "\n```python\nimport os\nimport socket\n" in monitoring
    # links were rewritten by migrate before the plugin saw them
    assert "\n=> /pi-cluster/ the Pi cluster\n" in monitoring
    assert (
        "\n=> assets/images/dashboard.png The Grafana dashboard with four temperature graphs (image)\n"
        in monitoring
    )
    assert (out / "assets" / "images" / "dashboard.png").is_file()  # assets are copied for plugins too
    cluster = (out / "pi-cluster.gmi").read_text(encoding="utf-8")
    assert "\n## Notes\n" in cluster and "Ask me how I know." in cluster


def test_gemini_plugin_from_stdin(gemini_site):
    post = "---\ntitle: Hello\ndate: 2020-01-02\n---\n\nSee `the docs <https://example.org/docs>`_.\n"
    r = run("convert", "-", "--to", "gemini", input=post, pythonpath=gemini_site)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Hello\n\n2020-01-02")
    assert "See the docs.\n=> https://example.org/docs the docs\n" in r.stdout


def test_gemini_plugin_uses_only_the_model():
    """An emitter works on the document model: it imports migrate.model, never docutils."""
    tree = ast.parse((GEMINI / "migrate_gemini" / "__init__.py").read_text())
    imported = {
        (n.module if isinstance(n, ast.ImportFrom) else a.name)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom))
        for a in n.names
    }
    assert imported <= {"__future__", "re", "migrate.model"}, imported


# --------------------------------------------------------------------------- a broken plugin


@pytest.fixture
def broken_site(tmp_path) -> list[Path]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "migrate_broken.py").write_text(
        "import migrate_dependency_that_is_not_installed\n\nclass Emitter:\n    name = 'broken'\n"
    )
    (site / "migrate_notanemitter.py").write_text("class Thing:\n    description = 'not an emitter'\n")
    dist_info(
        site,
        "migrate-broken",
        "0.1",
        {
            "migrate.emitters": {
                "broken": "migrate_broken:Emitter",
                "notanemitter": "migrate_notanemitter:Thing",
                "missingattr": "migrate_notanemitter:Nope",
            }
        },
    )
    return [site]


def test_broken_plugin_is_listed_as_unavailable(broken_site):
    r = run("emitters", pythonpath=broken_site)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    listed = dict(line.split(None, 1) for line in r.stdout.splitlines())
    assert listed["broken"].startswith("(unavailable: ")
    assert "No module named 'migrate_dependency_that_is_not_installed'" in listed["broken"]
    assert "is not an emitter" in listed["notanemitter"]
    assert "unavailable" in listed["missingattr"] and "Nope" in listed["missingattr"]
    # one broken plugin does not hide the others
    for name in registry.BUILTINS:
        assert "unavailable" not in listed[name]


def test_converting_with_a_broken_plugin_is_a_clear_error(broken_site, tmp_path):
    out = tmp_path / "out"
    r = run("convert", str(SAMPLES), "--to", "broken", "--out", str(out), pythonpath=broken_site)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "emitter 'broken'" in r.stderr and "cannot be loaded" in r.stderr
    assert "migrate_dependency_that_is_not_installed" in r.stderr
    assert not out.exists()
    r = run("convert", "-", "--to", "notanemitter", input="Text.\n", pythonpath=broken_site)
    assert r.returncode == 2 and "is not an emitter" in r.stderr and "Traceback" not in r.stderr
    # the built-ins still work beside it
    r = run("convert", "-", "--to", "json", input="Text.\n", pythonpath=broken_site)
    assert r.returncode == 0 and json.loads(r.stdout)["blocks"][0]["t"] == "Paragraph"


def _words(text: str) -> collections.Counter:
    text = re.sub("\x00[ \n]", "", text).replace("\x00", "")
    return collections.Counter(re.findall(r"\w+", text.lower()))
