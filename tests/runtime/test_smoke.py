"""A generated server answers over HTTP, in a process and in a thread."""

from __future__ import annotations

from servers import ServerProcess, ThreadServer, compile_site

HELLO = """\
CherryClass Root:
mask:
    def index(self, name="world"):
        Hello, <py-eval="name">!
"""


def test_process_server_answers(tmp_path) -> None:
    compile_site(tmp_path, HELLO)
    with ServerProcess(tmp_path) as server:
        reply = server.get("/?name=%3Cb%3E")
        assert (reply.status, reply.text) == (200, "Hello, &lt;b&gt;!\n")
        assert server.get("/nothing").status == 404
    assert "Serving HTTP on 127.0.0.1:" in server.log()


def test_thread_server_answers(tmp_path) -> None:
    compile_site(tmp_path, HELLO)
    with ThreadServer(tmp_path) as server:
        assert server.get("/index?name=you").text == "Hello, you!\n"
