"""Record schemas: JSON Schema (Draft 2020-12) built from a simple field list, checked, and applied.

A datanet's schema says which fields a record has; its text field is the one that is
deduplicated and scored, so the schema must declare it as a required string.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator, ValidationError

from datanets.parsing import RowError
from datanets.schema_fastpath import simple_check

DEFAULT_TEXT_FIELD = "text"
# "array" means a list of texts: the only kind of list the field builder offers.
FIELD_TYPES = ("string", "integer", "number", "boolean", "array")
_TYPE_ALIASES = {"array-of-strings": "array"}
_JSON_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")
_DRAFT_2020_12 = ("https://json-schema.org/draft/2020-12/schema", "https://json-schema.org/draft/2020-12/schema#")
MAX_SCHEMA_BYTES = 64 * 1024
MAX_ERRORS_PER_RECORD = 20
_MAX_MESSAGE = 300


def default_schema() -> dict[str, Any]:
    """A fresh copy each call, so no caller can mutate another's default."""
    return {"type": "object", "properties": {"text": {"type": "string", "minLength": 1}}, "required": ["text"]}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str = "string"  # one of FIELD_TYPES; "array-of-strings" is accepted as "array"
    required: bool = False
    max_length: int | None = None  # characters; for "array", of each item


def build_schema(fields: Sequence[FieldSpec]) -> dict[str, Any]:
    """The JSON Schema for `fields`. Raises ValueError with a message for the person who built it.

    A required text field also gets minLength 1: an empty cell is what a missing value looks like
    in a spreadsheet, and a record without its text cannot be used.
    """
    if not fields:
        raise ValueError("Add at least one field, e.g. 'text' of type string.")
    properties: dict[str, Any] = {}
    required: list[str] = []
    for spec in fields:
        name, kind = spec.name, _TYPE_ALIASES.get(spec.type, spec.type)
        if not name or len(name) > 64 or name != name.strip() or any(ord(ch) < 32 for ch in name):
            raise ValueError(f"The field name {name!r} is not usable: give 1 to 64 characters, without leading or "
                             "trailing spaces.")
        if name in properties:
            raise ValueError(f"The field {name!r} appears twice; give each field a distinct name.")
        if kind not in FIELD_TYPES:
            raise ValueError(f"The field {name!r} has the unknown type {spec.type!r}; choose one of: "
                             f"{', '.join(FIELD_TYPES)}.")
        if spec.max_length is not None and (kind not in ("string", "array") or spec.max_length < 1):
            raise ValueError(f"The field {name!r}: a maximum length must be a positive number and only applies to "
                             "text and lists of texts.")
        prop: dict[str, Any] = {"type": kind}
        text: dict[str, Any] = prop if kind == "string" else {"type": "string"}
        if kind == "string" and spec.required:
            text["minLength"] = 1
        if spec.max_length is not None:
            text["maxLength"] = spec.max_length
        if kind == "array":
            prop["items"] = text
        properties[name] = prop
        if spec.required:
            required.append(name)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def schema_to_fields(schema: Any) -> list[FieldSpec] | None:
    """The field list that `build_schema` turns into exactly `schema`, or None if there is none."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return None
    required = schema.get("required", [])
    if not isinstance(required, list):
        return None
    specs = []
    for name, prop in schema["properties"].items():
        if not isinstance(prop, dict):
            return None
        kind = prop.get("type")
        text = prop.get("items") if kind == "array" else prop
        max_length = text.get("maxLength") if isinstance(text, dict) and kind in ("string", "array") else None
        if not isinstance(kind, str) or (max_length is not None and not isinstance(max_length, int)):
            return None
        specs.append(FieldSpec(name, kind, name in required, max_length))
    try:
        rebuilt = build_schema(specs)
    except (ValueError, TypeError):
        return None
    # "required" is a set in meaning; only its order may differ.
    same = {**rebuilt, "required": sorted(rebuilt.get("required", []))} == {**schema, "required": sorted(required)}
    return specs if same else None


def check_schema(schema: Any, text_field: str) -> list[str]:
    """Problems that make `schema` unusable for a datanet whose text is `text_field`; [] if none."""
    if not isinstance(schema, dict):
        return ['The schema must be a JSON object, e.g. {"type": "object", "properties": {...}}.']
    try:
        size = len(json.dumps(schema))
    except (TypeError, ValueError):
        return ["The schema holds values that are not JSON."]
    if size > MAX_SCHEMA_BYTES:
        return [f"The schema is {size:,} bytes; keep it under {MAX_SCHEMA_BYTES:,}."]
    problems: list[str] = []
    declared = schema.get("$schema")
    if declared is not None and declared not in _DRAFT_2020_12:
        problems.append(f"Only JSON Schema draft 2020-12 is supported: remove \"$schema\" or set it to "
                        f"{_DRAFT_2020_12[0]!r} (it is {declared!r}).")
    reported: set[tuple[str, ...]] = set()
    properties = schema.get("properties")
    for name, prop in (properties.items() if isinstance(properties, dict) else ()):
        kinds = prop.get("type") if isinstance(prop, dict) else None
        unknown = [k for k in (kinds if isinstance(kinds, list) else [kinds]) if k is not None and k not in _JSON_TYPES]
        if unknown:
            problems.append(f"The field {name!r} has the unknown type {unknown[0]!r}; use one of: "
                            f"{', '.join(_JSON_TYPES)}.")
            reported.add(("properties", str(name), "type"))
    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for error in sorted(meta.iter_errors(schema), key=lambda e: [str(p) for p in e.absolute_path]):
        path = tuple(str(p) for p in error.absolute_path)
        if path not in reported:
            reported.add(path)
            problems.append(f"Invalid JSON Schema at {'.'.join(path) or 'the top level'}: {_short(error.message)}.")
    problems.extend(_ref_problems(schema))
    if schema.get("type") != "object":
        problems.append('The schema must describe an object: set "type": "object" at the top level.')
    if not text_field:
        problems.append("Choose the text field: the field whose text is deduplicated and scored.")
    elif not isinstance(properties, dict) or text_field not in properties:
        problems.append(f"The text field {text_field!r} is not among the schema's properties; add it as "
                        f'"{text_field}": {{"type": "string"}}.')
    else:
        if not isinstance(properties[text_field], dict) or properties[text_field].get("type") != "string":
            problems.append(f'The text field {text_field!r} must be declared with "type": "string".')
        required = schema.get("required")
        if not isinstance(required, list) or text_field not in required:
            problems.append(f'List the text field {text_field!r} in "required": every record needs its text.')
    return problems


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _ref_problems(schema: dict[str, Any]) -> list[str]:
    # Workers must never fetch a URL named by a datanet owner, and a dangling local reference
    # would only surface on the first record that reaches it.
    anchors = {node["$anchor"] for node in _walk(schema) if isinstance(node.get("$anchor"), str)}
    problems = []
    for node in _walk(schema):
        for key in ("$ref", "$dynamicRef"):
            ref = node.get(key)
            if not isinstance(ref, str):
                continue
            if not ref.startswith("#"):
                problems.append(f"The reference {ref!r} points outside the schema; only local references "
                                "such as \"#/$defs/name\" are allowed.")
            elif not _resolves(schema, ref[1:], anchors):
                problems.append(f"The reference {ref!r} points to nothing in the schema.")
    return problems


def _resolves(schema: dict[str, Any], fragment: str, anchors: set[str]) -> bool:
    if fragment and not fragment.startswith("/"):
        return fragment in anchors
    node: Any = schema
    for part in fragment.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return True


@functools.lru_cache(maxsize=256)
def _validator(canonical: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(canonical), format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_record(schema: Mapping[str, Any], fields: Mapping[str, Any]) -> list[RowError]:
    """The ways `fields` breaks `schema` ([] if none), sorted by field path, at most MAX_ERRORS_PER_RECORD.

    `schema` must have passed `check_schema`. Compiled validators are cached by the schema's
    canonical JSON, so a changed schema never reuses a stale validator.
    """
    return record_validator(schema)(fields)


def record_validator(schema: Mapping[str, Any]) -> Callable[[Any], list[RowError]]:
    """`validate_record` bound to one schema, for checking many records against it.

    Schemas made only of types, properties, required, items and string lengths (what the field
    builder makes) also get a plain-Python check that passes a valid record ~20x faster than
    jsonschema; whatever it does not pass certain goes to jsonschema, so every error message
    is jsonschema's.
    """
    canonical = json.dumps(schema, sort_keys=True, separators=(",", ":"))
    return _record_validator(canonical)


@functools.lru_cache(maxsize=256)
def _record_validator(canonical: str) -> Callable[[Any], list[RowError]]:
    validator = _validator(canonical)
    surely_valid = simple_check(json.loads(canonical))

    def validate(fields: Any) -> list[RowError]:
        if surely_valid is not None and surely_valid(fields):
            return []
        errors = sorted((_row_error(error) for error in validator.iter_errors(fields)), key=lambda e: e.field)
        return errors[:MAX_ERRORS_PER_RECORD]

    return validate


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "array": "a list", "object": "an object", "null": "null"}


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return f"the text {_short(json.dumps(value, ensure_ascii=False), 40)}"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return {list: "a list", dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)


def _short(text: str, limit: int = _MAX_MESSAGE) -> str:
    # jsonschema's messages quote the offending value, which may be a whole megabyte of text.
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row_error(error: ValidationError) -> RowError:
    path = [str(p) for p in error.absolute_path]
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = next((name for name in expected if isinstance(value, dict) and name not in value
                        and error.message.startswith(repr(name))), "")
        return RowError(".".join([*path, missing]) if missing else ".".join(path), "This field is required.")
    if kind == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_WORDS.get(t, str(t)) for t in kinds)
        message = f"Expected {wanted}, got {_kind(value)}."
    elif kind == "minLength" and isinstance(value, str):
        message = ("Must not be empty." if expected == 1
                   else f"Must be at least {expected} characters (it has {len(value)}).")
    elif kind == "maxLength" and isinstance(value, str):
        message = f"Must be at most {expected:,} characters (it has {len(value):,})."
    elif kind in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        words = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                 "exclusiveMaximum": "less than"}[str(kind)]
        message = f"Must be {words} {expected} (it is {value})."
    elif kind == "enum" and isinstance(expected, list):
        choices = ", ".join(_short(json.dumps(v, ensure_ascii=False), 40) for v in expected[:10])
        message = f"Must be one of: {choices}{', …' if len(expected) > 10 else ''}."
    elif kind == "minItems":
        message = f"Must have at least {expected} item{'s' if expected != 1 else ''}."
    elif kind == "maxItems":
        message = f"Must have at most {expected} items (it has {len(value) if isinstance(value, list) else '?'})."
    elif kind == "pattern":
        message = f"Does not match the required pattern {_short(str(expected), 80)}."
    elif kind == "format":
        message = f"Is not a valid {expected}."
    else:
        message = _short(error.message)
    return RowError(".".join(path), message)


_INTEGER = re.compile(r"[+-]?\d{1,30}")
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def coerce_text_values(schema: Mapping[str, Any], fields: Mapping[str, Any]) -> dict[str, Any]:
    """Convert the string values of a csv record to the types `schema` declares for them.

    CSV has only text, so "42" must become 42 before an integer field can validate. An empty
    cell of a non-text field is dropped (it is a missing value, not an empty text). A value that
    does not convert stays as it is, so `validate_record` reports it against the field.
    """
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return dict(fields)
    result: dict[str, Any] = {}
    for name, value in fields.items():
        prop = properties.get(name)
        kind = prop.get("type") if isinstance(prop, Mapping) else None
        if not isinstance(value, str) or kind in (None, "string") or not isinstance(kind, str):
            result[name] = value
            continue
        text = value.strip()
        if not text:
            continue
        result[name] = _convert(text, kind, value)
    return result


def _convert(text: str, kind: str, original: str) -> Any:
    if kind == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if kind == "number":
        try:
            number = int(text) if _INTEGER.fullmatch(text) else float(text)
        except ValueError:
            return original
        return number if math.isfinite(number) else original
    if kind == "boolean" and text.lower() in _BOOLEANS:
        return _BOOLEANS[text.lower()]
    if kind in ("array", "object") and text[:1] in "[{":
        try:
            return json.loads(text)
        except ValueError:
            return original
    return original
