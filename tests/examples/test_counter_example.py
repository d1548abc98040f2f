"""examples/counter over real HTTP: a visit counter kept in the session.

The example is copied to a temporary folder, compiled with --autoescape and served
with its own siteServer.cfg on a free port: with its `ram` sessions, and also with the
`file` and `cookie` storage its comments offer. Each browser (a client keeping its own
cookies and following redirects) counts 1, 2, 3...; two browsers count apart; "Start
again" (a POST to reset, 303 to the page) starts one browser's count again and not the
other's; GET /reset is 405; the session id is sent as an HttpOnly cookie and never in
the page; a request without a cookie, or with a made-up one, starts a new count.
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from servers import Browser, example_server

SESSION_COOKIE = "CherryPySession"

STORAGES = {
    "ram": {},  # as the example's siteServer.cfg has it
    "file": {"session": {"storageType": "file", "storageFileDir": "sessions"}},
    "cookie": {"session": {"storageType": "cookie"}},
}


@pytest.fixture(scope="module", params=list(STORAGES))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp(f"counter-{request.param}") / "site"
    with example_server("counter", folder, STORAGES[request.param]) as server:
        yield server


def visitor(site) -> Browser:
    """A new visitor, keeping its own cookies and following redirects as browsers do."""
    return Browser(site, follow_redirects=True)


def visit(browser: Browser) -> int:
    """Load the home page; return the count it shows."""
    reply = browser.get("/")
    assert reply.status == 200
    return count_in(reply.text)


def count_in(page: str) -> int:
    found = re.search(r"You have seen this page <strong>(\d+)</strong> times?\.", page)
    assert found, page
    return int(found.group(1))


def test_each_visit_counts(site) -> None:
    browser = visitor(site)
    assert [visit(browser) for _ in range(4)] == [1, 2, 3, 4]


def test_first_visit_says_time_and_later_ones_times(site) -> None:
    browser = visitor(site)
    assert "<strong>1</strong> time." in browser.get("/").text
    assert "<strong>2</strong> times." in browser.get("/").text


def test_two_browsers_count_apart(site) -> None:
    first, second = visitor(site), visitor(site)
    assert [visit(first) for _ in range(3)] == [1, 2, 3]
    assert visit(second) == 1
    assert visit(first) == 4
    assert visit(second) == 2
    assert first.cookies[SESSION_COOKIE] != second.cookies[SESSION_COOKIE]


def test_start_again_resets_only_this_browser(site) -> None:
    mine, other = visitor(site), visitor(site)
    for _ in range(3):
        visit(mine)
        visit(other)
    reply = mine.post("/reset", {})  # the form's POST, then the 303 to /
    assert reply.status == 200
    assert count_in(reply.text) == 1
    assert visit(mine) == 2
    assert visit(other) == 4


def test_reset_answers_303_to_the_home_page(site) -> None:
    reply = site.request("POST", "/reset", headers={"Content-Length": "0"})
    assert reply.status == 303
    assert reply.header("Location") == f"http://127.0.0.1:{site.port}/"


def test_get_of_reset_is_refused(site) -> None:
    browser = visitor(site)
    visit(browser)
    visit(browser)
    reply = browser.get("/reset")
    assert reply.status == 405
    assert "Start again" in reply.text
    assert visit(browser) == 3


def test_session_id_is_an_http_only_cookie_never_shown(site) -> None:
    reply = site.get("/")
    cookies = SimpleCookie()
    for header in reply.headers.get_all("Set-Cookie"):
        cookies.load(header)
    morsel = cookies[SESSION_COOKIE]
    assert re.fullmatch(r"[0-9a-f]{40}", morsel.value)
    assert morsel["httponly"] is True
    assert morsel["samesite"] == "Lax"
    assert morsel.value not in reply.text
    browser = visitor(site)
    for _ in range(2):
        page = browser.get("/").text
        assert browser.cookies[SESSION_COOKIE] not in page


def test_without_a_cookie_or_with_a_made_up_one_the_count_starts_at_1(site) -> None:
    assert count_in(site.get("/").text) == 1
    assert count_in(site.get("/").text) == 1
    made_up = {"Cookie": f"{SESSION_COOKIE}={'0' * 40}"}
    assert count_in(site.get("/", headers=made_up).text) == 1
    assert count_in(site.get("/", headers=made_up).text) == 1
