"""reStructuredText -> model: parse with docutils (safely), then walk the doctree.

Safety: no file insertion and no raw passthrough unless the configuration enables them,
no configuration files read, and docutils never raises on markup problems (report and
halt levels at 5): every system message becomes a :class:`~migrate.model.Diagnostic`
with the source line instead.  Content docutils would drop into a filtered system
message (unknown or failing directives, malformed tables) is kept.
"""

from __future__ import annotations

import copy
import dataclasses
import io
import os
import re
from dataclasses import dataclass, field
from typing import Any

from docutils import nodes
from docutils.core import publish_doctree
from docutils.parsers import rst as rst_parser
from docutils.parsers.rst import directives as du_directives
from docutils.parsers.rst import roles as du_roles
from docutils.parsers.rst import states

from ..config import Config, MetaDirective
from ..model import (
    Abbr,
    Admonition,
    Block,
    BlockQuote,
    BulletList,
    Cell,
    Code,
    CodeBlock,
    Comment,
    DefinitionItem,
    DefinitionList,
    Diagnostic,
    Div,
    Emph,
    Field,
    FieldList,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Image,
    ImageBlock,
    Inline,
    Line,
    LineBlock,
    LineBreak,
    Link,
    Math,
    MathBlock,
    OptionItem,
    OptionList,
    OrderedList,
    Paragraph,
    RawBlock,
    RawInline,
    Row,
    Rubric,
    Span,
    Strong,
    Subscript,
    SummaryBreak,
    Superscript,
    Table,
    Target,
    Text,
    ThematicBreak,
    Topic,
)
from . import roles as blog_roles
from .base import MetaHit, RstResult
from .directives import (
    PLUGIN_GROUP,
    MigrateNode,
    directive_node,
    highlight_node,
    load_plugins,
    lookup_directive,
    plugin_role,
)

# --------------------------------------------------------------------------- per-parse state


@dataclass
class ParseState:
    """What one parse accumulates; reachable from directives as ``settings.migrate_state``."""

    path: str
    config: Config
    diagnostics: list[Diagnostic] = field(default_factory=list)
    meta: list[MetaHit] = field(default_factory=list)
    meta_directives: dict[str, MetaDirective] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    doctitle: bool = True

    def add(self, severity: str, code: str, message: str, line: int | None = 0) -> None:
        d = Diagnostic(severity, code, message, self.path, int(line or 0))
        if d not in self.diagnostics:
            self.diagnostics.append(d)


_HINTS = {
    "raw (and derived) roles disabled": " (raw passthrough is disabled: set raw = true in migrate.toml to enable it)",
}


def _on_message(state: ParseState, msg: nodes.system_message) -> None:
    """Reporter observer: docutils' system messages become diagnostics (level 1 info is noise)."""
    level = int(msg.get("level", 2))
    if level < 2:
        return
    text = msg.children[0].astext() if msg.children else msg.astext()
    # the text is kept whatever docutils complains about (a malformed table stays as its
    # source), so only SEVERE (4) fails the post; WARNING and ERROR are warnings
    severity = "warning" if level <= 3 else "error"
    code = "rst-" + str(msg.get("type", "warning")).lower()
    if text.startswith(("Unknown target name", "Unknown interpreted text role")):
        severity, code = "warning", "unresolved-reference"
    elif text.startswith("Undefined substitution referenced"):
        severity, code = "warning", "unresolved-substitution"  # kept as its |name| text
    for key, hint in _HINTS.items():
        if text.startswith(key):
            text += hint
    state.add(severity, code, text, msg.get("line"))


# --------------------------------------------------------------------------- parser


class _KeepMixin:
    """Parser-state overrides shared by Body and SubstitutionDef.

    * directive lookup goes through :func:`lookup_directive` (no global registration);
    * a directive that fails keeps its source as a ``directive_node`` next to the message;
    * tables are marked grid/simple, malformed ones keep their source.
    """

    # Body.explicit_construct calls the functions stored in this table, not methods:
    # route directives through our override.
    explicit = states.Struct(
        patterns=states.Body.explicit.patterns,
        constructs=[
            ((lambda self, m: self.directive(m)) if method is states.Body.directive else method, pattern)
            for method, pattern in states.Body.explicit.constructs
        ],
    )

    def directive(self, match, **option_presets):  # type: ignore[no-untyped-def]
        type_name = match.group(1)
        st = self.document.settings.migrate_state  # type: ignore[attr-defined]

        def docutils_lookup(name: str) -> Any:
            key = name.lower()
            lang = self.memo.language  # type: ignore[attr-defined]
            known = (
                key in du_directives._directives
                or key in getattr(lang, "directives", {})
                or key in du_directives._directive_registry
            )
            if not known:
                return None
            cls, messages = du_directives.directive(name, lang, self.document)  # type: ignore[attr-defined]
            return cls

        cls = lookup_directive(type_name, set(st.meta_directives), docutils_lookup)
        return self.run_directive(cls, match, type_name, option_presets)  # type: ignore[attr-defined]

    def run_directive(self, directive, match, type_name, option_presets):  # type: ignore[no-untyped-def]
        result, blank_finish = super().run_directive(directive, match, type_name, option_presets)  # type: ignore[misc]
        kept: list[nodes.Node] = []
        for n in result:
            kept.append(n)
            if isinstance(n, nodes.system_message) and n.get("level", 0) >= 2:
                for lit in n.findall(nodes.literal_block):
                    kept.append(
                        directive_node(
                            lit.astext(),
                            directive=type_name,
                            arguments=[],
                            options={},
                            text=lit.astext(),
                            failed=True,
                        )
                    )
                    break
        return kept, blank_finish

    def table(self, isolate_function, parser_class):  # type: ignore[no-untyped-def]
        nodelist, blank_finish = super().table(isolate_function, parser_class)  # type: ignore[misc]
        kind = "grid" if parser_class is states.tableparser.GridTableParser else "simple"
        for n in nodelist:
            if isinstance(n, nodes.table):
                n["migrate_kind"] = kind
        return nodelist, blank_finish

    def malformed_table(self, block, detail="", offset=0):  # type: ignore[no-untyped-def]
        result = super().malformed_table(block, detail, offset)  # type: ignore[misc]
        data = "\n".join(block)
        return [*result, nodes.literal_block(data, data, classes=["malformed-table"])]


