"""Every URL of the site × role × datanet visibility, with the status a user gets.

One row per (method, URL): the expected statuses on a public datanet's world and on a private
one's, each in the order of ROLES. A private datanet and everything under it (records,
submissions, releases and their files, reports, webhooks, presigned uploads) answers 404 to whoever
may not see it, so its existence does not leak. URLs that belong to no datanet (accounts, rewards,
settlements) have one list, the same in both worlds.

Every URL pattern the resolver knows must have at least one row (`test_every_url_has_a_row`);
only the admin's own pages and static files are skipped, and /admin/ itself has a row.

The world (tests/security/authorization_world.py) is built once per module inside a transaction that
is rolled back at the end; every request runs in a savepoint that is rolled back too, so a DELETE in
one row never changes the next.
"""

import io
import json
import re
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import get_resolver
from rest_framework.test import APIClient

from tests.security.authorization_table import COMPLETE, FILE, PRESIGN, TABLE
from tests.security.authorization_world import ROLES, World, worlds  # noqa: F401 — the fixture

# Bodies that get past validation, where an empty body would only test the validation.
BODIES = {
    ("POST", "/d/{slug}/status/"): {"status": "closed"},
    ("POST", "/d/{slug}/members/{username}/role/"): {"role": "curator"},
    ("PATCH", "/api/v1/datanets/{slug}/"): {"summary": "changed"},
    ("POST", "/api/v1/datanets/{slug}/members/"): {"identifier": "newcomer", "role": "contributor"},
    ("PATCH", "/api/v1/datanets/{slug}/members/{username}/"): {"role": "curator"},
    ("POST", "/api/v1/datanets/{slug}/records/"): {"records": [{"text": "A record sent through the API."}]},
    ("POST", "/api/v1/datanets/{slug}/uploads/"): {"filename": "a.csv", "size": 100},
    ("POST", "/api/v1/uploads/complete/"): {"upload_id": "{upload_id}"},
}


def _expected(status):
    if status == FILE:
        return 302 if settings.STORAGE_BACKEND == "s3" else 200
    if status in (PRESIGN, COMPLETE):
        return 400 if settings.STORAGE_BACKEND != "s3" else {PRESIGN: 201, COMPLETE: 202}[status]
    return status


def _fill(template: str, values: dict) -> str:
    return template.format(**{k: v for k, v in values.items() if not k.startswith("_")})


def _request(method: str, template: str, world: World, role: str):
    path = _fill(template, world.values)
    body = {k: world.values["upload_id"] if v == "{upload_id}" else v
            for k, v in BODIES.get((method, template), {}).items()}
    if path.startswith("/api/v1/"):
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
        if method == "POST" and path.endswith("/submissions/"):
            upload = io.BytesIO(b"text\nA first-aid answer that is long enough to pass the schema.\n")
            upload.name = "matrix.csv"
            return client.post(path, {"file": upload}, format="multipart")
        return client.generic(method, path, data=json.dumps(body), content_type="application/json")
    client = Client()
    if role != "anonymous":
        client.force_login(world.people[role])
    return client.generic(method, path, data=urlencode(body), content_type="application/x-www-form-urlencoded")


def _answer(method: str, template: str, world: World, role: str):
    """The status this role gets, in a savepoint that is rolled back."""
    with transaction.atomic():
        try:
            status = _request(method, template, world, role).status_code
        except AssertionError as exc:  # the answer does not match the OpenAPI schema
            status = f"schema: {str(exc).splitlines()[1][:200]}"
        except Exception as exc:  # noqa: BLE001 — a crash is a finding, reported with the rest
            status = f"{type(exc).__name__}: {exc}"[:160]
        transaction.set_rollback(True)
    return status


@pytest.mark.parametrize("method,template,public,private", [pytest.param(*row, id=f"{row[0]} {row[1]}")
                                                            for row in TABLE])
