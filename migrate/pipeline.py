"""The batch: find sources, read each into a Document, index the site, emit, write.

Two passes, both run on any ``concurrent.futures.Executor`` (inline, a process pool, or a
dask cluster) in chunks, with results consumed in input order so the output does not
depend on the executor:

1. **read**: every post becomes a Document (or an error).  As each post comes back, in
   input order, this process decides its final metadata and adds it to the site index (an
   SQLite file, :mod:`migrate.sitedb`) from what pass 1 returned (metadata and section ids
   only); what pass 2 needs of it waits on disk (:mod:`migrate.spool`).
2. **emit**: per post, links are rewritten against the index, the emitter renders it, and
   this process writes the files (atomically, inside the output directory, journaled in
   the manifest).

Incremental runs (``Job.cache_dir``) skip pass 1 for posts whose bytes, path, config and
tool version are unchanged, and pass 2 for posts whose rendered input and link targets are
unchanged (see :mod:`migrate.cache`).  No printing here: progress goes to a callback and
everything else into the :class:`~migrate.report.Report`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import posixpath
import re
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from . import __version__ as VERSION
from . import codec, gcpolicy, paths
from .cache import (
    Cache,
    Digest,
    Dumped,
    Pack,
    code_fingerprint,
    config_fingerprint,
    digest,
    digest_all,
    dump,
    source_fingerprint,
    source_stat,
    tree_fingerprint,
)
from .config import Config
from .emitters import registry
from .emitters.base import EmitContext
from .errors import MigrateError
from .executors import InlineExecutor
from .ledger import DictTable, Table, in_key_order, table
from .manifest import SITE, STATE_DIR, Manifest, sha256
from .model import Diagnostic, Document, Metadata
from .output import TEMP_NAME, safe_join, temp_beside, write_atomic
from .paths import real_path
from .reading import read
from .report import Change, ChangeLog, FileResult, Report, ResultLog
from .site import Site, post_fingerprint, section_anchors
from .sitedb import SiteDB
from .spool import Ints, Spool, Strings
from .transforms import links
from .transforms import metadata as meta_rules
from .transforms.links import LinkRecord

T = TypeVar("T")

SOURCE_SUFFIXES = (".rst", ".rest")
Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``; stage is "read" or "emit"."""


# --------------------------------------------------------------------------- discovery


def is_post(path: str | Path) -> bool:
    """rST posts, plus Nikola ``.txt`` posts (those with a ``.meta`` sidecar or ``.. title:``)."""
    return _is_post_name(os.fspath(path))


def _is_post_name(path: str) -> bool:
    suffix = _suffix(path)
    if suffix in SOURCE_SUFFIXES:
        return True
    if suffix == ".txt":
        if os.path.exists(path[: -len(suffix)] + ".meta"):
            return True
        try:
            with open(path, "rb") as fh:
                return fh.read(64).lstrip().startswith(b".. title:")
        except OSError:
            return False
    return False


def _suffix(path: str) -> str:
    """``Path(path).suffix.lower()``, without making a Path."""
    name = os.path.basename(path)
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def discover(
    sources: Iterable[str | Path],
    exclude: Sequence[Path] = (),
    follow_symlinks: bool = False,
    suffixes: Sequence[str] | None = None,
) -> list[Path]:
    """Every post under the given files and directories, sorted, each once.

    Hidden directories and the excluded ones (the output directory) are skipped, and
    symlinks that leave a source tree are not followed unless ``follow_symlinks``.
    ``suffixes`` replaces the post test (``(".json",)`` for ``--from json``).
    """
    return [Path(s) for s in discover_sources(sources, exclude, follow_symlinks, suffixes)]


def discover_sources(
    sources: Iterable[str | Path],
    exclude: Sequence[Path] = (),
    follow_symlinks: bool = False,
    suffixes: Sequence[str] | None = None,
) -> Strings:
    """:func:`discover`, as strings kept on disk (:class:`~migrate.spool.Strings`, a read-only
    sequence): what the CLI gives a :class:`Job`.  A batch keeps its list of sources for the
    whole run; a list of ``Path`` costs about a kilobyte a post (CPython 3.11 keeps each
    one's parts, interned), a list of strings a hundred bytes, this nothing."""
    found = Strings()
    given = list(sources)
    # one folder's walk gives each path once; several sources may give one twice
    seen: MutableMapping[str, int] | None = table(1, int) if len(given) > 1 else None
    excluded = [os.path.realpath(e) for e in exclude]

    def add(path: str) -> None:
        if seen is None or seen.setdefault(path, len(found)) == len(found):  # not given before
            found.append(path)

    def inside_excluded(real: str) -> bool:
        return any(real == e or real.startswith(e.rstrip(os.sep) + os.sep) for e in excluded)

    for src in given:
        top = str(Path(src))
        if not os.path.isdir(top):
            add(top)
            continue
        root = os.path.realpath(top)
        for full, real in _sorted_files(top, root, inside_excluded if excluded else None):
            link = os.path.islink(full)
            if link or excluded:
                real = os.path.realpath(full) if link else real
                if excluded and inside_excluded(real):
                    continue
                if link and not follow_symlinks and not (real == root or real.startswith(root + os.sep)):
                    continue
            if not os.path.isfile(full):
                continue
            # strings, not a Path per file: CPython 3.11 interns every part of a Path, and the
            # table of interned strings never shrinks again
            if suffixes is not None:
                if _suffix(full) in suffixes:
                    add(full)
            elif _is_post_name(full):
                add(full)
    return found


