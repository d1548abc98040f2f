"""CookieSessionAuthenticate over real HTTP (spec §26, DESIGN.md §5), with ram, cookie and
file sessions.

Protected pages show the login screen (200) until doLogin stores
`request.sessionMap[id] = (login, expiry)` under a random CherrySessionId cookie
(HttpOnly, SameSite=Lax, Secure under HTTPS); unknown, foreign and expired ids are
refused; checkLoginAndPassword's message is shown escaped; logout ends the login for
good; doLogin only redirects to paths on the site; request.login and self.login belong
to each request; without sessions the server refuses to start with a clear message.
"""

from __future__ import annotations

import json
import secrets
import ssl
import subprocess
import sys
import time

import pytest

from servers import (Browser, compile_site, free_port, in_parallel, is_login_screen,
                     self_signed_certificate, set_cookies, site_server, write_config)

SITE = """\
use CookieSessionAuthenticate

import json

PASSWORDS = {
    "alice": "wonderland",
    "bob": "builder",
    "carol": "pass:word",
    "zoë": "mot de passe été",
}
TOGETHER = threading.Barrier(2, timeout=20)

CherryClass Root:
view:
    def index(self):
        return "public"
    def peek(self):
        response.headerMap["content-type"] = "application/json"
        return json.dumps(request.sessionMap)

CherryClass Members(CookieSessionAuthenticate):
function:
    def checkLoginAndPassword(self, login, password):
        if login == "eve" and password == "ok":
            return ""  # '' means right, as None does
        if PASSWORDS.get(login) == password:
            return None
        return "No member %s with this password." % login
mask:
    def index(self):
        <h1>Members</h1>
        <p id="who" py-eval="request.login">who</p>
    def internal(self) hidden:
        internal
view:
    def whoami(self):
        return json.dumps([request.login, self.login])
    def together(self):
        TOGETHER.wait()  # both users' requests are being served at the same time
        return json.dumps([request.login, self.login])

CherryClass Quick(CookieSessionAuthenticate):
variable:
    timeout = 0.001
function:
    def checkLoginAndPassword(self, login, password):
        return None if PASSWORDS.get(login) == password else "wrong"
view:
    def index(self):
        return "quick " + request.login

CherryClass Demo(CookieSessionAuthenticate):
view:
    def index(self):
        return "demo " + request.login
"""

COOKIE = "CherrySessionId"
NO_COOKIE = "Please log in."
EXPIRED = "Your login has expired: please log in again."


def peek(browser: Browser) -> dict:
    """The browser's session, as the site's /peek shows it."""
    return json.loads(browser.get("/peek").text)


SESSIONS = {"ram": "storageType = ram\n", "cookie": "storageType = cookie\n",
            "file": "storageType = file\nstorageFileDir = sessions\n"}


@pytest.fixture(scope="module", params=[("--autoescape", "ram"), ("plain", "cookie"),
                                        ("--autoescape", "file")], ids=lambda p: "-".join(p))
def server(request, tmp_path_factory):
    """The site with and without --autoescape, with ram, cookie and file sessions."""
    build, storage = request.param
    with site_server(tmp_path_factory.mktemp("cookie_session_auth"), SITE, build,
                     server={"threadPool": 4, "siteKey": "k" * 40},
                     extra="[session]\n" + SESSIONS[storage]) as running:
        yield running


@pytest.fixture
def alice(server) -> Browser:
    browser = Browser(server)
    assert browser.log_in("/members", "alice", "wonderland").status == 302
    return browser


# ---- refusing and accepting ----------------------------------------------------------------


def test_protected_pages_show_the_login_screen_without_a_login(server) -> None:
    for path in ("/members", "/members/whoami"):
        reply = Browser(server).get(path)
        assert is_login_screen(reply, NO_COOKIE), reply.text
        assert 'action="/members/doLogin"' in reply.text
        assert f'name="fromPage" value="{path}"' in reply.text
    assert server.get("/").text == "public"
    assert server.get("/members/internal").status == 404


