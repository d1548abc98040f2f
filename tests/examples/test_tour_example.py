"""examples/tour: each special function visibly at work, over HTTP.

The example is compiled with --autoescape in a temporary copy and served with its own
siteServer.cfg on a free port. Checked: URL rewriting in initNonStaticRequest (/article/2,
the /about alias, unknown articles as 404 pages, escaped), the request counter of
initServer/initRequest and the thread index of initThread on /stats, the header of
initResponse, the timing footer of initNonStaticResponse on HTML pages only, the
friendly pages of onError with status 500 and 404 kept and a log line, and the
replaced logMessage marking the server's lines.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest

from servers import Reply, ServerProcess, example_server

FOOTER = re.compile(r"<footer><small>Request (\d+), served by thread (\d+) in [\d.]+ ms\."
                    r"</small></footer>\n</body>")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with example_server("tour", tmp_path_factory.mktemp("tour")) as process:
        yield process


def title(reply: Reply) -> str:
    found = re.search(r"<title>(.*?)</title>", reply.text)
    assert found, reply.text
    return found.group(1)


def test_index_links_every_stop(server: ServerProcess) -> None:
    home = server.get("/")
    assert home.status == 200
    assert title(home) == "Special functions tour"
    for link in ("/article/1", "/article/2", "/article/3", "/about", "/stats", "/plain",
                 "/broken", "/nowhere"):
        assert f'href="{link}"' in home.text


@pytest.mark.parametrize("path, expected", [
    ("/article/2", "Friendly URLs"),
    ("/article/3", "Footers"),
    ("/about", "Welcome"),
    ("/article?id=1", "Welcome"),  # the URL the rewriting produces works as well
])
def test_urls_are_rewritten(server: ServerProcess, path: str, expected: str) -> None:
    reply = server.get(path)
    assert reply.status == 200
    assert title(reply) == expected
    assert f"<h1>{expected}</h1>" in reply.text


def test_unknown_article_is_a_404_page_with_the_id_escaped(server: ServerProcess) -> None:
    missing = server.get("/article/42")
    assert missing.status == 404
    assert "<p>There is no article 42.</p>" in missing.text
    hostile = server.get("/article?id=%3Cscript%3Ealert(1)%3C/script%3E")
    assert hostile.status == 404
    assert "There is no article &lt;script&gt;alert(1)&lt;/script&gt;." in hostile.text
    assert "<script>" not in hostile.text


def stats(server: ServerProcess) -> tuple[int, int, int, Reply]:
    reply = server.get("/stats")
    assert reply.status == 200
    numbers = {name: int(re.search(rf'id="{name}">(\d+)<', reply.text).group(1))  # type: ignore[union-attr]
               for name in ("requests", "number", "thread")}
    return numbers["requests"], numbers["number"], numbers["thread"], reply


def test_stats_show_what_initserver_initthread_and_initrequest_keep(server: ServerProcess) -> None:
    requests, number, thread, reply = stats(server)
    assert requests >= number >= 1
    assert thread in (0, 1)  # threadPool = 2 in the example's siteServer.cfg
    assert reply.header("X-Request-Number") == str(number)
    server.get("/")
    later_requests, later_number, _, _ = stats(server)
    assert later_number >= number + 2  # the page in between was counted too
    assert later_requests >= later_number


def test_footer_on_html_pages_only(server: ServerProcess) -> None:
    page = server.get("/article/1")
    footer = FOOTER.search(page.text)
    assert footer, page.text
    assert page.header("X-Request-Number") == footer.group(1)
    assert page.text.count("<footer>") == 1
    plain = server.get("/plain")
    assert plain.header("Content-Type") == "text/plain; charset=utf-8"
    assert plain.text == "Plain text: initNonStaticResponse leaves it alone.\n"
    assert plain.header("X-Request-Number")  # initResponse runs for every response


def test_on_error_gives_a_friendly_500_and_logs(server: ServerProcess) -> None:
    reply = server.get("/broken")
    assert reply.status == 500
    assert "<h1>Sorry!</h1>" in reply.text
    assert "Something went wrong on our side" in reply.text
    assert "RuntimeError" not in reply.text and "Traceback" not in reply.text
    log = server.log()
    assert "RuntimeError: this view fails on purpose" in log  # the server's traceback
    assert "[tour] tour: onError answered 500 Internal Server Error for '/broken'" in log


def test_on_error_gives_a_friendly_404(server: ServerProcess) -> None:
    reply = server.get("/nowhere")
    assert reply.status == 404
    assert "<p>There is no page at this address.</p>" in reply.text
    assert "[tour] tour: onError answered 404 Not Found for '/nowhere'" in server.log()


def test_log_message_marks_every_line(server: ServerProcess) -> None:
    server.get("/")
    lines = [line for line in server.log().splitlines() if line.startswith("[")]
    assert "[tour] tour: initServer ran; the server starts listening next" in lines
    assert any(line.startswith("[tour] [") and '"GET / HTTP/1.1" 200' in line for line in lines)
    assert all(line.startswith("[tour] ") for line in lines)
