"""examples/members, compiled with --autoescape as its README says: the members area's
login / members page / logout flow with a cookie-keeping client, and the admin area's
HTTP Basic authentication."""

from __future__ import annotations

from pathlib import Path

import pytest

from servers import Browser, basic_auth, example_server, is_login_screen


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("example") / "members"
    with example_server("members", folder) as running:
        yield running


def test_home_page_links_both_areas(server) -> None:
    home = server.get("/")
    assert home.status == 200
    assert '<a href="/members">' in home.text and '<a href="/admin">' in home.text


def test_login_members_page_logout_flow(server) -> None:
    browser = Browser(server, follow_redirects=True)
    screen = browser.get("/members")
    assert is_login_screen(screen, "Please log in.")
    for field in ('name="login"', 'name="password"', 'name="fromPage" value="/members"',
                  'action="/members/doLogin"'):
        assert field in screen.text

    wrong = browser.log_in("/members", "alice", "looking-glass")
    assert is_login_screen(wrong, "Wrong login or password.")
    assert 'name="login" value="alice"' in wrong.text
    assert "looking-glass" not in wrong.text

    members = browser.log_in("/members", "alice", "wonderland")
    assert members.status == 200
    assert "<h1>Members area</h1>" in members.text
    assert '<strong id="member">Alice Liddell</strong>' in members.text
    assert '<code id="login">alice</code>' in members.text
    assert browser.get("/members").text == members.text

    logged_out = browser.post("/members/doLogout", {})
    assert is_login_screen(logged_out, "You have been logged out.")
    assert is_login_screen(browser.get("/members"), "Please log in.")


def test_each_member_sees_their_own_page(server) -> None:
    alice = Browser(server, follow_redirects=True)
    bob = Browser(server, follow_redirects=True)
    assert "Alice Liddell" in alice.log_in("/members", "alice", "wonderland").text
    assert "Bob the Builder" in bob.log_in("/members", "bob", "builder").text
    assert '<code id="login">alice</code>' in alice.get("/members").text
    assert '<code id="login">bob</code>' in bob.get("/members").text


def test_unknown_members_and_hostile_input_are_refused_and_escaped(server) -> None:
    browser = Browser(server, follow_redirects=True)
    assert is_login_screen(browser.log_in("/members", "nobody", "wonderland"),
                           "Wrong login or password.")
    reply = browser.log_in("/members", "<script>alert(1)</script>", "x")
    assert "<script>" not in reply.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reply.text
    reply = browser.log_in("/members", "alice", "wonderland", fromPage="//evil.example/")
    assert "<h1>Members area</h1>" in reply.text  # back to /members, not elsewhere


def test_admin_area_asks_for_http_basic_credentials(server) -> None:
    for headers in ({}, basic_auth("admin", "wrong"), basic_auth("alice", "wonderland"),
                    {"Authorization": "Basic !!!"}):
        reply = server.get("/admin", headers=headers)
        assert reply.status == 401
        assert reply.header("WWW-Authenticate") == 'Basic realm="Admin"'
    reply = server.get("/admin", headers=basic_auth("admin", "open sesame"))
    assert reply.status == 200
    assert "<h1>Admin area</h1>" in reply.text
    assert '<code id="login">admin</code>' in reply.text
    assert "<tr><td>alice</td><td>Alice Liddell</td></tr>" in reply.text
    assert "<tr><td>bob</td><td>Bob the Builder</td></tr>" in reply.text
