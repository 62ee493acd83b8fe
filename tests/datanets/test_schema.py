import pytest

from datanets.parsing import RowError
from datanets.schema import (
    FieldSpec,
    build_schema,
    check_schema,
    coerce_text_values,
    default_schema,
    schema_to_fields,
    validate_record,
)

FIELDS = [
    FieldSpec("text", "string", required=True, max_length=500),
    FieldSpec("label", "string"),
    FieldSpec("n", "integer"),
    FieldSpec("score", "number"),
    FieldSpec("ok", "boolean", required=True),
    FieldSpec("tags", "array", max_length=10),
]
SCHEMA = build_schema(FIELDS)


def test_default_schema_is_the_documented_one_and_fine():
    assert default_schema() == {"type": "object", "properties": {"text": {"type": "string", "minLength": 1}},
                                "required": ["text"]}
    assert check_schema(default_schema(), "text") == []
    default_schema()["required"].append("x")
    assert default_schema()["required"] == ["text"]


def test_build_schema_for_every_field_type():
    assert SCHEMA == {
        "type": "object",
        "properties": {
            "text": {"type": "string", "minLength": 1, "maxLength": 500},
            "label": {"type": "string"},
            "n": {"type": "integer"},
            "score": {"type": "number"},
            "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 10}},
        },
        "required": ["text", "ok"],
    }
    assert check_schema(SCHEMA, "text") == []


def test_array_of_strings_is_an_alias():
    assert build_schema([FieldSpec("t", "array-of-strings")]) == build_schema([FieldSpec("t", "array")])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([], "at least one field"),
        ([FieldSpec("a"), FieldSpec("a")], "appears twice"),
        ([FieldSpec("a", "date")], "unknown type 'date'"),
        ([FieldSpec("a", "integer", max_length=3)], "maximum length"),
        ([FieldSpec("a", "string", max_length=0)], "maximum length"),
        ([FieldSpec(" a")], "not usable"),
        ([FieldSpec("")], "not usable"),
    ],
)
def test_build_schema_refuses_bad_fields(fields, expected):
    with pytest.raises(ValueError, match=expected):
        build_schema(fields)


def test_schema_to_fields_inverts_build_schema():
    assert schema_to_fields(SCHEMA) == [FieldSpec(f.name, f.type, f.required, f.max_length) for f in FIELDS]
    assert schema_to_fields(default_schema()) == [FieldSpec("text", "string", True, None)]
    reordered = {**SCHEMA, "required": ["ok", "text"]}
    assert schema_to_fields(reordered) is not None


@pytest.mark.parametrize(
    "schema",
    [
        None,
        [],
        {"type": "object"},
        {**SCHEMA, "additionalProperties": False},
        {"type": "object", "properties": {"text": {"type": "string", "pattern": "^a"}}},
        {"type": "object", "properties": {"meta": {"type": "object"}}},
        {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "integer"}}}},
        {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},  # no minLength
        {"type": "object", "properties": {"text": {"type": ["string", "null"]}}},
    ],
)
def test_schema_to_fields_is_none_when_the_builder_cannot_express_it(schema):
    assert schema_to_fields(schema) is None


@pytest.mark.parametrize(
    ("schema", "text_field", "expected"),
    [
        (None, "text", "must be a JSON object"),
        ({"type": "array"}, "text", 'set "type": "object"'),
        (default_schema(), "body", "'body' is not among the schema's properties"),
        (default_schema(), "", "Choose the text field"),
        ({"type": "object", "properties": {"text": {"type": "integer"}}, "required": ["text"]}, "text",
         'declared with "type": "string"'),
        ({"type": "object", "properties": {"text": {"type": "string"}}}, "text", 'in "required"'),
        ({**default_schema(), "properties": {"text": {"type": "strin"}}}, "text", "unknown type 'strin'"),
        ({**default_schema(), "properties": {"text": {"type": "string", "minLength": -1}}}, "text",
         "properties.text.minLength"),
        ({**default_schema(), "properties": {"text": {"type": "string", "pattern": "(["}}}, "text", "regex"),
        ({**default_schema(), "$schema": "http://json-schema.org/draft-07/schema#"}, "text", "2020-12"),
        ({**default_schema(), "$defs": {"x": {"$ref": "https://example.com/s.json"}}}, "text", "outside the schema"),
        ({**default_schema(), "properties": {"text": {"$ref": "#/$defs/missing"}}}, "text", "points to nothing"),
        ({**default_schema(), "description": "x" * 70_000}, "text", "keep it under"),
    ],
)
def test_check_schema_explains_each_problem(schema, text_field, expected):
    problems = check_schema(schema, text_field)
    assert any(expected in p for p in problems), problems


