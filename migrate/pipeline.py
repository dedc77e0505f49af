"""The batch: find sources, read each into a Document, emit, write.  No printing here.

Pass 1 reads every post (the site index is built from these documents); pass 2 emits.
Per-file failures are recorded in the :class:`~migrate.report.Report` and the batch goes on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .emitters import registry
from .emitters.base import EmitContext
from .errors import MigrateError
from .model import Diagnostic, Document
from .output import safe_join, write_atomic
from .reading import read
from .report import FileResult, Report

SOURCE_SUFFIXES = (".rst", ".rest")


def is_post(path: Path) -> bool:
    """rST posts, plus Nikola ``.txt`` posts (those with a ``.meta`` sidecar or ``.. title:``)."""
    if path.suffix.lower() in SOURCE_SUFFIXES:
        return True
    if path.suffix.lower() == ".txt":
        if path.with_suffix(".meta").exists():
            return True
        try:
            with path.open("rb") as fh:
                return fh.read(64).lstrip().startswith(b".. title:")
        except OSError:
            return False
    return False


def discover(sources: Iterable[str | Path], exclude: Sequence[Path] = ()) -> list[Path]:
    """Every post under the given files and directories, sorted, each once.

    Hidden directories and the excluded ones (the output directory) are skipped, and
    symlinks that leave a source tree are not followed.
    """
    found: dict[Path, None] = {}
    excluded = [e.resolve() for e in exclude]
    for src in sources:
        p = Path(src)
        if p.is_dir():
            root = p.resolve()
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p)
                if any(part.startswith(".") for part in rel.parts):
                    continue
                resolved = f.resolve()
                if any(resolved.is_relative_to(e) for e in excluded):
                    continue
                if f.is_symlink() and not resolved.is_relative_to(root):
                    continue
                if f.is_file() and is_post(f):
                    found.setdefault(f, None)
        else:
            found.setdefault(p, None)
    return list(found)


@dataclass
class Job:
    """One conversion: what to read, where to write, and how."""

    sources: list[Path]
    target: str
    out: Path | None
    config: Config = field(default_factory=Config)
    options: dict = field(default_factory=dict)


def read_all(paths: Sequence[Path], config: Config) -> tuple[list[Document | None], list[FileResult]]:
    """Pass 1: read every post; a post that cannot be read gets an error result and ``None``."""
    docs: list[Document | None] = []
    results: list[FileResult] = []
    for p in paths:
        start = time.perf_counter()
        result = FileResult(source=str(p))
        try:
            doc = read(p, config=config)
            result.add(doc.diagnostics)
        except MigrateError as e:
            doc = None
            result.add([Diagnostic("error", e.code, e.message, e.path or str(p), e.line)])
        result.seconds = time.perf_counter() - start
        docs.append(doc)
        results.append(result)
    return docs, results


def convert(job: Job) -> Report:
    """Run a batch and report; writes only under ``job.out`` (nothing when it is None)."""
    emitter = registry.get(job.target)
    docs, results = read_all(job.sources, job.config)
    report = Report(target=job.target, results=results)
    used: dict[str, str] = {}
    for doc, result in zip(docs, results):
        if doc is None:
            continue
        start = time.perf_counter()
        ctx = EmitContext(config=job.config, options=dict(job.options))
        try:
            rel = emitter.output_path(doc, ctx)
            rel = _unique(rel, used, doc, ctx)
            text = emitter.emit(doc, ctx)
            if job.out is not None:
                write_atomic(safe_join(job.out, rel), text)
            result.outputs.append(rel)
        except MigrateError as e:
            ctx.diagnostics.append(Diagnostic("error", e.code, e.message, e.path or result.source, e.line))
        result.add(ctx.diagnostics)
        result.seconds += time.perf_counter() - start
    return report


def _unique(rel: str, used: dict[str, str], doc: Document, ctx: EmitContext) -> str:
    """Two posts must never write the same file: the later one (in sorted order) gets a suffix."""
    if rel not in used:
        used[rel] = doc.source.path
        return rel
    stem, dot, ext = rel.rpartition(".") if "." in rel.rsplit("/", 1)[-1] else (rel, "", "")
    n = 2
    while f"{stem}-{n}{dot}{ext}" in used:
        n += 1
    new = f"{stem}-{n}{dot}{ext}"
    ctx.warn(doc, "duplicate-output", f"output {rel} already written for {used[rel]}; using {new}")
    used[new] = doc.source.path
    return new
