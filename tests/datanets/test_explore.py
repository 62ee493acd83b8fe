from tests.factories import make_datanet


def test_search_as_you_type_returns_the_results_fragment(client, alice):
    make_datanet(alice, name="Radiology reports", tags=["radiology"], domain="medicine")
    make_datanet(alice, name="Tax law Q&A", domain="law")
    response = client.get("/", {"q": "radio"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = response.content.decode()
    assert "<html" not in html
    assert "Radiology reports" in html and "Tax law" not in html


def test_filters_and_sort(client, alice):
    make_datanet(alice, name="A medical", domain="medicine", license="CC0-1.0", tags=["x"])
    make_datanet(alice, name="B legal", domain="law", license="MIT", tags=["y"])
    assert "B legal" not in client.get("/", {"domain": "medicine"}).content.decode()
    assert "A medical" not in client.get("/", {"license": "MIT"}).content.decode()
    assert "A medical" not in client.get("/", {"tag": "y"}).content.decode()
    html = client.get("/", {"sort": "name"}).content.decode()
    assert html.index("A medical") < html.index("B legal")


def test_private_and_draft_datanets_stay_out_of_listings(client, api, alice, bob, private_datanet):
    make_datanet(alice, name="Unfinished draft", status="draft")
    for c in (client,):
        html = c.get("/", {"q": "secret"}).content.decode()
        assert "Secret lab notes" not in html
    assert api.get("/api/v1/datanets/", {"q": "secret"}).json()["count"] == 0
    client.force_login(bob)
    assert "Secret lab notes" not in client.get("/").content.decode()
    assert "Unfinished draft" not in client.get("/").content.decode()
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "Secret lab notes" in html and "Unfinished draft" in html


def test_detail_page_renders_markdown_safely(client, alice):
    d = make_datanet(alice, name="Safe", description="**bold** <script>alert(1)</script> [x](javascript:alert(2))")
    html = client.get(f"/d/{d.slug}/").content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)" not in html and "javascript:alert" not in html


def test_names_are_escaped_everywhere(client, alice):
    d = make_datanet(alice, name="<img src=x onerror=alert(1)>", summary="<b>hi</b>")
    for path in ("/", f"/d/{d.slug}/"):
        html = client.get(path).content.decode()
        assert "<img src=x" not in html and "&lt;img src=x" in html
