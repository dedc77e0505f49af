"""Minimal Hugo and Jekyll sites for tests that build real pages from emitted posts."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin


def markdown_html(text: str) -> str:
    """Render Markdown exactly as /work/shared/tools/fidelity.py does."""
    md = (
        MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .enable("strikethrough")
        .use(footnote_plugin)
        .use(deflist_plugin)
        .use(front_matter_plugin)
    )
    return md.render(text)


@dataclass
class Page:
    """What tests look at in a built HTML page."""

    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    iframes: list[str] = field(default_factory=list)
    pre: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    refresh: str = ""
    tags: list[str] = field(default_factory=list)
    cells: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._pre: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.tags.append(tag)
        if a.get("id"):
            self.page.ids.append(a["id"])
        if tag in ("script", "style", "title"):
            self._skip += 1
        if tag == "pre":
            self._pre = []
        elif tag == "a" and "href" in a:
            self.page.links.append(a["href"])
        elif tag == "img":
            self.page.images.append(a.get("src", ""))
        elif tag == "iframe":
            self.page.iframes.append(a.get("src", ""))
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.page.refresh = a.get("content", "")
        elif tag in ("td", "th"):
            self.page.cells.append((tag, a))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1
        if tag == "pre" and self._pre is not None:
            self.page.pre.append("".join(self._pre))
            self._pre = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._pre is not None:
            self._pre.append(data)
        self.page.text.append(data)


def parse_page(html: str) -> Page:
    p = _PageParser()
    p.feed(html)
    p.close()
    return p.page


# --------------------------------------------------------------------------- Hugo

HUGO_CONFIG = """\
baseURL = "https://example.org/"
title = "Test site"
disablePathToLower = true
disableKinds = ["taxonomy", "term", "rss", "sitemap"]

[markup.goldmark.renderer]
unsafe = true

# docutils does not make quotes curly or dashes long; neither should the new site
[markup.goldmark.extensions.typographer]
disable = true

[markup.goldmark.extensions.passthrough]
enable = true
[markup.goldmark.extensions.passthrough.delimiters]
block = [["$$", "$$"]]
inline = [["$", "$"]]
"""

PAGE_TEMPLATE = """\
<!doctype html>
<html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body>
<h1 class="post-title">{{ .Title }}</h1>
<time class="date" datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02" }}</time>
<ul class="tags">{{ range .Params.tags }}<li class="tag">{{ . }}</li>{{ end }}</ul>
<ul class="categories">{{ range .Params.categories }}<li class="category">{{ . }}</li>{{ end }}</ul>
<article>{{ .Content }}</article>
</body></html>
"""

LIST_TEMPLATE = """\
<!doctype html><html><head><title>{{ .Title }}</title></head><body>
{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</body></html>
"""


def hugo_site(root: Path, files: dict[str, str]) -> Path:
    """Write a minimal Hugo site with ``files`` (paths relative to the site root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    layouts = root / "layouts"
    layouts.mkdir(exist_ok=True)
    (layouts / "single.html").write_text(PAGE_TEMPLATE, encoding="utf-8")
    (layouts / "list.html").write_text(LIST_TEMPLATE, encoding="utf-8")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    return root


def build_hugo(src: Path, out: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("hugo")
    if exe is None:
        import pytest

        pytest.skip("hugo is not installed")
    proc = subprocess.run(
        [exe, "--source", str(src), "--destination", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"hugo failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


# --------------------------------------------------------------------------- Jekyll

JEKYLL_CONFIG = """\
title: Test site
markdown: kramdown
kramdown:
  input: GFM
plugins:
  - jekyll-redirect-from
permalink: /:year/:month/:day/:slug/
"""

JEKYLL_LAYOUT = """\
<!doctype html>
<html><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body>
<h1 class="post-title">{{ page.title }}</h1>
<time class="date" datetime="{{ page.date | date_to_xmlschema }}">{{ page.date | date: "%Y-%m-%d" }}</time>
<ul class="tags">{% for t in page.tags %}<li class="tag">{{ t }}</li>{% endfor %}</ul>
<ul class="categories">{% for c in page.categories %}<li class="category">{{ c }}</li>{% endfor %}</ul>
<article>{{ content }}</article>
</body></html>
"""


def jekyll_site(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(JEKYLL_CONFIG, encoding="utf-8")
    (root / "_layouts").mkdir(exist_ok=True)
    (root / "_layouts" / "post.html").write_text(JEKYLL_LAYOUT, encoding="utf-8")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def build_jekyll(src: Path, out: Path, timeout: int = 180) -> subprocess.CompletedProcess[str]:
    import pytest

    exe = shutil.which("jekyll")
    if exe is None:
        pytest.skip("jekyll is not installed (apt-get install jekyll ruby-jekyll-redirect-from)")
    proc = subprocess.run(
        [exe, "build", "-s", str(src), "-d", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=src,
    )
    if proc.returncode != 0:
        if "jekyll-redirect-from" in proc.stderr and "load" in proc.stderr:
            pytest.skip("jekyll-redirect-from plugin is not installed")
        raise AssertionError(f"jekyll failed:\n{proc.stdout}\n{proc.stderr}")
    return proc
