"""URL mapping, parameters, and the request/response members, over real HTTP.

Spec §14 (URL -> method, parameters), §15 (request and response members) and DESIGN.md §3
(404 for unmapped URLs, str/bytes/iterable bodies, uploads as bytes).
"""

from __future__ import annotations

import json
import socket
import xmlrpc.client

import pytest

from servers import ThreadServer, compile_site

SITE = """\
import json

def describe(value):
    if isinstance(value, list):
        return [describe(item) for item in value]
    if isinstance(value, bytes):
        return ["bytes", value.decode("latin-1")]
    if value is None:
        return None
    return [type(value).__name__, value]

def initServer():
    global STREAM_RELEASE
    STREAM_RELEASE = threading.Event()

def onError():
    response.headerMap["x-on-error"] = str(response.headerMap["status"])
    response.headerMap["content-type"] = "text/plain; charset=utf-8"
    response.body = "onError ran: " + str(response.headerMap["status"])

CherryClass Root:
function:
    def helper(self):
        return "root.helper"
view:
    def index(self):
        return "root.index"
    def params(self, a, b="default"):
        return json.dumps({"a": describe(a), "b": describe(b)})
    def kw(self, **kw):
        return json.dumps({name: describe(value) for name, value in kw.items()})
    def upload(self, **kw):
        return json.dumps({"params": {k: describe(v) for k, v in kw.items()},
                           "filenameMap": request.filenameMap,
                           "fileTypeMap": request.fileTypeMap})
    def members(self, **kw):
        return json.dumps({
            "method": request.method,
            "path": request.path,
            "paramMap": request.paramMap,
            "headerMap": request.headerMap,
            "cookies": {name: morsel.value for name, morsel in request.simpleCookie.items()},
            "base": request.base,
            "browserUrl": request.browserUrl,
            "originalPath": request.originalPath,
            "originalParamMap": request.originalParamMap,
        })
    def fixed(self):
        response.headerMap["x-method"] = request.method
        return "fixed body"
    def private(self) hidden:
        return "root.private"
    def usesHidden(self):
        return self.private() + " " + secret.page() + " " + self.helper()
    def double(self, x) xmlrpc:
        return x * 2
    def redirect(self):
        response.headerMap["status"] = 302
        response.headerMap["location"] = "/target"
        return ""
    def gone(self):
        response.headerMap["status"] = "404 Not Found"
        return "the view says not found"
    def custom(self):
        response.headerMap["status"] = "299 Custom"
        return "custom status"
    def multi(self):
        response.headerMap["x-multi"] = ["first", "second"]
        return "multi"
    def plain(self):
        response.headerMap["content-type"] = "text/plain; charset=utf-8"
        return "plain <text>"
    def unicode(self):
        return "h\\u00e9llo \\u2603"
    def binary(self):
        response.headerMap["content-type"] = "application/octet-stream"
        return b"\\x00\\xff\\x10binary"
    def cookies(self):
        response.simpleCookie["flavour"] = "chocolate"
        response.simpleCookie["flavour"]["path"] = "/"
        response.simpleCookie["size"] = "large"
        return "cookies set"
    def pieces(self):
        def generate():
            yield "one,"
            yield b"two,"
            yield "three"
        return generate()
    def slowStream(self):
        def generate():
            yield "A" * 65536
            released = STREAM_RELEASE.wait(20)
            yield "|released" if released else "|not released"
        return generate()
    def release(self):
        STREAM_RELEASE.set()
        return "released"
    def leave(self):
        request.leftover = "from an earlier request"
        response.headerMap["x-leftover"] = "yes"
        return "left"
    def check(self):
        return json.dumps({"hasLeftover": hasattr(request, "leftover"),
                           "responseHeader": "x-leftover" in response.headerMap})

CherryClass Dir:
view:
    def page(self, **kw):
        return root.members(**kw)

CherryClass A_b:
view:
    def c(self):
        return "a_b.c"

CherryClass Dir1:
view:
    def index(self):
        return "dir1.index"
    def dir2(self):
        return "dir1.dir2"

CherryClass Dir1_dir2:
view:
    def index(self):
        return "dir1_dir2.index"
    def page(self):
        return "dir1_dir2.page"

CherryClass Dir3:
view:
    def index(self):
        return "dir3.index"

CherryClass Dir3_dir4:
view:
    def index(self):
        return "dir3_dir4.index"

CherryClass MyClass:
view:
    def index(self):
        return "myClass.index"

CherryClass Base abstract:
view:
    def hello(self):
        return "hello from " + type(self).__name__
    def quiet(self) hidden:
        return "base.quiet"
mask:
    def greet(self):
        Greetings from <py-eval="type(self).__name__">

CherryClass Child(Base):
view:
    def own(self):
        return "child.own " + self.quiet()

CherryClass Level2(Root):
view:
    def index(self):
        return "level2.index"

CherryClass Secret hidden:
view:
    def index(self):
        return "secret.index"
    def page(self):
        return "secret.page"

CherryClass SecretChild(Secret):
view:
    def own(self):
        return "secretChild.own"

CherryClass Api xmlrpc:
view:
    def ping(self):
        return "pong"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mapping")
    compile_site(folder, SITE)
    return folder


@pytest.fixture(scope="module")
def server(site):
    with ThreadServer(site, server={"threadPool": 4, "typeOfRequests": "web,xmlRpc"}) as running:
        yield running


def _text(server, path, **kwargs):
    reply = server.get(path, **kwargs)
    assert reply.status == 200, (path, reply.status, reply.body)
    return reply.text


def _not_found(server, path):
    reply = server.get(path)
    assert reply.status == 404, (path, reply.status, reply.body)
    assert reply.header("x-on-error") == "404 Not Found"
    return reply


def _multipart(parts, boundary="----cherrycBoundary7MA4YWxk"):
    """A multipart/form-data body: parts are (name, value) or (name, filename, type, bytes)."""
    chunks = []
    for part in parts:
        chunks.append(f"--{boundary}\r\n".encode())
        if len(part) == 2:
            name, value = part
            chunks.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode())
            chunks.append(value.encode("utf-8"))
        else:
            name, filename, kind, content = part
            chunks.append(f'Content-Disposition: form-data; name="{name}"; '
                          f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode())
            chunks.append(content)
        chunks.append(b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


# ---- URL -> instance.method (spec §14) -----------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/index", "/root", "/root/index", "/index/", "/root/"])
def test_root_index(server, path) -> None:
    assert _text(server, path) == "root.index"


def test_three_segments_map_to_instance_of_joined_name(server) -> None:
    assert _text(server, "/a/b/c") == "a_b.c"
    assert _text(server, "/a_b/c") == "a_b.c"


def test_dir1_dir2_prefers_the_method_of_dir1(server) -> None:
    assert _text(server, "/dir1/dir2") == "dir1.dir2"
    assert _text(server, "/dir1") == "dir1.index"
    assert _text(server, "/dir1_dir2") == "dir1_dir2.index"


def test_dir3_dir4_falls_back_to_index_of_joined_instance(server) -> None:
    assert _text(server, "/dir3/dir4") == "dir3_dir4.index"
    assert _text(server, "/dir3/dir4/") == "dir3_dir4.index"
    assert _text(server, "/dir3/dir4/index") == "dir3_dir4.index"


def test_deeper_paths_and_underscore_spelling_reach_the_same_method(server) -> None:
    assert _text(server, "/dir1/dir2/page") == "dir1_dir2.page"
    assert _text(server, "/dir1_dir2/page") == "dir1_dir2.page"


def test_instance_name_keeps_inner_capitals(server) -> None:
    assert _text(server, "/myClass/index") == "myClass.index"
    assert _text(server, "/myClass") == "myClass.index"


def test_child_of_abstract_class_inherits_its_url_names(server) -> None:
    assert _text(server, "/child/hello") == "hello from Child"
    assert _text(server, "/child/greet").strip() == "Greetings from Child"
    assert _text(server, "/child/own") == "child.own base.quiet"
    _not_found(server, "/child/quiet")  # a hidden method of the parent stays hidden


def test_child_of_root_inherits_and_overrides(server) -> None:
    assert _text(server, "/level2") == "level2.index"
    assert _text(server, "/level2/index") == "level2.index"
    assert _text(server, "/level2/fixed") == "fixed body"


@pytest.mark.parametrize("path", ["/base/hello", "/base/greet", "/base", "/base/index"])
def test_abstract_class_is_not_reachable(server, path) -> None:
    _not_found(server, path)


@pytest.mark.parametrize("path", ["/secret", "/secret/index", "/secret/page",
                                  "/secretChild/index", "/secretChild/page"])
def test_hidden_class_and_its_inherited_names_are_not_reachable(server, path) -> None:
    _not_found(server, path)


def test_child_of_hidden_class_keeps_its_own_names(server) -> None:
    assert _text(server, "/secretChild/own") == "secretChild.own"


def test_hidden_methods_and_functions_are_not_reachable_but_callable(server) -> None:
    _not_found(server, "/private")
    _not_found(server, "/root/private")
    _not_found(server, "/helper")
    _not_found(server, "/root/helper")
    assert _text(server, "/usesHidden") == "root.private secret.page root.helper"


@pytest.mark.parametrize("path", ["/double?x=2", "/root/double?x=2", "/api/ping", "/api"])
def test_xmlrpc_methods_are_not_reachable_from_a_browser(server, path) -> None:
    _not_found(server, path)


def test_xmlrpc_methods_answer_xmlrpc_calls(server) -> None:
    with xmlrpc.client.ServerProxy(server.url + "/") as proxy:
        assert proxy.double(21) == 42
        assert proxy.api.ping() == "pong"


@pytest.mark.parametrize("path", ["/nope", "/a/b/nope", "/dir1/dir2/nope", "/root/index/more"])
def test_unmapped_url_is_404_after_onerror(server, path) -> None:
    reply = _not_found(server, path)
    assert reply.text == "onError ran: 404 Not Found"


# ---- parameters ------------------------------------------------------------------------------


def test_query_string_parameters(server) -> None:
    assert json.loads(_text(server, "/params?a=1&b=two+words%21")) == {
        "a": ["str", "1"], "b": ["str", "two words!"]}
    assert json.loads(_text(server, "/params?a=x")) == {"a": ["str", "x"], "b": ["str", "default"]}


def test_repeated_query_keys_give_a_list(server) -> None:
    assert json.loads(_text(server, "/kw?x=1&x=2&x=3&y=&z=%C3%A9")) == {
        "x": [["str", "1"], ["str", "2"], ["str", "3"]], "y": ["str", ""], "z": ["str", "é"]}


def test_html_escaped_ampersand_in_query_separates_parameters(server) -> None:
    assert json.loads(_text(server, "/kw?a=1&amp;b=2")) == {"a": ["str", "1"], "b": ["str", "2"]}


def test_urlencoded_post_parameters(server) -> None:
    reply = server.request("POST", "/kw?q=query", body="a=1&b=hello+world&a=2&c=%26",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 200, reply.body
    assert json.loads(reply.text) == {
        "q": ["str", "query"], "a": [["str", "1"], ["str", "2"]],
        "b": ["str", "hello world"], "c": ["str", "&"]}


def test_multipart_post_fields_and_uploads(server) -> None:
    body, content_type = _multipart([
        ("title", "h\u00e9llo"),
        ("tag", "one"),
        ("tag", "two"),
        ("upload", "data.bin", "application/octet-stream", b"\x00\x01\xffpayload"),
        ("many", "x.txt", "text/plain", b"first file"),
        ("many", "y.txt", "text/plain", b"second file"),
    ])
    reply = server.request("POST", "/upload", body=body, headers={"Content-Type": content_type})
    assert reply.status == 200, reply.body
    result = json.loads(reply.text)
    assert result["params"] == {
        "title": ["str", "h\u00e9llo"],
        "tag": [["str", "one"], ["str", "two"]],
        "upload": ["bytes", "\x00\x01\xffpayload"],
        "many": [["bytes", "first file"], ["bytes", "second file"]],
    }
    assert result["filenameMap"] == {"title": None, "tag": [None, None], "upload": "data.bin",
                                     "many": ["x.txt", "y.txt"]}
    assert result["fileTypeMap"] == {"title": None, "tag": [None, None],
                                     "upload": "application/octet-stream",
                                     "many": ["text/plain", "text/plain"]}


def test_missing_required_argument_is_500_after_onerror(server) -> None:
    reply = server.get("/params?b=2")
    assert reply.status == 500
    assert reply.header("x-on-error") == "500 Internal Server Error"
    assert reply.text == "onError ran: 500 Internal Server Error"


def test_unexpected_extra_parameter_is_500_after_onerror(server) -> None:
    reply = server.get("/params?a=1&unexpected=2")
    assert reply.status == 500
    assert reply.header("x-on-error") == "500 Internal Server Error"
    reply = server.get("/index?anything=1")
    assert reply.status == 500
    assert reply.header("x-on-error") == "500 Internal Server Error"


def test_kw_accepts_anything(server) -> None:
    assert json.loads(_text(server, "/kw?anything=1&else=2")) == {
        "anything": ["str", "1"], "else": ["str", "2"]}
    assert json.loads(_text(server, "/kw")) == {}


# ---- request members (spec §15) --------------------------------------------------------------


def test_request_members_of_the_manual_example(server) -> None:
    result = json.loads(_text(server, "/dir/page?key1=value1&key2=value2"))
    assert result["method"] == "GET"
    assert result["base"] == server.url
    assert result["path"] == "dir/page"
    assert result["paramMap"] == {"key1": "value1", "key2": "value2"}
    assert result["browserUrl"] == server.url + "/dir/page?key1=value1&key2=value2"
    assert result["originalPath"] == "dir/page"
    assert result["originalParamMap"] == {"key1": "value1", "key2": "value2"}


def test_request_path_drops_leading_and_trailing_slash(server) -> None:
    assert json.loads(_text(server, "/dir/page/"))["path"] == "dir/page"
    assert json.loads(_text(server, "/members"))["path"] == "members"


def test_request_header_map_has_lower_case_keys_and_remote_addr(server) -> None:
    result = json.loads(_text(server, "/members", headers={"X-Custom-Thing": "Some Value",
                                                           "Accept-Language": "fr"}))
    headers = result["headerMap"]
    assert headers["x-custom-thing"] == "Some Value"
    assert headers["accept-language"] == "fr"
    assert headers["host"] == f"127.0.0.1:{server.port}"
    assert headers["remote-addr"] == "127.0.0.1"
    assert all(key == key.lower() for key in headers)


def test_request_simple_cookie(server) -> None:
    result = json.loads(_text(server, "/members", headers={"Cookie": "a=1; flavour=mint"}))
    assert result["cookies"] == {"a": "1", "flavour": "mint"}
    assert json.loads(_text(server, "/members"))["cookies"] == {}


def test_post_method_and_body_parameters(server) -> None:
    reply = server.request("POST", "/members?from=query", body="from_body=yes",
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    result = json.loads(reply.text)
    assert result["method"] == "POST"
    assert result["paramMap"] == {"from": "query", "from_body": "yes"}
    assert result["browserUrl"] == server.url + "/members?from=query"


def test_head_has_the_get_headers_and_no_body(server) -> None:
    got = server.get("/fixed")
    head = server.request("HEAD", "/fixed")
    assert (got.status, head.status) == (200, 200)
    assert got.body == b"fixed body"
    assert head.body == b""
    assert head.header("content-length") == got.header("content-length") == "10"
    assert head.header("content-type") == got.header("content-type")
    assert (got.header("x-method"), head.header("x-method")) == ("GET", "HEAD")


# ---- response members (spec §15, DESIGN §3) ----------------------------------------------------


def test_redirect_with_int_status_and_location(server) -> None:
    reply = server.get("/redirect")
    assert reply.status == 302
    assert reply.header("location") == "/target"
    assert reply.header("x-on-error") is None


def test_status_string_set_by_a_view_is_sent_without_onerror(server) -> None:
    reply = server.get("/gone")
    assert (reply.status, reply.reason) == (404, "Not Found")
    assert reply.text == "the view says not found"
    assert reply.header("x-on-error") is None


def test_custom_status_and_reason(server) -> None:
    reply = server.get("/custom")
    assert (reply.status, reply.reason, reply.text) == (299, "Custom", "custom status")


def test_list_header_values_are_repeated_headers(server) -> None:
    reply = server.get("/multi")
    assert reply.headers.get_all("x-multi") == ["first", "second"]


def test_default_and_explicit_content_type(server) -> None:
    assert server.get("/index").header("content-type") == "text/html; charset=utf-8"
    reply = server.get("/plain")
    assert reply.header("content-type") == "text/plain; charset=utf-8"
    assert reply.text == "plain <text>"


def test_str_body_is_sent_as_utf8(server) -> None:
    reply = server.get("/unicode")
    assert reply.body == "h\u00e9llo \u2603".encode("utf-8")
    assert reply.header("content-length") == str(len(reply.body))


def test_bytes_body_is_sent_as_is(server) -> None:
    reply = server.get("/binary")
    assert reply.body == b"\x00\xff\x10binary"
    assert reply.header("content-type") == "application/octet-stream"
    assert reply.header("content-length") == "9"


def test_response_simple_cookie_gives_set_cookie_headers(server) -> None:
    cookies = sorted(server.get("/cookies").headers.get_all("set-cookie"))
    assert len(cookies) == 2
    assert cookies[0].startswith("flavour=chocolate")
    assert "Path=/" in cookies[0]
    assert cookies[1].startswith("size=large")


def test_generator_body_pieces_are_all_sent(server) -> None:
    reply = server.get("/pieces")
    assert (reply.status, reply.text) == (200, "one,two,three")


def test_generator_body_is_streamed_before_it_ends(server) -> None:
    """The first piece reaches the client while the generator still waits."""
    with socket.create_connection((server.host, server.port), timeout=30) as sock:
        sock.sendall(b"GET /slowStream HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        received = b""
        while received.count(b"A") < 65536:
            chunk = sock.recv(65536)
            assert chunk, received[:300]
            received += chunk
        # the generator is now waiting; release it from another request
        assert _text(server, "/release") == "released"
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    assert received.startswith(b"HTTP/1.0 200 ")  # protocolVersion defaults to HTTP/1.0
    assert b"|released" in received
    assert b"not released" not in received


def test_request_and_response_attributes_do_not_leak_between_requests(site) -> None:
    isolated = site / "single-thread"
    isolated.mkdir()
    (isolated / "siteServer.py").write_bytes((site / "siteServer.py").read_bytes())
    with ThreadServer(isolated, server={"threadPool": 1}) as single:
        for _ in range(3):
            reply = single.get("/leave")
            assert reply.header("x-leftover") == "yes"
            assert json.loads(_text(single, "/check")) == {"hasLeftover": False,
                                                           "responseHeader": False}
