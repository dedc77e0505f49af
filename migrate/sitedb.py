"""The site index of a batch in an SQLite file, so that its memory does not grow with the batch.

A :class:`~migrate.site.Site` keeps every post and every name a link may use in dicts: a few
KB per post, for the whole run.  :class:`SiteDB` is the same index (same lookups, same
answers: ``tests/test_sitedb.py`` checks them against the dict one) kept in a temporary
SQLite file: the process holds SQLite's page cache (2 MB at most) and the few posts it
looked up last, whatever the number of posts.  Pool workers open the file read-only
instead of unpickling a copy of the index (pickling a ``SiteDB`` gives its path).

The file lives in a private temporary folder, removed when the index is collected (or the
process exits); a worker's copy never removes it.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .config import Config
from .site import Post, Site, claims, post_fingerprint

try:
    import sqlite3
except ImportError:  # pragma: no cover - a Python built without SQLite: dict indexes only
    sqlite3 = None  # type: ignore[assignment]

_SCHEMA = """
CREATE TABLE posts (id INTEGER PRIMARY KEY, source TEXT NOT NULL, fp TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE keys (tab TEXT, key TEXT, post INTEGER, value TEXT, PRIMARY KEY (tab, key)) WITHOUT ROWID;
CREATE TABLE names (name TEXT, post INTEGER, PRIMARY KEY (name, post)) WITHOUT ROWID;
"""

_MISSING = object()

CACHE_KB = 256
"""SQLite's page cache per connection, in KB."""

CACHED_POSTS = 512
"""Posts kept decoded per process: a post's links mostly name the same few posts."""


class SiteDB(Site):
    """A :class:`Site` whose posts and lookup tables are rows of an SQLite file.

    Build it with :meth:`create` and :meth:`add_entry` (as a ``Site``), then :meth:`freeze`
    it before other processes open it.  Each post's fingerprint (``post_fingerprint``: what
    other posts' renderings depend on) is stored beside it: :attr:`fingerprints` maps
    source -> fingerprint.
    """

    def __init__(self, path: str, config: Config, roots: tuple[str, ...], writable: bool = False) -> None:
        # not Site.__init__: the tables are views of the file, not dicts
        self.path = path
        self.config = config
        self.roots = roots
        self._store = store = _Store(path, writable)
        self.posts = _Posts(store)  # type: ignore[assignment]
        self.by_source = _Keys(store, "by_source")  # type: ignore[assignment]
        self.by_name = _Names(store)  # type: ignore[assignment]
        self.by_slug = _Keys(store, "by_slug")  # type: ignore[assignment]
        self.by_docname = _Keys(store, "by_docname")  # type: ignore[assignment]
        self.by_old_url = _Keys(store, "by_old_url")  # type: ignore[assignment]
        self.by_old_url_folded = _Keys(store, "by_old_url_folded")  # type: ignore[assignment]
        self.by_label = _Keys(store, "by_label", labelled=True)  # type: ignore[assignment]
        self.fingerprints = _Fingerprints(store)

    @classmethod
    def create(cls, config: Config, roots: tuple[str, ...] = ()) -> SiteDB | None:
        """A new, empty index in a private temporary folder; None when no file can be made
        there (a read-only temporary folder: the caller keeps a dict :class:`Site`), or
        this Python has no ``sqlite3``."""
        if sqlite3 is None:
            return None
        _sweep(tempfile.gettempdir())
        try:
            folder = tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-")
        except OSError:
            return None
        path = os.path.join(folder, "site.sqlite")
        try:
            db = sqlite3.connect(path)
            db.executescript(_SCHEMA)
            db.close()
            site = cls(path, config, roots, writable=True)
        except sqlite3.Error:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        weakref.finalize(site, _remove, site._store.db, folder)
        return site

    def _index_post(self, post: Post) -> None:
        store = self._store
        if not store.writable:
            raise TypeError("this site index is read-only")
        db, i = store.db, store.count
        data = pickle.dumps(post, protocol=pickle.HIGHEST_PROTOCOL)
        db.execute("INSERT INTO posts VALUES (?, ?, ?, ?)", (i, post.source, post_fingerprint(post), data))
        db.execute("INSERT OR REPLACE INTO keys VALUES ('by_source', ?, ?, NULL)", (post.source, i))
        db.execute("INSERT INTO names VALUES (?, ?)", (os.path.basename(post.source), i))
        db.executemany(
            "INSERT OR IGNORE INTO keys VALUES (?, ?, ?, ?)", [(t, k, i, v) for t, k, v in claims(post)]
        )
        store.count += 1

    def fingerprint_of(self, source: str) -> str | None:
        return self.fingerprints.get(source)

    def freeze(self) -> SiteDB:
        """Commit: from now on the file does not change, and other processes may open it."""
        if self._store.writable:
            self._store.db.commit()
            self._store.writable = False
        return self

    def __reduce__(self) -> tuple:
        self.freeze()
        return (_attach, (self.path, self.config, self.roots))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Site):
            return NotImplemented
        return (
            list(self.posts) == list(other.posts)
            and self.config == other.config
            and self.roots == other.roots
        )

    __hash__ = None  # type: ignore[assignment]


_PREFIX = "migrate-site-"


