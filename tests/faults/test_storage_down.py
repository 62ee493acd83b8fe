"""The S3 endpoint goes down: an upload gets a 503 that says nothing was kept, no submission is
left behind, and the same upload works once the store is back.

A private moto server on a free loopback port plays S3 here (in both profiles), so stopping it
does not disturb the rest of the suite.
"""

import io
import socket

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from datanets.models import Record, Submission
from tests.factories import make_datanet

BUCKET = "faults-storage"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def flaky_s3(settings):
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing",
                 aws_secret_access_key="testing").create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "us-east-1",
                    "access_key": "testing", "secret_key": "testing", "default_acl": None, "file_overwrite": False,
                    "addressing_style": "path",
                    "client_config": Config(connect_timeout=1, read_timeout=5,
                                            retries={"max_attempts": 2, "mode": "standard"})},
    }}
    state = {"server": server, "port": port}

    def restart():
        state["server"] = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
        state["server"].start()

    state["restart"] = restart
    yield state
    state["server"].stop()


def _objects() -> list[str]:
    from django.core.files.storage import default_storage

    client = default_storage.connection.meta.client
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def _csv(n: int, tag: str) -> io.BytesIO:
    f = io.BytesIO(("text\n" + "".join(f"{tag} record {i} about splints and slings, item {i}\n"
                                       for i in range(n))).encode())
    f.name = f"{tag}.csv"
    return f


def test_upload_while_the_store_is_down(api_as, alice, bob, flaky_s3, django_capture_on_commit_callbacks):
    datanet = make_datanet(alice, name="Storage faults")
    api = api_as(bob)
    url = f"/api/v1/datanets/{datanet.slug}/submissions/"
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(url, {"file": _csv(5, "first")}, format="multipart").status_code == 202
    assert len(_objects()) == 1

    flaky_s3["server"].stop()
    response = api.post(url, {"file": _csv(5, "second")}, format="multipart")
    assert response.status_code == 503, response.content[:300]
    assert "nothing of it was kept" in response.json()["detail"]
    assert "try again" in response.json()["detail"].lower()
    assert Submission.objects.filter(datanet=datanet).count() == 1

    flaky_s3["restart"]()
    with django_capture_on_commit_callbacks(execute=True):
        retry = api.post(url, {"file": _csv(5, "second")}, format="multipart")
    assert retry.status_code == 202, retry.content[:300]
    assert Submission.objects.get(pk=retry.json()["id"]).status == "done"
    assert Record.objects.filter(datanet=datanet).count() == 10
    assert len(_objects()) == 2


def test_presigned_completion_while_the_store_is_down_keeps_the_file(api_as, alice, bob, flaky_s3, settings,
                                                                      django_capture_on_commit_callbacks):
    import requests

    settings.STORAGE_BACKEND = "s3"
    datanet = make_datanet(alice, name="Presigned faults")
    api = api_as(bob)
    data = _csv(4, "presigned").getvalue()
    ticket = api.post(f"/api/v1/datanets/{datanet.slug}/uploads/",
                      {"filename": "presigned.csv", "size": len(data)}, format="json")
    assert ticket.status_code == 201, ticket.content[:300]
    body = ticket.json()
    put = requests.put(body["url"], data=data, headers=body["headers"], timeout=10)
    assert put.status_code == 200

    flaky_s3["server"].stop()
    done = api.post("/api/v1/uploads/complete/", {"upload_id": body["upload_id"]}, format="json")
    assert done.status_code == 503, done.content[:300]
    assert "send this completion request again" in done.json()["detail"]
    assert not Submission.objects.filter(datanet=datanet).exists()

    flaky_s3["restart"]()
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post("/api/v1/uploads/complete/", {"upload_id": body["upload_id"]}, format="json")
    assert again.status_code == 202, again.content[:300]
    assert Record.objects.filter(datanet=datanet).count() == 4
