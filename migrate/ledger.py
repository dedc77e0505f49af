"""Tables that grow with a batch, one row per output file, kept in SQLite rather than dicts.

A batch must know, for every file it writes, which post writes it (two posts must not
write the same file) and whether migrate owns it (the manifest, :mod:`migrate.manifest`).
As dicts of strings and tuples these cost about 0.4 KB per file for the whole run; as rows
of SQLite's private temporary database (opened with an empty file name) they cost the
page cache (``CACHE_KB``) and a file on disk.  SQLite deletes that file as soon as it has
opened it, so no run, not even a killed one, leaves anything behind, and no other process
can open it.

Each table iterates in key order.  A Python without ``sqlite3``, or a machine where no
temporary file can be made, gets the same tables as sorted views of plain dicts
(:class:`DictTable`): the same answers and output (a test compares two batches), the old
memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Generic, TypeVar

try:
    import sqlite3
except ImportError:  # pragma: no cover - a Python built without SQLite
    sqlite3 = None  # type: ignore[assignment]

V = TypeVar("V")

CACHE_KB = 64
"""SQLite's page cache per table, in KB: the rest of the table waits in its file."""

PAGE = 512
"""Rows fetched per query when walking a table that may change meanwhile."""


def _connect() -> Any:
    db = sqlite3.connect("", check_same_thread=False)  # "": private, deleted once opened
    db.execute(f"PRAGMA cache_size = -{CACHE_KB}")
    db.execute("PRAGMA journal_mode = OFF")  # scratch rows: nothing to recover
    db.execute("PRAGMA synchronous = OFF")
    return db


