"""What a run did, for people (the CLI prints it) and for tools (``--report`` JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .model import Diagnostic

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


@dataclass
class FileResult:
    source: str
    status: str = "ok"  # ok | warning | error
    outputs: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    seconds: float = 0.0
    links: list = field(default_factory=list)

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
            "seconds": round(self.seconds, 4),
        }


@dataclass
class Report:
    target: str = ""
    results: list[FileResult] = field(default_factory=list)
    site: object = None
    site_outputs: FileResult | None = None

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
        return out

    def exit_code(self, fail_on: tuple[str, ...] = ("error",)) -> int:
        """0 clean; 1 when a file failed (or, with ``fail_on``, warned)."""
        if self.failed:
            return EXIT_FAILED
        if "warning" in fail_on and any(r.status == "warning" for r in self.results):
            return EXIT_FAILED
        if "broken-links" in fail_on and self.totals()["broken_links"]:
            return EXIT_FAILED
        return EXIT_OK

    def to_json(self) -> str:
        data = {"target": self.target, "totals": self.totals(), "files": [r.to_data() for r in self.results]}
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
