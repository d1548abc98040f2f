"""Page cache, XML-RPC and streamed responses over real HTTP (spec §19, §20, §25, DESIGN §3).

- Cache: `request.cacheKey` / `request.cacheExpire` set in initRequest or
  initNonStaticRequest serve the second request from the cache without calling the view;
  after expiry the view runs again; `[cache] flushCacheDelay` is accepted.
- XML-RPC (`typeOfRequests = xmlRpc,web`) through `xmlrpc.client.ServerProxy`.
- Streaming: a view returning a generator sends its pieces, also many megabytes.
"""

from __future__ import annotations

import time
import xmlrpc.client
from pathlib import Path

import pytest

from servers import ThreadServer, compile_site


# ---- page cache ---------------------------------------------------------------------------

CACHE_SITE = """\
CALLS = {"cached": 0, "early": 0, "plain": 0, "initResponse": 0, "initNonStaticResponse": 0}
LIFETIME = {"seconds": 60.0}


def initRequest():
    if request.path == "early":
        request.cacheKey = "early:" + request.browserUrl
        request.cacheExpire = time.time() + LIFETIME["seconds"]

def initNonStaticRequest():
    if request.path == "cached":
        request.cacheKey = request.browserUrl
        request.cacheExpire = time.time() + LIFETIME["seconds"]

def initResponse():
    CALLS["initResponse"] += 1

def initNonStaticResponse():
    CALLS["initNonStaticResponse"] += 1

CherryClass Root:
view:
    def cached(self, x="-"):
        CALLS["cached"] += 1
        response.headerMap["x-view"] = "cached"
        response.headerMap["content-type"] = "text/plain; charset=utf-8"
        return "cached %s call %d" % (x, CALLS["cached"])
    def early(self):
        CALLS["early"] += 1
        return "early call %d" % CALLS["early"]
    def plain(self):
        CALLS["plain"] += 1
        return "plain call %d" % CALLS["plain"]
"""


@pytest.fixture(scope="module")
def cache_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cache_site")
    compile_site(folder, CACHE_SITE)
    return folder


@pytest.fixture(scope="module")
def cache_server(cache_site):
    with ThreadServer(cache_site, extra="[cache]\nflushCacheDelay = 0.005\n") as server:
        yield server


def test_second_request_comes_from_the_cache(cache_server) -> None:
    calls = cache_server.module.CALLS
    before = calls["cached"]
    first = cache_server.get("/cached?x=one")
    second = cache_server.get("/cached?x=one")
    assert first.status == second.status == 200
    assert first.text == f"cached one call {before + 1}"
    assert second.text == first.text
    assert calls["cached"] == before + 1
    # the cached page keeps the headers the view set
    assert second.header("X-View") == "cached"
    assert second.header("Content-Type") == "text/plain; charset=utf-8"
    assert second.header("Content-Length") == str(len(first.body))


def test_cache_key_set_in_init_request_works_too(cache_server) -> None:
    calls = cache_server.module.CALLS
    before = calls["early"]
    texts = [cache_server.get("/early").text for _ in range(3)]
    assert texts == [f"early call {before + 1}"] * 3
    assert calls["early"] == before + 1


def test_other_keys_are_cached_apart(cache_server) -> None:
    calls = cache_server.module.CALLS
    a = cache_server.get("/cached?x=a").text
    b = cache_server.get("/cached?x=b").text
    assert a.startswith("cached a call ") and b.startswith("cached b call ")
    assert cache_server.get("/cached?x=a").text == a
    assert cache_server.get("/cached?x=b").text == b
    count = calls["cached"]
    assert cache_server.get("/cached?x=c").text == f"cached c call {count + 1}"


def test_pages_without_a_key_are_not_cached(cache_server) -> None:
    first = cache_server.get("/plain").text
    second = cache_server.get("/plain").text
    assert first != second


