"""Batch mode: parallel = serial byte for byte, incremental re-runs, manifest, check/dry-run, reports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS, SAMPLES

from migrate.cli import main
from migrate.config import Config
from migrate.executors import make_executor
from migrate.pipeline import Job, convert, discover

BAD = "rack-rebuild-plans.rst"  # the sample post with a deliberately bad date


def clean_samples(tmp_path: Path) -> Path:
    """A copy of samples/ without the deliberately broken post, so a clean run exits 0."""
    src = tmp_path / "src"
    shutil.copytree(SAMPLES, src)
    (src / BAD).unlink()
    return src


def job(src: Path, out: Path, target: str = "hugo", **kw) -> Job:
    cfg = Config.from_file(src / "migrate.toml") if (src / "migrate.toml").exists() else Config()
    return Job(sources=discover([src], exclude=[out]), target=target, out=out, config=cfg, roots=[src], **kw)


def tree(root: Path) -> dict[str, bytes]:
    """Every output file (not migrate's own state) with its bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".migrate" not in p.relative_to(root).parts
    }


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "migrate.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


# --------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("target", ["hugo", "jekyll", "json"])
def test_process_pool_output_is_byte_identical_to_serial(tmp_path, target):
    src = clean_samples(tmp_path)
    convert(job(src, tmp_path / "serial", target))
    with make_executor("process", jobs=2) as ex:
        report = convert(job(src, tmp_path / "pool", target, chunk_size=1), executor=ex)
    assert not report.failed
    serial, pool = tree(tmp_path / "serial"), tree(tmp_path / "pool")
    assert len(serial) >= 11
    assert serial == pool


def test_any_executor_works_and_agrees(tmp_path):
    src = clean_samples(tmp_path)
    convert(job(src, tmp_path / "a"))
    with ThreadPoolExecutor(max_workers=3) as ex:
        convert(job(src, tmp_path / "b", chunk_size=2), executor=ex)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_rerun_is_byte_identical_and_touches_nothing(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    first = convert(job(src, out))
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".migrate" not in p.parts}
    time.sleep(0.01)
    second = convert(job(src, out))
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file() and ".migrate" not in p.parts}
    assert before == after
    # not even migrate's own state is rewritten by a run in which nothing changed
    state = {p: p.stat().st_mtime_ns for p in (out / ".migrate").rglob("*") if p.is_file()}
    third = convert(job(src, out))
    assert {p: p.stat().st_mtime_ns for p in (out / ".migrate").rglob("*") if p.is_file()} == state
    assert third.totals()["cached"] == third.totals()["files"]
    assert second.totals()["cached"] == second.totals()["files"] == first.totals()["files"]
    # the cached run reports the same warnings and links as the first one
    assert [r.diagnostics for r in first.results] == [r.diagnostics for r in second.results]
    assert [r.links for r in first.results] == [r.links for r in second.results]


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_parallel_equals_serial(tmp_path):
    paths = discover([CORPUS])
    convert(Job(sources=paths, target="markdown", out=tmp_path / "s", roots=[CORPUS]))
    with make_executor("process", jobs=2) as ex:
        convert(Job(sources=paths, target="markdown", out=tmp_path / "p", roots=[CORPUS]), executor=ex)
    assert tree(tmp_path / "s") == tree(tmp_path / "p")


# --------------------------------------------------------------------------- incremental


def reconverted(report) -> set[str]:
    return {Path(r.source).name for r in report.results if not r.cached}


