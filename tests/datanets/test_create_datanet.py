import json

from datanets.models import AuditEntry, Datanet, Membership


def test_create_with_the_field_builder(client, alice):
    client.force_login(alice)
    response = client.post("/new/", {
        "name": "Contract clauses", "summary": "Clauses with their type", "description": "# Hello",
        "tags": "law, contracts", "domain": "law", "license": "CC-BY-SA-4.0", "visibility": "public",
        "text_field": "clause", "txt_mode": "line", "schema_mode": "builder",
        "fb-0-name": "clause", "fb-0-type": "string", "fb-0-required": "on", "fb-0-max_length": "2000",
        "fb-3-name": "kind", "fb-3-type": "string",
    })
    assert response.status_code == 302, response.content
    datanet = Datanet.objects.get(slug="contract-clauses")
    assert datanet.status == "draft"
    assert datanet.record_schema["properties"]["clause"]["maxLength"] == 2000
    assert datanet.record_schema["required"] == ["clause"]
    assert sorted(datanet.tags.values_list("name", flat=True)) == ["contracts", "law"]
    assert Membership.objects.get(datanet=datanet, user=alice).role == "owner"
    assert AuditEntry.objects.filter(action="datanet.create", target_id=str(datanet.pk)).exists()


def test_invalid_raw_schema_is_refused_with_a_reason(client, alice):
    client.force_login(alice)
    response = client.post("/new/", {
        "name": "Broken", "domain": "general", "license": "CC0-1.0", "visibility": "public",
        "text_field": "text", "txt_mode": "line", "schema_mode": "raw",
        "record_schema_json": json.dumps({"type": "object", "properties": {"body": {"type": "string"}}}),
    })
    assert response.status_code == 200
    assert b"text" in response.content and b"errorlist" in response.content or b"error" in response.content
    assert not Datanet.objects.filter(name="Broken").exists()


def test_raw_schema_that_is_not_json_says_where(client, alice):
    client.force_login(alice)
    response = client.post("/new/", {
        "name": "Broken", "domain": "general", "license": "CC0-1.0", "visibility": "public",
        "text_field": "text", "txt_mode": "line", "schema_mode": "raw", "record_schema_json": '{"type": "object",',
    })
    assert b"not valid JSON" in response.content and b"line 1" in response.content


def test_api_create_update_and_status(api_as, alice):
    api = api_as(alice)
    response = api.post("/api/v1/datanets/", {
        "name": "Python snippets", "summary": "Small idiomatic snippets", "tags": ["python", "code"],
        "domain": "code", "license": "MIT",
    }, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "python-snippets" and body["status"] == "draft" and body["your_role"] == "owner"
    response = api.patch("/api/v1/datanets/python-snippets/", {"status": "open", "summary": "Snippets"}, format="json")
    assert response.json()["status"] == "open" and response.json()["summary"] == "Snippets"
    response = api.patch("/api/v1/datanets/python-snippets/", {"status": "draft"}, format="json")
    assert response.status_code == 400
    assert "can move to" in response.json()["detail"]


def test_api_field_errors_are_reported_per_field(api_as, alice):
    response = api_as(alice).post("/api/v1/datanets/", {"name": "", "license": "WTFPL"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "name" in errors and "license" in errors


def test_api_schema_problems_are_explained(api_as, alice):
    response = api_as(alice).post("/api/v1/datanets/", {
        "name": "Bad schema", "record_schema": {"type": "array"}, "text_field": "text",
    }, format="json")
    assert response.status_code == 400
    assert "record_schema" in response.json()["errors"]


def test_slugs_stay_unique(api_as, alice):
    api = api_as(alice)
    assert api.post("/api/v1/datanets/", {"name": "Same"}, format="json").json()["slug"] == "same"
    assert api.post("/api/v1/datanets/", {"name": "Same"}, format="json").json()["slug"] == "same-2"


def test_delete_an_empty_datanet(api_as, alice, datanet):
    assert api_as(alice).delete(f"/api/v1/datanets/{datanet.slug}/").status_code == 204
    assert not Datanet.objects.filter(pk=datanet.pk).exists()


def test_a_datanet_with_a_funded_pool_is_archived_not_deleted(api_as, alice, staff, datanet):
    from rewards.amounts import parse
    from rewards.services import pool_fund, treasury_mint

    treasury_mint(actor=staff, amount=parse("10"), key="t:mint")
    pool_fund(datanet=datanet, actor=staff, amount=parse("5"), key="t:fund")
    response = api_as(alice).delete(f"/api/v1/datanets/{datanet.slug}/")
    assert response.status_code == 400 and "archive it instead" in response.json()["detail"]
