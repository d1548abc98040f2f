"""Engine registry and LeanEngineError rules (spec leanengine.md §10.1, §10.4)."""

from __future__ import annotations

import pytest

from cherryc.runtime.leanengine import Engine, LeanEngineError


@pytest.mark.parametrize(
    ("args", "kwargs", "code", "status", "message"),
    [
        ((), {}, 400, 400, "error"),
        (("msg",), {}, 400, 400, "msg"),
        ((2020, "m"), {}, 2020, 400, "m"),
        ((226, "m"), {}, 226, 226, "m"),
        ((), {"code": 5, "message": "m", "status": 403}, 5, 403, "m"),
        ((), {"status": 404}, 1, 404, "error"),
        (("msg",), {"status": 403}, 400, 403, "msg"),
    ],
)
def test_lean_engine_error(args, kwargs, code, status, message) -> None:
    error = LeanEngineError(*args, **kwargs)
    assert (error.code, error.status, error.message, str(error)) == (code, status, message, message)


def test_define_bare_and_named() -> None:
    engine = Engine()

    @engine.define
    def hello():
        return "hi"

    @engine.define("averageStars")
    def average():
        return 3

    assert engine.functions == {"hello": hello, "averageStars": average}
    with pytest.raises(RuntimeError, match="cloud function: hello is already registered"):
        engine.define(hello)


def test_hooks_register_under_the_official_names() -> None:
    engine = Engine()
    handler = lambda obj: None  # noqa: E731
    for name in ("before_save", "after_save", "before_update", "after_update",
                 "before_delete", "after_delete"):
        getattr(engine, name)("Review")(handler)
    engine.on_login(handler)
    engine.on_auth_data(handler)
    engine.on_verified("sms")(handler)
    assert sorted(engine.functions) == sorted([
        "__before_save_for_Review", "__after_save_for_Review", "__before_update_for_Review",
        "__after_update_for_Review", "__before_delete_for_Review", "__after_delete_for_Review",
        "__on_login__User", "__on_authdata__User", "__on_verified_sms",
    ])
    with pytest.raises(RuntimeError, match="already registered"):
        engine.before_save("Review")
    with pytest.raises(RuntimeError):
        engine.on_verified("fax")


def test_register_merges_or_refuses_everything() -> None:
    first, second, third = Engine(), Engine(), Engine()
    second.define("a")(lambda: 1)
    second.define("b")(lambda: 2)
    first.register(second)
    assert set(first.functions) >= {"a", "b"}
    third.define("a")(lambda: 3)
    third.define("c")(lambda: 3)
    with pytest.raises(RuntimeError, match="cloud function: a is already registered."):
        first.register(third)
    assert "c" not in first.functions
    with pytest.raises(TypeError, match="Please specify an Engine instance"):
        first.register(object())  # type: ignore[arg-type]
