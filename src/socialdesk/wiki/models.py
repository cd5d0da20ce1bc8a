"""The models of `wiki`: spaces, pages, revisions, links, aliases, drafts, reply sources."""

from .page_models import (
    BODY_MAX,
    NOTE_MAX,
    TITLE_MAX,
    WikiAlias,
    WikiDraft,
    WikiLink,
    WikiPage,
    WikiReply,
    WikiRevision,
)
from .space_models import SPACE_KEY_MAX, SPACE_NAME_MAX, WikiSpace

__all__ = [
    "BODY_MAX",
    "NOTE_MAX",
    "SPACE_KEY_MAX",
    "SPACE_NAME_MAX",
    "TITLE_MAX",
    "WikiAlias",
    "WikiDraft",
    "WikiLink",
    "WikiPage",
    "WikiReply",
    "WikiRevision",
    "WikiSpace",
]
