"""The batch's records on disk: spools, the report's result log, a bounded window of tasks."""

from __future__ import annotations

import copy
import json
import pickle
import shutil
from concurrent.futures import Executor, Future
from pathlib import Path

import pytest
from conftest import SAMPLES
from hypothesis import given
from hypothesis import strategies as st

from migrate.config import Config
from migrate.pipeline import TASKS_AHEAD, Job, _run, convert, discover
from migrate.report import ChangeLog, Report, ResultLog
from migrate.spool import Ints, Spool, Strings

records = st.lists(
    st.tuples(st.booleans(), st.recursive(st.text() | st.integers(), lambda c: st.lists(c, max_size=3))),
    max_size=30,
)


def _spool() -> Spool:
    return Spool(lambda v: json.dumps(v).encode(), json.loads)


@given(records)
def test_a_spool_gives_back_what_was_appended_in_memory_or_on_disk(items):
    spool = _spool()
    for keep, value in items:
        spool.append(value, keep=keep)
    values = [v for _, v in items]
    assert len(spool) == len(values)
    for i, (keep, value) in enumerate(items):  # on disk: the encoded bytes, to send as they are
        assert spool.is_kept(i) == keep
        assert spool.raw(i) is None if keep else json.loads(spool.raw(i)) == value
    assert list(spool) == values
    assert [spool[i] for i in range(len(values))] == values
    assert [spool[-i] for i in range(1, len(values) + 1)] == [values[-i] for i in range(1, len(values) + 1)]
    assert spool[1:4] == values[1:4] and spool[::-2] == values[::-2]
    assert pickle.loads(pickle.dumps(spool)) == values  # pickled as the list it stands for
    spool.close()
    assert len(spool) == 0


def test_a_spool_reads_while_it_is_still_being_written():
    spool = _spool()
    for i in range(200):
        spool.append({"n": i, "s": "é" * i})
        assert spool[i] == {"n": i, "s": "é" * i}  # flushed before reading
    assert spool[50]["n"] == 50


ops = st.lists(st.one_of(st.integers(-(2**62), 2**62), st.tuples(st.just("read"), st.integers(0, 10**6))))


@given(ops, st.sampled_from([1, 3, 512]))
def test_ints_on_disk_give_back_what_was_appended_whatever_the_reads_between(operations, block):
    """Appends, and random reads between them (the window moving), against a list; a block
    size of 1 or 3 spills all the time, the real one (512) rarely within the example."""
    import migrate.spool as spool_mod

    old = spool_mod.BLOCK
    spool_mod.BLOCK = block
    try:
        ints, plain = Ints(), []
        for op in operations:
            if isinstance(op, tuple):
                if plain:
                    i = op[1] % len(plain)
                    assert ints[i] == plain[i] and ints[-1 - i] == plain[-1 - i]
            else:
                ints.append(op)
                plain.append(op)
        assert len(ints) == len(plain) and list(ints) == plain
        assert ints[1:5] == plain[1:5] and pickle.loads(pickle.dumps(ints)) == plain
        assert len(ints._tail) < block or not ints._fh  # the rest is on disk
        ints.close()
        assert len(ints) == 0
    finally:
        spool_mod.BLOCK = old


def test_ints_keep_one_block_in_memory_and_a_walk_sees_what_is_appended_during_it():
    ints = Ints(range(5000))
    assert len(ints._tail) == 5000 % 512 and ints._on_disk == 4608  # 9 blocks went to disk
    assert [ints[i] for i in (0, 4999, 511, 512, 2048, 1)] == [0, 4999, 511, 512, 2048, 1]
    walked = []
    for x in ints:  # as a list does: what is appended while walking is walked too
        walked.append(x)
        if x < 600:
            ints.append(x + 5000)
    assert walked == list(range(5600))
    with pytest.raises(IndexError):
        ints[5600]


def test_a_spool_of_thousands_reads_back_by_position_through_offsets_on_disk():
    spool = _spool()
    values = [{"n": i, "s": "é" * (i % 7)} for i in range(3000)]
    for i, v in enumerate(values):
        spool.append(v, keep=i % 1000 == 0)
    assert spool._ends._on_disk > 0  # the offsets themselves went to disk
    assert [spool[i] for i in (2999, 0, 1500, 511, 512, 1000)] == [
        values[i] for i in (2999, 0, 1500, 511, 512, 1000)
    ]
    assert list(spool) == values


def test_strings_give_back_names_the_file_system_gave_as_bytes():
    names = ["a.rst", "caf\udce9.rst", "日本語.rst", ""]
    strings = Strings(names)
    assert list(strings) == names and strings[1] == "caf\udce9.rst"
    assert pickle.loads(pickle.dumps(strings)) == names


def test_without_a_temporary_folder_ints_stay_in_memory(monkeypatch):
    import tempfile

    def refuse(*a, **k):
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    ints = Ints(range(2000))
    assert list(ints) == list(range(2000)) and ints[700] == 700 and not ints._fh


def _convert(src: Path, out: Path) -> Report:
    cfg = Config.from_file(src / "migrate.toml")
    return convert(
        Job(sources=discover([src], exclude=[out]), target="hugo", out=out, config=cfg, roots=[src])
    )


