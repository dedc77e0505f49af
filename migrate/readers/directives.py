"""Directives for the rST reader, and the plugin hook.

docutils alone rejects what blog posts use every day (``code-block``, ``youtube``,
Tinkerer and ABlog metadata...) and drops the source of anything it refuses into a
system message that is then filtered away.  This module makes all of it parse:

* blog / Sphinx directives that map onto the model (``code-block``, embeds, ``more``,
  Sphinx admonitions, ``highlight``),
* metadata directives, which record a :class:`~migrate.readers.base.MetaHit` and produce
  no block,
* wrappers around docutils' ``raw``, ``include``, ``csv-table``... that keep the source
  and explain how to enable them when the configuration disables them,
* a generic fallback that keeps any unknown directive as a ``Div``.

Nothing here is registered in docutils' process-global tables: the reader's own parser
states consult :func:`lookup_directive` (see ``rst.py``), so parses with different
configurations never leak into each other.  Plugins call :func:`register_directive` /
:func:`register_role`; a plugin directive may return :func:`migrate_node` to hand a
ready-made model block or inline straight to the tree walker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.parsers.rst import Directive, directives
from docutils.parsers.rst.directives import misc, tables

from ..model import (
    CodeBlock,
    Embed,
    Inline,
    SummaryBreak,
    plain_text,
)
from .base import MetaHit

# --------------------------------------------------------------------------- nodes


class MigrateNode(nodes.Element):
    """A docutils node carrying an already-built model object (``self['model']``)."""

    def astext(self) -> str:  # used by docutils for toc titles, alt text...
        return plain_text(self.get("model"))


class MigrateBlockNode(MigrateNode):
    pass


class MigrateInlineNode(MigrateNode, nodes.Inline):
    pass


def migrate_node(model: Any, **attributes: Any) -> MigrateNode:
    """Wrap a model block or inline so a directive/role can return it as a docutils node."""
    cls = MigrateInlineNode if isinstance(model, Inline.__args__) else MigrateBlockNode  # type: ignore[attr-defined]
    return cls(model=model, **attributes)


class directive_node(nodes.Element):  # noqa: N801 - docutils naming
    """An unknown (or refused) directive: name, arguments, options, source; children parsed."""


class highlight_node(nodes.Element, nodes.Invisible):  # noqa: N801
    """Sphinx ``.. highlight:: lang``: sets the default language of later ``::`` blocks."""


# --------------------------------------------------------------------------- state access


def reader_state(document: nodes.document) -> Any:
    """The per-parse state (diagnostics, meta hits, config) or ``None`` outside parse_rst."""
    return getattr(document.settings, "migrate_state", None)


def _warn(directive: Directive, code: str, message: str, severity: str = "warning") -> None:
    st = reader_state(directive.state.document)
    if st is not None:
        st.add(severity, code, message, directive.lineno)


def _meta(directive: Directive, dialect: str, fields: dict[str, Any]) -> None:
    st = reader_state(directive.state.document)
    if st is not None:
        st.meta.append(MetaHit(dialect=dialect, fields=fields, line=directive.lineno))


# --------------------------------------------------------------------------- options


class AnyOptions(dict):
    """An option_spec accepting every option (unknown ones converted with ``default``)."""

    def __init__(self, known: dict[str, Callable] | None = None, default: Callable = directives.unchanged):
        super().__init__(known or {})
        self.default = default

    def __getitem__(self, key: str) -> Callable:
        return super().get(key, self.default)

    def get(self, key: str, default: Any = None) -> Callable:  # type: ignore[override]
        return super().get(key, self.default)

    def __contains__(self, key: object) -> bool:
        return True

    def __bool__(self) -> bool:
        return True


def _flag_or_text(value: str | None) -> Any:
    """Metadata option value: the text, or ``True`` for a bare flag such as ``:nocomments:``."""
    value = (value or "").strip()
    return value if value else True


def _str_options(options: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in options.items():
        if isinstance(v, (list, tuple)):
            v = " ".join(str(x) for x in v)
        out[k] = "" if v is None or v is True else str(v)
    return out


# --------------------------------------------------------------------------- code


def _line_numbers(spec: str) -> tuple[int, ...]:
    """``1,3-5`` -> (1, 3, 4, 5); junk is ignored."""
    out: list[int] = []
    for part in re.split(r"[,\s]+", spec or ""):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m:
            a, b = int(m.group(1)), int(m.group(2) or m.group(1))
            out.extend(range(a, min(b, a + 10000) + 1))
    return tuple(out)


class CodeBlockDirective(Directive):
    """``code``, ``code-block``, ``sourcecode``: docutils + Sphinx options, kept in the model."""

    optional_arguments = 1
    final_argument_whitespace = False
    has_content = True
    option_spec = AnyOptions(
        {
            "class": directives.class_option,
            "name": directives.unchanged,
        }
    )

    def run(self) -> list[nodes.Node]:
        opts = self.options
        language = self.arguments[0] if self.arguments else ""
        # Pelican accepts ``:linenos: table|inline|none``; Sphinx a bare flag.
        numbered = "number-lines" in opts or ("linenos" in opts and opts["linenos"].strip() != "none")
        start = 1
        for key in ("lineno-start", "number-lines"):
            if opts.get(key):
                try:
                    start = int(str(opts[key]).strip())
                    numbered = True
                    break
                except ValueError:
                    _warn(self, "rst-warning", f'"{self.name}": :{key}: is not an integer: {opts[key]!r}')
        block = CodeBlock(
            text="\n".join(self.content),
            language=language,
            line_numbers=numbered,
            start_line=start,
            emphasize_lines=_line_numbers(opts.get("emphasize-lines", "")),
            caption=(opts.get("caption") or "").strip(),
        )
        node = migrate_node(block, classes=list(opts.get("class", [])))
        if not language and self.name != "code":
            node["default_language"] = True  # Sphinx: falls back to ``.. highlight::``
        self.add_name(node)
        return [node]


class HighlightDirective(Directive):
    required_arguments = 1
    option_spec = AnyOptions()

    def run(self) -> list[nodes.Node]:
        return [highlight_node(language=self.arguments[0])]


# --------------------------------------------------------------------------- embeds & breaks


class EmbedDirective(Directive):
    """``youtube ID``, ``vimeo ID``, ``gist URL_OR_ID``: options kept in ``attrs``."""

    required_arguments = 1
    final_argument_whitespace = False
    has_content = True
    option_spec = AnyOptions()

    def run(self) -> list[nodes.Node]:
        arg = self.arguments[0].strip()
        attrs = _str_options(self.options)
        ident = arg
        if self.name == "gist":
            m = re.match(r"https?://gist\.github(?:usercontent)?\.com/(.+?)(?:\.js)?/?$", arg)
            if m:
                ident = m.group(1)
                attrs["url"] = arg
        elif re.match(r"https?://", arg):
            attrs["url"] = arg
            m = re.search(r"(?:v=|youtu\.be/|vimeo\.com/(?:video/)?|embed/)([\w-]+)", arg)
            ident = m.group(1) if m else arg
        if self.content:
            attrs["content"] = "\n".join(self.content)
        return [migrate_node(Embed(kind=self.name, id=ident, attrs=attrs))]


class MoreDirective(Directive):
    """Tinkerer / Pelican-plugin ``.. more::``: the end of the summary."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = AnyOptions()

    def run(self) -> list[nodes.Node]:
        return [migrate_node(SummaryBreak())]


