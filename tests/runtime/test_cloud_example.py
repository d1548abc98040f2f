"""examples/cloud: every example of the LeanEngine guide it shows, over HTTP.

The example is copied into a temporary folder (the repository is never written to),
compiled with --autoescape, and served by `python siteServer.py` with the example's own
[leanengine] keys. Covered: `averageStars` (a renamed function), custom error codes,
the Review beforeSave (reject an empty comment, cut a long one) and beforeUpdate
(`_updatedKeys`) hooks with the hook key, the `_messageReceived` and `_receiversOffline`
IM hooks, the functions of the two plain-module engines merged with `engine.register`,
`_ops/metadatas`, and the mask page.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from servers import ServerProcess, compile_site

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloud"
SERVER_ENV = {name: "" for name in ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY",
                                    "LEANCLOUD_APP_MASTER_KEY", "LEANCLOUD_APP_HOOK_KEY")}


def example_keys() -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(EXAMPLE / "siteServer.cfg", encoding="utf-8")
    return dict(parser["leanengine"])


KEYS = example_keys()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cloud") / "cloud"
    shutil.copytree(EXAMPLE, folder,
                    ignore=shutil.ignore_patterns("*Server.py", "__pycache__", "*.dbg"))
    compile_site(folder, (folder / "site.cpy").read_text(encoding="utf-8"),
                 options=("--autoescape",))
    return folder


def lean_section() -> str:
    return "[leanengine]\n" + "".join(f"{key} = {value}\n" for key, value in KEYS.items())


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(site, extra=lean_section(), env=SERVER_ENV)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def call(server: ServerProcess, path: str, body: Any = None, *, hook: bool = False,
         master: bool = False, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """POST /1.1/functions/<path> with the example's keys; (status, decoded JSON)."""
    sent = {"X-LC-Id": KEYS["appid"], "Content-Type": "application/json",
            "X-LC-Key": f"{KEYS['masterkey']},master" if master else KEYS["appkey"]}
    if hook:
        sent["X-LC-Hook-Key"] = KEYS["hookkey"]
    sent.update(headers or {})
    data = json.dumps({} if body is None else body, ensure_ascii=False).encode("utf-8")
    reply = server.request("POST", f"/1.1/functions/{path}", headers=sent, body=data)
    assert reply.header("Content-Type") == "application/json; charset=utf-8"
    return reply.status, json.loads(reply.body)


def test_the_example_config_has_keys() -> None:
    assert set(KEYS) == {"appid", "appkey", "masterkey", "hookkey"}
    assert all(KEYS.values())


# ---- cloud functions -------------------------------------------------------------------------

def test_hello(server: ServerProcess) -> None:
    assert call(server, "hello") == (200, {"result": "Hello, LeanCloud!"})
    assert call(server, "hello", {"name": "you"}) == (200, {"result": "Hello, you!"})


def test_average_stars(server: ServerProcess) -> None:
    assert call(server, "averageStars", {"stars": [4, 5, 3]}) == (200, {"result": 4.0})
    assert call(server, "averageStars", {"stars": [1, 2]}) == (200, {"result": 1.5})
    assert call(server, "averageStars", {"stars": [5]}) == (200, {"result": 5.0})
    # the Python name is not a cloud function: define('averageStars') renamed it
    status, body = call(server, "average_stars", {"stars": [5]})
    assert (status, body["code"]) == (404, 404)


@pytest.mark.parametrize(("stars", "code"), [
    ([], 4002), ("4,5", 4002), (None, 4002), ([0], 4001), ([6], 4001), (["5"], 4001),
    ([True], 4001), ([4, 4.5], 4001),
])
def test_average_stars_rejects_bad_ratings(server: ServerProcess, stars: Any, code: int) -> None:
    status, body = call(server, "averageStars", {"stars": stars})
    assert (status, body["code"]) == (400, code)
    assert isinstance(body["error"], str) and body["error"]


def test_average_stars_needs_its_parameter(server: ServerProcess) -> None:
    status, body = call(server, "averageStars", {})
    assert (status, body["code"]) == (400, 1)  # does not fit the signature (DESIGN §4)
    assert "stars" in body["error"]


def test_custom_error_codes(server: ServerProcess) -> None:
    assert call(server, "customErrorCode") == (400, {"code": 123, "error": "custom error message"})
    assert call(server, "customErrorStatus") == (
        403, {"code": 5, "error": "only moderators may do this"})


# ---- Review hooks ----------------------------------------------------------------------------

def test_hooks_need_the_hook_key(server: ServerProcess) -> None:
    for path in ("Review/beforeSave", "Review/beforeUpdate"):
        assert call(server, path, {"object": {"comment": "fine"}}) == (
            401, {"code": 401, "error": "Unauthorized."})


@pytest.mark.parametrize("review", [{"stars": 5}, {"stars": 5, "comment": ""},
                                    {"stars": 5, "comment": None}])
