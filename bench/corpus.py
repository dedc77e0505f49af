"""Generate a benchmark blog of N posts shaped like samples/ and ../shared/corpus/, cross-linked.

Each generated post takes the body of a real YAML-front-matter post (from samples/ and,
when present, ../shared/corpus/yaml-frontmatter/), gets its own title, date, tags and
categories, and links to three earlier posts: by old permalink, by ``.rst`` file name, and by
old permalink with a ``#fragment``.  The result is deterministic for a given N.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_DIRS = [ROOT / "samples", ROOT.parent / "shared" / "corpus" / "yaml-frontmatter"]
CONFIG = """timezone = "UTC"
default_author = "Bench Mark"
old_permalink = "/x/blog/{year}/{month}/{day}/{title_slug}/"
old_base_url = "https://old.example.com"
"""
TAGS = ["openstack", "devstack", "python", "homelab", "zfs", "network", "docs", "cloud", "linux", "pi"]
CATEGORIES = ["OpenStack", "Homelab", "Programming", "Notes"]


def templates() -> list[str]:
    """Bodies (front matter removed) of the real YAML-front-matter posts."""
    bodies = []
    for d in TEMPLATE_DIRS:
        if not d.is_dir():
            continue
        for f in sorted(d.glob("*.rst")):
            text = f.read_text(encoding="utf-8")
            m = re.match(r"---\n.*?\n---\n", text, re.S)
            if not m or "someday soon" in m.group(0):
                continue
            bodies.append(text[m.end() :])
    return bodies


def generate(dest: Path, n: int, seed: int = 7) -> list[Path]:
    """Write ``n`` posts and a ``migrate.toml`` into ``dest``; return the post paths."""
    rnd = random.Random(seed)
    bodies = templates()
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "migrate.toml").write_text(CONFIG, encoding="utf-8")
    paths = []
    meta = []
    for i in range(n):
        year = 2010 + i // 336
        month = (i // 28) % 12 + 1
        day = i % 28 + 1
        title = f"Post number {i} about {rnd.choice(TAGS)}"
        slug_title = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        name = f"{year}{month:02d}{day:02d}-post-{i:05d}.rst"
        meta.append((name, f"/x/blog/{year}/{month:02d}/{day:02d}/{slug_title}/"))
        links = []
        if i >= 3:
            a, b, c = rnd.sample(range(i), 3)
            links = [
                f"See `an earlier post <{meta[a][1]}>`_,",
                f"`the sibling file <{meta[b][0]}>`_ and",
                f"`a section <{meta[c][1]}#notes>`_.",
            ]
        body = bodies[i % len(bodies)]
        text = (
            f"---\ntitle: {title}\ndate: {year}-{month:02d}-{day:02d} {i % 24:02d}:{i % 60:02d}:00\n"
            f"categories: {rnd.choice(CATEGORIES)}, {rnd.choice(CATEGORIES)}\n"
            f"tags: {' '.join(rnd.sample(TAGS, 2))}\n---\n\n"
            f"{' '.join(links)}\n\n{body}\n\nNotes\n-----\n\nGenerated post {i}.\n"
        )
        path = dest / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
