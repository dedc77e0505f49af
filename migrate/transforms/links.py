"""Rewrite internal links to the new site, and say what happened to every one of them.

Pure: ``rewrite(doc, site, target) -> (doc, records, assets)``.  A link that looks internal
but resolves to nothing is left exactly as written and recorded as broken.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ..model import Document, Image, Link
from ..site import Post, Site
from .base import rebuild

PELICAN = re.compile(
    r"^(?:\{(filename|static|attach|tag|category|author|index)\}|\|(filename|static|attach)\|)(.*)$"
)
ASSET_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp", ".pdf", ".zip", ".gz",
    ".tgz", ".txt", ".csv", ".mp3", ".mp4", ".webm", ".ogg", ".tar", ".xz", ".py", ".sh", ".json",
}  # fmt: skip
POST_SUFFIXES = (".rst", ".rest")


@dataclass(frozen=True)
class LinkRecord:
    """What became of one link.  ``status``: resolved, broken, external, anchor, asset."""

    source: str
    line: int
    target: str
    kind: str
    status: str
    new: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Asset:
    """A file to copy: from ``src`` (absolute) to ``dest`` (relative to the output directory)."""

    src: str
    dest: str
    exists: bool = True


@dataclass(frozen=True)
class Resolution:
    post: Post | None = None
    fragment: str = ""
    asset: str = ""
    reason: str = ""
    folded: bool = False


def _split_fragment(target: str) -> tuple[str, str]:
    path, _, frag = target.partition("#")
    return path, frag


class LinkResolver:
    """Resolve link targets of one post against the site."""

    def __init__(self, site: Site, post: Post) -> None:
        self.site = site
        self.post = post
        self.base = PurePosixPath(Path(post.source).as_posix()).parent

    def resolve(self, target: str, kind: str) -> Resolution | None:
        """None for links that are not internal (external URLs, mail); else a Resolution."""
        if kind == "ref":
            hit = self.site.find_label(target)
            if hit:
                return Resolution(post=hit[0], fragment=hit[1])
            return Resolution(reason=f"no label '{target}' in any post")
        if kind == "doc":
            path, frag = _split_fragment(target)
            post = self.site.find_doc(path, self.post)
            return Resolution(post=post, fragment=frag) if post else Resolution(reason="no such document")
        m = PELICAN.match(target)
        if m:
            what = m.group(1) or m.group(2)
            rest = m.group(3)
            if what == "filename":
                return self._file(rest)
            if what in ("static", "attach"):
                return self._asset(rest)
            return Resolution(reason=f"Pelican {{{what}}} links have no equivalent page")
        if target.startswith("link://"):
            return self._nikola(target[len("link://") :])
        if target.startswith("#"):
            return None  # same-page anchors are checked by the emitter-independent verifier
        local = self.site.local_path(target)
        parts = urlsplit(target)
        if local is None and (parts.scheme or parts.netloc):
            return None
        if local is not None:
            return self._old_url(local)
        path, _ = _split_fragment(target)
        suffix = PurePosixPath(unquote(path)).suffix.lower()
        if suffix in POST_SUFFIXES or (suffix == ".txt" and self.site.find_file(path, self.post.source)):
            return self._file(target)
        if suffix in ASSET_SUFFIXES:
            return self._asset(target)
        return None  # a relative link to something that is not a post or a file: leave it

    def _file(self, target: str) -> Resolution:
        path, frag = _split_fragment(target)
        path = unquote(path)
        if path.startswith("/"):
            for root in self.site.roots:
                post = self.site.by_source.get(str((Path(root) / path.lstrip("/")).resolve()))
                if post:
                    return Resolution(post=post, fragment=frag)
            path = path.lstrip("/")
        post = self.site.find_file(path, self.post.source)
        return (
            Resolution(post=post, fragment=frag) if post else Resolution(reason="no post with this file name")
        )

    def _nikola(self, rest: str) -> Resolution:
        kind, _, name = rest.partition("/")
        name, frag = _split_fragment(name)
        if kind == "slug":
            post = self.site.by_slug.get(name)
        elif kind in ("post_path", "filename"):
            post = self._file(name).post
        else:
            return Resolution(reason=f"Nikola link://{kind}/ has no equivalent page")
        return (
            Resolution(post=post, fragment=frag) if post else Resolution(reason=f"no post for link://{rest}")
        )

    def _old_url(self, path: str) -> Resolution:
        path, frag = _split_fragment(path)
        post, folded = self.site.find_old_url(path)
        if post:
            return Resolution(post=post, fragment=frag, folded=folded)
        if PurePosixPath(path).suffix.lower() in ASSET_SUFFIXES:
            return self._asset(path)
        return Resolution(reason="no post has this old URL")

    def _asset(self, target: str) -> Resolution:
        path, _ = _split_fragment(unquote(target))
        candidates = []
        if path.startswith("/"):
            static = self.site.config.static_root
            if static:
                candidates.append(Path(static) / path.lstrip("/"))
            candidates.extend(Path(r) / path.lstrip("/") for r in self.site.roots)
        else:
            candidates.append(Path(posixpath.normpath(str(self.base / path))))
            if self.site.config.static_root:
                candidates.append(Path(self.site.config.static_root) / path)
        for c in candidates:
            if c.is_file():
                return Resolution(asset=str(c.resolve()))
        return Resolution(reason="file not found", asset=str(candidates[0]) if candidates else path)


def _line_of(text: str, needle: str) -> int:
    if not text or not needle:
        return 0
    i = text.find(needle)
    return text.count("\n", 0, i) + 1 if i >= 0 else 0


def post_link(site: Site, post: Post, fragment: str, target: str) -> str:
    """How a link to ``post`` is written for ``target`` (shortcode, Liquid tag or plain URL)."""
    frag = f"#{fragment}" if fragment else ""
    cfg = site.config
    if target == "hugo" and cfg.hugo_links == "ref":
        return f'{{{{< ref "/{cfg.hugo_section}/{post.slug}{frag}" >}}}}'
    if target == "jekyll" and cfg.jekyll_links == "post_url" and post.date:
        return f"{{% post_url {post.date:%Y-%m-%d}-{post.slug} %}}{frag}"
    return site.new_url(post, target) + frag


def asset_dest(site: Site, post: Post, src: str, target: str) -> tuple[str, str]:
    """(output path, link) of an asset for ``target``: Hugo page bundles, Jekyll ``assets/``."""
    name = Path(src).name
    rel = name
    for root in (site.config.static_root, *site.roots):
        if root and Path(src).resolve().is_relative_to(Path(root).resolve()):
            rel = Path(src).resolve().relative_to(Path(root).resolve()).as_posix()
            break
    if target == "hugo":
        return f"content/{site.config.hugo_section}/{post.slug}/{name}", name
    if target == "jekyll":
        return f"assets/{rel}", f"/assets/{rel}"
    return f"assets/{rel}", f"assets/{rel}"


def rewrite(
    doc: Document, site: Site, target: str, source_text: str = ""
) -> tuple[Document, list[LinkRecord], list[Asset]]:
    """Rewrite every internal link and local image of ``doc``; record each link's fate."""
    post = site.by_source.get(str(Path(doc.source.path).resolve()))
    if post is None:
        return doc, [], []
    resolver = LinkResolver(site, post)
    records: list[LinkRecord] = []
    assets: dict[str, Asset] = {}

    def record(
        original: str, kind: str, status: str, new: str = "", reason: str = "", needle: str = ""
    ) -> None:
        line = _line_of(source_text, needle or original)
        records.append(LinkRecord(doc.source.path, line, original, kind, status, new, reason))

    def asset_link(src: str, original: str, kind: str) -> str:
        dest, link = asset_dest(site, post, src, target)
        exists = Path(src).is_file()
        assets.setdefault(dest, Asset(src, dest, exists))
        record(original, kind, "asset" if exists else "broken", link, "" if exists else "file not found")
        return link

    def fix(node):
        if isinstance(node, Link):
            kind = node.kind
            original = node.original or node.target
            needle = f":{kind}:" if kind in ("ref", "doc") else original
            res = resolver.resolve(node.target, kind)
            if res is None:
                if node.target.startswith("#") and node.target[1:] not in post.ids:
                    record(original, kind, "broken", reason="no such anchor in this post")
                elif node.target.startswith("#"):
                    record(original, kind, "anchor", node.target)
                else:
                    record(original, kind, "external", node.target)
                return node
            if res.post is not None:
                new = post_link(site, res.post, res.fragment, target)
                reason = ""
                if res.fragment and res.fragment not in res.post.ids:
                    reason = f"no section '#{res.fragment}' in the target post"
                if res.folded:
                    reason = reason or "matched an old URL ignoring case"
                status = "broken" if reason.startswith("no section") else "resolved"
                record(original, kind, status, new, reason, needle)
                return dataclasses.replace(node, target=new, kind="post", original=original)
            if res.asset and Path(res.asset).is_file():
                link = asset_link(res.asset, original, kind)
                return dataclasses.replace(node, target=link, kind="file", original=original)
            record(original, kind, "broken", reason=res.reason or "not found", needle=needle)
            return node
        if isinstance(node, Image):
            src = node.src
            res = resolver.resolve(src, "url")
            changes = {}
            if res is not None and res.asset and Path(res.asset).is_file():
                changes["src"] = asset_link(res.asset, src, "image")
            elif res is not None and (res.asset or res.reason):
                record(src, "image", "broken", reason=res.reason or "file not found")
            if node.target:
                tres = resolver.resolve(node.target, "url")
                if tres is not None and tres.post is not None:
                    changes["target"] = post_link(site, tres.post, tres.fragment, target)
                elif tres is not None and tres.asset and Path(tres.asset).is_file():
                    changes["target"] = asset_link(tres.asset, node.target, "image-target")
            return dataclasses.replace(node, **changes) if changes else node
        return node

    blocks = rebuild(doc.blocks, fix)
    meta = doc.meta
    if post.old_urls:
        meta = dataclasses.replace(meta, aliases=post.old_urls)
    return dataclasses.replace(doc, blocks=blocks, meta=meta), records, list(assets.values())
