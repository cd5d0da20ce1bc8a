"""Issue 14, `search`: its pages in the page-wide checks (see `tests/issue14/__init__.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}
KINDS: dict[str, str] = {}
VARIANTS: dict[str, list[str]] = {}


def world(w: Any, people: dict[str, Any], departments: dict[str, Any]) -> None:
    """Create this package's objects in the visibility world (nothing yet)."""
