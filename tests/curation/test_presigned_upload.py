"""Large files straight to the bucket: presigned PUT, then complete. On the embedded profile
the endpoint explains that it needs S3."""

import pytest
import requests
from django.conf import settings

from datanets.models import Submission
from tests.factories import make_datanet

CSV = b"text\nPress firmly on a bleeding wound with a clean cloth and keep pressing.\n"


@pytest.fixture
def open_datanet(alice):
    return make_datanet(alice, name="Direct uploads")


def test_presigned_put_then_complete(api_as, bob, open_datanet, django_capture_on_commit_callbacks):
    api = api_as(bob)
    response = api.post(f"/api/v1/datanets/{open_datanet.slug}/uploads/",
                        {"filename": "../../etc/notes.csv", "size": len(CSV), "content_type": "text/csv"}, format="json")
    if settings.STORAGE_BACKEND != "s3":
        assert response.status_code == 400
        assert "need the S3 storage profile" in response.json()["detail"]
        return
    assert response.status_code == 201, response.json()
    ticket = response.json()
    early = api.post("/api/v1/uploads/complete/", {"upload_id": ticket["upload_id"]}, format="json")
    assert early.status_code == 400 and "PUT the file" in early.json()["detail"]
    put = requests.put(ticket["url"], data=CSV, headers=ticket["headers"], timeout=30)
    assert put.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post("/api/v1/uploads/complete/", {"upload_id": ticket["upload_id"]}, format="json")
    assert done.status_code == 202, done.json()
    sub = Submission.objects.get(id=done.json()["id"])
    assert sub.original_name == "notes.csv" and sub.size == len(CSV)
    assert "/incoming/" in sub.storage_key
    sub.refresh_from_db()
    assert sub.status == "done" and sub.total == 1


def test_someone_elses_upload_id_is_refused(api_as, bob, carol, open_datanet):
    response = api_as(bob).post(f"/api/v1/datanets/{open_datanet.slug}/uploads/",
                                {"filename": "a.csv", "size": 10}, format="json")
    if settings.STORAGE_BACKEND != "s3":
        assert response.status_code == 400
        return
    stolen = api_as(carol).post("/api/v1/uploads/complete/", {"upload_id": response.json()["upload_id"]}, format="json")
    assert stolen.status_code == 403
    forged = api_as(bob).post("/api/v1/uploads/complete/", {"upload_id": "forged"}, format="json")
    assert forged.status_code == 400 and "unknown or expired" in forged.json()["detail"]