def test_a_fresh_run_keeps_its_results_on_disk_and_counts_them_right(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    report = _convert(src, tmp_path / "out")
    log = report.results
    assert isinstance(log, ResultLog)
    assert not log._kept  # every post was rendered: every result went to disk
    assert len(log) == len(discover([src]))
    # the totals kept as results came equal the totals counted again from the results read back
    plain = Report(results=list(log), changes=list(report.changes))
    assert plain.totals() == report.totals()
    # so are the output changes, counted as they come
    assert isinstance(report.changes, ChangeLog) and not report.changes._kept
    assert report.totals()["create"] == sum(c.action == "create" for c in report.changes) > 0
    assert {c.source for c in report.changes} <= {r.source for r in log}
    assert report.totals()["error"] == 1 and report.totals()["broken_links"] > 0
    assert [r.source for r in report.failed] == [r.source for r in log if r.status == "error"]
    assert copy.deepcopy(report).results == list(log)
    # a re-run restores every result from the cache and keeps them as they are
    again = _convert(src, tmp_path / "out")
    assert again.totals()["cached"] == again.totals()["files"]
    assert len(again.results._kept) == again.totals()["files"]  # all restored, none encoded
    assert [(r.source, r.status, r.outputs, r.diagnostics, r.links) for r in again.results] == [
        (r.source, r.status, r.outputs, r.diagnostics, r.links) for r in log
    ]


class _CountingExecutor(Executor):
    """Completes each task when submitted, and counts how many were submitted."""

    _max_workers = 2

    def __init__(self) -> None:
        self.submitted = 0

    def submit(self, fn, /, *args, **kwargs) -> Future:
        self.submitted += 1
        fut: Future = Future()
        fut.set_result(fn(*args, **kwargs))
        return fut


def test_tasks_are_made_and_submitted_a_few_at_a_time():
    ex = _CountingExecutor()
    made = []

    def chunks():
        for i in range(200):
            made.append(i)
            yield [i]

    got = []
    for result in _run(ex, lambda c: [x * 2 for x in c], chunks()):
        got.extend(result)
        assert ex.submitted - len(got) <= TASKS_AHEAD * ex._max_workers  # a bounded window in flight
        assert len(made) == ex.submitted
    assert got == [2 * i for i in range(200)]


def test_a_batch_pauses_the_collector_and_gives_it_back_as_it_was(tmp_path):
    import gc

    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    seen = []
    cfg = Config.from_file(src / "migrate.toml")
    job = Job(sources=discover([src]), target="json", out=None, config=cfg, roots=[src])
    assert gc.isenabled()
    convert(job, progress=lambda *_: seen.append(gc.isenabled()))
    assert seen and not any(seen)  # paused for the whole batch
    assert gc.isenabled()
    gc.disable()
    try:
        convert(job)
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


def _whole(report: Report) -> str:
    """The report as one json.dumps of everything (what write_json must equal, byte for byte)."""
    data = {
        "target": report.target,
        "totals": report.totals(),
        "seconds": round(report.seconds, 3),
        "files": [r.to_data() for r in report.results],
        "changes": [{"action": c.action, "path": c.path, "source": c.source} for c in report.pending_changes],
        "notes": report.notes,
    }
    if report.site_outputs is not None:
        data["site"] = report.site_outputs.to_data()
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def test_the_json_report_is_written_one_post_at_a_time_as_one_dump_would(tmp_path):
    import io

    from migrate.report import FileResult

    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    report = _convert(src, tmp_path / "out")
    assert report.to_json() == _whole(report)
    out = io.StringIO()
    report.write_json(out)
    assert json.loads(out.getvalue())["totals"] == report.totals()
    empty = Report(target="hugo")
    assert empty.to_json() == _whole(empty)
    empty.site_outputs = FileResult("(site)", outputs=["index.html"])
    empty.notes.append("kept: édité à la main")
    assert empty.to_json() == _whole(empty)


def test_without_a_temporary_folder_the_records_stay_in_memory(monkeypatch):
    import tempfile

    def refuse(*a, **k):
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    spool = _spool()
    for i in range(5):
        spool.append({"n": i})
    assert list(spool) == [{"n": i} for i in range(5)] and spool[-1] == {"n": 4}


def test_between_the_passes_no_post_is_held_in_memory(tmp_path):
    """Pass 1's results and the final metadata wait on disk (spools), the site index in its
    SQLite file: when pass 2 starts, no post's ReadOut or metadata is a live object."""
    import gc
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from migrate.model import Metadata
    from migrate.pipeline import ReadOut, discover_sources
    from migrate.sitedb import SiteDB

    src = tmp_path / "src"
    generate(src, 120)
    live: dict[str, int] = {}

    def count() -> dict[str, int]:
        objs = gc.get_objects()
        return {
            "readouts": sum(isinstance(o, ReadOut) for o in objs),
            "metas": sum(isinstance(o, Metadata) for o in objs),
        }

    before = count()  # what earlier tests of this process still hold

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "emit" and not live:
            live.update({k: v - before[k] for k, v in count().items()})

    job = Job(
        sources=discover_sources([src]),
        target="hugo",
        out=tmp_path / "out",
        config=Config.from_file(src / "migrate.toml"),
        roots=[src],
        chunk_size=8,
    )
    report = convert(job, progress=progress)
    assert report.totals()["files"] == 120 and not report.failed
    assert isinstance(report.site, SiteDB) and len(report.site.posts) == 120
    assert live["readouts"] <= 2 and live["metas"] <= 2, live


@given(
    st.dictionaries(
        st.text(min_size=1),
        st.tuples(st.text(), st.text(alphabet="0123456789abcdef"), st.sampled_from(["hugo", "jekyll", ""])),
        max_size=8,
    )
)
def test_the_manifest_is_written_one_file_at_a_time_as_one_dump_would(files):
    from migrate.manifest import Owned, _json_chunks

    owned = {rel: Owned(*info) for rel, info in files.items()}
    whole = {"files": {rel: dict(owned[rel]._asdict()) for rel in sorted(owned)}}
    assert "".join(_json_chunks(owned)) == json.dumps(whole, indent=1, ensure_ascii=False) + "\n"


def test_a_manifest_round_trips_through_its_file_and_its_journal(tmp_path):
    from migrate.manifest import Manifest, Owned

    m = Manifest(tmp_path)
    m.record("a/ü.md", "posts/a.rst", "ab12", "hugo")
    m.record("b.md", "posts/b.rst", "cd34", "hugo")
    # killed before save: the journal alone has the records
    assert Manifest.load(tmp_path).files == m.files
    m.save()
    again = Manifest.load(tmp_path)
    assert again.files == {
        "a/ü.md": Owned("posts/a.rst", "ab12", "hugo"),
        "b.md": Owned("posts/b.rst", "cd34", "hugo"),
    }
    assert not (tmp_path / ".migrate" / "journal").exists()


def test_discover_sources_lists_what_discover_lists_as_strings():
    from conftest import CORPUS

    from migrate.pipeline import discover_sources

    for roots in (
        [SAMPLES],
        [CORPUS] if CORPUS.is_dir() else [],
        [SAMPLES / "20130905-pi-cluster.rst", SAMPLES],
    ):
        found = discover_sources(roots)
        assert list(found) == [str(p) for p in discover(roots)]  # each post once, in order
        assert isinstance(found, Strings) and not found._kept  # on disk, not in memory
        assert all(isinstance(s, str) for s in found)


def test_discover_lists_a_tree_in_the_order_sorted_paths_take(tmp_path):
    """One folder listed at a time gives exactly ``sorted(Path.rglob)``'s posts: names that
    sort between a folder and its files, hidden and excluded folders, a symlinked folder."""
    from migrate.pipeline import discover_sources, is_post

    src = tmp_path / "blog"
    files = [
        "a.rst",
        "a/z.rst",
        "a-b.rst",
        "a.b/c.rst",
        "a/b/c/d.rst",
        "a/b.rst",
        "B.rst",
        "b/A.RST",
        "note.txt",
        "note.meta",
        "titled.txt",
        "plain.txt",
        ".hidden/x.rst",
        "x/.y/z.rst",
        ".dot.rst",
        "out/o.rst",
        "2015/01/06/post.rst",
        "2015/1/x.rst",
    ]
    for rel in files:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(".. title: T\n" if rel == "titled.txt" else "x\n", encoding="utf-8")
    (src / "linked").symlink_to(src / "a", target_is_directory=True)
    out = src / "out"

    def reference(root: Path) -> list[str]:
        found = []
        for p in root.rglob("*"):
            rel = p.relative_to(root)
            if any(part.startswith(".") for part in rel.parts) or p.is_relative_to(out):
                continue
            if p.is_file() and is_post(p):
                found.append(p)
        return [str(p) for p in sorted(found)]

    got = list(discover_sources([src], exclude=[out]))
    assert got == reference(src)
    assert str(src / "a" / "z.rst") in got and str(src / "titled.txt") in got
    assert str(src / "plain.txt") not in got and not any("linked" in s for s in got)
    assert list(discover_sources([src / "a"])) == reference(src / "a")


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.lists(st.text(max_size=8) | st.integers(), max_size=200)
        | st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=5)
        | st.text(max_size=5),
        max_size=4,
    )
)
def test_the_cache_index_record_streams_as_one_dump_writes_it(site):
    """The batch record (each post's fingerprint, a mapping as long as the batch) is written
    in parts; the parts make exactly the text ``dump`` would."""
    from migrate.cache import _dump_parts, dump

    assert "".join(_dump_parts(site)) == dump(site)


@given(st.lists(st.text() | st.binary()))
def test_a_digest_fed_part_by_part_is_digest_all_of_the_parts(parts):
    from migrate.cache import Digest, digest_all

    d = Digest()
    for p in parts:
        d.add(p)
    assert d.hexdigest() == digest_all(parts)
    assert digest_all(["ab", "c"]) != digest_all(["a", "bc"])  # length-prefixed: parts cannot run together
