"""The curation issue's "Done when", as new users would do it in the browser: dave uploads records,
carol reviews three with the keyboard, erin reports one, staff take it down, and the owner cuts a
release and opens its dataset card and a file. Each person has their own browser context; every
step leaves a screenshot in test-artifacts/ (done_when_*.png). Celery runs eagerly in the server."""

import json

import pytest
from playwright.sync_api import expect

from curation.models import Release, Report
from datanets.models import Membership, Record
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, UserFactory, make_datanet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    "Press firmly on a bleeding cut with a clean cloth for ten minutes, then raise the injured limb.",
    "Cool a minor burn under cool running water for twenty minutes and cover it loosely with cling film.",
    "If someone is choking, give up to five sharp back blows between the shoulder blades with your hand.",
    "For a sprained ankle, rest it, apply an ice pack wrapped in a towel and keep the foot raised.",
]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"done_when_{name}.png"), full_page=True)


def _settled(page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')",
        timeout=20_000)
    page.wait_for_timeout(100)


def _login(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.console_errors = []
    page.on("console", lambda msg: page.console_errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())  # data-confirm asks before destructive actions
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("load")
    return page


def test_upload_review_report_takedown_release(live_server, browser, tmp_path):
    owner, carol = UserFactory(username="olivia"), UserFactory(username="carol")
    UserFactory(username="dave")
    UserFactory(username="erin")
    sam = UserFactory(username="sam")
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])
    datanet = make_datanet(owner, name="First aid", description="First-aid instructions: bleeding, burns, choking, "
                                                                "sprains.", members={carol: Membership.Role.CURATOR})
    upload = tmp_path / "first-aid.csv"
    upload.write_text("text\n" + "\n".join(f'"{r}"' for r in ROWS) + "\n")
    pages = []

    # 1. dave uploads.
    dave = _login(browser, live_server, "dave")
    pages.append(dave)
    dave.goto(f"{live_server.url}/d/{datanet.slug}/")
    dave.set_input_files("#upload-input", str(upload))
    progress = dave.locator(".submission-progress")
    expect(progress).to_have_attribute("data-status", "done", timeout=90_000)
    expect(progress.locator("[data-count=total]")).to_have_text("4")
    _shot(dave, "1_dave_uploaded")
    queued = Record.objects.filter(datanet=datanet, status="in_review").count()
    assert queued >= 3, list(Record.objects.values_list("status", "receipt"))

    # 2. carol reviews three with the keyboard.
    carol_page = _login(browser, live_server, "carol")
    pages.append(carol_page)
    carol_page.goto(f"{live_server.url}/d/{datanet.slug}/")
    carol_page.get_by_role("link", name=f"Review queue ({queued})").click()
    carol_page.wait_for_url(f"**/d/{datanet.slug}/review/")
    carol_page.wait_for_load_state("load")
    item = carol_page.locator("#review-item")
    carol_page.keyboard.press("n")
    expect(item.locator(".record-fields")).to_be_visible()
    _shot(carol_page, "2_carol_first_item")
    for _ in range(3):
        record_id = item.get_attribute("data-record")
        _settled(carol_page)
        carol_page.keyboard.press("a")
        expect(item).to_contain_text(f"Accepted record #{record_id}.")
    _shot(carol_page, "3_carol_after_three")
    accepted = list(Record.objects.filter(datanet=datanet, status="accepted").order_by("id"))
    assert len(accepted) == 3

    # 3. erin reports one.
    erin = _login(browser, live_server, "erin")
    pages.append(erin)
    erin.goto(f"{live_server.url}/d/{datanet.slug}/")
    erin.get_by_role("link", name="Records", exact=True).click()
    reported = accepted[0]
    row = erin.locator(f"#record-{reported.id}")
    expect(row).to_contain_text(reported.text[:40])
    row.get_by_role("link", name="Report").click()
    form = erin.locator(f"#report-{reported.id}")
    form.locator("select[name=reason]").select_option("copyright")
    form.locator("textarea[name=comment]").fill("Copied word for word from a paid first-aid manual.")
    form.get_by_role("button", name="Send report").click()
    expect(form).to_contain_text("is with the moderators")
    _shot(erin, "4_erin_reported")
    assert Report.objects.filter(record=reported, status="open").exists()

    # 4. staff take it down.
    staff = _login(browser, live_server, "sam")
    pages.append(staff)
    staff.get_by_role("link", name="Moderation").click()
    card = staff.locator("article.report").filter(has_text=f"Record #{reported.id}")
    card.locator("input[name=note]").fill("Copyright: confirmed against the manual.")
    card.get_by_role("button", name="Take down record").click()
    staff.wait_for_load_state("load")
    staff.goto(f"{live_server.url}/moderation/?status=actioned")
    expect(staff.locator("article.report").first).to_contain_text("takedown")
    _shot(staff, "5_staff_took_down")
    reported.refresh_from_db()
    assert reported.status == Record.Status.REMOVED

    # 5. the owner cuts a release, opens its card and a file.
    olivia = _login(browser, live_server, "olivia")
    pages.append(olivia)
    olivia.goto(f"{live_server.url}/d/{datanet.slug}/")
    olivia.get_by_role("link", name="Releases").click()
    olivia.get_by_role("button", name="Cut release").click()
    olivia.wait_for_url("**/releases/*/")
    expect(olivia.locator(".release-progress")).to_have_attribute("data-status", "ready", timeout=90_000)
    olivia.reload()
    expect(olivia.get_by_role("heading", name="Dataset card")).to_be_visible()
    card_text = olivia.locator(".prose").inner_text()
    assert "First aid" in card_text
    expect(olivia.locator("pre")).to_contain_text("license:")
    _shot(olivia, "6_owner_release_card")
    with olivia.expect_download() as download:
        olivia.get_by_role("link", name="data.jsonl").click()
    rows = [json.loads(line) for line in open(download.value.path()) if line.strip()]
    assert sorted(r["record_id"] for r in rows) == [r.id for r in accepted[1:]]  # the taken-down one is gone
    release = Release.objects.get(datanet=datanet)
    assert release.record_count == 2 and release.status == Release.Status.READY

    for p in pages:
        assert not p.console_errors, p.console_errors
        p.context.close()
