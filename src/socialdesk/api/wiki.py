"""REST API: wiki spaces, pages and revisions (issue 14, WP3); the work package fills this router."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Wiki"])
