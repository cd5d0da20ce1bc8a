"""The strategy as people read it: its Markdown as safe HTML (`core.markdown`, the one
renderer the guidelines use too) and the word diff between two versions (`core.textdiff`)."""

from __future__ import annotations

from socialdesk.core.markdown import render as render_markdown
from socialdesk.core.textdiff import DiffPart, word_diff

__all__ = ["DiffPart", "render_markdown", "word_diff"]
