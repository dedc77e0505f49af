"""The cache's encoding of a Document: positional JSON arrays, coded per class.

The public JSON (``Document.to_json``, ``--to json``) names every field and is read by other
tools; the cache is read only by this same version of migrate (its keys hash migrate's own
code), so it can drop the names.  A node becomes ``[tag, field1, field2, ...]`` in field
order, and the encoder and decoder of each class are generated once from its annotations:
no per-field type tests at run time.  It is three times faster than ``to_data``/``from_data``
both ways (docs/performance.md), still plain JSON (no pickles: a hostile cache cannot run
code), and round-trips to exactly what ``from_data(to_data(doc))`` gives
(tests/test_codec.py).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from typing import Any

from . import model
from .model import Document

_NAMES = sorted(model.NODE_TYPES)
_TAGS = {model.NODE_TYPES[n]: i for i, n in enumerate(_NAMES)}
_CLASSES = [model.NODE_TYPES[n] for n in _NAMES]


def _kind(hint: Any) -> str:
    """How a field is coded: leaf, datetime, node, nodes, rows (tuples of tuples), strings, free."""
    origin = typing.get_origin(hint)
    if hint in (str, int, bool, float):
        return "leaf"
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if args == [datetime]:
            return "datetime"
    if hint in _TAGS:
        return "node"
    if origin is tuple:
        inner = typing.get_args(hint)[0]
        if inner in (str, int):
            return "strings"
        if typing.get_origin(inner) is tuple:
            return "rows"
        return "nodes"
    if origin is dict:
        return "free"
    raise TypeError(f"no cache coding for field type {hint!r}")


def _enc_expr(kind: str, ref: str) -> str:
    return {
        "leaf": ref,
        "strings": ref,  # json writes tuples as arrays
        "datetime": f"({ref}.isoformat() if {ref} is not None else None)",
        "node": f"_E[type({ref})]({ref})",
        "nodes": f"[_E[type(x)](x) for x in {ref}]",
        "rows": f"[[_E[type(x)](x) for x in r] for r in {ref}]",
        "free": f"_to_data({ref})",
    }[kind]


def _dec_expr(kind: str, ref: str) -> str:
    return {
        "leaf": ref,
        "strings": f"tuple({ref})",
        "datetime": f"(_fromiso({ref}) if {ref} else None)",
        "node": f"_D[{ref}[0]]({ref})",
        "nodes": f"tuple([_D[x[0]](x) for x in {ref}])",
        "rows": f"tuple([tuple([_D[x[0]](x) for x in r]) for r in {ref}])",
        "free": ref,  # json.loads made fresh dicts and lists, as from_data's _plain does
    }[kind]


def _free_dec(kind: str, name: str, cls: type) -> str:
    # from_data converts datetimes only in Metadata; elsewhere an ISO string stays a string
    return kind if kind != "datetime" or cls is model.Metadata else "leaf"


def _build() -> tuple[dict[type, Any], list[Any]]:
    enc: dict[type, Any] = {}
    dec: list[Any] = [None] * len(_CLASSES)
    env: dict[str, Any] = {
        "_E": enc,
        "_D": dec,
        "_to_data": model.to_data,
        "_fromiso": datetime.fromisoformat,
    }
    lines: list[str] = []
    for tag, cls in enumerate(_CLASSES):
        fields = dataclasses.fields(cls)
        assert all(f.init for f in fields), cls
        hints = typing.get_type_hints(cls)
        kinds = [(f.name, _kind(hints[f.name])) for f in fields]
        env[f"C{tag}"] = cls
        parts = ", ".join(_enc_expr(k, f"v.{n}") for n, k in kinds)
        lines.append(f"def e{tag}(v):\n    return [{tag}{', ' + parts if parts else ''}]")
        args = ", ".join(_dec_expr(_free_dec(k, n, cls), f"d[{i + 1}]") for i, (n, k) in enumerate(kinds))
        lines.append(f"def d{tag}(d):\n    return C{tag}({args})")
    exec(compile("\n".join(lines), "<migrate.codec>", "exec"), env)  # noqa: S102 - our own generated code
    for tag, cls in enumerate(_CLASSES):
        enc[cls] = env[f"e{tag}"]
        dec[tag] = env[f"d{tag}"]
    return enc, dec


_ENC, _DEC = _build()


def dumps(doc: Document) -> str:
    """The compact cache text of a document.  Free-form dicts (``attrs``, ``extra``) keep their
    order, as in ``Document.to_json``: a post renders the same from the cache, from JSON, or
    read afresh."""
    return json.dumps(_ENC[Document](doc), ensure_ascii=False, separators=(",", ":"))


def loads(text: str | bytes) -> Document:
    """Inverse of :func:`dumps`; raises ValueError (or KeyError/TypeError/IndexError) on bad data."""
    data = json.loads(text)
    if not isinstance(data, list) or not data or data[0] != _TAGS[Document]:
        raise ValueError("not a cached migrate Document")
    return _DEC[data[0]](data)


def encode(node: Any) -> list:
    """Any model node as positional data (the cache index keeps metadata this way)."""
    return _ENC[type(node)](node)


def decode(data: list) -> Any:
    """Inverse of :func:`encode`; raises on data it did not write."""
    if not isinstance(data, list) or not data:
        raise ValueError("not cached model data")
    return _DEC[data[0]](data)