def test_status(worlds, db, method, template, public, private):
    wrong = []
    for visibility, expected in (("public", public), ("private", private)):
        got = [_answer(method, template, worlds[visibility], role) for role in ROLES]
        if got != [_expected(s) for s in expected]:
            wrong.append(f"{visibility}: expected {expected}\n{' ' * len(visibility)}       got {got}")
    assert not wrong, f"{method} {template} (roles: {', '.join(ROLES)})\n" + "\n".join(wrong)


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
def test_no_page_or_answer_shows_a_private_datanet_to_whoever_may_not_see_it(worlds, db, role):
    """Beyond the status: no GET in the table — lists, models, attribution proofs, the explore page —
    puts the private datanet's name, slug or record texts in front of anyone who is not let in."""
    world = worlds["private"]
    secrets = ("authz private datanet", "authz-private-datanet")  # its name and slug; its record texts name it
    leaks = []
    for method, template, _, _ in TABLE:
        if method != "GET":
            continue
        with transaction.atomic():
            try:
                response = _request(method, template, world, role)
            except AssertionError:  # a schema mismatch, reported by test_status for this row
                continue
            finally:
                transaction.set_rollback(True)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        found = [secret for secret in secrets if secret in body.decode(errors="replace").lower()]
        if found:
            leaks.append(f"GET {_fill(template, world.values)} ({response.status_code}) shows {found}")
    assert not leaks, "\n".join(leaks)


PRIVATE_THINGS = ("{slug}", "{submission}", "{release}", "{record}", "{report}", "{webhook}", "/uploads/complete/")


def test_a_private_datanet_answers_as_if_it_did_not_exist(worlds, db):
    """For anonymous users and outsiders, every URL under the private datanet (and its presigned
    upload) answers exactly what the same URL answers for a datanet, record, release… that does not
    exist: 404, or the 302/401 that asks to log in before anything is looked up."""
    from django.core import signing

    from datanets.presigned import SALT

    private = worlds["private"]
    missing = World(people=private.people, tokens=private.tokens, values={
        **private.values, "slug": "no-such-datanet", "submission": "00000000-0000-4000-8000-000000000000",
        "release": 999999, "record": 999999, "report": 999999, "webhook": 999999, "delivery": 999999,
        "upload_id": signing.dumps({"d": 999999, "u": private.people["contributor"].pk, "k": "x", "n": "x"},
                                   salt=SALT)})
    differ = []
    for method, template, _, _ in TABLE:
        if not any(thing in template for thing in PRIVATE_THINGS):
            continue
        for role in ("anonymous", "outsider"):
            there, absent = (_answer(method, template, w, role) for w in (private, missing))
            if there != absent:
                differ.append(f"{method} {template} as {role}: {there} for the private datanet, {absent} for none")
    assert not differ, "\n".join(differ)


def _url_templates() -> set[str]:
    """Every route the resolver knows, as a template with named holes, except the admin's pages."""
    contextual = {"pk": {"webhooks": "webhook", "submissions": "submission", "releases": "release",
                         "records": "record", "reports": "report", "models": "model", "attributions": "attribution",
                         "settlements": "settlement", "appeals": "appeal", "gold": "gold"},
                  "delivery_id": {"deliveries": "delivery"}}
    found = set()

    def hole(match: re.Match, route: str) -> str:
        name = match.group(1)
        previous = route[:match.start()].rstrip("/").rsplit("/", 1)[-1]
        return "{" + contextual.get(name, {}).get(previous, name) + "}"

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if hasattr(p, "url_patterns"):
                if route != "admin/":
                    walk(p.url_patterns, route)
            else:
                found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m, r=route: hole(m, r), route))

    walk(get_resolver().url_patterns)
    return found


def test_every_url_has_a_row():
    covered = {template for _, template, _, _ in TABLE}
    missing = _url_templates() - covered
    assert not missing, f"Add rows for these URLs to the authorization table: {sorted(missing)}"
    assert "/admin/" in covered
