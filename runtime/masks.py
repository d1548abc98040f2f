"""Helpers that generated mask code calls, and the one place the value policy is written.

Value policy of `py-eval` and `py-attr`:

- without `--autoescape` a value becomes `str(value)`, exactly as in CherryPy 0.10
  (so `None` shows as `None`); the generated code calls `str` directly;
- with `--autoescape` it becomes `markupsafe.escape(value)`: `&<>"'` are escaped,
  objects with `__html__` (such as `Markup`, which masks return) pass unchanged, and
  the mask returns `Markup`, so one mask can embed another without double escaping.
"""

from __future__ import annotations

from typing import Any


def last_index(items: Any) -> int:
    """`_end` of a `py-for`: the index of the last item, or -1 when it has no length."""
    try:
        return len(items) - 1
    except TypeError:
        return -1
