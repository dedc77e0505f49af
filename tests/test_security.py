"""Safe by default: no file insertion, no raw passthrough, no writes outside ``--out``, no
symlinks out of the source tree, no active script in emitted Markdown (docs/security.md)."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

import migrate
from migrate.cli import main
from migrate.config import Config
from migrate.emitters.markdown import unsafe_url
from migrate.errors import MigrateError
from migrate.output import safe_join
from migrate.pipeline import discover

SECRET = "TOP-SECRET-OUTSIDE"
INSIDE = "INSIDE-THE-TREE"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """``tmp/secret.txt`` outside the source tree ``tmp/src``, which holds inc.txt and data.csv."""
    (tmp_path / "secret.txt").write_text(SECRET + "\n")
    src = tmp_path / "src"
    src.mkdir()
    (src / "inc.txt").write_text(INSIDE + "\n")
    (src / "data.csv").write_text("alpha,beta\n")
    return src


def convert(tmp_path: Path, src: Path, config: str = "", target: str = "markdown") -> tuple[int, dict]:
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(config)
    report = tmp_path / "report.json"
    out = tmp_path / "out"
    args = ["convert", str(src), "--to", target, "--out", str(out), "--config", str(cfg)]
    result = CliRunner().invoke(main, [*args, "--report", str(report), "--quiet"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(report.read_text())


def diags(report: dict, name: str) -> list[tuple[str, str, int]]:
    (entry,) = [f for f in report["files"] if Path(f["source"]).name == name]
    return [(d["severity"], d["code"], d["line"]) for d in entry["diagnostics"] if d["severity"] != "info"]


def all_output(tmp_path: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*.md") if p.is_file())


POSTS = {
    "include.rst": "T\n=\n\n:date: 2013-09-07\n\n.. include:: inc.txt\n",
    "include-out.rst": "T\n=\n\n:date: 2013-09-07\n\n.. include:: ../secret.txt\n",
    "raw-file.rst": "T\n=\n\n:date: 2013-09-07\n\n.. raw:: html\n   :file: inc.txt\n",
    "raw-url.rst": "T\n=\n\n:date: 2013-09-07\n\n.. raw:: html\n   :url: http://127.0.0.1:9/x\n",
    "csv-file.rst": "T\n=\n\n:date: 2013-09-07\n\n.. csv-table:: Data\n   :file: data.csv\n",
    "csv-url.rst": "T\n=\n\n:date: 2013-09-07\n\n.. csv-table:: Data\n   :url: http://127.0.0.1:9/x\n",
    "raw-html.rst": "T\n=\n\n:date: 2013-09-07\n\n.. raw:: html\n\n   <b class=raw>bold</b>\n",
}


def test_everything_is_off_by_default(tmp_path: Path, tree: Path) -> None:
    for name, text in POSTS.items():
        (tree / name).write_text(text)
    code, report = convert(tmp_path, tree)
    assert code == 0  # refused constructs are warnings: the posts still convert
    fi = "file-insertion-disabled"
    assert ("warning", fi, 6) in diags(report, "include.rst")
    assert ("warning", fi, 6) in diags(report, "include-out.rst")
    assert ("warning", fi, 6) in diags(report, "raw-file.rst")
    assert ("warning", fi, 6) in diags(report, "raw-url.rst")
    assert ("warning", fi, 6) in diags(report, "csv-file.rst")
    assert ("warning", fi, 6) in diags(report, "csv-url.rst")
    assert ("warning", "raw-disabled", 6) in diags(report, "raw-html.rst")
    out = all_output(tmp_path)
    assert SECRET not in out
    html = _MD.render(out)
    assert "<b class=raw>" not in html and "<td>alpha" not in html  # only as inert source
    assert INSIDE not in out.replace("inc.txt", "")  # only the directive's source is kept
    assert ".. include:: ../secret.txt" in out  # nothing lost: the source stays visible


def test_enabled_config_makes_them_work_inside_the_tree(tmp_path: Path, tree: Path) -> None:
    for name in ("include.rst", "include-out.rst", "raw-file.rst", "csv-file.rst", "raw-html.rst"):
        (tree / name).write_text(POSTS[name])
    code, report = convert(tmp_path, tree, "file_insertion = true\nraw = true\n")
    out = tmp_path / "out"
    assert INSIDE in (out / "include.md").read_text()
    assert INSIDE in (out / "raw-file.md").read_text()
    assert "alpha" in (out / "csv-file.md").read_text()
    assert "<b class=raw>bold</b>" in (out / "raw-html.md").read_text()
    # even when enabled, a post cannot read outside its folder
    assert ("warning", "file-outside-tree", 6) in diags(report, "include-out.rst")
    assert SECRET not in all_output(tmp_path)
    assert code == 0


def test_enabled_include_cannot_follow_a_symlink_out(tmp_path: Path, tree: Path) -> None:
    (tree / "link.txt").symlink_to(tmp_path / "secret.txt")
    (tree / "post.rst").write_text("T\n=\n\n:date: 2013-09-07\n\n.. include:: link.txt\n")
    code, report = convert(tmp_path, tree, "file_insertion = true\n")
    assert ("warning", "file-outside-tree", 6) in diags(report, "post.rst")
    assert SECRET not in all_output(tmp_path)


def test_raw_role_is_off_by_default() -> None:
    text = "T\n=\n\n.. role:: raw-html(raw)\n   :format: html\n\nA :raw-html:`<i>x</i>` b.\n"
    doc = migrate.read(text, path="p.rst")
    assert any(
        d.code in ("rst-warning", "rst-error") and "raw" in d.message and d.line == 8 for d in doc.diagnostics
    )
    assert "<i>x</i>" not in migrate.emit(doc, "markdown").replace("\\<i>x\\</i>", "")
    enabled = migrate.read(text, path="p.rst", config=Config(raw=True))
    assert "A <i>x</i> b." in migrate.emit(enabled, "markdown")


# --------------------------------------------------------------------------- output paths

HOSTILE_SLUGS = [
    "../../etc/passwd",
    "/etc/passwd",
    "..",
    "a/../../b",
    "C:\\Windows\\system32",
    "a\\0b",
    "CON",
    "aux.txt",
    "nul",
    "~/x",
    "a" * 300,
]


@pytest.mark.parametrize("target", ["json", "markdown", "hugo", "jekyll"])
def test_hostile_slugs_never_write_outside_out(tmp_path: Path, target: str) -> None:
    src = tmp_path / "deep" / "src"
    src.mkdir(parents=True)
    for i, slug in enumerate(HOSTILE_SLUGS):
        esc = slug.replace("\\", "\\\\").replace('"', '\\"')
        (src / f"p{i}.rst").write_text(f'---\ntitle: P{i}\nslug: "{esc}"\ndate: 2013-09-07\n---\n\nx\n')
    before = {p for p in tmp_path.rglob("*")}
    code, report = convert(tmp_path, src, target=target)
    out = (tmp_path / "out").resolve()
    new = {p for p in tmp_path.rglob("*")} - before
    for p in new:
        assert p.resolve().is_relative_to(out) or p.name in ("report.json", "cfg.toml"), p
    for f in report["files"]:
        # each post gets a safe slug, or a clear unsafe-path error
        errors = [d["code"] for d in f["diagnostics"] if d["severity"] == "error"]
        assert errors in ([], ["unsafe-path"]), f
        for rel in f["outputs"]:
            assert ".." not in Path(rel).parts and not Path(rel).is_absolute()
            assert (out / rel).resolve().is_relative_to(out)
    failed = {Path(f["source"]).name for f in report["files"] if f["status"] == "error"}
    assert "p10.rst" in failed  # a 300-byte name
    assert failed <= {"p6.rst", "p7.rst", "p8.rst", "p10.rst"}  # Windows device names (unless prefixed)
    assert not Path("/etc/passwd.md").exists()


@pytest.mark.parametrize(
    "relative",
    ["../x", "/etc/passwd", "a/../../x", "a\x00b", "", "CON", "lpt1.md", "a/nul.txt", "..\\..\\x", "x" * 250],
)
def test_safe_join_refuses(tmp_path: Path, relative: str) -> None:
    with pytest.raises(MigrateError) as e:
        safe_join(tmp_path, relative)
    assert e.value.code == "unsafe-path"


def test_safe_join_refuses_a_symlinked_folder_out(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "posts").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(MigrateError):
        safe_join(tmp_path / "out", "posts/x.md")
    assert safe_join(tmp_path / "out", "ok/x.md") == tmp_path / "out" / "ok" / "x.md"


def test_safe_join_follows_links_only_as_far_as_the_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "real").mkdir(parents=True)
    (out / "alias").symlink_to(out / "real")  # a link that stays inside: fine
    assert safe_join(out, "alias/x.md") == out / "alias" / "x.md"
    (tmp_path / "secret.md").write_text("keep me")
    (out / "real" / "page.md").symlink_to(tmp_path / "secret.md")  # the file itself leads out
    with pytest.raises(MigrateError):
        safe_join(out, "real/page.md")
    with pytest.raises(MigrateError):
        safe_join(out, "alias/page.md")
    linked_root = tmp_path / "linked-out"
    linked_root.symlink_to(out)  # the output directory itself may be a link
    assert safe_join(linked_root, "real/new/x.md") == linked_root / "real" / "new" / "x.md"


def test_symlinks_out_of_the_source_tree_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.rst").write_text("Secret\n======\n\nx\n")
    src = tmp_path / "src"
    src.mkdir()
    (src / "real.rst").write_text("Real\n====\n\nx\n")
    (src / "link.rst").symlink_to(outside / "secret.rst")
    (src / "dir").symlink_to(outside, target_is_directory=True)
    (src / "inner.rst").symlink_to(src / "real.rst")  # inside the tree: fine
    found = {p.name for p in discover([src])}
    assert found == {"real.rst", "inner.rst"}


# --------------------------------------------------------------------------- active content

_MD = MarkdownIt("commonmark", {"html": True}).enable("table")
_MD.validateLink = lambda url: True  # Hugo (unsafe) and kramdown do not filter link schemes

HOSTILE = {
    "link": "T\n=\n\nA `x <javascript:alert(1)>`_ link.\n",
    "anon": "T\n=\n\nA `x <JaVaScRiPt:alert(1)>`__ and `y <vbscript:msgbox(1)>`__.\n",
    "named": "T\n=\n\nA `x`_ link.\n\n.. _x: javascript:alert(1)\n",
    "standalone": "T\n=\n\nSee javascript:alert(1) and <javascript:alert(1)>.\n",
    "data": "T\n=\n\n`x <data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>`__\n",
    "spaces": "T\n=\n\n`x < java\tscript:alert(1)>`__\n",
    "image": "T\n=\n\n.. image:: x.png\n   :target: javascript:alert(1)\n\n.. image:: javascript:alert(1)\n   :width: 10\n",
    "text": "T\n=\n\nText <script>alert(1)</script> and <img src=x onerror=alert(1)> here.\n",
    "title": "<script>alert(1)</script>\n==========================\n\nBody.\n",
    "fm": "---\ntitle: '<script>alert(1)</script>'\ntags: ['<script>x</script>']\n"
    "summary: '<img src=x onerror=alert(1)>'\n---\n\nBody.\n",
    "table": "T\n=\n\n+--------------------------+-----+\n| `x <javascript:a(1)>`__  | b   |\n"
    "| <script>alert(1)</script>|     |\n+--------------------------+-----+\n",
    "code": "T\n=\n\n``<script>alert(1)</script>``\n\n::\n\n  <script>alert(1)</script>\n",
    "raw": "T\n=\n\n.. raw:: html\n\n   <script>alert(1)</script>\n",
    "unknown": "T\n=\n\n.. foo:: <script>alert(1)</script>\n   :opt: <script>\n\n   <script>a</script>\n\n"
    ":foo:`<script>alert(1)</script>`\n",
    "embed": 'T\n=\n\n.. youtube:: x"><script>alert(1)</script>\n\n.. vimeo:: 1"><script>a</script>\n\n'
    '.. gist:: a"></script><script>alert(1)</script>\n',
    "footnote": "T\n=\n\nA [#]_.\n\n.. [#] <script>alert(1)</script> `x <javascript:a(1)>`__\n",
    "comment": "T\n=\n\n.. --> <script>alert(1)</script>\n",
    "admonition": "T\n=\n\n.. note:: <script>alert(1)</script>\n",
    "figure": "T\n=\n\n.. figure:: x.png\n   :target: javascript:alert(1)\n\n   <script>cap</script>\n",
}

_TARGETS = ["markdown", "hugo", "jekyll"]
try:  # another helper writes the HTML emitter
    from migrate.emitters import registry

    registry.get("html")
    _TARGETS.append("html")
except Exception:  # noqa: BLE001 - not installed yet
    pass


def _body(text: str) -> str:
    """What a site generator renders as HTML: the body, Hugo shortcodes and Liquid tags expanded away."""
    m = re.match(r"(?s)^(---|\+\+\+)\n.*?\n\1\n", text)
    body = text[m.end() :] if m else text
    body = re.sub(r"\{\{<.*?>\}\}|\{%.*?%\}", "", body)  # their templates escape arguments
    return body.replace("{% raw %}", "").replace("{% endraw %}", "")


class _Active(HTMLParser):
    """Collects what a browser would run: script elements (other than GitHub's gist embed),
    event-handler attributes, and script URLs in href/src/action."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not (values.get("src") or "").startswith("https://gist.github.com/"):
            self.found.append(f"<script {values}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and unsafe_url(value or ""):
                self.found.append(f"<{tag} {name}={value!r}>")


def active(html: str) -> list[str]:
    parser = _Active()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.mark.parametrize("target", _TARGETS)
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_post_text_never_becomes_active_content(name: str, target: str) -> None:
    doc = migrate.read(HOSTILE[name], path=f"{name}.rst")
    out = migrate.emit(doc, target)
    html = out if target == "html" else _MD.render(_body(out))
    if name == "raw":
        assert not active(html) or target == "html"
        return
    assert active(html) == [], out


def test_raw_passthrough_when_enabled_is_the_only_way_in() -> None:
    doc = migrate.read(HOSTILE["raw"], path="raw.rst", config=Config(raw=True))
    assert active(_MD.render(_body(migrate.emit(doc, "markdown"))))  # asked for, so allowed
    off = migrate.read(HOSTILE["raw"], path="raw.rst")
    assert not active(_MD.render(_body(migrate.emit(off, "markdown"))))


def test_script_links_keep_their_text_and_are_reported() -> None:
    from migrate.emitters.base import EmitContext
    from migrate.emitters.registry import get

    doc = migrate.read(HOSTILE["link"], path="link.rst")
    ctx = EmitContext(config=Config())
    out = get("markdown").emit(doc, ctx)
    assert "A x link." in out
    assert any(d.code == "unsafe-link" for d in ctx.diagnostics)


@pytest.mark.parametrize("target", ["markdown", "hugo", "jekyll"])
def test_front_matter_values_stay_data(target: str) -> None:
    """Hostile titles and tags are front matter strings (templates escape them), unchanged."""
    import yaml

    doc = migrate.read(HOSTILE["fm"], path="fm.rst")
    out = migrate.emit(doc, target)
    m = re.match(r"(?s)^---\n(.*?)\n---\n", out)
    assert m, out
    data = yaml.safe_load(m.group(1))
    assert data["title"] == "<script>alert(1)</script>"
    assert "<script>x</script>" in data["tags"]


def test_output_dir_only(tmp_path: Path) -> None:
    """A whole hostile batch writes only under --out (and the report we asked for)."""
    src = tmp_path / "src"
    src.mkdir()
    for name, text in HOSTILE.items():
        (src / f"{name}.rst").write_text(text)
    before = set(os.listdir(tmp_path))
    convert(tmp_path, src, target="hugo")
    assert set(os.listdir(tmp_path)) - before == {"out", "report.json", "cfg.toml"}
