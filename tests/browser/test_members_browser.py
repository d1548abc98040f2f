"""The members example in a real browser: the login screen guards the members page, a
wrong password is refused, the right one lets the member in, logging out leads back to
the login screen; the admin area answers the browser's HTTP Basic credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from servers import example_server


@pytest.fixture
def members(tmp_path: Path):
    with example_server("members", tmp_path / "members") as server:
        yield server


def test_log_in_see_the_members_page_log_out(members, page, screenshots) -> None:
    page.goto(members.url + "/members")
    assert page.inner_text("h1") == "Log in"
    assert page.inner_text("p.message") == "Please log in."
    screenshots.take(page, "login-screen")

    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "not her password")
    page.click('role=button[name="Log in"]')
    page.wait_for_selector("p.message >> text=Wrong login or password.")
    assert page.inner_text("h1") == "Log in"
    assert page.input_value("input[name=password]") == ""
    screenshots.take(page, "wrong-password")

    page.fill("input[name=login]", "alice")
    page.fill("input[name=password]", "wonderland")
    page.click('role=button[name="Log in"]')
    page.wait_for_selector("h1 >> text=Members area")
    assert page.url == members.url + "/members"
    assert page.inner_text("#member") == "Alice Liddell"
    assert page.inner_text("#login") == "alice"
    cookie = next(c for c in page.context.cookies() if c["name"] == "CherrySessionId")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    screenshots.take(page, "members-page")

    page.click('role=button[name="Log out"]')
    page.wait_for_selector("p.message >> text=You have been logged out.")
    assert page.inner_text("h1") == "Log in"
    screenshots.take(page, "logged-out")

    page.goto(members.url + "/members")
    assert page.inner_text("h1") == "Log in"
    assert page.inner_text("p.message") == "Please log in."
    screenshots.take(page, "members-page-again")


def test_admin_area_asks_the_browser_for_http_basic_credentials(members, browser, screenshots) -> None:
    from playwright.sync_api import Error

    # Headless Chromium cannot ask for a password: without credentials the Basic
    # challenge ends the navigation; with wrong ones it shows the server's 401 answer.
    anonymous = browser.new_context()
    try:
        with pytest.raises(Error, match="ERR_INVALID_AUTH_CREDENTIALS"):
            anonymous.new_page().goto(members.url + "/admin")
    finally:
        anonymous.close()
    wrong = browser.new_context(http_credentials={"username": "admin", "password": "guess"})
    try:
        reply = wrong.new_page().goto(members.url + "/admin")
        assert reply.status == 401
        assert reply.headers["www-authenticate"] == 'Basic realm="Admin"'
    finally:
        wrong.close()

    admin = browser.new_context(http_credentials={"username": "admin", "password": "open sesame"})
    try:
        page = admin.new_page()
        reply = page.goto(members.url + "/admin")
        assert reply.status == 200
        assert page.inner_text("h1") == "Admin area"
        assert page.inner_text("#login") == "admin"
        assert "Alice Liddell" in page.inner_text("table")
        screenshots.take(page, "admin-page")
    finally:
        admin.close()
