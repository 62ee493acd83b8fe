"""HTML and JavaScript typed by users — in datanet names, descriptions, tags, display names, records,
file names, report and review comments — is shown as text on every page and never becomes markup.

A crawler signed in as the owner, a curator and staff follows every same-site link from the home
page (and a few pages only reachable by form) and checks each HTML page it gets — also that the
page keeps to its Content-Security-Policy (no inline script or style).
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client

from accounts.models import Profile
from curation.moderation import report_create
from curation.review import review_submit
from datanets.models import Membership, Submission
from tests.factories import UserFactory, make_datanet, make_records_in_review

SCRIPT = '<script>alert("xss")</script>'
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE = f"{SCRIPT}{IMG}"
SKIP = ("/logout", "/static/", "/media/", "/api/schema", "/api/docs", "/admin/logout", "/accounts/logout")  # docs: own CSP
MAX_PAGES = 250


class _Page(HTMLParser):
    """Collects links, and every place where the payload became markup rather than text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.markup: list[str] = []
        self.inline: list[str] = []  # what the Content-Security-Policy would block
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.markup.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.markup.append(f"<{tag} {name}={value}>")
        if tag == "img" and dict(attrs).get("src") == "x" or tag == "iframe":
            self.markup.append(f"<{tag}>")
        self._in_script = tag == "script"
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.inline.append("<script> without src")
        if tag == "style" or "style" in attrs:
            self.inline.append(f"<{tag} style>")
        for name in ("href", "hx-get"):
            if attrs.get(name):
                self.links.append(attrs[name])

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert" in data:
            self.markup.append("<script>alert…")


@pytest.fixture
def hostile_world(alice, bob, carol, staff):
    Profile.objects.filter(user=bob).update(display_name=f"Bob {SCRIPT}")
    dn = make_datanet(alice, name=f"Evil {SCRIPT}"[:80], summary=f"Summary {HOSTILE}"[:200],
                      description=f"# Title {SCRIPT}\n\n{IMG}\n\n[click me](javascript:alert(1))\n\n<iframe src=x></iframe>",
                      members={carol: Membership.Role.CURATOR})
    records = make_records_in_review(dn, bob, [f"Record text {HOSTILE} number {i}" for i in range(3)])
    Submission.objects.filter(pk=records[0].submission_id).update(original_name=f"{IMG}.csv")
    review_submit(record=records[0], reviewer=carol, decision="reject", reason="spam", comment=f"No {HOSTILE}")
    report_create(reporter=bob, reason="other", comment=f"Report {HOSTILE}", record=records[1])
    return dn


def _crawl(client: Client, starts: list[str]) -> tuple[dict[str, int], list[str]]:
    seen: dict[str, int] = {}
    showing: list[str] = []  # pages where the payload is shown, as text
    queue = list(starts)
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or path.startswith(SKIP):
            continue
        response = client.get(url)
        seen[url] = response.status_code
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Page()
        body = response.content.decode()
        parser.feed(body)
        if "&lt;script&gt;alert(" in body or "&lt;script&gt;alert(&quot;" in body:
            showing.append(url)
        assert not parser.markup, f"{url} shows user input as markup: {parser.markup}"
        assert not parser.inline, f"{url} breaks its own Content-Security-Policy: {parser.inline}"
        assert "script-src 'self'" in response["Content-Security-Policy"], url
        for link in parser.links:
            absolute = urljoin(url, link)
            parts = urlsplit(absolute)
            if parts.netloc in ("", "testserver") and parts.scheme in ("", "http"):
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen, showing


@pytest.mark.parametrize("who", ["alice", "carol", "bob", "staff"])
def test_no_page_renders_user_input_as_markup(hostile_world, request, who):
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    slug = hostile_world.slug
    seen, showing = _crawl(client, ["/", "/?q=evil", f"/d/{slug}/", f"/d/{slug}/review/", "/contributions/",
                           "/moderation/", "/audit/", "/rewards/", f"/d/{slug}/report/"])
    ok = [u for u, s in seen.items() if s == 200]
    assert len(ok) >= 8, seen  # the crawl really reached the pages that show the hostile input
    assert any(slug in u for u in ok)
    assert len(showing) >= 3, showing  # and the hostile text was on them, escaped


@pytest.mark.parametrize("html", ['<img src=x onerror=alert(1)>', '<script>alert("xss")</script>',
                                  '<a href="javascript:alert(1)">x</a>', '<div onclick=alert(1)>'])
def test_the_detector_sees_markup(html):
    page = _Page()
    page.feed(f"<p>{html}</p>")
    assert page.markup
