"""Parse and check a LeanStorage `where` (spec §15.3) into a condition tree for the backends.
TODO(issue 6): implementation."""

from __future__ import annotations

from typing import Any

Condition = Any
