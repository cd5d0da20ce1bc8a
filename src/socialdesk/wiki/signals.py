"""Signals of the wiki (internal hooks, DESIGN.md hook table).

`page_saved(sender=WikiPage, page=…, by=…)` is sent inside the save's transaction after every
new revision (save, restore, managed sync); `wiki.replies` (WP1) keeps saved replies in step.
"""

from __future__ import annotations

from django.dispatch import Signal

page_saved = Signal()