class _NestedStateMachine(states.NestedStateMachine):
    """docutils' nested state machine, whose ``unlink`` also drops each state's transition
    table: bound methods of the state itself, a cycle only the collector would free."""

    def unlink(self) -> None:
        _drop_transitions(self)
        super().unlink()


def _drop_transitions(machine: states.RSTStateMachine) -> None:
    for state in machine.states.values():
        state.transitions = {}
        state.transition_order = []


class _NestedMixin:
    """docutils' states hard-code the module's ``state_classes`` for nested parses (list
    items, directive content...): use ours everywhere."""

    nested_sm = _NestedStateMachine

    def __init__(self, state_machine, debug=False):  # type: ignore[no-untyped-def]
        super().__init__(state_machine, debug)  # type: ignore[call-arg]
        self.nested_sm_kwargs = {"state_classes": _STATE_CLASSES, "initial_state": "Body"}

    def nested_list_parse(  # type: ignore[no-untyped-def]
        self,
        block,
        input_offset,
        node,
        initial_state,
        blank_finish,
        blank_finish_state=None,
        extra_settings={},  # noqa: B006 - docutils' signature; only read
        match_titles=False,
        state_machine_class=None,
        state_machine_kwargs=None,
    ):
        """docutils' own, but with a state machine taken from a pool instead of built anew.

        docutils builds a nested state machine, with every state and its transition table,
        for each list, list item, field and option list, and throws it away: a tenth of the
        parse.  Its ``nested_parse`` already reuses machines this way; this does the same for
        lists.  The attributes docutils sets per call (``blank_finish`` and the enumerated
        list's ``extra_settings``) are set on every use, exactly as on a new machine.
        """
        if match_titles or state_machine_class is not None or state_machine_kwargs is not None:
            return super().nested_list_parse(  # type: ignore[misc]
                block,
                input_offset,
                node,
                initial_state,
                blank_finish,
                blank_finish_state,
                extra_settings,
                match_titles,
                state_machine_class,
                state_machine_kwargs,
            )
        pool = _LIST_MACHINES.setdefault(initial_state, [])
        machine = pool.pop() if pool else None
        if machine is None:
            machine = _NestedStateMachine(
                debug=self.debug,  # type: ignore[attr-defined]
                parent_state_machine=self.state_machine,  # type: ignore[attr-defined]
                state_classes=_STATE_CLASSES,
                initial_state=initial_state,
            )
        machine.parent_state_machine = self.state_machine  # type: ignore[attr-defined]
        if blank_finish_state is None:
            blank_finish_state = initial_state
        machine.states[blank_finish_state].blank_finish = blank_finish
        for key, value in extra_settings.items():
            setattr(machine.states[initial_state], key, value)
        try:
            machine.run(block, input_offset, memo=self.memo, node=node, match_titles=match_titles)  # type: ignore[attr-defined]
            result = machine.abs_line_offset(), machine.states[blank_finish_state].blank_finish
        except BaseException:
            machine.unlink()  # a machine that stopped half-way is not reused
            raise
        _release(machine)
        machine.parent_state_machine = None  # set again on reuse
        pool.append(machine)
        return result


_LIST_MACHINES: dict[str, list[_NestedStateMachine]] = {}
"""Idle nested state machines for lists, by initial state (a few per nesting level)."""


def _release(machine: states.NestedStateMachine) -> None:
    """Drop a pooled machine's references to the document it parsed (run() sets them again)."""
    machine.document = machine.memo = machine.node = machine.reporter = None
    for state in machine.states.values():
        state.document = state.memo = state.inliner = state.reporter = None


def _our_state(cls: type) -> type:
    bases = (_NestedMixin, _KeepMixin, cls) if issubclass(cls, states.Body) else (_NestedMixin, cls)
    return type(cls.__name__, bases, {})  # the state's name is its class name


_STATE_CLASSES: tuple[type, ...] = tuple(_our_state(c) for c in states.state_classes)


class _Inliner(states.Inliner):
    """Roles: plugins first, then docutils, then Sphinx/blog roles, then the unknown fallback."""

    def interpreted(self, rawsource, text, role, lineno):  # type: ignore[no-untyped-def]
        fn = plugin_role(role)
        messages: list[nodes.system_message] = []
        if fn is None:
            key = role.lower()
            known = not role or (
                key in du_roles._roles
                or key in getattr(self.language, "roles", {})
                or key in du_roles._role_registry
            )
            if known:
                fn, messages = du_roles.role(role, self.language, lineno, self.reporter)
            if fn is None:
                fn = blog_roles.fallback_role(role)
        result, messages2 = fn(role, rawsource, text, lineno, self)
        return result, messages + messages2


# docutils builds its inline patterns from ``vars(self.__class__)``: give the subclass the
# same string attributes or init_customizations() fails.
for _k, _v in vars(states.Inliner).items():
    if isinstance(_v, str) and not _k.startswith("__"):
        setattr(_Inliner, _k, _v)