def _sorted_files(
    folder: str, real: str, excluded: Callable[[str], bool] | None
) -> Iterator[tuple[str, str]]:
    """Every file under ``folder`` (and its path below ``real``, the folder's real path), in
    the order ``sorted()`` gives their ``Path``s (by components), one folder listed at a time.

    Hidden and excluded folders are not entered (an output folder inside the source tree is
    never listed), nor symlinked ones, as ``os.walk`` and ``Path.rglob`` do not enter them."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if name.startswith("."):
            continue
        full = os.path.join(folder, name)
        if os.path.isdir(full):
            if os.path.islink(full) or (excluded is not None and excluded(os.path.realpath(full))):
                continue
            yield from _sorted_files(full, os.path.join(real, name), excluded)
        else:
            yield full, os.path.join(real, name)


# --------------------------------------------------------------------------- the job


@dataclass
class Job:
    """One conversion: what to read, where to write, and how."""

    sources: Sequence[str | Path]
    """The posts, in batch order (``discover_sources`` gives them as strings)."""
    target: str
    out: Path | None
    config: Config = field(default_factory=Config)
    options: dict = field(default_factory=dict)
    link_style: str = ""
    """Write links in this target's style (default: the target's own); ``migrate links`` uses it."""
    roots: list[Path] = field(default_factory=list)
    """Source roots (the directories given): ``:doc:`` names and asset paths are relative to them."""
    source_format: str = "rst"
    """``rst`` (posts) or ``json`` (documents in our JSON, e.g. edited by another tool)."""
    cache_dir: Path | None = None
    """Incremental cache; ``None`` means ``OUT/.migrate/cache`` when ``use_cache``."""
    use_cache: bool = True
    force: bool = False
    """Ignore the cache and overwrite files in the output directory that migrate did not write."""
    check: bool = False
    """Write nothing; report which outputs would change."""
    dry_run: bool = False
    """Write nothing; report the plan."""
    verify: bool = False
    """Re-read every output and compare it with the document (see :mod:`migrate.verify`)."""
    chunk_size: int = 0
    """Posts per task sent to the executor (0: about four tasks per worker)."""

    @property
    def writes(self) -> bool:
        return self.out is not None and not self.check and not self.dry_run

    def cache_root(self) -> Path | None:
        if not self.use_cache or self.out is None and self.cache_dir is None:
            return None
        return self.cache_dir or (self.out / STATE_DIR / "cache")  # type: ignore[operator]


# --------------------------------------------------------------------------- pass 1


@dataclass
class ReadOut:
    """What pass 1 returns for one post: enough to index it, and the document if not cached."""

    source: str
    key: str
    meta: Metadata | None
    anchors: tuple[tuple[str, str], ...]
    diagnostics: list[Diagnostic]
    seconds: float = 0.0
    doc: Document | None = None
    cached: bool = False
    loc: list | None = None
    """Where the cache keeps the document (``Cache.load_doc``)."""
    stat: list[int] = field(default_factory=list)
    """The source's size and mtime when it was hashed (``source_stat``), for the cache."""


