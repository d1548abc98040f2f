"""examples/files over real HTTP: upload, list, download, and what keeps it safe.

The example is copied to a temporary folder, compiled with --autoescape and served
with its own siteServer.cfg on a free port. Checked: binary and non-ASCII uploads come
back byte for byte with the right Content-Type and Content-Disposition (RFC 5987 for
non-ASCII names); several files in one form; a name uploaded twice is not
overwritten; path-traversal, hidden and odd client names are stored inside the
folder under safe names; names in pages are escaped; unknown, hidden, symlinked and
traversing download names are 404; a form without a file is 400; a body over
maxRequestBodySize is 413; HEAD of a download sends the headers only.
"""

from __future__ import annotations

import os
import re
import socket
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from servers import Reply, example_server

BOUNDARY = "cherryc-test-boundary"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    with example_server("files", tmp_path_factory.mktemp("files") / "site") as server:
        yield server


@pytest.fixture(scope="module")
def uploads(site) -> Path:
    return site.folder / "uploads"


def multipart(parts: list[tuple[str, str | None, bytes, str]]) -> bytes:
    """A form body from (field, client file name or None, content, content type).

    File names are UTF-8 in a quoted string, backslashes escaped as `\\` (RFC 7578);
    the tests use no '"' (browsers send it as %22, which servers do not decode).
    """
    body = b""
    for field, filename, content, kind in parts:
        disposition = f'form-data; name="{field}"'
        if filename is not None:
            assert '"' not in filename
            disposition += '; filename="%s"' % filename.replace("\\", "\\\\")
        body += (f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n"
                 f"Content-Type: {kind}\r\n\r\n").encode("utf-8") + content + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode("ascii")


def post_upload(site, parts: list[tuple[str, str | None, bytes, str]]) -> Reply:
    """POST the multipart form of `parts` (see multipart) to /upload."""
    return site.request("POST", "/upload", body=multipart(parts),
                        headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})


def upload(site, *files: tuple[str, bytes]) -> Reply:
    """POST files (client name, content) to /upload, as the page's form does."""
    return post_upload(site, [("upload", name, content, "application/octet-stream")
                              for name, content in files])


def stored_names(reply: Reply) -> list[str]:
    """The stored names an upload page links to, in order."""
    return [unquote(name) for name in re.findall(r'href="download\?name=([^"]*)"', reply.text)]


def download(site, name: str, method: str = "GET") -> Reply:
    return site.request(method, "/download?name=" + quote(name, safe=""))


def test_home_page_has_the_form_and_the_limit(site) -> None:
    reply = site.get("/")
    assert reply.status == 200
    assert reply.header("Content-Type") == "text/html; charset=utf-8"
    assert 'enctype="multipart/form-data"' in reply.text
    assert '<input type="file" name="upload" multiple required>' in reply.text
    assert "Up to 10,485,760 bytes per upload." in reply.text


def test_binary_file_comes_back_byte_for_byte(site) -> None:
    content = bytes(range(256)) * 1000  # larger than one 64 KB piece
    reply = upload(site, ("data.bin", content))
    assert reply.status == 200
    assert stored_names(reply) == ["data.bin"]
    assert "256,000 bytes" in reply.text
    assert "sent as data.bin (application/octet-stream)" in reply.text
    assert 'href="download?name=data.bin">data.bin</a>' in site.get("/").text
    answer = download(site, "data.bin")
    assert answer.status == 200
    assert answer.body == content
    assert answer.header("Content-Type") == "application/octet-stream"
    assert answer.header("Content-Disposition") == 'attachment; filename="data.bin"'
    assert answer.header("Content-Length") == str(len(content))
    assert answer.header("X-Content-Type-Options") == "nosniff"
    assert (site.folder / "uploads" / "data.bin").read_bytes() == content


def test_non_ascii_name_is_kept_and_quoted_with_rfc_5987(site) -> None:
    name = "résumé 2024 日本.txt"
    content = "Grüße, 世界\n".encode("utf-8")
    reply = upload(site, (name, content))
    assert stored_names(reply) == [name]
    assert f">{name}</a>" in site.get("/").text
    answer = download(site, name)
    assert answer.body == content
    assert answer.header("Content-Type") == "text/plain"
    disposition = answer.header("Content-Disposition")
    assert disposition == ('attachment; filename="r_sum_ 2024 __.txt"; '
                           "filename*=UTF-8''" + quote(name, safe=""))
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded, encoding="utf-8", errors="strict") == name


def test_several_files_in_one_form_and_no_overwriting(site) -> None:
    reply = upload(site, ("twice.txt", b"first"), ("twice.txt", b"second"))
    assert reply.status == 200
    assert stored_names(reply) == ["twice.txt", "twice-2.txt"]
    third = upload(site, ("twice.txt", b"third"))
    assert stored_names(third) == ["twice-3.txt"]
    assert [download(site, name).body for name in ("twice.txt", "twice-2.txt", "twice-3.txt")] \
        == [b"first", b"second", b"third"]


