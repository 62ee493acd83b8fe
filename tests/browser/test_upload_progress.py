"""A contributor drops a CSV on the datanet page and watches processing finish with the right counts.
The Celery task runs in the web process (eager), as the live server has no separate worker."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory, make_datanet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    "Apply firm pressure with a clean cloth to stop bleeding from a small cut, then raise the wound.",
    "For a minor burn, cool the skin under cool running water for twenty minutes and cover it loosely.",
    "Apply firm pressure with a clean cloth to stop bleeding from a small cut, then raise the wound.",
    "x",
]


def test_upload_shows_progress_then_summary(live_server, page, tmp_path):
    owner = UserFactory(username="owner")
    UserFactory(username="dave")
    datanet = make_datanet(owner, name="First aid", description="First-aid instructions: bleeding, burns.",
                           record_schema={"type": "object", "properties": {"text": {"type": "string", "minLength": 5}},
                                          "required": ["text"]})
    path = tmp_path / "contrib.csv"
    path.write_text("text\n" + "\n".join(f'"{r}"' for r in ROWS) + "\n")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "dave")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/d/{datanet.slug}/")
    page.set_input_files("#upload-input", str(path))
    progress = page.locator(".submission-progress")
    expect(progress).to_have_attribute("data-status", "done", timeout=60_000)
    expect(progress.locator("[data-count=total]")).to_have_text("4")
    expect(progress.locator("[data-count=invalid]")).to_have_text("1")
    expect(progress.locator("[data-count=exact_dup]")).to_have_text("1")
    page.get_by_role("link", name="See every record and why").click()
    expect(page.locator("table.records")).to_contain_text("Exact duplicate of record #")
    assert not page.console_errors, page.console_errors
