"""REST API: one search over everything a person may see (issue 14, WP4); the work package fills this router."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["Search"])