class _Parser(rst_parser.Parser):
    """The rST parser with our states and inliner; hooks the reporter to collect messages."""

    def __init__(self, state: ParseState) -> None:
        super().__init__(inliner=_Inliner())
        self.state_classes = _STATE_CLASSES
        self._state = state

    def parse(self, inputstring: str, document: nodes.document) -> None:
        document.reporter.attach_observer(lambda msg: _on_message(self._state, msg))
        try:
            super().parse(inputstring, document)
        finally:
            self._unlink()

    def _unlink(self) -> None:
        """Drop what docutils' state machines still hold once the parse is over.

        Its nested state machines are cached on a class attribute and keep their last
        document; its states keep bound methods of themselves.  Both make each parsed
        post outlive its use in cycles only the full collector finds (gcpolicy.py).
        """
        for sm in states.RSTState.nested_sm_cache:  # run() sets these again on reuse
            _release(sm)
        machine = getattr(self, "statemachine", None)
        if machine is not None and machine.states:
            _drop_transitions(machine)
            machine.unlink()
            machine.document = machine.reporter = machine.memo = machine.node = None
        self.statemachine = None


def _settings(path: str, config: Config, doctitle: bool, state: ParseState) -> dict[str, Any]:
    return {
        "_disable_config": True,
        "file_insertion_enabled": config.file_insertion,
        "raw_enabled": config.raw,
        "report_level": 5,
        "halt_level": 5,
        "exit_status_level": 5,
        "warning_stream": io.StringIO(),
        "traceback": True,  # let unexpected exceptions reach parse_rst's handler
        "doctitle_xform": doctitle,
        "docinfo_xform": True,
        "sectsubtitle_xform": False,
        "syntax_highlight": "none",
        "smart_quotes": False,
        "id_prefix": "",
        "language_code": "en",
        "strip_comments": False,
        "migrate_state": state,
        "migrate_source_dir": os.path.dirname(os.path.abspath(path)) if not path.startswith("<") else ".",
    }


_BASE_SETTINGS: list[Any] = []


def _runtime_settings(overrides: dict[str, Any]) -> Any:
    """docutils settings: the defaults computed once, then this post's values on a copy.

    ``publish_doctree(settings_overrides=...)`` builds docutils' whole option parser for every
    post, about a tenth of the parse time; the defaults never change, so they are cached.
    """
    if not _BASE_SETTINGS:
        from docutils.frontend import get_default_settings
        from docutils.readers import standalone
        from docutils.writers import null

        _BASE_SETTINGS.append(get_default_settings(rst_parser.Parser, standalone.Reader, null.Writer))
    settings = copy.copy(_BASE_SETTINGS[0])
    settings.__dict__.pop("_disable_config", None)
    for key, value in overrides.items():
        if key != "_disable_config":
            setattr(settings, key, value)
    from docutils.utils import DependencyList

    settings.record_dependencies = DependencyList()  # per post: file insertion adds to it
    return settings


# --------------------------------------------------------------------------- public

_DEFAULT_CONFIG = Config()  # frozen, so sharing it as a default is safe

MAX_NESTING = 100
"""Deepest block nesting (lists, block quotes, directive bodies...) a post may have.  docutils,
the walker and the emitters recurse per level; past this a post fails with
``nesting-too-deep`` (its text kept unparsed) instead of a RecursionError (docs/errors.md)."""

_TOO_DEEP = f"blocks nested more than {MAX_NESTING} levels deep (lists, block quotes...); text kept unparsed"
_MARKERS = re.compile(r"(?:[-*+\u2022\u2023\u2043]|\(?(?:\d+|[a-zA-Z#])[.)])(?: +|$)")


def nesting_depth(text: str) -> tuple[int, int]:
    """An upper estimate of the block nesting of ``text`` from its indentation (plus list
    markers opening several lists on one line, ``- - - x``), without parsing; returns the
    depth and the first line deeper than :data:`MAX_NESTING` (0 if none)."""
    stack = [0]
    deepest, where = 0, 0
    for lineno, line in enumerate(text.split("\n"), 1):
        expanded = line.expandtabs(8)
        body = expanded.lstrip(" ")
        if not body.strip():
            continue
        ind = len(expanded) - len(body)
        while len(stack) > 1 and stack[-1] > ind:
            stack.pop()
        if ind > stack[-1]:
            stack.append(ind)
        markers = 0
        while m := _MARKERS.match(body):
            markers += 1
            body = body[m.end() :]
        depth = len(stack) - 1 + markers
        if depth > deepest:
            deepest = depth
            if depth > MAX_NESTING and not where:
                where = lineno
    return deepest, where


def parse_rst(
    text: str, path: str = "<string>", config: Config = _DEFAULT_CONFIG, doctitle: bool = True
) -> RstResult:
    """Parse one post's rST body (front matter already blanked: line numbers are the file's).

    Never raises: rST problems become diagnostics; a docutils crash becomes an ``rst-crash``
    error diagnostic and the whole text is kept as ``Div(name="unparsed")``.
    """
    state = ParseState(path=path, config=config, lines=text.splitlines(), doctitle=doctitle)
    for error in load_plugins():
        state.add("warning", "plugin-error", f"reader plugin ({PLUGIN_GROUP}) failed to load: {error}")
    state.meta_directives = {md.name.lower(): md for md in config.meta_directives}
    depth, deep_line = nesting_depth(text)
    if depth > MAX_NESTING:
        state.add("error", "nesting-too-deep", _TOO_DEEP, deep_line)
        return RstResult(blocks=(Div((), name="unparsed", text=text),), diagnostics=tuple(state.diagnostics))
    try:
        document = publish_doctree(
            text,
            source_path=path,
            parser=_Parser(state),
            settings=_runtime_settings(_settings(path, config, doctitle, state)),
        )
    except RecursionError:  # nesting the line scan did not see (e.g. tables in tables)
        state.add("error", "nesting-too-deep", _TOO_DEEP)
        return RstResult(blocks=(Div((), name="unparsed", text=text),), diagnostics=tuple(state.diagnostics))
    except Exception as exc:  # noqa: BLE001 - docutils bug or pathological input: keep the text
        state.add("error", "rst-crash", f"docutils could not parse this file: {exc!r}; text kept unparsed")
        return RstResult(blocks=(Div((), name="unparsed", text=text),), diagnostics=tuple(state.diagnostics))

    walker = Walker(state)
    blocks, title, subtitle = walker.document(document)
    return RstResult(
        blocks=tuple(blocks),
        title=tuple(title),
        subtitle=tuple(subtitle),
        meta=tuple(state.meta),
        diagnostics=tuple(state.diagnostics),
    )


