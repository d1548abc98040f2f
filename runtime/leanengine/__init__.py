"""LeanEngine-style cloud functions and hooks: `Engine`, `LeanEngineError`."""

from .errors import LeanEngineError
from .registry import Engine

__all__ = ["Engine", "LeanEngineError"]