# --------------------------------------------------------------------------- Sphinx admonitions


class SphinxAdmonition(Directive):
    """``seealso`` and ``versionadded``/``versionchanged``/``deprecated``/``versionremoved``."""

    optional_arguments = 2
    final_argument_whitespace = True
    has_content = True
    option_spec = AnyOptions()

    def run(self) -> list[nodes.Node]:
        node = nodes.admonition(self.block_text, migrate_kind=self.name)
        text = ""
        if self.name.startswith(("version", "deprecated")):
            args = " ".join(self.arguments).split(None, 1)
            if args:
                node += nodes.title(args[0], args[0])
            text = args[1] if len(args) > 1 else ""
        else:
            text = " ".join(self.arguments)
        if text:
            inl, msgs = self.state.inline_text(text, self.lineno)
            node += nodes.paragraph(text, "", *inl)
            node += msgs
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, node)
        self.add_name(node)
        return [node]


# --------------------------------------------------------------------------- metadata


class MetaDirectiveBase(Directive):
    """Records a MetaHit and produces no block."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = AnyOptions(default=_flag_or_text)
    dialect = ""

    def fields(self) -> dict[str, Any]:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        fields = self.fields()
        if self.content:
            fields.setdefault("content", "\n".join(self.content))
        _meta(self, self.dialect, fields)
        return []


class TinkererMeta(MetaDirectiveBase):
    """``.. author:: NAME``, ``.. categories:: a, b``, ``.. tags:: a, b``, ``.. comments::``."""

    dialect = "tinkerer"

    def fields(self) -> dict[str, Any]:
        arg = " ".join(self.arguments).strip()
        return {self.name: arg if arg else True}


class AblogPost(MetaDirectiveBase):
    """ABlog ``.. post:: DATE`` with any option."""

    dialect = "ablog"

    def fields(self) -> dict[str, Any]:
        return {"date": " ".join(self.arguments).strip(), **self.options}


class UserMeta(MetaDirectiveBase):
    """A metadata directive taught through ``Config.meta_directives``."""

    def run(self) -> list[nodes.Node]:
        st = reader_state(self.state.document)
        md = st.meta_directives.get(self.name.lower()) if st is not None else None
        if md is None:  # not taught in this configuration: keep as unknown
            return UnknownDirective.run(self)  # type: ignore[arg-type]
        fields: dict[str, Any] = {md.fields.get(k, k): v for k, v in self.options.items()}
        arg = " ".join(self.arguments).strip()
        if md.argument:
            fields[md.argument] = arg
        elif arg:
            fields.setdefault("argument", arg)
        if self.content:
            fields.setdefault("content", "\n".join(self.content))
        _meta(self, md.dialect or md.name, fields)
        return []


# --------------------------------------------------------------------------- unknown


class UnknownDirective(Directive):
    """Any directive nobody knows: kept as a Div with its content parsed and its source."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = AnyOptions()

    def run(self) -> list[nodes.Node]:
        _warn(self, "unknown-directive", f"unknown directive '{self.name}' kept as Div")
        return [_directive_div(self)]


