"""The incremental cache: what pass 1 read and what pass 2 wrote, keyed by content.

Layout (under ``--cache DIR``, default ``OUT/.migrate/cache``)::

    index.json          one entry per source: read key, metadata, section ids, diagnostics,
                        where its document is, and the emit key, dependencies and outputs
                        of the last run
    docs/<id>.pack      the Documents pass 1 produced, one pack per worker task: each
                        document is one line of compact positional JSON (codec.py), found
                        by its [pack, offset, length] in the index

Keys hash the source bytes (and its ``.meta`` sidecar), the file path, the configuration
and the tool version, so changing any of them invalidates exactly what it should.  The
cache is an optimisation only: a missing, stale or corrupt cache means "convert again",
never a wrong output.  Packs rather than one file per post: creating thousands of small
files was the largest system cost of a full run (docs/performance.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import codec
from .config import Config
from .model import Document
from .output import write_chunks_atomic

CACHE_FORMAT = 5


def digest(*parts: str | bytes) -> str:
    """A stable hash of several parts (length-prefixed so parts cannot run together)."""
    return digest_all(parts)


def digest_all(parts: Iterable[str | bytes]) -> str:
    """:func:`digest` of parts that come one at a time (not all held at once)."""
    d = Digest()
    d.add_all(parts)
    return d.hexdigest()


class Digest:
    """:func:`digest_all`, also fed by a loop that does other things with each part."""

    def __init__(self) -> None:
        self._h = hashlib.sha256()

    def add(self, part: str | bytes) -> None:
        self.add_all((part,))

    def add_all(self, parts: Iterable[str | bytes]) -> None:
        h = self._h
        for p in parts:
            raw = p.encode("utf-8") if isinstance(p, str) else p
            h.update(len(raw).to_bytes(8, "big"))
            h.update(raw)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


def config_fingerprint(config: Config) -> str:
    """Hash of every configuration value (the config is a frozen dataclass)."""
    return digest(json.dumps(dataclasses.asdict(config), sort_keys=True, default=str))


_CODE: list[str] = []


def code_fingerprint() -> str:
    """Hash of migrate's own code and templates: a changed reader or emitter invalidates the cache
    even when the version number did not move (a development checkout, a patched install)."""
    if not _CODE:
        _CODE.append(
            tree_fingerprint(Path(__file__).resolve().parent, (".py", ".html", ".xml", ".css", ".json"))
        )
    return _CODE[0]


def tree_fingerprint(folder: str | Path, suffixes: tuple[str, ...] | None = None) -> str:
    """Hash of every file under ``folder`` (or those with one of ``suffixes``), names included."""
    root = Path(folder)
    files = sorted(p for p in root.rglob("*") if p.is_file() and (suffixes is None or p.suffix in suffixes))
    return digest(*(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() for p in files))


def _sidecar(path: str | Path) -> str | None:
    root, ext = os.path.splitext(path)
    sidecar = root + ".meta"
    return sidecar if ext != ".meta" and os.path.isfile(sidecar) else None


def source_fingerprint(path: str | Path) -> str:
    """Hash of what a post's reading depends on: its bytes and its Nikola sidecar, if any."""
    parts: list[bytes] = [Path(path).read_bytes()]
    sidecar = _sidecar(path)
    if sidecar is not None:
        parts.append(Path(sidecar).read_bytes())
    return digest(*parts)


def source_stat(path: str | Path) -> list[int]:
    """Size and mtime of the same files: when unchanged, the content hash is reused (strings,
    not Paths: a re-run does this for every post)."""
    out = []
    for p in (path, _sidecar(path)):
        if p is not None:
            st = os.stat(p)
            out += [st.st_size, st.st_mtime_ns]
    return out


