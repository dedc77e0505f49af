"""The incremental cache: what pass 1 read and what pass 2 wrote, keyed by content.

Layout (under ``--cache DIR``, default ``OUT/.migrate/cache``)::

    index.json          one entry per source: read key, metadata, section ids, diagnostics,
                        and the emit key, dependencies and outputs of the last run
    docs/<key>.json     the Document pass 1 produced (our lossless JSON)

Keys hash the source bytes (and its ``.meta`` sidecar), the file path, the configuration
and the tool version, so changing any of them invalidates exactly what it should.  The
cache is an optimisation only: a missing, stale or corrupt cache means "convert again",
never a wrong output.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from .config import Config
from .model import Document
from .output import write_atomic

CACHE_FORMAT = 1


def digest(*parts: str | bytes) -> str:
    """A stable hash of several parts (length-prefixed so parts cannot run together)."""
    h = hashlib.sha256()
    for p in parts:
        raw = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(raw).to_bytes(8, "big"))
        h.update(raw)
    return h.hexdigest()


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


def _sidecar(path: Path) -> Path | None:
    sidecar = path.with_suffix(".meta")
    return sidecar if sidecar != path and sidecar.is_file() else None


def source_fingerprint(path: Path) -> str:
    """Hash of what a post's reading depends on: its bytes and its Nikola sidecar, if any."""
    parts: list[bytes] = [path.read_bytes()]
    sidecar = _sidecar(path)
    if sidecar is not None:
        parts.append(sidecar.read_bytes())
    return digest(*parts)


def source_stat(path: Path) -> list[int]:
    """Size and mtime of the same files: when unchanged, the content hash is reused."""
    out = []
    for p in (path, _sidecar(path)):
        if p is not None:
            st = p.stat()
            out += [st.st_size, st.st_mtime_ns]
    return out


class Cache:
    """The on-disk cache; ``None``-safe helpers so the pipeline can run without one."""

    def __init__(self, root: Path, version: str, load_index: bool = True) -> None:
        """``load_index=False`` for workers, which only store and load documents."""
        self.root = root
        self.version = version
        self.index: dict[str, Any] = {"read": {}, "emit": {}, "site": {}}
        self._dirs: set[Path] = set()
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
    def doc_path(self, key: str) -> Path:
        return self.root / "docs" / f"{key}.json"  # one flat folder: creating 256 shards cost more

    def read_entry(self, source: str, key: str) -> dict | None:
        entry = self.index["read"].get(source)
        if entry and entry.get("key") == key:
            return entry  # a document file lost since is read again when needed (pipeline._emit_task)
        return None

    def load_doc(self, key: str) -> Document | None:
        try:
            return Document.from_json(self.doc_path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store_doc(self, key: str, doc: Document) -> None:
        """Plain write, no temporary file: a document cut short by a kill is not valid JSON, and
        an unreadable cache entry is a miss (:meth:`load_doc` returns None), never a wrong result."""
        path = self.doc_path(key)
        if path.parent not in self._dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(path.parent)
        # compact: indentation would push json onto its pure-Python encoder (4x slower)
        path.write_text(doc.to_json(indent=None), encoding="utf-8")

    # pass 2 -----------------------------------------------------------------
    def emit_entry(self, source: str) -> dict | None:
        return self.index["emit"].get(source)

    def save(self, read: dict[str, Any], emit: dict[str, Any], site: dict[str, Any] | None = None) -> None:
        """Write the index (only when it changed); drop document files no entry refers to any more.

        ``site`` records the batch (its sources and each post's fingerprint) so that a run in
        which nothing changed can skip building the site index.
        """
        site = site or {}
        unchanged = (
            read == self.index["read"] and emit == self.index["emit"] and site == self.index.get("site", {})
        )
        if unchanged and (self.root / "index.json").is_file():
            return  # a no-change run writes nothing
        data = {"format": CACHE_FORMAT, "version": self.version, "read": read, "emit": emit, "site": site}
        write_atomic(self.root / "index.json", json.dumps(data, sort_keys=True, ensure_ascii=False))
        live = {e["key"] for e in read.values() if e.get("key")}
        docs = self.root / "docs"
        if docs.is_dir():
            for f in docs.glob("*.json"):  # includes documents a killed run stored and never indexed
                if f.stem not in live:
                    f.unlink(missing_ok=True)
        self.index = {"read": read, "emit": emit, "site": site}