def test_login_stores_the_login_in_the_session_under_a_random_id(server) -> None:
    browser = Browser(server)
    before = time.time()
    reply = browser.log_in("/members", "alice", "wonderland", fromPage="/members/whoami")
    assert reply.status == 302
    assert reply.header("Location") == "/members/whoami"
    value, *attributes = set_cookies(reply)[COOKIE]
    assert {"HttpOnly", "SameSite=Lax", "Path=/"} <= set(attributes)
    assert not any(a.startswith(("Secure", "Max-Age", "expires")) for a in attributes)
    assert len(value) >= 40 and value != browser.cookies.get("CherryPySession")
    login, expires = peek(browser)[value]
    assert login == "alice"
    assert before + 3600 - 5 <= expires <= time.time() + 3600
    assert json.loads(browser.get("/members/whoami").text) == ["alice", "alice"]
    assert '<p id="who">alice</p>' in browser.get("/members").text


def test_each_request_pushes_the_expiry_back(server, alice) -> None:
    session_id = alice.cookies[COOKIE]
    first = peek(alice)[session_id][1]
    while time.time() <= first - 3600:  # let the clock pass the first login time
        time.sleep(0.005)
    alice.get("/members/whoami")
    assert peek(alice)[session_id][1] > first


def test_wrong_passwords_show_the_message_of_checkLoginAndPassword(server) -> None:
    browser = Browser(server)
    reply = browser.log_in("/members", "alice", "Wonderland", fromPage="/members/whoami")
    assert is_login_screen(reply, "No member alice with this password.")
    assert 'name="login" value="alice"' in reply.text
    assert 'name="fromPage" value="/members/whoami"' in reply.text
    assert "Wonderland" not in reply.text
    assert COOKIE not in browser.cookies
    reply = browser.log_in("/members", "<b>x</b>", "?")
    assert "No member &lt;b&gt;x&lt;/b&gt; with this password." in reply.text
    assert "<b>" not in reply.text


def test_an_empty_string_from_checkLoginAndPassword_means_right(server) -> None:
    browser = Browser(server)
    assert browser.log_in("/members", "eve", "ok").status == 302
    assert json.loads(browser.get("/members/whoami").text) == ["eve", "eve"]


def test_a_password_with_a_colon_and_utf8_credentials(server) -> None:
    for login, password in (("carol", "pass:word"), ("zoë", "mot de passe été")):
        browser = Browser(server)
        assert browser.log_in("/members", login, password).status == 302
        assert json.loads(browser.get("/members/whoami").text) == [login, login]


def test_login_by_get_is_refused(server) -> None:
    browser = Browser(server)
    reply = browser.get("/members/doLogin?login=alice&password=wonderland&fromPage=/members")
    assert is_login_screen(reply, NO_COOKIE)
    assert COOKIE not in browser.cookies


# ---- forged and stolen ids ---------------------------------------------------------------------


def test_unknown_and_malformed_ids_are_refused(server, alice) -> None:
    for forged in (secrets.token_urlsafe(32), "_sessionId", "count", "x" * 43, "", "%00",
                   alice.cookies[COOKIE][:-1]):
        browser = Browser(server)
        browser.cookies = {**alice.cookies, COOKIE: forged}
        reply = browser.get("/members/whoami")
        assert is_login_screen(reply, EXPIRED) or is_login_screen(reply, NO_COOKIE), forged
        assert "alice" not in reply.text
    assert json.loads(alice.get("/members/whoami").text)[0] == "alice"


def test_a_login_id_is_worth_nothing_in_another_session(server, alice) -> None:
    thief = Browser(server)
    thief.get("/peek")  # a session of its own
    thief.cookies[COOKIE] = alice.cookies[COOKIE]
    assert is_login_screen(thief.get("/members/whoami"), EXPIRED)


# ---- timeout, redirects, logout ---------------------------------------------------------------


