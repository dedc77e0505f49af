"""The JSON form of the model: exact round trip, validated by the shipped schema."""

from __future__ import annotations

import json

import pytest
from conftest import SAMPLES, corpus_posts
from jsonschema import Draft202012Validator, ValidationError

import migrate
from migrate import codec
from migrate.model import Document
from migrate.schema import generate

VALIDATOR = Draft202012Validator(generate.load())


def test_shipped_schema_is_valid_and_matches_the_model():
    Draft202012Validator.check_schema(generate.load())
    # The shipped file is what users validate against; it must describe the current model.
    assert generate.load() == json.loads(generate.render())


def _roundtrip(doc: Document) -> None:
    text = migrate.emit(doc, "json")
    VALIDATOR.validate(json.loads(text))
    back = Document.from_json(text)
    assert back == doc
    assert back.to_json() == text
    # the cache's positional coding gives the same document, and the same public JSON
    cached = codec.loads(codec.dumps(doc))
    assert cached == doc
    assert cached.to_json() == text


@pytest.mark.parametrize("path", sorted(SAMPLES.rglob("*.rst")), ids=lambda p: p.name)
def test_samples_roundtrip_and_validate(path):
    try:
        doc = migrate.read(path, config=migrate.Config.from_file(SAMPLES / "migrate.toml"))
    except migrate.SourceError:
        pytest.skip("post that cannot be read (tested in test_cli)")
    _roundtrip(doc)


@pytest.mark.parametrize("path", corpus_posts(), ids=lambda p: p.name)
def test_corpus_roundtrip_and_validate(path):
    _roundtrip(migrate.read(path))


def test_schema_rejects_a_broken_document():
    doc = migrate.read("Title\n=====\n\nSome *text*.\n")
    data = json.loads(doc.to_json())
    data["blocks"][0]["t"] = "NoSuchBlock"
    with pytest.raises(ValidationError):
        VALIDATOR.validate(data)


def test_json_is_deterministic():
    text = "A post\n======\n\n:tags: b, a\n\nBody with a link_.\n\n.. _link: https://example.com\n"
    assert migrate.emit(migrate.read(text), "json") == migrate.emit(migrate.read(text), "json")


def test_cache_coding_is_compact_and_rejects_other_data():
    config = migrate.Config.from_file(SAMPLES / "migrate.toml")
    doc = migrate.read(SAMPLES / "20130905-pi-cluster.rst", config=config)
    text = codec.dumps(doc)
    assert len(text) < len(doc.to_json(indent=None)) * 0.8  # no field names
    for bad in ("{}", "[]", "[9999, 1]", "not json", doc.to_json()):
        with pytest.raises((ValueError, KeyError, TypeError, IndexError)):
            codec.loads(bad)
