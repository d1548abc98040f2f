"""The object store inside a site's life cycle: `initServer` can already save objects; a
user logged in by a page's cloud code is not the current user of the next page; a hook
run for a logged-in REST caller sees that user and the caller's address."""

from __future__ import annotations

import json
from pathlib import Path

from restapi import Api, storage_server, storage_url  # noqa: F401  (a fixture)

SITE = """\
from cherryc.runtime import leancloud

def initServer():
    leancloud.Object.extend("Setting").create("Setting", name="greeting", value="hello").save()

SEEN = []

@engine.before_save("Note")
def note_before_save(note):
    user = engine.current.user
    SEEN.append([user.get("username") if user is not None else None,
                 engine.current.meta.get("remote_address")])

CherryClass Root:
view:
    def seen(self):
        response.headerMap["content-type"] = "application/json"
        return json.dumps(SEEN)
    def greeting(self):
        found = leancloud.Query("Setting").equal_to("name", "greeting").first()
        return found.get("value")
    def logIn(self, username, password):
        leancloud.User().login(username, password)
        return self.whoami()
    def whoami(self):
        user = engine.current.user
        response.headerMap["content-type"] = "application/json"
        return json.dumps(user.get("username") if user is not None else None)
"""


def test_init_server_saves_and_page_logins_do_not_leak(tmp_path: Path, storage_url: str) -> None:  # noqa: F811
    server = storage_server(tmp_path / "site", "import json\n" + SITE, storage_url,
                            server={"threadPool": 1})
    with server:
        assert server.get("/greeting").text == "hello"
        Api(server).sign_up("ann", "pw-ann-1")
        assert json.loads(server.get("/logIn?username=ann&password=pw-ann-1").text) == "ann"
        # The same (only) thread serves the next page: nobody is logged in there.
        assert json.loads(server.get("/whoami").text) is None


def test_hooks_of_a_logged_in_caller_see_its_user_and_address(tmp_path: Path, storage_url: str) -> None:  # noqa: F811
    with storage_server(tmp_path / "site", "import json\n" + SITE, storage_url) as server:
        api = Api(server)
        token = api.sign_up("bea", "pw-bea-1")["sessionToken"]
        assert api.post("classes/Note", {"text": "hi"}, session=token).status == 201
        assert api.post("classes/Note", {"text": "anonymous"}).status == 201
        assert json.loads(server.get("/seen").text) == [["bea", "127.0.0.1"], [None, "127.0.0.1"]]
