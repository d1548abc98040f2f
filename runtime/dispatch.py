"""Maps a request path to an instance and one of its masks or views (spec §14)."""

from __future__ import annotations

from typing import Any, Callable


class NotFound(Exception):
    """No mask or view answers this path: the client gets 404."""


class Router:
    """URL tables of the generated module (instance -> URL-visible methods)."""

    def __init__(self, urls: dict[str, tuple[str, ...]], instances: dict[str, Any]) -> None:
        self.visible = {name: frozenset(methods) for name, methods in urls.items()}
        self.instances = instances
        self._cache: dict[str, tuple[str, str]] = {}

    def resolve(self, path: str) -> tuple[str, str]:
        """`a/b/c` -> ('a_b', 'c') if that exists, else ('a_b_c', 'index') (spec §14).

        A single segment `x` counts as `root/x`; the empty path is `root.index`.
        """
        found = self._cache.get(path)
        if found is not None:
            return found
        segments = path.split("/") if path else ["root", "index"]
        if len(segments) == 1:
            segments = ["root", segments[0]]
        first = ("_".join(segments[:-1]), segments[-1])
        whole = "_".join(segments)
        if whole.startswith("root_"):
            whole = whole[len("root_") :]
        second = (whole, "index")
        for candidate in (first, second):
            if candidate[1] in self.visible.get(candidate[0], ()):
                if len(self._cache) < 10_000:
                    self._cache[path] = candidate
                return candidate
        raise NotFound(f"no mask or view answers '/{path}' (tried {first[0]}.{first[1]} and "
                       f"{second[0]}.{second[1]})")

    def method(self, path: str) -> Callable[..., Any]:
        """The bound mask or view for `path`."""
        instance, name = self.resolve(path)
        return getattr(self.instances[instance], name)
