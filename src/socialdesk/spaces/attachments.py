"""Files on room posts (filled in by priority 4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .models import RoomPost


def check_files(files: Sequence[Any]) -> list[Any]:
    return list(files)


def store(post: RoomPost, checked: Sequence[Any]) -> None:
    return None
