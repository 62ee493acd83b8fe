"""An API address that no route matches answers in the API's JSON error shape, not an HTML page."""


def test_unmatched_api_address_is_json(client):
    response = client.post("/api/v1/appeals/null,null/resolve/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]
