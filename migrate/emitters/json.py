"""The lossless target: the document model itself, as JSON valid against the shipped schema."""

from __future__ import annotations

from ..model import Document
from .base import EmitContext


class JsonEmitter:
    name = "json"
    description = "The document model as JSON (lossless; validated by migrate/schema/document.schema.json)"

    def output_path(self, doc: Document, ctx: EmitContext) -> str:
        return f"{doc.meta.slug or 'post'}.json"

    def emit(self, doc: Document, ctx: EmitContext) -> str:
        return doc.to_json()
