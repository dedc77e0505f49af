"""The batch's growing tables (migrate.ledger): the same answers as a dict, in key order, and
no file left behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from migrate.ledger import DictTable, Table, table
from migrate.manifest import Manifest, Owned, _json_chunks

keys = st.text(alphabet="ab/.-é\u4e2d\U0001f600", max_size=6)
ops = st.lists(
    st.tuples(st.sampled_from(["set", "setdefault", "pop", "del", "many"]), keys, st.text(max_size=4)),
    max_size=40,
)


def _apply(t, op: str, key: str, value: str) -> object:
    try:
        if op == "set":
            t[key] = value
            return None
        if op == "setdefault":
            return t.setdefault(key, value)
        if op == "pop":
            return t.pop(key, "-")
        if op == "del":
            del t[key]
            return None
        t.update_many([(key, value), (key + "x", value)])
        return None
    except KeyError:
        return KeyError


@given(ops)
def test_a_table_answers_as_a_dict_and_walks_in_python_sort_order(steps):
    sql, ref = Table(1, str, folder=True), {}
    assert isinstance(table(1, str), Table)  # this Python has sqlite3: the SQLite table
    for op, key, value in steps:
        expected = _apply(ref if op != "many" else DictTable(ref), op, key, value)
        if op == "many":
            ref.update([(key, value), (key + "x", value)])
        assert _apply(sql, op, key, value) == expected
    assert len(sql) == len(ref)
    assert list(sql.items()) == sorted(ref.items())  # SQLite's order is Python's (UTF-8 bytes)
    assert list(sql) == sorted(ref)
    for key in ref:
        assert key in sql and sql[key] == ref[key] and sql.get(key) == ref[key]
    assert "zz-not-there" not in sql and sql.get("zz-not-there", 7) == 7
    expected_folders = sorted({key.rpartition("/")[0] for key in ref})
    assert list(sql.folders()) == expected_folders
    assert list(DictTable(ref).folders()) == expected_folders
    for prefix in {"", "zz", "a/", "é", *(k[:2] for k in ref)}:
        expected_prefix = any(k.startswith(prefix) for k in ref)
        assert sql.has_prefix(prefix) == expected_prefix == DictTable(ref).has_prefix(prefix)


def test_a_walk_survives_deletions_behind_it_across_pages():
    """Pruning deletes rows while it walks the manifest: each row is seen once."""
    t = Table(3, Owned)
    n = 1300  # more than two pages
    t.update_many((f"content/{i:05}.md", Owned(f"s{i}", "0" * 64, "hugo")) for i in range(n))
    seen = []
    for rel, info in t.items():
        seen.append(rel)
        assert isinstance(info, Owned) and info.target == "hugo"
        if int(rel[8:13]) % 3 == 0:
            t.pop(rel)
    assert seen == [f"content/{i:05}.md" for i in range(n)]
    assert len(t) == n - len(range(0, n, 3))


@settings(max_examples=30)
@given(
    st.dictionaries(keys, st.tuples(keys, st.text(max_size=3), st.sampled_from(["hugo", ""])), max_size=20)
)
def test_the_manifest_text_from_a_table_is_the_text_from_a_dict(files):
    owned = {rel: Owned(*v) for rel, v in files.items()}
    sql = Table(3, Owned)
    sql.update_many(owned.items())
    text = "".join(_json_chunks(sql))
    assert text == "".join(_json_chunks(owned))
    assert json.loads(text) == {"files": {k: v._asdict() for k, v in owned.items()}}


def test_a_manifest_keeps_its_rows_in_a_table_and_round_trips(tmp_path):
    m = Manifest(tmp_path)
    assert isinstance(m.files, Table)
    m.record("b/x.md", "/src/b.rst", "1" * 64, "hugo")
    m.record("a.md", "/src/a.rst", "2" * 64, "hugo")
    m.save()
    again = Manifest.load(tmp_path)
    assert isinstance(again.files, Table)
    assert list(again.files.items()) == [
        ("a.md", Owned("/src/a.rst", "2" * 64, "hugo")),
        ("b/x.md", Owned("/src/b.rst", "1" * 64, "hugo")),
    ]


def test_a_table_spills_to_a_file_nobody_can_see_and_nothing_is_left(tmp_path):
    """SQLite's temporary database: once the page cache is full its rows go to a file that
    was deleted when it was opened, in the temporary folder; after the process, nothing."""
    script = textwrap.dedent(
        """
        import os
        from migrate.ledger import Table
        t = Table(1, str, folder=True)
        t.update_many((f"content/posts/{i:06}/index.md", "x" * 80) for i in range(40000))
        assert len(t) == 40000
        fds = []
        for f in os.listdir("/proc/self/fd"):
            try:
                fds.append(os.readlink(f"/proc/self/fd/{f}"))
            except OSError:
                pass  # the listing's own descriptor, closed meanwhile
        print([f for f in fds if f.startswith(os.environ["TMPDIR"])])
        print(os.listdir(os.environ["TMPDIR"]))
        """
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "SQLITE_TMPDIR": str(tmp)}
    r = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    open_files, listing = (eval(line) for line in r.stdout.splitlines())  # noqa: S307 - our own output
    assert open_files and all(f.endswith("(deleted)") for f in open_files)  # on disk, unlinked
    assert listing == []
    assert os.listdir(tmp) == []


def test_without_sqlite_tables_a_batch_writes_and_prunes_the_same(tmp_path, monkeypatch):
    """The dict tables (no ``sqlite3``, or no temporary file can be made) give the same
    outputs, the same ``manifest.json``, and prune the same files when a post goes away."""
    import shutil
    from pathlib import Path

    from conftest import SAMPLES

    import migrate.ledger as ledger
    from migrate.config import Config
    from migrate.pipeline import Job, convert, discover

    def tree(out: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(out)): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and "cache" not in p.relative_to(out).parts
        }

    def batch(name: str) -> list[dict[str, bytes]]:
        src = tmp_path / name / "src"
        shutil.copytree(SAMPLES, src)
        out = tmp_path / name / "out"
        cfg = Config.from_file(src / "migrate.toml")
        trees = []
        for _ in range(2):
            convert(Job(sources=discover([src]), target="hugo", out=out, config=cfg, roots=[src]))
            trees.append({k: v.replace(str(tmp_path / name).encode(), b"ROOT") for k, v in tree(out).items()})
            victim = sorted(src.glob("*.rst"))[0]
            victim.unlink()  # the second run prunes its outputs
        return trees

    with_sqlite = batch("sqlite")
    assert isinstance(table(), Table)
    monkeypatch.setattr(ledger, "_can_spill", lambda: False)
    assert isinstance(table(), DictTable)
    without = batch("dicts")
    assert without == with_sqlite
    first, second = with_sqlite
    assert ".migrate/manifest.json" in first and len(second) < len(first)  # something was pruned
    manifest = json.loads(second[".migrate/manifest.json"])
    assert sorted(manifest["files"]) == sorted(k for k in second if not k.startswith(".migrate"))
