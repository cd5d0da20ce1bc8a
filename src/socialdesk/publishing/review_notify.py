"""Tell approvers a post waits for them: in the app and by e-mail with a signed, single-use link.

A link names one person and one version of the post (`ApprovalLink`); the token signs only the
link's nonce, with its own salt, and is good for `LINK_DAYS` days. What the link may still do is
decided when it is used (`approval_links.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext

from socialdesk.accounts.models import User
from socialdesk.inbox.models import Notification
from socialdesk.inbox.notify import excerpt, notify
from socialdesk.publishing import approvals
from socialdesk.publishing.models import ApprovalLink, Post

LINK_DAYS = 7
LINK_SALT = "socialdesk.publishing.approval-link"


def link_token(link: ApprovalLink) -> str:
    return signing.dumps({"n": link.nonce}, salt=LINK_SALT)


def read_nonce(token: str) -> str:
    """The nonce of a token; raises `signing.SignatureExpired` / `signing.BadSignature`."""
    payload = signing.loads(token, salt=LINK_SALT, max_age=LINK_DAYS * 24 * 3600)
    if not isinstance(payload, dict) or not isinstance(payload.get("n"), str):
        raise signing.BadSignature("no nonce")
    return str(payload["n"])


def post_path(post: Post) -> str:
    return reverse("publishing:post_review", args=[post.pk])


def _name(post: Post) -> str:
    return excerpt(post.title or post.text)


def ask_approvers(post: Post) -> list[User]:
    """Tell the people the post waits for now; each gets their own link. Return them."""
    step, people = approvals.asked_now(post)
    name = _name(post)
    for person in people:
        link = ApprovalLink.objects.create(
            post=post, step=step, user=person, version=post.version, nonce=approvals.new_nonce()
        )
        url = settings.SITE_URL + reverse("publishing:approval_link", args=[link_token(link)])
        notify(
            [person],
            kind=Notification.Kind.POST,
            path=post_path(post),
            title=lambda: gettext("Please approve the post “%(title)s”") % {"title": name},
            template="publishing/email/approval_request.txt",
            context={
                "post": post,
                "excerpt": name,
                "approve_url": url,
                "days": LINK_DAYS,
                "channels": [str(t.channel) for t in post.targets.select_related("channel")],
            },
        )
    return people


def tell_mentioned(post: Post, who: str, text: str, people: list[User]) -> None:
    """Tell people mentioned in an internal comment on a post."""
    quote = excerpt(text)
    notify(
        people,
        kind=Notification.Kind.POST,
        path=post_path(post),
        title=lambda: (
            gettext("%(who)s mentioned you on a post: “%(text)s”") % {"who": who, "text": quote}
        ),
        template="publishing/email/post_mention.txt",
        context={"who": who, "excerpt": quote, "title": _name(post)},
    )


def tell_author(post: Post, who: str, *, approved: bool, comment: str = "") -> None:
    """Tell the author that the post has every approval, or that changes were asked for."""
    author = post.author
    if author is None or not author.is_active:
        return
    name = _name(post)
    if approved:
        title = lambda: gettext("Your post “%(title)s” is approved") % {"title": name}  # noqa: E731
    else:
        title = lambda: gettext("%(who)s asked for changes to your post “%(title)s”") % {  # noqa: E731
            "who": who, "title": name,
        }  # fmt: skip
    notify(
        [author],
        kind=Notification.Kind.POST,
        path=post_path(post),
        title=title,
        template="publishing/email/post_decided.txt",
        context={"who": who, "title": name, "approved": approved, "comment": comment,
                 "at": post.scheduled_at},
    )  # fmt: skip