# --------------------------------------------------------------------------- tree walker

_ADMONITIONS = {"attention", "caution", "danger", "error", "hint", "important", "note", "tip", "warning"}
_QUOTE_CLASSES = ("epigraph", "highlights", "pull-quote")
_DELIMITERS = {("(", ")"): "parens", ("", ")"): "paren", ("", "."): "period"}
_IMAGE_ATTRS = ("scale", "loading")  # image options without an Image field of their own


def _plain(node: nodes.Node) -> str:
    return " ".join(node.astext().split())


def _ids(node: nodes.Node) -> list[str]:
    return list(node.get("ids", [])) if isinstance(node, nodes.Element) else []


class Walker:
    """Turns a docutils doctree into model blocks.  One instance per parse.

    Each ``_b_<tagname>`` method maps a body element to blocks, each ``_i_<tagname>`` an
    inline element to inlines.  Anything without a method is kept (as ``Div``/``Span``
    named after the node) with a warning.
    """

    def __init__(self, state: ParseState) -> None:
        self.state = state
        self.default_language = ""
        self.labels: dict[str, str] = {}

    # ---------------------------------------------------------------- entry

    def document(self, doc: nodes.document) -> tuple[list[Block], list[Inline], list[Inline]]:
        for fn in doc.findall(lambda n: isinstance(n, (nodes.footnote, nodes.citation))):
            for i in fn["ids"]:
                self.labels[i] = self._label(fn)
        title: list[Inline] = []
        subtitle: list[Inline] = []
        blocks: list[Block] = []
        metas: dict[int, dict[str, str]] = {}
        children = list(doc.children)
        first = self._first_section(doc)
        if first is not None:
            # Sphinx (ABlog, Tinkerer) semantics: the first section's title is the page title,
            # even when sibling sections or a leading field list stop docutils' promotion.
            i = children.index(first)
            title = self.inlines(first[0])
            referenced = {r.get("refid") for r in doc.findall(nodes.reference)}
            anchors = [Target(x) for x in _ids(first) if x in referenced]  # links to it still work
            body = list(first.children[1:])
            has_docinfo = any(isinstance(c, nodes.docinfo) for c in doc.children)
            lead = next((c for c in body if not isinstance(c, nodes.PreBibliographic)), None)
            if isinstance(lead, nodes.field_list) and not has_docinfo:
                body.remove(lead)  # what docutils' DocInfo would have taken: Pelican metadata
                self._docinfo(lead)
            children[i : i + 1] = body
            blocks.extend(anchors)
            if len([c for c in doc.children if isinstance(c, nodes.section)]) > 1:
                self.state.add(
                    "info",
                    "title-from-first-section",
                    "several top-level sections: the first section's title is the post title",
                    self._title_line(first[0]),
                )
        for child in children:
            if isinstance(child, nodes.title):
                title = self.inlines(child)
            elif isinstance(child, nodes.subtitle):
                subtitle = self.inlines(child)
            elif isinstance(child, nodes.docinfo):
                self._docinfo(child)
            elif isinstance(child, nodes.meta):
                key = child.get("name") or child.get("property") or child.get("http-equiv") or "meta"
                metas.setdefault(int(child.get("migrate_line", 0)), {})[key.lower()] = child.get(
                    "content", ""
                )
            elif isinstance(child, nodes.decoration):
                for part in child.children:
                    blocks.append(Div(tuple(self.blocks(part.children)), name=part.tagname))
            else:
                blocks.extend(self.block(child, 1))
        for line, fields in metas.items():
            self.state.meta.append(MetaHit("docutils-meta", fields, line))
        return blocks, title, subtitle

    # Nodes that may precede the title without being content (docutils' PreBibliographic,
    # plus docinfo and Sphinx's ``.. highlight::``).
    _BEFORE_TITLE = (nodes.PreBibliographic, nodes.docinfo, nodes.substitution_definition, highlight_node)

    def _first_section(self, doc: nodes.document) -> nodes.section | None:
        """The section to promote when docutils did not promote one, else ``None``."""
        if not self.state.doctitle or any(isinstance(c, nodes.title) for c in doc.children):
            return None
        for child in doc.children:
            if isinstance(child, nodes.section):
                return child if child.children and isinstance(child[0], nodes.title) else None
            if not isinstance(child, self._BEFORE_TITLE):
                return None
        return None

    def _title_line(self, title: nodes.Node) -> int:
        """docutils' title line is its underline: the line holding the title text."""
        line = _line(title)
        text = title.astext().strip()
        if line >= 2 and self.state.lines[line - 2 : line - 1] and self.state.lines[line - 2].strip() == text:
            return line - 1
        return line

    def _docinfo(self, node: nodes.docinfo) -> None:
        fields: dict[str, Any] = {}
        line = 0
        for child in node.children:
            line = line or child.line or self._field_line(child.tagname)
            if isinstance(child, nodes.field):
                name = child[0].astext().strip().lower()
                fields[name] = _plain(child[1]) if len(child) > 1 else ""
            elif isinstance(child, nodes.authors):
                fields["authors"] = ", ".join(_plain(a) for a in child.children)
            else:
                fields[child.tagname.lower()] = _plain(child)
        self.state.meta.append(MetaHit("pelican", fields, line))

    def _field_line(self, name: str) -> int:
        """docutils drops the line of bibliographic fields (``:date:``...): find it in the text."""
        pattern = re.compile(r"^\s*:" + re.escape(name) + r":", re.IGNORECASE)
        for i, text in enumerate(self.state.lines, 1):
            if pattern.match(text):
                return i
        return 0

    # ---------------------------------------------------------------- blocks

    def blocks(self, children: Any, level: int = 1) -> list[Block]:
        out: list[Block] = []
        for child in children:
            out.extend(self.block(child, level))
        return out

    def block(self, node: nodes.Node, level: int = 1) -> list[Block]:
        """Map one node; a walker bug on one node never loses the rest of the post."""
        try:
            return self._block(node, level)
        except Exception as exc:  # noqa: BLE001 - keep the source text of the failing node
            self.state.add("error", "rst-walk", f"could not convert <{node.tagname}>: {exc!r}", _line(node))
            return [Div((), name=getattr(node, "tagname", "text"), text=node.astext())]

    def _block(self, node: nodes.Node, level: int) -> list[Block]:
        if isinstance(node, nodes.Text):
            text = " ".join(node.astext().split())  # astext drops docutils' \x00 escape marks
            return [Paragraph((Text(text),))] if text else []
        if isinstance(node, (nodes.system_message, nodes.pending, nodes.substitution_definition)):
            return []
        if isinstance(node, MigrateNode):
            return self._model_block(node)
        handler = getattr(self, "_b_" + node.tagname, None)
        if handler is not None:
            return handler(node, level)
        if node.tagname in _ADMONITIONS:
            return self._b_admonition(node, level)
        if isinstance(node, (nodes.Inline, nodes.TextElement)):
            self._unknown(node)
            return self._finish(node, Paragraph(tuple(self.inlines(node))))
        self._unknown(node)
        return self._finish(node, Div(tuple(self.blocks(node.children, level)), name=node.tagname))

    def _unknown(self, node: nodes.Node) -> None:
        self.state.add(
            "warning", "unknown-node", f"unexpected docutils node <{node.tagname}> kept", _line(node)
        )

    def _finish(self, node: nodes.Node, block: Any, auto: Any = ()) -> list[Block]:
        """Attach the node's ids and non-automatic classes to ``block`` (or around it)."""
        classes = tuple(c for c in node.get("classes", []) if c not in auto)
        ids = _ids(node)
        fields = {f.name for f in dataclasses.fields(block)}
        if classes and "classes" in fields:
            block = dataclasses.replace(block, classes=tuple(block.classes) + classes)
        out: list[Block] = []
        if ids and "id" in fields and not block.id:
            block = dataclasses.replace(block, id=ids[0])
            ids = ids[1:]
        out.extend(Target(i) for i in ids)
        if classes and "classes" not in fields:
            block = Div((block,), name="class", classes=classes)
        out.append(block)
        return out

    def _model_block(self, node: MigrateNode) -> list[Block]:
        model = node.get("model")
        if isinstance(model, Inline.__args__):  # type: ignore[attr-defined]
            return self._finish(node, Paragraph((model,)))
        if isinstance(model, CodeBlock) and node.get("default_language") and not model.language:
            model = dataclasses.replace(model, language=self.default_language)
        return self._finish(node, model)

    def _b_section(self, node: nodes.section, level: int) -> list[Block]:
        ids = _ids(node)
        out: list[Block] = []
        rest = node.children
        if rest and isinstance(rest[0], nodes.title):
            heading = Heading(level, tuple(self.inlines(rest[0])), ids[0] if ids else "", tuple(ids[1:]))
            classes = tuple(node["classes"])
            out.append(Div((heading,), name="class", classes=classes) if classes else heading)
            rest = rest[1:]
        else:
            out.extend(Target(i) for i in ids)
        for child in rest:
            out.extend(self.block(child, level + 1))
        return out

    def _b_paragraph(self, node: nodes.paragraph, level: int) -> list[Block]:
        return self._finish(node, Paragraph(tuple(self.inlines(node))))

    def _b_literal_block(self, node: nodes.literal_block, level: int) -> list[Block]:
        if any(not isinstance(c, nodes.Text) and c.get("classes") == [] for c in node.children):
            # parsed-literal: inline markup (links...) inside a literal block
            content: list[Inline] = []
            for c in node.children:
                if isinstance(c, nodes.Text):
                    for i, part in enumerate(str(c).split("\n")):
                        if i:
                            content.append(LineBreak())
                        if part:
                            content.append(Text(part))
                else:
                    content.extend(self.inline(c))
            div = Div((Paragraph(tuple(content)),), name="parsed-literal", text=node.astext())
            return self._finish(node, div)
        classes = list(node.get("classes", []))
        language, auto = self.default_language, set()
        if classes and classes[0] == "code":  # docutils "code" (e.g. include :code:)
            language = classes[-1] if len(classes) > 1 else ""
            auto = {"code", language}
        return self._finish(node, CodeBlock(node.astext(), language), auto)

    def _b_doctest_block(self, node: nodes.Element, level: int) -> list[Block]:
        return self._finish(node, CodeBlock(node.astext(), "pycon"))

    def _b_block_quote(self, node: nodes.block_quote, level: int) -> list[Block]:
        attribution: list[Inline] = []
        body = []
        for c in node.children:
            if isinstance(c, nodes.attribution):
                attribution = self.inlines(c)
            else:
                body.append(c)
        return self._finish(node, BlockQuote(tuple(self.blocks(body)), tuple(attribution)))

    def _items(self, node: nodes.Element) -> tuple[tuple[Block, ...], ...]:
        return tuple(
            tuple(self.blocks(li.children)) for li in node.children if isinstance(li, nodes.list_item)
        )

    def _b_bullet_list(self, node: nodes.Element, level: int) -> list[Block]:
        return self._finish(node, BulletList(self._items(node)))

    def _b_enumerated_list(self, node: nodes.Element, level: int) -> list[Block]:
        delim = _DELIMITERS.get((node.get("prefix", ""), node.get("suffix", ".")), "period")
        lst = OrderedList(self._items(node), int(node.get("start", 1)), node.get("enumtype", "arabic"), delim)
        return self._finish(node, lst)

    def _b_definition_list(self, node: nodes.Element, level: int) -> list[Block]:
        items = []
        for item in node.children:
            term: list[Inline] = []
            classifiers: list[tuple[Inline, ...]] = []
            definition: list[Block] = []
            for c in item.children:
                if isinstance(c, nodes.term):
                    term = term + ([LineBreak()] if term else []) + self.inlines(c)
                elif isinstance(c, nodes.classifier):
                    classifiers.append(tuple(self.inlines(c)))
                elif isinstance(c, nodes.definition):
                    definition.extend(self.blocks(c.children))
                else:
                    definition.extend(self.block(c))
            items.append(DefinitionItem(tuple(term), tuple(classifiers), tuple(definition)))
        return self._finish(node, DefinitionList(tuple(items)))

    def _b_field_list(self, node: nodes.Element, level: int) -> list[Block]:
        items = []
        for f in node.children:
            name = self.inlines(f[0]) if len(f) else []
            body = self.blocks(f[1].children) if len(f) > 1 else []
            items.append(Field(tuple(name), tuple(body)))
        return self._finish(node, FieldList(tuple(items)))

    def _b_option_list(self, node: nodes.Element, level: int) -> list[Block]:
        items = []
        for item in node.children:
            opts: list[str] = []
            desc: list[Block] = []
            for c in item.children:
                if isinstance(c, nodes.option_group):
                    for opt in c.children:
                        # option_argument.astext() includes its delimiter (" " or "=")
                        opts.append("".join(part.astext() for part in opt.children))
                elif isinstance(c, nodes.description):
                    desc.extend(self.blocks(c.children))
            items.append(OptionItem(tuple(opts), tuple(desc)))
        return self._finish(node, OptionList(tuple(items)))

    def _b_line_block(self, node: nodes.Element, level: int) -> list[Block]:
        lines: list[Line] = []

        def walk(lb: nodes.Element, indent: int) -> None:
            for c in lb.children:
                if isinstance(c, nodes.line_block):
                    walk(c, indent + 1)
                else:
                    lines.append(Line(tuple(self.inlines(c)), indent))

        walk(node, 0)
        return self._finish(node, LineBlock(tuple(lines)))

    def _b_transition(self, node: nodes.Element, level: int) -> list[Block]:
        return [ThematicBreak()]

    def _b_comment(self, node: nodes.Element, level: int) -> list[Block]:
        text = node.astext()
        if re.fullmatch(r"(TEASER_END|more)(:.*)?", text.strip(), re.DOTALL):
            return [SummaryBreak()]
        return [Comment(text)]

    def _b_target(self, node: nodes.Element, level: int) -> list[Block]:
        if any(k in node for k in ("refuri", "refid", "refname")):
            return []  # external/indirect: consumed by references; internal: id moved on
        return [Target(i) for i in _ids(node)]

    def _b_table(self, node: nodes.table, level: int) -> list[Block]:
        caption: list[Inline] = []
        head: list[Row] = []
        body: list[Row] = []
        widths: list[int] = []
        stubs = 0
        for c in node.children:
            if isinstance(c, nodes.title):
                caption = self.inlines(c)
            elif isinstance(c, nodes.tgroup):
                for part in c.children:
                    if isinstance(part, nodes.colspec):
                        widths.append(int(part.get("colwidth", 0) or 0))
                        stubs += 1 if part.get("stub") else 0
                    elif isinstance(part, nodes.thead):
                        head.extend(self._rows(part))
                    elif isinstance(part, nodes.tbody):
                        body.extend(self._rows(part))
        classes = list(node.get("classes", []))
        if "colwidths-auto" in classes:
            widths = []
        extra = tuple(f"align-{node['align']}" for _ in [0] if node.get("align"))
        table = Table(
            tuple(head),
            tuple(body),
            tuple(caption),
            tuple(widths),
            stub_columns=stubs,
            kind=node.get("migrate_kind", "grid"),
            classes=extra,
        )
        return self._finish(node, table, {"colwidths-auto", "colwidths-given"})

    def _rows(self, part: nodes.Element) -> list[Row]:
        rows = []
        for row in part.children:
            cells = tuple(
                Cell(
                    tuple(self.blocks(e.children)),
                    int(e.get("morecols", 0)) + 1,
                    int(e.get("morerows", 0)) + 1,
                )
                for e in row.children
                if isinstance(e, nodes.entry)
            )
            rows.append(Row(cells))
        return rows

    def _image(self, node: nodes.Element, target: str = "") -> Image:
        return Image(
            src=node.get("uri", ""),
            alt=node.get("alt", ""),
            title=node.get("title", ""),
            width=str(node.get("width", "")),
            height=str(node.get("height", "")),
            align=node.get("align", ""),
            target=target,
            classes=tuple(node.get("classes", [])),
            attrs={k: str(node[k]) for k in _IMAGE_ATTRS if node.get(k) not in (None, "")},
        )

    def _b_image(self, node: nodes.Element, level: int) -> list[Block]:
        out: list[Block] = [Target(i) for i in _ids(node)]
        return [*out, ImageBlock(self._image(node))]

    def _b_reference(self, node: nodes.Element, level: int) -> list[Block]:
        if len(node.children) == 1 and isinstance(node[0], nodes.image):
            out: list[Block] = [Target(i) for i in _ids(node[0])]
            return [*out, ImageBlock(self._image(node[0], self._link_target(node)))]
        return self._finish(node, Paragraph(tuple(self.inline(node))))

    def _b_figure(self, node: nodes.Element, level: int) -> list[Block]:
        image = Image("")
        ids = _ids(node)
        caption: list[Inline] = []
        legend: list[Block] = []
        for c in node.children:
            if isinstance(c, nodes.image):
                image, ids = self._image(c), ids + _ids(c)
            elif isinstance(c, nodes.reference) and c.children and isinstance(c[0], nodes.image):
                image, ids = self._image(c[0], self._link_target(c)), ids + _ids(c[0])
            elif isinstance(c, nodes.caption):
                caption = self.inlines(c)
            elif isinstance(c, nodes.legend):
                legend.extend(self.blocks(c.children))
            else:
                legend.extend(self.block(c))
        fig = Figure(
            image,
            tuple(caption),
            tuple(legend),
            node.get("align", ""),
            ids[0] if ids else "",
            width=str(node.get("width", "")),
        )
        out: list[Block] = [Target(i) for i in ids[1:]]
        classes = tuple(node.get("classes", []))
        return [*out, Div((fig,), name="class", classes=classes) if classes else fig]

    def _b_admonition(self, node: nodes.Element, level: int) -> list[Block]:
        kind = node.get("migrate_kind") or node.tagname
        title: list[Inline] = []
        body = []
        for c in node.children:
            if isinstance(c, nodes.title):
                title = self.inlines(c)
            else:
                body.append(c)
        auto = {c for c in node.get("classes", []) if c.startswith("admonition-")}
        return self._finish(node, Admonition(kind, tuple(self.blocks(body)), tuple(title)), auto)

    def _titled(self, node: nodes.Element) -> tuple[list[Inline], list[Inline], list[Block]]:
        title: list[Inline] = []
        subtitle: list[Inline] = []
        body = []
        for c in node.children:
            if isinstance(c, nodes.title):
                title = self.inlines(c)
            elif isinstance(c, nodes.subtitle):
                subtitle = self.inlines(c)
            else:
                body.append(c)
        return title, subtitle, self.blocks(body)

    def _b_topic(self, node: nodes.Element, level: int) -> list[Block]:
        title, _, body = self._titled(node)
        kind = "contents" if "contents" in node.get("classes", []) else "topic"
        return self._finish(node, Topic(kind, tuple(title), tuple(body)), {"contents", "local"})

    def _b_sidebar(self, node: nodes.Element, level: int) -> list[Block]:
        title, subtitle, body = self._titled(node)
        return self._finish(node, Topic("sidebar", tuple(title), tuple(body), tuple(subtitle)))

    def _b_rubric(self, node: nodes.Element, level: int) -> list[Block]:
        return self._finish(node, Rubric(tuple(self.inlines(node))))

    def _b_compound(self, node: nodes.Element, level: int) -> list[Block]:
        return self._finish(node, Div(tuple(self.blocks(node.children)), name=node.tagname))

    _b_container = _b_compound

    def _b_math_block(self, node: nodes.Element, level: int) -> list[Block]:
        names = node.get("names", [])
        return self._finish(node, MathBlock(node.astext(), names[0] if names else ""))

    def _b_raw(self, node: nodes.Element, level: int) -> list[Block]:
        return self._finish(node, RawBlock(node.get("format", ""), node.astext()))

    def _label(self, node: nodes.Element) -> str:
        if node.get("auto") == 1 and node.get("names"):
            return node["names"][0]
        for c in node.children:
            if isinstance(c, nodes.label):
                return c.astext()
        return (node.get("names") or [""])[0]

    def _b_footnote(self, node: nodes.Element, level: int) -> list[Block]:
        kind = "citation" if isinstance(node, nodes.citation) else "footnote"
        body = [c for c in node.children if not isinstance(c, nodes.label)]
        return [Footnote(self._label(node), tuple(self.blocks(body)), kind)]

    _b_citation = _b_footnote

    def _b_directive_node(self, node: nodes.Element, level: int) -> list[Block]:
        if node.get("failed"):
            div = Div((), name=node["directive"], classes=("unparsed",), text=node.get("text", ""))
            return [div]
        div = Div(
            tuple(self.blocks(node.children)),
            name=node["directive"],
            arguments=tuple(node.get("arguments", [])),
            options=dict(node.get("options", {})),
            text=node.get("text", ""),
        )
        return self._finish(node, div)

    def _b_highlight_node(self, node: nodes.Element, level: int) -> list[Block]:
        self.default_language = node.get("language", "")
        return []

    # ---------------------------------------------------------------- inlines

    def inlines(self, node: nodes.Node) -> list[Inline]:
        out: list[Inline] = []
        for child in node.children:
            for item in self.inline(child):
                if isinstance(item, Text) and out and isinstance(out[-1], Text):
                    out[-1] = Text(out[-1].text + item.text)
                else:
                    out.append(item)
        return out

    def inline(self, node: nodes.Node) -> list[Inline]:
        try:
            return self._inline(node)
        except Exception as exc:  # noqa: BLE001 - keep the text of the failing node
            self.state.add("error", "rst-walk", f"could not convert <{node.tagname}>: {exc!r}", _line(node))
            return [Text(node.astext())]

    def _inline(self, node: nodes.Node) -> list[Inline]:
        if isinstance(node, nodes.Text):
            return [Text(node.astext().replace("\n", " "))]  # astext drops \x00 escape marks
        if isinstance(node, (nodes.system_message, nodes.pending)):
            return []
        if isinstance(node, MigrateNode):
            model = node.get("model")
            if not isinstance(model, Inline.__args__):  # type: ignore[attr-defined]
                self.state.add("warning", "unknown-node", "block content in inline position", _line(node))
                return [Span((Text(node.astext()),), role="block")]
            return self._inline_classes(node, model)
        handler = getattr(self, "_i_" + node.tagname, None)
        if handler is None:
            self._unknown(node)
            return [
                Span(tuple(self.inlines(node)), role=node.tagname, classes=tuple(node.get("classes", [])))
            ]
        return handler(node)

    def _inline_classes(self, node: nodes.Element, item: Any, auto: Any = ()) -> list[Inline]:
        classes = tuple(c for c in node.get("classes", []) if c not in auto)
        if not classes:
            return [item]
        if isinstance(item, (Span, Image)):
            return [dataclasses.replace(item, classes=tuple(item.classes) + classes)]
        return [Span((item,), classes=classes)]

    def _wrap(cls: Any) -> Any:  # noqa: N805 - helper building simple container handlers
        def handler(self: Walker, node: nodes.Element) -> list[Inline]:
            return self._inline_classes(node, cls(tuple(self.inlines(node))))

        return handler

    _i_emphasis = _wrap(Emph)
    _i_strong = _wrap(Strong)
    _i_subscript = _wrap(Subscript)
    _i_superscript = _wrap(Superscript)

    def _i_literal(self, node: nodes.Element) -> list[Inline]:
        classes = list(node.get("classes", []))
        text = node.astext().replace("\n", " ")
        if classes and classes[0] == "code":
            # docutils: ["code", *role/option classes, language]
            lang = classes[-1] if len(classes) > 1 else ""
            return self._inline_classes(node, Code(text, lang, "code"), {"code", lang})
        return self._inline_classes(node, Code(text))

    def _link_target(self, node: nodes.Element) -> str:
        if "refuri" in node:
            return node["refuri"]
        if "refid" in node:
            return "#" + node["refid"]
        return ""

    def _i_reference(self, node: nodes.Element) -> list[Inline]:
        if len(node.children) == 1 and isinstance(node[0], nodes.image):
            return [self._image(node[0], self._link_target(node))]
        content = tuple(self.inlines(node))
        if "refuri" in node:
            uri = node["refuri"]
            kind = "email" if uri.startswith("mailto:") else "url"
            return self._inline_classes(node, Link(content, uri, kind=kind))
        if "refid" in node:
            return self._inline_classes(node, Link(content, "#" + node["refid"], kind="anchor"))
        self.state.add(
            "warning", "unresolved-reference", f"unresolved reference {node.astext()!r}", _line(node)
        )
        return [Span(content, role="reference", attrs={"name": node.get("name", node.get("refname", ""))})]

    def _i_footnote_reference(self, node: nodes.Element) -> list[Inline]:
        kind = "citation" if isinstance(node, nodes.citation_reference) else "footnote"
        label = self.labels.get(node.get("refid", ""), node.astext())
        return [FootnoteRef(label, kind)]

    _i_citation_reference = _i_footnote_reference

    def _i_target(self, node: nodes.Element) -> list[Inline]:
        ids = _ids(node)
        content = tuple(self.inlines(node))
        if not content:
            return []
        if "refuri" in node or not ids:
            return list(content)
        return [Span(content, id=ids[0], classes=tuple(node.get("classes", [])))]

    def _i_image(self, node: nodes.Element) -> list[Inline]:
        return [self._image(node)]

    def _i_math(self, node: nodes.Element) -> list[Inline]:
        return self._inline_classes(node, Math(node.astext()))

    def _i_raw(self, node: nodes.Element) -> list[Inline]:
        return [RawInline(node.get("format", ""), node.astext())]

    def _i_abbreviation(self, node: nodes.Element) -> list[Inline]:
        return self._inline_classes(node, Abbr(tuple(self.inlines(node)), node.get("explanation", "")))

    _i_acronym = _i_abbreviation

    def _i_title_reference(self, node: nodes.Element) -> list[Inline]:
        return self._inline_classes(node, Span(tuple(self.inlines(node)), role="title-reference"))

    def _i_inline(self, node: nodes.Element) -> list[Inline]:
        return [Span(tuple(self.inlines(node)), classes=tuple(node.get("classes", [])))]

    def _i_generated(self, node: nodes.Element) -> list[Inline]:
        return [Span(tuple(self.inlines(node)), role="generated", classes=tuple(node.get("classes", [])))]

    def _i_problematic(self, node: nodes.Element) -> list[Inline]:
        return [Text(node.astext())]

    _i_substitution_reference = _i_problematic


def _line(node: nodes.Node) -> int:
    n: Any = node
    while n is not None:
        if getattr(n, "line", None):
            return int(n.line)
        n = getattr(n, "parent", None)
    return 0
