"""CookieAuthenticate over real HTTP (spec §26, DESIGN.md §5).

Protected pages show the login screen (200) until doLogin sets a valid CherryLogin cookie;
the cookie is HMAC-signed (forged, tampered, foreign-key and 0.x MD5 cookies are refused,
and it dies when the password changes), renewed on every request and expires after
`timeout` minutes; doLogin only redirects to paths on the site; request.login and
self.login belong to each request; values on the login screen are escaped, with and
without --autoescape.
"""

from __future__ import annotations

import hashlib
import json
import time
from urllib.parse import quote

import pytest

from servers import BUILDS, Browser, in_parallel, is_login_screen, set_cookies, site_server

SITE = """\
use CookieAuthenticate

import json

PASSWORDS = {
    "alice": ["wonderland"],
    "bob": ["builder", "second password"],
    "carol": ["pass:word"],
    "zoë": ["mot de passe été"],
}
TOGETHER = threading.Barrier(2, timeout=20)

CherryClass Root:
view:
    def index(self):
        return "public"
    def setPassword(self, login, password):
        PASSWORDS[login] = [password]
        return "changed"

CherryClass Private(CookieAuthenticate):
function:
    def getPasswordListForLogin(self, login):
        return PASSWORDS.get(login, [])
mask:
    def index(self):
        <h1>Private</h1>
        <p id="who" py-eval="request.login">who</p>
    def page(self, x=""):
        <p>page <py-eval="x"> for <py-eval="self.login"></p>
    def internal(self) hidden:
        internal
view:
    def whoami(self):
        return json.dumps([request.login, self.login])
    def together(self):
        TOGETHER.wait()  # both users' requests are being served at the same time
        return json.dumps([request.login, self.login])

CherryClass Quick(CookieAuthenticate):
variable:
    timeout = 0.01
function:
    def getPasswordListForLogin(self, login):
        return PASSWORDS.get(login, [])
view:
    def index(self):
        return "quick " + request.login

CherryClass Demo(CookieAuthenticate):
view:
    def index(self):
        return "demo " + request.login
"""

SITE_KEY = "cookie-authenticate-tests-site-key-0123456789"
COOKIE = "CherryLogin"


def cookie_get(server, path: str, token: str):
    return server.get(path, headers={"Cookie": f"{COOKIE}={token}"})


NO_COOKIE = "Please log in."
WRONG = "Wrong login or password."
EXPIRED = "Your login has expired: please log in again."


@pytest.fixture(scope="module", params=list(BUILDS))
def server(request, tmp_path_factory):
    """The site compiled with and without --autoescape, served on a free port."""
    with site_server(tmp_path_factory.mktemp("cookie_auth"), SITE, request.param,
                     server={"siteKey": SITE_KEY, "threadPool": 4}) as running:
        yield running


@pytest.fixture
def alice(server) -> Browser:
    browser = Browser(server)
    reply = browser.log_in("/private", "alice", "wonderland")
    assert reply.status == 302, reply.text
    return browser


# ---- refusing and accepting ----------------------------------------------------------------


def test_protected_pages_show_the_login_screen_without_a_cookie(server) -> None:
    for path in ("/private", "/private/page?x=1", "/private/whoami"):
        reply = server.get(path)
        assert is_login_screen(reply, NO_COOKIE), (path, reply.text)
        assert 'action="/private/doLogin"' in reply.text
        assert 'method="post"' in reply.text
        assert COOKIE not in set_cookies(reply)
    assert 'name="fromPage" value="/private/page?x=1"' in server.get("/private/page?x=1").text


def test_public_pages_and_hidden_methods_are_untouched(server) -> None:
    assert server.get("/").text == "public"
    assert server.get("/private/internal").status == 404


def test_right_password_sets_a_signed_cookie_and_redirects(server) -> None:
    browser = Browser(server)
    reply = browser.log_in("/private", "alice", "wonderland", fromPage="/private/page?x=1")
    assert reply.status == 302
    assert reply.header("Location") == "/private/page?x=1"
    value, *attributes = set_cookies(reply)[COOKIE]
    assert {"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=3600"} <= set(attributes)
    assert "Secure" not in attributes  # plain HTTP
    assert "wonderland" not in value and hashlib.md5(b"wonderland").hexdigest() not in value
    page = browser.get("/private/page?x=1")
    assert page.status == 200
    assert "page 1 for alice" in page.text
    assert json.loads(browser.get("/private/whoami").text) == ["alice", "alice"]


