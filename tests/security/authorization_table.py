"""The authorization table: for every (method, URL template), the status each role gets on the
public datanet's world and on the private one's (read by tests/security/test_authorization.py).

Order of each list: anonymous, outsider, contributor, curator, owner, moderator, staff.
"""

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
