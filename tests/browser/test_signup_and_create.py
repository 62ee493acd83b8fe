"""A newcomer signs up, creates a datanet with the field builder, and finds it on the explore page."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_signup_create_and_find(live_server, page):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Sign up").click()
    page.fill("#id_username", "newcomer")
    page.fill("#id_email", "newcomer@example.org")
    page.fill("#id_display_name", "New Comer")
    page.fill("#id_password1", "a-long-unusual-passphrase")
    page.fill("#id_password2", "a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Welcome!")).to_be_visible()

    page.get_by_role("link", name="New datanet").click()
    page.fill("#id_name", "Bird song transcripts")
    page.fill("#id_summary", "Field notes of bird songs, transcribed")
    page.fill("#id_tags", "birds, audio")
    page.select_option("#id_domain", "science")
    # The field builder: rename the default field, add a second one through htmx.
    page.get_by_role("button", name="+ Add field").click()
    page.locator("input[name='fb-1-name']").fill("species")
    page.get_by_role("button", name="Create datanet").click()
    expect(page).to_have_url(re.compile(r"/d/bird-song-transcripts/$"))
    expect(page.get_by_role("heading", name="Bird song transcripts")).to_be_visible()
    expect(page.locator("pre")).to_contain_text('"species"')

    page.get_by_role("button", name="Open for contributions").click()
    expect(page.get_by_text("Status changed.")).to_be_visible()

    page.get_by_role("link", name="Explore").click()
    page.get_by_placeholder("Search datanets…").type("bird s", delay=30)
    expect(page.locator("#results .datanet-card")).to_have_count(1)
    expect(page.locator("#results")).to_contain_text("Bird song transcripts")
    page.get_by_placeholder("Search datanets…").fill("zzzz-nothing")
    expect(page.locator("#results")).to_contain_text("No datanet matches")
    assert not page.console_errors, page.console_errors
