"""The signed, single-use approval links from the e-mail: check one, and act on it once.

A link acts as the person it was sent to, for the version it was sent for. Expired, forged,
already used, for an older version, or for a step someone else has already decided: nothing
changes, and `LinkError.reason` says which it was.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting
from socialdesk.publishing import approvals, review_notify, services
from socialdesk.publishing.models import ApprovalLink, Post, PostStatus


class LinkError(Exception):
    """A link that changes nothing; `reason` is one of REASONS, the message says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    @property
    def message(self) -> str:
        return {
            "expired": _(
                "This link has expired: approval links work for %(days)s days. "
                "Open the post in socialdesk instead."
            )
            % {"days": review_notify.LINK_DAYS},
            "forged": _("This link is not valid: it was changed or not made by us."),
            "used": _("This link has been used already; it works only once."),
            "older": _(
                "The post has changed since this link was sent: it is for an older version. "
                "A new link comes with the new version."
            ),
            "decided": _("This post no longer waits for your decision; nothing was changed."),
        }[self.reason]


REASONS = ("expired", "forged", "used", "older", "decided")


def read_link(token: str) -> ApprovalLink:
    """The link of a token, if it may still be used; raise LinkError saying why not."""
    try:
        nonce = review_notify.read_nonce(token)
    except signing.SignatureExpired:
        raise LinkError("expired") from None
    except signing.BadSignature:
        raise LinkError("forged") from None
    link = ApprovalLink.objects.select_related("post", "user", "step").filter(nonce=nonce).first()
    if link is None or not link.user.is_active:
        raise LinkError("forged")
    if link.used_at is not None:
        raise LinkError("used")
    if link.version != link.post.version:
        raise LinkError("older")
    if not _still_asked(link):
        raise LinkError("decided")
    return link


def _still_asked(link: ApprovalLink) -> bool:
    post = link.post
    if post.status != PostStatus.IN_REVIEW:
        return False
    step = approvals.current_step(post)
    if step is None:
        return link.step_id is None and not approvals.approved_fully(post)
    return link.step_id in step.ids and link.user_id in {u.pk for u in step.awaited}


def _use(token: str) -> ApprovalLink:
    link = read_link(token)
    with transaction.atomic():
        used = ApprovalLink.objects.filter(pk=link.pk, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        if not used:
            raise LinkError("used")
    return link


@transaction.atomic
def link_approve(*, token: str, comment: str = "", ip: str | None = None) -> Post:
    """Approve the post as the link's person (once)."""
    link = _use(token)
    return services.post_approve(
        by=Acting(user=link.user, ip=ip), post=link.post, comment=comment, by_link=True
    )


@transaction.atomic
def link_request_changes(*, token: str, comment: str, ip: str | None = None) -> Post:
    """Send the post back to its author with a comment, as the link's person (once)."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    link = _use(token)
    return services.post_request_changes(
        by=Acting(user=link.user, ip=ip), post=link.post, comment=comment, by_link=True
    )
