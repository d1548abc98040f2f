"""Unit tests of runtime.forms.header_parameters: quoted parameters of multipart headers."""

from __future__ import annotations

import pytest

from cherryc.runtime.forms import header_parameters


@pytest.mark.parametrize("header, expected", [
    ('form-data; name="upload"; filename="a.txt"', {"name": "upload", "filename": "a.txt"}),
    # Browsers send a Windows path's backslashes as they are; only \\ and \" are escapes.
    (r'form-data; name="f"; filename="C:\Users\me\a.txt"', {"name": "f", "filename": r"C:\Users\me\a.txt"}),
    (r'form-data; name="f"; filename="say \"hi\".txt"', {"name": "f", "filename": 'say "hi".txt'}),
    (r'form-data; name="f"; filename="back\\slash"', {"name": "f", "filename": "back\\slash"}),
    ("form-data; name=plain", {"name": "plain"}),
])
def test_quoted_parameters(header: str, expected: dict[str, str]) -> None:
    kind, parameters = header_parameters(header)
    assert kind == "form-data"
    assert parameters == expected
