"""The value policy of masks: escape() gives markupsafe's text; last_index for _end."""

from __future__ import annotations

import enum

import markupsafe
import pytest

from cherryc.runtime.masks import escape, last_index


class Html:
    def __html__(self) -> str:
        return "<b>raw</b>"


class Color(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    "value",
    ["plain", "<a href='x'>&\"</a>", "", 0, -12, 3.5, float("nan"), True, None, b"<b>",
     ["<", 1], markupsafe.Markup("<i>kept</i>"), Html(), Color.RED, "é<ü>"],
)
def test_escape_matches_markupsafe(value) -> None:
    assert escape(value) == str(markupsafe.escape(value))
    assert type(escape(value)) is str or isinstance(value, markupsafe.Markup)


def test_last_index() -> None:
    assert last_index([1, 2, 3]) == 2
    assert last_index([]) == -1
    assert last_index(x for x in "ab") == -1
    assert last_index({"a": 1}) == 0
