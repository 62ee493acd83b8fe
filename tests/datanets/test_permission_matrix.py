"""Every datanet page and API endpoint × role × visibility, with the status a user gets.

A private datanet answers 404 to whoever may not see it, so its existence does not leak.
A URL under a datanet without a row here fails `test_every_datanet_url_has_a_row`.
"""

import io

import pytest
from django.conf import settings
from django.urls import get_resolver
from rest_framework.test import APIClient

from accounts import services as account_services
from datanets.models import Membership
from tests.factories import UserFactory, make_datanet

ROLES = ["anonymous", "outsider", "contributor", "curator", "owner", "staff"]

# (method, path template, expected for public per role, expected for private per role)
# Order of the expectations: anonymous, outsider, contributor, curator, owner, staff.
PAGES = [
    ("GET", "/d/{slug}/", [200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    ("GET", "/d/{slug}/edit/", [302, 403, 403, 403, 200, 200], [302, 404, 403, 403, 200, 200]),
    ("GET", "/d/{slug}/policies/", [302, 403, 403, 403, 200, 200], [302, 404, 403, 403, 200, 200]),
    ("GET", "/d/{slug}/members/", [302, 403, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200]),
    ("GET", "/d/{slug}/records/", [200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/status/", [302, 403, 403, 403, 302, 302], [302, 404, 403, 403, 302, 302]),
    ("POST", "/d/{slug}/members/{member}/role/", [302, 403, 403, 403, 302, 302], [302, 404, 403, 403, 302, 302]),
    ("POST", "/d/{slug}/members/{member}/remove/", [302, 403, 403, 403, 302, 302], [302, 404, 403, 403, 302, 302]),
    # Review queue: curators and owners only (staff moderate, they do not curate). Deciding without a
    # record is a 400 that says so.
    ("GET", "/d/{slug}/review/", [302, 403, 403, 200, 200, 403], [302, 404, 403, 200, 200, 403]),
    ("POST", "/d/{slug}/review/next/", [302, 403, 403, 200, 200, 403], [302, 404, 403, 200, 200, 403]),
    ("POST", "/d/{slug}/review/decide/", [302, 403, 403, 400, 400, 403], [302, 404, 403, 400, 400, 403]),
    # Releases: anyone who sees the datanet sees its releases; only owners cut one (with no accepted
    # records the owner is sent back to the list with the reason).
    ("GET", "/d/{slug}/releases/", [200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/releases/cut/", [302, 403, 403, 403, 302, 403], [302, 404, 403, 403, 302, 403]),
    # Reports: anyone signed in who can see the datanet (an empty report is a 400 that says what is missing).
    ("GET", "/d/{slug}/report/", [302, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/report/", [302, 400, 400, 400, 400, 400], [302, 404, 400, 400, 400, 400]),
    # Moderation: owners and staff (unfreezing a datanet that is not frozen redirects with a message).
    ("POST", "/d/{slug}/unfreeze/", [302, 403, 403, 403, 302, 302], [302, 404, 403, 403, 302, 302]),
    # Webhooks: anyone signed in who sees the datanet registers their own endpoints (an empty form
    # comes back with its errors); the owner's datanet-wide endpoint does not exist for anyone else.
    ("GET", "/d/{slug}/webhooks/", [302, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/webhooks/", [302, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200]),
    ("GET", "/d/{slug}/webhooks/{webhook}/", [302, 404, 404, 404, 200, 404], [302, 404, 404, 404, 200, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/", [302, 404, 404, 404, 200, 404], [302, 404, 404, 404, 200, 404]),
    ("GET", "/d/{slug}/webhooks/{webhook}/deliveries/", [302, 404, 404, 404, 200, 404],
     [302, 404, 404, 404, 200, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/deliveries/{delivery}/redeliver/", [302, 404, 404, 404, 302, 404],
     [302, 404, 404, 404, 302, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/secret/", [302, 404, 404, 404, 200, 404], [302, 404, 404, 404, 200, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/active/", [302, 404, 404, 404, 302, 404], [302, 404, 404, 404, 302, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/delete/", [302, 404, 404, 404, 302, 404], [302, 404, 404, 404, 302, 404]),
    # Appeals and gold items: the datanet's owners only (an empty form is sent back with its error).
    ("GET", "/d/{slug}/appeals/", [302, 403, 403, 403, 200, 403], [302, 404, 403, 403, 200, 403]),
    ("GET", "/d/{slug}/gold/", [302, 403, 403, 403, 200, 403], [302, 404, 403, 403, 200, 403]),
    ("POST", "/d/{slug}/gold/policy/", [302, 403, 403, 403, 302, 403], [302, 404, 403, 403, 302, 403]),
    ("POST", "/d/{slug}/gold/mark/", [302, 403, 403, 403, 302, 403], [302, 404, 403, 403, 302, 403]),
    # Bulk decisions: curators and owners (an empty filter is a 400 that says to choose one).
    ("GET", "/d/{slug}/review/bulk/", [302, 403, 403, 200, 200, 403], [302, 404, 403, 200, 200, 403]),
    ("POST", "/d/{slug}/review/bulk/preview/", [302, 403, 403, 400, 400, 403], [302, 404, 403, 400, 400, 403]),
    ("POST", "/d/{slug}/review/bulk/apply/", [302, 403, 403, 400, 400, 403], [302, 404, 403, 400, 400, 403]),
]
API = [
    ("GET", "/api/v1/datanets/{slug}/", [200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    ("PATCH", "/api/v1/datanets/{slug}/", [401, 403, 403, 403, 200, 200], [404, 404, 403, 403, 200, 200]),
    ("DELETE", "/api/v1/datanets/{slug}/", [401, 403, 403, 403, 204, 204], [404, 404, 403, 403, 204, 204]),
    ("GET", "/api/v1/datanets/{slug}/members/", [401, 403, 200, 200, 200, 200], [401, 404, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/members/", [401, 403, 403, 403, 201, 201], [401, 404, 403, 403, 201, 201]),
    ("PATCH", "/api/v1/datanets/{slug}/members/{member}/", [401, 403, 403, 403, 200, 200], [401, 404, 403, 403, 200, 200]),
    ("DELETE", "/api/v1/datanets/{slug}/members/{member}/", [401, 403, 403, 403, 204, 204], [401, 404, 403, 403, 204, 204]),
    ("GET", "/api/v1/datanets/{slug}/submissions/", [401, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/submissions/", [401, 202, 202, 202, 202, 202], [404, 404, 202, 202, 202, 403]),
    ("GET", "/api/v1/datanets/{slug}/records/", [200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/records/", [401, 202, 202, 202, 202, 202], [404, 404, 202, 202, 202, 403]),
    ("POST", "/api/v1/datanets/{slug}/review/next/", [401, 403, 403, 204, 204, 403], [404, 404, 403, 204, 204, 403]),
    ("GET", "/api/v1/datanets/{slug}/releases/", [200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200]),
    # 409 for the owner: nothing is accepted in this world, and the refusal says so.
    ("POST", "/api/v1/datanets/{slug}/releases/", [401, 403, 403, 403, 409, 403], [404, 404, 403, 403, 409, 403]),
    # OK is 201 with S3 storage, 400 ("needs the S3 profile") on the embedded profile.
    ("POST", "/api/v1/datanets/{slug}/uploads/", [401, "OK", "OK", "OK", "OK", "OK"], [401, 404, "OK", "OK", "OK", 403]),
    # Owners fund from their balance, staff from the treasury; the empty body is a 400 that says so.
    ("POST", "/api/v1/datanets/{slug}/pool/fund/", [401, 403, 403, 403, 400, 400], [404, 404, 403, 403, 400, 400]),
    # Webhooks (an empty registration is a 400 that says what is missing).
    ("GET", "/api/v1/datanets/{slug}/webhooks/", [401, 200, 200, 200, 200, 200], [401, 404, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/webhooks/", [401, 400, 400, 400, 400, 400], [401, 404, 400, 400, 400, 400]),
    ("GET", "/api/v1/datanets/{slug}/webhooks/{webhook}/", [401, 404, 404, 404, 200, 404],
     [401, 404, 404, 404, 200, 404]),
    ("PATCH", "/api/v1/datanets/{slug}/webhooks/{webhook}/", [401, 404, 404, 404, 200, 404],
     [401, 404, 404, 404, 200, 404]),
    ("DELETE", "/api/v1/datanets/{slug}/webhooks/{webhook}/", [401, 404, 404, 404, 204, 404],
     [401, 404, 404, 404, 204, 404]),
    ("POST", "/api/v1/datanets/{slug}/webhooks/{webhook}/secret/", [401, 404, 404, 404, 200, 404],
     [401, 404, 404, 404, 200, 404]),
    ("GET", "/api/v1/datanets/{slug}/webhooks/{webhook}/deliveries/", [401, 404, 404, 404, 200, 404],
     [401, 404, 404, 404, 200, 404]),
    ("POST", "/api/v1/datanets/{slug}/webhooks/{webhook}/deliveries/{delivery}/redeliver/",
     [401, 404, 404, 404, 202, 404], [401, 404, 404, 404, 202, 404]),
    # Appeals, gold items and curator agreement: owners only (empty bodies are 400s that say what is missing).
    ("GET", "/api/v1/datanets/{slug}/appeals/", [401, 403, 403, 403, 200, 403], [404, 404, 403, 403, 200, 403]),
    ("GET", "/api/v1/datanets/{slug}/gold/", [401, 403, 403, 403, 200, 403], [404, 404, 403, 403, 200, 403]),
    ("POST", "/api/v1/datanets/{slug}/gold/", [401, 403, 403, 403, 400, 403], [404, 404, 403, 403, 400, 403]),
    ("GET", "/api/v1/datanets/{slug}/gold/policy/", [401, 403, 403, 403, 200, 403], [404, 404, 403, 403, 200, 403]),
    ("PUT", "/api/v1/datanets/{slug}/gold/policy/", [401, 403, 403, 403, 400, 403], [404, 404, 403, 403, 400, 403]),
    ("GET", "/api/v1/datanets/{slug}/curators/", [401, 403, 403, 403, 200, 403], [404, 404, 403, 403, 200, 403]),
    # Bulk decisions: curators and owners.
    ("POST", "/api/v1/datanets/{slug}/review/bulk/", [401, 403, 403, 400, 400, 403], [404, 404, 403, 400, 400, 403]),
]
BODIES = {
    ("PATCH", "datanets"): {"summary": "changed"},
    ("POST", "members"): {"identifier": "newcomer", "role": "contributor"},
    ("PATCH", "member"): {"role": "curator"},
}


def _body(method: str, path: str) -> dict:
    if path.endswith("/members/"):
        return BODIES.get((method, "members"), {})
    if "/members/" in path:
        return BODIES.get((method, "member"), {"role": "curator"})
    if path.startswith("/d/") and path.endswith("/status/"):
        return {"status": "closed"}
    return BODIES.get((method, "datanets"), {})


@pytest.fixture
def world(db):
    owner = UserFactory(username="owner")
    people = {
        "outsider": UserFactory(username="outsider"),
        "contributor": UserFactory(username="contrib"),
        "curator": UserFactory(username="curator"),
        "owner": owner,
        "staff": UserFactory(username="staffer"),
    }
    people["staff"].is_staff = True
    people["staff"].save()
    UserFactory(username="newcomer")
    datanets = {}
    for visibility in ("public", "private"):
        member = UserFactory(username=f"member-{visibility}")
        datanets[visibility] = make_datanet(
            owner, name=f"{visibility} datanet", visibility=visibility,
            members={people["contributor"]: Membership.Role.CONTRIBUTOR, people["curator"]: Membership.Role.CURATOR,
                     member: Membership.Role.CONTRIBUTOR},
        )
        _add_webhook(datanets[visibility], owner)
    return people, datanets


def _add_webhook(datanet, owner) -> None:
    """The owner's datanet-wide endpoint with one (pending) delivery, for the webhook rows."""
    from webhooks.services import endpoint_create, webhook_emit

    endpoint = endpoint_create(datanet=datanet, actor=owner, url="http://127.0.0.1:9/hook", scope="datanet",
                               events=["release.published"])
    event = webhook_emit(event="release.published", datanet=datanet, payload={})
    datanet.webhook_id, datanet.delivery_id = endpoint.pk, event.deliveries.get().pk


def _cases(table):
    for method, template, public, private in table:
        for visibility, expected in (("public", public), ("private", private)):
            for role, status in zip(ROLES, expected):
                yield pytest.param(method, template, visibility, role, status, id=f"{method} {template} {visibility} {role}")


def _path(template: str, datanet) -> str:
    return template.format(slug=datanet.slug, member=f"member-{datanet.visibility}",
                           webhook=getattr(datanet, "webhook_id", 0), delivery=getattr(datanet, "delivery_id", 0))


@pytest.mark.parametrize("method,template,visibility,role,status", list(_cases(PAGES)))
def test_page(client, world, method, template, visibility, role, status):
    people, datanets = world
    if role != "anonymous":
        client.force_login(people[role])
    path = _path(template, datanets[visibility])
    response = client.generic(method, path, data=_encode(_body(method, path)),
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == status, response.content[:300]


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


@pytest.mark.parametrize("method,template,visibility,role,status", list(_cases(API)))
def test_api(world, method, template, visibility, role, status):
    people, datanets = world
    client = APIClient()
    if role != "anonymous":
        _, raw = account_services.api_token_create(user=people[role], name="matrix")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    path = _path(template, datanets[visibility])
    if method == "POST" and path.endswith("/submissions/"):
        upload = io.BytesIO(b"text\nA first-aid answer that is long enough to pass the schema.\n")
        upload.name = "matrix.csv"
        response = client.post(path, {"file": upload}, format="multipart")
    elif method == "POST" and path.endswith("/uploads/"):
        response = client.post(path, {"filename": "a.csv", "size": 100}, format="json")
        status = (201 if settings.STORAGE_BACKEND == "s3" else 400) if status == "OK" else status
    elif method == "POST" and path.endswith("/records/"):
        response = client.post(path, {"records": [{"text": "A record sent through the API."}]}, format="json")
    else:
        response = client.generic(method, path, data=_json(_body(method, path)), content_type="application/json")
    assert response.status_code == status, response.content[:300]


def _json(data: dict) -> str:
    import json

    return json.dumps(data)


def _datanet_url_templates() -> set[str]:
    found = set()

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, route)
            elif "<slug:slug>" in route:
                found.add("/" + route.replace("<slug:slug>", "{slug}").replace("<str:username>", "{member}")
                          .replace("webhooks/<int:pk>", "webhooks/{webhook}").replace("<int:delivery_id>", "{delivery}"))

    walk(get_resolver().url_patterns)
    return found


def test_every_datanet_url_has_a_row():
    covered = {template for _, template, _, _ in PAGES + API}
    missing = _datanet_url_templates() - covered
    assert not missing, f"Add these URLs to the permission matrix: {sorted(missing)}"
