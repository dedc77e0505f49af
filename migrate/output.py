"""Writing outputs: atomically, and never outside the output directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

from .errors import MigrateError

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def safe_join(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that could land outside ``root``.

    Slugs and paths come from post metadata, which may be hostile
    (``slug: ../../etc/passwd``), so this is checked on every write.
    """
    if "\x00" in relative:
        raise MigrateError(f"output path contains a NUL byte: {relative!r}", code="unsafe-path")
    rel = PurePosixPath(relative.replace("\\", "/"))
    if rel.is_absolute() or any(part in ("..", "") for part in rel.parts) or not rel.parts:
        raise MigrateError(f"output path escapes the output directory: {relative!r}", code="unsafe-path")
    if any(part.split(".")[0].lower() in _RESERVED for part in rel.parts):
        raise MigrateError(f"output path uses a reserved name: {relative!r}", code="unsafe-path")
    target = root.joinpath(*rel.parts)
    resolved_root = root.resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise MigrateError(f"output path escapes the output directory: {relative!r}", code="unsafe-path")
    return target


def write_atomic(path: Path, data: str | bytes, durable: bool = False) -> bool:
    """Write via a temporary file and rename; returns False when the content was already there.

    A reader (or a killed run) sees either the old file or the new one, never half of it:
    the rename is atomic and a killed process cannot lose data the kernel already has.
    ``durable`` also fsyncs before the rename, which only a power cut needs (and which costs
    milliseconds per file, so it is off for the thousands of outputs of a batch).
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == raw:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True
