"""migrate: move legacy reStructuredText blogs to new platforms without losing a word, a link or a date."""

__version__ = "0.1.0"
