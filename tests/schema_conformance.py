"""Checks an API answer against the OpenAPI schema: its status code must be documented for its
operation, and a JSON body must match the documented schema for that code.

Used by the autouse fixture in tests/conftest.py on every request the test clients make, so the
schema cannot drift from the code without some test failing.
"""

import json
import re
from functools import cache

from openapi_schema_validator import OAS30ReadValidator

METHODS = ("get", "post", "put", "patch", "delete", "head", "options")


@cache
def api_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _nullable_refs(node):
    """`{"allOf": [ref], "nullable": true}` (how OpenAPI 3.0 says "this object or null") as a
    validator understands it: the validator applies `nullable` to the node but not to its allOf."""
    if isinstance(node, list):
        return [_nullable_refs(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _nullable_refs(v) for k, v in node.items()}
    if node.get("nullable") and "allOf" in node:
        rest = {k: v for k, v in node.items() if k not in ("allOf", "nullable")}
        return {**rest, "anyOf": [{"enum": [None]}, {"allOf": node["allOf"]}]}
    return node


@cache
def components() -> dict:
    """The schema's components, ready for a validator."""
    return _nullable_refs(api_schema()["components"])


def validation_schema(schema: dict) -> dict:
    """A response or request schema with the components beside it, so that its $refs resolve."""
    return {**_nullable_refs(schema), "components": components()}


@cache
def _routes() -> list[tuple[re.Pattern, str]]:
    routes = []
    for template in api_schema()["paths"]:
        regex = re.escape(template)
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", regex)
        routes.append((re.compile(f"^{regex}$"), template))
    # Literal segments beat parameters: /uploads/complete/ before /uploads/{x}/.
    routes.sort(key=lambda r: r[1].count("{"))
    return routes


def operation_for(path: str) -> tuple[str | None, dict]:
    for regex, template in _routes():
        if regex.match(path):
            return template, api_schema()["paths"][template]
    return None, {}


def _resolve(ref_or_obj: dict) -> dict:
    while "$ref" in ref_or_obj:
        node = api_schema()
        for part in ref_or_obj["$ref"].lstrip("#/").split("/"):
            node = node[part]
        ref_or_obj = node
    return ref_or_obj


@cache
def _validator(template: str, method: str, code: str) -> OAS30ReadValidator:
    documented = _resolve(api_schema()["paths"][template][method]["responses"][code])
    return OAS30ReadValidator(validation_schema(documented["content"]["application/json"]["schema"]))


def problems(method: str, path: str, response) -> list[str]:
    """What is wrong with this answer according to the schema (empty when it conforms)."""
    template, item = operation_for(path)
    if template is None:
        return [] if response.status_code == 404 else [f"{path} is not in the schema"]
    operation = item.get(method.lower())
    if operation is None:
        return [] if response.status_code == 405 else [f"{method} {template} is not in the schema"]
    code = str(response.status_code)
    key = code if code in operation["responses"] else "default"
    documented = operation["responses"].get(key)
    if documented is None:
        return [f"{method} {template} answered {code}, which the schema does not list "
                f"(it lists {', '.join(sorted(operation['responses']))})"]
    documented = _resolve(documented)
    content = documented.get("content") or {}
    media = (response.get("Content-Type") or "").split(";")[0].strip()
    if getattr(response, "streaming", False) or code in ("204", "304") or not response.content:
        if code in ("204", "304") and not getattr(response, "streaming", False) and response.content:
            return [f"{method} {template} {code} has a body"]
        return []
    if media != "application/json":
        if content and media not in content and not any(m.endswith("*") for m in content):
            return [f"{method} {template} {code} answered {media}; the schema lists {', '.join(content)}"]
        return []
    if "application/json" not in content:
        return [f"{method} {template} {code} has a JSON body the schema does not describe"]
    body = json.loads(response.content)
    errors = sorted(_validator(template, method.lower(), key).iter_errors(body), key=lambda e: list(e.absolute_path))
    return [f"{method} {template} {code} body at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in errors[:5]]
