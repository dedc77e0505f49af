"""The site index: every post of the batch, its old URLs and its new one.

Built in pass 1 from the documents alone (metadata, file names, section ids), so it is
the same whether the batch ran in one process or many: a :class:`Site` is plain data
(dataclasses, strings, tuples, dicts) and pickles.  Pass 2 resolves links against it
(:mod:`migrate.transforms.links`).

Library use::

    site = migrate.Site.build(docs, config, roots=["posts/"])
    post = site.find_old_url("/x/blog/2013/09/07/devstack-local-config/")[0]
    site.new_url(post, "hugo")  # '/posts/devstack-local-config/'
"""

from __future__ import annotations

import functools
import json
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from .cache import digest
from .config import Config
from .model import Div, Document, Figure, Heading, Metadata, Span, Table, Target, Topic, walk
from .paths import real_path
from .slug import slugify, stem_slug, title_slug

POST_SUFFIXES = (".rst", ".rest", ".txt")


@dataclass(frozen=True, slots=True)
class Post:
    """One post as the rest of the batch sees it.

    ``anchors`` maps every id a ``#fragment`` may name in the post (section ids, labels,
    targets) to the id the emitted page carries for it: a label written before a section
    (``.. _trunk-port-setup:``) maps to the section's own id.
    """

    source: str
    docname: str
    slug: str
    title: str
    date: datetime | None
    anchors: tuple[tuple[str, str], ...] = ()
    old_urls: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(k for k, _ in self.anchors)

    def anchor(self, fragment: str) -> str | None:
        """The emitted id for ``fragment`` (exact, then ignoring case), or None."""
        for k, v in self.anchors:
            if k == fragment:
                return v
        folded = fragment.lower()
        for k, v in self.anchors:
            if k.lower() == folded:
                return v
        return None

    def fields(self, section: str = "") -> dict[str, str]:
        """Values of the URL placeholders for this post (the date in its own zone, never UTC)."""
        values = self.placeholders(section)
        return {name: values[name] for name in PLACEHOLDERS}

    def placeholders(self, section: str = "") -> dict[str, str]:
        """:meth:`fields`, each computed only when a pattern asks for it (``fill``): a batch
        fills every post's patterns, and slugging titles it never uses was half the index."""
        return _Placeholders(self, section)


PLACEHOLDERS = ("year", "month", "day", "slug", "title_slug", "filename", "section", "categories")


class _Placeholders(dict):
    def __init__(self, post: Post, section: str) -> None:
        super().__init__(slug=post.slug, section=section)
        self.post = post

    def __missing__(self, name: str) -> str:
        post, d = self.post, self.post.date
        if name == "year":
            value = f"{d.year:04d}" if d else ""
        elif name == "month":
            value = f"{d.month:02d}" if d else ""
        elif name == "day":
            value = f"{d.day:02d}" if d else ""
        elif name == "title_slug":
            value = title_slug(post.title) if post.title else post.slug
        elif name == "filename":
            value = stem_slug(post.source)
        elif name == "categories":
            value = "/".join(slugify(c) for c in post.categories)
        else:
            raise KeyError(name)  # str.format_map reports the unknown placeholder
        self[name] = value
        return value


def post_fingerprint(post: Post) -> str:
    """What another post's rendering may depend on: this post's URL inputs and anchors."""
    return digest(
        post.slug,
        post.title,
        post.date.isoformat() if post.date else "",
        post.docname,
        json.dumps(post.anchors),
        "\n".join(post.old_urls),
        "\n".join(post.categories),
    )


def fill(pattern: str, values: dict[str, str]) -> str:
    """Apply a URL pattern; empty placeholders leave no double slashes."""
    url = pattern.format_map(values)
    return re.sub(r"/{2,}", "/", url) if "//" in url else url


@functools.lru_cache(maxsize=64)
def _uses_date(pattern: str) -> bool:
    return bool({"{year}", "{month}", "{day}"} & set(re.findall(r"\{\w+\}", pattern)))


