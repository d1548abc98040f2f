"""examples/counter over real HTTP: a visit counter kept in the session.

The example is copied to a temporary folder, compiled with --autoescape and served
with its own siteServer.cfg on a free port: with its `ram` sessions, and also with the
`file` and `cookie` storage its comments offer. Each browser (a urllib opener with its
own cookie jar) counts 1, 2, 3...; two browsers count apart; "Start again" (a POST to
reset, 303 to the page) starts one browser's count again and not the other's; GET
/reset is 405; the session id is sent as an HttpOnly cookie and never in the page; a
request without a cookie, or with a made-up one, starts a new count.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from http.cookies import SimpleCookie

import pytest

from servers import ServerProcess, example_server

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


class Browser:
    """A client that keeps its cookies and follows redirects, as a browser does."""

    def __init__(self, site: ServerProcess) -> None:
        self.url = site.url
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def open(self, path: str, data: bytes | None = None) -> tuple[int, str]:
        """(status, page) of a GET, or of a POST when `data` is given."""
        try:
            with self.opener.open(self.url + path, data=data, timeout=10) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.read().decode("utf-8")

    def visit(self) -> int:
        """Load the home page; return the count it shows."""
        status, page = self.open("/")
        assert status == 200
        return count_in(page)

    def session_id(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == SESSION_COOKIE)


def count_in(page: str) -> int:
    found = re.search(r"You have seen this page <strong>(\d+)</strong> times?\.", page)
    assert found, page
    return int(found.group(1))


def test_each_visit_counts(site) -> None:
    browser = Browser(site)
    assert [browser.visit() for _ in range(4)] == [1, 2, 3, 4]


def test_first_visit_says_time_and_later_ones_times(site) -> None:
    browser = Browser(site)
    assert "<strong>1</strong> time." in browser.open("/")[1]
    assert "<strong>2</strong> times." in browser.open("/")[1]


def test_two_browsers_count_apart(site) -> None:
    first, second = Browser(site), Browser(site)
    assert [first.visit() for _ in range(3)] == [1, 2, 3]
    assert second.visit() == 1
    assert first.visit() == 4
    assert second.visit() == 2
    assert first.session_id() != second.session_id()


def test_start_again_resets_only_this_browser(site) -> None:
    mine, other = Browser(site), Browser(site)
    for _ in range(3):
        mine.visit()
        other.visit()
    status, page = mine.open("/reset", data=b"")  # the form's POST, then the 303 to /
    assert status == 200
    assert count_in(page) == 1
    assert mine.visit() == 2
    assert other.visit() == 4


def test_reset_answers_303_to_the_home_page(site) -> None:
    reply = site.request("POST", "/reset", headers={"Content-Length": "0"})
    assert reply.status == 303
    assert reply.header("Location") == f"http://127.0.0.1:{site.port}/"


def test_get_of_reset_is_refused(site) -> None:
    browser = Browser(site)
    browser.visit()
    browser.visit()
    status, page = browser.open("/reset")
    assert status == 405
    assert "Start again" in page
    assert browser.visit() == 3


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
    browser = Browser(site)
    for _ in range(2):
        status, page = browser.open("/")
        assert browser.session_id() not in page


def test_without_a_cookie_or_with_a_made_up_one_the_count_starts_at_1(site) -> None:
    assert count_in(site.get("/").text) == 1
    assert count_in(site.get("/").text) == 1
    made_up = {"Cookie": f"{SESSION_COOKIE}={'0' * 40}"}
    assert count_in(site.get("/", headers=made_up).text) == 1
    assert count_in(site.get("/", headers=made_up).text) == 1
