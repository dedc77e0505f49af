"""migrate: move legacy reStructuredText blogs to new platforms without losing a word, a link or a date.

Library use::

    import migrate
    doc = migrate.read("posts/20130917-devstack-local-config.rst")
    print(migrate.emit(doc, "markdown"))

Nothing below the CLI prints or exits; errors are :class:`MigrateError` and per-post
problems are ``Document.diagnostics``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from typing import Any  # noqa: E402

from .config import Config, MetaDirective
from .errors import ConfigError, MigrateError, SourceError
from .model import Diagnostic, Document, Metadata
from .pipeline import Job, convert, discover, discover_sources
from .reading import read
from .report import Report
from .site import Post, Site

__all__ = [
    "Config",
    "ConfigError",
    "Diagnostic",
    "Document",
    "Job",
    "MetaDirective",
    "Metadata",
    "MigrateError",
    "Post",
    "Report",
    "Site",
    "SourceError",
    "convert",
    "discover",
    "discover_sources",
    "emit",
    "read",
]


def emit(doc: Document, target: str = "json", config: Config | None = None, **options: Any) -> str:
    """Render one document with the named emitter and return the text of its main output."""
    from .emitters import registry
    from .emitters.base import EmitContext

    ctx = EmitContext(config=config or Config(), options=options)
    return registry.get(target).emit(doc, ctx)