def url_key(url: str) -> str:
    """Lookup form of a site-relative URL: no query, fragment, trailing slash or ``index.html``."""
    path = url.split("#", 1)[0].split("?", 1)[0]
    if path.endswith("/index.html") or path == "index.html":
        path = path[: -len("index.html")]
    return path.rstrip("/") or "/"


def section_anchors(doc: Document) -> tuple[tuple[str, str], ...]:
    """(id a fragment may name, id the emitted page carries) for every anchor of ``doc``."""
    out: dict[str, str] = {}
    for n in walk(doc.blocks):
        if isinstance(n, Heading):
            primary = n.id or next((i for i in n.extra_ids if i), "")
            for i in (n.id, *n.extra_ids):
                if i:
                    out.setdefault(i, primary)
        elif isinstance(n, (Target, Span, Table, Topic, Figure, Div)) and getattr(n, "id", ""):
            out.setdefault(n.id, n.id)
    return tuple(sorted(out.items()))


def section_ids(doc: Document) -> frozenset[str]:
    """Every id a ``#fragment`` may point at in this post."""
    return frozenset(k for k, _ in section_anchors(doc))


def claims(post: Post) -> Iterator[tuple[str, str, str | None]]:
    """``(lookup table, key, value)`` for every name the post may be linked by, in the order
    they are claimed: the first post to claim a key keeps it.  Label keys carry the id the
    page gives the label (``by_label`` maps to ``(post, id)``)."""
    yield "by_slug", post.slug, None
    yield "by_docname", post.docname, None
    for url in post.old_urls:
        key = url_key(url)
        yield "by_old_url", key, None
        yield "by_old_url_folded", key.lower(), None
    for k, v in post.anchors:
        yield "by_label", k, v


