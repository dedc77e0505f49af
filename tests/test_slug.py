"""Slugs from titles, file names and explicit values."""

from __future__ import annotations

import re

import pytest

from migrate.slug import safe_slug, slugify, stem_slug, strip_date_prefix, title_slug


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("DevStack Local Config", "devstack-local-config"),
        ("OpenStack - Seven Layer Dip as a Service", "openstack-seven-layer-dip-as-a-service"),
        ("Trop bien !", "trop-bien"),
        ("Deuxième article", "deuxieme-article"),
        ("Alexis Métaireau", "alexis-metaireau"),
        ("Straße & Øresund", "strasse-oresund"),
        ("Don't Panic", "dont-panic"),
        ("Release v1.0.0", "release-v1-0-0"),
        ("  --Leading and trailing--  ", "leading-and-trailing"),
        ("T: reST, 1, compiler", "t-rest-1-compiler"),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_unicode() -> None:
    assert slugify("Deuxième article", unicode=True) == "deuxième-article"
    assert slugify("日本語 test", unicode=True) == "日本語-test"
    assert slugify("日本語 test") == "test"


@pytest.mark.parametrize("title", ["?!", "...", "", "日本語", "—"])
def test_punctuation_only_titles_still_get_a_slug(title: str) -> None:
    s = slugify(title)
    assert re.fullmatch(r"post-[0-9a-f]{8}", s)
    assert slugify(title) == s  # deterministic
    assert slugify("?!") != slugify("...")  # distinct titles, distinct slugs


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        # the old permalinks of the Blogofile corpus (yaml-frontmatter/)
        ("DevStack Local Config", "devstack-local-config"),  # /x/blog/2013/09/07/devstack-local-config/
        ("OpenStack Seven Layer Dip as a Service", "openstack-seven-layer-dip-as-a-service"),
        ("OpenStack - Seven Layer Dip as a Service", "openstack-seven-layer-dip-as-a-service"),
        ("Windows Images for OpenStack", "windows-images-for-openstack"),
        ("Fish &amp; Chips", "fish-chips"),
        ("snake_case stays", "snake_case-stays"),
        ("!!!", None),
    ],
)
def test_title_slug(title: str, slug: str | None) -> None:
    got = title_slug(title)
    if slug is None:
        assert got.startswith("post-")
    else:
        assert got == slug


@pytest.mark.parametrize(
    ("path", "slug"),
    [
        ("yaml-frontmatter/20130905-open-stack-layers.rst", "open-stack-layers"),
        ("2013-09-05-slug.rst", "slug"),
        ("pelican/2012-11-30_filename-metadata.rst", "filename-metadata"),
        (
            "2010.07.a-distutils2-month-pypi-simple-index-ready.rst",
            "a-distutils2-month-pypi-simple-index-ready",
        ),
        ("2015-06-01-kinto.1.0-fr.rst", "kinto.1.0-fr"),
        ("posts/2012/06/17/making-a-websocket-server/index.rst", "making-a-websocket-server"),
        (
            "posts/0006-search-tags-with-mini-pick-in-nvim/index.rst",
            "0006-search-tags-with-mini-pick-in-nvim",
        ),
        ("nikola/nikola-4-released.txt", "nikola-4-released"),
        ("tinkerer/2012/07/05/tinkerer_0_4_beta_released.rst", "tinkerer_0_4_beta_released"),
        ("My Post (draft).rst", "My-Post-draft"),
        ("C:\\blog\\hello.rst", "hello"),
        ("20130905.rst", "20130905"),  # only a date: kept rather than empty
        ("<string>", ""),
        ("-", ""),
        ("", ""),
    ],
)
def test_stem_slug(path: str, slug: str) -> None:
    assert stem_slug(path) == slug


def test_strip_date_prefix() -> None:
    assert strip_date_prefix("20130905-open-stack-layers") == "open-stack-layers"
    assert strip_date_prefix("2013.01.new-year-python-meme") == "new-year-python-meme"
    assert strip_date_prefix("0004-vhdl") == "0004-vhdl"


@pytest.mark.parametrize(
    ("slug", "safe"),
    [
        ("v1.0.0", "v1.0.0"),
        ("Oh-Yeah", "Oh-Yeah"),  # case kept: the old URL had it
        ("../../etc/passwd", "etc-passwd"),
        ("a/b", "a-b"),
        ("with space", "with-space"),
        ("deuxième", "deuxième"),
    ],
)
def test_safe_slug(slug: str, safe: str) -> None:
    assert safe_slug(slug) == safe


@pytest.mark.parametrize("slug", ["..", "/", "  ", "../..", "?"])
def test_unusable_explicit_slugs_fall_back(slug: str) -> None:
    got = safe_slug(slug)
    assert got and "/" not in got and ".." not in got
    assert got == safe_slug(slug)
