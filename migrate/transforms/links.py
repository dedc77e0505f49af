"""Rewrite internal links to the new site, and say what happened to every one of them.

Pure: ``rewrite(doc, site, target) -> (doc, records, assets)``.  A link that looks internal
but resolves to nothing is left exactly as written and recorded as broken.  The rules, in
the order they are tried, are documented in ``docs/links.md``.
"""

from __future__ import annotations

import bisect
import dataclasses
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import unquote

from ..model import Document, Image, Link, plain_text, walk
from ..paths import real_path
from ..site import Post, Site
from .base import rebuild

PELICAN = re.compile(
    r"^(?:\{(filename|static|attach|tag|category|author|index)\}|\|(filename|static|attach|tag|category|author)\|)(.*)$"
)
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
ASSET_SUFFIXES = {
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico", ".bmp", ".pdf", ".zip", ".gz",
    ".tgz", ".txt", ".csv", ".mp3", ".mp4", ".webm", ".ogg", ".tar", ".xz", ".py", ".sh", ".json",
}  # fmt: skip
PAGE_SUFFIXES = ("", ".html", ".htm", ".php", ".asp", ".aspx", ".shtml")
POST_SUFFIXES = (".rst", ".rest")
STATUSES = ("resolved", "asset", "broken", "external", "anchor")


class LinkRecord(NamedTuple):
    """What became of one link.

    ``status``: ``resolved`` (to another post, or a section of one), ``asset`` (a local file,
    copied), ``broken`` (looks internal, resolves to nothing: left unchanged), ``external``,
    ``anchor`` (a section of the same post).  ``new`` is the link as written in the output.
    A named tuple: a batch keeps one per link of every post in its report, and re-creates
    them from the cache on every re-run, so they are built and stored as cheaply as Python
    allows.
    """

    source: str
    line: int
    target: str
    kind: str
    status: str
    new: str = ""
    reason: str = ""
    target_source: str = ""
    """For links to another post: that post's source path (incremental runs track it); for
    assets, the file copied."""


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


def _suffix(path: str) -> str:
    return PurePosixPath(unquote(path.split("?", 1)[0])).suffix.lower()


class LinkResolver:
    """Resolve link targets of one post against the site."""

    def __init__(self, site: Site, post: Post) -> None:
        self.site = site
        self.post = post
        self.base = PurePosixPath(Path(post.source).as_posix()).parent

    def resolve(self, target: str, kind: str) -> Resolution | None:
        """None for links that are not internal (external URLs, mail, same-page anchors)."""
        if kind == "ref":
            hit = self.site.find_label(target)
            if hit:
                return Resolution(post=hit[0], fragment=hit[1])
            return Resolution(reason=self._foreign(target) or f"no label '{target}' in any post")
        if kind == "doc":
            path, frag = _split_fragment(target)
            post = self.site.find_doc(path, self.post)
            if post:
                return Resolution(post=post, fragment=frag)
            return Resolution(reason=self._foreign(path) or f"no document '{path}' in the batch")
        if kind == "email" or not target:
            return None
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
            return None  # same-page anchors: checked against the post's own ids by rewrite()
        local = self.site.local_path(target)
        if local is not None:
            return self._old_url(local)
        if SCHEME.match(target) or target.startswith("//"):
            return None
        return self._relative(target)

    def _foreign(self, target: str) -> str:
        """Reason for an intersphinx-style ``project:target``, else ''."""
        if re.match(r"^[A-Za-z][\w.-]*:[^/]", target) and not target.startswith(("http:", "https:")):
            return f"intersphinx target (project '{target.split(':', 1)[0]}') is outside this site"
        return ""

    def _relative(self, target: str) -> Resolution:
        """A relative link: a sibling post file, an old URL relative to this post's, or a file."""
        path, frag = _split_fragment(target)
        suffix = _suffix(path)
        if suffix in POST_SUFFIXES or (
            suffix == ".txt" and self.site.find_file(unquote(path), self.post.source)
        ):
            return self._file(target)
        if path in ("", ".", "./"):
            return Resolution(post=self.post, fragment=frag)
        post, folded = self.site.find_relative_url(path, self.post)
        if post is not None:
            return Resolution(post=post, fragment=frag, folded=folded)
        asset = self._asset(target)
        if asset.asset and Path(asset.asset).is_file():
            return asset
        if suffix in ASSET_SUFFIXES:
            return asset
        return Resolution(
            reason="relative link to no post and no file (read against the post's old URLs and its folder)"
        )

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
        if post:
            return Resolution(post=post, fragment=frag)
        if _suffix(path) not in (*POST_SUFFIXES, ".txt", ".md", ".markdown", ".html"):
            return self._asset(target)  # Pelican {filename} also names images and files
        same = self.site.by_name.get(PurePosixPath(path).name, [])
        if len(same) > 1:
            return Resolution(reason=f"ambiguous: {len(same)} posts are named '{PurePosixPath(path).name}'")
        return Resolution(reason=f"no post '{path}' in the batch")

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
        if _suffix(path) not in PAGE_SUFFIXES:
            return self._asset(path)
        return Resolution(reason="no post has this old URL")

    def _asset(self, target: str) -> Resolution:
        path, _ = _split_fragment(unquote(target))
        path = path.split("?", 1)[0]
        static = self.site.config.static_root
        candidates: list[Path] = []
        if path.startswith("/"):
            if static:
                candidates.append(Path(static) / path.lstrip("/"))
            candidates.extend(Path(r) / path.lstrip("/") for r in self.site.roots)
            candidates.append(Path(self.base) / path.lstrip("/"))
        else:
            candidates.append(Path(posixpath.normpath(str(self.base / path))))
            if static:
                candidates.append(Path(static) / path)
        for c in candidates:
            if c.is_file():
                return Resolution(asset=str(c.resolve()))
        where = ", ".join(str(c.parent) for c in dict.fromkeys(candidates))
        return Resolution(reason=f"file not found (looked in {where})", asset=str(candidates[0]))


