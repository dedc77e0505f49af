"""Executors for the per-file work: inline, a process pool, or a dask.distributed cluster.

The pipeline only needs ``Executor.submit``/``map``, so any ``concurrent.futures.Executor``
works; these are the ones the CLI can name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from .errors import MigrateError


class InlineExecutor(Executor):
    """Runs each call at once in this process (``--jobs 1``): no pickling, no pool start-up."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(e)
        return fut

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout=None, chunksize=1) -> Iterator:
        return (fn(*args) for args in zip(*iterables, strict=False))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def make_executor(kind: str = "process", jobs: int | None = None, scheduler: str | None = None):
    """A context manager yielding an executor; ``kind`` is process, inline or dask."""
    jobs = jobs or default_jobs()
    if kind == "inline" or (kind == "process" and jobs <= 1):
        yield InlineExecutor()
        return
    if kind == "process":
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            yield ex
        return
    if kind == "dask":
        try:
            from distributed import Client, LocalCluster
        except ImportError as e:
            raise MigrateError(
                'the dask executor needs dask.distributed: pip install "migrate[dask]"', code="no-dask"
            ) from e
        if scheduler:
            client = Client(scheduler)
            cluster = None
        else:
            cluster = LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
        try:
            yield client.get_executor()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    raise MigrateError(f"unknown executor '{kind}' (process, inline or dask)", code="usage")