class Table(MutableMapping[str, V], Generic[V]):
    """``str`` -> a value of ``width`` strings (``make`` builds it from them), in SQLite.

    ``folder``: also keep each key's folder (the part before its last ``/``), for
    :meth:`folders`."""

    def __init__(self, width: int, make: Callable[..., V], folder: bool = False) -> None:
        self._make = make
        self._width = width
        self._folder = folder
        cols = ", ".join(f"v{i} TEXT" for i in range(width))
        extra = ", folder TEXT" if folder else ""
        self._db = _connect()
        self._db.execute(f"CREATE TABLE t (k TEXT PRIMARY KEY, {cols}{extra}) WITHOUT ROWID")
        if folder:
            self._db.execute("CREATE INDEX t_folder ON t (folder)")
        marks = ", ".join("?" for _ in range(width + 1 + folder))
        self._put = f"INSERT OR REPLACE INTO t VALUES ({marks})"
        self._add = f"INSERT OR IGNORE INTO t VALUES ({marks})"
        self._cols = ", ".join(f"v{i}" for i in range(width))

    def _row(self, key: str, value: Any) -> tuple:
        values = (value,) if self._width == 1 else tuple(value)
        if self._folder:
            return (key, *values, key.rpartition("/")[0])
        return (key, *values)

    def _value(self, row: tuple) -> V:
        return self._make(*row)

    def get(self, key: str, default: Any = None) -> Any:
        row = self._db.execute(f"SELECT {self._cols} FROM t WHERE k = ?", (key,)).fetchone()  # noqa: S608
        return default if row is None else self._value(row)

    def __getitem__(self, key: str) -> V:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self._db.execute("SELECT 1 FROM t WHERE k = ?", (key,)).fetchone() is not None

    def __setitem__(self, key: str, value: V) -> None:
        self._db.execute(self._put, self._row(key, value))

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Add ``key`` unless it is there (one statement); return its value."""
        if self._db.execute(self._add, self._row(key, default)).rowcount:
            return default
        return self[key]

    def update_many(self, items: Iterable[tuple[str, V]]) -> None:
        """Set many keys in one statement (loading a manifest, recording kept outputs)."""
        self._db.executemany(self._put, (self._row(k, v) for k, v in items))

    def __delitem__(self, key: str) -> None:
        if not self._db.execute("DELETE FROM t WHERE k = ?", (key,)).rowcount:
            raise KeyError(key)

    def pop(self, key: str, *default: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            if default:
                return default[0]
            raise KeyError(key)
        self._db.execute("DELETE FROM t WHERE k = ?", (key,))
        return value

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM t").fetchone()[0]

    def __iter__(self) -> Iterator[str]:
        """Every key in order (one query: the caller must not change the table meanwhile)."""
        for (key,) in self._db.execute("SELECT k FROM t ORDER BY k"):
            yield key

    def items(self) -> Iterator[tuple[str, V]]:  # type: ignore[override]
        """Every (key, value) in key order, a page at a time: the table may change meanwhile
        (a deleted row is not returned again, a row added behind the walk is not seen)."""
        last = None
        while True:
            if last is None:
                rows = self._db.execute(f"SELECT k, {self._cols} FROM t ORDER BY k LIMIT {PAGE}").fetchall()  # noqa: S608
            else:
                rows = self._db.execute(
                    f"SELECT k, {self._cols} FROM t WHERE k > ? ORDER BY k LIMIT {PAGE}",  # noqa: S608
                    (last,),
                ).fetchall()
            for row in rows:
                yield row[0], self._value(row[1:])
            if len(rows) < PAGE:
                return
            last = rows[-1][0]

    def values(self) -> Iterator[V]:  # type: ignore[override]
        for _, value in self.items():
            yield value

    def has_prefix(self, prefix: str) -> bool:
        """Whether some key starts with ``prefix`` (one lookup in the key's order)."""
        row = self._db.execute("SELECT k FROM t WHERE k >= ? ORDER BY k LIMIT 1", (prefix,)).fetchone()
        return row is not None and row[0].startswith(prefix)

    def folders(self) -> Iterator[str]:
        """Every key's folder (the part before its last ``/``), each once, in order (only
        with ``folder=True``; one query: the caller must not change the table meanwhile)."""
        for (folder,) in self._db.execute("SELECT DISTINCT folder FROM t ORDER BY folder"):
            yield folder

    def close(self) -> None:
        self._db.close()

    __hash__ = None  # type: ignore[assignment]


class DictTable(dict, Generic[V]):
    """:class:`Table` as a dict (no ``sqlite3``): sorted walks, the same methods."""

    def items(self) -> Iterator[tuple[str, V]]:  # type: ignore[override]
        return iter(sorted(dict.items(self)))

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(dict.__iter__(self)))

    def values(self) -> Iterator[V]:  # type: ignore[override]
        return (v for _, v in self.items())

    def update_many(self, items: Iterable[tuple[str, V]]) -> None:
        self.update(items)

    def has_prefix(self, prefix: str) -> bool:
        return any(key.startswith(prefix) for key in dict.__iter__(self))

    def folders(self) -> Iterator[str]:
        return iter(sorted({key.rpartition("/")[0] for key in dict.__iter__(self)}))

    def close(self) -> None:
        pass


def in_key_order(mapping: Mapping[str, V]) -> Iterable[tuple[str, V]]:
    """``mapping``'s items by key: a table walks itself in that order, a dict is sorted."""
    return mapping.items() if isinstance(mapping, (Table, DictTable)) else sorted(mapping.items())


def table(width: int = 1, make: Callable[..., Any] = str, folder: bool = False) -> Table | DictTable:
    """A new empty :class:`Table` (a :class:`DictTable` when this Python has no ``sqlite3``,
    or no temporary file can be made: SQLite would find out only when its cache fills, in
    the middle of the batch)."""
    if sqlite3 is not None and _can_spill():
        try:
            return Table(width, make, folder)
        except sqlite3.Error:
            pass
    return DictTable()


def _can_spill() -> bool:
    try:
        tempfile.TemporaryFile().close()  # where SQLite's own temporary files go, too
    except OSError:
        return False
    return True


_MISSING = object()
