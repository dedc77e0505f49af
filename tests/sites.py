"""Minimal Hugo and Jekyll sites for tests that build real pages from emitted posts."""

from __future__ import annotations

import collections
import contextlib
import io
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from html import unescape
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

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
    prose: list[str] = field(default_factory=list)
    """Text outside ``<pre>``."""
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
        else:
            self.page.prose.append(data)
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
# no disablePathToLower: a stock site must keep mixed-case aliases (Hugo does, since 0.1xx)
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


def hugo_site(root: Path, files: dict[str, str], extra_config: str = "") -> Path:
    """Write a minimal Hugo site with ``files`` (paths relative to the site root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "hugo.toml").write_text(HUGO_CONFIG + extra_config, encoding="utf-8")
    layouts = root / "layouts"
    layouts.mkdir(exist_ok=True)
    (layouts / "_markup").mkdir(exist_ok=True)
    (layouts / "_markup" / "render-blockquote.html").write_text(HUGO_ALERT_HOOK, encoding="utf-8")
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


def build_hugo(
    src: Path, out: Path, timeout: int = 120, args: tuple[str, ...] = ("--quiet",), tz: str = ""
) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("hugo")
    if exe is None:
        import pytest

        pytest.skip("hugo is not installed")
    proc = subprocess.run(
        [exe, "--source", str(src), "--destination", str(out), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "TZ": tz} if tz else None,
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
  # docutils keeps straight quotes; so should the new site
  smart_quotes: ["apos", "apos", "quot", "quot"]
  typographic_symbols: {hellip: "...", mdash: "---", ndash: "--", laquo: "<<", raquo: ">>", laquo_space: "<< ", raquo_space: " >>"}
plugins:
  - jekyll-redirect-from
# used only for posts without a ``permalink`` (migrate writes one per post by default)
permalink: /:year/:month/:day/:title/
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


def jekyll_site(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(JEKYLL_CONFIG, encoding="utf-8")
    (root / "_layouts").mkdir(exist_ok=True)
    (root / "_layouts" / "post.html").write_text(JEKYLL_LAYOUT, encoding="utf-8")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
    return root


def build_jekyll(
    src: Path, out: Path, timeout: int = 180, args: tuple[str, ...] = ("--quiet",), tz: str = ""
) -> subprocess.CompletedProcess[str]:
    import pytest

    exe = shutil.which("jekyll")
    if exe is None:
        pytest.skip("jekyll is not installed (apt-get install jekyll ruby-jekyll-redirect-from)")
    proc = subprocess.run(
        [exe, "build", "-s", str(src), "-d", str(out), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=src,
        env={**os.environ, "TZ": tz} if tz else None,
    )
    if proc.returncode != 0:
        if "jekyll-redirect-from" in proc.stderr and "load" in proc.stderr:
            pytest.skip("jekyll-redirect-from plugin is not installed")
        raise AssertionError(f"jekyll failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


HUGO_ALERT_HOOK = """\
{{- if eq .Type "alert" -}}
<blockquote class="alert alert-{{ .AlertType }}">
<p class="alert-title">{{ with .AlertTitle }}{{ . }}{{ else }}{{ title .AlertType }}{{ end }}</p>
{{ .Text }}
</blockquote>
{{- else -}}
<blockquote>{{ .Text }}</blockquote>
{{- end -}}
"""
"""Hugo's documented blockquote render hook: GitHub alerts (``> [!NOTE]``) become titled boxes."""


# --------------------------------------------------------------------------- converted sites

UTC = timezone.utc


def read_tree(root: Path) -> dict[str, str | bytes]:
    """Every file under ``root`` (Markdown as text, everything else as bytes)."""
    files: dict[str, str | bytes] = {}
    for p in sorted(root.rglob("*")):
        if p.is_file():
            rel = p.relative_to(root).as_posix()
            files[rel] = p.read_text(encoding="utf-8") if p.suffix == ".md" else p.read_bytes()
    return files


def convert_tree(sources: list[Path], target: str, out: Path, config_file: Path | None = None, **config):
    """Run the real pipeline (the library behind ``migrate convert``) and return its report."""
    from migrate.config import Config
    from migrate.pipeline import Job, convert, discover

    cfg = Config.from_file(config_file) if config_file else Config()
    if config:
        cfg = replace(cfg, **config)
    job = Job(sources=discover(sources), target=target, out=out, config=cfg, roots=list(sources))
    return convert(job)


def broken_links(report) -> set[str]:
    """Targets the conversion reported as broken links (as written in the source)."""
    return {r.target for res in report.results for r in res.links if r.status == "broken"}


def built_pages(root: Path) -> dict[str, Path]:
    """Site URL path -> built HTML file (``a/index.html`` is ``/a/``, ``a.html`` is ``/a.html``)."""
    pages = {}
    for f in root.rglob("*.html"):
        rel = "/" + f.relative_to(root).as_posix()
        pages[rel[: -len("index.html")] if rel.endswith("/index.html") else rel] = f
    return pages


