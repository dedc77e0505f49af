"""The batch: find sources, read each into a Document, emit, write.  No printing here.

Pass 1 reads every post (the site index is built from these documents); pass 2 emits.
Per-file failures are recorded in the :class:`~migrate.report.Report` and the batch goes on.
"""

from __future__ import annotations

import dataclasses
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
from .site import Site
from .transforms import links
from .transforms import metadata as meta_rules
from .transforms.links import LinkRecord

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
    link_style: str = ""
    """Write links in this target's style (default: the target's own); ``migrate links`` uses it."""
    roots: list[Path] = field(default_factory=list)
    """Source roots (the directories given): ``:doc:`` names and asset paths are relative to them."""


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


def build_site(docs: list[Document | None], results: Sequence[FileResult], job: Job) -> Site:
    """Pass 1b: the site index.  Duplicate slugs are made unique here, deterministically."""
    canonical = meta_rules.canonical_tags((d.meta for d in docs if d is not None), job.config)
    for i, doc in enumerate(docs):
        if doc is not None:
            docs[i] = dataclasses.replace(doc, meta=meta_rules.apply_rules(doc.meta, job.config, canonical))  # type: ignore[index]
    seen: dict[str, str] = {}
    site = Site(config=job.config, roots=tuple(str(Path(r).resolve()) for r in job.roots))
    for i, doc in enumerate(docs):
        if doc is None:
            continue
        slug = doc.meta.slug
        if slug in seen:
            n = 2
            while f"{slug}-{n}" in seen:
                n += 1
            new = f"{slug}-{n}"
            results[i].add(
                [
                    Diagnostic(
                        "warning",
                        "duplicate-slug",
                        f"slug '{slug}' is also used by {seen[slug]}; using '{new}'",
                        doc.source.path,
                    )
                ]
            )
            doc = docs[i] = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, slug=new))  # type: ignore[index]
            slug = new
        seen[slug] = doc.source.path
        site.add(doc)
    return site


def process(
    doc: Document, site: Site, job: Job, emitter
) -> tuple[list[tuple[str, str | bytes]], list[Diagnostic], list[LinkRecord]]:
    """Pass 2 for one post: rewrite links, emit, and list the files to write (no I/O but reading assets)."""
    ctx = EmitContext(config=job.config, site=site, options=dict(job.options))
    source_text = _source_text(doc)
    doc, records, assets = links.rewrite(doc, site, _family(job.link_style or job.target), source_text)
    files: list[tuple[str, str | bytes]] = []
    diags = list(ctx.diagnostics)
    for rec in records:
        if rec.status == "broken":
            diags.append(
                Diagnostic("warning", "broken-link", f"{rec.target}: {rec.reason}", rec.source, rec.line)
            )
    for asset in assets:
        files.append((asset.dest, Path(asset.src).read_bytes()))
    files.insert(0, (emitter.output_path(doc, ctx), emitter.emit(doc, ctx)))
    diags.extend(ctx.diagnostics)
    return files, diags, records, doc


def convert(job: Job) -> Report:
    """Run a batch and report; writes only under ``job.out`` (nothing when it is None)."""
    emitter = registry.get(job.target)
    docs, results = read_all(job.sources, job.config)
    report = Report(target=job.target, results=results)
    site = build_site(docs, results, job)
    report.site = site
    used: dict[str, str] = {}
    for doc, result in zip(docs, results, strict=False):
        if doc is None:
            continue
        start = time.perf_counter()
        try:
            files, diags, records, _doc = process(doc, site, job, emitter)
            result.links = records
            result.add(diags)
            for rel, data in files:
                if rel in used and used[rel] != result.source and not isinstance(data, bytes):
                    raise MigrateError(
                        f"output {rel} would overwrite the output of {used[rel]}", code="output-clash"
                    )
                used.setdefault(rel, result.source)
                if job.out is not None:
                    write_atomic(safe_join(job.out, rel), data)
                result.outputs.append(rel)
        except MigrateError as e:
            result.add([Diagnostic("error", e.code, e.message, e.path or result.source, e.line)])
        result.seconds += time.perf_counter() - start
    return report


def _family(target: str) -> str:
    """The link style family of a target: hugo, jekyll, html, or markdown for everything else."""
    base = target.split(":", 1)[0]
    return base if base in ("hugo", "jekyll", "html") else "markdown"


def _source_text(doc: Document) -> str:
    try:
        return Path(doc.source.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