@pytest.mark.parametrize("client_name, stored", [
    ("../../traversal-a.txt", "traversal-a.txt"),
    ("..\\..\\Windows\\traversal-b.txt", "traversal-b.txt"),
    ("C:\\Users\\me\\traversal-c.txt", "traversal-c.txt"),
    ("/etc/traversal-d", "traversal-d"),
    (".traversal-e", "traversal-e"),
    ("traversal-f.txt.", "traversal-f.txt"),
    ("evil\u202etxt.exe", "evil_txt.exe"),     # a right-to-left override
    ("tab\there.txt", "tab_here.txt"),
    ("a" * 300 + ".txt", "a" * 196 + ".txt"),  # cut to 200 bytes, the extension kept
    ("..", "upload"),
])
def test_client_names_are_made_safe(site, uploads, client_name, stored) -> None:
    reply = upload(site, (client_name, b"payload"))
    assert reply.status == 200
    assert stored_names(reply) == [stored]
    assert (uploads / stored).read_bytes() == b"payload"
    # Nothing was written beside the folder or above it.
    assert sorted(p.name for p in site.folder.parent.iterdir()) == ["site"]
    assert not any(p.name.startswith("traversal") for p in site.folder.iterdir())


def test_names_shown_in_pages_are_escaped(site, uploads) -> None:
    reply = upload(site, ("<b onclick='x()'>&.txt", b"x"))
    assert stored_names(reply) == ["_b onclick__x_____.txt"]
    assert "sent as &lt;b onclick=&#39;x()&#39;&gt;&amp;.txt" in reply.text
    assert "<b " not in reply.text
    # A file put in the folder by other means, with characters uploads never keep.
    (uploads / "odd <i>&'\".txt").write_bytes(b"odd")
    page = site.get("/").text
    assert ">odd &lt;i&gt;&amp;&#39;&#34;.txt</a>" in page
    assert "<i>" not in page
    assert 'href="download?name=odd%20%3Ci%3E%26%27%22.txt"' in page
    assert site.get("/download?name=odd%20%3Ci%3E%26%27%22.txt").body == b"odd"


def test_unknown_or_unsafe_download_names_are_404(site, uploads) -> None:
    (uploads / ".secret").write_bytes(b"hidden file")
    (uploads / "folder").mkdir()
    (site.folder / "outside.txt").write_bytes(b"outside")
    os.symlink(site.folder / "outside.txt", uploads / "link.txt")
    listing = site.get("/").text
    for name in (".secret", "folder", "link.txt"):
        assert quote(name) not in listing
    for name in ("missing.txt", "../siteServer.cfg", "../site.cpy", "/etc/passwd",
                 "uploads/../site.cpy", ".secret", "folder", "link.txt", ".", "..", "",
                 "nul\x00.txt"):
        reply = download(site, name)
        assert (reply.status, reply.text) == (404, "No such file.\n"), name
    assert site.get("/download").status == 404


def test_head_of_a_download_sends_the_headers_only(site) -> None:
    upload(site, ("head.txt", b"0123456789"))
    reply = download(site, "head.txt", method="HEAD")
    assert reply.status == 200
    assert reply.body == b""
    assert reply.header("Content-Length") == "10"
    assert reply.header("Content-Disposition") == 'attachment; filename="head.txt"'


@pytest.mark.parametrize("parts", [
    [("upload", "", b"", "application/octet-stream")],  # the form sent with no file chosen
    [("upload", None, b"just text", "text/plain")],     # an ordinary field, not a file
    [],
], ids=["no-file-chosen", "text-field", "empty-form"])
def test_a_form_without_a_file_is_400(site, uploads, parts) -> None:
    before = sorted(os.listdir(uploads))
    reply = post_upload(site, parts)
    assert reply.status == 400
    assert "No file was sent" in reply.text
    assert sorted(os.listdir(uploads)) == before


def test_body_over_the_configured_limit_is_413(site, uploads) -> None:
    before = sorted(os.listdir(uploads))
    limit = 10 * 1024 * 1024
    first_part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; "
                  'filename="big.bin"\r\n\r\n').encode("ascii")
    # The headers announce a body one byte over the limit; the server answers from
    # them, without waiting for (or storing) the rest.
    request = (b"POST /upload HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
               + f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n".encode()
               + f"Content-Length: {limit + 1}\r\n\r\n".encode() + first_part)
    with socket.create_connection((site.host, site.port), timeout=10) as sock:
        sock.sendall(request)
        status_line = sock.makefile("rb").readline()
    assert status_line.split()[1] == b"413"
    assert sorted(os.listdir(uploads)) == before
    assert site.get("/").status == 200