def _url_char(c: str) -> bool:
    """One character of ``_Lines.URL_CHARS`` (``[\\w/.%~+-]``)."""
    return c.isalnum() or c in "_/.%~+-"


class _Lines:
    """Line numbers of link targets in the source text.

    Links carry no line numbers in the model, so the target is looked up in the text: as a
    whole token (``/a/b`` does not match inside ``/a/b/#c``), each occurrence used once, in
    order, so repeated targets get their own lines.
    """

    URL_CHARS = r"[\w/.%~+-]"

    def __init__(self, text: str) -> None:
        self.text = text
        self.used: dict[str, int] = {}
        self._starts: dict[str, list[int]] = {}
        self._newlines: list[int] | None = None

    def _token_starts(self, needle: str) -> list[int]:
        """Occurrences of ``needle`` not inside a longer URL-ish token (``URL_CHARS`` on neither
        side), found with str.find: no regex to compile per needle."""
        text, starts, i = self.text, [], self.text.find(needle)
        while i != -1:
            j = i + len(needle)
            if not (i and _url_char(text[i - 1])) and not (j < len(text) and _url_char(text[j])):
                starts.append(i)
            i = text.find(needle, i + 1)
        return starts

    def line(self, *needles: str) -> int:
        """Each needle's occurrences are found once per post (a post may hold thousands of links)."""
        for needle in needles:
            if not needle or not self.text:
                continue
            starts = self._starts.get(needle)
            if starts is None:
                if " " in needle.strip():
                    pattern = r"\s+".join(re.escape(w) for w in needle.split())
                    starts = [m.start() for m in re.finditer(pattern, self.text)]
                else:
                    starts = self._token_starts(needle)
                self._starts[needle] = starts
            if not starts:
                continue
            n = self.used.get(needle, 0)
            self.used[needle] = n + 1
            i = starts[n] if n < len(starts) else starts[0]
            if self._newlines is None:
                self._newlines = [m.start() for m in re.finditer("\n", self.text)]
            return bisect.bisect_left(self._newlines, i) + 1
        return 0


def _line_of(text: str, needle: str) -> int:
    return _Lines(text).line(needle)


def post_link(site: Site, post: Post, fragment: str, target: str) -> str:
    """How a link to ``post`` is written for ``target`` (shortcode, Liquid tag or plain URL)."""
    frag = f"#{fragment}" if fragment else ""
    cfg = site.config
    if target == "hugo" and cfg.hugo_links == "ref":
        return f'{{{{< ref "/{cfg.hugo_section}/{post.slug}{frag}" >}}}}'
    if target == "jekyll" and cfg.jekyll_links == "post_url" and post.date:
        return f"{{% post_url {post.date:%Y-%m-%d}-{post.slug} %}}{frag}"
    return site.new_url(post, target) + frag


def _rel_to(src: Path, *roots: str | Path) -> str | None:
    for root in roots:
        if root and src.is_relative_to(Path(root).resolve()):
            return src.relative_to(Path(root).resolve()).as_posix()
    return None


def asset_dest(site: Site, post: Post, src: str, target: str, bundle: bool = True) -> tuple[str, str]:
    """(output path, link) of an asset for ``target``.

    Hugo: inside the post's page bundle (``content/<section>/<slug>/<path>``, linked
    relatively) when the post is a bundle, else ``static/<path>``; Jekyll: ``assets/<path>``
    (``/assets/<path>``); other targets: ``assets/<path>`` relative to the output.  ``<path>``
    is the file's path below the post's folder (bundles), the static root or a source root.
    """
    p = Path(real_path(src))
    shared = _rel_to(p, site.config.static_root, *site.roots) or p.name
    if target == "hugo":
        if bundle:
            rel = _rel_to(p, Path(post.source).parent) or p.name
            return f"content/{site.config.hugo_section}/{post.slug}/{rel}", rel
        return f"static/{shared}", f"/{shared}"
    if target == "jekyll":
        return f"assets/{shared}", f"/assets/{shared}"
    return f"assets/{shared}", f"assets/{shared}"


