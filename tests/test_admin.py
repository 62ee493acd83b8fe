"""Every model has an admin page that staff can open: changelists, with their filters and search."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_datanet


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-not-used-elsewhere")


def test_every_model_is_registered(db):
    from django.apps import apps

    ours = [m for app in ("accounts", "datanets", "curation", "rewards", "webhooks") for m in apps.get_app_config(app).get_models()]
    missing = [m.__name__ for m in ours if m not in admin.site._registry and m.__name__ != "SubmissionIssue"]
    assert not missing


def test_changelists_open_with_search(client, superuser, alice):
    make_datanet(alice, name="Admin visible")
    client.force_login(superuser)
    for model in admin.site._registry:
        if model._meta.app_label not in ("accounts", "datanets", "curation", "rewards", "webhooks"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "a"}).status_code == 200, url


def test_admin_is_for_staff_only(client, alice):
    client.force_login(alice)
    assert client.get("/admin/").status_code == 302
