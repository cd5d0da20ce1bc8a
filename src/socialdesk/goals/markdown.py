"""Markdown to safe HTML: moved to `core.markdown` (issue 14), re-exported for goals."""

from __future__ import annotations

from socialdesk.core.markdown import ATTRIBUTES, SCHEMES, TAGS, render

__all__ = ["ATTRIBUTES", "SCHEMES", "TAGS", "render"]
