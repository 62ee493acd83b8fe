"""Reporting content: alice owns the datanet, bob contributes, carol reports, dave is an outsider."""

import pytest

from curation.models import Report
from datanets.models import AuditEntry
from tests.factories import UserFactory, make_records_in_review


@pytest.fixture
def record(datanet, bob):
    (record,) = make_records_in_review(datanet, bob, ["Buy cheap pills at example.com"], status="accepted")
    return record


def test_report_a_record(api_as, record, carol):
    response = api_as(carol).post("/api/v1/reports/", {"record": record.id, "reason": "spam",
                                                       "comment": "An advert."}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["target"] == "record" and body["record"] == record.id and body["datanet"] == record.datanet.slug
    assert body["status"] == "open" and body["reporter"] == "carol"
    entry = AuditEntry.objects.get(action="report.created")
    assert entry.actor == carol and entry.target_id == str(body["id"]) and entry.reason == "An advert."
    assert entry.datanet == record.datanet and entry.data == {"reason": "spam", "record": record.id}


def test_report_a_datanet(api_as, datanet, carol):
    response = api_as(carol).post("/api/v1/reports/", {"datanet": datanet.slug, "reason": "copyright"},
                                  format="json")
    assert response.status_code == 201, response.json()
    report = Report.objects.get()
    assert report.record is None and report.datanet == datanet and report.target_kind == "datanet"


def test_anonymous_is_asked_to_log_in(api, record):
    response = api.post("/api/v1/reports/", {"record": record.id, "reason": "spam"}, format="json")
    assert response.status_code == 401 and "Log in" in response.json()["detail"]
    assert not Report.objects.exists()


def test_one_open_report_per_reporter_and_target(api_as, record, carol):
    client = api_as(carol)
    assert client.post("/api/v1/reports/", {"record": record.id, "reason": "spam"}, format="json").status_code == 201
    again = client.post("/api/v1/reports/", {"record": record.id, "reason": "offensive"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "already_reported" and "already have an open report" in again.json()["detail"]
    # Another user may report the same record, and the reporter may report the datanet too.
    other = api_as(UserFactory(username="dave")).post("/api/v1/reports/", {"record": record.id, "reason": "spam"},
                                                      format="json")
    assert other.status_code == 201
    datanet = client.post("/api/v1/reports/", {"datanet": record.datanet.slug, "reason": "spam"}, format="json")
    assert datanet.status_code == 201
    assert client.post("/api/v1/reports/", {"datanet": record.datanet.slug, "reason": "spam"},
                       format="json").status_code == 409


def test_other_needs_a_comment(api_as, record, carol):
    response = api_as(carol).post("/api/v1/reports/", {"record": record.id, "reason": "other"}, format="json")
    assert response.status_code == 400
    assert "comment" in response.json()["errors"] and "what is wrong" in response.json()["detail"]


def test_record_or_datanet_not_both(api_as, record, carol):
    response = api_as(carol).post("/api/v1/reports/", {"record": record.id, "datanet": record.datanet.slug,
                                                       "reason": "spam"}, format="json")
    assert response.status_code == 400 and "either" in response.json()["detail"]


def test_a_private_datanets_record_is_404_to_an_outsider(api_as, private_datanet, bob, carol):
    (record,) = make_records_in_review(private_datanet, bob, ["Secret"], status="accepted")
    client = api_as(carol)
    assert client.post("/api/v1/reports/", {"record": record.id, "reason": "spam"}, format="json").status_code == 404
    assert client.post("/api/v1/reports/", {"datanet": private_datanet.slug, "reason": "spam"},
                       format="json").status_code == 404
    assert not Report.objects.exists()


def test_a_record_in_review_is_404_to_others_than_its_contributor_and_curators(api_as, datanet, bob, carol):
    (record,) = make_records_in_review(datanet, bob, ["Not yet public"])
    assert api_as(carol).post("/api/v1/reports/", {"record": record.id, "reason": "spam"},
                              format="json").status_code == 404


def test_report_page_for_a_record(client, record, carol):
    client.force_login(carol)
    page = client.get(f"/records/{record.id}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Buy cheap pills" in html and 'name="reason"' in html
    missing = client.post(f"/records/{record.id}/report/", {"reason": "other"})
    assert missing.status_code == 400 and "what is wrong" in missing.content.decode()
    done = client.post(f"/records/{record.id}/report/", {"reason": "offensive", "comment": "<b>rude</b>"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    assert Report.objects.get().comment == "<b>rude</b>"


def test_report_page_for_a_datanet(client, datanet, carol):
    client.force_login(carol)
    assert client.get(f"/d/{datanet.slug}/report/").status_code == 200
    done = client.post(f"/d/{datanet.slug}/report/", {"reason": "off_topic"})
    assert done.status_code == 200
    assert Report.objects.get().datanet == datanet
    again = client.post(f"/d/{datanet.slug}/report/", {"reason": "spam"})
    assert again.status_code == 409 and "already have an open report" in again.content.decode()


def test_report_page_needs_login(client, record):
    response = client.get(f"/records/{record.id}/report/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
