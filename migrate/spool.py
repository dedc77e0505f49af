"""Records of a batch kept on disk instead of in memory, read back by position.

A batch keeps one record per post (its report entry, its cache entry) until the end of the
run.  Kept as objects they make memory grow with the batch (a few KB per post: every link
record, every diagnostic); appended to an anonymous temporary file as they are finished,
they cost eight bytes each (their offset), whatever the number of posts.  The file has no
name (``tempfile.TemporaryFile``): it disappears when closed, collected or killed.

A record may also be kept as it is (``append(item, keep=True)``): a re-run's records that
come from the cache index, which is in memory anyway, are not worth encoding.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class Spool(Sequence[T], Generic[T]):
    """An append-only, read-only-after sequence of records, each stored as ``encode(record)``.

    Reading a record from disk gives a new object each time (``decode``): records are values,
    not shared state.
    """

    def __init__(self, encode: Callable[[T], bytes], decode: Callable[[bytes], T]) -> None:
        self._encode = encode
        self._decode = decode
        self._fh: Any = None
        self._ends = array("Q")  # where each record ends in the file
        self._kept: dict[int, T] = {}  # records kept in memory, by position
        self._size = 0
        self._dirty = False

    def append(self, item: T, keep: bool = False) -> None:
        if keep or not self._open():
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

    def _open(self) -> bool:
        """The temporary file, made on first use; False (records kept in memory, as a list
        would) when none can be made, e.g. a read-only temporary folder."""
        if self._fh is None:
            try:
                self._fh = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close() or collection
            except OSError:
                self._fh = False
        return bool(self._fh)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        n = len(self._ends)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("spool index out of range")
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
        start = self._ends[i - 1] if i else 0
        return self._read(start, self._ends[i] - start)

    def __iter__(self) -> Iterator[T]:
        start = 0
        kept = self._kept
        for i, end in enumerate(self._ends):
            yield kept[i] if i in kept else self._decode(self._read(start, end - start))
            start = end

    def _read(self, offset: int, length: int) -> bytes:
        if self._dirty:
            self._fh.flush()
            self._dirty = False
        return os.pread(self._fh.fileno(), length, offset)

    def close(self) -> None:
        if self._fh:
            self._fh.close()
        self._fh = None
        self._ends = array("Q")
        self._kept = {}
        self._size = 0

    def __reduce__(self) -> tuple:
        return (list, (list(self),))  # pickled (or copied) as the plain list it stands for
