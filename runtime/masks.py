"""Helpers that generated mask code calls, and the one place the value policy is written.

Value policy of `py-eval` and `py-attr`:

- without `--autoescape` a value becomes `str(value)`, exactly as in CherryPy 0.10
  (so `None` shows as `None`); the generated code calls `str` directly;
- with `--autoescape` it becomes `escape(value)` below: the same text as
  `markupsafe.escape` (`& < > " '` escaped; objects with `__html__`, such as the
  `Markup` that masks return, pass unchanged), and the mask returns `Markup`, so one
  mask can embed another without double escaping.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import markupsafe

try:  # markupsafe >= 3.0: the C escaper, without wrapping each value in Markup
    from markupsafe._speedups import _escape_inner as _escape_str
except ImportError:  # pragma: no cover - older markupsafe or no C speedups

    def _escape_str(text: str) -> str:
        return str(markupsafe.escape(text))


def escape(value: Any) -> str:
    """The HTML text of a value: escaped, unless it is markup (has `__html__`).

    Returns a plain `str` (pieces are joined and the mask wraps the result in
    `Markup` once). Numbers need no escaping, so they skip the escaper.
    """
    cls = value.__class__
    if cls is str:
        return _escape_str(value)
    if cls is int or cls is float:
        return str(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return html()
    return _escape_str(str(value))


def last_index(items: Any) -> int:
    """`_end` of a `py-for`: the index of the last item, or -1 when it has no length."""
    try:
        return len(items) - 1
    except TypeError:
        return -1


def markup_result(method: Callable[..., Any]) -> Callable[..., Any]:
    """For --autoescape masks whose code may `return` early: a `str` result becomes Markup.

    Masks return Markup; a py-code block that ends a mask with
    `return ''.join(_page)` returns a plain string, which would then be escaped again
    where the mask is embedded.
    """

    @functools.wraps(method)
    def mask(*args: Any, **kwargs: Any) -> Any:
        result = method(*args, **kwargs)
        return markupsafe.Markup(result) if result.__class__ is str else result

    return mask
