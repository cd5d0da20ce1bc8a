"""REST API: rooms and their posts (issue 14, WP2).

An empty router from the skeleton; its work package fills it.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Project rooms"])
