"""Slugs: the last path segment of a post's URL.

Three sources, three functions: :func:`slugify` for a title (portable, lowercase ASCII by
default), :func:`title_slug` for what Blogofile-era sites put in their permalinks (so old
URLs can be recomputed), :func:`stem_slug` for the file name.  :func:`safe_slug` keeps an
explicit slug as written (case included: Hugo and Jekyll accept it, and changing it would
break the old URL) but makes it a safe single path segment.

A slug is never empty: text without a letter or digit (``"?!"``, ``""``) gives
``post-`` plus the first 8 hex digits of the SHA-1 of the text, so the result is
deterministic across runs and machines and distinct for distinct titles.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from pathlib import PurePosixPath

__all__ = ["slugify", "title_slug", "stem_slug", "safe_slug", "strip_date_prefix"]

# Letters NFKD does not decompose into ASCII.
_TRANSLIT = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "ı": "i",
        "’": "",
        "'": "",
    }
)


def _fallback(text: str) -> str:
    return "post-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def _ascii(text: str) -> str:
    text = text.translate(_TRANSLIT)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slugify(text: str, unicode: bool = False) -> str:
    """Lowercase slug of ``text``: accents transliterated, runs of anything else one ``-``.

    Apostrophes vanish (``Don't`` -> ``dont``).  With ``unicode=True`` non-ASCII letters
    and digits are kept (NFKC-normalized) instead of transliterated.
    """
    if unicode:
        s = unicodedata.normalize("NFKC", text.replace("'", "").replace("’", "")).lower()
        s = "".join(c if c.isalnum() else "-" for c in s)
        s = re.sub(r"-+", "-", s).strip("-")
    else:
        s = re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")
    return s or _fallback(text)


def title_slug(title: str) -> str:
    """The slug Blogofile-era permalinks used for ``:title``.

    Blogofile's ``create_slug`` unescapes HTML entities, transliterates to ASCII and
    lowercases; real sites (dtroyer's, in the corpus) collapse the separator runs, so
    ``OpenStack - Seven Layer Dip as a Service`` -> ``openstack-seven-layer-dip-as-a-service``.
    Unlike :func:`slugify`, apostrophes and other punctuation become ``-`` too and ``_``
    is kept (a word character).
    """
    s = unicodedata.normalize("NFKD", html.unescape(title)).encode("ascii", "ignore").decode("ascii")
    s = re.sub(r"[^\w]+", "-", s.strip().lower()).strip("-")
    return s or _fallback(title)


_DATE_PREFIX = re.compile(
    r"^(?:\d{4}(?P<s>[-_.])\d{1,2}(?P=s)\d{1,2}|\d{8}|\d{4}(?P<t>[-_.])\d{1,2}(?=(?P=t)\D))[-_.\s]+"
)


def strip_date_prefix(name: str) -> str:
    """``20130905-open-stack-layers`` -> ``open-stack-layers`` (also ``YYYY-MM-DD-``,
    ``YYYY-MM-DD_``, ``YYYY.MM.DD.``, ``YYYY.MM.``); a name that is only a date is kept."""
    rest = _DATE_PREFIX.sub("", name, count=1)
    return rest or name


def stem_slug(path: str) -> str:
    """Slug from a file name: the stem without its date prefix, made safe.

    ``index.rst`` (and ``index.txt``...) is named by its folder: rstblog and page-bundle
    layouts keep one post per folder.  Pseudo paths such as ``<string>`` or ``-`` give "".
    """
    if not path or path == "-" or (path.startswith("<") and path.endswith(">")):
        return ""
    p = PurePosixPath(path.replace("\\", "/"))
    stem = p.name.split(".", 1)[0] if p.name.startswith("index.") or p.name == "index" else p.stem
    if stem == "index":
        stem = p.parent.name
    stem = stem.rsplit("__", 1)[-1]  # flattened trees write folders as '__'
    if not stem or stem in (".", ".."):
        return ""
    return safe_slug(strip_date_prefix(stem))


def safe_slug(slug: str) -> str:
    """Make an explicit slug one safe path segment, keeping its case and characters such as
    ``.`` and ``_`` (``v1.0.0`` stays ``v1.0.0``).

    Slashes, whitespace and URL-unsafe characters become ``-``; ``..`` cannot survive; an
    unusable slug falls back to :func:`slugify`.
    """
    s = unicodedata.normalize("NFC", str(slug)).strip()
    s = re.sub(r"[^\w.~-]+", "-", s)  # \w keeps non-ASCII letters: they are valid IRI segments
    s = re.sub(r"[-.]*-[-.]*", "-", s)  # `a/../b` -> `a-b`, not `a-.-b`
    s = re.sub(r"\.{2,}", ".", s).strip("-.")
    return s or slugify(str(slug))
