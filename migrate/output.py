"""Writing outputs: atomically, and never outside the output directory."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .errors import MigrateError

MAX_NAME_BYTES = 200
"""Longest file or folder name written (file systems stop at 255 bytes; the temporary file
of an atomic write needs a few more)."""

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
    if any(len(part.encode("utf-8")) > MAX_NAME_BYTES for part in rel.parts):
        raise MigrateError(
            f"output path has a name longer than {MAX_NAME_BYTES} bytes: {relative[:80]!r}...",
            code="unsafe-path",
        )
    target = root.joinpath(*rel.parts)
    if _plain_below(str(root), rel.parts):
        return target  # no symbolic link on the way: it lands where it says
    resolved_root = root.resolve()
    if not target.resolve().is_relative_to(resolved_root):
        raise MigrateError(f"output path escapes the output directory: {relative!r}", code="unsafe-path")
    return target


def _plain_below(root: str, parts: tuple[str, ...]) -> bool:
    """True when no part of ``root/parts`` below ``root`` is a symbolic link (or it does not
    exist yet): a few ``lstat`` calls instead of resolving every part of both paths, which
    was the largest cost of writing a post (this runs for every output, twice with a pool)."""
    cur = root
    for part in parts:
        cur = os.path.join(cur, part)
        try:
            mode = os.lstat(cur).st_mode
        except FileNotFoundError:
            return True  # what follows is created by migrate, inside what exists
        except OSError:
            return False
        if stat.S_ISLNK(mode):
            return False  # resolve it: a link that stays inside the output directory is fine
    return True


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
    _replace(path, temp_beside(path, (raw,), durable))
    return True


def write_chunks_atomic(path: Path, chunks: Iterable[str], durable: bool = False) -> None:
    """Like :func:`write_atomic` for text produced piece by piece (the cache index or the
    manifest of a large batch), so the whole text is never held in memory at once."""
    _replace(path, temp_beside(path, (c.encode("utf-8") for c in chunks), durable))


TEMP_NAME = 40
"""Characters of an output's name that its temporary file's name keeps."""


def temp_beside(path: Path, chunks: Iterable[bytes], durable: bool = False) -> str:
    """Write ``chunks`` to a new temporary file in ``path``'s folder (``.NAME.XXXX.tmp``, the
    pattern the pipeline's clean-up knows) and return its name; nothing is left on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:TEMP_NAME]}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise MigrateError(f"cannot write {path}: {e.strerror or e}", code="write") from e
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
    except BaseException as e:
        _unlink(tmp)
        if isinstance(e, OSError):  # disk full, permissions: this file fails, the batch goes on
            raise MigrateError(f"cannot write {path}: {e.strerror or e}", code="write") from e
        raise
    return tmp


def _replace(path: Path, tmp: str) -> None:
    try:
        os.replace(tmp, path)
    except OSError as e:
        _unlink(tmp)
        raise MigrateError(f"cannot write {path}: {e.strerror or e}", code="write") from e


def _unlink(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except OSError:
        pass
