"""The schema cannot drift from the code: every answer of the test suite is checked against it
(tests/conftest.py), and these tests check that the checker itself catches drift."""

import pytest
from django.http import HttpResponse, JsonResponse

from tests.schema_conformance import api_schema, problems, validation_schema


def test_a_conforming_answer_passes(api_as, alice, datanet):
    response = api_as(alice).get(f"/api/v1/datanets/{datanet.slug}/")
    assert problems("GET", f"/api/v1/datanets/{datanet.slug}/", response) == []


def test_an_undocumented_status_code_is_caught(db):
    found = problems("GET", "/api/v1/me/", HttpResponse(status=418))
    assert found and "418" in found[0] and "does not list" in found[0]


def test_a_wrong_body_is_caught(db):
    found = problems("GET", "/api/v1/me/", JsonResponse({"username": 3}))
    assert any("username" in p for p in found) and any("required" in p for p in found)


def test_an_error_must_have_the_error_shape(db):
    assert problems("GET", "/api/v1/me/", JsonResponse({"message": "no"}, status=401))
    assert problems("GET", "/api/v1/me/", JsonResponse({"detail": "no", "code": "x", "errors": {}}, status=401)) == []


@pytest.mark.parametrize("path,method", [("/api/v1/datanets/", "PUT")])
def test_an_unknown_method_is_only_fine_as_405(db, path, method):
    assert problems(method, path, HttpResponse(status=405)) == []
    assert problems(method, path, HttpResponse(status=200))


def test_every_operation_has_examples(db):
    """Request bodies and JSON success answers each carry at least one example."""
    missing = []
    for path, item in api_schema()["paths"].items():
        for method, op in item.items():
            body = op.get("requestBody", {}).get("content", {})
            if body and not any(media.get("examples") for media in body.values()):
                missing.append(f"{method.upper()} {path} request")
            for code, response in op["responses"].items():
                json_body = response.get("content", {}).get("application/json")
                if code.startswith("2") and json_body and not json_body.get("examples"):
                    missing.append(f"{method.upper()} {path} {code}")
    assert not missing, "Add OpenApiExample(s) (in <app>/api_examples.py) for: " + ", ".join(sorted(missing))


def test_every_example_matches_its_schema(db):
    from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

    schema = api_schema()
    wrong = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            places = [("request", OAS30WriteValidator, op.get("requestBody", {}).get("content", {}))]
            places += [(code, OAS30ReadValidator, r.get("content", {})) for code, r in op["responses"].items()]
            for where, validator, content in places:
                for media_type, media in content.items():
                    for name, example in (media.get("examples") or {}).items():
                        target = validation_schema(media["schema"])
                        for error in validator(target).iter_errors(example["value"]):
                            wrong.append(f"{method.upper()} {path} {where} example {name!r}: {error.message}")
    assert not wrong, "\n".join(wrong[:20])
