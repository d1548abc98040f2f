"""examples/xmlrpc over real HTTP: the XML-RPC service, its client and its web page.

The example is copied to a temporary folder, compiled with --autoescape and served
with its own siteServer.cfg on a free port. Checked: client.py, run as a subprocess
against the server, prints the expected results and faults, and reports an
unreachable server; through xmlrpc.client.ServerProxy the methods answer (dotted
names, other base URLs such as /RPC2 and /math) and refused calls arrive as
xmlrpc.client.Fault with the service's codes, unexpected errors as fault 1 without
detail; the documentation page lists every method; browsers cannot reach the methods.
"""

from __future__ import annotations

import subprocess
import sys
import xmlrpc.client

import pytest

from servers import example_config, example_server, free_port

CLIENT_OUTPUT = """\
add(2, 3) = 5
math.multiply(6, 7) = 42
math.divide(7, 2) = 3.5
math.stats([3, 1, 4, 1, 5]) = {'count': 5, 'sum': 14, 'mean': 2.8, 'min': 1, 'max': 5}
math.divide(1, 0) -> Fault 3: division by zero
add(1, 'one') -> Fault 2: expected a number, got str
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    with example_server("xmlrpc", tmp_path_factory.mktemp("xmlrpc") / "site") as server:
        yield server


def run_client(site, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "client.py", *args], cwd=site.folder,
                          capture_output=True, text=True, timeout=60)


def proxy(site, path: str = "/") -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(site.url + path)


# ---- client.py ---------------------------------------------------------------------------

def test_client_prints_results_and_faults(site) -> None:
    result = run_client(site, site.url + "/")
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == CLIENT_OUTPUT


def test_client_default_url_is_the_example_port(site) -> None:
    assert example_config("xmlrpc")["server"]["socketPort"] == "8016"
    result = run_client(site, "--help")
    assert result.returncode == 0
    assert "(default: http://127.0.0.1:8016/)" in result.stdout


def test_client_reports_an_unreachable_server(site) -> None:
    url = f"http://127.0.0.1:{free_port()}/"  # nothing listens there
    result = run_client(site, url)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith(f"client.py: cannot call add at {url}: ")


# ---- the service through xmlrpc.client ---------------------------------------------------

def test_methods_answer_with_xmlrpc_values(site) -> None:
    with proxy(site) as server:
        assert server.add(2, 3) == 5
        assert server.add(2.5, 0.25) == 2.75
        assert server.math.multiply(-4, 2.5) == -10.0
        assert server.math.divide(1, 4) == 0.25
        assert server.math.stats([2, 4.5]) == {"count": 2, "sum": 6.5, "mean": 3.25,
                                               "min": 2, "max": 4.5}


@pytest.mark.parametrize("path", ["/RPC2", "/math", "/math/"])
def test_other_base_urls(site, path) -> None:
    with proxy(site, path) as server:
        if path == "/RPC2":
            assert server.math.multiply(6, 7) == 42
        else:
            assert server.multiply(6, 7) == 42


@pytest.mark.parametrize("call, code, message", [
    (lambda server: server.math.divide(1, 0), 3, "division by zero"),
    (lambda server: server.math.divide(0.0, 0.0), 3, "division by zero"),
    (lambda server: server.add(1, "one"), 2, "expected a number, got str"),
    (lambda server: server.add(True, 1), 2, "expected a number, got bool"),
    (lambda server: server.math.stats([]), 2, "expected a non-empty array of numbers"),
    (lambda server: server.math.stats("123"), 2, "expected a non-empty array of numbers"),
    (lambda server: server.math.stats([1, [2]]), 2, "expected a number, got list"),
])
def test_refused_calls_are_faults_with_the_service_codes(site, call, code, message) -> None:
    with proxy(site) as server:
        with pytest.raises(xmlrpc.client.Fault) as caught:
            call(server)
    assert (caught.value.faultCode, caught.value.faultString) == (code, message)


@pytest.mark.parametrize("call, status", [
    (lambda server: server.add(1), "500 Internal Server Error"),           # wrong arguments
    (lambda server: server.math.multiply(2**20, 2**20), "500 Internal Server Error"),  # > 32 bits
    (lambda server: server.subtract(3, 1), "404 Not Found"),
    (lambda server: server.index(), "404 Not Found"),                      # a web page
    (lambda server: server.methods(), "404 Not Found"),                    # a function
])
def test_unexpected_errors_are_fault_1_without_detail(site, call, status) -> None:
    with proxy(site) as server:
        with pytest.raises(xmlrpc.client.Fault) as caught:
            call(server)
    assert (caught.value.faultCode, caught.value.faultString) == (1, status)
    assert site.get("/").status == 200


# ---- the web side ------------------------------------------------------------------------

def test_documentation_page_lists_every_method(site) -> None:
    reply = site.get("/")
    assert reply.status == 200
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    for signature, doc in [
        ("add(a, b)", "The sum of two numbers."),
        ("math.multiply(a, b)", "The product of two numbers."),
        ("math.divide(a, b)", "a divided by b, a double; dividing by zero is fault 3."),
        ("math.stats(numbers)", "Count, sum, mean, min and max of an array of numbers, as a struct."),
    ]:
        assert f"<dt><code>{signature}</code></dt>\n    <dd>{doc}</dd>" in reply.text
    assert f"<code>{site.url}/</code>" in reply.text
    assert f"ServerProxy(&#39;{site.url}/&#39;)" in reply.text


@pytest.mark.parametrize("path", ["/add?a=1&b=2", "/math/multiply?a=2&b=3", "/math", "/RPC2",
                                  "/methods", "/nothing"])
def test_methods_are_not_web_pages(site, path) -> None:
    reply = site.get(path)
    assert (reply.status, reply.text) == (404, "404 Not Found\n")
    assert reply.header("Content-Type") == "text/plain; charset=utf-8"