def served_file(root: Path, path: str) -> Path | None:
    """The file a static server (Hugo's, GitHub Pages) answers for ``path``, case-sensitively."""
    path = unquote(urlsplit(path).path)
    cands = [root / path.lstrip("/")]
    if path.endswith("/") or "." not in PurePosixPath(path).name:
        cands = [root / path.lstrip("/") / "index.html", root / (path.rstrip("/").lstrip("/") + ".html")]
    for c in cands:
        # exists() is case-insensitive on some file systems: compare the real name too
        if c.is_file() and c.name in {x.name for x in c.parent.iterdir()}:
            return c
    return None


def redirect_of(root: Path, old_url: str, base: str) -> str | None:
    """Where the page served for ``old_url`` redirects (site-relative path), or None."""
    f = served_file(root, old_url)
    if f is None:
        return None
    refresh = parse_page(f.read_text(encoding="utf-8")).refresh
    m = re.search(r"url=(.*)$", refresh, re.I)
    if not m:
        return None
    target = m.group(1).strip().strip("'\"")
    return "/" + target[len(base) :].lstrip("/") if target.startswith(base) else target


def dangling_links(root: Path, base: str) -> list[tuple[str, str]]:
    """(page, href) for every internal ``<a href>``/``<img src>`` of every built page that
    resolves to no built file, or to a page without the ``#fragment``'s id."""
    bad = []
    ids_cache: dict[Path, set[str]] = {}
    for url, f in sorted(built_pages(root).items()):
        page = parse_page(f.read_text(encoding="utf-8"))
        for href in (*page.links, *page.images):
            full = urljoin(base.rstrip("/") + url, href)
            if not full.startswith(base):
                continue
            parts = urlsplit(full)
            target = served_file(root, "/" + parts.path[len(urlsplit(base).path) :].lstrip("/"))
            ok = target is not None
            if ok and parts.fragment and target.suffix == ".html":
                if target not in ids_cache:
                    ids_cache[target] = set(parse_page(target.read_text(encoding="utf-8")).ids)
                ok = unquote(parts.fragment) in ids_cache[target]
            if not ok:
                bad.append((url, href))
    return bad


@dataclass
class Built:
    """A post as its built page shows it."""

    title: str
    date: str
    tags: list[str]
    categories: list[str]
    article: Page
    html: str


def built_post(f: Path) -> Built:
    html = f.read_text(encoding="utf-8")
    title = re.search(r'<h1 class="post-title">(.*?)</h1>', html, re.S)
    date = re.search(r'<time class="date" datetime="([^"]*)"', html)
    article = re.search(r"<article>(.*)</article>", html, re.S)
    return Built(
        title=unescape(title.group(1)).strip() if title else "",
        date=unescape(date.group(1)) if date else "",
        tags=[unescape(t) for t in re.findall(r'<li class="tag">(.*?)</li>', html)],
        categories=[unescape(t) for t in re.findall(r'<li class="category">(.*?)</li>', html)],
        article=parse_page(article.group(1) if article else ""),
        html=html,
    )


# --------------------------------------------------------------------------- expected values
# computed from the sources and samples/README.md, never from migrate


def title_slug(title: str) -> str:
    """samples/README.md's old-URL rule: ASCII, lower case, runs of other than [a-z0-9_] -> '-'."""
    s = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9_]+", "-", s).strip("-")


@dataclass
class Expected:
    source: str
    title: str
    date: datetime | None
    slug: str
    tags: list[str]
    categories: list[str]
    draft: bool = False
    old_urls: list[str] = field(default_factory=list)


def samples_expected(readme: Path, old_pattern: str = "/blog/{y}/{m}/{d}/{ts}/") -> dict[str, Expected]:
    """The "Expected metadata" table of samples/README.md, keyed by source file."""
    text = readme.read_text(encoding="utf-8")
    table = text.split("## Expected metadata", 1)[1].split("\n## ", 1)[0]
    out = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 7 or not cells[0].startswith("`"):
            continue
        src, title, date_s, slug, tags, cats, other = cells
        date = None if "error" in date_s else datetime.fromisoformat(date_s)
        exp = Expected(
            source=src.strip("`"),
            title=title,
            date=date,
            slug=slug.strip("`()"),
            tags=[t.strip() for t in tags.split(",")],
            categories=[] if cats == "(none)" else [c.strip() for c in cats.split(",")],
            draft="draft" in other,
        )
        olds = re.findall(r"`(/[^`]+)`", other)
        if date:
            olds.append(
                old_pattern.format(y=f"{date:%Y}", m=f"{date:%m}", d=f"{date:%d}", ts=title_slug(title))
            )
        exp.old_urls = list(dict.fromkeys(olds))
        out[exp.source] = exp
    return out


