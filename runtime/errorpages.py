"""The default error pages and XML-RPC faults; tracebacks named by .cpy file and line."""

from __future__ import annotations

import xmlrpc.client
from html import escape

from .sourcemap import format_exception

_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{status}</title></head>
<body><h1>{status}</h1>
<p>{message}</p>{details}
</body></html>
"""

_MESSAGES = {
    400: "The request is malformed.",
    404: "Nothing here answers this address.",
    413: "The request body is too large.",
    500: "The server met an error while answering this request.",
}


def html_page(status: str, detail: str = "", trace: str = "") -> str:
    """An HTML error page; `detail` (a safe explanation) and `trace` are optional."""
    code = int(status[:3])
    message = escape(detail) if detail else _MESSAGES.get(code, "The request failed.")
    details = f"\n<pre>{escape(trace)}</pre>" if trace else ""
    return _PAGE.format(status=escape(status), message=message, details=details)


def xmlrpc_fault(text: str) -> str:
    """An XML-RPC fault response (code 1), as 0.10's default onError gave."""
    return xmlrpc.client.dumps(xmlrpc.client.Fault(1, text), methodresponse=True)


def traceback_text(exc: BaseException) -> str:
    """The traceback of `exc` with frames of generated code at their .cpy lines."""
    return format_exception(exc)
