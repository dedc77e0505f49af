"""Property tests over generated posts (hypothesis).

Posts are built from a grammar of real rST constructs (sections, paragraphs with inline
markup, nested lists, code blocks, tables, known and unknown directives and roles, links,
footnotes, front matter), plus random bytes.  Properties: ``migrate.read`` raises nothing
but ``MigrateError``; the JSON form round-trips exactly; every emitter works; Markdown
re-parsed keeps the document's words.

CI runs a bounded, derandomized number of examples.  A long session::

    HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py

(see docs/errors.md, "Fuzzing").
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import migrate
from migrate import codec
from migrate.emitters.markdown import _simple_yaml
from migrate.errors import MigrateError
from migrate.model import Document, plain_text

settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=5000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TARGETS = ["json", "markdown", "hugo", "jekyll"]
try:
    from migrate.emitters import registry

    registry.get("html")
    TARGETS.append("html")
except Exception:  # noqa: BLE001 - the HTML emitter is optional here
    pass

# --------------------------------------------------------------------------- grammar

WORDS = st.sampled_from(
    "alpha beta gamma delta OpenStack DevStack café naïve Straße 2013 x y z über π résumé".split()
)
PUNCT = st.sampled_from(["", "", "", ",", ".", ":", "!", "?", "(", ")", "'", '"', "-", "&", "<", ">", "*"])


@st.composite
def word(draw) -> str:
    return draw(WORDS) + draw(PUNCT)


@st.composite
def inline(draw) -> str:
    w = draw(st.lists(WORDS, min_size=1, max_size=3).map(" ".join))
    kind = draw(st.integers(0, 13))
    return [
        w,
        f"*{w}*",
        f"**{w}**",
        f"``{w}``",
        f"`{w} <https://example.com/{w.split()[0]}>`_",
        f"`{w} <https://example.org/x>`__",
        f":emphasis:`{w}`",
        f":sub:`{w}`",
        f":unknownrole:`{w}`",
        f"`{w}`",
        "[#]_",
        f"|{w.split()[0]}|",
        f"`{w}`_",
        "https://example.net/path",
    ][kind]


@st.composite
def paragraph(draw) -> str:
    parts = draw(st.lists(st.one_of(word(), inline()), min_size=1, max_size=12))
    return " ".join(parts).strip() or "text"


def indent(text: str, n: int) -> str:
    return "\n".join((" " * n + line) if line.strip() else "" for line in text.split("\n"))


def blocks(depth: int = 0):
    leaf = st.one_of(
        paragraph(),
        paragraph().map(lambda p: f"::\n\n{indent(p, 4)}"),
        st.tuples(st.sampled_from(["python", "bash", "text", ""]), paragraph()).map(
            lambda t: f".. code-block:: {t[0]}\n\n{indent(t[1], 3)}"
        ),
        st.tuples(word(), word(), word(), word()).map(
            lambda c: "=====  =====\n{:<5}  {:<5}\n{:<5}  {:<5}\n=====  =====".format(
                *(x[:5].strip() or "x" for x in c)
            )
        ),
        st.tuples(word(), word()).map(
            lambda c: "+-------+-------+\n| {:<5} | {:<5} |\n+-------+-------+".format(
                *(x[:5].strip() or "x" for x in c)
            )
        ),
        paragraph().map(lambda p: f".. note::\n\n{indent(p, 3)}"),
        paragraph().map(lambda p: f".. frobnicate:: arg\n   :opt: val\n\n{indent(p, 3)}"),
        paragraph().map(lambda p: f".. [#] {p}"),
        st.just(".. |alpha| replace:: substituted"),
        st.just(".. _alpha: https://example.com/target"),
        st.just(".. image:: picture.png\n   :alt: a picture"),
        st.just(".. youtube:: dQw4w9WgXcQ"),
        st.just(".. more"),
        st.just("----------"),
        st.just("| line one\n| line two"),
        st.just(":field: value\n:other: thing"),
        st.just("term\n   definition here"),
        paragraph().map(lambda p: f"   {p}"),  # block quote
        paragraph().map(lambda p: f".. raw:: html\n\n   <b>{p}</b>"),
        paragraph().map(lambda p: f".. include:: {p.split()[0]}.txt"),
    )
    if depth >= 3:
        return leaf
    inner = st.lists(blocks(depth + 1), min_size=1, max_size=3).map("\n\n".join)
    nested = st.one_of(
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "\n\n".join("- " + indent(i, 2)[2:] for i in items)
        ),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "\n\n".join(f"{n}. " + indent(i, 3)[3:] for n, i in enumerate(items, 1))
        ),
        inner.map(lambda i: indent(i, 4)),
        inner.map(lambda i: ".. admonition:: Title\n\n" + indent(i, 3)),
    )
    return st.one_of(leaf, leaf, nested)


@st.composite
def section(draw, level: int = 0) -> str:
    title = draw(paragraph()).replace("\n", " ")[:60].strip() or "Title"
    char = "=-~^"[level]
    body = draw(st.lists(blocks(), min_size=0, max_size=4))
    out = f"{title}\n{char * max(len(title), 4)}\n\n" + "\n\n".join(body)
    if level < 2 and draw(st.booleans()):
        out += "\n\n" + draw(section(level + 1))
    return out


@st.composite
def front_matter(draw) -> str:
    kind = draw(st.integers(0, 5))
    title = draw(paragraph())
    date = draw(st.sampled_from(["2013-09-07", "2013-09-07 10:00", "Sep 7, 2013", "2013-02-30", "nope", ""]))
    tags = draw(st.lists(WORDS, max_size=3))
    if kind == 0:
        return ""
    if kind == 1:
        return f"---\ntitle: {title!r}\ndate: {date}\ntags: {tags!r}\n---\n\n"
    if kind == 2:
        return f'+++\ntitle = "{title}"\n+++\n\n'
    if kind == 3:
        return f".. title: {title}\n.. date: {date}\n.. tags: {', '.join(tags)}\n\n"
    if kind == 4:
        return f":date: {date}\n:tags: {', '.join(tags)}\n\n"
    return f"---\n{title}: [\n---\n\n"  # broken YAML


@st.composite
def post(draw) -> str:
    fm = draw(front_matter())
    body = "\n\n".join(draw(st.lists(st.one_of(section(), blocks()), min_size=1, max_size=4)))
    return fm + body + "\n"


hostile_bytes = st.one_of(
    st.binary(max_size=400),
    st.tuples(post(), st.binary(max_size=20), st.integers(0, 10_000)).map(
        lambda t: t[0].encode()[: t[2]] + t[1] + t[0].encode()[t[2] :]
    ),
    st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
)

# --------------------------------------------------------------------------- properties


def read_or_none(data: str | bytes) -> Document | None:
    try:
        return migrate.read(data if isinstance(data, bytes) else data.encode("utf-8"), path="post.rst")
    except MigrateError as e:
        assert e.code and str(e)
        return None


def round_trips_and_emits(doc: Document | None) -> None:
    """What every read post must allow: exact round trips through the public JSON and the
    cache coding, and every emitter producing text."""
    if doc is None:
        return
    assert Document.from_json(doc.to_json()) == doc
    assert codec.loads(codec.dumps(doc)) == doc
    for target in TARGETS:
        assert isinstance(migrate.emit(doc, target), str)


@given(post())
def test_generated_posts_read_round_trip_and_emit(text: str) -> None:
    round_trips_and_emits(read_or_none(text))


@given(post(), post())
def test_reading_is_independent_of_what_was_read_before(first: str, second: str) -> None:
    """The reader reuses docutils state machines across posts (readers/rst.py): nothing of
    one post may reach the next."""
    alone = read_or_none(second)
    read_or_none(first)
    after = read_or_none(second)
    assert after == alone


@given(hostile_bytes)
def test_random_bytes_never_crash(data: bytes) -> None:
    round_trips_and_emits(read_or_none(data))


_MD = MarkdownIt("commonmark", {"html": True}).enable("table")

try:
    from migrate.verify import verify
except ImportError:  # pragma: no cover - the checker is optional
    verify = None


def _words(text: str) -> Counter:
    text = unicodedata.normalize("NFC", text)
    return Counter(w.lower() for w in re.findall(r"\w+", text))


def _body(md: str) -> str:
    m = re.match(r"(?s)^---\n.*?\n---\n", md)
    return md[m.end() :] if m else md


def _rendered_text(md: str) -> str:
    """Every text a reader of the rendered page sees (html blocks and inline html as written)."""
    out = []
    for tok in _MD.parse(md):
        for t in [tok, *(tok.children or [])]:
            if t.type in ("text", "code_inline", "code_block", "fence", "html_block", "html_inline"):
                out.append(t.content)
    return " ".join(out)


@given(post())
def test_markdown_keeps_the_words(text: str) -> None:
    doc = read_or_none(text)
    if doc is None:
        return
    md = migrate.emit(doc, "markdown")
    if verify is not None:  # another helper's checker (words, links, structure)
        losses = verify(doc, md, "markdown")
        assert not [x for x in losses if "word" in str(getattr(x, "kind", x)).lower()], (losses, md)
    # every word of the document's text is in the rendered Markdown (footnotes, raw and
    # directive sources render too, so the rendered side may have more)
    expected = _words(plain_text(doc.blocks))
    got = _words(_rendered_text(_body(md)))
    missing = expected - got
    assert not missing, (missing, md)


@pytest.mark.parametrize(
    "text",
    [
        "- " * 150 + "x\n",
        "".join("  " * i + "- x\n\n" for i in range(150)),
        "".join("    " * i + "q\n\n" for i in range(150)),
        "".join("   " * i + ".. note::\n\n" for i in range(150)) + "   " * 150 + "x\n",
        "|" * 5000 + "\n",
        "`" * 5000 + "\n",
        "*" * 5000 + "\n",
        ("=" * 40 + "\n") * 50,
        "\ufeff\r\n\r\n---\r\n",
        ".. |x| replace:: |x|\n\n|x|\n",
        ".. _a: b_\n.. _b: a_\n\na_\n",
    ],
)
def test_known_nasty_inputs(text: str) -> None:
    round_trips_and_emits(read_or_none(text))


# --------------------------------------------------------------------------- front matter dumpers

_YAML_TRICKY = st.sampled_from(
    list("abc xyz:#-'\"\n\t{}[]&*!|>%@`,?\\é中\x7f\x00\x1b\xa0\ufeff\ue000\ufffe\r_.😀\u2028\x85")
    + [
        "yes",
        "no",
        "null",
        "~",
        "1e3",
        "0x1F",
        "2013-09-07",
        " lead",
        "trail ",
        "---",
        "...",
        "a" * 80,
        ": ",
        " #",
    ]
)
_yaml_text = st.lists(_YAML_TRICKY, max_size=10).map("".join)
_yaml_key = st.from_regex(r"[a-z_][a-z0-9_.-]{0,12}", fullmatch=True)
_yaml_value = st.recursive(
    st.one_of(_yaml_text, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_yaml_key, inner, max_size=3)),
    max_leaves=12,
)


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML built without libyaml")
@settings(max_examples=400)
@given(st.dictionaries(st.one_of(_yaml_key, _yaml_key, _yaml_text), _yaml_value, min_size=1, max_size=6))
def test_fast_yaml_dumper_writes_what_the_pure_one_writes(data) -> None:
    """Front matter goes through libyaml only for data it writes byte for byte like PyYAML."""
    if not _simple_yaml(data):
        return
    opts = {"sort_keys": False, "allow_unicode": True, "width": 10**6}
    assert yaml.dump(data, Dumper=yaml.CSafeDumper, **opts) == yaml.dump(data, Dumper=yaml.SafeDumper, **opts)
