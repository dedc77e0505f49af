"""The site index in an SQLite file (migrate.sitedb): the same answers as the dict index,
shared with other processes read-only, removed when dropped, and a dict index when no
temporary file can be made."""

from __future__ import annotations

import gc
import os
import pickle
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from conftest import CORPUS, SAMPLES

import migrate
from migrate.config import Config
from migrate.model import Document
from migrate.pipeline import Job, convert, discover
from migrate.site import Site, post_fingerprint
from migrate.sitedb import SiteDB


def documents(root: Path, cfg: Config) -> list[Document]:
    docs = []
    for p in discover([root]):
        try:
            docs.append(migrate.read(p, config=cfg))
        except migrate.MigrateError:
            pass  # a deliberately broken sample
    return docs


def both(root: Path, cfg: Config) -> tuple[Site, SiteDB]:
    docs = documents(root, cfg)
    plain = Site.build(docs, cfg, roots=[root])
    db = SiteDB.create(cfg, plain.roots)
    assert db is not None
    for doc in docs:
        db.add(doc)
    return plain, db.freeze()


def questions(site: Site) -> list[tuple[str, tuple]]:
    """Every lookup the link rewriter makes, with arguments taken from the site itself (each
    old URL as written, folded and relative; each file name, docname, slug and label) and
    a few that must miss."""
    asks: list[tuple[str, tuple]] = []
    for post in site.posts:
        asks.append(("post_for", (post.source,)))
        for url in post.old_urls:
            asks += [("find_old_url", (url,)), ("find_old_url", (url.upper(),))]
            asks.append(("find_relative_url", ("../" + url.rstrip("/").rsplit("/", 1)[-1] + "/", post)))
        name = Path(post.source).name
        asks += [("find_file", (name, post.source)), ("find_file", ("../" + name, post.source))]
        asks += [("find_doc", (post.docname, None)), ("find_doc", ("/" + post.docname, post))]
        asks += [("find_doc", (post.slug, post)), ("find_label", (post.slug,))]
        asks += [("find_label", (k,)) for k, _ in post.anchors]
        asks += [("new_url", (post, t)) for t in ("hugo", "jekyll", "html", "markdown")]
    asks += [
        ("find_old_url", ("/nowhere/",)),
        ("find_label", ("no such label",)),
        ("find_doc", ("nope", None)),
    ]
    return asks


@pytest.mark.parametrize("root", [SAMPLES, CORPUS / "yaml-frontmatter", CORPUS])
def test_the_sqlite_index_answers_every_lookup_as_the_dict_index(root: Path) -> None:
    if not root.is_dir():
        pytest.skip("../shared/corpus is not present beside the checkout")
    cfg = (
        Config.from_file(SAMPLES / "migrate.toml")
        if root == SAMPLES
        else Config.from_dict({"old_permalink": "/x/blog/{year}/{month}/{day}/{title_slug}/"})
    )
    plain, db = both(root, cfg)
    asks = questions(plain)
    assert len(asks) > 50
    for method, args in asks:
        assert getattr(db, method)(*args) == getattr(plain, method)(*args), (method, args)
    assert list(db.posts) == plain.posts and len(db.posts) == len(plain.posts)
    assert db.posts[-1] == plain.posts[-1]
    for table in (
        "by_source",
        "by_name",
        "by_slug",
        "by_docname",
        "by_old_url",
        "by_old_url_folded",
        "by_label",
    ):
        assert dict(getattr(db, table)) == dict(getattr(plain, table)), table
    assert dict(db.fingerprints) == {p.source: post_fingerprint(p) for p in plain.posts}
    for p in plain.posts:
        assert db.fingerprint_of(p.source) == plain.fingerprint_of(p.source) == post_fingerprint(p)
    assert db.fingerprint_of("/no/such/post.rst") is plain.fingerprint_of("/no/such/post.rst") is None
    assert db == plain


def test_the_first_post_to_claim_a_name_keeps_it_and_the_last_stands_for_its_file(tmp_path: Path) -> None:
    from migrate.model import Metadata

    db = SiteDB.create(Config())
    plain = Site()
    for site in (db, plain):
        site.add_entry(str(tmp_path / "a.rst"), Metadata(title="A", slug="same"), (("x", "x"),))
        site.add_entry(str(tmp_path / "b" / "a.rst"), Metadata(title="B", slug="same"), (("x", "y"),))
        site.add_entry(str(tmp_path / "a.rst"), Metadata(title="C", slug="c"))
    db.freeze()
    assert db.by_slug["same"].title == plain.by_slug["same"].title == "A"
    assert db.find_label("x") == plain.find_label("x")
    assert db.find_label("x")[1] == "x"
    assert (
        [p.title for p in db.by_name["a.rst"]] == [p.title for p in plain.by_name["a.rst"]] == ["A", "B", "C"]
    )
    assert db.post_for(tmp_path / "a.rst").title == plain.post_for(tmp_path / "a.rst").title == "C"
    assert db.fingerprints[str((tmp_path / "a.rst").resolve())] == post_fingerprint(
        plain.post_for(tmp_path / "a.rst")
    )


