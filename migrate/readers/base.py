"""What the rST reader hands to the metadata stage: blocks plus metadata found in the body."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import Block, Diagnostic, Inline


@dataclass(frozen=True)
class MetaHit:
    """Metadata found inside the document body.

    ``dialect``: ``pelican`` (docinfo / leading field list), ``tinkerer`` (``.. author::``,
    ``.. categories::``, ``.. tags::``, ``.. comments::``), ``ablog`` (``.. post::``),
    ``docutils-meta`` (``.. meta::``) or the dialect of a user-taught directive.
    ``fields`` maps lower-cased names to values as plain strings (``True`` for flags).
    """

    dialect: str
    fields: dict[str, Any]
    line: int = 0


@dataclass(frozen=True)
class RstResult:
    blocks: tuple[Block, ...]
    title: tuple[Inline, ...] = ()
    subtitle: tuple[Inline, ...] = ()
    meta: tuple[MetaHit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = field(default_factory=tuple)
