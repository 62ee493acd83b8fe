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

from tests.security.authorization_world import ROLES, World, worlds  # noqa: F401 — the fixture

FILE = "file"  # a release file: 200 streamed from local storage, 302 to a presigned GET URL on S3
# Presigned uploads work on the S3 profile only; the embedded one answers 400 ("needs the S3 profile")
# to whoever passes the permission checks. PRESIGN: 201 with an upload URL; COMPLETE: 202 with the submission.
PRESIGN, COMPLETE = "presign", "complete"


def same(statuses: list) -> tuple[list, list]:
    """A URL that belongs to no datanet: the same answers in both worlds."""
    return statuses, statuses


# (method, path template, expected on the public world, expected on the private world)
# Order of each list: anonymous, outsider, contributor, curator, owner, moderator, staff.
ACCOUNTS = [
    # Signed-in users are sent on from sign-up and login; an empty form comes back with its errors.
    ("GET", "/accounts/signup/", *same([200, 302, 302, 302, 302, 302, 302])),
    ("POST", "/accounts/signup/", *same([200, 302, 302, 302, 302, 302, 302])),
    ("GET", "/accounts/login/", *same([200, 302, 302, 302, 302, 302, 302])),
    ("POST", "/accounts/login/", *same([200, 302, 302, 302, 302, 302, 302])),
    ("POST", "/accounts/logout/", *same([302, 302, 302, 302, 302, 302, 302])),
    ("GET", "/accounts/profile/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("POST", "/accounts/profile/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("GET", "/accounts/tokens/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("POST", "/accounts/tokens/", *same([302, 200, 200, 200, 200, 200, 200])),
    # The owner's own token: nobody else can revoke it.
    ("POST", "/accounts/tokens/{token_id}/revoke/", *same([302, 404, 404, 404, 302, 404, 404])),
    ("GET", "/accounts/password/change/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("POST", "/accounts/password/change/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("GET", "/accounts/password/change/done/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("GET", "/accounts/password/reset/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("POST", "/accounts/password/reset/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/accounts/password/reset/sent/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/accounts/password/reset/{uidb64}/{token}/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/accounts/password/reset/complete/", *same([200, 200, 200, 200, 200, 200, 200])),
]
DATANET_PAGES = [
    ("GET", "/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/new/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("POST", "/new/", *same([302, 200, 200, 200, 200, 200, 200])),
    # One empty row of the schema editor (htmx): it holds nothing, so it needs no login.
    ("GET", "/new/field-row/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/d/{slug}/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("GET", "/d/{slug}/edit/", [302, 403, 403, 403, 200, 403, 200], [302, 404, 403, 403, 200, 403, 200]),
    ("GET", "/d/{slug}/policies/", [302, 403, 403, 403, 200, 403, 200], [302, 404, 403, 403, 200, 403, 200]),
    ("GET", "/d/{slug}/members/", [302, 403, 200, 200, 200, 403, 200], [302, 404, 200, 200, 200, 403, 200]),
    ("POST", "/d/{slug}/status/", [302, 403, 403, 403, 302, 403, 302], [302, 404, 403, 403, 302, 403, 302]),
    ("POST", "/d/{slug}/members/{username}/role/", [302, 403, 403, 403, 302, 403, 302],
     [302, 404, 403, 403, 302, 403, 302]),
    ("POST", "/d/{slug}/members/{username}/remove/", [302, 403, 403, 403, 302, 403, 302],
     [302, 404, 403, 403, 302, 403, 302]),
    ("GET", "/d/{slug}/records/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("GET", "/me/contributions/", *same([302, 200, 200, 200, 200, 200, 200])),
    # The contributor's submission: its contributor, the datanet's curators and owners, and staff.
    ("GET", "/submissions/{submission}/", [302, 404, 200, 200, 200, 404, 200], [302, 404, 200, 200, 200, 404, 200]),
    ("GET", "/submissions/{submission}/progress/", [302, 404, 200, 200, 200, 404, 200],
     [302, 404, 200, 200, 200, 404, 200]),
    ("GET", "/submissions/{submission}/errors.{fmt}", [302, 404, 200, 200, 200, 404, 200],
     [302, 404, 200, 200, 200, 404, 200]),
]
CURATION_PAGES = [
    # Review queue: curators and owners only (staff and moderators moderate, they do not curate).
    # Deciding without a record is a 400 that says so.
    ("GET", "/d/{slug}/review/", [302, 403, 403, 200, 200, 403, 403], [302, 404, 403, 200, 200, 403, 403]),
    ("POST", "/d/{slug}/review/next/", [302, 403, 403, 200, 200, 403, 403], [302, 404, 403, 200, 200, 403, 403]),
    ("POST", "/d/{slug}/review/decide/", [302, 403, 403, 400, 400, 403, 403], [302, 404, 403, 400, 400, 403, 403]),
    # Bulk decisions: curators and owners (an empty filter is a 400 that says to choose one).
    ("GET", "/d/{slug}/review/bulk/", [302, 403, 403, 200, 200, 403, 403], [302, 404, 403, 200, 200, 403, 403]),
    ("POST", "/d/{slug}/review/bulk/preview/", [302, 403, 403, 400, 400, 403, 403],
     [302, 404, 403, 400, 400, 403, 403]),
    ("POST", "/d/{slug}/review/bulk/apply/", [302, 403, 403, 400, 400, 403, 403],
     [302, 404, 403, 400, 400, 403, 403]),
    # Appeals: only a record's contributor appeals (here an accepted record: 409 says only rejected
    # ones can be); the datanet's owners decide them.
    ("GET", "/records/{record}/appeal/", [302, 403, 409, 403, 403, 403, 403], [302, 404, 409, 403, 403, 403, 403]),
    ("POST", "/records/{record}/appeal/", [302, 400, 400, 400, 400, 400, 400], [302, 404, 400, 400, 400, 400, 400]),
    ("GET", "/d/{slug}/appeals/", [302, 403, 403, 403, 200, 403, 403], [302, 404, 403, 403, 200, 403, 403]),
    ("POST", "/appeals/{appeal}/resolve/", [302, 403, 403, 403, 302, 403, 403], [302, 404, 403, 403, 302, 403, 403]),
    # Gold items: the datanet's owners only (an empty form is sent back with its error).
    ("GET", "/d/{slug}/gold/", [302, 403, 403, 403, 200, 403, 403], [302, 404, 403, 403, 200, 403, 403]),
    ("POST", "/d/{slug}/gold/policy/", [302, 403, 403, 403, 302, 403, 403], [302, 404, 403, 403, 302, 403, 403]),
    ("POST", "/d/{slug}/gold/mark/", [302, 403, 403, 403, 302, 403, 403], [302, 404, 403, 403, 302, 403, 403]),
    ("POST", "/gold/{gold}/retire/", [302, 403, 403, 403, 302, 403, 403], [302, 404, 403, 403, 302, 403, 403]),
    # Releases: anyone who sees the datanet sees its releases and downloads their files; only owners
    # cut one (with nothing new accepted the owner is sent back to the list with the reason).
    ("GET", "/d/{slug}/releases/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/releases/cut/", [302, 403, 403, 403, 302, 403, 403], [302, 404, 403, 403, 302, 403, 403]),
    ("GET", "/releases/{release}/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("GET", "/releases/{release}/progress/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("GET", "/releases/{release}/files/{kind}/", [FILE] * 7, [404, 404, FILE, FILE, FILE, FILE, FILE]),
    # Reports: anyone signed in who can see the target (an empty report is a 400 that says what is missing).
    ("GET", "/d/{slug}/report/", [302, 200, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/report/", [302, 400, 400, 400, 400, 400, 400], [302, 404, 400, 400, 400, 400, 400]),
    ("GET", "/records/{record}/report/", [302, 200, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200, 200]),
    ("POST", "/records/{record}/report/", [302, 400, 400, 400, 400, 400, 400], [302, 404, 400, 400, 400, 400, 400]),
    # Moderation: owners for their datanets, moderators and staff everywhere (an empty resolution and
    # unfreezing a datanet that is not frozen redirect back with the reason). Only moderators and
    # staff read the audit log.
    ("GET", "/moderation/", *same([302, 403, 403, 403, 200, 200, 200])),
    ("POST", "/moderation/reports/{report}/resolve/", [302, 403, 403, 403, 302, 302, 302],
     [302, 404, 403, 403, 302, 302, 302]),
    ("GET", "/moderation/audit/", *same([302, 403, 403, 403, 403, 200, 200])),
    ("POST", "/d/{slug}/unfreeze/", [302, 403, 403, 403, 302, 302, 302], [302, 404, 403, 403, 302, 302, 302]),
]
REWARDS_PAGES = [
    ("GET", "/rewards/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("GET", "/rewards/wallet/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("POST", "/rewards/wallet/challenge/", *same([302, 302, 302, 302, 302, 302, 302])),
    # Settlements are staff's alone; a batch's proof only for its recipient (the contributor).
    ("GET", "/rewards/settlements/", *same([302, 403, 403, 403, 403, 403, 200])),
    ("POST", "/rewards/settlements/run/", *same([302, 403, 403, 403, 403, 403, 302])),
    ("POST", "/rewards/settlements/reconcile/", *same([302, 403, 403, 403, 403, 403, 302])),
    ("GET", "/rewards/settlements/{settlement}/proof/", *same([302, 404, 200, 404, 404, 404, 404])),
    # Models and attribution proofs are public; what they hold from a private datanet is redacted.
    ("GET", "/models/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/models/new/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("POST", "/models/new/", *same([302, 200, 200, 200, 200, 200, 200])),
    ("GET", "/models/{model}/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("POST", "/models/{model}/prepay/", *same([302, 403, 403, 403, 302, 403, 403])),
    ("GET", "/attributions/{attribution}/", *same([200, 200, 200, 200, 200, 200, 200])),
]
WEBHOOK_PAGES = [
    # Anyone signed in who sees the datanet registers their own endpoints (an empty form comes back
    # with its errors); the owner's datanet-wide endpoint does not exist for anyone else.
    ("GET", "/d/{slug}/webhooks/", [302, 200, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200, 200]),
    ("POST", "/d/{slug}/webhooks/", [302, 200, 200, 200, 200, 200, 200], [302, 404, 200, 200, 200, 200, 200]),
    ("GET", "/d/{slug}/webhooks/{webhook}/", [302, 404, 404, 404, 200, 404, 404], [302, 404, 404, 404, 200, 404, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/", [302, 404, 404, 404, 200, 404, 404],
     [302, 404, 404, 404, 200, 404, 404]),
    ("GET", "/d/{slug}/webhooks/{webhook}/deliveries/", [302, 404, 404, 404, 200, 404, 404],
     [302, 404, 404, 404, 200, 404, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/deliveries/{delivery}/redeliver/", [302, 404, 404, 404, 302, 404, 404],
     [302, 404, 404, 404, 302, 404, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/secret/", [302, 404, 404, 404, 200, 404, 404],
     [302, 404, 404, 404, 200, 404, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/active/", [302, 404, 404, 404, 302, 404, 404],
     [302, 404, 404, 404, 302, 404, 404]),
    ("POST", "/d/{slug}/webhooks/{webhook}/delete/", [302, 404, 404, 404, 302, 404, 404],
     [302, 404, 404, 404, 302, 404, 404]),
]
API = [
    ("POST", "/api/v1/auth/token/", *same([400, 400, 400, 400, 400, 400, 400])),
    ("GET", "/api/v1/me/", *same([401, 200, 200, 200, 200, 200, 200])),
    ("GET", "/api/v1/datanets/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("POST", "/api/v1/datanets/", *same([401, 400, 400, 400, 400, 400, 400])),
    ("GET", "/api/v1/datanets/{slug}/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("PATCH", "/api/v1/datanets/{slug}/", [401, 403, 403, 403, 200, 403, 200], [404, 404, 403, 403, 200, 403, 200]),
    # A datanet with records and releases is not deleted (400 says to archive it instead).
    ("DELETE", "/api/v1/datanets/{slug}/", [401, 403, 403, 403, 400, 403, 400], [404, 404, 403, 403, 400, 403, 400]),
    ("GET", "/api/v1/datanets/{slug}/members/", [401, 403, 200, 200, 200, 403, 200],
     [401, 404, 200, 200, 200, 403, 200]),
    ("POST", "/api/v1/datanets/{slug}/members/", [401, 403, 403, 403, 201, 403, 201],
     [401, 404, 403, 403, 201, 403, 201]),
    ("PATCH", "/api/v1/datanets/{slug}/members/{username}/", [401, 403, 403, 403, 200, 403, 200],
     [401, 404, 403, 403, 200, 403, 200]),
    ("DELETE", "/api/v1/datanets/{slug}/members/{username}/", [401, 403, 403, 403, 204, 403, 204],
     [401, 404, 403, 403, 204, 403, 204]),
    # Contributions: members of a private datanet; staff and moderators do not contribute to one.
    ("GET", "/api/v1/datanets/{slug}/submissions/", [401, 200, 200, 200, 200, 200, 200],
     [404, 404, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/submissions/", [401, 202, 202, 202, 202, 202, 202],
     [404, 404, 202, 202, 202, 403, 403]),
    ("GET", "/api/v1/datanets/{slug}/records/", [200, 200, 200, 200, 200, 200, 200],
     [404, 404, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/records/", [401, 202, 202, 202, 202, 202, 202],
     [404, 404, 202, 202, 202, 403, 403]),
    ("GET", "/api/v1/submissions/{submission}/", [401, 404, 200, 200, 200, 404, 200],
     [401, 404, 200, 200, 200, 404, 200]),
    ("GET", "/api/v1/submissions/{submission}/errors/", [401, 404, 200, 200, 200, 404, 200],
     [401, 404, 200, 200, 200, 404, 200]),
    # Presigned uploads (S3 profile). The upload id is the contributor's: nobody else completes it,
    # and whoever may not see the private datanet is told it is not there.
    ("POST", "/api/v1/datanets/{slug}/uploads/", [401, *[PRESIGN] * 6],
     [401, 404, PRESIGN, PRESIGN, PRESIGN, 403, 403]),
    ("POST", "/api/v1/uploads/complete/", [401, 403, COMPLETE, 403, 403, 403, 403],
     [401, 404, COMPLETE, 403, 403, 403, 403]),
    # Reviews: curators and owners (an empty review is a 400 that says what is missing).
    ("POST", "/api/v1/datanets/{slug}/review/next/", [401, 403, 403, 204, 204, 403, 403],
     [404, 404, 403, 204, 204, 403, 403]),
    ("POST", "/api/v1/reviews/", *same([401, 400, 400, 400, 400, 400, 400])),
    ("POST", "/api/v1/datanets/{slug}/review/bulk/", [401, 403, 403, 400, 400, 403, 403],
     [404, 404, 403, 400, 400, 403, 403]),
    # Appeals, gold items and curator agreement: owners only (empty bodies are 400s that say what is missing).
    ("POST", "/api/v1/records/{record}/appeal/", [401, 400, 400, 400, 400, 400, 400],
     [401, 404, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/appeals/", *same([401, 200, 200, 200, 200, 200, 200])),
    ("POST", "/api/v1/appeals/{appeal}/resolve/", [401, 403, 403, 403, 400, 403, 403],
     [401, 404, 403, 403, 400, 403, 403]),
    ("GET", "/api/v1/datanets/{slug}/appeals/", [401, 403, 403, 403, 200, 403, 403], [404, 404, 403, 403, 200, 403, 403]),
    ("GET", "/api/v1/datanets/{slug}/gold/", [401, 403, 403, 403, 200, 403, 403], [404, 404, 403, 403, 200, 403, 403]),
    ("POST", "/api/v1/datanets/{slug}/gold/", [401, 403, 403, 403, 400, 403, 403], [404, 404, 403, 403, 400, 403, 403]),
    ("GET", "/api/v1/datanets/{slug}/gold/policy/", [401, 403, 403, 403, 200, 403, 403],
     [404, 404, 403, 403, 200, 403, 403]),
    ("PUT", "/api/v1/datanets/{slug}/gold/policy/", [401, 403, 403, 403, 400, 403, 403],
     [404, 404, 403, 403, 400, 403, 403]),
    ("GET", "/api/v1/datanets/{slug}/curators/", [401, 403, 403, 403, 200, 403, 403],
     [404, 404, 403, 403, 200, 403, 403]),
    ("GET", "/api/v1/records/{record}/reviews/", [200, 200, 200, 200, 200, 200, 200],
     [404, 404, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/reports/", *same([401, 400, 400, 400, 400, 400, 400])),
    ("GET", "/api/v1/moderation/reports/", *same([401, 403, 403, 403, 200, 200, 200])),
    ("POST", "/api/v1/moderation/reports/{report}/resolve/", [401, 403, 403, 403, 400, 400, 400],
     [401, 404, 403, 403, 400, 400, 400]),
    ("GET", "/api/v1/moderation/audit/", *same([401, 403, 403, 403, 403, 200, 200])),
    ("GET", "/api/v1/datanets/{slug}/releases/", [200, 200, 200, 200, 200, 200, 200],
     [404, 404, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/releases/", [401, 403, 403, 403, 202, 403, 403],
     [404, 404, 403, 403, 202, 403, 403]),
    ("GET", "/api/v1/releases/{release}/", [200, 200, 200, 200, 200, 200, 200], [404, 404, 200, 200, 200, 200, 200]),
    ("GET", "/api/v1/releases/{release}/files/{kind}/", [FILE] * 7, [404, 404, FILE, FILE, FILE, FILE, FILE]),
    ("GET", "/api/v1/rewards/balance/", *same([401, 200, 200, 200, 200, 200, 200])),
    ("GET", "/api/v1/rewards/history/", *same([401, 200, 200, 200, 200, 200, 200])),
    # Owners fund from their balance, staff from the treasury; the empty body is a 400 that says so.
    ("POST", "/api/v1/datanets/{slug}/pool/fund/", [401, 403, 403, 403, 400, 403, 400],
     [404, 404, 403, 403, 400, 403, 400]),
    ("POST", "/api/v1/treasury/mint/", *same([401, 403, 403, 403, 403, 403, 400])),
    ("GET", "/api/v1/wallet/", *same([401, 200, 200, 200, 200, 200, 200])),
    ("POST", "/api/v1/wallet/challenge/", *same([401, 201, 201, 201, 201, 201, 201])),
    ("POST", "/api/v1/wallet/link/", *same([401, 400, 400, 400, 400, 400, 400])),
    ("GET", "/api/v1/settlements/", *same([401, 200, 200, 200, 200, 200, 200])),
    ("POST", "/api/v1/settlements/run/", *same([401, 403, 403, 403, 403, 403, 200])),
    ("GET", "/api/v1/settlements/reconciliation/", *same([401, 403, 403, 403, 403, 403, 200])),
    ("POST", "/api/v1/settlements/reconciliation/", *same([401, 403, 403, 403, 403, 403, 200])),
    ("GET", "/api/v1/settlements/{settlement}/proof/", *same([401, 404, 200, 404, 404, 404, 404])),
    ("GET", "/api/v1/models/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("POST", "/api/v1/models/", *same([401, 400, 400, 400, 400, 400, 400])),
    ("GET", "/api/v1/models/{model}/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("POST", "/api/v1/models/{model}/prepay/", *same([401, 403, 403, 403, 400, 403, 403])),
    ("POST", "/api/v1/models/{model}/usage/", *same([401, 403, 403, 403, 400, 403, 403])),
    ("GET", "/api/v1/attributions/{attribution}/", *same([200, 200, 200, 200, 200, 200, 200])),
    # Webhooks (an empty registration is a 400 that says what is missing).
    ("GET", "/api/v1/datanets/{slug}/webhooks/", [401, 200, 200, 200, 200, 200, 200],
     [401, 404, 200, 200, 200, 200, 200]),
    ("POST", "/api/v1/datanets/{slug}/webhooks/", [401, 400, 400, 400, 400, 400, 400],
     [401, 404, 400, 400, 400, 400, 400]),
    ("GET", "/api/v1/datanets/{slug}/webhooks/{webhook}/", [401, 404, 404, 404, 200, 404, 404],
     [401, 404, 404, 404, 200, 404, 404]),
    ("PATCH", "/api/v1/datanets/{slug}/webhooks/{webhook}/", [401, 404, 404, 404, 200, 404, 404],
     [401, 404, 404, 404, 200, 404, 404]),
    ("DELETE", "/api/v1/datanets/{slug}/webhooks/{webhook}/", [401, 404, 404, 404, 204, 404, 404],
     [401, 404, 404, 404, 204, 404, 404]),
    ("POST", "/api/v1/datanets/{slug}/webhooks/{webhook}/secret/", [401, 404, 404, 404, 200, 404, 404],
     [401, 404, 404, 404, 200, 404, 404]),
    ("GET", "/api/v1/datanets/{slug}/webhooks/{webhook}/deliveries/", [401, 404, 404, 404, 200, 404, 404],
     [401, 404, 404, 404, 200, 404, 404]),
    ("POST", "/api/v1/datanets/{slug}/webhooks/{webhook}/deliveries/{delivery}/redeliver/",
     [401, 404, 404, 404, 202, 404, 404], [401, 404, 404, 404, 202, 404, 404]),
]
SITE = [
    ("GET", "/healthz", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/api/schema/", *same([200, 200, 200, 200, 200, 200, 200])),
    ("GET", "/api/docs/", *same([200, 200, 200, 200, 200, 200, 200])),
    # The admin is for staff only; moderators are sent to its login like everyone else.
    ("GET", "/admin/", *same([302, 302, 302, 302, 302, 302, 200])),
    # Staff without model permissions get 403 on a model's admin pages (superusers are given them).
    ("GET", "/admin/auth/user/", *same([302, 302, 302, 302, 302, 302, 403])),
]
TABLE = ACCOUNTS + DATANET_PAGES + CURATION_PAGES + REWARDS_PAGES + WEBHOOK_PAGES + API + SITE

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
