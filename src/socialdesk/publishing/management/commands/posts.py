"""`socialdesk posts add|list|publish-due`: write, schedule and publish posts from the command line.

`add` acts as the first admin unless `--as EMAIL`; `--approve` sends the post for review and
approves it as that person (managers and admins may), so it is scheduled (without `--at` it goes
out at the worker's next look). `publish-due` is one pass of what the worker does every second.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Role, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing import engine, images, rules, selectors, services
from socialdesk.publishing.models import Campaign, Post, PostStatus

APPROVERS = (Role.ADMIN, Role.MANAGER)


def _said(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}" if field != "__all__" else
            " ".join(str(m) for m in messages)
            for field, messages in error.message_dict.items()
        )  # fmt: skip
    return " ".join(str(m) for m in error.messages)


def _person(email: str | None) -> User:
    if email:
        found = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if found is None:
            raise CommandError(f"nobody active with the e-mail address {email!r}")
        return found
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    if admin is None:
        raise CommandError("there is no active admin: create one with `socialdesk ensure_admin`")
    return admin


def _channel(name: str) -> ChannelAccount:
    wanted = name.strip().lstrip("@")
    found = list(
        ChannelAccount.objects.filter(Q(name__iexact=wanted) | Q(handle__iexact=wanted))
        .exclude(handle="")
        .filter(disconnected_at__isnull=True)[:2]
    )
    if len(found) != 1:
        known = ", ".join(
            sorted(
                c.name or c.handle
                for c in ChannelAccount.objects.exclude(handle="").filter(
                    disconnected_at__isnull=True
                )
            )
        )
        problem = "unknown channel" if not found else "more than one channel is called"
        raise CommandError(f"{problem} {name!r} (channels: {known or 'none yet'})")
    return found[0]


def _campaign(user: User, name: str) -> Campaign:
    found = selectors.campaigns_for_user(user).filter(name__iexact=name.strip()).first()
    if found is None:
        raise CommandError(f"unknown campaign {name!r}")
    return found


def _time(value: str) -> datetime:
    try:
        at = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--at {value!r} is not a time such as 2026-12-01T09:30 or 2026-12-01T09:30+01:00"
        ) from None
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at


def _row(post: Post) -> dict[str, Any]:
    return {
        "id": post.pk,
        "status": post.status,
        "scheduled_at": post.scheduled_at.isoformat() if post.scheduled_at else None,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "text": post.text,
        "channels": [
            {
                "channel": t.channel.name or t.channel.handle,
                "network": t.channel.network,
                "state": t.state,
                "url": t.url,
                "remote_id": t.remote_id,
                "error_code": t.error_code,
                "error": t.error,
            }
            for t in post.targets.all()
        ],
    }


class Command(BaseCommand):
    help = "Add, list and publish posts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="write a post for one or more channels")
        add.add_argument(
            "--channel", action="append", required=True, help="a channel's name or handle"
        )
        add.add_argument("--text", required=True)
        add.add_argument("--at", help="when to publish, ISO 8601 (e.g. 2026-12-01T09:30)")
        add.add_argument("--image", type=Path, help="an image file (JPEG, PNG, WebP, GIF)")
        add.add_argument("--alt", default="", help="the image's alt text (needed with --image)")
        add.add_argument("--campaign", help="the campaign's name")
        add.add_argument("--approve", action="store_true", help="approve it as the acting person")
        add.add_argument("--as", dest="as_email", help="act as this person (default: first admin)")
        add.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="list posts, newest first")
        listing.add_argument("--status", choices=PostStatus.values)
        listing.add_argument("--as", dest="as_email", help="list what this person may see")
        listing.add_argument("--json", action="store_true")
        sub.add_parser("publish-due", help="publish what is due now (one pass of the worker)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
        elif options["action"] == "list":
            self._list(options)
        else:
            done = engine.publish_due()
            self.stdout.write(
                f"started {done.started} post(s); {done.sent} part(s) published, "
                f"{done.failed} failed, {done.retrying} to try again later"
            )

    def _add(self, options: dict[str, Any]) -> None:
        user = _person(options["as_email"])
        by = Acting(user=user, label="")
        channels = list(dict.fromkeys(_channel(name) for name in options["channel"]))
        campaign = _campaign(user, options["campaign"]) if options["campaign"] else None
        at = _time(options["at"]) if options["at"] else None
        image: bytes | None = None
        if options["image"] is not None:
            if not options["alt"].strip():
                raise CommandError("--alt: describe the image for people who cannot see it")
            try:
                image = options["image"].read_bytes()
            except OSError as error:
                raise CommandError(f"--image: cannot read {options['image']}: {error}") from None
        if options["approve"] and user.role not in APPROVERS:
            raise CommandError(
                f"{user.email} ({user.get_role_display()}) may not approve posts; "
                "leave out --approve or act --as a manager"
            )
        try:
            with transaction.atomic():  # nothing saved half: a bad image leaves no post
                post = services.post_create(
                    by=by, text=options["text"], channels=channels, campaign=campaign,
                    scheduled_at=at,
                )  # fmt: skip
                if image is not None:
                    max_bytes, max_pixels = rules.image_limits(channels)
                    try:
                        prepared = images.prepare(image, max_bytes=max_bytes, max_pixels=max_pixels)
                    except ValidationError as error:
                        raise ValidationError({"image": error.messages}) from None
                    services.post_add_image(
                        by=by, post=post, image=prepared, alt_text=options["alt"].strip(),
                        filename=options["image"].name[:255],
                    )  # fmt: skip
                if options["approve"]:
                    services.post_submit(by=by, post=post)
                    post = services.post_approve(by=by, post=post)
                    if post.scheduled_at is None:
                        post = services.post_publish_now(by=by, post=post)
        except ValidationError as error:
            raise CommandError(_said(error)) from None
        post.refresh_from_db()
        if options["json"]:
            self.stdout.write(json.dumps(_row(post), ensure_ascii=False, indent=2))
            return
        when = (
            f" for {timezone.localtime(post.scheduled_at):%Y-%m-%d %H:%M}"
            if post.scheduled_at
            else ""
        )
        names = ", ".join(c.name or c.handle for c in channels)
        self.stdout.write(f"post {post.pk} on {names}: {post.get_status_display()}{when}")

    def _list(self, options: dict[str, Any]) -> None:
        user = _person(options["as_email"])
        posts = selectors.posts_for_user(user).prefetch_related("targets__channel")
        if options["status"]:
            posts = posts.filter(status=options["status"])
        rows = [_row(post) for post in posts.order_by("-scheduled_at", "-pk")[:500]]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("no posts")
            return
        for row in rows:
            when = row["scheduled_at"] or "not scheduled"
            self.stdout.write(f"{row['id']:>6}  {row['status']:<17} {when}  {row['text'][:50]}")
            for target in row["channels"]:
                where = target["url"] or target["error"][:80]
                self.stdout.write(
                    f"        {target['channel']:<20} {target['state']:<10} "
                    f"{target['remote_id'] or '-'}  {where}"
                )
