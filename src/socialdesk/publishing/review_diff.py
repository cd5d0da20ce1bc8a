"""What changed in a post after an approval: the values before and after, and a readable diff.

`snapshot` takes what a review looked at (texts, the time, the channels and each channel's
parts); `changes` keeps what differs, as JSON for the "back_to_review" event; `show` turns it
into words and a word-level diff (escaped) for the page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from socialdesk.publishing.models import Post

_WORDS = re.compile(r"\s*\S+|\s+")  # a word with the spaces before it


def snapshot(post: Post) -> dict[str, Any]:
    """What a reviewer saw, as JSON values."""
    parts: dict[str, list[str]] = {}
    channels: dict[str, str] = {}
    for target in post.targets.select_related("channel").order_by("pk"):
        channels[str(target.channel_id)] = str(target.channel)
        parts[str(target.channel_id)] = list(target.parts.values_list("text", flat=True))
    return {
        "text": post.text,
        "thread": [str(t) for t in post.thread or []],
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "content_warning": post.content_warning,
        "link_url": post.link_url,
        "channels": channels,
        "parts": parts,
        "media": [
            f"{m.filename or m.mime} ({m.alt_text or '–'})"
            for m in post.media.only("filename", "mime", "alt_text", "part", "position")
        ],
    }


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for every field that differs."""
    return {
        key: [before.get(key), value] for key, value in after.items() if before.get(key) != value
    }


def words_diff(old: str, new: str) -> SafeString:
    """Word-level diff of two texts as escaped HTML with <del> and <ins>."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if j2 > j1:
            out.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def when(value: str | None) -> str:
    """An ISO time as the reader reads times (their time zone and language)."""
    if not value:
        return _("no time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return _("no time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


@dataclass
class Shown:
    label: str
    diff: SafeString | None = None  # for texts
    before: str = ""  # for times and lists
    after: str = ""


def _joined(parts: Any) -> str:
    return "\n\n".join(str(p) for p in parts or [])


def show(
    diff: dict[str, Any], names: dict[str, str] | None = None, main: list[str] | None = None
) -> list[Shown]:
    """Each change in words, texts as a word-level diff. `names` names the channels by id;
    a channel whose parts just follow the main text (`main`) is not shown twice."""
    shown: list[Shown] = []
    for key, (old, new) in diff.items():
        if key == "text":
            shown.append(Shown(_("Text"), words_diff(old or "", new or "")))
        elif key == "thread":
            shown.append(
                Shown(_("Later parts of the thread"), words_diff(_joined(old), _joined(new)))
            )
        elif key == "content_warning":
            shown.append(Shown(_("Content warning"), words_diff(old or "", new or "")))
        elif key == "link_url":
            shown.append(Shown(_("Link"), before=old or "–", after=new or "–"))
        elif key == "scheduled_at":
            shown.append(Shown(_("Time"), before=when(old), after=when(new)))
        elif key == "media":
            shown.append(
                Shown(
                    _("Images"),
                    before="; ".join(old or []) or "–",
                    after="; ".join(new or []) or "–",
                )
            )
        elif key == "channels":
            shown.append(
                Shown(
                    _("Channels"),
                    before=", ".join((old or {}).values()) or "–",
                    after=", ".join((new or {}).values()) or "–",
                )
            )
        elif key == "parts":
            old, new = old or {}, new or {}
            for channel in sorted(set(old) & set(new)):
                if old[channel] != new[channel] and new[channel] != main:
                    shown.append(
                        Shown(
                            _("Text on %(channel)s")
                            % {"channel": (names or {}).get(channel, channel)},
                            words_diff(_joined(old[channel]), _joined(new[channel])),
                        )
                    )
    return shown
