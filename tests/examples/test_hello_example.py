"""examples/hello, compiled with --autoescape as its README says, answers its pages."""

from __future__ import annotations

import re
from pathlib import Path

from servers import example_server


def test_hello_greets_escapes_and_tells_the_time(tmp_path: Path) -> None:
    with example_server("hello", tmp_path / "hello") as server:
        home = server.get("/")
        assert home.status == 200
        assert "<h1>Hello, world!</h1>" in home.text
        assert "<title>Hello from cherryc</title>" in home.text

        hostile = server.get("/?name=%3Cscript%3Ealert(1)%3C/script%3E")
        assert "<h1>Hello, &lt;script&gt;alert(1)&lt;/script&gt;!</h1>" in hostile.text
        assert "<script>" not in hostile.text

        clock = server.get("/time")
        assert clock.status == 200
        assert clock.header("content-type") == "text/plain; charset=utf-8"
        assert re.fullmatch(r"\d\d:\d\d:\d\d\n", clock.text)