def test_each_request_renews_the_cookie(server, alice) -> None:
    first = alice.cookies[COOKIE]
    issued = int(first.split(".")[1])
    while int(time.time() * 1000) <= issued:  # let the clock pass the first issue time
        time.sleep(0.005)
    reply = alice.get("/private/whoami")
    renewed = set_cookies(reply)[COOKIE][0]
    assert int(renewed.split(".")[1]) > issued
    assert json.loads(cookie_get(server, "/private/whoami", renewed).text) == ["alice", "alice"]


@pytest.mark.parametrize("login, password", [
    ("alice", "Wonderland"), ("alice", ""), ("alice", "wonderland "), ("nobody", "wonderland"),
    ("", ""), ("bob", "wonderland"),
])
def test_wrong_login_or_password_shows_the_login_screen_again(server, login, password) -> None:
    browser = Browser(server)
    reply = browser.log_in("/private", login, password, fromPage="/private/page")
    assert is_login_screen(reply, WRONG)
    assert COOKIE not in browser.cookies
    assert f'name="login" value="{login}"' in reply.text
    assert 'name="fromPage" value="/private/page"' in reply.text
    assert not password or password not in reply.text  # a password is never filled back in


def test_every_password_of_the_list_is_accepted(server) -> None:
    for password in ("builder", "second password"):
        browser = Browser(server)
        assert browser.log_in("/private", "bob", password).status == 302
        assert json.loads(browser.get("/private/whoami").text) == ["bob", "bob"]


def test_password_with_a_colon_and_utf8_credentials(server) -> None:
    for login, password in (("carol", "pass:word"), ("zoë", "mot de passe été")):
        browser = Browser(server)
        assert browser.log_in("/private", login, password).status == 302
        assert json.loads(browser.get("/private/whoami").text) == [login, login]
    assert is_login_screen(Browser(server).log_in("/private", "zoë", "mot de passe ete"), WRONG)


def test_login_by_get_is_refused(server) -> None:
    browser = Browser(server)
    reply = browser.get("/private/doLogin?login=alice&password=wonderland&fromPage=/private")
    assert is_login_screen(reply, NO_COOKIE)
    assert COOKIE not in browser.cookies


