"""LeanCloudError: a storage error with its LeanStorage code (spec §15.6) and HTTP status."""

from __future__ import annotations


class LeanCloudError(Exception):
    """An error of the object store, as the official SDK names it.

    `code` and `error` are what a REST client gets as `{"code", "error"}`; `status` is the
    HTTP status of that answer. In-process calls (the Python API) raise it as it is.
    """

    def __init__(self, code: int, error: str, status: int = 400) -> None:
        super().__init__(code, error)
        self.code = code
        self.error = error
        self.status = status

    def __str__(self) -> str:
        return f"LeanCloudError: [{self.code}] {self.error}"

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "error": self.error}
