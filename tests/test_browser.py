"""The html site as a person sees it: headless Chromium loads the index and a post page.

``--dump-dom`` gives the DOM after loading (title, text, highlighted code, links); a small
harness page, loaded with ``--allow-file-access-from-files``, lets the browser itself
resolve every link of the post page and read computed styles (the stylesheets really
apply); a screenshot of the post page is kept in ``test-artifacts/`` for a human to look at.
Skipped when Chromium is not installed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLES
from sites import parse_page

from migrate.config import Config
from migrate.pipeline import Job, convert, discover

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

POST = "homelab-monitoring-grafana/index.html"
POST_TITLE = "Monitoring the Homelab with Grafana"
ARTIFACTS = ROOT / "test-artifacts"

HARNESS = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>harness</title></head><body>
<pre id="result">pending</pre>
<iframe id="page" src="%(page)s" width="1200" height="900"></iframe>
<script>
document.getElementById("page").addEventListener("load", function () {
  var out = {links: []};
  try {
    var d = this.contentDocument, w = this.contentWindow;
    out.title = d.title;
    var kw = d.querySelector(".highlight .k, .highlight .kn");
    out.keyword = kw ? [kw.textContent, w.getComputedStyle(kw).color, w.getComputedStyle(kw).fontWeight] : null;
    out.header = w.getComputedStyle(d.querySelector(".site-header")).backgroundColor;
    out.maxWidth = w.getComputedStyle(d.querySelector("main.content")).maxWidth;
    d.querySelectorAll("a[href], img[src]").forEach(function (el) {
      var url = el.href || el.src;
      if (url.indexOf("file:") !== 0) { return; }
      var parts = url.split("#"), frag = parts.length > 1 ? decodeURIComponent(parts[1]) : "", ok = false;
      try {
        var x = new XMLHttpRequest();
        x.open("GET", parts[0], false);
        x.send();
        ok = (x.status === 0 || x.status === 200) && x.responseText.length > 0;
        if (ok && frag) {
          ok = !!new DOMParser().parseFromString(x.responseText, "text/html").getElementById(frag);
        }
      } catch (e) { ok = false; }
      out.links.push([el.getAttribute("href") || el.getAttribute("src"), ok]);
    });
  } catch (e) { out.error = String(e); }
  document.getElementById("result").textContent = JSON.stringify(out);
});
</script>
</body></html>
"""


def chromium(tmp: Path, name: str, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp / f"profile-{name}"
    profile.mkdir()
    cmd = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"}
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Build the sample site, then run the four Chromium sessions side by side."""
    tmp = tmp_path_factory.mktemp("browser")
    out = tmp / "site"
    cfg = Config.from_file(SAMPLES / "migrate.toml")
    convert(
        Job(sources=discover([SAMPLES]), target="html", out=out, config=cfg, roots=[SAMPLES], use_cache=False)
    )
    harness = tmp / "harness.html"
    harness.write_text(HARNESS % {"page": (out / POST).as_uri()}, encoding="utf-8")
    shot = tmp / "post.png"
    runs = {
        "index": ("--dump-dom", (out / "index.html").as_uri()),
        "post": ("--dump-dom", (out / POST).as_uri()),
        "harness": ("--allow-file-access-from-files", "--dump-dom", harness.as_uri()),
        "shot": (f"--screenshot={shot}", "--window-size=1200,1600", (out / POST).as_uri()),
    }
    with ThreadPoolExecutor(max_workers=2) as ex:
        futures = {name: ex.submit(chromium, tmp, name, *args) for name, args in runs.items()}
        procs = {name: f.result() for name, f in futures.items()}
    return out, procs, shot


def test_index_as_rendered(browser) -> None:
    out, procs, _ = browser
    page = parse_page(procs["index"].stdout)
    assert "<title>Blog</title>" in procs["index"].stdout
    assert POST_TITLE in page.words and "Building a Four-Node Raspberry Pi Cluster" in page.words
    posts = [
        h for h in page.links if h.endswith("/index.html") and not h.startswith(("tags/", "categories/"))
    ]
    assert posts[0] == "power-usage/index.html"
    assert POST in posts
    for href in page.links:
        if "://" not in href and not href.startswith("mailto:"):
            assert (out / href.split("#")[0]).is_file(), href


def test_post_as_rendered(browser) -> None:
    out, procs, _ = browser
    dom = procs["post"].stdout
    page = parse_page(dom)
    assert f"<title>{POST_TITLE} · Blog</title>" in dom
    assert POST_TITLE in page.words
    assert "a time-series database and a dashboard" in page.words and "Was it worth it?" in page.words
    assert (
        '<span class="kn">import</span>' in dom and '<span class="nf">read_temp</span>' in dom
    )  # Pygments spans
    assert any("def " in p or "import" in p for p in page.pre)
    assert "../assets/images/dashboard.png" in page.images
    assert "../pi-cluster/index.html" in page.links and "../vlan-notes/index.html" in page.links


def test_browser_resolves_every_link_and_applies_the_styles(browser) -> None:
    _, procs, _ = browser
    dom = procs["harness"].stdout
    start = dom.index('<pre id="result">') + len('<pre id="result">')
    raw = dom[start : dom.index("</pre>", start)]
    from html import unescape

    result = json.loads(unescape(raw))
    assert "error" not in result, result
    assert result["title"] == f"{POST_TITLE} · Blog"
    text, color, weight = result["keyword"]
    assert color == "rgb(0, 128, 0)" and weight == "700", result["keyword"]  # pygments.css applied
    assert result["header"] == "rgb(246, 248, 250)"  # style.css applied
    assert result["maxWidth"] != "none"
    assert len(result["links"]) > 10
    broken = [href for href, ok in result["links"] if ok is not True]
    assert broken == []
    hrefs = {href for href, _ in result["links"]}
    assert {"../pi-cluster/index.html", "../index.html", "../assets/images/dashboard.png"} <= hrefs


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshot_of_a_post(browser) -> None:
    _, _, shot = browser
    assert shot.is_file()
    assert png_size(shot) == (1200, 1600)
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank canvas
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "html-post.png")