def test_a_field_given_twice_is_refused_not_an_error(server) -> None:
    body = "login=alice&login=alice&password=wonderland&password=wonderland&fromPage=/private"
    reply = server.request("POST", "/private/doLogin", body=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert is_login_screen(reply, WRONG)


# ---- forged cookies ---------------------------------------------------------------------------


def test_tampered_cookies_are_refused(server, alice) -> None:
    token = alice.cookies[COOKIE]
    login, issued, signature = token.split(".")
    assert json.loads(cookie_get(server, "/private/whoami", token).text)[0] == "alice"
    bob = Browser(server)
    bob.log_in("/private", "bob", "builder")
    bob_login = bob.cookies[COOKIE].split(".")[0]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for token in (
        f"{bob_login}.{issued}.{signature}",  # another user's name
        f"{login}.{int(issued) + 60000}.{signature}",  # a later date
        f"{login}.{issued}.{flipped}",
        f"{login}.{issued}.{signature[:-1]}",
        f"{login}.{issued}.", "alice", "a.b.c", "...", "%00", "x" * 3000,
    ):
        reply = cookie_get(server, "/private/whoami", token)
        assert is_login_screen(reply, WRONG) or is_login_screen(reply, NO_COOKIE), token
        assert "alice" not in reply.text and "bob" not in reply.text


def test_cherrypy_0x_md5_cookies_are_refused(server) -> None:
    date = time.strftime("%Y%m%d%H%M%S")
    digest = hashlib.md5(f"alice{date}wonderland".encode()).hexdigest()
    reply = server.get("/private/whoami", headers={
        "Cookie": f"CherryLogin=alice; CherryDate={date}; CherryPassword={digest}"})
    assert is_login_screen(reply, WRONG)


def test_cookie_of_a_server_with_another_site_key_is_refused(server, tmp_path) -> None:
    with site_server(tmp_path, SITE, server={"siteKey": "another-key-" + "x" * 32}) as other:
        stranger = Browser(other)
        assert stranger.log_in("/private", "alice", "wonderland").status == 302
        token = stranger.cookies[COOKIE]
        assert json.loads(cookie_get(other, "/private/whoami", token).text)[0] == "alice"
    assert is_login_screen(cookie_get(server, "/private/whoami", token), WRONG)


def test_changing_the_password_ends_the_cookie(server) -> None:
    browser = Browser(server)
    server.get("/setPassword?login=dave&password=old")
    assert browser.log_in("/private", "dave", "old").status == 302
    assert json.loads(browser.get("/private/whoami").text)[0] == "dave"
    server.get("/setPassword?login=dave&password=new")
    assert is_login_screen(browser.get("/private/whoami"), WRONG)
    assert COOKIE not in browser.cookies  # the refused cookie is deleted


# ---- timeout, redirects, logout ---------------------------------------------------------------


def test_the_cookie_expires_after_timeout_minutes(server) -> None:
    browser = Browser(server)
    reply = browser.log_in("/quick", "alice", "wonderland")
    assert "Max-Age=1" in set_cookies(reply)[COOKIE]  # 0.6 s, rounded up
    token = browser.cookies[COOKIE]
    deadline = time.monotonic() + 30
    while True:  # the same cookie (not renewed) until it is too old
        reply = cookie_get(server, "/quick", token)
        if reply.text != "quick alice" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert is_login_screen(reply, EXPIRED)
    assert 'name="login" value="alice"' in reply.text


@pytest.mark.parametrize("target", [
    "//evil.example/", "http://evil.example/", "https://evil.example/x", "https:evil.example",
    "/\\evil.example", "\\\\evil.example", "javascript:alert(1)", "evil.example", "",
    " /private", "/private\r\nSet-Cookie: x=y", "/privé",
])
def test_login_never_redirects_off_the_site(server, target) -> None:
    reply = Browser(server).log_in("/private", "alice", "wonderland", fromPage=target or "?")
    assert reply.status == 302
    assert reply.header("Location") == "/private"


def test_logout_forgets_the_cookie(server, alice) -> None:
    reply = alice.get("/private/doLogout")
    assert reply.status == 302
    assert reply.header("Location") == "/private/logoutScreen"
    assert "Max-Age=0" in set_cookies(reply)[COOKIE]
    assert COOKIE not in alice.cookies
    assert is_login_screen(alice.get("/private/logoutScreen"), "You have been logged out.")
    assert is_login_screen(alice.get("/private"), NO_COOKIE)


# ---- per request, escaping, defaults --------------------------------------------------------


def test_two_users_at_the_same_time_each_see_their_own_login(server) -> None:
    browsers = {"alice": Browser(server), "bob": Browser(server)}
    browsers["alice"].log_in("/private", "alice", "wonderland")
    browsers["bob"].log_in("/private", "bob", "builder")
    seen = in_parallel(browsers, lambda name: json.loads(
        browsers[name].get("/private/together").text))
    assert seen == {name: [[name, name]] * 10 for name in browsers}


def test_the_login_screen_escapes_what_it_shows(server) -> None:
    reply = Browser(server).log_in("/private", '<b>"x"</b>', "?",
                                   fromPage='/"><script>alert(1)</script>')
    assert is_login_screen(reply, WRONG)
    assert "<script>" not in reply.text and "<b>" not in reply.text
    assert 'value="&lt;b&gt;&#34;x&#34;&lt;/b&gt;"' in reply.text
    assert "&lt;script&gt;" in reply.text
    reply = server.get("/private/loginScreen?message=" + quote("<i>hi</i>") + "&fromPage=/")
    assert "&lt;i&gt;hi&lt;/i&gt;" in reply.text


def test_the_default_password_list_is_the_demo_login_and_warns(server) -> None:
    browser = Browser(server)
    assert browser.log_in("/demo", "login", "password").status == 302
    assert browser.get("/demo").text == "demo login"
    assert is_login_screen(Browser(server).log_in("/demo", "alice", "wonderland"), WRONG)
    assert "warning: Demo accepts CookieAuthenticate's demo login" in server.log()
    assert "warning: Private" not in server.log()
