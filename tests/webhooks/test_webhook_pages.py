"""The webhook pages under a datanet: register (the secret is shown once), the delivery log with
"redeliver" (htmx), reveal the secret, pause, delete; someone else's endpoint does not exist."""

import re

from webhooks.models import Delivery, Endpoint
from webhooks.services import webhook_emit


def test_register_an_endpoint_and_see_its_secret_once(client, bob, datanet, receiver):
    client.force_login(bob)
    page = client.get(f"/d/{datanet.slug}/webhooks/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "release.published" not in html  # not offered to a contributor
    assert 'type="hidden" name="scope"' in html
    response = client.post(f"/d/{datanet.slug}/webhooks/", {"url": receiver.url, "scope": "mine",
                                                            "events": ["submission.processed", "reward.accrued"]})
    assert response.status_code == 201
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in response.content.decode()
    detail = client.get(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/").content.decode()
    assert endpoint.secret not in detail and "Reveal secret" in detail
    revealed = client.post(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/secret/", HTTP_HX_REQUEST="true")
    assert endpoint.secret in revealed.content.decode()


def test_a_refused_url_is_explained_on_the_form(client, bob, datanet):
    client.force_login(bob)
    response = client.post(f"/d/{datanet.slug}/webhooks/", {"url": "http://192.168.1.20/hook", "scope": "mine",
                                                            "events": ["submission.processed"]})
    assert response.status_code == 200
    assert "192.168.1.20 is a private address" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_the_owner_chooses_every_event(client, alice, datanet, receiver):
    client.force_login(alice)
    assert "release.published" in client.get(f"/d/{datanet.slug}/webhooks/").content.decode()
    client.post(f"/d/{datanet.slug}/webhooks/", {"url": receiver.url, "scope": "datanet",
                                                 "events": ["release.published"]})
    assert Endpoint.objects.get().scope == "datanet"


def test_delivery_log_and_redeliver(client, bob, datanet, receiver, endpoint_for, django_capture_on_commit_callbacks):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    receiver.answer((500, {}, b"receiver is down"))
    with django_capture_on_commit_callbacks(execute=True):
        webhook_emit(event="submission.processed", datanet=datanet, payload={}, user=bob)
    client.force_login(bob)
    html = client.get(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/").content.decode()
    assert "HTTP 500" in html and "receiver is down" in html and 'hx-trigger="every 3s"' in html
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)  # as after 24 hours
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/redeliver/",
                               HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "queued for delivery again" in response.content.decode()
    assert Delivery.objects.filter(redelivery_of=delivery, status="succeeded").exists()
    partial = client.get(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/deliveries/").content.decode()
    assert len(re.findall(r"badge succeeded", partial)) == 1 and "every 3s" not in partial


def test_pause_and_delete(client, bob, datanet, receiver, endpoint_for):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    client.force_login(bob)
    client.post(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/active/", {"active": "0"})
    assert "Paused." in client.get(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/").content.decode()
    client.post(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/delete/")
    assert not Endpoint.objects.exists()


def test_someone_elses_endpoint_is_404(client, bob, carol, alice, datanet, receiver, endpoint_for):
    endpoint = endpoint_for(bob, datanet, receiver.url)
    for user in (carol, alice):
        client.force_login(user)
        assert client.get(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/").status_code == 404
        assert client.post(f"/d/{datanet.slug}/webhooks/{endpoint.pk}/secret/").status_code == 404
        assert endpoint.url not in client.get(f"/d/{datanet.slug}/webhooks/").content.decode()


def test_pages_need_login_and_hide_private_datanets(client, bob, private_datanet):
    assert client.get(f"/d/{private_datanet.slug}/webhooks/").status_code == 302
    client.force_login(bob)
    assert client.get(f"/d/{private_datanet.slug}/webhooks/").status_code == 404
