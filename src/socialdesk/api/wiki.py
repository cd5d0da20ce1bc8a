"""REST API: wiki spaces, pages and revisions (issue 14, WP3).

An empty router from the skeleton; its work package fills it.
"""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Wiki"])