def test_body_change_reconverts_only_that_post(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    post = src / "zfs-snapshots.rst"
    post.write_text(post.read_text() + "\nOne more paragraph.\n")
    report = convert(job(src, out))
    assert reconverted(report) == {"zfs-snapshots.rst"}
    assert "One more paragraph." in (out / "content/posts/zfs-snapshots.md").read_text()


def test_changing_a_link_target_reconverts_the_posts_linking_to_it(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    # a new section changes the pi-cluster post's anchors, which its linkers depend on
    post = src / "20130905-pi-cluster.rst"
    post.write_text(post.read_text() + "\nAddendum\n========\n\nLater notes.\n")
    report = convert(job(src, out))
    # the posts that link to 20130905-pi-cluster.rst, found by reading the sources
    assert reconverted(report) == {
        "20130905-pi-cluster.rst",
        "20130917-vlan-notes.rst",
        "20130624-cafe-au-lait.rst",
        "20260128-power-usage.rst",
        "monitoring.rst",
        "sphinx-notes.rst",
    }


def _packs(out: Path) -> set[str]:
    return {p.name for p in (out / ".migrate/cache/docs").glob("*.pack")}


def test_cache_packs_are_reused_collected_and_compacted(tmp_path, monkeypatch):
    from migrate import cache as cache_mod

    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    first = _packs(out)
    assert len(first) == 1  # one inline task: one pack, not one file per post
    post = src / "zfs-snapshots.rst"
    post.write_text(post.read_text() + "\nOne more paragraph.\n")
    convert(job(src, out))
    second = _packs(out)
    assert first < second and len(second) == 2  # the old pack still holds the other posts
    # a pack no entry points at any more is deleted; a half-dead one is compacted
    monkeypatch.setattr(cache_mod.Cache, "COMPACT_MIN_BYTES", 0)
    posts = sorted(p for p in src.rglob("*.rst") if p.name != "20130905-pi-cluster.rst")
    for post in posts:  # all but one post edited: the first pack is now mostly dead
        post.write_text(post.read_text() + "\nEdited.\n")
    convert(job(src, out))
    third = _packs(out)
    assert not third & second  # both older packs were mostly dead: live documents copied out
    assert len(third) == 2  # this run's pack, and the one the surviving document moved to
    index = json.loads((out / ".migrate/cache/index.json").read_text())
    assert {e["doc"][0] for e in index["read"].values() if "doc" in e} == third
    # the compacted cache still serves every post: a re-run converts nothing and agrees with a clean run
    again = convert(job(src, out))
    assert again.totals()["cached"] == again.totals()["files"]
    clean = tmp_path / "clean"
    convert(job(src, clean))
    assert tree(clean) == tree(out)


@pytest.mark.parametrize("target", ["hugo", "json"])
def test_without_a_cache_the_output_is_the_same(tmp_path, target):
    """Documents kept in memory (--no-cache), loaded from the cache, or read from our JSON render
    alike: directive options and extra metadata keep their source order on every path."""
    src = clean_samples(tmp_path)
    convert(job(src, tmp_path / "cached", target))
    convert(job(src, tmp_path / "memory", target, use_cache=False))
    assert tree(tmp_path / "memory") == tree(tmp_path / "cached")
    assert not (tmp_path / "memory/.migrate/cache").exists()


def test_a_damaged_pack_means_reading_again_not_a_wrong_output(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    before = tree(out)
    (pack,) = (out / ".migrate/cache/docs").glob("*.pack")
    pack.write_bytes(pack.read_bytes()[:100] + b"garbage")
    # change a linked post so that every post linking to it needs its (damaged) cached document
    post = src / "20130905-pi-cluster.rst"
    post.write_text(post.read_text() + "\nAddendum\n========\n\nLater notes.\n")
    report = convert(job(src, out))
    assert report.exit_code() == 0
    clean = tmp_path / "clean"
    convert(job(src, clean))
    assert tree(clean) == tree(out) != before


def test_a_damaged_index_entry_means_reading_again(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    index_path = out / ".migrate/cache/index.json"
    index = json.loads(index_path.read_text())
    for i, entry in enumerate(index["read"].values()):  # metadata of other kinds, or garbage
        entry["meta"] = [[0], "x", {"a": 1}, [999], "garbage"][i % 5]
    for i, entry in enumerate(index["emit"].values()):
        entry["links"] = [["too", "short"]] if i % 2 else [[1, 2, 3, 4, 5, 6, 7, 8, 9]]
    index_path.write_text(json.dumps(index))
    report = convert(job(src, out))
    assert report.exit_code() == 0
    assert not [r for r in report.results if r.cached]  # no damaged entry trusted
    clean = tmp_path / "clean"
    convert(job(src, clean))
    assert tree(clean) == tree(out)


def test_slug_change_moves_output_and_updates_links(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    cfg_file = src / "migrate.toml"
    cfg_file.write_text('hugo_links = "url"\n' + cfg_file.read_text())
    convert(job(src, out))
    assert (out / "content/posts/pi-cluster/index.md").exists()
    post = src / "20130905-pi-cluster.rst"
    post.write_text(post.read_text().replace("---\n", "---\nslug: pi-rack\n", 1))
    report = convert(job(src, out))
    assert not report.failed
    assert (out / "content/posts/pi-rack/index.md").exists()
    # the old bundle is gone: migrate wrote it, and no post produces it any more
    assert not (out / "content/posts/pi-cluster").exists()
    vlan = (out / "content/posts/vlan-notes.md").read_text()
    assert "/posts/pi-rack/" in vlan and "/posts/pi-cluster/" not in vlan


def test_config_change_invalidates_everything(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    cfg_file = src / "migrate.toml"
    cfg_file.write_text(cfg_file.read_text().replace('timezone = "UTC"', 'timezone = "Europe/Paris"'))
    report = convert(job(src, out))
    assert report.totals()["cached"] == 0


def test_force_reconverts_everything(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    report = convert(job(src, out, force=True))
    assert report.totals()["cached"] == 0
    assert report.totals()["create"] == report.totals()["update"] == 0  # same bytes: nothing rewritten


def test_deleting_a_source_removes_only_its_outputs(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    mine = out / "content" / "posts" / "my-own-notes.md"
    mine.write_text("a file the user put there\n")
    (src / "zfs-snapshots.rst").unlink()
    report = convert(job(src, out))
    assert not (out / "content/posts/zfs-snapshots.md").exists()
    assert mine.read_text() == "a file the user put there\n"
    assert [c.path for c in report.changes if c.action == "delete"] == ["content/posts/zfs-snapshots.md"]


def test_deleting_a_linked_post_renders_its_linkers_again_as_a_clean_run_would(tmp_path):
    """The re-run reads no post (the others are all cached), but its batch is not the last
    one (the cache records a digest of the batch's sources, not their list): the site index
    is built again, and the posts that linked to the deleted one are rendered again."""
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    first = convert(job(src, out))
    (vlan,) = [r for r in first.results if r.source.endswith("20130917-vlan-notes.rst")]
    assert {link.status for link in vlan.links if "pi-cluster" in link.target} == {"resolved"}
    (src / "20130905-pi-cluster.rst").unlink()
    report = convert(job(src, out))
    (zfs,) = [r for r in report.results if r.source.endswith("zfs-snapshots.rst")]
    assert zfs.cached  # it does not link to the deleted post
    (vlan,) = [r for r in report.results if r.source.endswith("20130917-vlan-notes.rst")]
    assert not vlan.cached
    to_deleted = [link.status for link in vlan.links if "pi-cluster" in link.target]
    assert to_deleted and set(to_deleted) == {"broken"}  # resolved before the deletion
    assert not (out / "content/posts/pi-cluster").exists()
    clean = tmp_path / "clean"
    convert(job(src, clean))
    assert tree(clean) == tree(out)


@pytest.mark.parametrize("pool", [False, True], ids=["inline", "pool"])
def test_a_file_migrate_did_not_write_is_not_overwritten_without_force(tmp_path, pool):
    """With a pool, workers stage outputs as temporary files: a refused one is deleted."""
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    target = out / "content/posts/zfs-snapshots.md"
    target.parent.mkdir(parents=True)
    target.write_text("hand-written, precious\n")
    if pool:
        with ThreadPoolExecutor(2) as ex:
            report = convert(job(src, out), executor=ex)
    else:
        report = convert(job(src, out))
    assert not [p for p in out.rglob("*.tmp")]
    (res,) = [r for r in report.results if r.source.endswith("zfs-snapshots.rst")]
    assert res.status == "error" and res.diagnostics[-1].code == "output-exists"
    assert target.read_text() == "hand-written, precious\n"
    # every other post was written; the batch went on
    assert len([r for r in report.results if r.status != "error"]) == len(report.results) - 1
    report = convert(job(src, out, force=True))
    assert not report.failed
    assert target.read_text().startswith("---\ntitle:")


def test_a_hand_edited_output_is_kept_on_deletion(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    edited = out / "content/posts/zfs-snapshots.md"
    edited.write_text(edited.read_text() + "\nmy edit\n")
    (src / "zfs-snapshots.rst").unlink()
    report = convert(job(src, out))
    assert edited.exists()
    assert any("changed by hand" in n for n in report.notes)


# --------------------------------------------------------------------------- CLI: check, dry run, report


def test_check_mode(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(out), "--check", "-j", "1")
    assert r.returncode == 1  # nothing written yet: everything would be created
    assert not out.exists() or not tree(out)
    assert f"would create {out / 'content/posts/zfs-snapshots.md'}" in r.stdout
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(out), "-j", "1")
    assert r.returncode == 0, r.stderr
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(out), "--check", "-j", "1")
    assert r.returncode == 0, r.stdout + r.stderr
    post = src / "zfs-snapshots.rst"
    post.write_text(post.read_text().replace("snapshot", "snapshots", 1))
    before = tree(out)
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(out), "--check", "-j", "1")
    assert r.returncode == 1
    assert r.stdout.strip().splitlines() == [f"would update {out / 'content/posts/zfs-snapshots.md'}"]
    assert tree(out) == before
    # a hand edit to an output is a change --check reports too
    post.write_text(post.read_text().replace("snapshots", "snapshot", 1))
    (out / "content/posts/dns-adblock.md").write_text("edited\n")
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(out), "--check", "-j", "1")
    assert r.returncode == 1
    assert f"would update {out / 'content/posts/dns-adblock.md'}" in r.stdout


def test_dry_run_writes_nothing_and_shows_the_plan(tmp_path):
    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    r = run_cli("convert", str(src), "--to", "jekyll", "--out", str(out), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert not out.exists()
    assert "would create" in r.stdout and f"convert {src / 'zfs-snapshots.rst'}" in r.stdout


def test_report_json_and_exit_codes(tmp_path):
    out = tmp_path / "out"
    rep = tmp_path / "report.json"
    r = run_cli("convert", str(SAMPLES), "--to", "hugo", "--out", str(out), "--report", str(rep), "-q")
    assert r.returncode == 1  # the deliberately broken post
    data = json.loads(rep.read_text())
    files = {Path(f["source"]).name: f for f in data["files"]}
    assert files[BAD]["status"] == "error"
    (err,) = [d for d in files[BAD]["diagnostics"] if d["severity"] == "error"]
    assert err["line"] == 4 and err["code"] == "date" and err["path"].endswith(BAD)
    power = files["20260128-power-usage.rst"]
    assert power["status"] == "warning"
    assert [(b["target"], b["line"]) for b in power["broken_links"]] == [
        ("/blog/2012/09/07/building-a-four-node-raspberry-pi-cluster/", 47)
    ]
    assert "read" in power["timings"] and "emit" in power["timings"]
    assert data["totals"]["files"] == 12 and data["totals"]["error"] == 1
    assert data["totals"]["broken_links"] == 1
    # quiet prints errors only
    assert "error" in r.stderr and "warning" not in r.stderr
    r = run_cli("convert", str(SAMPLES), "--to", "hugo", "--out", str(out), "--fail-on", "broken-links")
    assert r.returncode == 1
    src = clean_samples(tmp_path)
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(tmp_path / "o2"))
    assert r.returncode == 0
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(tmp_path / "o2"), "--fail-on", "warning")
    assert r.returncode == 1  # power-usage.rst warns
    r = run_cli("convert", str(src), "--to", "nosuch", "--out", str(tmp_path / "o3"))
    assert r.returncode == 2


def test_not_a_tty_means_plain_lines_and_verbose_lists_files(tmp_path):
    src = clean_samples(tmp_path)
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(tmp_path / "o"), "-v")
    assert "\r" not in r.stderr and "[#" not in r.stderr  # no progress bar when piped
    lines = [x for x in r.stdout.splitlines() if "zfs-snapshots.rst" in x]
    assert lines and lines[0].split()[0] == "ok"
    assert "content/posts/zfs-snapshots.md" in lines[0]
    r = run_cli("convert", str(src), "--to", "hugo", "--out", str(tmp_path / "o"), "-v")
    assert any(x.startswith("cached") and "zfs-snapshots.rst" in x for x in r.stdout.splitlines())


def test_from_json_round_trip_to_another_target(tmp_path):
    src = clean_samples(tmp_path)
    convert(job(src, tmp_path / "json", "json"))
    direct = tmp_path / "direct"
    convert(job(src, direct, "markdown"))
    r = run_cli(
        "convert",
        str(tmp_path / "json"),
        "--from",
        "json",
        "--to",
        "markdown",
        "--out",
        str(tmp_path / "via"),
    )
    assert r.returncode == 0, r.stderr
    via = tree(tmp_path / "via")
    for rel, data in tree(direct).items():
        if rel.endswith(".md"):
            assert via[rel] == data, rel


# --------------------------------------------------------------------------- killed mid-run


def make_blog(root: Path, n: int, word: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(f"Paragraph {i} about {word} with ``code`` and *emphasis*." for i in range(40))
    for i in range(n):
        (root / f"post-{i:03d}.rst").write_text(
            f"---\ntitle: Post {i} {word}\ndate: 2020-01-{i % 28 + 1:02d}\n---\n\n{body}\n"
        )


def test_killed_run_leaves_old_or_new_files_and_rerun_matches_clean_run(tmp_path):
    src, out, ref = tmp_path / "src", tmp_path / "out", tmp_path / "ref"
    make_blog(src, 120, "alpha")
    assert (
        run_cli("convert", str(src), "--to", "markdown", "--out", str(out), "-j", "1", "-q").returncode == 0
    )
    old = tree(out)
    make_blog(src, 120, "beta")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "migrate.cli",
            "convert",
            str(src),
            "--to",
            "markdown",
            "--out",
            str(out),
            "-j",
            "1",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # kill it once it has started replacing files
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if any(b"beta" in p.read_bytes() for p in out.glob("*.md")):
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (
        run_cli("convert", str(src), "--to", "markdown", "--out", str(ref), "-j", "1", "-q").returncode == 0
    )
    new = tree(ref)
    mid = {rel: data for rel, data in tree(out).items() if not rel.endswith(".tmp")}
    assert set(mid) == set(old)
    assert sum(mid[rel] == new[rel] for rel in mid) >= 1  # the kill came mid-way
    assert all(mid[rel] in (old[rel], new[rel]) for rel in mid)  # never half a file
    r = run_cli("convert", str(src), "--to", "markdown", "--out", str(out), "-j", "2", "-q")
    assert r.returncode == 0, r.stderr
    assert tree(out) == new  # including: no temporary file left behind


# --------------------------------------------------------------------------- dask


def test_dask_local_cluster_gives_the_same_output(tmp_path):
    pytest.importorskip("distributed")
    src = clean_samples(tmp_path)
    convert(job(src, tmp_path / "serial"))
    r = run_cli(
        "convert",
        str(src),
        "--to",
        "hugo",
        "--out",
        str(tmp_path / "dask"),
        "--executor",
        "dask",
        "-j",
        "2",
        "-q",
    )
    assert r.returncode == 0, r.stderr
    assert tree(tmp_path / "serial") == tree(tmp_path / "dask")


def test_environment_timezone_does_not_change_output(tmp_path):
    src = clean_samples(tmp_path)
    outs = []
    for tz in ("UTC", "Pacific/Kiritimati", "America/Los_Angeles"):
        out = tmp_path / tz.replace("/", "_")
        env = {**os.environ, "TZ": tz}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "migrate.cli",
                "convert",
                str(src),
                "--to",
                "hugo",
                "--out",
                str(out),
                "-q",
            ],
            env=env,
            check=True,
        )
        outs.append(tree(out))
    assert outs[0] == outs[1] == outs[2]


@pytest.mark.parametrize("target", ["hugo", "jekyll", "markdown", "json"])
def test_verify_finds_no_loss_on_samples(tmp_path, target):
    src = clean_samples(tmp_path)
    rep = tmp_path / "r.json"
    r = run_cli(
        "convert",
        str(src),
        "--to",
        target,
        "--out",
        str(tmp_path / "o"),
        "--verify",
        "--fail-on",
        "loss",
        "--report",
        str(rep),
        "-q",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(rep.read_text())["totals"]["losses"] == 0


def test_verify_reports_a_loss_per_post(tmp_path, monkeypatch):
    """An emitter that drops the last paragraph is caught by --verify, naming the post."""
    import migrate.pipeline as pipeline
    from migrate.model import Paragraph

    src = clean_samples(tmp_path)
    real = pipeline.process

    def lossy(doc, site, job, emitter):
        files, diags, records, emitted = real(doc, site, job, emitter)
        if doc.source.path.endswith("zfs-snapshots.rst"):
            last = [b for b in emitted.blocks if isinstance(b, Paragraph)][-1]
            from migrate.model import plain_text

            text = files[0][1].replace(plain_text(last.content).split()[-1], "", 1)
            files = [(files[0][0], text), *files[1:]]
        return files, diags, records, emitted

    monkeypatch.setattr(pipeline, "process", lossy)
    report = convert(job(src, tmp_path / "o", "markdown", verify=True))
    losses = [(Path(d.path).name, d.code) for r in report.results for d in r.diagnostics if d.code == "loss"]
    assert losses == [("zfs-snapshots.rst", "loss")]
    assert report.exit_code(("loss",)) == 1 and report.exit_code(("error",)) == 0


def test_a_file_name_that_is_not_utf8_fails_that_post_and_the_batch_goes_on(tmp_path):
    """A name the file system gives as bytes used to stop the whole batch with a traceback
    (the cache key, the report and the manifest are UTF-8): now that post fails, by a
    printable name, and the others are converted; the JSON report is written."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.rst").write_text("Good\n====\n\nHello.\n", encoding="utf-8")
    try:
        with open(os.path.join(os.fsencode(src), b"caf\xe9.rst"), "wb") as fh:
            fh.write(b"Bad\n===\n\nHello.\n")
    except OSError:
        pytest.skip("this file system refuses names that are not UTF-8")
    out = tmp_path / "out"
    report_file = tmp_path / "report.json"
    r = CliRunner().invoke(
        main,
        ["convert", str(src), "--to", "hugo", "--out", str(out), "--report", str(report_file), "-j", "1"],
    )
    assert r.exit_code == 1, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)
    data = json.loads(report_file.read_text(encoding="utf-8"))
    by_name = {Path(p["source"]).name: p for p in data["files"]}
    assert by_name["caf\\xe9.rst"]["status"] == "error"
    assert by_name["caf\\xe9.rst"]["diagnostics"][0]["code"] == "bad-name"
    assert by_name["good.rst"]["status"] in ("ok", "warning")
    assert (out / "content" / "posts" / "good.md").is_file()
    manifest = json.loads((out / ".migrate" / "manifest.json").read_text(encoding="utf-8"))
    assert list(manifest["files"]) == ["content/posts/good.md"]


def test_temporary_files_a_killed_run_left_beside_outputs_are_removed_and_others_kept(tmp_path):
    """A killed run leaves ``.NAME.XXXX.tmp`` beside outputs; the next run that writes removes
    them, also for an output whose name is longer than the part a temporary name keeps, and
    keeps every other file, hidden ones included."""
    from migrate.output import TEMP_NAME, temp_beside

    src = clean_samples(tmp_path)
    out = tmp_path / "out"
    convert(job(src, out))
    posts = out / "content" / "posts"
    long = src / f"{'a-rather-long-post-name-' * 3}x.rst"
    long.write_text("A long one\n==========\n\n:date: 2020-01-02\n\nBody.\n", encoding="utf-8")
    convert(job(src, out))
    long_out = next(p for p in posts.iterdir() if p.name.startswith("a-rather"))
    assert len(long_out.name) > TEMP_NAME
    short_out = posts / "zfs-snapshots.md"
    left = [temp_beside(p, [b"half a file"]) for p in (long_out, short_out)]
    mine = [posts / ".notes.tmp", posts / ".zfs-snapshots.txt.abcdefgh.tmp", posts / ".keep"]
    for p in mine:
        p.write_text("the user's\n")
    (src / "zfs-snapshots.rst").write_text(
        (src / "zfs-snapshots.rst").read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8"
    )
    convert(job(src, out))  # writes something: the sweep runs
    assert not any(os.path.exists(t) for t in left)
    assert all(p.read_text() == "the user's\n" for p in mine)
