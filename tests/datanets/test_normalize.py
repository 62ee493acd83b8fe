import hashlib

import pytest

from datanets.normalize import HASH_VERSION, canonical_form, content_hash, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Hello \t\n world  ", "Hello world"),
        ("Cafe\u0301", "Caf\u00e9"),  # NFC composes the accent
        ("non\u00a0breaking\u2003space", "non breaking space"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("Case And Punctuation!", "Case And Punctuation!"),
        ("emoji \U0001f469\u200d\U0001f4bb kept", "emoji \U0001f469\u200d\U0001f4bb kept"),
        ("\n\n", ""),
    ],
)
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_text_is_idempotent():
    once = normalize_text(" a\u0301 \u00a0 b\r\n")
    assert normalize_text(once) == once


def test_hash_ignores_whitespace_key_order_and_unicode_composition():
    first = {"text": "A  cafe\u0301\nnote", "label": " pos ", "meta": {"b": 1, "a": ["x ", " y"]}}
    second = {"meta": {"a": ["x", "y"], "b": 1}, "label": "pos", "text": " A caf\u00e9 note "}
    assert content_hash(first, "text") == content_hash(second, "text")


@pytest.mark.parametrize(
    "other",
    [
        {"text": "a note", "label": "pos"},  # case
        {"text": "A note!", "label": "pos"},  # punctuation
        {"text": "A note", "label": "neg"},  # another field's value
        {"text": "A note", "tag": "pos"},  # another field's name
        {"text": "A note", "label": "pos", "extra": None},  # an extra field
        {"text": "A note", "label": ["pos"]},  # a value's type
    ],
)
def test_hash_changes_with_content(other):
    assert content_hash({"text": "A note", "label": "pos"}, "text") != content_hash(other, "text")


def test_text_and_other_fields_cannot_be_confused():
    assert content_hash({"text": "a"}, "text") != content_hash({"text": "", "x": "a"}, "text")
    assert content_hash({"body": "a", "text": "b"}, "body") != content_hash({"body": "b", "text": "a"}, "body")


def test_canonical_form_layout_is_fixed():
    # Stored hashes depend on this exact layout: changing it needs a new HASH_VERSION and a rehash.
    form = canonical_form({"text": " Hi  there ", "z": "é ", "a": {"k": [1, " x"]}}, "text")
    assert form == f'v{HASH_VERSION}\nHi there\n{{"a":{{"k":[1,"x"]}},"z":"é"}}'
    assert content_hash({"text": "Hi there"}, "text") == hashlib.sha256(b"v1\nHi there\n{}").hexdigest()
    golden = "ed0bdabb2cf50d6449148a988f82160f9ddfa931fca78a1ff088dbfdb65e08b9"
    assert content_hash({"text": "Hi there"}, "text") == golden


def test_missing_or_non_string_text():
    assert canonical_form({"label": "x"}, "text") == 'v1\n\n{"label":"x"}'
    assert content_hash({"text": 5}, "text") != content_hash({"text": 6}, "text")


def test_nan_has_no_canonical_form():
    with pytest.raises(ValueError):
        content_hash({"text": "a", "x": float("nan")}, "text")
