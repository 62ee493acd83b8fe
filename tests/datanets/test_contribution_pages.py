import io

import pytest

from curation.ingest import submission_ingest
from datanets.models import Membership
from datanets.submissions import submission_create_from_file
from tests.factories import make_datanet


@pytest.fixture
def processed(alice, bob, monkeypatch):
    monkeypatch.setattr("datanets.submissions._enqueue", lambda pk: None)
    datanet = make_datanet(alice, name="Notes", members={})
    data = (b"text\n"
            b"\"=HYPERLINK(\"\"http://evil\"\")\"\n"
            b"A perfectly reasonable sentence about first aid and bandages.\n"
            b"<script>alert('x')</script> is not how you treat a burn, cool water is.\n")
    sub = submission_create_from_file(datanet=datanet, contributor=bob, stream=io.BytesIO(data), original_name="n.csv")
    datanet.record_schema = {"type": "object", "properties": {"text": {"type": "string", "pattern": "^[A-Za-z<]"}},
                             "required": ["text"]}
    datanet.save()
    assert submission_ingest(submission_id=sub.id)
    return datanet, sub


def test_contributor_sees_every_record_with_its_explanation(client, bob, processed):
    datanet, sub = processed
    client.force_login(bob)
    html = client.get(f"/submissions/{sub.id}/").content.decode()
    assert "Schema: valid" in html and "Quality" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "n.csv" in client.get("/me/contributions/").content.decode()


def test_progress_partial_shows_the_counts(client, bob, processed):
    _, sub = processed
    client.force_login(bob)
    html = client.get(f"/submissions/{sub.id}/progress/").content.decode()
    assert 'data-status="done"' in html and 'data-count="total">3<' in html and 'data-count="invalid">1<' in html
    assert "hx-trigger" not in html  # polling stops when done


def test_others_cannot_see_a_submission_but_curators_can(client, alice, carol, bob, processed):
    datanet, sub = processed
    client.force_login(carol)
    assert client.get(f"/submissions/{sub.id}/").status_code == 404
    Membership.objects.create(datanet=datanet, user=carol, role="curator")
    assert client.get(f"/submissions/{sub.id}/").status_code == 200


def test_error_report_csv_neutralises_formulas(client, bob, processed):
    _, sub = processed
    client.force_login(bob)
    response = client.get(f"/submissions/{sub.id}/errors.csv")
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/csv"
    assert "row,field,message,excerpt" in body
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body
    jsonl = b"".join(client.get(f"/submissions/{sub.id}/errors.jsonl").streaming_content).decode()
    assert '"row": 2' in jsonl
