"""The site index: every post of the batch, its old URLs and its new one.

Built in pass 1 from the documents alone (metadata, file names, section ids), so it is
the same whether the batch ran in one process or many.  Pass 2 resolves links against
it (:mod:`migrate.transforms.links`).
"""

from __future__ import annotations

import posixpath
import re
import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .config import Config
from .model import Div, Document, Figure, Heading, Span, Table, Target, Topic, walk
from .slug import slugify, stem_slug, title_slug

POST_SUFFIXES = (".rst", ".rest", ".txt")


@dataclass(frozen=True)
class Post:
    """One post as the rest of the batch sees it."""

    source: str
    docname: str
    slug: str
    title: str
    date: datetime | None
    ids: frozenset[str] = frozenset()
    old_urls: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    def fields(self, section: str = "") -> dict[str, str]:
        """Values of the URL placeholders for this post (the date in its own zone, never UTC)."""
        d = self.date
        return {
            "year": f"{d.year:04d}" if d else "",
            "month": f"{d.month:02d}" if d else "",
            "day": f"{d.day:02d}" if d else "",
            "slug": self.slug,
            "title_slug": title_slug(self.title) if self.title else self.slug,
            "filename": stem_slug(self.source),
            "section": section,
            "categories": "/".join(slugify(c) for c in self.categories),
        }


def fill(pattern: str, values: dict[str, str]) -> str:
    """Apply a URL pattern; empty placeholders leave no double slashes."""
    url = string.Formatter().vformat(pattern, (), values)
    return re.sub(r"/{2,}", "/", url)


def url_key(url: str) -> str:
    """Lookup form of a site-relative URL: no trailing slash or ``index.html``."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    if path.endswith("/index.html"):
        path = path[: -len("index.html")]
    return path.rstrip("/") or "/"


def section_ids(doc: Document) -> frozenset[str]:
    """Every id a ``#fragment`` may point at in this post."""
    ids: set[str] = set()
    for n in walk(doc.blocks):
        if isinstance(n, Heading):
            ids.add(n.id)
            ids.update(n.extra_ids)
        elif isinstance(n, (Target, Span, Table, Topic, Figure, Div)) and getattr(n, "id", ""):
            ids.add(n.id)
    ids.discard("")
    return frozenset(ids)


@dataclass
class Site:
    """Every post of the batch, indexed by each way a link may name it."""

    posts: list[Post] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    roots: tuple[str, ...] = ()
    by_source: dict[str, Post] = field(default_factory=dict)
    by_name: dict[str, list[Post]] = field(default_factory=dict)
    by_slug: dict[str, Post] = field(default_factory=dict)
    by_docname: dict[str, Post] = field(default_factory=dict)
    by_old_url: dict[str, Post] = field(default_factory=dict)
    by_old_url_folded: dict[str, Post] = field(default_factory=dict)
    by_label: dict[str, tuple[Post, str]] = field(default_factory=dict)

    @classmethod
    def build(cls, docs: Iterable[Document], config: Config, roots: Sequence[str | Path] = ()) -> Site:
        site = cls(config=config, roots=tuple(str(Path(r).resolve()) for r in roots))
        for doc in docs:
            site.add(doc)
        return site

    def docname(self, source: str) -> str:
        p = Path(source).resolve()
        for root in self.roots:
            if p.is_relative_to(root):
                return PurePosixPath(p.relative_to(root).as_posix()).with_suffix("").as_posix()
        return PurePosixPath(p.name).with_suffix("").as_posix()

    def add(self, doc: Document) -> Post:
        meta = doc.meta
        post = Post(
            source=str(Path(doc.source.path).resolve()),
            docname=self.docname(doc.source.path),
            slug=meta.slug,
            title=meta.title,
            date=meta.date,
            ids=section_ids(doc),
            categories=meta.categories,
        )
        olds = [fill(p, post.fields()) for p in self.config.old_permalink if post.date or "{year}" not in p]
        olds.extend(a if a.startswith("/") or "://" in a else "/" + a for a in meta.aliases)
        post = Post(**{**post.__dict__, "old_urls": tuple(dict.fromkeys(olds))})
        self.posts.append(post)
        self.by_source[post.source] = post
        self.by_name.setdefault(Path(post.source).name, []).append(post)
        self.by_slug.setdefault(post.slug, post)
        self.by_docname.setdefault(post.docname, post)
        for url in post.old_urls:
            key = url_key(self.local_path(url) or url)
            self.by_old_url.setdefault(key, post)
            self.by_old_url_folded.setdefault(key.lower(), post)
        for i in post.ids:
            self.by_label.setdefault(i, (post, i))
        return post

    # ------------------------------------------------------------------ lookups

    def local_path(self, url: str) -> str | None:
        """The path of ``url`` when it is on the old site (relative to its root), else None."""
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc:
            return url if url.startswith("/") else None
        base = urlsplit(self.config.old_base_url) if self.config.old_base_url else None
        if base and parts.netloc.lower() == base.netloc.lower() and parts.scheme in ("http", "https"):
            prefix = base.path.rstrip("/")
            path = parts.path or "/"
            if prefix and path.startswith(prefix):
                path = path[len(prefix) :] or "/"
            return path + (f"#{parts.fragment}" if parts.fragment else "")
        return None

    def find_old_url(self, path: str) -> tuple[Post | None, bool]:
        """Post whose old URL is ``path``; the flag says the match needed case folding."""
        key = url_key(path)
        if key in self.by_old_url:
            return self.by_old_url[key], False
        post = self.by_old_url_folded.get(key.lower())
        return post, post is not None

    def find_file(self, target: str, from_source: str) -> Post | None:
        """A post named by file: relative to the linking post, then by bare file name."""
        base = posixpath.dirname(Path(from_source).as_posix())
        cand = Path(posixpath.normpath(posixpath.join(base, target)))
        post = self.by_source.get(str(cand.resolve()))
        if post:
            return post
        matches = self.by_name.get(PurePosixPath(target).name, [])
        return matches[0] if len(matches) == 1 else None

    def find_doc(self, name: str, from_post: Post | None) -> Post | None:
        """Sphinx ``:doc:`` target: absolute from the source root, or relative to the linking post."""
        name = name.removesuffix(".rst").removesuffix(".txt")
        if name.startswith("/"):
            return self.by_docname.get(name.lstrip("/"))
        if from_post is not None:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(from_post.docname), name))
            if rel in self.by_docname:
                return self.by_docname[rel]
        return self.by_docname.get(name) or self.by_slug.get(name)

    def find_label(self, label: str) -> tuple[Post, str] | None:
        """Sphinx ``:ref:`` label -> (post, id); labels are normalized the way docutils makes ids."""
        from docutils.nodes import make_id

        return self.by_label.get(make_id(label))

    # ------------------------------------------------------------------ new URLs

    def new_url(self, post: Post, target: str) -> str:
        """The post's URL on the new site for ``target`` (from the ``*_permalink`` patterns)."""
        cfg = self.config
        pattern = {
            "hugo": cfg.hugo_permalink,
            "jekyll": cfg.jekyll_permalink,
            "html": cfg.html_permalink,
        }.get(target, cfg.markdown_permalink)
        return fill(pattern, post.fields(section=cfg.hugo_section))