def _directive_div(d: Directive, parse: bool = True, text: str | None = None) -> directive_node:
    node = directive_node(
        d.block_text,
        directive=d.name,
        arguments=list(d.arguments),
        options=_str_options(d.options),
        text="\n".join(d.content) if text is None else text,
    )
    if parse and d.content:
        d.state.nested_parse(d.content, d.content_offset, node)
    if "name" in d.options:
        d.add_name(node)
    return node


# --------------------------------------------------------------------------- refused insertion

_ENABLE = {
    "file_insertion": "set file_insertion = true in migrate.toml (Config(file_insertion=True))",
    "raw": "set raw = true in migrate.toml (Config(raw=True))",
}


def _refuse(d: Directive, knob: str, what: str) -> list[nodes.Node]:
    _warn(
        d,
        f"{knob.replace('_', '-')}-disabled",
        f'"{d.name}" directive at line {d.lineno} was not processed: {what} is disabled; '
        f"its source is kept as a Div. To enable it, {_ENABLE[knob]}.",
    )
    return [_directive_div(d, parse=False)]


def _outside_tree(d: Directive, name: str) -> bool:
    """True (and warned) when ``name`` resolves outside the post's folder tree.

    Even with file insertion enabled, a post may only read files in its own folder and
    below (symlinks resolved): ``.. include:: ../../etc/passwd`` stays refused.
    docutils' bundled ``<isonum.txt>``-style includes are allowed.
    """
    if name.startswith("<") and name.endswith(">"):
        return False
    root = Path(d.state.document.settings.migrate_source_dir).resolve()
    try:
        inside = (root / name).resolve().is_relative_to(root)
    except (OSError, ValueError):
        inside = False
    if not inside:
        _warn(
            d,
            "file-outside-tree",
            f'"{d.name}" directive at line {d.lineno}: {name!r} is outside the post\'s folder; '
            "not read, its source is kept as a Div",
        )
    return not inside


class SafeRaw(misc.Raw):
    option_spec = AnyOptions(misc.Raw.option_spec)

    def run(self) -> list[nodes.Node]:
        s = self.state.document.settings
        if ("file" in self.options or "url" in self.options) and not s.file_insertion_enabled:
            return _refuse(self, "file_insertion", "file insertion")
        if not s.raw_enabled:
            return _refuse(self, "raw", "raw passthrough")
        if "file" in self.options and _outside_tree(self, self.options["file"]):
            return [_directive_div(self, parse=False)]
        return super().run()


class SafeInclude(misc.Include):
    def run(self) -> list[nodes.Node]:
        if not self.state.document.settings.file_insertion_enabled:
            return _refuse(self, "file_insertion", "file insertion")
        if _outside_tree(self, self.arguments[0]):
            return [_directive_div(self, parse=False)]
        return super().run()


