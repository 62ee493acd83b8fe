"""A curator reviews three records with the keyboard alone; each next item arrives without a reload."""

import pytest
from playwright.sync_api import expect

from curation.models import Review
from datanets.models import Membership, Record
from tests.factories import PASSWORD, UserFactory, make_datanet, make_records_in_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = [
    "Press firmly on a bleeding cut with a clean cloth for ten minutes.",
    "Buy cheap watches at my shop <b>today</b>!",
    "Cool a minor burn under running water for twenty minutes.",
]


def _wait_for(predicate, what: str, timeout: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _settled(page) -> None:
    """Wait until htmx has finished the last request and processed the new item's buttons: a
    key pressed in the few ms before that would click a button htmx does not yet drive."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')",
        timeout=20_000,
    )
    page.wait_for_timeout(100)


def test_curator_reviews_three_records_with_the_keyboard(live_server, page):
    owner, carol, dave = (UserFactory(username=n) for n in ("owner", "carol", "dave"))
    datanet = make_datanet(owner, name="First aid", members={carol: Membership.Role.CURATOR})
    first, second, third = make_records_in_review(datanet, dave, TEXTS, scores=[0.9, 0.8, 0.7])

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/d/{datanet.slug}/")
    page.get_by_role("link", name="Review queue (3)").click()
    page.wait_for_url(f"**/d/{datanet.slug}/review/")
    page.wait_for_load_state("load")  # shortcuts and htmx are ready once the deferred scripts ran
    page.evaluate("window.sameDocument = true")  # gone if the page reloads

    item = page.locator("#review-item")
    page.keyboard.press("n")
    expect(item).to_have_attribute("data-record", str(first.id))
    expect(item).to_contain_text(TEXTS[0])

    _settled(page)
    page.keyboard.press("a")
    expect(item).to_have_attribute("data-record", str(second.id))
    expect(item).to_contain_text(f"Accepted record #{first.id}.")
    expect(item.locator(".record-fields")).to_contain_text("<b>today</b>")  # shown as text, never as markup

    _settled(page)
    page.keyboard.press("r")  # no reason yet: the reason list takes the focus, nothing is sent
    expect(page.locator("#id_reason")).to_be_focused()
    page.select_option("#id_reason", "spam")
    page.locator("h1").click()  # leave the list, so the next key is a shortcut again
    _settled(page)
    page.keyboard.press("r")
    expect(item).to_have_attribute("data-record", str(third.id))
    expect(item).to_contain_text(f"Rejected record #{second.id}.")

    _settled(page)
    page.keyboard.press("s")
    _wait_for(lambda: Review.objects.filter(record=third, decision="skip").exists(), "the skip to be recorded")
    assert page.evaluate("window.sameDocument") is True
    assert not page.console_errors, page.console_errors

    statuses = dict(Record.objects.filter(datanet=datanet).values_list("id", "status"))
    assert statuses == {first.id: "accepted", second.id: "rejected", third.id: "in_review"}
    assert list(Review.objects.order_by("id").values_list("decision", "reason")) == [
        ("accept", ""), ("reject", "spam"), ("skip", "")]
