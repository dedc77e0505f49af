"""What a run did, for people (the CLI prints it) and for tools (``--report`` JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .model import Diagnostic

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
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


@dataclass
class Report:
    target: str = ""
    results: list[FileResult] = field(default_factory=list)
    site_factory: Any = field(default=None, repr=False)
    """Builds the site index on first use when the run itself did not need it (no-change runs)."""
    _site: Any = field(default=None, repr=False)
    site_outputs: FileResult | None = None
    changes: list[Change] = field(default_factory=list)
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

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "error"]

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for r in self.results for d in r.diagnostics]

    def totals(self) -> dict[str, int]:
        out = {"files": len(self.results), "ok": 0, "warning": 0, "error": 0}
        for r in self.results:
            out[r.status] += 1
        out["outputs"] = sum(len(r.outputs) for r in self.results)
        out["broken_links"] = sum(1 for r in self.results for x in r.links if x.status == "broken")
        out["losses"] = sum(1 for d in self.diagnostics if d.code == "loss")
        out["cached"] = sum(1 for r in self.results if r.cached)
        for action in ("create", "update", "unchanged", "delete"):
            out[action] = sum(1 for c in self.changes if c.action == action)
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
        if "warning" in fail_on and any(r.status == "warning" for r in self.results):
            return EXIT_FAILED
        if "broken-links" in fail_on and self.totals()["broken_links"]:
            return EXIT_FAILED
        return EXIT_OK

    def to_json(self) -> str:
        data = {
            "target": self.target,
            "totals": self.totals(),
            "seconds": round(self.seconds, 3),
            "files": [r.to_data() for r in self.results],
            "changes": [c.__dict__ for c in self.pending_changes],
            "notes": self.notes,
        }
        if self.site_outputs is not None:
            data["site"] = self.site_outputs.to_data()
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