class KindCSVTable(tables.CSVTable):
    def run(self) -> list[nodes.Node]:
        if ("file" in self.options or "url" in self.options) and not (
            self.state.document.settings.file_insertion_enabled
        ):
            return _refuse(self, "file_insertion", "file insertion")
        if "file" in self.options and _outside_tree(self, self.options["file"]):
            return [_directive_div(self, parse=False)]
        return _mark_tables(super().run(), "csv")


class KindListTable(tables.ListTable):
    def run(self) -> list[nodes.Node]:
        return _mark_tables(super().run(), "list")


def _mark_tables(result: list[nodes.Node], kind: str) -> list[nodes.Node]:
    for n in result:
        if isinstance(n, nodes.table):
            n["migrate_kind"] = kind
    return result


class LineMeta(misc.Meta):
    """docutils ``meta``, stamping the directive line on the ``meta`` nodes it creates."""

    def run(self) -> list[nodes.Node]:
        doc = self.state.document
        before = {id(n) for n in doc.children}
        result = super().run()
        for n in doc.children:
            if isinstance(n, nodes.meta) and id(n) not in before:
                n["migrate_line"] = self.lineno
        return result


class ListingDirective(Directive):
    """Nikola ``listing`` / Sphinx ``literalinclude``: reads a file, so only with file_insertion."""

    required_arguments = 1
    optional_arguments = 1
    final_argument_whitespace = False
    has_content = True
    option_spec = AnyOptions()

    def run(self) -> list[nodes.Node]:
        if not self.state.document.settings.file_insertion_enabled:
            return _refuse(self, "file_insertion", "file insertion")
        name = self.arguments[0]
        language = self.arguments[1] if len(self.arguments) > 1 else self.options.get("language", "")
        source = self.state.document.settings.migrate_source_dir
        if _outside_tree(self, name):
            return [_directive_div(self, parse=False)]
        for candidate in (Path(source) / name, Path(source) / "listings" / name):
            try:
                text = candidate.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            block = CodeBlock(text=text.rstrip("\n"), language=language, caption=name)
            return [migrate_node(block)]
        _warn(self, "file-not-found", f'"{self.name}": cannot read {name!r}; source kept as a Div')
        return [_directive_div(self, parse=False)]


# --------------------------------------------------------------------------- registry

#: Built-in docutils directives we wrap (our version wins over docutils').
OVERRIDES: dict[str, type[Directive]] = {
    "code": CodeBlockDirective,
    "code-block": CodeBlockDirective,  # docutils' English aliases of "code"
    "sourcecode": CodeBlockDirective,
    "raw": SafeRaw,
    "include": SafeInclude,
    "csv-table": KindCSVTable,
    "list-table": KindListTable,
    "meta": LineMeta,
}

#: Directives docutils does not know; used only when docutils has no such name.
BLOG_DIRECTIVES: dict[str, type[Directive]] = {
    "highlight": HighlightDirective,
    "youtube": EmbedDirective,
    "vimeo": EmbedDirective,
    "gist": EmbedDirective,
    "more": MoreDirective,
    "seealso": SphinxAdmonition,
    "versionadded": SphinxAdmonition,
    "versionchanged": SphinxAdmonition,
    "versionremoved": SphinxAdmonition,
    "deprecated": SphinxAdmonition,
    "author": TinkererMeta,
    "categories": TinkererMeta,
    "tags": TinkererMeta,
    "comments": TinkererMeta,
    "post": AblogPost,
    "listing": ListingDirective,
    "literalinclude": ListingDirective,
}

# --------------------------------------------------------------------------- plugins

#: Entry-point group of reader plugins.  Each entry point names a function
#: ``register(registry: ReaderRegistry) -> None`` (see docs/dialects.md).
PLUGIN_GROUP = "migrate.directives"

_PLUGIN_DIRECTIVES: dict[str, type[Directive]] = {}  # register_directive() calls
_PLUGIN_ROLES: dict[str, Callable] = {}
_EP_DIRECTIVES: dict[str, type[Directive]] = {}  # from the entry-point group
_EP_ROLES: dict[str, Callable] = {}
_EP_ERRORS: list[str] = []
_EP_LOADED = False


