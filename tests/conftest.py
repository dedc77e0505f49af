"""Shared paths: the project's own samples, and the real corpus beside the checkout (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    """The real-post corpus in ../shared/corpus; tests using it skip cleanly when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present beside the checkout")
    return CORPUS


def corpus_posts() -> list[Path]:
    """Every post of the corpus (for parametrized tests); empty when the corpus is absent."""
    if not CORPUS.is_dir():
        return []
    from migrate.pipeline import discover

    return discover([CORPUS])
