"""real_path: the same answer as os.path.realpath, with folders resolved once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from migrate import paths
from migrate.paths import real_path


@pytest.fixture
def tree(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "f.rst").write_text("x")
    (tmp_path / "a" / "l.rst").symlink_to(tmp_path / "a" / "f.rst")
    (tmp_path / "a" / "dangling.rst").symlink_to(tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)
    paths.forget()
    return tmp_path


@pytest.mark.parametrize(
    "rel",
    [
        "b/f.rst",
        "b/l.rst",
        "a/f.rst",
        "b/../a/l.rst",
        "b/missing.rst",
        "a/dangling.rst",
        "f.rst",
        "b/..",
        "b",
        "a/",
    ],
)
def test_real_path_is_realpath(tree: Path, rel: str) -> None:
    for p in (rel, str(tree / rel), tree / rel):
        assert real_path(p) == os.path.realpath(p)


def test_a_changed_folder_link_is_seen_after_forget(tree: Path) -> None:
    (tree / "c").mkdir()
    (tree / "c" / "f.rst").write_text("y")
    assert real_path("b/f.rst") == str(tree / "a" / "f.rst")
    (tree / "b").unlink()
    (tree / "b").symlink_to(tree / "c")
    paths.forget()
    assert real_path("b/f.rst") == str(tree / "c" / "f.rst")
