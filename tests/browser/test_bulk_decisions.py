"""An owner rejects every record under a score in bulk: a refusal shows in place, then the count,
then the confirmation applies it — all without leaving the page."""

import pytest
from playwright.sync_api import expect

from datanets.models import Record
from tests.factories import PASSWORD, UserFactory, make_datanet, make_records_in_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_counts_then_confirms_a_bulk_rejection(live_server, page):
    owner, dave = UserFactory(username="olivia"), UserFactory(username="dave")
    datanet = make_datanet(owner, name="First aid")
    make_records_in_review(datanet, dave, ["buy watches", "cheap pills", "Cool a burn under running water."],
                           scores=[0.1, 0.2, 0.9])
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "olivia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/d/{datanet.slug}/")
    page.get_by_role("link", name="Bulk decisions").click()
    page.wait_for_load_state("load")
    page.evaluate("window.sameDocument = true")

    page.select_option("#id_action", "reject")
    page.get_by_role("button", name="Count what will change").click()  # no filter yet: refused in place
    result = page.locator("#bulk-result")
    expect(result).to_contain_text("Choose at least one filter")

    page.fill("#id_score_below", "0.5")
    page.select_option("#id_bulk_reason", "spam")
    page.get_by_role("button", name="Count what will change").click()
    expect(page.locator("#bulk-count")).to_have_text("2")
    assert Record.objects.filter(status="rejected").count() == 0
    page.get_by_role("button", name="Confirm: reject (owner's ruling) on 2 records").click()
    expect(result).to_contain_text("2 records changed")
    assert page.evaluate("window.sameDocument") is True
    unexpected = [e for e in page.console_errors if "status of 400" not in e]  # the refusal above is a 400
    assert not unexpected, unexpected
    assert sorted(Record.objects.filter(status="rejected").values_list("text", flat=True)) == [
        "buy watches", "cheap pills"]
