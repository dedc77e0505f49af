"""Records of a batch kept on disk instead of in memory, read back by position.

A batch keeps one record per post (its report entry, its cache entry) until the end of the
run.  Kept as objects they make memory grow with the batch (a few KB per post: every link
record, every diagnostic); appended to an anonymous temporary file as they are finished,
they cost nothing in memory, whatever the number of posts: even their offsets go to disk,
by blocks (:class:`Ints`).  The files have no name (``tempfile.TemporaryFile``): they
disappear when closed, collected or killed.

:class:`Ints` also holds the batch's lists of positions (the posts to read, to render), and
:class:`Strings` its list of sources: eight bytes, or a hundred, a post would still make
memory grow with the batch.

A record may also be kept as it is (``append(item, keep=True)``): a re-run's records that
come from the cache index, which is in memory anyway, are not worth encoding.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")

BLOCK = 512
"""Ints per block on disk (4 KB): the last block written and the last one read stay in memory."""

WINDOW = 16 * 1024
"""Bytes a spool reads ahead (:meth:`Spool._read`)."""


def _temporary() -> Any:
    """An anonymous temporary file, or False when none can be made (e.g. a read-only
    temporary folder): the caller then keeps its records in memory, as a list would."""
    try:
        return tempfile.TemporaryFile()  # noqa: SIM115 - closed by close() or collection
    except OSError:
        return False


class _OnDisk(Sequence[T]):
    """What :class:`Ints` and :class:`Spool` share: an anonymous file made on first use, reads
    by position (``_at``, for ``0 <= i < len(self)``), and pickling as a plain list."""

    _fh: Any

    def _file(self) -> bool:
        """Whether there is a file to write to (made now if needed); False: the records stay
        in memory, as a list would keep them."""
        if self._fh is None:
            self._fh = _temporary()
        return bool(self._fh)

    def _at(self, i: int) -> T:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(f"{type(self).__name__} index out of range")
        return self._at(i)

    def __reduce__(self) -> tuple:
        return (list, (list(self),))  # pickled (or copied) as the plain list it stands for


class Ints(_OnDisk[int]):
    """An append-only sequence of integers kept on disk a block at a time.

    Reading goes through a one-block window, so a walk in order (the common case: positions
    in batch order, a spool's offsets) reads each block once; a random read costs a
    ``pread`` of 4 KB at most."""

    def __init__(self, items: Iterable[int] = ()) -> None:
        self._fh: Any = None  # None: not made yet; False: cannot be (everything stays in _tail)
        self._tail = array("q")  # the ints after the last full block on disk
        self._on_disk = 0
        self._window = array("q")  # the block last read from disk
        self._block = -1
        for x in items:
            self.append(x)

    def append(self, x: int) -> None:
        tail = self._tail
        tail.append(x)
        if len(tail) >= BLOCK and self._file():
            os.pwrite(self._fh.fileno(), tail.tobytes(), self._on_disk * 8)
            self._on_disk += len(tail)
            self._tail = array("q")

    def __len__(self) -> int:
        return self._on_disk + len(self._tail)

    def _at(self, i: int) -> int:
        on_disk = self._on_disk
        if i >= on_disk:
            return self._tail[i - on_disk]
        block, at = divmod(i, BLOCK)
        if block != self._block:
            self._window, self._block = self._read_block(block), block
        return self._window[at]

    def _read_block(self, block: int) -> array:
        window = array("q")
        window.frombytes(os.pread(self._fh.fileno(), BLOCK * 8, block * BLOCK * 8))
        return window

    def __iter__(self) -> Iterator[int]:
        """A block at a time, with a window of its own (two walks at once do not take turns
        reading each other's block); what is appended during the walk is walked too, as
        with a list."""
        i = 0
        while True:
            on_disk = self._on_disk
            if i < on_disk:
                block, at = divmod(i, BLOCK)
                rest = self._read_block(block)[at:]
                yield from rest
                i += len(rest)
                continue
            tail = self._tail
            if i - on_disk >= len(tail):
                return
            yield tail[i - on_disk]
            i += 1

    def close(self) -> None:
        if self._fh:
            self._fh.close()
        self._fh = None
        self._tail, self._window, self._on_disk, self._block = array("q"), array("q"), 0, -1


class Spool(_OnDisk[T], Generic[T]):
    """An append-only, read-only-after sequence of records, each stored as ``encode(record)``.

    Reading a record from disk gives a new object each time (``decode``): records are values,
    not shared state.
    """

    def __init__(self, encode: Callable[[T], bytes], decode: Callable[[bytes], T]) -> None:
        self._encode = encode
        self._decode = decode
        self._fh: Any = None
        self._ends = Ints()  # where each record ends in the file
        self._window = b""  # the file's bytes from _window_at on, as last read
        self._window_at = 0
        self._kept: dict[int, T] = {}  # records kept in memory, by position
        self._size = 0
        self._dirty = False

    def append(self, item: T, keep: bool = False) -> None:
        if keep or not self._file():
            self._kept[len(self._ends)] = item
            self._ends.append(self._size)
            return
        data = self._encode(item)
        self._fh.write(data)
        self._size += len(data)
        self._ends.append(self._size)
        self._dirty = True

    def __len__(self) -> int:
        return len(self._ends)

    def _at(self, i: int) -> T:
        if i in self._kept:
            return self._kept[i]
        return self._decode(self._bytes(i))

    def is_kept(self, i: int) -> bool:
        """Record ``i`` is kept in memory as it was appended (the same object each read)."""
        return i in self._kept

    def raw(self, i: int) -> bytes | None:
        """Record ``i`` as it was encoded on disk; None when it is kept in memory."""
        return None if i in self._kept else self._bytes(i)

    def _bytes(self, i: int) -> bytes:
        ends = self._ends
        start = ends._at(i - 1) if i else 0
        return self._read(start, ends._at(i) - start)

    def __iter__(self) -> Iterator[T]:
        start = 0
        kept = self._kept
        for i, end in enumerate(self._ends):
            yield kept[i] if i in kept else self._decode(self._read(start, end - start))
            start = end

    def _read(self, offset: int, length: int) -> bytes:
        """Through a window of ``WINDOW`` bytes read ahead: records are mostly read in order,
        and are small (a source path, a post's result), so most reads cost no system call."""
        at = offset - self._window_at
        if 0 <= at and at + length <= len(self._window):
            return self._window[at : at + length]
        if self._dirty:
            self._fh.flush()
            self._dirty = False
        if length >= WINDOW:
            return os.pread(self._fh.fileno(), length, offset)
        self._window, self._window_at = os.pread(self._fh.fileno(), WINDOW, offset), offset
        return self._window[:length]

    def close(self) -> None:
        if self._fh:
            self._fh.close()
        self._fh = None
        self._ends.close()
        self._ends = Ints()
        self._kept = {}
        self._size = 0
        self._window, self._window_at = b"", 0


class Strings(Spool[str]):
    """A batch's list of sources, on disk: a file name the file system gave as bytes (a
    surrogate escape) comes back as it went in."""

    def __init__(self, items: Iterable[str] = ()) -> None:
        super().__init__(_encode_str, _decode_str)
        for s in items:
            self.append(s)


def _encode_str(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _decode_str(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")
