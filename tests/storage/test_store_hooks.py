"""Hooks fired by the Store on both backends (spec §7-§8): order, beforeSave's changes saved,
rejections (142, nothing written), after-hook errors logged, no dead loops, `__ignore_hooks`
only with rights, onLogin (401), and the caller as `engine.current.user`."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from cherryc.runtime.leanengine import Engine, LeanEngineError, Object
from cherryc.runtime.leanengine.objects import AFTER_HOOKS, BEFORE_HOOKS
from cherryc.runtime.storage.errors import LeanCloudError
from cherryc.runtime.storage.store import Caller, Store

ANONYMOUS = Caller()
MASTER = Caller(master=True, hook=True)
INCREMENT = {"__op": "Increment", "amount": 1}


def count(store: Store, class_name: str = "Review", **where: Any) -> int:
    return store.query(class_name, MASTER, where=where, limit=0, count=True)["count"]


def test_order_of_hooks_around_the_writes(store: Store, engine: Engine) -> None:
    events: list[tuple[str, Any]] = []

    def stored_stars(obj: Object) -> Any:
        return store.fetch("Review", obj.id, MASTER).get("stars") if obj.id else None

    @engine.before_save("Review")
    def before_save(obj: Object) -> None:
        events.append(("beforeSave", obj.id, obj.get("stars"), store.backend.class_exists("Review")))

    @engine.after_save("Review")
    def after_save(obj: Object) -> None:
        events.append(("afterSave", stored_stars(obj)))

    @engine.before_update("Review")
    def before_update(obj: Object) -> None:
        events.append(("beforeUpdate", obj.get("stars"), stored_stars(obj), obj.updated_keys))

    @engine.after_update("Review")
    def after_update(obj: Object) -> None:
        events.append(("afterUpdate", obj.get("stars"), stored_stars(obj), obj.updated_keys))

    @engine.before_delete("Review")
    def before_delete(obj: Object) -> None:
        events.append(("beforeDelete", stored_stars(obj)))

    @engine.after_delete("Review")
    def after_delete(obj: Object) -> None:
        events.append(("afterDelete", obj.get("stars"), stored_stars(obj)))

    object_id = store.create("Review", {"stars": 1}, ANONYMOUS)["objectId"]
    store.update("Review", object_id, {"stars": {"__op": "Increment", "amount": 2}}, ANONYMOUS)
    store.delete("Review", object_id, ANONYMOUS)
    assert events == [
        ("beforeSave", None, 1, False), ("afterSave", 1),
        ("beforeUpdate", 3, 1, ["stars"]), ("afterUpdate", 3, 3, ["stars"]),
        ("beforeDelete", 3), ("afterDelete", 3, None),
    ]


def test_before_save_changes_are_saved(store: Store, engine: Engine) -> None:
    @engine.before_save("Review")
    def trim(obj: Object) -> None:
        obj.set("comment", obj.get("comment")[:5] + "…")
        obj.set("checked", datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc))
        obj.unset("secret")

    created = store.create("Review", {"comment": "a very long comment", "secret": 1,
                                      "n": INCREMENT}, ANONYMOUS, fetch_when_save=True)
    assert created["comment"] == "a ver…" and created["n"] == 1 and "secret" not in created
    assert store.fetch("Review", created["objectId"], ANONYMOUS)["checked"] == \
        {"__type": "Date", "iso": "2024-01-02T03:04:05.678Z"}


@pytest.mark.parametrize("hook", ["before_save", "before_update", "before_delete"])
def test_a_refusing_before_hook_gives_142_and_writes_nothing(store: Store, engine: Engine, hook: str) -> None:
    object_id = store.create("Review", {"stars": 1}, ANONYMOUS)["objectId"]

    @getattr(engine, hook)("Review")
    def refuse(obj: Object) -> None:
        raise LeanEngineError(400, "stars must be given")

    calls = {
        "before_save": lambda: store.create("Review", {"stars": 2}, ANONYMOUS),
        "before_update": lambda: store.update("Review", object_id, {"stars": INCREMENT}, ANONYMOUS),
        "before_delete": lambda: store.delete("Review", object_id, ANONYMOUS),
    }
    with pytest.raises(LeanCloudError) as caught:
        calls[hook]()
    assert caught.value.code == 142
    assert caught.value.error == "Cloud Code validation failed. Error detail: stars must be given"
    assert [row["stars"] for row in store.query("Review", MASTER)["results"]] == [1]


def test_a_crashing_before_hook_is_142_without_details_and_logged(store: Store, engine: Engine,
                                                                  storage_log: list[str]) -> None:
    @engine.before_save("Review")
    def crash(obj: Object) -> None:
        raise KeyError("internal detail")

    with pytest.raises(LeanCloudError) as caught:
        store.create("Review", {"stars": 2}, ANONYMOUS)
    assert (caught.value.code, caught.value.error) == (
        142, "Cloud Code validation failed. Error detail: Cloud Code script had an error.")
    assert any("beforeSave hook of Review" in line and "internal detail" in line for line in storage_log)
    assert not store.backend.class_exists("Review")


def test_before_update_sees_the_merged_object_and_cannot_change_it(store: Store, engine: Engine) -> None:
    seen = []

    @engine.before_update("Review")
    def look(obj: Object) -> None:
        seen.append((obj.get("stars"), obj.get("tags"), obj.get("title"), sorted(obj.updated_keys)))
        obj.set("title", "changed by the hook")

    object_id = store.create("Review", {"stars": 1, "tags": ["a"], "title": "t"}, ANONYMOUS)["objectId"]
    store.update("Review", object_id, {"stars": INCREMENT, "tags": {"__op": "Add", "objects": ["b"]}}, ANONYMOUS)
    assert seen == [(2, ["a", "b"], "t", ["stars", "tags"])]
    assert store.fetch("Review", object_id, ANONYMOUS)["title"] == "t"


@pytest.mark.parametrize("hook", ["after_save", "after_update", "after_delete"])
def test_after_hook_errors_are_logged_and_the_write_stands(store: Store, engine: Engine,
                                                           storage_log: list[str], hook: str) -> None:
    @getattr(engine, hook)("Review")
    def fail(obj: Object) -> None:
        raise RuntimeError("after-hook trouble")

    object_id = store.create("Review", {"stars": 1}, ANONYMOUS)["objectId"]
    store.update("Review", object_id, {"stars": 5}, ANONYMOUS)
    assert store.fetch("Review", object_id, ANONYMOUS)["stars"] == 5
    store.delete("Review", object_id, ANONYMOUS)
    assert store.fetch("Review", object_id, ANONYMOUS) == {}
    name = {"after_save": "afterSave", "after_update": "afterUpdate", "after_delete": "afterDelete"}[hook]
    assert [line for line in storage_log if f"{name} hook of Review (the write stands)" in line
            and "after-hook trouble" in line]


def test_hook_objects_have_their_family_disabled(store: Store, engine: Engine) -> None:
    hooks = ("before_save", "after_save", "before_update", "after_update", "before_delete", "after_delete")
    flags: dict[str, set[str]] = {}
    for hook in hooks:
        getattr(engine, hook)("Review")(lambda obj, hook=hook: flags.__setitem__(hook, set(obj.ignored_hooks)))
    object_id = store.create("Review", {}, ANONYMOUS)["objectId"]
    store.update("Review", object_id, {"n": 1}, ANONYMOUS)
    store.delete("Review", object_id, ANONYMOUS)
    assert flags == {hook: set(BEFORE_HOOKS if hook.startswith("before") else AFTER_HOOKS) for hook in hooks}


def save_as_the_sdk_does(store: Store, obj: Object, changes: dict[str, Any]) -> None:
    """What `obj.save()` sends for an object handed to a hook (spec §8)."""
    body = {**changes, "__ignore_hooks": sorted(obj.ignored_hooks)}
    store.update(obj.class_name, obj.id, body, Caller(hook=True))


def test_an_after_update_hook_saving_its_object_does_not_loop(store: Store, engine: Engine) -> None:
    runs = []

    @engine.after_update("Review")
    def count_edits(obj: Object) -> None:
        runs.append(obj.updated_keys)
        if len(runs) > 5:
            raise AssertionError("afterUpdate loops")
        save_as_the_sdk_does(store, obj, {"edits": INCREMENT})

    object_id = store.create("Review", {"stars": 1}, ANONYMOUS)["objectId"]
    store.update("Review", object_id, {"stars": 2}, ANONYMOUS)
    assert runs == [["stars"]]
    assert store.fetch("Review", object_id, ANONYMOUS)["edits"] == 1


def test_an_after_save_hook_saving_its_object_runs_only_before_update(store: Store, engine: Engine) -> None:
    events = []

    @engine.after_save("Review")
    def stamp(obj: Object) -> None:
        events.append("afterSave")
        save_as_the_sdk_does(store, obj, {"stamped": True})

    engine.before_update("Review")(lambda obj: events.append("beforeUpdate"))
    engine.after_update("Review")(lambda obj: events.append("afterUpdate"))
    object_id = store.create("Review", {}, ANONYMOUS)["objectId"]
    assert events == ["afterSave", "beforeUpdate"]
    assert store.fetch("Review", object_id, ANONYMOUS)["stamped"] is True


@pytest.mark.parametrize("caller, skipped", [(ANONYMOUS, False), (Caller(user={"objectId": "u" * 24}), False),
                                             (Caller(hook=True), True), (MASTER, True)])
def test_ignore_hooks_needs_the_hook_or_master_key(store: Store, engine: Engine, caller: Caller,
                                                   skipped: bool) -> None:
    runs: list[str] = []
    engine.before_save("Review")(lambda obj: runs.append("beforeSave"))
    engine.after_save("Review")(lambda obj: runs.append("afterSave"))
    engine.before_delete("Review")(lambda obj: runs.append("beforeDelete"))
    created = store.create("Review", {"stars": 1, "__ignore_hooks": ["beforeSave", "afterSave"]}, caller,
                           fetch_when_save=True)
    assert "__ignore_hooks" not in created and created["stars"] == 1
    store.delete("Review", created["objectId"], caller, body={"__ignore_hooks": ["beforeDelete"]})
    assert runs == ([] if skipped else ["beforeSave", "afterSave", "beforeDelete"])


def test_hooks_see_the_caller_as_the_current_user(store: Store, engine: Engine) -> None:
    ann = store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    as_ann = Caller(user=store.user_by_token(ann["sessionToken"]), session_token=ann["sessionToken"])
    seen = []

    @engine.before_save("Review")
    def remember(obj: Object) -> None:
        user = engine.current.user
        seen.append((user.get("username") if user else None, engine.current.session_token,
                     user.get("password") if user else None))

    engine.current.begin(None, None)
    store.create("Review", {}, as_ann)
    store.create("Review", {}, ANONYMOUS)
    assert seen == [("ann", ann["sessionToken"], None), (None, None, None)]
    assert engine.current.user is None  # restored after the hook


def test_user_hooks_never_see_the_password(store: Store, engine: Engine) -> None:
    seen = []

    @engine.before_save("_User")
    def before_sign_up(user: Object) -> None:
        seen.append(dict(user.attributes))
        user.set("nickname", user.get("username").upper())
        user.set("password", "hook tries to replace it")

    engine.before_update("_User")(lambda user: seen.append(dict(user.attributes)))
    engine.after_update("_User")(lambda user: seen.append(dict(user.attributes)))
    ann = store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    store.update("_User", ann["objectId"], {"age": 3, "password": "pw2"}, MASTER)
    assert all("password" not in fields and "sessionToken" not in fields for fields in seen) and len(seen) == 3
    user = store.log_in({"username": "ann", "password": "pw2"}, ANONYMOUS)
    assert user["nickname"] == "ANN"


def test_on_login_may_refuse_with_401(store: Store, engine: Engine) -> None:
    seen = []

    @engine.on_login
    def check(user: Object) -> None:
        seen.append((user.get("username"), user.get("password"), user.get("sessionToken")))
        if user.get("banned"):
            raise LeanEngineError(1, "this user is banned")

    store.sign_up({"username": "ann", "password": "pw"}, ANONYMOUS)
    store.sign_up({"username": "eve", "password": "pw", "banned": True}, ANONYMOUS)
    assert store.log_in({"username": "ann", "password": "pw"}, ANONYMOUS)["username"] == "ann"
    with pytest.raises(LeanCloudError) as caught:
        store.log_in({"username": "eve", "password": "pw"}, ANONYMOUS)
    assert (caught.value.code, caught.value.status) == (142, 401)
    assert caught.value.error == "Cloud Code validation failed. Error detail: this user is banned"
    assert seen == [("ann", None, None), ("eve", None, None)]
    with pytest.raises(LeanCloudError) as caught:  # a wrong password never reaches the hook
        store.log_in({"username": "eve", "password": "nope"}, ANONYMOUS)
    assert caught.value.code == 210 and len(seen) == 2


def test_a_refused_sign_up_stores_no_user(store: Store, engine: Engine) -> None:
    @engine.before_save("_User")
    def no_admins(user: Object) -> None:
        if user.get("username") == "admin":
            raise LeanEngineError("this name is reserved")

    with pytest.raises(LeanCloudError) as caught:
        store.sign_up({"username": "admin", "password": "pw"}, ANONYMOUS)
    assert caught.value.code == 142 and caught.value.error.endswith("this name is reserved")
    assert error_code(lambda: store.log_in({"username": "admin", "password": "pw"}, ANONYMOUS)) == 211


def test_delete_hooks_do_not_run_for_objects_the_caller_cannot_change(store: Store, engine: Engine) -> None:
    runs: list[str] = []
    engine.before_delete("Review")(lambda obj: runs.append("beforeDelete"))
    engine.after_delete("Review")(lambda obj: runs.append("afterDelete"))
    hidden = store.create("Review", {"ACL": {}}, MASTER)["objectId"]
    readonly = store.create("Review", {"ACL": {"*": {"read": True}}}, MASTER)["objectId"]
    store.delete("Review", hidden, ANONYMOUS)  # as if absent
    assert error_code(lambda: store.delete("Review", readonly, ANONYMOUS)) == 403
    assert runs == [] and count(store) == 2


def error_code(call: Any) -> int:
    with pytest.raises(LeanCloudError) as caught:
        call()
    return caught.value.code
