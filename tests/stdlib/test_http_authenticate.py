"""HttpAuthenticate over real HTTP (spec §26, DESIGN.md §5).

Protected pages answer 401 with `WWW-Authenticate: Basic realm="<class name>"` (or the
`realm` variable) until the right login and password come in an Authorization header;
malformed headers are a 401, never a 500; passwords may hold ':' and non-ASCII
characters; request.login and self.login belong to each request.
"""

from __future__ import annotations

import base64
import json

import pytest

from servers import BUILDS, basic_auth, in_parallel, site_server

SITE = """\
use HttpAuthenticate

import json

PASSWORDS = {
    "alice": ["wonderland"],
    "bob": ["builder", "second password"],
    "carol": ["pass:word"],
    "zoë": ["mot de passe été"],
    "nopassword": [""],
}
TOGETHER = threading.Barrier(2, timeout=20)

CherryClass Root:
view:
    def index(self):
        return "public"

CherryClass Admin(HttpAuthenticate):
function:
    def getPasswordListForLogin(self, login):
        return PASSWORDS.get(login, [])
mask:
    def index(self):
        <h1>Admin</h1>
        <p id="who" py-eval="self.login">who</p>
    def internal(self) hidden:
        internal
view:
    def whoami(self):
        return json.dumps([request.login, self.login])
    def together(self):
        TOGETHER.wait()  # both users' requests are being served at the same time
        return json.dumps([request.login, self.login])

CherryClass Office(HttpAuthenticate):
variable:
    realm = 'Back "office"'
function:
    def getPasswordListForLogin(self, login):
        return PASSWORDS.get(login, [])
view:
    def index(self):
        return "office " + request.login

CherryClass Mistake(HttpAuthenticate):
function:
    def getPasswordListForLogin(self, login):
        return "secret"  # a string, not a list: must not accept "s", "e", ...
view:
    def index(self):
        return "mistake " + request.login

CherryClass Demo(HttpAuthenticate):
view:
    def index(self):
        return "demo " + request.login
"""


@pytest.fixture(scope="module", params=list(BUILDS))
def server(request, tmp_path_factory):
    """The site compiled with and without --autoescape, served on a free port."""
    with site_server(tmp_path_factory.mktemp("http_auth"), SITE, request.param,
                     server={"threadPool": 4}) as running:
        yield running


def assert_refused(reply, realm: str = "Admin") -> None:
    assert reply.status == 401, reply.text
    assert reply.header("WWW-Authenticate") == f'Basic realm="{realm}"'
    assert reply.header("Content-Type").startswith("text/html")
    assert "<h1>401 Unauthorized</h1>" in reply.text


def test_no_credentials_get_401_with_the_class_name_as_realm(server) -> None:
    for path in ("/admin", "/admin/index", "/admin/whoami"):
        assert_refused(server.get(path))


def test_the_realm_variable_names_the_realm(server) -> None:
    assert_refused(server.get("/office"), realm='Back \\"office\\"')
    assert server.get("/office", headers=basic_auth("alice", "wonderland")).text == "office alice"


def test_right_credentials_open_the_page(server) -> None:
    reply = server.get("/admin", headers=basic_auth("alice", "wonderland"))
    assert reply.status == 200
    assert '<p id="who">alice</p>' in reply.text
    whoami = server.get("/admin/whoami", headers=basic_auth("alice", "wonderland"))
    assert json.loads(whoami.text) == ["alice", "alice"]
    for password in ("builder", "second password"):
        assert server.get("/admin/whoami", headers=basic_auth("bob", password)).status == 200


@pytest.mark.parametrize("login, password", [
    ("alice", "Wonderland"), ("alice", ""), ("nobody", "wonderland"), ("", ""),
    ("bob", "wonderland"), ("nopassword", ""), ("alice", "wonderland:"),
])
def test_wrong_credentials_get_401(server, login, password) -> None:
    assert_refused(server.get("/admin/whoami", headers=basic_auth(login, password)))


def test_public_pages_and_hidden_methods_are_untouched(server) -> None:
    assert server.get("/").text == "public"
    assert server.get("/admin/internal").status == 404
    assert server.get("/admin/unauthorizedScreen").status == 404


@pytest.mark.parametrize("header", [
    "Basic", "Basic ", "Basic !!!!", "Basic " + base64.b64encode(b"no colon").decode(),
    "Basic " + base64.b64encode(b"alice:wonderland").decode()[:-2], "Bearer abc",
    "Digest username=\"alice\"", "wonderland", "Basic =", "Basic YWxp Y2U6d29uZGVybGFuZA==",
    "Basic " + base64.b64encode(b"\xff\xfe:\x00\x01").decode(), "Basic " + "A" * 6000,
])
def test_malformed_authorization_headers_get_401_never_500(server, header) -> None:
    assert_refused(server.get("/admin/whoami", headers={"Authorization": header}))


def test_non_latin1_bytes_in_the_header_get_401(server) -> None:
    answer = server.raw(b"GET /admin/whoami HTTP/1.0\r\nHost: x\r\n"
                        b"Authorization: Basic \xc3\xa9\xe2\x82\xac\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 401 ") or answer.startswith(b"HTTP/1.0 401 "), answer[:80]


def test_the_scheme_is_case_insensitive(server) -> None:
    token = base64.b64encode(b"alice:wonderland").decode()
    reply = server.get("/admin/whoami", headers={"Authorization": f"basic  {token} "})
    assert json.loads(reply.text) == ["alice", "alice"]


def test_a_password_with_colons(server) -> None:
    reply = server.get("/admin/whoami", headers=basic_auth("carol", "pass:word"))
    assert json.loads(reply.text) == ["carol", "carol"]
    assert_refused(server.get("/admin/whoami", headers=basic_auth("carol", "pass")))


def test_utf8_credentials_and_latin1_from_older_clients(server) -> None:
    for encoding in ("utf-8", "latin-1"):
        reply = server.get("/admin/whoami", headers=basic_auth("zoë", "mot de passe été", encoding))
        assert reply.status == 200, encoding
        assert json.loads(reply.text) == ["zoë", "zoë"]
    assert_refused(server.get("/admin/whoami", headers=basic_auth("zoë", "mot de passe ete")))


def test_a_password_list_that_is_a_string_is_an_error_not_a_login(server) -> None:
    for password in ("s", "secret"):
        reply = server.get("/mistake", headers=basic_auth("x", password))
        assert reply.status == 500
        assert "mistake" not in reply.text
    assert "getPasswordListForLogin must return a list of passwords" in server.log()


def test_two_users_at_the_same_time_each_see_their_own_login(server) -> None:
    credentials = {"alice": basic_auth("alice", "wonderland"), "bob": basic_auth("bob", "builder")}
    seen = in_parallel(credentials, lambda name: json.loads(
        server.get("/admin/together", headers=credentials[name]).text))
    assert seen == {name: [[name, name]] * 10 for name in credentials}


def test_the_default_password_list_is_the_demo_login_and_warns(server) -> None:
    assert server.get("/demo", headers=basic_auth("login", "password")).text == "demo login"
    assert_refused(server.get("/demo", headers=basic_auth("alice", "wonderland")), realm="Demo")
    assert "warning: Demo accepts HttpAuthenticate's demo login" in server.log()
    assert "warning: Admin" not in server.log()