def read_one(path: Path, config: Config, source_format: str = "rst") -> Document:
    """Read one post (or one JSON document)."""
    if source_format == "json":
        try:
            return Document.from_json(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as e:
            raise MigrateError(f"cannot read: {e}", str(path), code="io") from e
        except (ValueError, KeyError, TypeError) as e:
            raise MigrateError(f"not a migrate JSON document: {e}", str(path), code="bad-json") from e
    return read(path, config=config)


def _unreadable(source: str, e: OSError, seconds: float = 0.0) -> ReadOut:
    """Pass 1's result for a post whose file cannot be read (stat or hash)."""
    return ReadOut(
        source, "", None, (), [Diagnostic("error", "io", f"cannot read: {e.strerror}", source, 0)], seconds
    )


def _utf8(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _source_key(source: str, cfg_fp: str, fmt: str) -> str:
    """What pass 1's result for a post depends on: its bytes, path, the config and migrate."""
    return digest(VERSION, cfg_fp, fmt, real_path(source), source_fingerprint(source))


ReadItem = tuple[str, str, "list[int] | None"]
"""A post for pass 1: source, key (``""``: not hashed yet), stat (None: not taken yet)."""


def _read_task(
    items: list[ReadItem], config: Config, fmt: str, cache_root: str | None, cfg_fp: str = ""
) -> list[ReadOut]:
    """Worker side of pass 1.  With a cache, documents go to disk and only the index comes back.
    A post new to the cache is stat'ed and hashed here, not by the main process."""
    paths.forget()  # a pool outlives batches: resolve folders again for each task
    if not cache_root:
        return _read_items(items, config, fmt, None, cfg_fp)
    with Cache(Path(cache_root), VERSION, load_index=False).pack() as pack:
        return _read_items(items, config, fmt, pack, cfg_fp)


def _read_items(
    items: list[ReadItem], config: Config, fmt: str, pack: Pack | None, cfg_fp: str = ""
) -> list[ReadOut]:
    outs = []
    for source, key, stat in gcpolicy.per_item(items):
        start = time.perf_counter()
        try:
            if stat is None and cfg_fp:
                stat = source_stat(source)  # before hashing: a later change shows as a new stat
            if not key and cfg_fp:
                key = _source_key(source, cfg_fp, fmt)
        except OSError as e:
            outs.append(_unreadable(source, e, time.perf_counter() - start))
            continue
        try:
            doc = read_one(Path(source), config, fmt)
        except MigrateError as e:
            diag = Diagnostic("error", e.code, e.message, e.path or source, e.line)
            outs.append(ReadOut(source, key, None, (), [diag], time.perf_counter() - start, stat=stat or []))
            continue
        out = ReadOut(
            source,
            key,
            doc.meta,
            section_anchors(doc),
            list(doc.diagnostics),
            time.perf_counter() - start,
            stat=stat or [],
        )
        if pack is not None:
            out.loc = pack.add(doc)
        else:
            out.doc = doc
        outs.append(out)
    return outs


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` by lists of ``size``, made as they are asked for (``_run`` keeps a window)."""
    chunk: list[T] = []
    for x in items:
        chunk.append(x)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _chunk_size(job: Job, n: int, executor: Executor) -> int:
    if job.chunk_size:
        return job.chunk_size
    if isinstance(executor, InlineExecutor):
        return 64  # bounded: each chunk's outputs are written and dropped before the next is made
    return max(1, min(32, -(-n // (_workers(executor) * 4))))


def _workers(executor: Executor) -> int:
    n = getattr(executor, "_max_workers", None)  # a process pool
    client = getattr(executor, "_client", None)  # a dask cluster
    if not n and client is not None:
        try:
            n = sum(client.nthreads().values())
        except Exception:  # noqa: BLE001 - any failure: guess from this machine
            n = None
    return n or os.cpu_count() or 2


TASKS_AHEAD = 8
"""Tasks in flight per worker: enough that a slow task does not leave a worker idle while
the results behind it wait to be consumed in order; bounded, so memory does not grow with N."""


def _run(executor: Executor, fn: Callable, chunks: Iterable[list], *args: Any) -> Iterator[list]:
    """Yield each chunk's result in submission order (deterministic whatever ran first).

    A few tasks per worker are kept in flight, no more: tasks are made as they are submitted
    and results consumed as they come, so a batch never holds every task, or every result,
    at once."""
    if isinstance(executor, InlineExecutor):
        for c in chunks:
            yield fn(c, *args)  # collected as it runs (gcpolicy.per_item)
        return
    window: deque[tuple[Any, int]] = deque()  # each task in flight, and its number of posts
    ahead = TASKS_AHEAD * _workers(executor)
    for c in chunks:
        window.append((executor.submit(fn, c, *args), len(c)))
        if len(window) >= ahead:
            yield from _finished(window)
    while window:
        yield from _finished(window)


def _finished(window: deque[tuple[Any, int]]) -> Iterator[list]:
    """The oldest task's result; then this process collects what it made (``gcpolicy``)."""
    future, posts = window.popleft()
    yield future.result()
    gcpolicy.between_chunks(posts)


def read_all(paths: Sequence[Path], config: Config) -> tuple[list[Document | None], list[FileResult]]:
    """Pass 1 in this process, without a cache: every post read (``None`` when it failed)."""
    docs: list[Document | None] = []
    results: list[FileResult] = []
    for out in _read_task([(str(p), "", None) for p in paths], config, "rst", None):
        result = FileResult(source=out.source, seconds=out.seconds)
        result.add(out.diagnostics)
        docs.append(out.doc)
        results.append(result)
    return docs, results


# --------------------------------------------------------------------------- site index


class _FinalMetas:
    """The metadata rules (renames, merges, defaults) and unique slugs, decided over the whole
    batch in input order, one post at a time: so the batch can decide each post as soon as
    pass 1 returns it (unless tags are merged across posts, which needs every post first:
    ``canonical``)."""

    def __init__(self, config: Config, canonical: dict[str, str], sources: Sequence[str]) -> None:
        self.config = config
        self.canonical = canonical
        self.sources = sources
        # slug -> the post that has it: a table (migrate.ledger), not a dict, as it holds
        # every post's slug while pass 1 runs
        self.seen: MutableMapping[str, int] = table(1, int)

    def __call__(self, i: int, out: ReadOut) -> tuple[Metadata | None, list[Diagnostic]]:
        """Post ``i``'s final metadata (None: it failed) and the warnings deciding it gave."""
        if out.meta is None:
            return None, []
        notes = []
        meta = meta_rules.apply_rules(out.meta, self.config, self.canonical)
        slug = meta.slug
        owner = self.seen.setdefault(slug, i)  # one statement: the slug is claimed unless taken
        if owner != i:
            n = 2
            while f"{slug}-{n}" in self.seen:
                n += 1
            new = f"{slug}-{n}"
            notes.append(
                Diagnostic(
                    "warning",
                    "duplicate-slug",
                    f"slug '{slug}' is also used by {self.sources[owner]}; using '{new}'",
                    out.source,
                )
            )
            meta = dataclasses.replace(meta, slug=new)
            self.seen[new] = i
        return meta, notes

    @classmethod
    def needs_every_post(cls, config: Config) -> bool:
        return config.tag_case == "merge"

    @classmethod
    def over(cls, outs: Sequence[ReadOut], config: Config, sources: Sequence[str]) -> _FinalMetas:
        """For a batch whose posts are all known (``outs`` is read once more to merge tags)."""
        canonical = meta_rules.canonical_tags((o.meta for o in outs if o.meta is not None), config)
        return cls(config, canonical, sources)


def build_site(docs: list[Document | None], results: Sequence[FileResult], job: Job) -> Site:
    """Pass 1b for documents in memory: rules, unique slugs and the index (updates ``docs``)."""
    outs = [
        ReadOut(d.source.path, "", d.meta, section_anchors(d), [])
        if d is not None
        else ReadOut("", "", None, (), [])
        for d in docs
    ]
    metas: list[Metadata | None] = []
    final = _FinalMetas.over(outs, job.config, [o.source for o in outs])
    for i, out in enumerate(outs):
        meta, notes = final(i, out)
        metas.append(meta)
        results[i].add(notes)
    for i, (doc, meta) in enumerate(zip(docs, metas, strict=True)):
        if doc is not None and meta is not None:
            docs[i] = dataclasses.replace(doc, meta=meta)
    return _index(outs, metas, job)


def _index(
    outs: Sequence[ReadOut], metas: Sequence[Metadata | None], job: Job, executor: Executor | None = None
) -> Site:
    """The site index from pass 1's entries and the final metadata (failed posts left out):
    in an SQLite file (:mod:`migrate.sitedb`), or in dicts when no temporary file can be made."""
    site = _new_site(job, executor)
    for out, meta in zip(outs, metas, strict=True):
        if meta is not None:
            site.add_entry(out.source, meta, out.anchors)
    return _frozen(site)


def _new_site(job: Job, executor: Executor | None = None) -> Site:
    """An SQLite index for executors on this machine (their workers open its file); a dict
    index, pickled to each worker, for any other (a dask cluster's workers may be elsewhere),
    or when no temporary file can be made."""
    roots = tuple(str(Path(r).resolve()) for r in job.roots)
    local = executor is None or isinstance(
        executor, (InlineExecutor, ProcessPoolExecutor, ThreadPoolExecutor)
    )
    return (SiteDB.create(job.config, roots) if local else None) or Site(config=job.config, roots=roots)


def _frozen(site: Site) -> Site:
    """The index, complete: shared with other processes from now on."""
    return site.freeze() if isinstance(site, SiteDB) else site


def _fingerprints(site: Site) -> tuple[Mapping[str, str], str]:
    """Each post's fingerprint by source, and the batch's (all of them, by source: the order
    of the index's key, so SQLite walks it without sorting)."""
    if isinstance(site, SiteDB):
        return site.fingerprints, digest_all(fp for _, fp in site.fingerprints.items())
    fps = {p.source: post_fingerprint(p) for p in site.posts}
    return fps, digest(*(fps[s] for s in sorted(fps)))


# --------------------------------------------------------------------------- pass 2


def process(
    doc: Document, site: Site, job: Job, emitter: Any
) -> tuple[list[tuple[str, str | bytes]], list[Diagnostic], list[LinkRecord], Document]:
    """Pass 2 for one post: rewrite links, emit, and list the files to write (no I/O but reading assets)."""
    ctx = EmitContext(config=job.config, site=site, options=dict(job.options))
    source_text = _source_text(doc)
    doc, records, assets = links.rewrite(doc, site, _family(job.link_style or job.target), source_text)
    files: list[tuple[str, str | bytes]] = []
    diags: list[Diagnostic] = []
    for rec in records:
        if rec.status == "broken":
            diags.append(
                Diagnostic("warning", "broken-link", f"{rec.target}: {rec.reason}", rec.source, rec.line)
            )
    for asset in assets:
        if asset.exists:
            files.append((asset.dest, Path(asset.src).read_bytes()))
    files.insert(0, (emitter.output_path(doc, ctx), emitter.emit(doc, ctx)))
    diags.extend(_already_reported(doc, ctx.diagnostics))
    return files, diags, records, doc


_UNMAPPED = {"unmapped-directive": "unknown-directive", "unmapped-role": "unknown-role"}
_QUOTED = re.compile(r"'([^']*)'")


def _already_reported(doc: Document, diags: Sequence[Diagnostic]) -> list[Diagnostic]:
    """An emitter's "kept X as ..." about a directive or role the reader already warned about
    becomes info: one warning per problem, the reader's, which has the line."""
    reported = {
        (d.code, m.group(1))
        for d in doc.diagnostics
        if d.code in _UNMAPPED.values() and (m := _QUOTED.search(d.message))
    }
    out = []
    for d in diags:
        m = _QUOTED.search(d.message) if d.code in _UNMAPPED else None
        if m and (_UNMAPPED[d.code], m.group(1)) in reported:
            d = dataclasses.replace(d, severity="info")
        out.append(d)
    return out


@dataclass
class EmitIn:
    source: str
    key: str
    meta: Metadata
    doc: Document | None
    loc: list | None = None
    ekey: str = ""
    """The emit key, when the main process computed it (to compare with last run's entry)."""


def _emit_key(base: str, read_key: str, meta: Metadata) -> str:
    """What a post's outputs depend on besides the posts it links to: its read key, its final
    metadata, and ``base`` (migrate, the target, its options, the config)."""
    return digest(base, read_key, json.dumps(codec.encode(meta), ensure_ascii=False))


@dataclass
class EmitOut:
    source: str
    key: str = ""
    """The post's emit key (``_emit_key``): the main process's, or computed by the task."""
    files: list[tuple[str, str | bytes | Staged]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
    assets: dict[str, list[int]] = field(default_factory=dict)
    doc: Document | None = None
    seconds: float = 0.0
    failed: bool = False
    staged: dict[str, str] = field(default_factory=dict)
    """Output path -> temporary file a pool worker already wrote beside it (``_stage``)."""
    deps: dict[str, str] = field(default_factory=dict)
    """Each post this one links to -> its fingerprint (what the rendering depends on)."""


_EMITTERS: dict[str, Any] = {}


def _emitter(target: str) -> Any:
    if target not in _EMITTERS:
        _EMITTERS[target] = registry.get(target)
    return _EMITTERS[target]


@dataclass(frozen=True)
class SiteBlob:
    """The site index pickled once by the main process.  Every pass-2 task of a pool needs it;
    sent as an object it would be pickled again for each task and unpickled by each, a
    tenth of a two-core run; as bytes with an id, a worker unpickles it once (``_site``)."""

    id: str
    data: bytes


_SITES: dict[str, Site] = {}


def _site(site: Site | SiteBlob) -> Site:
    if isinstance(site, Site):
        return site
    if site.id not in _SITES:
        _SITES.clear()  # one batch at a time per worker
        _SITES[site.id] = pickle.loads(site.data)  # noqa: S301 - our own main process pickled it
    return _SITES[site.id]


def _emit_task(
    items: list[EmitIn | bytes],
    site: Site | SiteBlob,
    job: Job,
    cache_root: str | None,
    keep_docs: bool,
    stage: bool = False,
    key_base: str = "",
) -> list[EmitOut]:
    """Worker side of pass 2.  ``stage``: also write each output to a temporary file beside its
    destination, so that the main process only has to rename it (``_write_outputs``).
    ``key_base``: each post's emit key is computed here (``_emit_key``), for the cache."""
    paths.forget()
    site = _site(site)
    cache = Cache(Path(cache_root), VERSION, load_index=False) if cache_root else None
    emitter = _emitter(job.target)
    outs = []
    for item in gcpolicy.per_item(items):
        start = time.perf_counter()
        if isinstance(item, bytes):
            item = pickle.loads(item)  # noqa: S301 - spooled by our own main process (_emit_ins)
        out = EmitOut(item.source)
        out.key = item.ekey or (_emit_key(key_base, item.key, item.meta) if key_base else "")
        try:
            doc = item.doc or (cache.load_doc(item.loc) if cache else None)
            if doc is None:  # cache lost between the passes: read again
                doc = read_one(Path(item.source), job.config, job.source_format)
            doc = dataclasses.replace(doc, meta=item.meta)
            files, diags, records, emitted = process(doc, site, job, emitter)
            out.files, out.diagnostics, out.links = files, diags, records
            out.assets = _asset_stats(records)
            out.deps = _deps(records, site)
            if job.verify:
                out.diagnostics.extend(_verify(emitted, files[0][1], job.target))
            if keep_docs:
                out.doc = emitted
            if stage and job.out is not None:
                out.staged = _stage(job.out, files)
                # the main process only renames staged files: send their hash, not their bytes
                out.files = [
                    (rel, Staged(sha256(d), isinstance(d, bytes)) if rel in out.staged else d)
                    for rel, d in files
                ]
        except MigrateError as e:
            out.failed = True
            out.diagnostics.append(Diagnostic("error", e.code, e.message, e.path or item.source, e.line))
        out.seconds = time.perf_counter() - start
        outs.append(out)
    return outs


@dataclass(frozen=True)
class Staged:
    """Stands for the bytes of an output a worker already wrote to a temporary file."""

    sha256: str
    binary: bool


def _stage(out: Path, files: Sequence[tuple[str, str | bytes]]) -> dict[str, str]:
    """Write each file to a temporary file beside its destination, in the worker.

    Creating files is the slowest part of writing them (a new inode each), and the main
    process, which alone decides what is written (ownership, clashes, the journal), would do
    it for every post one after another while the workers wait.  Workers create the
    temporary files in parallel; the main process renames or deletes them.  A file already
    on disk with the same bytes, or one that cannot be staged, is left to the main process.
    """
    staged: dict[str, str] = {}
    for rel, data in files:
        try:
            path = safe_join(out, rel)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            if _action(path, raw) == "unchanged":
                continue
            staged[rel] = temp_beside(path, (raw,))
        except (OSError, MigrateError):
            continue  # written (or refused, with the error) by the main process
    return staged


def _verify(doc: Document, output: str | bytes, target: str) -> list[Diagnostic]:
    try:
        from . import verify
    except ImportError:  # pragma: no cover - verify ships with the package
        return []
    if verify.output_kind(target) is None:
        return []
    return [
        Diagnostic("warning", "loss", f"output lost {loss}", doc.source.path, 0)
        for loss in verify.verify(doc, output, target)
    ]


def _deps(records: Sequence[LinkRecord], site: Site) -> dict[str, str]:
    """The posts a rendering linked to, with their fingerprints, found by the worker that
    rendered it (with the index it already has open) rather than by the main process."""
    deps = {}
    for source in sorted({r.target_source for r in records if r.target_source}):
        fp = site.fingerprint_of(source)
        if fp is not None:
            deps[source] = fp
    return deps


def _asset_stats(records: Sequence[LinkRecord]) -> dict[str, list[int]]:
    """Size and mtime of every local file the post copies (an incremental run re-copies on change)."""
    return {
        src: _stat(src)
        for src in sorted({r.target_source for r in records if r.status == "asset" and r.target_source})
    }


def _stat(path: str) -> list[int]:
    try:
        st = os.stat(path)
        return [st.st_size, st.st_mtime_ns]
    except OSError:
        return [-1, -1]


# --------------------------------------------------------------------------- the batch


def convert(job: Job, executor: Executor | None = None, progress: Progress | None = None) -> Report:
    """Run a batch and report; writes only under ``job.out`` (nothing when it is None or checking).

    The collector is paused in this process for the batch (``gcpolicy.paused``); posts read
    or rendered here (inline) are still collected one by one (``gcpolicy.per_item``)."""
    with gcpolicy.paused():
        return _convert(job, executor, progress)


def _convert(job: Job, executor: Executor | None, progress: Progress | None) -> Report:
    """The batch (see :func:`convert`).

    Documents go to the cache's packs between the passes; each post's pass-1 result, final
    metadata and pass-2 input go to spools (:mod:`migrate.spool`) as pass 1 returns it, and
    its site-index entry to the index's SQLite file (:mod:`migrate.sitedb`); pass 2 keeps a
    bounded number of tasks in flight; each post's report entry and cache entries go to
    spools as soon as the post is finished; each output's name and manifest entry, and pass
    1's slugs, are rows of SQLite tables (:mod:`migrate.ledger`); the sources, the spools'
    offsets and the lists of positions are on disk too (:class:`~migrate.spool.Strings`,
    :class:`~migrate.spool.Ints`), so nothing is kept in memory per post
    (docs/performance.md)."""
    started = time.perf_counter()
    paths.forget()  # the source tree may have changed since the last batch of this process
    emitter = _emitter(job.target)
    executor = executor or InlineExecutor()
    report = Report(target=job.target, changes=ChangeLog())
    cache_root = job.cache_root()
    cache = Cache(cache_root, VERSION) if cache_root is not None and not job.force else None
    writer_cache = str(cache_root) if cache_root is not None and job.writes else None
    manifest = Manifest.load(job.out) if job.out is not None else None
    cfg_fp = digest(config_fingerprint(job.config), code_fingerprint())

    # pass 1 ---------------------------------------------------------------
    sources = Strings()  # the batch's own copy, on disk: read back by position
    batch_digest = Digest()  # of the sources: the cache compares it with the last batch's
    early: dict[int, ReadOut] = {}  # posts decided here: restored from the cache, or unreadable
    # the posts to read, as positions on disk (a fresh run's: nothing more to say about
    # them) and, for those the cache has seen before, their key and stat
    todo = Ints()
    seen: dict[int, tuple[str, list[int]]] = {}
    restat = False  # a source touched but not changed: its index entry needs the new stat
    for i, s in enumerate(job.sources):
        s = os.fspath(s)
        bad = not s.isascii() and not _utf8(s)
        if bad:
            # a name the file system gave as bytes (a surrogate escape): the report, the
            # manifest and the cache are UTF-8, so the post is refused by a printable name
            s = s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        sources.append(s)
        batch_digest.add(s)
        if bad:
            message = "the file name is not valid UTF-8; rename the file to convert it"
            early[i] = ReadOut(s, "", None, (), [Diagnostic("error", "bad-name", message, s, 0)])
            continue
        prev = cache.index["read"].get(s) if cache else None
        if not prev:
            restat = True
            # nothing to compare with: the worker reading it stats and hashes it
            todo.append(i)
            continue
        try:
            stat = source_stat(s)
            if prev.get("stat") == stat and prev.get("base") == cfg_fp:
                key = prev["key"]  # same size and mtime as when hashed: skip reading the file
            else:
                restat = True  # touched: the same bytes (same key) need no reading
                key = _source_key(s, cfg_fp, job.source_format)
        except OSError as e:
            early[i] = _unreadable(s, e)
            continue
        entry = cache.read_entry(s, key)  # type: ignore[union-attr]
        try:
            restored = _read_out_from_entry(s, key, entry) if entry is not None else None
        except (ValueError, KeyError, TypeError, IndexError):  # a damaged entry: read the post again
            restored = None
        if restored is None:
            todo.append(i)
            seen[i] = (key, stat)
        else:
            restored.stat = stat
            early[i] = restored
    done = len(sources) - len(todo)
    batch_fp = batch_digest.hexdigest()
    if progress:
        progress("read", done, len(sources))
    # pass 1's results go to disk in input order as they come (memory does not grow with the
    # batch), and each post's final metadata, index entry and (when the cache index will be
    # written again: something is read) read entry are made then, while the workers are
    # busy, rather than between the passes
    last = cache.index.get("site", {}) if cache else {}
    # every post read from the cache, same batch: the index equals last run's, and is only
    # built if something below (or the caller) asks for it
    lazy = cache is not None and not todo and last.get("batch") == batch_fp and bool(last.get("fps"))
    site: Site | None = None if lazy else _new_site(job, executor)
    posts: Spool[ReadOut] = Spool(_encode_pickled, _decode_pickled)
    # each post's pass-2 input (None: it failed), pickled once here, while pass 1 runs: a
    # fresh run's is sent to its worker as these very bytes (``_emit_ins``)
    inputs: Spool[EmitIn | None] = Spool(_encode_pickled, _decode_pickled)
    entries: Spool[tuple | None] | None = None
    if cache_root is not None and job.writes and todo:
        entries = Spool(_encode_read_row, _decode_read_row)
    slug_diags: dict[int, list[Diagnostic]] = {}
    candidates = Ints()  # posts with metadata: the ones pass 2 may render
    # merging tag spellings across posts needs every post first: then decided after pass 1
    final = None if _FinalMetas.needs_every_post(job.config) else _FinalMetas(job.config, {}, sources)

    def decide(i: int, out: ReadOut, final: _FinalMetas) -> None:
        meta, notes = final(i, out)
        keep = _kept_in_memory(out)
        item = EmitIn(out.source, out.key, meta, out.doc, out.loc) if meta is not None else None
        out.doc = None  # held by the pass-2 input now (until a task takes it: _emit_ins)
        inputs.append(item, keep=keep)
        if notes:
            slug_diags[i] = notes
        if meta is not None:
            candidates.append(i)
            if site is not None:
                site.add_entry(out.source, meta, out.anchors)

    def finish(out: ReadOut) -> None:
        """Post ``len(posts)``, in input order."""
        i = len(posts)
        if entries is not None:
            _spool_read_row(out, entries, cfg_fp)
        keep = _kept_in_memory(out)
        if final is not None:
            decide(i, out, final)
            if not keep:  # decided and recorded: pass 2 needs only its diagnostics and timing
                out.meta, out.anchors, out.doc = None, (), None
        posts.append(out, keep=keep)

    def settle(upto: int) -> None:
        """Finish the posts decided above that come before post ``upto``."""
        while len(posts) < upto:
            finish(early.pop(len(posts)))

    chunk = _chunk_size(job, len(todo), executor)
    sent: deque[list[int]] = deque()  # the tasks in flight, as positions, in order

    def read_tasks() -> Iterator[list[ReadItem]]:
        for c in _chunks(todo, chunk):
            sent.append(c)
            yield [(sources[i], *seen.get(i, ("", None))) for i in c]

    # documents read in this run go to the cache only when this run writes; otherwise memory
    read_cache = writer_cache
    for outs in _run(executor, _read_task, read_tasks(), job.config, job.source_format, read_cache, cfg_fp):
        batch = sent.popleft()
        for i, out in zip(batch, outs, strict=True):
            settle(i)
            finish(out)
        done += len(batch)
        if progress:
            progress("read", done, len(sources))
    settle(len(sources))
    outs = out = None  # the last chunk: spooled
    read_any = bool(todo)
    todo.close()
    seen.clear()

    # site index -------------------------------------------------------------
    if final is None:
        final = _FinalMetas.over(posts, job.config, sources)
        for i, out in enumerate(posts):
            decide(i, out, final)
        out = None
    final = None  # its slugs: not needed any more

    def build() -> Site:
        return _index(posts, [x.meta if x else None for x in inputs], job, executor)

    if site is None:
        fps, site_fp = last["fps"], last["site_fp"]
        report.site_factory = build
    else:
        site = report.site = _frozen(site)
        fps, site_fp = _fingerprints(site)

    # pass 2: what to render -----------------------------------------------------
    opts_fp = json.dumps(job.options, sort_keys=True, default=str)
    if callable(getattr(emitter, "cache_key", None)):
        opts_fp += emitter.cache_key()  # e.g. the pandoc version behind pandoc:FORMAT
    if job.options.get("templates") and Path(job.options["templates"]).is_dir():
        opts_fp += tree_fingerprint(job.options["templates"])
    keep_docs = hasattr(emitter, "site_files")
    key_base = digest(VERSION, job.target, job.link_style, opts_fp, cfg_fp, str(job.verify))
    kept: dict[int, tuple[dict, tuple]] = {}  # posts whose outputs are still valid: their entry
    pending = Ints()  # the posts to render, in order, and each one's emit key ("": none to
    ekeys = Strings()  # compare with, the worker computes it): on disk, as the batch grows
    # every output of the batch -> the post that writes it: rows of an SQLite table, not a
    # dict (one per output file; see migrate.ledger)
    used = table(1, str, folder=True)
    claimed: list[tuple[str, str]] = []  # kept outputs waiting to go into ``used``
    compare = cache is not None and bool(cache.index["emit"])
    if compare and not isinstance(fps, dict):
        fps = dict(fps.items())  # a re-run checks every post's links: one query, not one per link
    for i in candidates:
        source = sources[i]
        prev = cache.emit_entry(source) if compare else None  # type: ignore[union-attr]
        if prev is None:
            pending.append(i)
            ekeys.append("")
            continue
        item = inputs[i]
        ekey = _emit_key(key_base, item.key, item.meta)  # type: ignore[union-attr]
        if _emit_still_valid(prev, ekey, fps, site_fp, job, manifest):
            parts = _emit_entry_parts(source, prev)
            if parts is not None:
                kept[i] = (prev, parts)
                claimed.extend((rel, source) for rel in parts[2])
                if len(claimed) >= 512:  # recorded in one statement per 512 outputs
                    used.update_many(claimed)
                    claimed.clear()
                continue
        pending.append(i)
        ekeys.append(ekey)
    used.update_many(claimed)
    candidates.close()
    del claimed
    if site is None and (pending or keep_docs):
        site = report.site  # built now: something needs rendering after all
    quiet = not read_any and not pending and not restat and last.get("batch") == batch_fp
    # the cache index is written again: each post's entry goes to disk as soon as it is known
    record = cache_root is not None and job.writes and not quiet
    if record and entries is None:
        entries = Spool(_encode_read_row, _decode_read_row)
        for out in posts:
            _spool_read_row(out, entries, cfg_fp)

    # pass 2: render, write, record each post in order ------------------------------
    done = len(posts) - len(pending)
    if progress:
        progress("emit", done, len(posts))
    chunk = _chunk_size(job, len(pending), executor)
    rendered = _flatten(
        _run(
            executor,
            _emit_task,
            (_emit_ins(inputs, c) for c in _chunks(zip(pending, ekeys, strict=True), chunk)),
            site if isinstance(executor, InlineExecutor) or not pending else _blob(site),
            dataclasses.replace(job, sources=()),  # pickled with each task: the workers need no sources
            read_cache or (str(cache_root) if cache_root else None),
            keep_docs,
            job.writes and not isinstance(executor, InlineExecutor),
            key_base,
        )
    )
    results = report.results = ResultLog()
    links_of: Spool[dict | Dumped | None] | None = (
        Spool(_encode_emit_row, _decode_emit_row) if record else None
    )
    failed: set[int] = set()
    site_docs: dict[int, Document] = {}
    upcoming = iter(pending)  # the next post rendered, in order
    next_rendered = next(upcoming, -1)
    for i, (source, out) in enumerate(zip(sources, posts, strict=True)):
        # the batch's own string: the report, the manifest and the output table keep it
        result = FileResult(source=source)
        result.add(out.diagnostics)
        result.timings["read"] = round(out.seconds, 6)
        result.cached = out.cached
        result.add(slug_diags.get(i, ()))
        emit_entry: dict | None = None
        if i in kept:
            emit_entry, (diags, records, outputs) = kept.pop(i)
            result.add(diags)
            result.links, result.outputs, result.cached = records, outputs, True
        elif i == next_rendered:
            next_rendered = next(upcoming, -1)
            eout = next(rendered)
            emit_entry = _record_emit(eout, result, eout.key, site_fp, used, job, manifest, report)
            if eout.doc is not None:
                site_docs[i] = eout.doc
            done += 1
            if progress and (done == len(posts) or (len(posts) - done) % chunk == 0):
                progress("emit", done, len(posts))
        if result.status == "error":
            failed.add(i)
        # a post restored whole from the cache: its records are the loaded index's, in memory anyway
        restored = out.cached and result.cached
        if links_of is not None:
            links = {**emit_entry, "links": [_link_row(r) for r in result.links]} if emit_entry else None
            links_of.append(links, keep=restored)
        results.append(result, keep=restored)
    eout = None  # the last chunk's rendered files: written, not needed any more

    # site-wide files (index pages, feeds) -------------------------------------
    if keep_docs:
        docs = _site_docs(inputs, failed, site_docs, site, job, cache_root)
        ctx = EmitContext(config=job.config, site=site, options=dict(job.options))
        site_result = FileResult(source=SITE)
        try:
            files = emitter.site_files(docs, ctx)
            site_result.add(ctx.diagnostics)
            _write_outputs(site_result, files, used, job, manifest, report)
        except MigrateError as e:
            site_result.add([Diagnostic("error", e.code, e.message, e.path or "", e.line)])
        report.site_outputs = site_result

    # deletions, manifest, cache ----------------------------------------------
    if job.writes and not quiet:  # a run that rendered nothing wrote no temporary file
        _remove_stale_temporaries(job.out, used)  # type: ignore[arg-type]
    if manifest is not None:
        _prune(manifest, used, sources, {sources[i] for i in failed}, report, job, keep_docs)
        if job.writes:
            manifest.save()
    if cache_root is not None and job.writes:

        def cache_entries() -> Iterator[tuple[str, dict, dict | None]]:
            # read back one post at a time while the index is written (memory stays flat)
            if entries is None or links_of is None:
                return
            for read, emit in zip(entries, links_of, strict=True):
                if read is not None:
                    yield read[0], read[1], emit

        (cache if cache is not None else Cache(cache_root, VERSION)).save(
            cache_entries, {"batch": batch_fp, "fps": fps, "site_fp": site_fp}, unchanged=quiet
        )
    report.seconds = time.perf_counter() - started
    return report


# The cache entries of a batch wait on disk until the index is written: each is written as
# the index's own text once (``cache.dump``) and copied from there (``cache.Dumped``).


def _encode_read_row(row: tuple[str, dict] | None) -> bytes:
    if row is None:
        return b""
    source, entry = row
    return "\0".join((source, json.dumps(entry.get("doc")), dump(entry))).encode("utf-8")


def _decode_read_row(data: bytes) -> tuple[str, Dumped] | None:
    if not data:
        return None
    source, loc, text = data.decode("utf-8").split("\0", 2)
    return source, Dumped.of(text, json.loads(loc))


def _encode_emit_row(entry: dict | None) -> bytes:
    return b"" if entry is None else dump(entry).encode("utf-8")


def _decode_emit_row(data: bytes) -> Dumped | None:
    return Dumped.of(data.decode("utf-8")) if data else None


def _encode_pickled(item: Any) -> bytes:
    return pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)


def _decode_pickled(data: bytes) -> Any:
    return pickle.loads(data)  # noqa: S301 - our own anonymous temporary file (migrate.spool)


def _kept_in_memory(out: ReadOut) -> bool:
    """A post restored from the cache (whose index is in memory anyway) or whose document is
    in memory (no cache) is not worth writing to a spool."""
    return out.cached or out.doc is not None


def _spool_read_row(out: ReadOut, entries: Spool, cfg_fp: str) -> None:
    """The post's read entry for the cache index (None: a post the index does not keep)."""
    indexed = out.key and (out.meta is not None or any(d.severity == "error" for d in out.diagnostics))
    entries.append((out.source, _read_entry(out, out.stat, cfg_fp)) if indexed else None, keep=out.cached)


def _emit_ins(inputs: Spool[EmitIn | None], posts: list[tuple[int, str]]) -> list[EmitIn | bytes]:
    """One pass-2 task, made only when it is about to be submitted (``_run`` keeps a window).
    A post with no emit key yet goes as the bytes spooled for it: the worker unpickles them,
    the main process neither decodes nor pickles it again."""
    items: list[EmitIn | bytes] = []
    for i, ekey in posts:
        raw = inputs.raw(i) if not ekey else None
        if raw is not None:
            items.append(raw)
            continue
        item = inputs[i]
        if inputs.is_kept(i):  # the spool's own object: a copy goes, and the worker owns the document now
            spooled, item = item, dataclasses.replace(item)  # type: ignore[type-var]
            spooled.doc = None  # type: ignore[union-attr]
        item.ekey = ekey  # type: ignore[union-attr]
        items.append(item)  # type: ignore[arg-type]
    return items


def _flatten(chunks: Iterator[list]) -> Iterator[Any]:
    for c in chunks:
        yield from c


def _record_emit(
    eout: EmitOut,
    result: FileResult,
    ekey: str,
    site_fp: str,
    used: MutableMapping[str, str],
    job: Job,
    manifest: Manifest | None,
    report: Report,
) -> dict | None:
    """Pass 2's result for one post: written (or compared), and its cache entry (None: not kept)."""
    result.cached = False
    result.add(eout.diagnostics)
    result.links = eout.links
    result.timings["emit"] = round(eout.seconds, 6)
    if eout.failed:
        _discard(eout.staged)
        return None
    written = _write_outputs(result, eout.files, used, job, manifest, report, eout.staged)
    if written is None:
        return None
    return {
        "key": ekey,
        "deps": eout.deps,
        "site": site_fp if any(r.status == "broken" for r in eout.links) else "",
        "assets": eout.assets,
        "outputs": written,
        "diagnostics": [codec.encode(d) for d in eout.diagnostics],
    }


def _blob(site: Site) -> SiteBlob:
    data = pickle.dumps(site, protocol=pickle.HIGHEST_PROTOCOL)
    return SiteBlob(f"{os.getpid()}-{id(site)}-{digest(data)}", data)


def _read_entry(out: ReadOut, stat: list[int], base: str) -> dict:
    entry: dict[str, Any] = {
        "key": out.key,
        "stat": stat,
        "base": base,
        "diagnostics": [codec.encode(d) for d in out.diagnostics],
    }
    if out.meta is None:
        entry["error"] = True
    else:
        entry["meta"] = codec.encode(out.meta)
        entry["anchors"] = [list(a) for a in out.anchors]
    if out.loc:
        entry["doc"] = out.loc
    return entry


def _read_out_from_entry(source: str, key: str, entry: dict) -> ReadOut:
    diags = [_diagnostic(d) for d in entry.get("diagnostics", [])]
    if entry.get("error"):
        return ReadOut(source, key, None, (), diags, cached=True)
    meta = codec.decode(entry["meta"])
    if not isinstance(meta, Metadata):
        raise ValueError("not metadata")
    return ReadOut(
        source,
        key,
        meta,
        tuple(tuple(a) for a in entry.get("anchors", ())),
        diags,
        cached=True,
        loc=entry.get("doc"),
    )


def _emit_still_valid(
    prev: dict, key: str, fps: Mapping[str, str], site_fp: str, job: Job, manifest: Manifest | None
) -> bool:
    if prev.get("key") != key:
        return False
    if any(fps.get(s) != fp for s, fp in prev.get("deps", {}).items()):
        return False
    if prev.get("site") and prev["site"] != site_fp:
        return False
    if any(_stat(src) != st for src, st in prev.get("assets", {}).items()):
        return False
    if job.out is None or manifest is None:
        return False
    for rel, digest_ in prev.get("outputs", []):
        rec = manifest.files.get(rel)
        if rec is None or rec.sha256 != digest_:
            return False
        path = os.path.join(job.out, rel)  # strings, not Paths: this runs for every post of a re-run
        if job.check:
            try:
                with open(path, "rb") as fh:
                    if sha256(fh.read()) != digest_:
                        return False
            except OSError:
                return False
        elif not os.path.isfile(path):
            return False
    return True


def _diagnostic(data: list) -> Diagnostic:
    d = codec.decode(data)
    if not isinstance(d, Diagnostic):
        raise ValueError("not a diagnostic")
    return d


def _link_row(r: LinkRecord) -> list:
    """A link record as a plain list in field order, without its source (the entry's own): the
    strings are shared with the record, so the batch's cache entries cost a few pointers per
    link, not a second copy of every dict."""
    return list(r[1:])


assert LinkRecord._fields[0] == "source"


def _emit_entry_parts(
    source: str, entry: dict
) -> tuple[list[Diagnostic], list[LinkRecord], list[str]] | None:
    """Last run's pass-2 result for a post (diagnostics, links, outputs); None (convert it
    again) when the entry is damaged."""
    try:
        diags = [_diagnostic(d) for d in entry.get("diagnostics", [])]
        records = [LinkRecord(source, *r) for r in entry.get("links", [])]
        outputs = [rel for rel, _ in entry.get("outputs", [])]
    except (TypeError, ValueError, KeyError, AttributeError, IndexError):
        return None
    return diags, records, outputs


def _write_outputs(
    result: FileResult,
    files: Sequence[tuple[str, str | bytes]],
    used: MutableMapping[str, str],
    job: Job,
    manifest: Manifest | None,
    report: Report,
    staged: dict[str, str] | None = None,
) -> list[list[str]] | None:
    """Write (or, checking, compare) one post's files; ``None`` when one of them was refused.

    ``staged``: temporary files a worker already wrote (``_stage``); each is renamed into
    place after the journal entry, exactly where ``write_atomic`` would rename its own, and
    every one not used is deleted."""
    written: list[list[str]] = []
    staged = dict(staged or {})
    try:
        planned = []
        for rel, data in files:
            owner = used.get(rel)
            if owner is not None and owner != result.source:
                binary = data.binary if isinstance(data, Staged) else isinstance(data, bytes)
                if binary and rel.startswith(("assets/", "static/")):
                    continue  # the same shared asset, copied by another post already
                raise MigrateError(f"output {rel} would overwrite the output of {owner}", code="output-clash")
            path = safe_join(job.out, rel) if job.out is not None else None
            planned.append((rel, data, path))
        for rel, data, path in planned:
            used.setdefault(rel, result.source)
            tmp = staged.get(rel) if isinstance(data, Staged) else None
            digest_ = data.sha256 if isinstance(data, Staged) else sha256(data)
            written.append([rel, digest_])
            result.outputs.append(rel)
            if path is None:
                continue
            exists = path.exists()
            if exists and manifest is not None and not manifest.owns(rel) and not job.force:
                if tmp is not None or _action(path, data) != "unchanged":  # staged: it differs
                    raise MigrateError(
                        f"{path} exists and was not written by migrate; not overwriting it (use --force)",
                        result.source,
                        code="output-exists",
                    )
            if job.writes:
                if manifest is not None:
                    manifest.record(rel, result.source, digest_, job.target)
                if tmp is not None:
                    del staged[rel]
                    try:
                        os.replace(tmp, path)
                    except OSError as e:
                        raise MigrateError(f"cannot write {path}: {e.strerror or e}", code="write") from e
                    changed = True
                else:
                    changed = write_atomic(path, data)  # compares first: an identical file is not touched
                action = "unchanged" if not changed else "update" if exists else "create"
            else:
                action = _action(path, data) if exists else "create"
            report.changes.append(Change(action, rel, result.source))
    except MigrateError as e:
        result.add([Diagnostic("error", e.code, e.message, e.path or result.source, e.line)])
        return None
    finally:
        _discard(staged)
    return written


def _discard(staged: dict[str, str]) -> None:
    """Delete temporary files that were not renamed into place (a refused or failed post)."""
    for tmp in staged.values():
        try:
            os.unlink(tmp)
        except OSError:
            pass
        try:
            os.rmdir(os.path.dirname(tmp))  # a folder the worker made for nothing; kept if not empty
        except OSError:
            pass


def _action(path: Path, data: str | bytes) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(raw) and path.read_bytes() == raw:
            return "unchanged"
        return "update"
    except OSError:
        return "create"


def _prune(
    manifest: Manifest,
    produced: Table | DictTable,
    sources: Sequence[str],
    failed: set[str],
    report: Report,
    job: Job,
    site_target: bool,
) -> None:
    """Delete outputs migrate wrote earlier that no post produces any more (and only those).

    ``produced``: every output of this run; ``sources``: the posts of this run; ``failed``:
    those that failed (their earlier outputs are kept)."""
    this_run: set[str] | None = None  # made only if an output was not produced (rare)
    # both tables walk in key order: one pass over each, not a query per file
    ahead = iter(produced)
    nxt = next(ahead, None)
    for rel, info in in_key_order(manifest.files):
        while nxt is not None and nxt < rel:
            nxt = next(ahead, None)
        if nxt == rel:
            continue
        if (info.target or job.target) != job.target:
            continue
        source = info.source
        if this_run is None:
            this_run = set(sources)
        if source == SITE:
            stale = site_target and report.site_outputs is not None and report.site_outputs.status != "error"
        elif source in this_run:
            stale = source not in failed
        else:
            stale = not Path(source).exists()
        if not stale:
            continue
        path = job.out / rel  # type: ignore[operator]
        try:
            current = sha256(path.read_bytes())
        except OSError:
            manifest.forget(rel)
            continue
        if current != info.sha256:
            report.notes.append(f"{rel} was changed by hand since migrate wrote it; kept")
            continue
        report.changes.append(Change("delete", rel, source))
        if job.writes:
            path.unlink()
            manifest.forget(rel)
            _remove_empty_parents(path.parent, job.out)  # type: ignore[arg-type]


def _remove_stale_temporaries(out: Path, produced: Table | DictTable) -> None:
    """Temporary files a killed run left beside outputs of this run (``.NAME.XXXX.tmp``).

    Each output folder is scanned once, one entry at a time, and only a temporary file's
    name is looked up: a folder of thousands of outputs is never listed in memory.  A
    temporary file is named after the first ``TEMP_NAME`` characters of its output's name
    (``temp_beside``), so a name that long matches every output it begins."""
    for rel_folder in produced.folders():
        folder = os.path.join(out, rel_folder) if rel_folder else os.fspath(out)
        try:
            scan = os.scandir(folder)
        except OSError:
            continue
        with scan:
            stale = []
            for e in scan:
                if not (e.name.startswith(".") and e.name.endswith(".tmp")):
                    continue
                base = e.name[1:].rsplit(".", 2)[0]
                rel = posixpath.join(rel_folder, base)
                if rel in produced or (len(base) == TEMP_NAME and produced.has_prefix(rel)):
                    stale.append(e.path)
        for path in stale:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass


def _remove_empty_parents(folder: Path, root: Path) -> None:
    """Remove folders a deletion left empty (a page bundle), never ``root`` or above."""
    root = root.resolve()
    folder = folder.resolve()
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _site_docs(
    inputs: Sequence[EmitIn | None],
    failed: set[int],
    fresh: dict[int, Document],
    site: Site,
    job: Job,
    cache_root: Path | None,
) -> list[Document]:
    """Every converted post as the emitter saw it, for index pages and feeds."""
    cache = Cache(cache_root, VERSION, load_index=False) if cache_root is not None else None
    docs = []
    for i, item in enumerate(inputs):
        if item is None or i in failed:
            continue
        doc = fresh.get(i)
        if doc is None:
            base = cache.load_doc(item.loc) if cache else None
            if base is None:
                try:
                    base = read_one(Path(item.source), job.config, job.source_format)
                except MigrateError:
                    continue
            doc, _, _ = links.rewrite(
                dataclasses.replace(base, meta=item.meta), site, _family(job.link_style or job.target), ""
            )
        docs.append(doc)
    return docs


def _family(target: str) -> str:
    """The link style family of a target: hugo, jekyll, html, or markdown for everything else."""
    base = target.split(":", 1)[0]
    return base if base in ("hugo", "jekyll", "html") else "markdown"


def _source_text(doc: Document) -> str:
    try:
        return Path(doc.source.path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