@dataclass
class Site:
    """Every post of the batch, indexed by each way a link may name it.

    Plain data: it pickles, and two sites built from the same documents compare equal.
    """

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
    def build(
        cls, docs: Iterable[Document], config: Config | None = None, roots: Sequence[str | Path] = ()
    ) -> Site:
        """Index ``docs`` (``roots``: the source directories ``:doc:`` names are relative to)."""
        site = cls(config=config or Config(), roots=tuple(str(Path(r).resolve()) for r in roots))
        for doc in docs:
            site.add(doc)
        return site

    def docname(self, source: str, real: bool = False) -> str:
        """Sphinx-style document name: the path below a source root, without suffix."""
        p = source if real else real_path(source)
        for root in self.roots:
            prefix = root.rstrip(os.sep) + os.sep
            if p.startswith(prefix):
                return posixpath.splitext(p[len(prefix) :].replace(os.sep, "/"))[0]
        return posixpath.splitext(os.path.basename(p))[0]

    def old_urls_of(self, post: Post, aliases: Iterable[str] = ()) -> tuple[str, ...]:
        """The post's URLs on the old site: each ``old_permalink`` pattern, then its aliases."""
        fields = post.placeholders()
        olds = [fill(p, fields) for p in self.config.old_permalink if post.date or not _uses_date(p)]
        for a in aliases:
            # an absolute alias is this post's own old address: keep its path, whatever the host
            local = (self.local_path(a) or urlsplit(a).path or "/") if "://" in a else a
            olds.append(local if local.startswith("/") else "/" + local)
        return tuple(dict.fromkeys(olds))

    def add(self, doc: Document) -> Post:
        """Index one document (the first post to claim a slug, name or old URL keeps it)."""
        return self.add_entry(doc.source.path, doc.meta, section_anchors(doc))

    def add_entry(self, source: str, meta: Metadata, anchors: tuple[tuple[str, str], ...] = ()) -> Post:
        """Index one post from its metadata and anchors alone (what pass 1 sends back)."""
        real = real_path(source)
        post = Post(
            source=real,
            docname=self.docname(real, real=True),
            slug=meta.slug,
            title=meta.title,
            date=meta.date,
            anchors=tuple(tuple(a) for a in anchors),  # type: ignore[misc]
            categories=meta.categories,
        )
        post = replace(post, old_urls=self.old_urls_of(post, meta.aliases))
        self._index_post(post)
        return post

    def _index_post(self, post: Post) -> None:
        self.posts.append(post)
        self.by_source[post.source] = post  # the last post read from a file stands for it
        self.by_name.setdefault(Path(post.source).name, []).append(post)
        for table, key, value in claims(post):
            getattr(self, table).setdefault(key, (post, value) if value is not None else post)

    # ------------------------------------------------------------------ lookups

    def fingerprint_of(self, source: str) -> str | None:
        """:func:`post_fingerprint` of the post read from ``source`` (a real path), if any."""
        post = self.by_source.get(source)
        return post_fingerprint(post) if post is not None else None

    def post_for(self, source: str | Path) -> Post | None:
        return self.by_source.get(real_path(source))

    def local_path(self, url: str) -> str | None:
        """The path of ``url`` when it is on the old site (relative to its root), else None.

        Site-absolute paths (``/x/blog/...``) are on the old site; so are ``http(s)`` URLs
        on the host of ``old_base_url`` (and below its path, which is stripped).
        """
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc:
            return url if url.startswith("/") else None
        base = urlsplit(self.config.old_base_url) if self.config.old_base_url else None
        if base and parts.netloc.lower() == base.netloc.lower() and parts.scheme in ("http", "https", ""):
            prefix = base.path.rstrip("/")
            path = parts.path or "/"
            if prefix:
                if path != prefix and not path.startswith(prefix + "/"):
                    return path + (f"#{parts.fragment}" if parts.fragment else "")
                path = path[len(prefix) :] or "/"
            return path + (f"#{parts.fragment}" if parts.fragment else "")
        return None

    def find_old_url(self, path: str) -> tuple[Post | None, bool]:
        """Post whose old URL is ``path``; the flag says the match needed case folding."""
        key = url_key(path)
        post = self.by_old_url.get(key)  # one lookup, not "in" then "[]" (a query each in a SiteDB)
        if post is not None:
            return post, False
        post = self.by_old_url_folded.get(key.lower())
        return post, post is not None

    def find_relative_url(self, target: str, from_post: Post) -> tuple[Post | None, bool]:
        """A relative URL (``../devstack-local-config/``) read against the linking post's old URLs."""
        for old in from_post.old_urls:
            base = old if old.endswith("/") else posixpath.dirname(old) + "/"
            path = posixpath.normpath(posixpath.join(base, target.split("#", 1)[0]))
            post, folded = self.find_old_url(path)
            if post is not None:
                return post, folded
        return None, False

    def find_file(self, target: str, from_source: str) -> Post | None:
        """A post named by file: relative to the linking post, then by bare file name if unique."""
        base = posixpath.dirname(Path(from_source).as_posix())
        cand = Path(posixpath.normpath(posixpath.join(base, target)))
        post = self.by_source.get(real_path(cand))
        if post:
            return post
        matches = self.by_name.get(PurePosixPath(target).name, [])
        return matches[0] if len(matches) == 1 else None

    def find_doc(self, name: str, from_post: Post | None) -> Post | None:
        """Sphinx ``:doc:`` target: absolute from the source root, or relative to the linking post."""
        name = name.removesuffix(".rst").removesuffix(".txt").rstrip("/")
        if name.startswith("/"):
            return self.by_docname.get(name.lstrip("/"))
        if from_post is not None:
            rel = posixpath.normpath(posixpath.join(posixpath.dirname(from_post.docname), name))
            post = self.by_docname.get(rel)
            if post is not None:
                return post
        return self.by_docname.get(name) or self.by_slug.get(name)

    def find_label(self, label: str) -> tuple[Post, str] | None:
        """Sphinx ``:ref:`` label -> (post, emitted id); labels are normalized the way docutils makes ids."""
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
        return fill(pattern, post.placeholders(section=cfg.hugo_section))