def _is_local_src(src: str) -> bool:
    return not (SCHEME.match(src) or src.startswith("//"))


def rewrite(
    doc: Document, site: Site, target: str, source_text: str = ""
) -> tuple[Document, list[LinkRecord], list[Asset]]:
    """Rewrite every internal link and local image of ``doc``; record each link's fate.

    Also gives the post its old URLs as ``aliases`` (Hugo ``aliases``, Jekyll ``redirect_from``).
    """
    post = site.post_for(doc.source.path)
    if post is None:
        return doc, [], []
    resolver = LinkResolver(site, post)
    lines = _Lines(source_text)
    records: list[LinkRecord] = []
    assets: dict[str, Asset] = {}

    bundle = True
    if target == "hugo":  # the Hugo emitter makes a page bundle of a post with local images
        bundle = False
        for n in walk(doc.blocks):
            if isinstance(n, Image):
                res = resolver.resolve(n.src, "url") if n.src else None
                if _is_local_src(n.src) or (res is not None and res.asset and Path(res.asset).is_file()):
                    bundle = True
                    break

    def record(original: str, kind: str, status: str, new="", reason="", needles=(), to="") -> None:
        line = lines.line(*(needles or (original,)))
        records.append(LinkRecord(doc.source.path, line, original, kind, status, new, reason, to))

    def asset_link(src: str, original: str, kind: str, needles=()) -> str:
        dest, link = asset_dest(site, post, src, target, bundle)
        assets.setdefault(dest, Asset(src, dest, True))
        record(original, kind, "asset", link, needles=needles, to=src)
        return link

    def to_post(res: Resolution, original: str, kind: str, needles) -> tuple[str, bool]:
        """(new link, ok) for a resolution to a post; a bad fragment is kept and reported."""
        assert res.post is not None
        fragment, reason = res.fragment, ""
        if fragment:
            anchor = res.post.anchor(fragment)
            if anchor is None:
                reason = f"no section '#{fragment}' in {Path(res.post.source).name} (linked to the page)"
            else:
                fragment = anchor
        if res.folded and not reason:
            reason = "matched an old URL ignoring case"
        new = post_link(site, res.post, fragment, target)
        status = "broken" if reason.startswith("no section") else "resolved"
        record(original, kind, status, new, reason, needles, res.post.source)
        return new, status == "resolved"

    def resolve_url(value: str, kind: str, needles) -> str | None:
        """The new form of ``value`` (a link or image target), or None to keep it."""
        res = resolver.resolve(value, "url")
        if res is None:
            if value.startswith("#"):
                frag = value[1:]
                if post.anchor(frag) is None:
                    record(value, kind, "broken", reason="no such anchor in this post", needles=needles)
                else:
                    record(value, kind, "anchor", value, needles=needles)
            else:
                record(value, kind, "external", value, needles=needles)
            return None
        if res.post is not None:
            return to_post(res, value, kind, needles)[0]
        if res.asset and Path(res.asset).is_file():
            return asset_link(res.asset, value, kind, needles)
        record(value, kind, "broken", reason=res.reason or "not found", needles=needles)
        return None

    def fix(node):
        if isinstance(node, Link):
            kind = node.kind
            original = node.original or node.target
            text = plain_text(node.content)
            if kind in ("ref", "doc"):
                needles = (node.target, f":{kind}:")
                res = resolver.resolve(node.target, kind)
                assert res is not None
                if res.post is not None:
                    new, _ = to_post(res, original, kind, needles)
                    return dataclasses.replace(node, target=new, kind="post", original=original)
                record(original, kind, "broken", reason=res.reason, needles=needles)
                return node
            if kind == "email":
                record(original, kind, "external", node.target, needles=(original, text))
                return node
            needles = (original, text)
            new = resolve_url(node.target, kind, needles)
            if new is None:
                return node
            return dataclasses.replace(
                node, target=new, kind="file" if records[-1].status == "asset" else "post", original=original
            )
        if isinstance(node, Image):
            changes = {}
            if node.src:
                new = resolve_url(node.src, "image", (node.src,))
                if new is not None:
                    changes["src"] = new
            if node.target:
                new = resolve_url(node.target, "image-target", (node.target,))
                if new is not None:
                    changes["target"] = new
            return dataclasses.replace(node, **changes) if changes else node
        return node

    blocks = rebuild(doc.blocks, fix)
    meta = doc.meta
    if post.old_urls:
        meta = dataclasses.replace(meta, aliases=post.old_urls)
    return dataclasses.replace(doc, blocks=blocks, meta=meta), records, list(assets.values())
