"""What a run did, for people (the CLI prints it) and for tools (``--report`` JSON)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from . import codec
from .model import Diagnostic
from .spool import Spool

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass(frozen=True, slots=True)
class Change:
    """One file the run created, updated, left unchanged or deleted (or would, with --check)."""

    action: str  # create | update | unchanged | delete
    path: str
    source: str


@dataclass
class FileResult:
    source: str
    status: str = "ok"  # ok | warning | error
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    links: list = field(default_factory=list)
    cached: bool = False
    """True when the incremental cache made converting this post unnecessary."""
    timings: dict[str, float] = field(default_factory=dict)

    def add(self, diags) -> None:
        self.diagnostics.extend(diags)
        if any(d.severity == "error" for d in self.diagnostics):
            self.status = "error"
        elif self.status != "error" and any(d.severity == "warning" for d in self.diagnostics):
            self.status = "warning"

    def to_data(self) -> dict:
        return {
            "source": self.source,
            "status": self.status,
            "outputs": self.outputs,
            "diagnostics": [
                {"severity": d.severity, "code": d.code, "message": d.message, "path": d.path, "line": d.line}
                for d in self.diagnostics
            ],
            "broken_links": [
                {"target": r.target, "line": r.line, "kind": r.kind, "reason": r.reason}
                for r in self.links
                if r.status == "broken"
            ],
            "cached": self.cached,
            "timings": self.timings,
        }


_TALLIES = ("ok", "warning", "error", "outputs", "broken_links", "losses", "cached")


def _tally(r: FileResult, into: dict[str, int]) -> None:
    """Add what one result counts for to the report's totals."""
    into[r.status] += 1
    into["outputs"] += len(r.outputs)
    if r.links:
        into["broken_links"] += sum(1 for x in r.links if x.status == "broken")
    if r.diagnostics:
        into["losses"] += sum(1 for d in r.diagnostics if d.code == "loss")
    into["cached"] += r.cached


def _encode_result(r: FileResult) -> bytes:
    row = [
        r.source,
        r.status,
        r.outputs,
        [codec.encode(d) for d in r.diagnostics],
        [list(x) for x in r.links],
        r.seconds,
        r.cached,
        r.timings,
    ]
    return json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _decode_result(data: bytes) -> FileResult:
    from .transforms.links import LinkRecord  # the links module imports the site, which imports much

    source, status, outputs, diags, links, seconds, cached, timings = json.loads(data)
    return FileResult(
        source,
        status,
        outputs,
        [codec.decode(d) for d in diags],
        seconds,
        [LinkRecord(*x) for x in links],
        cached,
        timings,
    )


class ResultLog(Spool[FileResult]):
    """The results of a batch, one per post, kept on disk as each post is finished (a batch of
    thousands of posts keeps thousands of link records and diagnostics), with their totals
    kept as they come.  A read-only sequence: a result read from disk is a new copy each time;
    one a re-run restored from the cache (``keep=True``) is kept as it is."""

    def __init__(self, results: Iterable[FileResult] = ()) -> None:
        super().__init__(_encode_result, _decode_result)
        self.tally = dict.fromkeys(_TALLIES, 0)
        for r in results:
            self.append(r)

    def append(self, item: FileResult, keep: bool = False) -> None:
        super().append(item, keep)
        _tally(item, self.tally)


class ChangeLog(Spool[Change]):
    """The files a batch wrote, compared or deleted, in order, kept on disk (one per output
    file of a batch of thousands of posts), with the number of each action kept as they come."""

    def __init__(self, changes: Iterable[Change] = ()) -> None:
        super().__init__(_encode_change, _decode_change)
        self.counts: dict[str, int] = {}
        for c in changes:
            self.append(c)

    def append(self, item: Change, keep: bool = False) -> None:
        super().append(item, keep)
        self.counts[item.action] = self.counts.get(item.action, 0) + 1


def _encode_change(c: Change) -> bytes:
    return "\0".join((c.action, c.path, c.source)).encode("utf-8")