def test_cache_hit_runs_init_response_but_not_the_non_static_one(cache_server) -> None:
    calls = cache_server.module.CALLS
    cache_server.get("/cached?x=hooks")
    before = dict(calls)
    cache_server.get("/cached?x=hooks")
    assert calls["cached"] == before["cached"]
    assert calls["initResponse"] == before["initResponse"] + 1
    assert calls["initNonStaticResponse"] == before["initNonStaticResponse"]


def test_view_runs_again_after_expiry(cache_server) -> None:
    module = cache_server.module
    module.LIFETIME["seconds"] = 0.2
    try:
        first = cache_server.get("/cached?x=expiring").text
        count = module.CALLS["cached"]
        time.sleep(0.4)  # past the expiry, and past flushCacheDelay (0.3 s)
        again = cache_server.get("/cached?x=expiring").text
        assert module.CALLS["cached"] == count + 1
        assert again != first
        assert again == f"cached expiring call {count + 1}"
    finally:
        module.LIFETIME["seconds"] = 60.0


def test_cached_page_does_not_hand_out_another_visitor_session(cache_site) -> None:
    with ThreadServer(cache_site, extra="[session]\nstorageType = ram\n") as server:
        first = server.get("/cached?x=session")
        second = server.get("/cached?x=session")  # a new visitor, from the cache
        assert second.text == first.text
        first_ids = [c for c in first.headers.get_all("Set-Cookie") or []
                     if c.startswith("CherryPySession=")]
        second_ids = [c for c in second.headers.get_all("Set-Cookie") or []
                      if c.startswith("CherryPySession=")]
        assert len(first_ids) == len(second_ids) == 1
        assert first_ids != second_ids


# ---- XML-RPC ------------------------------------------------------------------------------

XMLRPC_SITE = """\
CherryClass Root:
view:
    def index(self):
        return "home page"
    def page(self, name="web"):
        return "page for " + name
    def add(self, a, b) xmlrpc:
        return a + b
    def fail(self) xmlrpc:
        raise ValueError("secret detail of the failure")
    def nothing(self) xmlrpc:
        return None
    def structure(self, n) xmlrpc:
        return {"n": n, "list": [n, n * 2], "text": "é"}

CherryClass Xml_rpc xmlrpc:
view:
    def reverse(self, text):
        return text[::-1]
"""


@pytest.fixture(scope="module")
def xmlrpc_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("xmlrpc_site")
    compile_site(folder, XMLRPC_SITE)
    return folder


@pytest.fixture(scope="module")
def rpc_server(xmlrpc_site):
    with ThreadServer(xmlrpc_site, server={"typeOfRequests": "xmlRpc,web"}) as server:
        yield server


def proxy(server, path: str = "") -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(server.url + path)


def test_add_on_root_returns_an_int(rpc_server) -> None:
    with proxy(rpc_server) as remote:
        result = remote.add(2, 3)
    assert result == 5
    assert type(result) is int


def test_dotted_name_reaches_the_instance(rpc_server) -> None:
    with proxy(rpc_server) as remote:
        assert remote.xml.rpc.reverse("abc") == "cba"


def test_server_url_path_is_prefixed(rpc_server) -> None:
    with proxy(rpc_server, "/xml") as remote:
        assert remote.rpc.reverse("hello") == "olleh"
    with proxy(rpc_server, "/xml/rpc") as remote:
        assert remote.reverse("xy") == "yx"


def test_rpc2_base_is_the_root(rpc_server) -> None:
    with proxy(rpc_server, "/RPC2") as remote:
        assert remote.add(40, 2) == 42
        assert remote.xml.rpc.reverse("ab") == "ba"
    with proxy(rpc_server, "/") as remote:
        assert remote.add("a", "b") == "ab"


def test_other_marshallable_results(rpc_server) -> None:
    with proxy(rpc_server) as remote:
        assert remote.structure(3) == {"n": 3, "list": [3, 6], "text": "é"}
    with xmlrpc.client.ServerProxy(rpc_server.url, allow_none=True) as remote:
        assert remote.nothing() is None