class ReaderRegistry:
    """What a plugin's ``register(registry)`` receives: two methods, nothing else.

    * ``registry.directive(name, cls)``: ``cls`` is a docutils ``Directive`` subclass.  Its
      ``run()`` returns docutils nodes (walked like any other) or :func:`migrate_node`
      wrapping a ready model block (``Embed``, ``CodeBlock``, ``Div``...).  Subclass
      :class:`MetaDirectiveBase` (set ``dialect``, implement ``fields()``) for a directive
      that carries metadata instead of content.
    * ``registry.role(name, fn)``: ``fn`` is a docutils role function
      ``fn(name, rawtext, text, lineno, inliner, options=None, content=None)`` returning
      ``(nodes, messages)``; return ``[migrate_node(model_inline)], []`` to hand over a
      model inline (``Link``, ``Code``, ``Span``...).

    Names are case-insensitive; a plugin name wins over migrate's built-ins (but not over
    ``meta_directives`` taught in the configuration).
    """

    def __init__(self, directives: dict[str, type[Directive]], roles: dict[str, Callable]) -> None:
        self._directives = directives
        self._roles = roles

    def directive(self, name: str, cls: type[Directive]) -> None:
        if not (isinstance(cls, type) and issubclass(cls, Directive)):
            raise TypeError(f"directive {name!r}: {cls!r} is not a docutils Directive subclass")
        self._directives[name.lower()] = cls

    def role(self, name: str, fn: Callable) -> None:
        if not callable(fn):
            raise TypeError(f"role {name!r}: {fn!r} is not callable")
        self._roles[name.lower()] = fn


def load_plugins(refresh: bool = False) -> tuple[str, ...]:
    """Load the ``migrate.directives`` entry points (once per process unless ``refresh``).

    Returns the load errors (``"name: message"``); a broken plugin never stops the reader,
    the rST reader reports each error as a ``plugin-error`` diagnostic on every post.
    """
    global _EP_LOADED
    if _EP_LOADED and not refresh:
        return tuple(_EP_ERRORS)
    from importlib.metadata import entry_points

    _EP_DIRECTIVES.clear()
    _EP_ROLES.clear()
    _EP_ERRORS.clear()
    for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: (e.name, e.value)):
        directives_, roles_ = dict(_EP_DIRECTIVES), dict(_EP_ROLES)
        try:
            register = ep.load()
            if not callable(register):
                raise TypeError(f"{ep.value} is not a function register(registry)")
            register(ReaderRegistry(directives_, roles_))
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break reading
            _EP_ERRORS.append(f"{ep.name} ({ep.value}): {exc!r}")
            continue
        _EP_DIRECTIVES.update(directives_)  # all or nothing per plugin
        _EP_ROLES.update(roles_)
    _EP_LOADED = True
    return tuple(_EP_ERRORS)


def register_directive(name: str, cls: type[Directive]) -> None:
    """In-process hook: ``cls`` handles ``.. name::`` in every later parse (wins over
    entry-point plugins and built-ins).  Installed packages use the entry-point group."""
    _PLUGIN_DIRECTIVES[name.lower()] = cls


def register_role(name: str, fn: Callable) -> None:
    """In-process hook: ``fn`` (a docutils role function) handles ``:name:``."""
    _PLUGIN_ROLES[name.lower()] = fn


def plugin_role(name: str) -> Callable | None:
    key = name.lower()
    return _PLUGIN_ROLES.get(key) or _EP_ROLES.get(key)


def lookup_directive(name: str, meta_names: set[str], docutils_lookup: Callable) -> type[Directive]:
    """Resolve a directive name.  Order: user-taught metadata directives, plugins, our
    wrappers of docutils built-ins, docutils (and anything registered there), blog
    directives, the unknown-directive fallback."""
    key = name.lower()
    if key in meta_names:
        return UserMeta
    if key in _PLUGIN_DIRECTIVES:
        return _PLUGIN_DIRECTIVES[key]
    if key in _EP_DIRECTIVES:
        return _EP_DIRECTIVES[key]
    if key in OVERRIDES:
        return OVERRIDES[key]
    cls = docutils_lookup(name)
    if cls is not None:
        return cls
    return BLOG_DIRECTIVES.get(key, UnknownDirective)


__all__ = [
    "PLUGIN_GROUP",
    "AnyOptions",
    "MetaDirectiveBase",
    "MigrateNode",
    "ReaderRegistry",
    "load_plugins",
    "lookup_directive",
    "migrate_node",
    "register_directive",
    "register_role",
]
