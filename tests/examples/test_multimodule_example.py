"""examples/multimodule: three modules joined with `use`, over HTTP.

The example is compiled with --autoescape in a temporary copy and served with its own
siteServer.cfg on a free port. Checked: Layout's aspect wraps the pages of site.cpy and
Blog.cpy in its header and footer (which no URL reaches); the py-include template
renders a summary on /blog and the whole post on its page, escaped; both parts of the
concatenated initRequest (breadcrumbs) and initNonStaticResponse (headers) show, in
`use` order.
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest

from servers import Reply, ServerProcess, example_server

FOOTER = "<footer><small>Three modules, made of Layout.cpy, Blog.cpy and site.cpy</small></footer>"
ESCAPED_TITLE = "Templates &amp; &lt;py-include&gt;"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    with example_server("multimodule", tmp_path_factory.mktemp("multimodule")) as process:
        yield process


def nav(reply: Reply) -> str:
    found = re.search(r"<nav>(.*)</nav>", reply.text)
    assert found, reply.text
    return found.group(1)


def assert_laid_out(reply: Reply, title: str) -> None:
    """The page is wrapped in Layout's header and footer, once each."""
    assert reply.text.startswith("<!DOCTYPE html>\n<html>\n")
    assert f"<title>{title} - Three modules</title>" in reply.text
    assert reply.text.count("<body>") == 1 and reply.text.count(FOOTER) == 1
    assert reply.text.endswith(FOOTER + "\n</body>\n</html>\n")


def test_home_page(server: ServerProcess) -> None:
    home = server.get("/")
    assert home.status == 200
    assert_laid_out(home, "Home")
    assert nav(home) == '<a href="/">Home</a>'  # Layout's part of initRequest only
    assert "<h1>Welcome</h1>" in home.text
    assert f'Latest post: <a href="/blog/post?id=3">{ESCAPED_TITLE}</a>' in home.text
    # Layout's part of initNonStaticResponse; Blog's adds nothing outside the blog.
    assert home.header("X-Content-Type-Options") == "nosniff"
    assert home.header("Referrer-Policy") == "same-origin"
    assert home.header("Cache-Control") is None


def test_blog_lists_summaries_newest_first(server: ServerProcess) -> None:
    blog = server.get("/blog")
    assert blog.status == 200
    assert_laid_out(blog, "Blog")
    # Both parts of initRequest, Layout's first: Home, then Blog.
    assert nav(blog) == '<a href="/">Home</a> &gt; <a href="/blog">Blog</a>'
    titles = re.findall(r'<h2><a href="/blog/post\?id=(\d)">(.*?)</a></h2>', blog.text)
    assert titles == [("3", ESCAPED_TITLE), ("2", "Aspects"), ("1", "Modules")]
    assert "<p>A site can be split into .cpy modules joined by `use` lines.</p>" in blog.text
    assert "Each module brings" not in blog.text  # the second paragraph: on the post page only
    # Both parts of initNonStaticResponse.
    assert blog.header("X-Content-Type-Options") == "nosniff"
    assert blog.header("Cache-Control") == "max-age=60"


def test_post_page_shows_every_paragraph(server: ServerProcess) -> None:
    post = server.get("/blog/post?id=1")
    assert post.status == 200
    assert_laid_out(post, "Blog")
    assert nav(post) == '<a href="/">Home</a> &gt; <a href="/blog">Blog</a>'
    assert post.text.count("<article>") == 1
    assert '<p class="date">2004-03-01</p>' in post.text
    assert "<p>A site can be split into .cpy modules joined by `use` lines.</p>" in post.text
    assert "<p>Each module brings its classes and its part of the special functions.</p>" in post.text


def test_missing_post_is_a_404_in_the_layout(server: ServerProcess) -> None:
    missing = server.get("/blog/post?id=9")
    assert missing.status == 404
    assert_laid_out(missing, "Blog")
    assert "<h1>No such post</h1>" in missing.text
    assert missing.header("Cache-Control") is None  # only found pages may be kept


@pytest.mark.parametrize("path", ["/layout/header", "/blog/header", "/blog/footer",
                                  "/blog/findPost?id=1"])
def test_hidden_masks_and_functions_have_no_url(server: ServerProcess, path: str) -> None:
    assert server.get(path).status == 404
