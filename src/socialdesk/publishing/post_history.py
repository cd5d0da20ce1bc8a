"""The history of a post in words, from its `PostEvent`s (times in the reader's locale)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from socialdesk.publishing import review_diff
from socialdesk.publishing.models import Post, PostEvent, PostStatus


@dataclass
class Line:
    at: datetime
    text: str
    quote: str = ""
    changes: list[review_diff.Shown] = field(default_factory=list)
    kind: str = ""


FIELDS: dict[str, Callable[[], str]] = {
    "text": lambda: _("the text"),
    "thread": lambda: _("the later parts of the thread"),
    "scheduled_at": lambda: _("the time"),
    "content_warning": lambda: _("the content warning"),
    "link_url": lambda: _("the link"),
    "channels": lambda: _("the channels"),
    "media": lambda: _("the images"),
    "image": lambda: _("the images"),
    "alt_text": lambda: _("the alt text"),
    "title": lambda: _("the title"),
    "language": lambda: _("the language"),
    "visibility": lambda: _("the visibility"),
    "campaign": lambda: _("the campaign"),
}


def what(changed: list[Any], names: dict[str, str]) -> str:
    """ "the text and the time" from ["text", "scheduled_at"]."""
    words: list[str] = []
    for item in changed:
        key = str(item)
        if key.startswith("variant:"):
            channel = names.get(key.split(":", 1)[1], "")
            word = (
                _("the text for %(channel)s") % {"channel": channel} if channel else _("a variant")
            )
        elif key in FIELDS:
            word = FIELDS[key]()
        else:
            word = key.replace("_", " ")
        if word not in words:
            words.append(word)
    if not words:
        return _("something")
    if len(words) == 1:
        return words[0]
    return _("%(list)s and %(last)s") % {"list": ", ".join(words[:-1]), "last": words[-1]}


def _text(event: PostEvent, who: str) -> str:
    data = event.data or {}
    names = {str(k): str(v) for k, v in (data.get("names") or {}).items()}
    changed = what(list(data.get("changed") or []), names)
    kind = event.kind
    if kind == "created":
        return _("%(who)s created the post.") % {"who": who}
    if kind == "changed":
        return _("%(who)s changed %(what)s.") % {"who": who, "what": changed}
    if kind == "back_to_review":
        return _("The post went back to review because %(what)s changed after an approval.") % {
            "what": changed
        }
    if kind == "submitted":
        return _("%(who)s sent the post for review.") % {"who": who}
    if kind == "approval":
        step = str(data.get("step") or "")
        if data.get("by_link"):
            if step:
                return _("%(who)s approved by e-mail link (step: %(step)s).") % {
                    "who": who, "step": step,
                }  # fmt: skip
            return _("%(who)s approved by e-mail link.") % {"who": who}
        if step:
            return _("%(who)s approved (step: %(step)s).") % {"who": who, "step": step}
        return _("%(who)s approved.") % {"who": who}
    if kind == "approved":
        return _("The post has every approval it needs.")
    if kind == "scheduled":
        return _("Scheduled for %(when)s") % {"when": review_diff.when(data.get("at"))}
    if kind == "changes_requested":
        return _("%(who)s asked for changes.") % {"who": who}
    if kind == "publish_now":
        return _("%(who)s had the post published now.") % {"who": who}
    if kind in PostStatus.values:
        return _("The post is now: %(status)s.") % {"status": PostStatus(kind).label}
    return _("%(who)s: %(what)s.") % {"who": who, "what": kind.replace("_", " ")}


def history(post: Post) -> list[Line]:
    """Every event of the post in words, oldest first."""
    lines: list[Line] = []
    for event in post.events.select_related("actor").order_by("created_at", "pk"):
        who = str(event.actor) if event.actor is not None else _("socialdesk")
        data = event.data or {}
        line = Line(at=event.created_at, text=_text(event, who), kind=event.kind)
        if event.kind in ("approval", "changes_requested"):
            line.quote = str(data.get("comment") or "")
        if event.kind == "back_to_review" and isinstance(data.get("diff"), dict):
            names = {str(k): str(v) for k, v in (data.get("names") or {}).items()}
            main = data.get("main") if isinstance(data.get("main"), list) else None
            line.changes = review_diff.show(data["diff"], names, main)
        lines.append(line)
    return lines
