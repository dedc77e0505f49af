"""migrate.toml: loading, errors with suggestions, and the generated reference."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys

import pytest
import tomllib
from conftest import ROOT, SAMPLES

from migrate import docs
from migrate.config import Config, MetaDirective
from migrate.errors import ConfigError


def load(tmp_path, text: str) -> Config:
    p = tmp_path / "migrate.toml"
    p.write_text(text, encoding="utf-8")
    return Config.from_file(p)


def test_samples_config() -> None:
    cfg = Config.from_file(SAMPLES / "migrate.toml")
    assert cfg.timezone == "UTC"
    assert cfg.default_author == "Sam Sample"
    assert cfg.old_permalink == ("/blog/{year}/{month}/{day}/{title_slug}/",)
    assert cfg.old_base_url == "https://old.example.com"
    assert cfg.meta_directives == (MetaDirective("rstblog-settings", "rstblog", "", {"url": "aliases"}),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('old_permalnk = "/x/"', "unknown configuration key 'old_permalnk' (did you mean 'old_permalink'?)"),
        ('default-autor = "x"', "unknown configuration key 'default-autor' (did you mean 'default_author'?)"),
        ("tag_cases = 'merge'", "(did you mean 'tag_case'?)"),
        ("zzz = 1", "unknown configuration key 'zzz'"),
        ("timezone = 5", "'timezone' must be a string, not a number"),
        ("raw = 'yes'", "'raw' must be true or false, not a string"),
        ("drop_keys = [1]", "'drop_keys' must be a list of strings"),
        ("tag_rename = 'py'", "'tag_rename' must be a table"),
        ("tag_rename = { py = 1 }", "the value of 'py' must be a string, not a number"),
        ("tag_case = 'upper'", "tag_case must be keep, lower or merge"),
        ("slug_strategy = 'random'", "slug_strategy must be auto, title or filename"),
        ("hugo_links = 'relref'", "hugo_links must be ref or url"),
        ("jekyll_links = 'ref'", "jekyll_links must be post_url or url"),
        ("date_order = 'ydm'", "date_order must be ymd, mdy or dmy"),
        ("timezone = 'Mars/Olympus'", "Mars/Olympus"),
        ("old_permalink = '/{year}/{titleslug}/'", "unknown placeholder '{titleslug}'"),
        ("jekyll_permalink = '/{yaer}/{slug}/'", "(did you mean '{year}'?)"),
        (
            "[front_matter_names.hugoo]\nsummary = 'description'",
            "unknown target 'hugoo' (did you mean 'hugo'?)",
        ),
        ("[[meta_directives]]\nname = 'x'\nfeilds = {}", "unknown key(s) ['feilds'] in meta_directives"),
        ("timezone = ", "cannot read configuration"),
    ],
)
def test_errors_name_the_file_and_suggest(tmp_path, text, message) -> None:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    assert message in str(e.value)
    assert str(tmp_path / "migrate.toml") in str(e.value)


def test_unknown_key_through_the_cli_is_a_usage_error(tmp_path) -> None:
    (tmp_path / "migrate.toml").write_text('old_permalnk = "/x/"\n')
    (tmp_path / "a.rst").write_text("---\ntitle: A\ndate: 2020-01-01\n---\n\nx\n")
    for args in (
        ["convert", str(tmp_path), "--to", "hugo", "--out", str(tmp_path / "out")],
        ["links", str(tmp_path)],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "migrate.cli", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert proc.returncode == 2
        assert "unknown configuration key 'old_permalnk' (did you mean 'old_permalink'?)" in proc.stderr


def test_one_string_or_a_list(tmp_path) -> None:
    assert load(tmp_path, 'old_permalink = "/a/{slug}/"').old_permalink == ("/a/{slug}/",)
    cfg = load(tmp_path, 'old_permalink = ["/a/{slug}/", "/b/{slug}.html"]\ndrop_keys = "summary"')
    assert cfg.old_permalink == ("/a/{slug}/", "/b/{slug}.html")
    assert cfg.drop_keys == ("summary",)


def test_static_root_is_relative_to_the_file(tmp_path) -> None:
    (tmp_path / "conf").mkdir()
    p = tmp_path / "conf" / "migrate.toml"
    p.write_text('static_root = "../static"\n')
    assert Config.from_file(p).static_root == (tmp_path / "static").resolve().as_posix()
    p.write_text('static_root = "/srv/static"\n')
    assert Config.from_file(p).static_root == "/srv/static"


def test_front_matter_names_per_target(tmp_path) -> None:
    cfg = load(
        tmp_path,
        '[front_matter_names]\nsummary = "description"\n'
        "[front_matter_names.jekyll]\nexcerpt = 'description'\nsummary = 'abstract'\n",
    )
    assert cfg.field_names("hugo") == {"summary": "description"}
    assert cfg.field_names("jekyll") == {"summary": "abstract", "excerpt": "description"}
    assert cfg.field_names("pandoc:docx") == {"summary": "description"}


def test_config_pickles_and_hashes_by_value() -> None:
    import pickle

    cfg = Config.from_file(SAMPLES / "migrate.toml")
    assert pickle.loads(pickle.dumps(cfg)) == cfg


# --------------------------------------------------------------------------- the reference


def test_every_key_is_documented() -> None:
    keys = docs.reference()
    assert [k.name for k in keys] == [f.name for f in dataclasses.fields(Config)]
    assert [k.name for k in keys if not k.doc] == []


def test_configuration_md_is_up_to_date() -> None:
    """Fails when a key, default or docstring changed without ``python -m migrate.docs``."""
    path = ROOT / "docs" / "configuration.md"
    text = path.read_text(encoding="utf-8")
    assert docs.render(text) == text, "docs/configuration.md is out of date: run python -m migrate.docs"
    for f in dataclasses.fields(Config):
        assert f"| `{f.name}` |" in text


def test_docs_check_command_detects_a_stale_file(tmp_path) -> None:
    stale = tmp_path / "configuration.md"
    stale.write_text(f"# Configuration\n\n{docs.BEGIN}\n| old table |\n{docs.END}\n", encoding="utf-8")
    assert docs.main(["--check", str(stale)]) == 1
    assert docs.main([str(stale)]) == 0
    assert docs.main(["--check", str(stale)]) == 0
    assert "| `old_permalink` |" in stale.read_text(encoding="utf-8")


def test_init_template_lists_every_key_at_its_default(tmp_path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "init", str(tmp_path / "migrate.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "migrate.toml").read_text(encoding="utf-8")
    assert tomllib.loads(text) == {}  # all commented out: the file changes nothing
    assert Config.from_file(tmp_path / "migrate.toml") == Config()
    # uncommenting every `# key = value` line gives back the defaults
    names = {f.name for f in dataclasses.fields(Config)}
    lines = [m.group(0)[2:] for m in re.finditer(r"^# (\w+) = .*$", text, re.M) if m.group(1) in names]
    data = tomllib.loads("\n".join(lines))
    assert set(data) == {f.name for f in dataclasses.fields(Config)} - {"meta_directives"}
    assert Config.from_dict(data) == Config()
    # and `init` does not overwrite
    again = subprocess.run(
        [sys.executable, "-m", "migrate.cli", "init", str(tmp_path / "migrate.toml")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 1
