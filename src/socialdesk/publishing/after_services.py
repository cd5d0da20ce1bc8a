"""Changing a post after it went out: edit it on Mastodon (its edit API), delete it from one
or all networks. Each is audited and told in the post's history (who, where, when).

The network is asked first; the database records only what the network did. A target whose
deletion the network confirms (or that is already gone there) becomes DELETED once, however
often the request is repeated or by how many people at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.channels.base import ChannelError, Outgoing, PermanentError
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import deletes, edits, load
from socialdesk.publishing.models import PartState, Post, PostPart, PostTarget, TargetState
from socialdesk.publishing.services import event

URL = re.compile(r"https?://\S+")
MENTION = re.compile(r"@(\w+)@[\w.-]+\w")
MASTODON_LIMIT = 500  # when the instance did not say


def mastodon_length(text: str, reserved_per_url: int = 23) -> int:
    """Characters as Mastodon counts them: a URL counts as `reserved_per_url`, a mention of a
    remote account as its local part."""
    text = URL.sub("x" * reserved_per_url, text)
    return len(MENTION.sub(lambda m: "@" + m.group(1), text))


def check_mastodon_text(channel: ChannelAccount, text: str, content_warning: str) -> None:
    """The instance's rules for an edited post (text and content warning count together)."""
    if not text.strip():
        raise ValidationError({"text": _("Write the text of the post.")})
    limits = channel.limits or {}
    limit = int(limits.get("max_characters") or MASTODON_LIMIT)
    reserved = int(limits.get("characters_reserved_per_url") or 23)
    used = mastodon_length(text, reserved) + len(content_warning)
    if used > limit:
        raise ValidationError(
            {
                "text": _(
                    "Too long for %(channel)s: %(used)s of %(limit)s characters "
                    "(text and content warning together)."
                )
                % {"channel": channel, "used": used, "limit": limit}
            }
        )


def editable_targets(post: Post) -> list[PostTarget]:
    """The post's channels where it is out and can be edited."""
    out = []
    for target in post.targets.filter(state=TargetState.PUBLISHED).select_related("channel"):
        connector = load(target.channel.network)
        if connector is not None and edits(connector) and _first(target) is not None:
            out.append(target)
    return out


def deletable_targets(post: Post) -> list[PostTarget]:
    """The post's channels where it is out and can be deleted."""
    out = []
    for target in post.targets.filter(state=TargetState.PUBLISHED).select_related("channel"):
        connector = load(target.channel.network)
        if connector is not None and deletes(connector) and _first(target) is not None:
            out.append(target)
    return out


def _first(target: PostTarget) -> PostPart | None:
    return target.parts.filter(position=0, state=PartState.SENT).exclude(remote_id="").first()


def _sent(part: PostPart) -> dict[str, object]:
    return {"external_id": part.remote_id, **(part.meta or {})}


def _plain(error: ChannelError) -> str:
    return str(error)[:300]


def post_edit_published(
    *, by: Acting, post: Post, target: PostTarget, text: str, content_warning: str = ""
) -> PostPart:
    """Change the text and content warning of the post where it is out on `target`."""
    if target.post_id != post.pk or target not in editable_targets(post):
        raise ValidationError(_("This post cannot be edited there."))
    check_mastodon_text(target.channel, text, content_warning)
    part = _first(target)
    assert part is not None
    before = {
        "text": part.text,
        "content_warning": part.meta.get("content_warning", post.content_warning),
    }
    outgoing = Outgoing(
        key=part.key, text=text, created_at=part.sent_at or timezone.now(),
        language=post.language, content_warning=content_warning, visibility=post.visibility,
    )  # fmt: skip
    connector = load(target.channel.network)
    assert connector is not None and edits(connector)
    try:
        sent = connector.edit_published(target.channel, _sent(part), outgoing)
    except ChannelError as error:
        raise ValidationError(
            _("%(channel)s did not take the change: %(error)s")
            % {"channel": target.channel, "error": _plain(error)}
        ) from None
    part.text = text
    part.meta = {**(part.meta or {}), **(sent.meta or {}), "content_warning": content_warning}
    part.save(update_fields=["text", "meta"])
    if not target.customised:
        PostTarget.objects.filter(pk=target.pk).update(customised=True)
    event(post, by, "edited_published", channel=str(target.channel), network=target.channel.network)
    record(
        by, "post.edited_published", post, before=before,
        after={"text": text, "content_warning": content_warning, "channel": str(target.channel)},
    )  # fmt: skip
    return part


@dataclass
class Deletion:
    deleted: list[PostTarget] = field(default_factory=list)
    failed: list[tuple[PostTarget, str]] = field(default_factory=list)


def post_delete_published(*, by: Acting, post: Post, targets: Iterable[PostTarget]) -> Deletion:
    """Delete the post from these channels (each part of a thread, the last first). A network
    that fails keeps its target as it was and is named in the result; the others go on."""
    allowed = {t.pk: t for t in deletable_targets(post)}
    chosen = [allowed[t.pk] for t in targets if t.pk in allowed]
    if not chosen:
        raise ValidationError(_("Choose at least one network the post is on."))
    result = Deletion()
    for target in chosen:
        try:
            _delete_parts(target)
        except ChannelError as error:
            result.failed.append((target, _plain(error)))
            continue
        now = timezone.now()
        changed = PostTarget.objects.filter(pk=target.pk, state=TargetState.PUBLISHED).update(
            state=TargetState.DELETED, deleted_at=now
        )
        if changed:  # not already deleted by someone else at the same moment
            target.state, target.deleted_at = TargetState.DELETED, now
            event(post, by, "deleted_published", channel=str(target.channel),
                  network=target.channel.network)  # fmt: skip
            record(by, "post.deleted_published", post, after={"channel": str(target.channel)})
        result.deleted.append(target)
    return result


def _delete_parts(target: PostTarget) -> None:
    connector = load(target.channel.network)
    assert connector is not None and deletes(connector)
    parts = target.parts.filter(state=PartState.SENT).exclude(remote_id="").order_by("-position")
    for part in parts:
        try:
            connector.delete_published(target.channel, _sent(part))
        except PermanentError as error:
            if error.code != "not_found":  # already gone: that is what was asked
                raise
