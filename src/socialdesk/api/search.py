"""REST API: one search over everything a person may see (issue 14, WP4).

An empty router from the skeleton; its work package fills it.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Search"])