def test_the_login_expires_after_timeout_minutes(server) -> None:
    browser = Browser(server)
    assert browser.log_in("/quick", "alice", "wonderland").status == 302
    deadline = time.monotonic() + 30
    while True:  # each valid request pushes the expiry back 60 ms: ask less often
        time.sleep(0.1)
        reply = browser.get("/quick")
        if reply.text != "quick alice" or time.monotonic() > deadline:
            break
    assert is_login_screen(reply, EXPIRED)
    assert 'name="login" value="alice"' in reply.text
    assert COOKIE not in browser.cookies
    assert not any(isinstance(entry, list) for entry in peek(browser).values())


@pytest.mark.parametrize("target", [
    "//evil.example/", "http://evil.example/", "https:evil.example", "/\\evil.example",
    "javascript:alert(1)", "evil.example", "?",
])
def test_login_never_redirects_off_the_site(server, target) -> None:
    reply = Browser(server).log_in("/members", "alice", "wonderland", fromPage=target)
    assert reply.status == 302
    assert reply.header("Location") == "/members"


def test_logout_ends_the_login_for_good(server, alice) -> None:
    session_id = alice.cookies[COOKIE]
    reply = alice.get("/members/doLogout")
    assert reply.status == 302
    assert reply.header("Location") == "/members/logoutScreen"
    assert "Max-Age=0" in set_cookies(reply)[COOKIE]
    assert session_id not in peek(alice)
    assert is_login_screen(alice.get("/members/logoutScreen"), "You have been logged out.")
    assert is_login_screen(alice.get("/members"), NO_COOKIE)
    alice.cookies[COOKIE] = session_id  # the old id, replayed
    assert is_login_screen(alice.get("/members/whoami"), EXPIRED)


def test_logging_in_again_replaces_the_previous_login(server, alice) -> None:
    first = alice.cookies[COOKIE]
    assert alice.log_in("/members", "bob", "builder").status == 302
    assert alice.cookies[COOKIE] != first
    assert first not in peek(alice)
    assert json.loads(alice.get("/members/whoami").text) == ["bob", "bob"]


# ---- per request, defaults, configuration ------------------------------------------------------


def test_two_users_at_the_same_time_each_see_their_own_login(server) -> None:
    browsers = {"alice": Browser(server), "bob": Browser(server)}
    browsers["alice"].log_in("/members", "alice", "wonderland")
    browsers["bob"].log_in("/members", "bob", "builder")
    seen = in_parallel(browsers, lambda name: json.loads(
        browsers[name].get("/members/together").text))
    assert seen == {name: [[name, name]] * 10 for name in browsers}


def test_the_default_check_is_the_demo_login_and_warns(server) -> None:
    browser = Browser(server)
    assert browser.log_in("/demo", "login", "password").status == 302
    assert browser.get("/demo").text == "demo login"
    assert is_login_screen(Browser(server).log_in("/demo", "alice", "wonderland"),
                           "Wrong login or password.")
    assert "warning: Demo accepts CookieSessionAuthenticate's demo login" in server.log()
    assert "warning: Members" not in server.log()


def test_without_sessions_the_server_does_not_start(tmp_path) -> None:
    compile_site(tmp_path, SITE)
    write_config(tmp_path / "test.cfg", {"socketHost": "127.0.0.1", "socketPort": free_port()})
    result = subprocess.run([sys.executable, "siteServer.py", "-C", "test.cfg"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert ("CherryClass Members derives from CookieSessionAuthenticate, which keeps logins "
            "in sessions: set [session] storageType") in result.stderr
    assert "Traceback" not in result.stderr


# ---- HTTPS -------------------------------------------------------------------------------------


def test_the_login_cookie_is_secure_under_https(tmp_path) -> None:
    key, cert = self_signed_certificate(tmp_path)
    server = site_server(tmp_path, SITE, server={"sslKeyFile": key, "sslCertificateFile": cert},
                         extra="[session]\nstorageType = ram\n")
    server.scheme = "https"
    server.ssl_context = ssl.create_default_context(cafile=cert)
    with server:
        browser = Browser(server)
        reply = browser.log_in("/members", "alice", "wonderland")
        assert reply.status == 302
        assert "Secure" in set_cookies(reply)[COOKIE]
        assert json.loads(browser.get("/members/whoami").text) == ["alice", "alice"]