def test_before_save_rejects_an_empty_comment(server: ServerProcess, review: dict) -> None:
    assert call(server, "Review/beforeSave", {"object": review}, hook=True) == (
        400, {"code": 400, "error": "No comment provided!"})


def test_before_save_cuts_a_long_comment(server: ServerProcess) -> None:
    long = "".join(str(i % 10) for i in range(141))
    status, saved = call(server, "Review/beforeSave",
                         {"object": {"stars": 4, "comment": long, "movie": "Up"}}, hook=True)
    assert status == 200
    assert saved == {"stars": 4, "comment": long[:137] + "...", "movie": "Up"}
    assert len(saved["comment"]) == 140
    # no {"result": ...} wrapper: the storage saves this body as the object (spec §5.1)


def test_before_save_keeps_a_comment_up_to_140_characters(server: ServerProcess) -> None:
    for comment in ("great", "x" * 140, "好" * 140):
        status, saved = call(server, "Review/beforeSave", {"object": {"comment": comment}},
                             hook=True)
        assert (status, saved) == (200, {"comment": comment})
    status, saved = call(server, "Review/beforeSave", {"object": {"comment": "好" * 141}},
                         hook=True)
    assert (status, saved["comment"]) == (200, "好" * 137 + "...")


def test_before_update_refuses_a_long_comment(server: ServerProcess) -> None:
    stored = {"objectId": "5f1a2b3c4d5e6f7a8b9c0d1e", "createdAt": "2024-01-02T03:04:05.000Z",
              "updatedAt": "2024-01-02T03:04:05.000Z", "stars": 3}
    long = {**stored, "comment": "y" * 141}
    status, body = call(server, "Review/beforeUpdate",
                        {"object": {**long, "_updatedKeys": ["comment"]}}, hook=True)
    assert (status, body) == (400, {"code": 400,
                                    "error": "comment must not be longer than 140 characters"})
    # the same long comment, but this update changes only `stars`: accepted
    status, body = call(server, "Review/beforeUpdate",
                        {"object": {**long, "_updatedKeys": ["stars"]}}, hook=True)
    assert status == 200
    assert body["_updatedKeys"] == ["stars"] and body["comment"] == "y" * 141
    # a short comment is fine, and so is a comment being unset
    for comment in ("short", "z" * 140, None):
        status, body = call(server, "Review/beforeUpdate",
                            {"object": {**stored, "comment": comment, "_updatedKeys": ["comment"]}},
                            hook=True)
        assert status == 200, body
        assert body["objectId"] == stored["objectId"]


def test_hooks_of_other_classes_are_not_found(server: ServerProcess) -> None:
    status, body = call(server, "Movie/beforeSave", {"object": {"title": "Up"}}, hook=True)
    assert (status, body["code"]) == (404, 404)
    status, body = call(server, "Review/afterSave", {"object": {"comment": "x"}}, hook=True)
    assert (status, body["code"]) == (404, 404)


# ---- IM hooks (chat_engine.py) ---------------------------------------------------------------

MESSAGE = {"fromPeer": "alice", "convId": "5f1a2b", "toPeers": ["bob"], "transient": False,
           "bin": False, "receipt": False, "timestamp": 1704164645000, "system": None,
           "sourceIP": "203.0.113.7", "__sign": "1704164645000,0123456789abcdef0123456789abcdef01234567"}


def test_message_received_replaces_the_banned_word(server: ServerProcess) -> None:
    status, body = call(server, "_messageReceived",
                        {**MESSAGE, "content": "call XX中介 now, XX中介!"}, hook=True)
    assert (status, body) == (200, {"result": {"content": "call ** now, **!"}})


def test_message_received_in_a_typed_message(server: ServerProcess) -> None:
    content = json.dumps({"_lctype": -1, "_lctext": "ask XX中介", "_lcattrs": {"a": 1}},
                         ensure_ascii=False)
    status, body = call(server, "_messageReceived", {**MESSAGE, "content": content}, hook=True)
    assert status == 200
    assert json.loads(body["result"]["content"]) == {"_lctype": -1, "_lctext": "ask **",
                                                     "_lcattrs": {"a": 1}}


def test_message_received_keeps_a_clean_message(server: ServerProcess) -> None:
    for content in ("hello bob", json.dumps({"_lctype": -1, "_lctext": "hi"}), "{not json"):
        assert call(server, "_messageReceived", {**MESSAGE, "content": content}, hook=True) == (
            200, {"result": {}})


def test_receivers_offline_returns_a_push_payload(server: ServerProcess) -> None:
    status, body = call(server, "_receiversOffline",
                        {**MESSAGE, "content": "Are you coming tonight?"}, hook=True)
    assert status == 200
    push = json.loads(body["result"]["pushMessage"])
    assert push == {"badge": "Increment", "sound": "default", "_profile": "dev",
                    "alert": "Are yo..."}
    status, body = call(server, "_receiversOffline", {**MESSAGE, "content": "hi"}, hook=True)
    assert json.loads(body["result"]["pushMessage"])["alert"] == "hi"