def _sweep(tmp: str) -> None:
    """Remove the folders of runs that were killed (``SIGKILL`` runs no finalizer): ours,
    named after a process that no longer exists."""
    try:
        names = [n for n in os.listdir(tmp) if n.startswith(_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        path = os.path.join(tmp, name)
        try:
            if os.stat(path).st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)  # its process is gone
        except OSError:
            continue  # alive (someone else's process), or gone already


def _attach(path: str, config: Config, roots: tuple[str, ...]) -> SiteDB:
    """A read-only view of an index another process built (what a worker unpickles)."""
    return SiteDB(path, config, roots)


class _Store:
    """The connection, the number of posts, and the posts decoded last."""

    def __init__(self, path: str, writable: bool) -> None:
        if writable:
            self.db = sqlite3.connect(path, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
            self.db.execute("PRAGMA synchronous = OFF")
        else:
            # immutable: the file no longer changes (frozen before it was shared), so no
            # locking; shared by the threads of a dask worker (SQLite serializes them)
            self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        # SQLite's page cache (2 MB by default) would be most of what the index costs this
        # process; the file's pages stay in the kernel's cache anyway
        self.db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
        self.writable = writable
        self.count = self.db.execute("SELECT count(*) FROM posts").fetchone()[0]
        self.cache: dict[int, Post] = {}

    def post(self, i: int) -> Post:
        post = self.cache.get(i)
        if post is None:
            row = self.db.execute("SELECT data FROM posts WHERE id = ?", (i,)).fetchone()
            if row is None:
                raise IndexError(i)
            post = pickle.loads(row[0])  # noqa: S301 - our own file, in a folder only we can read
            if len(self.cache) >= CACHED_POSTS:
                self.cache.clear()
            self.cache[i] = post
        return post


def _remove(db: sqlite3.Connection, folder: str) -> None:
    db.close()
    shutil.rmtree(folder, ignore_errors=True)


class _Posts(Sequence[Post]):
    def __init__(self, store: _Store) -> None:
        self._store = store

    def __len__(self) -> int:
        return self._store.count

    def __getitem__(self, i: int | slice) -> Any:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError("post index out of range")
        return self._store.post(i)

    def __iter__(self) -> Iterator[Post]:
        for (data,) in self._store.db.execute("SELECT data FROM posts ORDER BY id"):
            yield pickle.loads(data)  # noqa: S301 - see _Store.post

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)


class _Keys(Mapping[str, Any]):
    """One lookup table: key -> post (or ``(post, id)`` for labels)."""

    def __init__(self, store: _Store, table: str, labelled: bool = False) -> None:
        self._store, self._table, self._labelled = store, table, labelled

    def get(self, key: str, default: Any = None) -> Any:
        row = self._store.db.execute(
            "SELECT post, value FROM keys WHERE tab = ? AND key = ?", (self._table, key)
        ).fetchone()
        if row is None:
            return default
        post = self._store.post(row[0])
        return (post, row[1]) if self._labelled else post

    def __getitem__(self, key: str) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return (
            self._store.db.execute(
                "SELECT 1 FROM keys WHERE tab = ? AND key = ?", (self._table, key)
            ).fetchone()
            is not None
        )

    def __iter__(self) -> Iterator[str]:
        for (key,) in self._store.db.execute(
            "SELECT key FROM keys WHERE tab = ? ORDER BY key", (self._table,)
        ):
            yield key

    def __len__(self) -> int:
        return self._store.db.execute("SELECT count(*) FROM keys WHERE tab = ?", (self._table,)).fetchone()[0]


class _Names(Mapping[str, list]):
    """File name -> every post with that name, in batch order."""

    def __init__(self, store: _Store) -> None:
        self._store = store

    def __getitem__(self, name: str) -> list[Post]:
        rows = self._store.db.execute(
            "SELECT post FROM names WHERE name = ? ORDER BY post", (name,)
        ).fetchall()
        if not rows:
            raise KeyError(name)
        return [self._store.post(i) for (i,) in rows]

    def __iter__(self) -> Iterator[str]:
        for (name,) in self._store.db.execute("SELECT DISTINCT name FROM names ORDER BY name"):
            yield name

    def __len__(self) -> int:
        return self._store.db.execute("SELECT count(DISTINCT name) FROM names").fetchone()[0]


class _Fingerprints(Mapping[str, str]):
    """Source -> fingerprint of the post that stands for it (``by_source``)."""

    _JOIN = "FROM keys k JOIN posts p ON p.id = k.post WHERE k.tab = 'by_source'"

    def __init__(self, store: _Store) -> None:
        self._store = store

    def get(self, source: str, default: Any = None) -> Any:
        row = self._store.db.execute(f"SELECT p.fp {self._JOIN} AND k.key = ?", (source,)).fetchone()  # noqa: S608
        return default if row is None else row[0]

    def __getitem__(self, source: str) -> str:
        fp = self.get(source)
        if fp is None:
            raise KeyError(source)
        return fp

    def __iter__(self) -> Iterator[str]:
        for (source,) in self._store.db.execute(f"SELECT k.key {self._JOIN} ORDER BY k.key"):  # noqa: S608
            yield source

    def __len__(self) -> int:
        return self._store.db.execute(f"SELECT count(*) {self._JOIN}").fetchone()[0]  # noqa: S608

    def items(self) -> Iterator[tuple[str, str]]:  # type: ignore[override]
        """Every (source, fingerprint), by source, in one query."""
        yield from self._store.db.execute(f"SELECT k.key, p.fp {self._JOIN} ORDER BY k.key")  # noqa: S608
