"""Derive the JSON Schema of the document model from the dataclasses themselves.

The shipped ``document.schema.json`` is the output of :func:`schema`; a test checks the
two agree, so the schema can never drift from the model.  Run
``python -m migrate.schema.generate`` after changing ``model.py``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import model

SCHEMA_PATH = Path(__file__).with_name("document.schema.json")


def _type(tp: Any) -> dict[str, Any]:
    if tp is model.Inline:
        return {"$ref": "#/$defs/Inline"}
    if tp is model.Block:
        return {"$ref": "#/$defs/Block"}
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if set(args) == set(model.Inline.__args__):  # type: ignore[attr-defined]
            return {"$ref": "#/$defs/Inline"}
        if set(args) == set(model.Block.__args__):  # type: ignore[attr-defined]
            return {"$ref": "#/$defs/Block"}
        return {"anyOf": [_type(a) for a in args]}
    if origin is tuple:
        return {"type": "array", "items": _type(args[0])}
    if origin is dict:
        value = args[1]
        if value is Any:
            return {"type": "object"}
        return {"type": "object", "additionalProperties": _type(value)}
    if tp is type(None):
        return {"type": "null"}
    if tp is str:
        return {"type": "string"}
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    if tp is datetime:
        return {"type": "string", "format": "date-time"}
    if dataclasses.is_dataclass(tp):
        return {"$ref": f"#/$defs/{tp.__name__}"}
    raise TypeError(f"no JSON Schema for {tp!r}")


def _node(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {"t": {"const": cls.__name__}}
    required = ["t"]
    for f in dataclasses.fields(cls):
        props[f.name] = _type(hints[f.name])
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    return {"type": "object", "properties": props, "required": required, "additionalProperties": False}


def schema() -> dict[str, Any]:
    defs: dict[str, Any] = {name: _node(cls) for name, cls in sorted(model.NODE_TYPES.items())}
    defs["Inline"] = {"anyOf": [{"$ref": f"#/$defs/{c.__name__}"} for c in model.Inline.__args__]}  # type: ignore[attr-defined]
    defs["Block"] = {"anyOf": [{"$ref": f"#/$defs/{c.__name__}"} for c in model.Block.__args__]}  # type: ignore[attr-defined]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://migrate.invalid/schema/document-v{model.SCHEMA_VERSION}.json",
        "title": "migrate Document",
        "$ref": "#/$defs/Document",
        "$defs": defs,
    }


def render() -> str:
    return json.dumps(schema(), indent=1, sort_keys=True) + "\n"


def load() -> dict[str, Any]:
    """The shipped schema (what users validate against)."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


if __name__ == "__main__":
    SCHEMA_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SCHEMA_PATH}")