def _decode_change(data: bytes) -> Change:
    return Change(*data.decode("utf-8").split("\0", 2))


@dataclass
class Report:
    target: str = ""
    results: Sequence[FileResult] = field(default_factory=list)
    """One per post, in source order: a :class:`ResultLog` (on disk) after ``convert``."""
    site_factory: Any = field(default=None, repr=False)
    """Builds the site index on first use when the run itself did not need it (no-change runs)."""
    _site: Any = field(default=None, repr=False)
    site_outputs: FileResult | None = None
    changes: Sequence[Change] = field(default_factory=list)
    """Every file written, compared or deleted: a :class:`ChangeLog` (on disk) after ``convert``."""
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def site(self) -> Any:
        """The :class:`~migrate.site.Site` index of the batch."""
        if self._site is None and self.site_factory is not None:
            self._site = self.site_factory()
        return self._site

    @site.setter
    def site(self, value: Any) -> None:
        self._site = value

    def _tally(self) -> dict[str, int]:
        tally = getattr(self.results, "tally", None)
        if tally is None:
            tally = dict.fromkeys(_TALLIES, 0)
            for r in self.results:
                _tally(r, tally)
        return tally

    @property
    def failed(self) -> list[FileResult]:
        if not self._tally()["error"]:
            return []  # without reading every result back
        return [r for r in self.results if r.status == "error"]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics]

    def totals(self) -> dict[str, int]:
        tally = self._tally()
        out = {"files": len(self.results)}
        for key in _TALLIES:
            out[key] = tally[key]
        counts = getattr(self.changes, "counts", None)  # a ChangeLog counts as changes come
        for action in ("create", "update", "unchanged", "delete"):
            out[action] = (
                counts.get(action, 0)
                if counts is not None
                else sum(1 for c in self.changes if c.action == action)
            )
        return out

    @property
    def pending_changes(self) -> list[Change]:
        """What ``--check`` complains about: files that would be created, updated or deleted."""
        return [c for c in self.changes if c.action != "unchanged"]

    def exit_code(self, fail_on: tuple[str, ...] = ("error",), check: bool = False) -> int:
        """0 clean; 1 when a file failed, when ``fail_on`` matched, or (``check``) when outputs would change."""
        if self.failed or (self.site_outputs is not None and self.site_outputs.status == "error"):
            return EXIT_FAILED
        if check and self.pending_changes:
            return EXIT_FAILED
        if "loss" in fail_on and self.totals()["losses"]:
            return EXIT_FAILED
        if "warning" in fail_on and self._tally()["warning"]:
            return EXIT_FAILED
        if "broken-links" in fail_on and self.totals()["broken_links"]:
            return EXIT_FAILED
        return EXIT_OK

    def to_json(self) -> str:
        out = io.StringIO()
        self.write_json(out)
        return out.getvalue()

    def write_json(self, fh: TextIO) -> None:
        """The JSON report, written one post at a time (what ``json.dumps(..., indent=1)`` of the
        whole report writes, byte for byte, without holding it: a batch's results are on disk)."""

        def dump(value: Any, level: int) -> str:
            text = json.dumps(value, indent=1, ensure_ascii=False)
            return text.replace("\n", "\n" + " " * level)

        head = {"target": self.target, "totals": self.totals(), "seconds": round(self.seconds, 3)}
        fh.write("{\n")
        for key, value in head.items():
            fh.write(f" {json.dumps(key)}: {dump(value, 1)},\n")
        fh.write(' "files": [')
        for i, r in enumerate(self.results):
            fh.write(("," if i else "") + "\n  " + dump(r.to_data(), 2))
        fh.write("\n ],\n" if self.results else "],\n")
        tail: dict[str, Any] = {
            "changes": [
                {"action": c.action, "path": c.path, "source": c.source} for c in self.pending_changes
            ],
            "notes": self.notes,
        }
        if self.site_outputs is not None:
            tail["site"] = self.site_outputs.to_data()
        fh.write(",\n".join(f" {json.dumps(k)}: {dump(v, 1)}" for k, v in tail.items()))
        fh.write("\n}\n")
