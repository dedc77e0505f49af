"""The configuration reference, generated from :class:`~migrate.config.Config` itself.

``migrate init`` writes :func:`config_template`; ``docs/configuration.md`` embeds
:func:`config_markdown`, and a test checks the two never drift apart.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from . import config as config_module
from .config import Config


@dataclass(frozen=True)
class Key:
    name: str
    type: str
    default: object
    doc: str


def reference() -> list[Key]:
    """Every configuration key with its type, default and the docstring written under it."""
    tree = ast.parse(inspect.getsource(config_module))
    docs: dict[str, str] = {}
    types: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Config":
            body = node.body
            for i, stmt in enumerate(body):
                if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                    types[stmt.target.id] = ast.unparse(stmt.annotation)
                    nxt = body[i + 1] if i + 1 < len(body) else None
                    if isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant):
                        docs[stmt.target.id] = inspect.cleandoc(str(nxt.value.value))
    default = Config()
    return [
        Key(f.name, types.get(f.name, ""), getattr(default, f.name), docs.get(f.name, ""))
        for f in dataclasses.fields(Config)
    ]


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def config_template() -> str:
    """A ``migrate.toml`` listing every key, commented out at its default."""
    lines = ["# migrate configuration (every key shown at its default; uncomment to change)", ""]
    for key in reference():
        if key.name == "meta_directives":
            lines += [
                "# Teach migrate a metadata directive (a dialect) without forking it:",
                "# [[meta_directives]]",
                '# name = "rstblog-settings"',
                '# dialect = "rstblog"',
                '# fields = { url = "aliases" }',
                "",
            ]
            continue
        for doc_line in key.doc.splitlines():
            lines.append(f"# {doc_line}".rstrip())
        lines.append(f"# {key.name} = {_toml(key.default)}")
        lines.append("")
    return "\n".join(lines)


def config_markdown() -> str:
    """The reference table embedded in ``docs/configuration.md``."""
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for key in reference():
        doc = " ".join(key.doc.split()).replace("``", "`").replace("|", "\\|")
        rows.append(f"| `{key.name}` | `{key.type}` | `{_toml(key.default)}` | {doc} |")
    return "\n".join(rows) + "\n"


BEGIN = "<!-- BEGIN GENERATED: python -m migrate.docs -->"
END = "<!-- END GENERATED -->"
DOC = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def render(text: str) -> str:
    """``text`` with the generated table between the markers replaced by the current one."""
    if BEGIN not in text or END not in text:
        raise ValueError(f"the markers {BEGIN!r} and {END!r} are missing")
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{config_markdown()}{END}{tail}"


def update(path: str | Path = DOC) -> bool:
    """Refresh the generated table in ``docs/configuration.md``; True when the file changed."""
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    new = render(text)
    if new != text:
        p.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    """``python -m migrate.docs [--check] [PATH]``: update the reference (or exit 1 if stale)."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    path = Path(paths[0]) if paths else DOC
    if check:
        stale = render(path.read_text(encoding="utf-8")) != path.read_text(encoding="utf-8")
        if stale:
            print(f"{path} is out of date: run python -m migrate.docs", file=sys.stderr)
        return 1 if stale else 0
    update(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
