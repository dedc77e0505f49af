"""Every real post of the shared corpus parses without exception and yields blocks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migrate.model import Document, Metadata
from migrate.readers.rst import parse_rst

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
POSTS = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".rst", ".txt")) if CORPUS.is_dir() else []


def blank_front_matter(text: str) -> str:
    """Blank (not remove) a leading YAML/TOML block or Nikola ``.. key: value`` comments,
    so line numbers stay the file's (the real splitter lives in readers/metadata.py)."""
    lines = text.split("\n")
    if lines and lines[0].strip() in ("---", "+++"):
        fence = lines[0].strip()
        for i in range(1, len(lines)):
            if lines[i].strip() == fence:
                return "\n".join([""] * (i + 1) + lines[i + 1 :])
    i = 0
    while i < len(lines) and re.match(r"^\.\. [\w-]+:(?!:)", lines[i]):
        i += 1
    if i:
        return "\n".join([""] * i + lines[i:])
    return text


@pytest.mark.skipif(not POSTS, reason="../shared/corpus is not present beside the checkout")
@pytest.mark.parametrize("post", POSTS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_corpus_post_parses(post: Path) -> None:
    text = blank_front_matter(post.read_text(encoding="utf-8", errors="replace"))
    result = parse_rst(text, str(post))
    assert result.blocks, f"{post}: no blocks"
    assert not [d for d in result.diagnostics if d.code in ("rst-crash", "rst-walk")], result.diagnostics
    # the model must serialize (the JSON emitter relies on it)
    doc = Document(Metadata(), result.blocks)
    assert Document.from_json(doc.to_json()) == doc
