"""Webhooks go to public addresses only: private, loopback, link-local, multicast and reserved
addresses are refused at registration (with a message saying why) and again at delivery, after
DNS resolution. The tests allow loopback (WEBHOOKS_ALLOW_LOOPBACK=1) unless a test turns it off."""

import ipaddress

import pytest

from webhooks import outbound
from webhooks.models import Delivery, Endpoint
from webhooks.services import webhook_emit

REFUSED = [
    ("http://10.1.2.3/hook", "private"),
    ("http://192.168.0.10:8080/hook", "private"),
    ("http://172.16.5.4/hook", "private"),
    ("http://100.64.0.1/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[fe80::1]/hook", "link-local"),
    ("http://[fd00::1]/hook", "private"),
    ("http://[::ffff:10.0.0.1]/hook", "private"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://240.0.0.1/hook", "reserved"),
]


@pytest.mark.parametrize("url,kind", REFUSED)
def test_registration_refuses_non_public_addresses(api_as, bob, datanet, url, kind):
    response = api_as(bob).post(f"/api/v1/datanets/{datanet.slug}/webhooks/",
                                {"url": url, "events": ["submission.processed"]}, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and "url" in body["errors"]
    assert f"a {kind} address" in body["detail"] and "public" in body["detail"]
    assert not Endpoint.objects.exists()


def test_loopback_is_refused_unless_allowed(api_as, bob, datanet, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    client = api_as(bob)
    for url in ("http://127.0.0.1:9/hook", "http://[::1]:9/hook", "http://localhost:9/hook"):
        response = client.post(f"/api/v1/datanets/{datanet.slug}/webhooks/",
                               {"url": url, "events": ["submission.processed"]}, format="json")
        assert response.status_code == 400, url
        assert "loopback address" in response.json()["detail"], response.json()
    # A host name is judged by what it resolves to.
    response = client.post(f"/api/v1/datanets/{datanet.slug}/webhooks/",
                           {"url": "http://localhost:9/hook", "events": ["submission.processed"]}, format="json")
    assert "localhost resolves to" in response.json()["detail"]


def test_allow_private_lets_a_private_network_in_but_never_link_local():
    policy = outbound.Policy(allow_private=True)
    assert outbound.address_allowed(ipaddress.ip_address("10.0.0.1"), policy)
    assert outbound.address_allowed(ipaddress.ip_address("127.0.0.1"), policy)
    assert not outbound.address_allowed(ipaddress.ip_address("169.254.169.254"), policy)
    strict = outbound.Policy()
    assert outbound.address_allowed(ipaddress.ip_address("93.184.215.14"), strict)
    assert outbound.address_allowed(ipaddress.ip_address("2606:4700::1111"), strict)


def test_bad_urls_say_what_is_wrong(api_as, bob, datanet):
    client = api_as(bob)
    cases = {
        "ftp://example.com/x": "must start with https://",
        "https://user:pw@127.0.0.1/x": "credentials",
        "not a url": "must start with https://",
        "": "Enter the URL",
        "http://no-such-host.invalid/x": "could not be resolved",
    }
    for url, message in cases.items():
        response = client.post(f"/api/v1/datanets/{datanet.slug}/webhooks/",
                               {"url": url, "events": ["submission.processed"]}, format="json")
        assert response.status_code == 400, url
        assert message in response.json()["detail"], (url, response.json())


def test_delivery_checks_the_address_again(bob, datanet, receiver, endpoint_for, settings,
                                           django_capture_on_commit_callbacks):
    endpoint_for(bob, datanet, receiver.url)  # registered while loopback was allowed
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="submission.processed", datanet=datanet, payload={}, user=bob)
    assert not receiver.requests  # no connection was made
    delivery = Delivery.objects.get()
    assert delivery.status == "pending" and "loopback address" in delivery.last_error


def test_the_connection_goes_to_the_checked_address(monkeypatch):
    """A name resolving to a public address is checked once and the socket goes to that very
    address: a second, different DNS answer (rebinding to 127.0.0.1) is never asked for."""
    import socket

    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80))],
                    [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 80))]])
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: next(answers))
    dialled = []

    def fake_connect(address, timeout=None, *args, **kwargs):
        dialled.append(address)
        raise ConnectionRefusedError

    monkeypatch.setattr(socket, "create_connection", fake_connect)
    response = outbound.post("http://hooks.example.com/x", b"{}", {}, outbound.Policy())
    assert dialled == [("93.184.215.14", 80)]
    assert not response.ok and "refused" in response.error