def test_method_that_raises_is_a_fault(rpc_server) -> None:
    with proxy(rpc_server) as remote:
        with pytest.raises(xmlrpc.client.Fault) as caught:
            remote.fail()
    assert "secret detail" not in caught.value.faultString  # not a -D build
    assert "Traceback" not in caught.value.faultString


@pytest.mark.parametrize("call", [
    lambda remote: remote.page(),          # a web view, not xmlrpc
    lambda remote: remote.index(),
    lambda remote: remote.missing(),
    lambda remote: remote.add(1),          # wrong arguments
    lambda remote: remote.xml.rpc.missing("x"),
])
def test_non_xmlrpc_or_unknown_method_is_a_fault(rpc_server, call) -> None:
    with proxy(rpc_server) as remote:
        with pytest.raises(xmlrpc.client.Fault):
            call(remote)


@pytest.mark.parametrize("path", [
    "/add?a=1&b=2", "/fail", "/nothing", "/xml/rpc/reverse?text=abc", "/xml/rpc",
    "/RPC2",
])
def test_xmlrpc_methods_are_not_reachable_by_a_browser(rpc_server, path) -> None:
    assert rpc_server.get(path).status == 404


def test_ordinary_pages_still_work(rpc_server) -> None:
    assert rpc_server.get("/").text == "home page"
    assert rpc_server.get("/page?name=you").text == "page for you"
    reply = rpc_server.request("POST", "/page", body="name=form",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (reply.status, reply.text) == (200, "page for form")


def test_xml_post_that_is_not_xmlrpc_is_an_ordinary_post(rpc_server) -> None:
    reply = rpc_server.request("POST", "/", body="<not-a-call/>",
                               headers={"Content-Type": "text/xml"})
    assert (reply.status, reply.text) == (200, "home page")


def test_xmlrpc_is_off_without_xmlrpc_in_type_of_requests(xmlrpc_site) -> None:
    with ThreadServer(xmlrpc_site) as server:
        with proxy(server) as remote:
            with pytest.raises(xmlrpc.client.ProtocolError) as caught:
                remote.add(2, 3)
        assert caught.value.errcode == 404
        with proxy(server, "/") as remote:
            with pytest.raises(Exception) as caught_root:  # the home page is no XML-RPC answer
                remote.add(2, 3)
            assert not isinstance(caught_root.value, xmlrpc.client.Fault)
        assert server.get("/").text == "home page"
        assert server.get("/add?a=1&b=2").status == 404


# ---- streaming ----------------------------------------------------------------------------

STREAM_SITE = """\
CHUNK = 64 * 1024


def pieces():
    yield "first,"
    yield b"second,"
    yield "third \\u00e9"


def big(count):
    for index in range(count):
        yield bytes([65 + index % 26]) * CHUNK

CherryClass Root:
view:
    def stream(self):
        return pieces()
    def big(self, count="96"):
        response.headerMap["content-type"] = "application/octet-stream"
        return big(int(count))
    def listed(self):
        return ["a", b"b", "c"]
"""


@pytest.fixture(scope="module")
def stream_server(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("stream_site")
    compile_site(folder, STREAM_SITE)
    with ThreadServer(folder) as server:
        yield server


def test_generator_pieces_are_sent(stream_server) -> None:
    reply = stream_server.get("/stream")
    assert reply.status == 200
    assert reply.body == "first,second,third é".encode()


def test_list_of_pieces_is_sent(stream_server) -> None:
    assert stream_server.get("/listed").body == b"abc"


def test_large_stream_comes_back_complete(stream_server) -> None:
    reply = stream_server.get("/big?count=96", timeout=30)  # 6 MB
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/octet-stream"
    expected = b"".join(bytes([65 + index % 26]) * 65536 for index in range(96))
    assert len(reply.body) == len(expected)
    assert reply.body == expected


def test_streamed_head_sends_no_body(stream_server) -> None:
    answer = stream_server.raw(b"HEAD /big HTTP/1.0\r\nHost: x\r\n\r\n")
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200")
    assert rest == b""
