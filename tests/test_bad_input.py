"""Bad posts: each gets its exact outcome (severity, code, file, line, exit code of the CLI),
and a batch goes on after every failure.

The fixtures live in ``tests/bad/``; posts that cannot be committed sensibly (binary, 5 MB,
BOM + CRLF variants, hundreds of nesting levels) are generated here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import migrate
from migrate.cli import main
from migrate.model import Document
from migrate.readers.rst import MAX_NESTING

BAD = Path(__file__).parent / "bad"


def run(tmp_path: Path, *sources: Path, config: str = "", target: str = "json") -> tuple[int, dict]:
    """``migrate convert SOURCES --to TARGET`` through the CLI; returns (exit code, report)."""
    cfg = tmp_path / "cfg.toml"
    cfg.write_text(config, encoding="utf-8")
    out = tmp_path / "out"
    report = tmp_path / "report.json"
    args = ["convert", *map(str, sources), "--to", target, "--out", str(out)]
    args += ["--config", str(cfg), "--report", str(report), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(report.read_text(encoding="utf-8"))


def outcome(report: dict, name: str) -> tuple[str, list[tuple[str, str, str, int]]]:
    """(status, [(severity, code, file name, line)]) of one post, info diagnostics left out."""
    (entry,) = [f for f in report["files"] if Path(f["source"]).name == name]
    diags = [
        (d["severity"], d["code"], Path(d["path"]).name, d["line"])
        for d in entry["diagnostics"]
        if d["severity"] != "info"
    ]
    return entry["status"], diags


# name -> (exit code, status, [(severity, code, line)])
EXPECTED = {
    "invalid-yaml.rst": (1, "error", [("error", "front-matter", 4)]),
    "front-matter-list.rst": (1, "error", [("error", "front-matter", 2)]),
    "unclosed-front-matter.rst": (1, "error", [("error", "front-matter", 1)]),
    "unparseable-date.rst": (1, "error", [("error", "date", 3)]),
    "impossible-date.rst": (1, "error", [("error", "date", 3)]),
    "latin1.rst": (1, "error", [("error", "encoding", 6)]),
    "empty.rst": (0, "warning", [("warning", "no-title", 0), ("warning", "no-date", 0)]),
    "malformed-table.rst": (0, "warning", [("warning", "rst-error", 8)]),
    "unknown-directive-role.rst": (
        0,
        "warning",
        [("warning", "unknown-directive", 6), ("warning", "unknown-role", 11)],
    ),
    "unresolved.rst": (
        0,
        "warning",
        [("warning", "unresolved-substitution", 6), ("warning", "unresolved-reference", 6)],
    ),
    "punctuation-title.rst": (0, "ok", []),
    "unicode-title.rst": (0, "ok", []),
    "clean.rst": (0, "ok", []),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_post_alone(tmp_path: Path, name: str) -> None:
    code, status, diags = EXPECTED[name]
    exit_code, report = run(tmp_path, BAD / name)
    assert exit_code == code
    assert outcome(report, name) == (status, [(s, c, name, line) for s, c, line in diags])
    outputs = list((tmp_path / "out").glob("*.json"))
    # a post that cannot be read writes nothing; the others keep their text even when they fail
    assert bool(outputs) == (name not in _UNREADABLE)


_UNREADABLE = {
    "invalid-yaml.rst",
    "front-matter-list.rst",
    "unclosed-front-matter.rst",
    "unparseable-date.rst",
    "impossible-date.rst",
    "latin1.rst",
}


def test_the_batch_goes_on(tmp_path: Path) -> None:
    """All bad posts in one run: every failure reported with its line, every other post written."""
    src = tmp_path / "src"
    shutil.copytree(BAD, src)
    exit_code, report = run(tmp_path, src)
    assert exit_code == 1
    assert report["totals"]["files"] == len(list(BAD.glob("*.rst")))
    for name, (_, status, diags) in EXPECTED.items():
        got_status, got = outcome(report, name)
        assert got_status == status, name
        for s, c, line in diags:
            assert (s, c, name, line) in got, name
    written = {p.name for p in (tmp_path / "out").glob("*.json")}
    assert "clean.json" in written and "empty.json" in written
    assert not any(Path(n).stem in written for n in _UNREADABLE)


def test_duplicate_slug_gets_a_deterministic_unique_slug(tmp_path: Path) -> None:
    for _ in range(2):  # same answer on every run
        exit_code, report = run(tmp_path, BAD / "dup-a.rst", BAD / "dup-b.rst")
        assert exit_code == 0
        assert outcome(report, "dup-a.rst") == ("ok", [])
        status, diags = outcome(report, "dup-b.rst")
        assert (status, diags) == ("warning", [("warning", "duplicate-slug", "dup-b.rst", 0)])
        assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == ["same-2.json", "same.json"]
        assert json.loads((tmp_path / "out" / "same-2.json").read_text())["meta"]["title"] == "Second"
        shutil.rmtree(tmp_path / "out")


def test_non_utf8_with_fallback_is_decoded_and_reported(tmp_path: Path) -> None:
    exit_code, report = run(tmp_path, BAD / "latin1.rst", config='encoding_fallback = "latin-1"\n')
    assert exit_code == 0
    assert outcome(report, "latin1.rst") == ("warning", [("warning", "encoding-fallback", "latin1.rst", 6)])
    doc = json.loads((tmp_path / "out" / "latin1.json").read_text(encoding="utf-8"))
    assert "Café au lait." in json.dumps(doc, ensure_ascii=False)


@pytest.mark.parametrize("target", ["json", "markdown", "hugo", "jekyll"])
def test_bom_and_crlf_are_silent(tmp_path: Path, target: str) -> None:
    clean = (BAD / "clean.rst").read_bytes()
    variants = {
        "bom": b"\xef\xbb\xbf" + clean,
        "crlf": clean.replace(b"\n", b"\r\n"),
        "both": b"\xef\xbb\xbf" + clean.replace(b"\n", b"\r\n"),
        "cr": clean.replace(b"\n", b"\r"),
    }
    outputs = {}
    for name, data in {"clean": clean, **variants}.items():
        d = tmp_path / name
        d.mkdir()
        (d / "clean.rst").write_bytes(data)
        exit_code, report = run(d, d / "clean.rst", target=target)
        assert exit_code == 0
        assert outcome(report, "clean.rst") == ("ok", [])
        (out,) = [p for p in (d / "out").rglob("*") if p.is_file() and ".migrate" not in p.parts]
        text = out.read_bytes()
        if target == "json":  # the JSON names the source and its hash: compare the document
            data_ = json.loads(text)
            data_.pop("source", None)
            text = json.dumps(data_, sort_keys=True).encode()
        outputs[name] = text
    for name in variants:
        assert outputs[name] == outputs["clean"], name


def test_binary_file_named_rst(tmp_path: Path) -> None:
    (tmp_path / "image.rst").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "ok.rst").write_bytes((BAD / "clean.rst").read_bytes())
    exit_code, report = run(tmp_path, tmp_path / "image.rst", tmp_path / "ok.rst")
    assert exit_code == 1
    assert outcome(report, "image.rst") == ("error", [("error", "binary", "image.rst", 0)])
    assert outcome(report, "ok.rst") == ("ok", [])


def test_five_megabyte_post(tmp_path: Path) -> None:
    prose = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 12
    parts = ["Big post\n========\n\n:date: 2013-09-07\n\n"]
    n = 0
    while sum(map(len, parts)) < 5 * 1024 * 1024:
        title = f"Section {n}"
        link = f"See *this* and `that <https://example.com/{n}>`__."
        parts.append(f"{title}\n{'-' * len(title)}\n\n{link}\n\n" + (prose.strip() + "\n\n") * 50)
        n += 1
    (tmp_path / "big.rst").write_text("".join(parts), encoding="utf-8")
    assert (tmp_path / "big.rst").stat().st_size >= 5 * 1024 * 1024
    exit_code, report = run(tmp_path, tmp_path / "big.rst", target="markdown")
    assert exit_code == 0
    assert outcome(report, "big.rst") == ("ok", [])
    md = (tmp_path / "out" / "big.md").read_text(encoding="utf-8")
    assert md.count("consectetur adipiscing elit") == 12 * 50 * n
    assert f"See *this* and [that](https://example.com/{n - 1})." in md


def _deep_list(n: int) -> str:
    return "Deep\n====\n\n:date: 2013-09-07\n\n" + "".join("  " * i + f"- item {i}\n\n" for i in range(n))


def _deep_quote(n: int) -> str:
    return "Deep\n====\n\n:date: 2013-09-07\n\n" + "".join("    " * i + f"quote {i}\n\n" for i in range(n))


def _deep_inline_list(n: int) -> str:
    return "Deep\n====\n\n:date: 2013-09-07\n\n" + "- " * n + "x\n"


@pytest.mark.parametrize("make", [_deep_list, _deep_quote, _deep_inline_list])
def test_hundreds_of_levels_fail_cleanly(tmp_path: Path, make) -> None:
    """Past MAX_NESTING: a clear error at the first too-deep line, text kept, no RecursionError."""
    (tmp_path / "deep.rst").write_text(make(500), encoding="utf-8")
    (tmp_path / "ok.rst").write_bytes((BAD / "clean.rst").read_bytes())
    exit_code, report = run(tmp_path, tmp_path / "deep.rst", tmp_path / "ok.rst", target="markdown")
    assert exit_code == 1
    status, diags = outcome(report, "deep.rst")
    # line 6 holds level 1 (list) or 0 (paragraph); each level adds two lines
    first_too_deep = {
        _deep_inline_list: 6,
        _deep_list: 6 + 2 * MAX_NESTING,
        _deep_quote: 8 + 2 * MAX_NESTING,
    }[make]
    assert status == "error"
    assert [d for d in diags if d[0] == "error"] == [
        ("error", "nesting-too-deep", "deep.rst", first_too_deep)
    ]
    assert "item 499" in (tmp_path / "out" / "deep.md").read_text() or make is not _deep_list
    assert outcome(report, "ok.rst") == ("ok", [])


@pytest.mark.parametrize("make", [_deep_list, _deep_quote, _deep_inline_list])
def test_nesting_up_to_the_limit_works_everywhere(make) -> None:
    """MAX_NESTING levels: read, JSON round trip and every emitter, with no RecursionError."""
    doc = migrate.read(make(MAX_NESTING - 1).encode(), path="deep.rst")
    assert [d.code for d in doc.diagnostics if d.severity != "info"] == []
    assert Document.from_json(doc.to_json()) == doc
    for target in ("json", "markdown", "hugo", "jekyll"):
        assert migrate.emit(doc, target)


@pytest.mark.parametrize(
    ("config", "slug"),
    [("", "unicode-title"), ('slug_strategy = "title"\n', "unicode-strasse")],
)
def test_unicode_title_slug_transliterated(tmp_path: Path, config: str, slug: str) -> None:
    exit_code, _ = run(tmp_path, BAD / "unicode-title.rst", config=config)
    assert exit_code == 0
    assert [p.name for p in (tmp_path / "out").glob("*.json")] == [f"{slug}.json"]


def test_unicode_title_slug_kept(tmp_path: Path) -> None:
    exit_code, _ = run(
        tmp_path, BAD / "unicode-title.rst", config='slug_strategy = "title"\nunicode_slugs = true\n'
    )
    assert exit_code == 0
    assert [p.name for p in (tmp_path / "out").glob("*.json")] == ["ünïcödé-straße.json"]


def test_punctuation_title_still_gets_a_valid_slug(tmp_path: Path) -> None:
    exit_code, _ = run(tmp_path, BAD / "punctuation-title.rst", config='slug_strategy = "title"\n')
    assert exit_code == 0
    (out,) = (tmp_path / "out").glob("*.json")
    assert out.stem.startswith("post-") and out.stem[5:].isalnum()
    assert json.loads(out.read_text())["meta"]["title"] == "?!?!"


def test_unknown_directive_and_role_are_kept() -> None:
    doc = migrate.read(BAD / "unknown-directive-role.rst")
    data = json.loads(doc.to_json())
    text = json.dumps(data)
    assert '"name": "frobnicate"' in text and '"role": "zork"' in text
    assert "Inner" in text and "role text" in text


def test_every_code_is_documented() -> None:
    """Every diagnostic / error code the source can emit is listed in docs/errors.md."""
    import re

    root = Path(__file__).resolve().parents[1]
    doc = (root / "docs" / "errors.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z][a-z0-9-]*)`", doc))
    patterns = [
        r'code="([a-z][a-z0-9-]+)"',
        r'Diagnostic\(\s*"(?:error|warning|info)",\s*"([a-z][a-z0-9-]+)"',
        r'\.add\(\s*"(?:error|warning|info)",\s*"([a-z][a-z0-9-]+)"',
        r'\bwarn\(\s*(?:[a-z_.]+,\s*)?"([a-z][a-z0-9-]+)"',
        r'_warn\(\s*\w+,\s*"([a-z][a-z0-9-]+)"',
        r'code = "(?:error|warning|info)", "([a-z][a-z0-9-]+)"',
    ]
    found: dict[str, str] = {}
    for path in sorted((root / "migrate").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            for m in re.finditer(pattern, text):
                found.setdefault(m.group(1), path.name)
    # built at run time: rst-<docutils level>, <knob>-disabled
    found.update(dict.fromkeys(["rst-info", "rst-warning", "rst-error", "rst-severe"], "rst.py"))
    found.update(dict.fromkeys(["file-insertion-disabled", "raw-disabled"], "directives.py"))
    assert len(found) > 30
    missing = {code: where for code, where in found.items() if code not in documented}
    assert not missing, f"add these codes to docs/errors.md: {missing}"
