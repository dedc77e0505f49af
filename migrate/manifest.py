"""Which files in the output directory migrate wrote, and from which post.

migrate only ever overwrites or deletes a file it wrote itself (unless ``--force``), so it
must remember what it wrote even when a run is killed half-way: every write is first
appended to a journal (``.migrate/journal``) and the journal is folded into
``.migrate/manifest.json`` when the run ends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, TextIO

from .ledger import in_key_order, table
from .output import write_chunks_atomic

STATE_DIR = ".migrate"
SITE = "<site>"
"""The ``source`` of site-wide files (index pages, feeds, stylesheets)."""


def sha256(data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


class Owned(NamedTuple):
    """One file migrate wrote: the post it came from, its content hash, the emitter.  A tuple,
    not a dict: a batch keeps one per output file for the whole run."""

    source: str
    sha256: str
    target: str = ""
    """"" in manifests older than the field: the target of the run reading it."""


def _owned_table() -> MutableMapping[str, Owned]:
    return table(3, Owned)


@dataclass
class Manifest:
    """``files``: relative output path -> :class:`Owned`, in path order.  On disk
    (``manifest.json``) each is ``{"source": ..., "sha256": ..., "target": ...}``.

    A batch records every file it writes here: the table is a :class:`migrate.ledger.Table`
    (SQLite's, not a dict), so a batch of any size holds none of its rows in memory."""

    out: Path
    files: MutableMapping[str, Owned] = field(default_factory=_owned_table)
    _journal: TextIO | None = field(default=None, repr=False)
    _dirty: bool = field(default=False, repr=False)

    @property
    def state(self) -> Path:
        return self.out / STATE_DIR

    @classmethod
    def load(cls, out: Path) -> Manifest:
        m = cls(out)
        try:
            data = json.loads((m.state / "manifest.json").read_text(encoding="utf-8"))
            files = data.get("files", {})
            m.files.update_many(  # type: ignore[attr-defined]
                (
                    str(rel),
                    Owned(
                        str(info.get("source", "")), str(info.get("sha256", "")), str(info.get("target", ""))
                    ),
                )
                for rel, info in files.items()
            )
            del data, files
        except (OSError, ValueError, AttributeError):
            pass
        try:
            with (m.state / "journal").open(encoding="utf-8") as fh:
                for line in fh:
                    try:
                        rel, source, digest_, target = json.loads(line)
                    except (ValueError, TypeError):
                        continue  # a line cut short by a kill
                    m.files[rel] = Owned(source, digest_, target)
                    m._dirty = True
        except OSError:
            pass
        return m

    def owns(self, rel: str) -> bool:
        return rel in self.files

    def record(self, rel: str, source: str, digest_: str, target: str = "") -> None:
        """Note a write before it happens (journal first, so a kill cannot orphan the file)."""
        self.files[rel] = Owned(source, digest_, target)
        if self._journal is None:
            self.state.mkdir(parents=True, exist_ok=True)
            self._journal = (self.state / "journal").open("a", encoding="utf-8")
        # flushed to the kernel before the output is renamed into place: a killed process
        # cannot lose it (only a power cut could, and then the next run re-adopts identical files)
        self._journal.write(json.dumps([rel, source, digest_, target]) + "\n")
        self._journal.flush()

    def forget(self, rel: str) -> None:
        self._dirty = True
        self.files.pop(rel, None)

    def save(self) -> None:
        """Fold the journal into manifest.json (nothing to do when this run wrote and deleted nothing)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        elif not self._dirty and (self.state / "manifest.json").is_file():
            return
        write_chunks_atomic(self.state / "manifest.json", _json_chunks(self.files), durable=True)
        (self.state / "journal").unlink(missing_ok=True)


def _json_chunks(files: Mapping[str, Owned]) -> Iterator[str]:
    """manifest.json one file at a time, exactly as ``json.dumps({"files": {rel: info}},
    indent=1, ensure_ascii=False)`` writes it (with keys sorted): a batch of thousands of
    outputs never holds the whole text."""
    if not files:
        yield '{\n "files": {}\n}\n'
        return
    yield '{\n "files": {'
    for i, (rel, o) in enumerate(in_key_order(files)):
        yield (
            f'{"," if i else ""}\n  {_dump(rel)}: {{\n   "source": {_dump(o.source)},\n'
            f'   "sha256": {_dump(o.sha256)},\n   "target": {_dump(o.target)}\n  }}'
        )
    yield "\n }\n}\n"


def _dump(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)