def test_check_schema_accepts_local_references_and_anchors():
    schema = {
        "type": "object",
        "$defs": {"txt": {"type": "string", "minLength": 1}, "lbl": {"$anchor": "label", "enum": ["a", "b"]}},
        "properties": {"text": {"type": "string", "$ref": "#/$defs/txt"}, "label": {"$ref": "#label"}},
        "required": ["text"],
    }
    assert check_schema(schema, "text") == []


def test_validate_record_messages_name_the_field():
    errors = validate_record(SCHEMA, {"text": "", "n": "5", "score": True, "tags": ["ok", 3, "x" * 11]})
    assert errors == [
        RowError("n", 'Expected a whole number, got the text "5".'),
        RowError("ok", "This field is required."),
        RowError("score", "Expected a number, got true/false."),
        RowError("tags.1", "Expected text, got the number 3."),
        RowError("tags.2", "Must be at most 10 characters (it has 11)."),
        RowError("text", "Must not be empty."),
    ]
    assert validate_record(SCHEMA, {"text": "fine", "ok": False, "extra": {"any": 1}}) == []


def test_validate_record_never_echoes_a_huge_value():
    errors = validate_record(SCHEMA, {"text": "x" * 100_000, "ok": True})
    assert errors == [RowError("text", "Must be at most 500 characters (it has 100,000).")]
    errors = validate_record({"type": "object", "properties": {"text": {"not": {"type": "string"}}}},
                             {"text": "y" * 100_000})
    assert len(errors[0].message) <= 300


def test_validate_record_root_errors_have_an_empty_field():
    assert validate_record(SCHEMA, ["not", "an", "object"]) == [RowError("", "Expected an object, got a list.")]
    closed = {**default_schema(), "additionalProperties": False}
    (error,) = validate_record(closed, {"text": "a", "surprise": 1})
    assert error.field == "" and "surprise" in error.message


@pytest.mark.parametrize(
    ("prop", "value", "expected"),
    [
        ({"enum": ["pos", "neg"]}, "meh", 'Must be one of: "pos", "neg".'),
        ({"type": "integer", "minimum": 1}, 0, "Must be at least 1 (it is 0)."),
        ({"type": "number", "exclusiveMaximum": 1}, 1, "Must be less than 1 (it is 1)."),
        ({"type": "string", "minLength": 3}, "ab", "Must be at least 3 characters (it has 2)."),
        ({"type": "array", "minItems": 1}, [], "Must have at least 1 item."),
        ({"type": "string", "pattern": "^[a-z]+$"}, "ABC", "Does not match the required pattern ^[a-z]+$."),
        ({"type": "string", "format": "date"}, "2024-13-45", "Is not a valid date."),
    ],
)
def test_validate_record_readable_messages(prop, value, expected):
    assert validate_record({"type": "object", "properties": {"f": prop}}, {"f": value}) == [RowError("f", expected)]


def test_validator_cache_follows_the_schema_not_its_identity():
    schema = {"type": "object", "properties": {"text": {"type": "string", "maxLength": 3}}}
    assert validate_record(schema, {"text": "abcd"})
    schema["properties"]["text"]["maxLength"] = 10  # the same dict, changed in place
    assert validate_record(schema, {"text": "abcd"}) == []


def test_errors_per_record_are_capped():
    schema = {"type": "object", "properties": {f"f{i}": {"type": "integer"} for i in range(50)}}
    assert len(validate_record(schema, {f"f{i}": "x" for i in range(50)})) == 20


def test_coerce_text_values_from_csv():
    fields = {"text": " 12 ", "n": " 42 ", "score": "1.5", "ok": "Yes", "tags": '["a", "b"]', "label": "", "x": "7"}
    assert coerce_text_values(SCHEMA, fields) == {
        "text": " 12 ", "n": 42, "score": 1.5, "ok": True, "tags": ["a", "b"], "label": "", "x": "7"}
    assert coerce_text_values(SCHEMA, {"n": "", "score": "nan", "ok": "maybe", "tags": "a|b"}) == {
        "score": "nan", "ok": "maybe", "tags": "a|b"}
    assert validate_record(SCHEMA, coerce_text_values(SCHEMA, {"text": "t", "ok": "no", "n": "3"})) == []
