"""A plain-Python check that a record surely satisfies a simple JSON Schema (the kind the field
builder makes: types, properties, required, items and string lengths). It only ever says "surely
valid" or "ask jsonschema": what it does not pass goes to jsonschema, which has the last word and
writes every error message. No Django here.
"""

from collections.abc import Callable
from typing import Any

# Keywords that never make a record invalid.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "default", "examples",
                          "deprecated", "readOnly", "writeOnly"})
_SIMPLE_KEYWORDS = frozenset({"type", "minLength", "maxLength", "items", "properties", "required"})
# Stricter than JSON Schema where that is cheaper (1.0 is an integer there, not here): a value
# these reject is only sent on to jsonschema, which has the last word.
_SIMPLE_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: type(v) is str,
    "integer": lambda v: type(v) is int,
    "number": lambda v: type(v) is int or type(v) is float,
    "boolean": lambda v: type(v) is bool,
    "array": lambda v: type(v) is list,
    "object": lambda v: type(v) is dict,
    "null": lambda v: v is None,
}


def simple_check(node: Any) -> Callable[[Any], bool] | None:
    """A function telling whether a value surely satisfies the schema `node`, or None when the
    schema uses anything beyond `_SIMPLE_KEYWORDS` (then every record goes to jsonschema)."""
    if not isinstance(node, dict) or set(node) - _ANNOTATIONS - _SIMPLE_KEYWORDS:
        return None
    checks: list[Callable[[Any], bool]] = []
    kinds = node.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        if not names or any(not isinstance(k, str) or k not in _SIMPLE_TYPES for k in names):
            return None
        tests = [_SIMPLE_TYPES[k] for k in names]
        checks.append(tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests))
    low, high = node.get("minLength"), node.get("maxLength")
    if low is not None or high is not None:
        if any(b is not None and (type(b) is not int or b < 0) for b in (low, high)):
            return None
        lo, hi = low or 0, high if high is not None else float("inf")
        checks.append(lambda v: type(v) is not str or lo <= len(v) <= hi)
    if "items" in node:
        item = simple_check(node["items"])
        if item is None:
            return None
        checks.append(lambda v: type(v) is not list or all(item(x) for x in v))
    if "properties" in node:
        if not isinstance(node["properties"], dict):
            return None
        props = []
        for name, sub in node["properties"].items():
            check = simple_check(sub)
            if check is None:
                return None
            props.append((name, check))
        checks.append(lambda v: type(v) is not dict or all(n not in v or c(v[n]) for n, c in props))
    if "required" in node:
        required = node["required"]
        if not isinstance(required, list) or not all(isinstance(n, str) for n in required):
            return None
        checks.append(lambda v: type(v) is not dict or all(n in v for n in required))
    if len(checks) == 1:
        return checks[0]
    return lambda v: all(c(v) for c in checks)
