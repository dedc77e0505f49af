"""The emitter contract: a name, an output-path rule and ``emit`` over the document model.

Emitters never see docutils.  They are discovered through the ``migrate.emitters``
entry-point group (built-ins are registered the same way), so a third party adds a target
with one line of ``pyproject.toml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..config import Config
from ..model import Diagnostic, Document


@dataclass
class EmitContext:
    """What an emitter may consult besides the document; ``diagnostics`` collects what it reports."""

    config: Config = field(default_factory=Config)
    site: Any = None
    options: dict[str, Any] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, doc: Document, code: str, message: str, line: int = 0) -> None:
        self.diagnostics.append(Diagnostic("warning", code, message, doc.source.path, line))


@runtime_checkable
class Emitter(Protocol):
    name: str
    description: str

    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        """Relative POSIX path of the main output file for ``doc``."""
        ...

    def emit(self, doc: Document, ctx: EmitContext) -> str:
        """The text of the main output file."""
        ...


class SiteEmitter(Emitter, Protocol):
    """An emitter that also writes site-wide files (index pages, feeds, stylesheets).

    ``site_files`` is called once, after every post was emitted, with the documents as the
    emitter saw them (links rewritten); it returns (relative path, content) pairs.
    """

    def site_files(self, docs: list[Document], ctx: EmitContext) -> list[tuple[str, str | bytes]]: ...
