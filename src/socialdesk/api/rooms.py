"""REST API: rooms and their posts (issue 14, WP2); the work package fills this router."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Project rooms"])