def dump(value: Any) -> str:
    """An index entry as the index writes it."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class Dumped(str):
    """An entry already written as ``dump`` gives it (a fresh run's entries are written once,
    when the post is finished, then copied into the index as text); ``loc`` is where its
    document is (the read entry's ``"doc"``)."""

    loc: list | None = None

    @classmethod
    def of(cls, text: str, loc: list | None = None) -> Dumped:
        d = cls(text)
        d.loc = loc
        return d

    def value(self) -> dict:
        return json.loads(self)


Entry = tuple[str, "dict | Dumped", "dict | Dumped | None"]
"""One post in the cache index: source, read entry, emit entry (None: not emitted)."""


def _value(entry: dict | Dumped | None) -> dict | None:
    return entry.value() if isinstance(entry, Dumped) else entry


def _doc_loc(read: dict | Dumped) -> Any:
    """Where a read entry's document is (its ``"doc"``), without parsing a ``Dumped`` one."""
    return read.loc if isinstance(read, Dumped) else read.get("doc")


class Cache:
    """The on-disk cache; ``None``-safe helpers so the pipeline can run without one."""

    COMPACT_MIN_BYTES = 1 << 20
    """A pack more than half dead is compacted once the dead bytes of all such packs reach this."""

    def __init__(self, root: Path, version: str, load_index: bool = True) -> None:
        """``load_index=False`` for workers, which only store and load documents."""
        self.root = root
        self.version = version
        self.index: dict[str, Any] = {"read": {}, "emit": {}, "site": {}}
        if not load_index:
            return
        try:
            data = json.loads((root / "index.json").read_text(encoding="utf-8"))
            if data.get("format") == CACHE_FORMAT and data.get("version") == version:
                self.index = {
                    "read": data.get("read", {}),
                    "emit": data.get("emit", {}),
                    "site": data.get("site", {}),
                }
        except (OSError, ValueError, AttributeError):
            pass

    # pass 1 -----------------------------------------------------------------
    def read_entry(self, source: str, key: str) -> dict | None:
        entry = self.index["read"].get(source)
        if entry and entry.get("key") == key:
            return entry  # a document lost since is read again when needed (pipeline._emit_task)
        return None

    def pack(self) -> Pack:
        """A new pack to append this task's documents to (each worker task writes its own)."""
        return Pack(self.root / "docs")

    def load_doc(self, loc: Any) -> Document | None:
        """The document at ``loc`` (``[pack, offset, length]``), or None if it cannot be had."""
        try:
            name, offset, length = loc
            if not isinstance(name, str) or "/" in name or "\\" in name or name.startswith("."):
                return None
            with open(self.root / "docs" / name, "rb") as fh:
                fh.seek(offset)
                data = fh.read(length)
            if len(data) != length:
                return None
            return codec.loads(data)
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None

    # pass 2 -----------------------------------------------------------------
    def emit_entry(self, source: str) -> dict | None:
        return self.index["emit"].get(source)

    def save(
        self,
        entries: Callable[[], Iterable[Entry]],
        site: dict[str, Any] | None = None,
        unchanged: bool = False,
    ) -> None:
        """Write the index (only when it changed); drop packs no entry refers to any more.

        ``entries`` gives, each time it is called, every post's ``(source, read entry, emit
        entry or None)``: they are built one at a time and written as they come, so a batch of
        thousands of posts never holds its whole index in memory.  ``site`` records the batch
        (its sources and each post's fingerprint) so that a run in which nothing changed can
        skip building the site index.  ``unchanged``: the caller knows every entry is the one
        loaded (nothing read, rendered or touched), so not even the comparison is needed.
        """
        site = site or {}
        if (
            site == self.index.get("site", {})
            and (unchanged or self._same(entries))
            and (self.root / "index.json").is_file()
        ):
            return  # a no-change run writes nothing
        live: dict[str, int] = {}  # bytes of each pack some entry uses (one number per pack)
        for name, _, length in self._locs(entries):
            live[name] = live.get(name, 0) + length + 1
        moved = self._compact(entries, live)
        write_chunks_atomic(self.root / "index.json", _index_chunks(self.version, entries, moved, site))
        used = set(live) - {name for name, _ in moved} | {new[0] for new in moved.values() if new}
        self._collect(used)
        self.index = {"read": {}, "emit": {}, "site": site}  # written; not kept in memory

    def _same(self, entries: Callable[[], Iterable[Entry]]) -> bool:
        old_read, old_emit = self.index["read"], self.index["emit"]
        reads = emits = 0
        for source, read, emit in entries():
            reads += 1
            if old_read.get(source) != _value(read):
                return False
            if emit is not None:
                emits += 1
                if old_emit.get(source) != _value(emit):
                    return False
        return reads == len(old_read) and emits == len(old_emit)

    @staticmethod
    def _locs(entries: Callable[[], Iterable[Entry]]) -> Iterator[list]:
        for _, read, _ in entries():
            loc = _doc_loc(read)
            if isinstance(loc, list) and len(loc) == 3:
                yield loc

    def _compact(
        self, entries: Callable[[], Iterable[Entry]], live: dict[str, int]
    ) -> dict[tuple[str, int], list]:
        """Packs that are mostly documents no entry uses any more (posts edited over many runs)
        have their live documents copied into one new pack, so dead bytes cannot pile up.
        ``live``: the bytes entries use in each pack.  Returns where each moved document
        went, by its old ``(pack, offset)``."""
        docs = self.root / "docs"
        sparse: set[str] = set()
        dead = 0
        for name, used in live.items():
            try:
                size = (docs / name).stat().st_size
            except OSError:
                continue
            if used * 2 < size:
                sparse.add(name)
                dead += size - used
        moved: dict[tuple[str, int], list] = {}
        if not sparse or dead < self.COMPACT_MIN_BYTES:
            return moved
        with self.pack() as pack:
            for name, offset, length in self._locs(entries):
                if name not in sparse or (name, offset) in moved:
                    continue
                try:
                    with open(docs / name, "rb") as fh:
                        fh.seek(offset)
                        data = fh.read(length)
                except OSError:
                    data = b""
                new = pack.add_bytes(data) if len(data) == length else None
                moved[(name, offset)] = new or []  # [] = lost: read again when needed
        return moved

    def _collect(self, live: set[str]) -> None:
        """Delete packs no entry refers to (including a killed run's, never indexed)."""
        docs = self.root / "docs"
        if not docs.is_dir():
            return
        for f in docs.iterdir():
            if f.name not in live and (f.suffix in (".pack", ".json") or f.name.endswith(".tmp")):
                f.unlink(missing_ok=True)


def _index_chunks(
    version: str, entries: Callable[[], Iterable[Entry]], moved: dict[tuple[str, int], list], site: dict
) -> Iterator[str]:
    """index.json one entry at a time (a batch of thousands of posts makes megabytes of it)."""

    def text(v: Any) -> str:
        return v if isinstance(v, Dumped) else dump(v)

    yield f'{{"format": {CACHE_FORMAT}, "version": {dump(version)}, "site": '
    yield from _dump_parts(site)
    yield ',\n"read": {'
    emits = False
    for i, (source, read, emit) in enumerate(entries()):
        loc = _doc_loc(read)
        if moved and isinstance(loc, list) and len(loc) == 3 and (loc[0], loc[1]) in moved:
            read = {k: v for k, v in _value(read).items() if k != "doc"}  # type: ignore[union-attr]
            if moved[(loc[0], loc[1])]:
                read["doc"] = moved[(loc[0], loc[1])]
        yield f"{',' if i else ''}\n{dump(source)}: {text(read)}"
        emits = emits or emit is not None
    yield '},\n"emit": {'
    first = True
    for source, _, emit in entries() if emits else ():
        if emit is not None:
            yield f"{'' if first else ','}\n{dump(source)}: {text(emit)}"
            first = False
    yield "}}\n"


def _dump_parts(value: Any) -> Iterator[str]:
    """``dump(value)`` in parts, where ``value`` may hold mappings that are not dicts (the
    fingerprints of a :class:`~migrate.sitedb.SiteDB`: read from its file as they are written,
    in key order, as ``sort_keys`` would write them)."""
    if isinstance(value, Mapping) and not isinstance(value, dict):
        yield "{"
        for i, (k, v) in enumerate(value.items()):
            yield f"{', ' if i else ''}{dump(k)}: {dump(v)}"
        yield "}"
    elif isinstance(value, dict) and any(isinstance(v, Mapping) for v in value.values()):
        yield "{"
        for i, k in enumerate(sorted(value)):
            yield f"{', ' if i else ''}{dump(k)}: "
            yield from _dump_parts(value[k])
        yield "}"
    else:
        yield dump(value)


class Pack:
    """Documents appended to one file; :meth:`add` returns where each one is.

    A pack is written by one task and only read after that task returned, so no locking is
    needed; a pack cut short by a kill is never indexed and is deleted by the next save.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = uuid.uuid4().hex + ".pack"
        self._fh: Any = None
        self._offset = 0

    def __enter__(self) -> Pack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add(self, doc: Document) -> list | None:
        """Append ``doc``; None when the codec cannot write it (no entry: read again later)."""
        try:
            data = codec.dumps(doc).encode("utf-8")
        except (KeyError, TypeError, ValueError):
            return None
        return self.add_bytes(data)

    def add_bytes(self, data: bytes) -> list | None:
        try:
            if self._fh is None:
                self.folder.mkdir(parents=True, exist_ok=True)
                self._fh = open(self.folder / self.name, "ab")  # noqa: SIM115 - closed by close()
            self._fh.write(data + b"\n")
        except OSError:
            return None
        loc = [self.name, self._offset, len(data)]
        self._offset += len(data) + 1
        return loc

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
