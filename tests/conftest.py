"""Shared fixtures. Two named users, alice (an owner) and bob (an outsider), make
authorization tests read like a story. Production-profile services are real: PostgreSQL,
Redis and an S3 endpoint from moto's server mode started here on loopback."""

import os
from urllib.parse import urlparse

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts import services as account_services
from tests.factories import PASSWORD, UserFactory, make_datanet

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture(scope="session", autouse=True)
def s3_server():
    """Start moto's S3 server on the configured loopback endpoint and create the bucket."""
    if settings.STORAGE_BACKEND != "s3":
        yield None
        return
    import boto3
    from moto.server import ThreadedMotoServer

    options = settings.STORAGES["default"]["OPTIONS"]
    endpoint = urlparse(options["endpoint_url"])
    assert endpoint.hostname in ("127.0.0.1", "localhost"), "tests only start S3 on loopback"
    server = ThreadedMotoServer(ip_address=endpoint.hostname, port=endpoint.port, verbose=False)
    server.start()
    client = boto3.client(
        "s3", endpoint_url=options["endpoint_url"], region_name=options["region_name"],
        aws_access_key_id=options["access_key"], aws_secret_access_key=options["secret_key"],
    )
    client.create_bucket(Bucket=options["bucket_name"])
    yield server
    server.stop()


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def staff(db):
    user = UserFactory(username="sam")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def datanet(alice):
    return make_datanet(alice, name="Medical notes", tags=["health"], domain="medicine")


@pytest.fixture
def private_datanet(alice):
    return make_datanet(alice, name="Secret lab notes", visibility="private")


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_for():
    def make(user, scope="write") -> str:
        _, raw = account_services.api_token_create(user=user, name="test", scope=scope)
        return raw

    return make


@pytest.fixture
def api_as(token_for):
    def make(user, scope="write") -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scope)}")
        return client

    return make


@pytest.fixture(scope="session", autouse=True)
def redis_lsh_clean():
    """Band keys in Redis outlive a test database; start each session with none of ours."""
    if settings.LSH_BACKEND != "redis":
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter("lsh:test_*", count=1000):
        client.delete(key)


@pytest.fixture(autouse=True)
def api_answers_match_the_schema(monkeypatch):
    """Every /api/v1/ answer a test client gets is checked against the OpenAPI schema: a status
    code the schema does not list, or a body that does not match, fails the test that made it."""
    from django.test.client import Client

    from tests.schema_conformance import problems

    original = Client.request

    def checked(self, **request):
        response = original(self, **request)
        path = request.get("PATH_INFO", "")
        if path.startswith("/api/v1/"):
            found = problems(request.get("REQUEST_METHOD", "GET"), path, response)
            assert not found, "The API answer does not match /api/schema/:\n" + "\n".join(found)
        return response

    monkeypatch.setattr(Client, "request", checked)


@pytest.fixture(autouse=True)
def fresh_embedding_caches():
    """Record ids come back after a test's rollback: embeddings cached by an earlier test (the
    review page's window, curation/neighbours.py; novelty's accepted set, curation/scoring.py)
    would answer for records that no longer exist; a near-duplicate mirror (curation/dedup.py) would
    skip the ids it has seen."""
    from curation import dedup, neighbours, scoring

    for forget in (neighbours.forget, scoring._accepted.clear, dedup.forget_mirrors):
        forget()
    yield
    for forget in (neighbours.forget, scoring._accepted.clear, dedup.forget_mirrors):
        forget()
