"""examples/guide over real HTTP: each guide example's effect, the official Python SDK as the client.

The example is copied to a temporary folder, compiled with --autoescape and served with
its own siteServer.cfg (its default store, siteServer.db, in that folder) on a free
port. Its keys are replaced by the SDK tests' keys through the LEANCLOUD_APP_*
variables, which override the config, so the SDK runners of
tests/runtime/test_leanengine_sdk.py are used unchanged. Each test uses its own names
(movies, post titles, albums), so the tests do not depend on each other's data.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from servers import ServerProcess, example_server  # noqa: E402
from test_leanengine_sdk import (  # noqa: E402,F401 - sdk_python is a fixture
    APP_ID, APP_KEY, KEYS, run_python_client, sdk_python,
)

ENV_NAMES = ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY", "LEANCLOUD_APP_MASTER_KEY",
             "LEANCLOUD_APP_HOOK_KEY")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    server = example_server("guide", tmp_path_factory.mktemp("guide"))
    server.env = dict(zip(ENV_NAMES, KEYS))
    with server:
        yield server


def call(site: ServerProcess, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """(status, JSON answer) of a request with the app key."""
    headers = {"X-LC-Id": APP_ID, "X-LC-Key": APP_KEY, "Content-Type": "application/json"}
    reply = site.request(method, path, headers=headers,
                         body=None if body is None else json.dumps(body))
    return reply.status, json.loads(reply.body or b"null")


def test_average_stars_averages_the_reviews_of_one_movie(sdk_python: str, site: ServerProcess) -> None:
    got = run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        Review = leancloud.Object.extend('Review')
        leancloud.Object.save_all([Review(movie='Up', stars=stars) for stars in (3, 4, 5)]
                                  + [Review(movie='Heat', stars=1)])
        out([leancloud.cloud.run('averageStars', movie='Up'),
             leancloud.cloud.run('averageStars', movie='Heat'),
             failure(leancloud.cloud.run, 'averageStars', movie='Jaws')])
        """)
    assert got == [4.0, 1.0, [4004, "no review of Jaws yet"]]


def test_each_comment_adds_one_to_its_post(sdk_python: str, site: ServerProcess) -> None:
    got = run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        Post, Comment = leancloud.Object.extend('Post'), leancloud.Object.extend('Comment')
        post = Post(title='Commented')
        post.save()
        for text in ('first', 'second', 'third'):
            Comment(post=post, text=text).save()
        post.fetch()
        out([post.get('commentCount'), post.get('updateCount')])
        """)
    # Each comment's afterSave updated the post once, and the post's afterUpdate counted
    # that update by saving the post from its own hook: once, not in a loop.
    assert got == [3, 3]


def test_after_update_saves_its_own_object_without_a_loop(sdk_python: str, site: ServerProcess) -> None:
    got = run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        post = leancloud.Object.extend('Post')(title='Edited')
        post.save()
        counts = [post.get('updateCount')]
        for title in ('Edited once', 'Edited twice'):
            post.set('title', title)
            post.save()
            post.fetch()
            counts.append(post.get('updateCount'))
        out(counts + [post.get('title')])
        """)
    assert got == [None, 1, 2, "Edited twice"]


def test_an_album_with_photos_cannot_be_deleted(sdk_python: str, site: ServerProcess) -> None:
    got = run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        Album, Photo = leancloud.Object.extend('Album'), leancloud.Object.extend('Photo')
        full, empty = Album(title='Holidays'), Album(title='Empty')
        leancloud.Object.save_all([full, empty])
        leancloud.Object.save_all([Photo(album=full, name=name) for name in ('beach', 'sea')])
        refused = failure(full.destroy)
        empty.destroy()
        out([refused, leancloud.Query('Photo').equal_to('album', full).count(),
             leancloud.Query('Album').equal_to('title', 'Holidays').count(),
             leancloud.Query('Album').equal_to('title', 'Empty').count()])
        """)
    refused, photos, full_albums, empty_albums = got
    assert refused[0] == 142
    assert "Can't delete album if it still has photos." in refused[1]
    assert (photos, full_albums, empty_albums) == (2, 1, 0)


def test_deleting_an_album_deletes_its_photos(sdk_python: str, site: ServerProcess) -> None:
    got = run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        Album, Photo = leancloud.Object.extend('Album'), leancloud.Object.extend('Photo')
        doomed, kept = Album(title='Doomed'), Album(title='Kept')
        leancloud.Object.save_all([doomed, kept])
        leancloud.Object.save_all([Photo(album=doomed, name=str(n)) for n in range(3)]
                                  + [Photo(album=kept, name='keep me')])
        answer = leancloud.cloud.run('deleteAlbumWithPhotos', albumId=doomed.id)
        out([answer, leancloud.Query('Album').equal_to('title', 'Doomed').count(),
             leancloud.Query('Photo').equal_to('album', doomed).count(),
             [photo.get('name') for photo in leancloud.Query('Photo').equal_to('album', kept).find()]])
        """)
    assert got == ["deleted", 0, 0, ["keep me"]]


def test_a_blocked_user_cannot_log_in(sdk_python: str, site: ServerProcess) -> None:
    got = run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        for name in ('alice', 'mallory'):
            user = leancloud.User()
            user.sign_up(name, 'secret-' + name)
        user.set('blocked', True)  # mallory, logged in by sign_up, blocks herself
        user.save()
        alice = leancloud.User()
        alice.login('alice', 'secret-alice')
        out([alice.get_username(), bool(alice.get_session_token()),
             failure(leancloud.User().login, 'mallory', 'secret-mallory')])
        """)
    username, has_token, refused = got
    assert (username, has_token) == ("alice", True)
    assert "This account is blocked." in refused[1]
    status, answer = call(site, "POST", "/1.1/login", {"username": "mallory", "password": "secret-mallory"})
    assert status == 401
    assert "This account is blocked." in answer["error"]


def test_the_page_lists_the_data(sdk_python: str, site: ServerProcess) -> None:
    run_python_client(sdk_python, site, """\
        leancloud.init(APP_ID, APP_KEY)
        Review, Post = leancloud.Object.extend('Review'), leancloud.Object.extend('Post')
        Album, Photo = leancloud.Object.extend('Album'), leancloud.Object.extend('Photo')
        leancloud.Object.save_all([Review(movie='<Brazil>', stars=5), Review(movie='<Brazil>', stars=2)])
        post = Post(title='Listed & shown')
        post.save()
        leancloud.Object.extend('Comment')(post=post).save()
        album = Album(title='Page album')
        album.save()
        Photo(album=album).save()
        out(None)
        """)
    reply = site.get("/")
    assert reply.status == 200
    page = re.sub(r"\s+", " ", reply.text)
    assert "<td>&lt;Brazil&gt;</td><td>2</td><td>3.50</td>" in page  # escaped by --autoescape
    assert "<td>Listed &amp; shown</td><td>1</td><td>1</td>" in page
    assert "<td>Page album</td><td>1</td>" in page
