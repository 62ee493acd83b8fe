"""Seed the load-test database: an owner, curators, contributors with API tokens, one open datanet
that reviews everything, and some records in review. Prints the fixtures as JSON on stdout."""

import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openledger.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from accounts import services as account_services  # noqa: E402
from accounts.models import Profile  # noqa: E402
from datanets import services  # noqa: E402
from datanets.models import Datanet, Membership  # noqa: E402

CURATORS, CONTRIBUTORS = 4, 16


def user(name: str):
    u, _ = get_user_model().objects.get_or_create(username=name, defaults={"email": f"{name}@load.test"})
    Profile.objects.get_or_create(user=u, defaults={"display_name": name.title()})
    return u


def token(u) -> str:
    return account_services.api_token_create(user=u, name="load test")[1]


owner = user("load-owner")
datanet = Datanet.objects.filter(slug="load-test").first()
if datanet is None:
    datanet = services.datanet_create(owner=owner, name="Load test", slug="load-test",
                                      summary="Short notes written by the load test",
                                      description="Plain English notes about everyday first aid, written by a script.")
    services.datanet_set_status(datanet=datanet, actor=owner, status=Datanet.Status.OPEN)
curators = [user(f"load-curator-{i}") for i in range(CURATORS)]
for c in curators:
    Membership.objects.get_or_create(datanet=datanet, user=c, defaults={"role": Membership.Role.CURATOR})
contributors = [user(f"load-contributor-{i}") for i in range(CONTRIBUTORS)]
print(json.dumps({
    "slug": datanet.slug,
    "curators": [token(c) for c in curators],
    "contributors": [token(c) for c in contributors],
}))
