"""A NUL in a query parameter (PostgreSQL refuses such strings) is dropped, not a server error."""


def test_nul_in_search_and_filters_is_ignored(api, client, datanet):
    response = api.get("/api/v1/datanets/", {"q": "Medical\x00", "tag": "a\x00b", "domain": "x\x00"})
    assert response.status_code == 200
    assert client.get("/", {"q": "Medical\x00notes"}).status_code == 200
    found = api.get("/api/v1/datanets/", {"q": "Med\x00ical"}).json()["results"]
    assert [d["slug"] for d in found] == [datanet.slug]