def yaml_corpus_expected(folder: Path, old_pattern: str, zone=UTC) -> dict[str, Expected]:
    """Expected values of a Blogofile (YAML front matter) blog, read with PyYAML directly."""
    import yaml

    out = {}
    for f in sorted(folder.glob("*.rst")):
        text = f.read_text(encoding="utf-8")
        fm = yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))
        d = fm["date"]
        d = d if isinstance(d, datetime) else datetime.fromisoformat(str(d))
        d = d if d.tzinfo else d.replace(tzinfo=zone)

        def split(v) -> list[str]:
            if isinstance(v, list):
                return [str(x) for x in v]
            v = str(v or "")
            return [x.strip() for x in v.split(",")] if "," in v else v.split()

        title = str(fm["title"])
        out[f.name] = Expected(
            source=f.name,
            title=title,
            date=d,
            slug=re.sub(r"^\d{8}-", "", f.stem),
            tags=split(fm.get("tags")),
            categories=split(fm.get("categories")),
            draft=bool(fm.get("draft")),
            old_urls=[
                old_pattern.format(
                    year=f"{d:%Y}", month=f"{d:%m}", day=f"{d:%d}", title_slug=title_slug(title)
                )
            ],
        )
    return out


# --------------------------------------------------------------------------- what docutils shows


def reference(path: Path) -> Page:
    """docutils' own HTML of the post body (front matter stripped), as the old site showed it."""
    from docutils.core import publish_parts

    text = path.read_text(encoding="utf-8")
    if text.startswith("---\n"):
        text = "\n" * text.split("\n---", 1)[0].count("\n") + text.split("\n---", 1)[1].split("\n", 1)[1]
    settings = {
        "report_level": 5,
        "halt_level": 5,
        "file_insertion_enabled": False,
        "raw_enabled": False,
        "doctitle_xform": True,  # the title and docinfo fields are front matter now
        "docinfo_xform": True,
        "warning_stream": io.StringIO(),
        "syntax_highlight": "none",
    }
    with contextlib.redirect_stderr(io.StringIO()):
        parts = publish_parts(text, source_path=str(path), writer="html5", settings_overrides=settings)
    return parse_page(parts["body"])


def words(text: str) -> collections.Counter[str]:
    return collections.Counter(re.findall(r"[\w][\w'.-]*[\w]|[\w]", text.replace("\u00a0", " ")))


def code_texts(page: Page) -> set[str]:
    return {"\n".join(line.rstrip() for line in p.strip("\n").splitlines()) for p in page.pre}


ADMONITION_WORDS = {"Note", "Warning", "Tip", "Hint", "Important", "Caution", "Danger", "Error", "Attention"}


def explained_missing(source: str) -> set[str]:
    """Words docutils shows that a converted page legitimately does not, read off the source:
    docinfo / field-list metadata (moved to front matter), role names plain docutils does not
    know (``:doc:``, ``:kbd:``... it prints them), footnote labels (renumbered by the Markdown
    engine), and admonition titles (each engine has its own)."""
    out: set[str] = set(ADMONITION_WORDS)
    field = False
    for line in source.splitlines():
        if re.match(r"^\s*:[\w-]+:(\s|$)", line):
            field = True
        elif not line.startswith((" ", "\t")):
            field = False
        if field:  # a field and its continuation lines
            out.update(words(line))
    out.update(re.findall(r":([\w-]+):`", source))
    out.update(words(" ".join(re.findall(r":abbr:`[^`]*\(([^`)]*)\)`", source))))  # <abbr title>
    for label in re.findall(r"\[([#*]?[\w-]*)\]_", source):
        out.update(words(label))
    notes = len(re.findall(r"(?m)^\.\. \[[^\]]+\]", source))  # docutils numbers them 1..n
    out.update(str(i) for i in range(1, notes + 1))
    out.update(words(" ".join(re.findall(r"<([^<>`]+)>`", source))))  # role targets, :ref:`x <label>`
    return out


def content_problems(src: Path, post: Built, old_base: str = "") -> list[str]:
    """What docutils shows for ``src`` that the built page lost: words, code, links, images."""
    ref = reference(src)
    page = parse_page(post.html)
    problems = []
    missing = words(" ".join(ref.prose)) - words(" ".join(page.prose))
    unexplained = sorted(set(missing) - explained_missing(src.read_text(encoding="utf-8")))
    if unexplained:
        problems.append(f"words lost: {unexplained}")
    built_code = code_texts(page)
    for code in code_texts(ref):
        plain = re.sub(r"(?m)^\s*\d+ ", "", code)  # docutils prints :number-lines: into the text
        if code not in built_code and plain not in built_code:
            problems.append(f"code block lost: {code[:60]!r}")
    ext = [h for h in ref.links if re.match(r"(https?|ftp|mailto):", h)]
    for h in ext:
        if old_base and h.startswith(old_base):
            continue  # a link to the old site: rewritten to the new page (checked elsewhere)
        if unquote(h).rstrip("/") not in {unquote(x).rstrip("/") for x in page.links}:
            problems.append(f"link lost: {h}")
    have = {PurePosixPath(urlsplit(i).path).name for i in page.images}
    for i in ref.images:
        if PurePosixPath(urlsplit(i).path).name not in have:
            problems.append(f"image lost: {i}")
    return problems
