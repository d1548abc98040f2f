"""examples/members, compiled with --autoescape as its README says: the members area's
login / members page / logout flow with a cookie-keeping client, and the admin area's
HTTP Basic authentication."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import urlencode

import pytest

from servers import example_server


class Browser:
    """Keeps cookies and follows redirects (with a GET), as a browser does."""

    def __init__(self, server) -> None:
        self.server = server
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode("utf-8")
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reply = self.server.request(method, path, headers=headers, body=body)
        for header in reply.headers.get_all("Set-Cookie") or []:
            first, *attributes = [part.strip() for part in header.split(";")]
            name, _, value = first.partition("=")
            if "Max-Age=0" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if reply.status in (301, 302, 303):
            location = reply.header("Location")
            assert location.startswith("/"), location  # never off the site
            return self.request("GET", location)
        return reply

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, form: dict):
        return self.request("POST", path, form)


def log_in(browser: Browser, login: str, password: str):
    return browser.post("/members/doLogin", {"login": login, "password": password,
                                             "fromPage": "/members"})


def basic(login: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{password}".encode("utf-8")).decode("ascii")
    return {"Authorization": f"Basic {token}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("example") / "members"
    with example_server("members", folder) as running:
        yield running


def is_login_screen(reply, message: str) -> bool:
    return reply.status == 200 and "<h1>Log in</h1>" in reply.text and message in reply.text


def test_home_page_links_both_areas(server) -> None:
    home = server.get("/")
    assert home.status == 200
    assert '<a href="/members">' in home.text and '<a href="/admin">' in home.text


def test_login_members_page_logout_flow(server) -> None:
    browser = Browser(server)
    screen = browser.get("/members")
    assert is_login_screen(screen, "Please log in.")
    for field in ('name="login"', 'name="password"', 'name="fromPage" value="/members"',
                  'action="/members/doLogin"'):
        assert field in screen.text

    wrong = log_in(browser, "alice", "looking-glass")
    assert is_login_screen(wrong, "Wrong login or password.")
    assert 'name="login" value="alice"' in wrong.text
    assert "looking-glass" not in wrong.text

    members = log_in(browser, "alice", "wonderland")
    assert members.status == 200
    assert "<h1>Members area</h1>" in members.text
    assert '<strong id="member">Alice Liddell</strong>' in members.text
    assert '<code id="login">alice</code>' in members.text
    assert browser.get("/members").text == members.text

    logged_out = browser.post("/members/doLogout", {})
    assert is_login_screen(logged_out, "You have been logged out.")
    assert is_login_screen(browser.get("/members"), "Please log in.")


def test_each_member_sees_their_own_page(server) -> None:
    alice, bob = Browser(server), Browser(server)
    assert "Alice Liddell" in log_in(alice, "alice", "wonderland").text
    assert "Bob the Builder" in log_in(bob, "bob", "builder").text
    assert '<code id="login">alice</code>' in alice.get("/members").text
    assert '<code id="login">bob</code>' in bob.get("/members").text


def test_unknown_members_and_hostile_input_are_refused_and_escaped(server) -> None:
    browser = Browser(server)
    assert is_login_screen(log_in(browser, "nobody", "wonderland"), "Wrong login or password.")
    reply = log_in(browser, "<script>alert(1)</script>", "x")
    assert "<script>" not in reply.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.text
    reply = browser.post("/members/doLogin", {"login": "alice", "password": "wonderland",
                                              "fromPage": "//evil.example/"})
    assert "<h1>Members area</h1>" in reply.text  # back to /members, not elsewhere


def test_admin_area_asks_for_http_basic_credentials(server) -> None:
    for headers in ({}, basic("admin", "wrong"), basic("alice", "wonderland"),
                    {"Authorization": "Basic !!!"}):
        reply = server.get("/admin", headers=headers)
        assert reply.status == 401
        assert reply.header("WWW-Authenticate") == 'Basic realm="Admin"'
    reply = server.get("/admin", headers=basic("admin", "open sesame"))
    assert reply.status == 200
    assert "<h1>Admin area</h1>" in reply.text
    assert '<code id="login">admin</code>' in reply.text
    assert "<tr><td>alice</td><td>Alice Liddell</td></tr>" in reply.text
    assert "<tr><td>bob</td><td>Bob the Builder</td></tr>" in reply.text
