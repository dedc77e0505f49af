"""Roles for the rST reader: Sphinx roles blog posts use, and the unknown-role fallback.

Every role here returns a :func:`~migrate.readers.directives.migrate_node` carrying the
model inline directly.  Like the directives, nothing is registered in docutils' global
tables: the reader's inliner calls :func:`fallback_role` only for names docutils (and
plugins) do not know.

Mapping:

* ``:kbd:``, ``:file:``, ``:samp:``, ``:command:``, ``:program:``... -> ``Code(role=name)``
* ``:doc:`` / ``:ref:`` / ``:numref:`` / ``:download:`` -> ``Link(kind=doc|ref|ref|file)``
* ``:abbr:`ABBR (Full)``` -> ``Abbr(title="Full")``
* ``:term:``, ``:guilabel:``, ``:menuselection:``, ``:dfn:`` -> ``Span(role=name)``
  (``:term:`` keeps its target in ``attrs["target"]`` when a title is given)
* Sphinx domain / cross-reference roles (``:py:func:``, ``:confval:``, ``:rst:dir:``,
  ``:class:``...) -> ``Code(text=display, role=name)``; with an explicit title
  (``:py:func:`title <target>```) the Code is wrapped in
  ``Span(role=name, attrs={"target": target})``.
* anything else -> ``Span(role=name, content=(Text(text),))`` plus an ``unknown-role``
  warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from docutils import nodes, utils

from ..model import Abbr, Code, Inline, Link, Span, Text
from .directives import migrate_node, reader_state

_EXPLICIT = re.compile(r"^(.+?)\s*(?<!\x00)<([^<]*?)>$", re.DOTALL)

CODE_ROLES = {
    "kbd",
    "file",
    "samp",
    "command",
    "program",
    "makevar",
    "mailheader",
    "mimetype",
    "regexp",
    "newsgroup",
    "manpage",
}
SPAN_ROLES = {"guilabel", "menuselection", "dfn", "term"}
LINK_ROLES = {"doc": "doc", "ref": "ref", "numref": "ref", "download": "file", "any": "ref"}
XREF_ROLES = {
    "func",
    "meth",
    "class",
    "mod",
    "attr",
    "exc",
    "data",
    "obj",
    "const",
    "confval",
    "envvar",
    "option",
    "token",
    "keyword",
}

Role = Callable[..., tuple[list[nodes.Node], list[nodes.system_message]]]


def _split(text: str) -> tuple[str, str, bool]:
    """``title <target>`` -> (title, target, True); ``target`` -> (target, target, False)."""
    m = _EXPLICIT.match(text)
    if m:
        return utils.unescape(m.group(1)), utils.unescape(m.group(2)), True
    t = utils.unescape(text)
    return t, t, False


def _out(model: Inline) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    return [migrate_node(model)], []


def code_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options=None, content=None):
    return _out(Code(text=utils.unescape(text), role=name))


def link_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options=None, content=None):
    title, target, _ = _split(text)
    return _out(Link(content=(Text(title),), target=target, kind=LINK_ROLES[name]))


def span_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options=None, content=None):
    title, target, explicit = _split(text)
    attrs = {"target": target} if explicit else {}
    return _out(Span(content=(Text(title),), role=name, attrs=attrs))


def abbr_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options=None, content=None):
    t = utils.unescape(text)
    m = re.match(r"^(.+?)\s*\((.*)\)\s*$", t, re.DOTALL)
    if m:
        return _out(Abbr(content=(Text(m.group(1).strip()),), title=m.group(2).strip()))
    return _out(Abbr(content=(Text(t),)))


def xref_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options=None, content=None):
    title, target, explicit = _split(text)
    if not explicit:
        target = title = title.lstrip("!")
        if title.startswith("~"):
            target = title[1:]
            title = target.rsplit(".", 1)[-1]
    code = Code(text=title, role=name)
    if explicit:
        return _out(Span(content=(code,), role=name, attrs={"target": target}))
    return _out(code)


def unknown_role(name: str, rawtext: str, text: str, lineno: int, inliner: Any, options=None, content=None):
    st = reader_state(inliner.document)
    if st is not None:
        st.add("warning", "unknown-role", f"unknown role '{name}' kept as Span", lineno)
    return _out(Span(content=(Text(utils.unescape(text)),), role=name))


def fallback_role(name: str) -> Role:
    """The role for a name docutils does not know (never ``None``)."""
    key = name.lower()
    if key in CODE_ROLES:
        return code_role
    if key in SPAN_ROLES:
        return span_role
    if key in LINK_ROLES:
        return link_role
    if key == "abbr":
        return abbr_role
    if key in XREF_ROLES or ":" in key:
        return xref_role
    return unknown_role
