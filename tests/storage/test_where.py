"""`where` parsing: every operator into its condition node, canonical values, and clear errors."""

from __future__ import annotations

import json
import re

import pytest

from cherryc.runtime.storage.errors import LeanCloudError
from cherryc.runtime.storage.where import (All, And, Compare, Exists, In, Or, Regex, combine,
                                           parse_where, translate_regex)

DATE = {"__type": "Date", "iso": "2024-05-06T07:08:09.5Z"}
DATE_ISO = "2024-05-06T07:08:09.500Z"


def test_no_condition() -> None:
    assert parse_where(None) is None
    assert parse_where({}) is None
    assert parse_where("{}") is None


def test_equality_and_json_text() -> None:
    assert parse_where({"title": "a"}) == Compare(("title",), "eq", "a")
    assert parse_where('{"n": 3}') == Compare(("n",), "eq", 3)
    assert parse_where({"a": 1, "b": None}) == And((Compare(("a",), "eq", 1), Compare(("b",), "eq", None)))


@pytest.mark.parametrize("operator, op", [("$eq", "eq"), ("$ne", "ne"), ("$lt", "lt"), ("$lte", "lte"),
                                          ("$gt", "gt"), ("$gte", "gte")])
def test_comparisons(operator: str, op: str) -> None:
    assert parse_where({"score": {operator: 5}}) == Compare(("score",), op, 5)


def test_several_operators_on_one_field_are_all_required() -> None:
    assert parse_where({"score": {"$gt": 1, "$lt": 9}}) == And((Compare(("score",), "gt", 1),
                                                                Compare(("score",), "lt", 9)))


def test_set_operators() -> None:
    assert parse_where({"n": {"$in": [1, 2]}}) == In(("n",), (1, 2))
    assert parse_where({"n": {"$nin": [1]}}) == In(("n",), (1,), negate=True)
    assert parse_where({"tags": {"$all": ["a", "b"]}}) == All(("tags",), ("a", "b"))
    assert parse_where({"n": {"$exists": False}}) == Exists(("n",), False)


def test_or_and() -> None:
    where = {"$or": [{"a": 1}, {"b": {"$gt": 2}}], "$and": [{"c": 3}]}
    assert parse_where(where) == And((Or((Compare(("a",), "eq", 1), Compare(("b",), "gt", 2))),
                                      And((Compare(("c",), "eq", 3),))))


def test_dates_and_pointers_are_canonical() -> None:
    assert parse_where({"when": {"$lt": DATE}}) == Compare(("when",), "lt", {"__type": "Date", "iso": DATE_ISO})
    pointer = {"objectId": "abc", "className": "Post", "__type": "Pointer"}
    assert parse_where({"post": pointer}) == Compare(
        ("post",), "eq", {"__type": "Pointer", "className": "Post", "objectId": "abc"})
    full = {"__type": "Object", "className": "Post", "objectId": "abc", "title": "x"}
    assert parse_where({"post": full}).value == {"__type": "Pointer", "className": "Post", "objectId": "abc"}


def test_system_fields() -> None:
    assert parse_where({"createdAt": {"$gte": DATE}}) == Compare(("createdAt",), "gte", DATE_ISO)
    assert parse_where({"updatedAt": {"$lt": "2024-05-06T07:08:09Z"}}) == Compare(
        ("updatedAt",), "lt", "2024-05-06T07:08:09.000Z")
    assert parse_where({"objectId": {"$in": ["a", "b"]}}) == In(("objectId",), ("a", "b"))


def test_dotted_paths_reach_into_objects() -> None:
    assert parse_where({"address.city": "Paris"}) == Compare(("address", "city"), "eq", "Paris")


def test_regex_with_options_and_sdk_quoting() -> None:
    assert parse_where({"t": {"$regex": "^a.c", "$options": "im"}}) == Regex(("t",), "^a.c", "im")
    # the JS SDK's startsWith("a.b") is "^\\Qa.b\\E"
    condition = parse_where({"t": {"$regex": "^\\Qa.b*\\E"}})
    assert condition == Regex(("t",), "^" + re.escape("a.b*"))
    assert re.search(condition.pattern, "a.b*c") and not re.search(condition.pattern, "axbbc")


@pytest.mark.parametrize("pattern, literal", [("\\Q(x)\\E$", "(x)"), ("\\Qend", "end"), ("\\Q\\E", "")])
def test_translate_regex(pattern: str, literal: str) -> None:
    translated = translate_regex(pattern)
    assert "\\Q" not in translated
    assert re.search(translated, f"..{literal}") is not None


def test_escaped_backslash_q_is_not_quoting() -> None:
    assert translate_regex("a\\\\Qb") == "a\\\\Qb"


def test_combine() -> None:
    a, b = Compare(("a",), "eq", 1), Compare(("b",), "eq", 2)
    assert combine(None, None) is None
    assert combine(a, None) == a
    assert combine(a, b) == And((a, b))


@pytest.mark.parametrize("where, code, words", [
    ("{not json", 107, "not valid JSON"),
    ([1, 2], 107, "JSON object"),
    ({"$nor": []}, 102, "unknown operator $nor"),
    ({"n": {"$foo": 1}}, 102, "unknown operator $foo"),
    ({"n": {"$near": {}}}, 102, "$near is not supported"),
    ({"n": {"$gt": 1, "x": 2}}, 102, "cannot be mixed"),
    ({"n": {"$gt": True}}, 102, "a number, a string or a date"),
    ({"n": {"$gt": [1]}}, 102, "a number, a string or a date"),
    ({"n": {"$in": 3}}, 102, "$in needs an array"),
    ({"n": {"$all": "a"}}, 102, "$all needs an array"),
    ({"n": {"$exists": 1}}, 102, "$exists needs true or false"),
    ({"n": {"$regex": 5}}, 102, "$regex needs a string"),
    ({"n": {"$regex": "(", "$options": "i"}}, 102, "invalid regular expression"),
    ({"n": {"$regex": "a", "$options": "g"}}, 102, "i, m, s and x"),
    ({"n": {"$options": "i"}}, 102, "$options needs $regex"),
    ({"$or": []}, 102, "non-empty array"),
    ({"$or": [3]}, 102, "non-empty JSON object"),
    ({"$and": {"a": 1}}, 102, "non-empty array"),
    ({"bad-name": 1}, 102, "not a valid field name"),
    ({"a.b'c": 1}, 102, "not a valid field name"),
    ({"createdAt": 5}, 102, "compared with dates"),
    ({"createdAt.x": 5}, 102, "no sub-fields"),
    ({"objectId": 5}, 102, "compared with strings"),
    ({"when": {"__type": "Date", "iso": "yesterday"}}, 102, "ISO 8601"),
    ({"p": {"__type": "Pointer", "className": "1x", "objectId": "a"}}, 102, "className"),
    ({"p": {"__type": "Polygon"}}, 102, "unknown __type"),
])
def test_invalid_where(where: object, code: int, words: str) -> None:
    text = where if isinstance(where, str) else json.dumps(where)
    with pytest.raises(LeanCloudError) as caught:
        parse_where(text)
    assert caught.value.code == code
    assert words in caught.value.error


def test_forbidden_fields() -> None:
    with pytest.raises(LeanCloudError, match="'password' cannot be queried"):
        parse_where({"$or": [{"username": "a"}, {"password": {"$regex": "^scrypt"}}]},
                    forbidden=frozenset({"password"}))