def test_im_hooks_need_the_hook_key(server: ServerProcess) -> None:
    for name in ("_messageReceived", "_receiversOffline"):
        assert call(server, name, {**MESSAGE, "content": "XX中介"}) == (
            401, {"code": 401, "error": "Unauthorized."})
        status, _ = call(server, name, {**MESSAGE, "content": "x"}, master=True)
        assert status == 401  # the master key is not the hook key


# ---- the merged engines (reviews_engine.py) ------------------------------------------------

def test_merged_review_functions(server: ServerProcess) -> None:
    assert call(server, "reviewRules") == (
        200, {"result": {"maxCommentLength": 140, "stars": [1, 2, 3, 4, 5]}})
    assert call(server, "checkStars", {"stars": 4}) == (200, {"result": {"stars": 4, "ok": True}})
    status, body = call(server, "checkStars", {"stars": 7})
    assert (status, body) == (400, {"code": 4001,
                                    "error": "stars must be one of 1, 2, 3, 4, 5, not 7"})


def test_metadatas_lists_every_engine(server: ServerProcess) -> None:
    status, body = call(server, "_ops/metadatas", master=True)
    assert status == 200
    assert body["result"] == [
        # reviews_engine.py and chat_engine.py, registered first
        "reviewRules", "checkStars", "whoAmI", "_messageReceived", "_receiversOffline",
        # site.cpy
        "hello", "averageStars", "customErrorCode", "customErrorStatus",
        "__before_save_for_Review", "__before_update_for_Review",
    ]
    assert call(server, "_ops/metadatas")[0] == 401  # needs the master key


def test_a_merged_engine_sees_the_caller(server: ServerProcess) -> None:
    """`engine.current` in a plain module's engine is the caller of the running function.

    In the official SDK every Engine shares one `current` (leancloud/engine/__init__.py:
    `self.current = current`, a module-level werkzeug Local), so cloud code in a
    registered engine reads the caller through its own module's `engine`.
    """
    assert call(server, "whoAmI") == (200, {"result": {"user": None,
                                                       "remoteAddress": "127.0.0.1"}})
    # X-Real-IP is believed from 127.0.0.1 (a trusted proxy by default)
    assert call(server, "whoAmI", headers={"X-Real-IP": "203.0.113.9"}) == (
        200, {"result": {"user": None, "remoteAddress": "203.0.113.9"}})


def test_plain_modules_import_without_the_site(site: Path) -> None:
    """The plain modules are ordinary Python: importable and testable on their own."""
    modules = {}
    for name in ("reviews_engine", "chat_engine"):
        spec = importlib.util.spec_from_file_location(f"_cloud_example_{name}", site / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules[name] = module
    reviews, chat = modules["reviews_engine"], modules["chat_engine"]
    assert reviews.shorten("a" * 141) == "a" * 137 + "..."
    assert reviews.engine.functions["checkStars"](stars=2) == {"stars": 2, "ok": True}
    assert chat.engine.functions["_messageReceived"](content="XX中介") == {"content": "**"}


# ---- the mask page ---------------------------------------------------------------------------

def test_the_mask_page(server: ServerProcess) -> None:
    reply = server.get("/")
    assert reply.status == 200
    assert reply.header("Content-Type").startswith("text/html")
    page = reply.text
    for name in ("averageStars", "checkStars", "customErrorCode", "customErrorStatus", "hello",
                 "reviewRules", "whoAmI"):
        assert f"<li>{name}</li>" in page
    for name in ("__before_save_for_Review", "__before_update_for_Review", "_messageReceived",
                 "_receiversOffline"):
        assert f"<li>{name}</li>" in page
    assert '<input name="stars" value="4,5,3">' in page
    assert "Average of 4,5,3: <b>4.0</b>" in page
    assert "<code>POST /1.1/functions/&lt;name&gt;</code>" in page


def test_the_mask_page_computes_an_average(server: ServerProcess) -> None:
    assert "Average of 1,2: <b>1.5</b>" in server.get("/?stars=1,2").text
    page = server.get("/index?stars=9").text
    assert "<b>no average (a rating must be one of 1, 2, 3, 4, 5, not 9)</b>" in page


def test_the_mask_page_escapes_what_it_shows(server: ServerProcess) -> None:
    page = server.get("/?stars=%3Cscript%3E%22").text
    assert "<script>" not in page
    assert '<input name="stars" value="&lt;script&gt;&#34;">' in page
    assert "Average of &lt;script&gt;&#34;: <b>no average (invalid literal" in page


# ---- where the plain modules are found -------------------------------------------------------

def test_started_from_another_folder(site: Path, tmp_path: Path) -> None:
    """`python /path/to/siteServer.py` finds the modules next to it (sys.path[0])."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    process = ServerProcess(elsewhere, module=str(site / "siteServer.py"), extra=lean_section(),
                            env=SERVER_ENV)
    with process:
        assert call(process, "reviewRules")[0] == 200
        assert call(process, "_receiversOffline", {"content": "x"}, hook=True)[0] == 200