def _lookup_in_worker(site: SiteDB, url: str) -> tuple[str, bool]:
    post, folded = site.find_old_url(url)
    return post.source, folded


def test_a_pickled_index_is_the_file_opened_read_only_by_another_process() -> None:
    plain, db = both(SAMPLES, Config.from_file(SAMPLES / "migrate.toml"))
    data = pickle.dumps(db)
    assert len(data) < 4096  # the path and the config, not the posts
    post = next(p for p in plain.posts if p.old_urls)
    with ProcessPoolExecutor(1) as ex:
        assert ex.submit(_lookup_in_worker, db, post.old_urls[0]).result() == (post.source, False)
    copy = pickle.loads(data)
    assert copy == plain
    with pytest.raises(TypeError, match="read-only"):
        copy.add_entry("x.rst", plain_meta())


def plain_meta():
    from migrate.model import Metadata

    return Metadata(title="x", slug="x")


def test_the_file_is_removed_with_the_index_and_never_by_a_copy() -> None:
    db = SiteDB.create(Config())
    db.add_entry("a.rst", plain_meta())
    db.freeze()
    folder = os.path.dirname(db.path)
    copy = pickle.loads(pickle.dumps(db))
    del copy
    gc.collect()
    assert os.path.isfile(db.path)
    del db
    gc.collect()
    assert not os.path.exists(folder)


def test_without_a_writable_temporary_folder_the_batch_uses_a_dict_index_and_writes_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = Config.from_file(SAMPLES / "migrate.toml")

    def run(out: Path) -> dict[str, bytes]:
        report = convert(
            Job(sources=discover([SAMPLES]), target="hugo", out=out, config=cfg, roots=[SAMPLES])
        )
        assert report.site is not None
        return {
            str(p.relative_to(out)): p.read_bytes()
            for p in sorted(out.rglob("*"))
            if p.is_file() and ".migrate" not in p.parts
        }

    with_db = run(tmp_path / "db")

    def refuse(*args: object, **kw: object) -> str:
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    assert SiteDB.create(cfg) is None
    assert run(tmp_path / "dict") == with_db
    assert type(convert(Job(sources=discover([SAMPLES]), target="json", out=None, config=cfg)).site) is Site


def test_executors_elsewhere_get_a_dict_index_and_local_ones_the_file() -> None:
    """A dask cluster's workers may run on other machines, where the batch's temporary file
    is not: they get the index pickled, as before; pools on this machine open the file."""
    from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor

    from migrate.executors import InlineExecutor
    from migrate.pipeline import _new_site

    class Remote(Executor):
        pass

    job = Job(sources=[], target="hugo", out=None)
    assert type(_new_site(job, Remote())) is Site
    for local in (InlineExecutor(), ProcessPoolExecutor(1), ThreadPoolExecutor(1), None):
        assert isinstance(_new_site(job, local), SiteDB)
        if hasattr(local, "shutdown"):
            local.shutdown()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_cli_run_leaves_nothing_in_the_temporary_folder(tmp_path: Path, jobs: str) -> None:
    """The site index's folder and the spools are the run's own: gone when it ends."""
    import subprocess
    import sys

    tmp = tmp_path / "tmp"
    tmp.mkdir()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "migrate.cli",
            "convert",
            str(SAMPLES),
            "--to",
            "hugo",
            "--out",
            str(tmp_path / "out"),
            "-j",
            jobs,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TMPDIR": str(tmp)},
    )
    assert r.returncode in (0, 1), r.stderr  # 1: the samples hold a deliberately broken post
    assert (tmp_path / "out" / "content").is_dir()
    assert list(tmp.iterdir()) == []


def test_a_killed_runs_folder_is_removed_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = tmp_path / f"migrate-site-{gone.stdout.strip()}-abc"  # a process that has exited
    alive = tmp_path / f"migrate-site-{os.getppid()}-abc"  # one that runs (this one's parent)
    mine = tmp_path / f"migrate-site-{os.getpid()}-abc"  # this process's own
    other = tmp_path / "migrate-sites-are-not-ours"
    for d in (dead, alive, mine, other):
        d.mkdir()
        (d / "site.sqlite").write_bytes(b"")
    site = SiteDB.create(Config())
    assert site is not None and os.path.dirname(site.path).startswith(
        str(tmp_path / f"migrate-site-{os.getpid()}-")
    )
    assert not dead.exists()
    assert alive.exists() and mine.exists() and other.exists()
