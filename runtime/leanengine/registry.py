"""Engine: the registry of cloud functions and hooks, filled by decorators (spec §10.1)."""

from __future__ import annotations

import threading
from typing import Any, Callable

Function = Callable[..., Any]

#: Class-hook decorators and the internal name prefix each one registers under.
CLASS_HOOKS = {
    "before_save": "__before_save_for_",
    "after_save": "__after_save_for_",
    "before_update": "__before_update_for_",
    "after_update": "__after_update_for_",
    "before_delete": "__before_delete_for_",
    "after_delete": "__after_delete_for_",
}
VERIFIED_TYPES = ("sms", "email")


class Current(threading.local):
    """The caller of the cloud code running in this thread: user, session token, meta.

    The engine sets it for each request as one tuple (cheap); `meta` (the caller's
    address) is worked out on first read.
    """

    _state: tuple[Any, str | None, dict[str, Any] | None, Any] = (None, None, {}, None)

    def begin(self, user: Any, session_token: str | None, find_meta: Any = None) -> None:
        """A new caller; `find_meta()` gives `meta` when it is first read."""
        self._state = (user, session_token, None, find_meta)

    def end(self) -> None:
        """No caller (outside a cloud request)."""
        self._state = (None, None, {}, None)

    @property
    def user(self) -> Any:
        return self._state[0]

    @user.setter
    def user(self, value: Any) -> None:
        self._state = (value,) + self._state[1:]

    @property
    def session_token(self) -> str | None:
        return self._state[1]

    @session_token.setter
    def session_token(self, value: str | None) -> None:
        user, _, meta, find = self._state
        self._state = (user, value, meta, find)

    @property
    def meta(self) -> dict[str, Any]:
        user, token, meta, find = self._state
        if meta is None:
            meta = find() if find is not None else {}
            self._state = (user, token, meta, find)
        return meta

    @meta.setter
    def meta(self, value: dict[str, Any]) -> None:
        user, token, _, find = self._state
        self._state = (user, token, value, find)


#: The caller of the cloud code running in each thread: one per process, shared by every
#: Engine (merged engines of plain modules see the same caller), as in the official SDK.
CURRENT = Current()


class Engine:
    """Cloud functions and hooks by name, as the official `leancloud.Engine` keeps them.

    Names follow the official SDK: a function's own name (or the one given to
    `define`), `__before_save_for_<Class>` and the like for class hooks,
    `__on_login__User`, `__on_authdata__User`, `__on_verified_<sms|email>`.
    """

    def __init__(self) -> None:
        self.functions: dict[str, Function] = {}
        self.current = CURRENT

    def define(self, name_or_function: str | Function) -> Any:
        """Register a cloud function: `@engine.define` or `@engine.define("name")`."""
        if isinstance(name_or_function, str):
            name = name_or_function

            def register(function: Function) -> Function:
                self._add(name, function)
                return function

            return register
        self._add(name_or_function.__name__, name_or_function)
        return name_or_function

    def _add(self, name: str, function: Function) -> None:
        if name in self.functions:
            raise RuntimeError(f"cloud function: {name} is already registered")
        self.functions[name] = function

    def _class_hook(self, prefix: str, class_name: str) -> Callable[[Function], Function]:
        name = prefix + class_name
        if name in self.functions:
            raise RuntimeError(f"cloud function: {name} is already registered")

        def register(function: Function) -> Function:
            self._add(name, function)
            return function

        return register

    def before_save(self, class_name: str) -> Callable[[Function], Function]:
        """`@engine.before_save("Review")`: runs before a new object is saved."""
        return self._class_hook(CLASS_HOOKS["before_save"], class_name)

    def after_save(self, class_name: str) -> Callable[[Function], Function]:
        """`@engine.after_save("Review")`: runs after a new object was saved."""
        return self._class_hook(CLASS_HOOKS["after_save"], class_name)

    def before_update(self, class_name: str) -> Callable[[Function], Function]:
        """`@engine.before_update("Review")`: runs before an object is updated."""
        return self._class_hook(CLASS_HOOKS["before_update"], class_name)

    def after_update(self, class_name: str) -> Callable[[Function], Function]:
        """`@engine.after_update("Review")`: runs after an object was updated."""
        return self._class_hook(CLASS_HOOKS["after_update"], class_name)

    def before_delete(self, class_name: str) -> Callable[[Function], Function]:
        """`@engine.before_delete("Album")`: runs before an object is deleted."""
        return self._class_hook(CLASS_HOOKS["before_delete"], class_name)

    def after_delete(self, class_name: str) -> Callable[[Function], Function]:
        """`@engine.after_delete("Album")`: runs after an object was deleted."""
        return self._class_hook(CLASS_HOOKS["after_delete"], class_name)

    def on_login(self, function: Function) -> Function:
        """`@engine.on_login`: runs before a user logs in; raising refuses the login."""
        self._add("__on_login__User", function)
        return function

    def on_auth_data(self, function: Function) -> Function:
        """`@engine.on_auth_data`: receives and returns third-party authData."""
        self._add("__on_authdata__User", function)
        return function

    def on_verified(self, verify_type: str) -> Callable[[Function], Function]:
        """`@engine.on_verified("sms")` or `("email")`: runs after a user is verified."""
        if verify_type not in VERIFIED_TYPES:
            raise RuntimeError(f"verify_type must be one of {', '.join(VERIFIED_TYPES)}")
        return self._class_hook("__on_verified_", verify_type)

    def register(self, other: "Engine") -> None:
        """Merge another engine's functions and hooks; nothing is merged on a clash."""
        if not isinstance(other, Engine):
            raise TypeError("Please specify an Engine instance")
        clashes = sorted(set(self.functions) & set(other.functions))
        if clashes:
            verb = "is" if len(clashes) == 1 else "are"
            raise RuntimeError(f"cloud function: {', '.join(clashes)} {verb} already registered.")
        self.functions.update(other.functions)
