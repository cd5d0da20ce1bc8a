"""`socialdesk channels`: add, list and poll channel accounts from the command line."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.channels import services
from socialdesk.channels.base import ChannelError, poll
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.protocol import CONNECTORS


class Command(BaseCommand):
    help = "Add, list and poll channel accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="connect a channel")
        kinds = add.add_subparsers(dest="kind", required=True, metavar="KIND")
        rss = kinds.add_parser("rss", help="an RSS or Atom feed to listen to")
        rss.add_argument("--url", required=True)
        rss.add_argument("--name", default="")
        rss.add_argument(
            "--every", type=int, default=300, help="seconds between polls (at least 60)"
        )
        masto = kinds.add_parser("mastodon", help="a Mastodon account (with an access token)")
        masto.add_argument("--instance", required=True, help="e.g. https://mastodon.social")
        masto.add_argument("--access-token", required=True)
        masto.add_argument("--name", default="")
        masto.add_argument("--every", type=int, default=60, help="seconds between polls")
        bsky = kinds.add_parser("bluesky", help="a Bluesky account (with an app password)")
        bsky.add_argument("--handle", required=True)
        bsky.add_argument("--app-password", required=True)
        bsky.add_argument("--service", default="https://bsky.social")
        bsky.add_argument("--name", default="")
        bsky.add_argument("--every", type=int, default=60, help="seconds between polls")
        hook = kinds.add_parser("webhook", help="an endpoint a network pushes JSON to")
        hook.add_argument("--name", required=True)
        hook.add_argument("--secret", default="", help="the signing secret (default: generated)")
        hook.add_argument(
            "--backfill-url",
            default="",
            help="where the network lists recent items, polled to catch lost deliveries",
        )
        hook.add_argument("--every", type=int, default=900, help="seconds between backfill polls")
        listing = sub.add_parser("list", help="list channel accounts")
        listing.add_argument("--json", action="store_true")
        poll = sub.add_parser("poll", help="poll one channel now")
        poll.add_argument("name", help="the channel's name or handle")

    def handle(self, *args: Any, **options: Any) -> None:
        by = Acting(user=None, label="cli")
        if options["action"] == "add" and options["kind"] == "webhook":
            try:
                hook, secret = services.webhook_add(
                    by=by,
                    name=options["name"],
                    secret=options["secret"],
                    backfill_url=options["backfill_url"],
                    poll_interval_seconds=options["every"],
                )
            except ValidationError as error:
                raise CommandError(_said(error)) from None
            url = settings.SITE_URL + reverse("channels:webhook", args=[hook.pk])
            self.stdout.write(f"Added the webhook {hook.name}: POST to {url}")
            self.stdout.write(f"Signing secret (shown only this once): {secret}")
        elif options["action"] == "add" and options["kind"] in ("mastodon", "bluesky"):
            try:
                if options["kind"] == "mastodon":
                    account, created = services.mastodon_connect(
                        by=by,
                        instance_url=options["instance"],
                        access_token=options["access_token"],
                        name=options["name"],
                        poll_interval_seconds=options["every"],
                    )
                else:
                    account, created = services.bluesky_connect(
                        by=by,
                        handle=options["handle"],
                        app_password=options["app_password"],
                        service=options["service"],
                        name=options["name"],
                        poll_interval_seconds=options["every"],
                    )
            except ValidationError as error:
                raise CommandError(_said(error)) from None
            verb = "Added" if created else "Reconnected"
            self.stdout.write(
                f"{verb} {account.name} (@{account.handle} on {account.url}); "
                f"it is polled every {account.poll_interval_seconds} s."
            )
        elif options["action"] == "add":
            try:
                account = services.rss_add(
                    by=by,
                    url=options["url"],
                    name=options["name"],
                    poll_interval_seconds=options["every"],
                )
            except ValidationError as error:
                raise CommandError(_said(error)) from None
            self.stdout.write(
                f"Added {account.name} ({account.url}); "
                f"it is polled every {account.poll_interval_seconds} s."
            )
        elif options["action"] == "list":
            accounts = ChannelAccount.objects.exclude(handle="").order_by("network", "name")
            rows = [
                {
                    "name": a.name, "network": a.network, "handle": a.handle, "url": a.url,
                    "last_success_at": a.last_success_at.isoformat() if a.last_success_at else None,
                    "last_error": a.last_error, "failures": a.failures,
                }
                for a in accounts
            ]  # fmt: skip
            if options["json"]:
                self.stdout.write(json.dumps(rows, indent=2))
            elif not rows:
                self.stdout.write(
                    "No channels yet. Add one with: socialdesk channels add rss --url URL"
                )
            else:
                for row in rows:
                    state = (
                        f"error: {row['last_error']}"
                        if row["last_error"]
                        else (row["last_success_at"] or "not polled yet")
                    )
                    self.stdout.write(f"{row['network']:<9} {row['name']:<30} {state}")
        else:
            name = options["name"]
            found = (
                ChannelAccount.objects.filter(Q(name=name) | Q(handle=name.lower().lstrip("@")))
                .exclude(handle="")
                .first()
            )
            if found is None:
                raise CommandError(f"no channel named {name!r}; see: socialdesk channels list")
            account = found
            if account.network not in CONNECTORS:
                raise CommandError(
                    f"{account.get_network_display()} channels are not polled: "
                    "the network pushes to the webhook address"
                )
            try:
                stored = poll(account)
            except (ChannelError, FetchError) as error:
                raise CommandError(f"{account.name}: {error}") from None
            self.stdout.write(f"{account.name}: stored {stored} new item(s).")


def _said(error: ValidationError) -> str:
    """The service's sentences, and the network's own words when it gave them."""
    parts = list(error.messages)
    for detail in (
        error.error_list
        if not hasattr(error, "error_dict")
        else [e for errors in error.error_dict.values() for e in errors]
    ):
        if detail.params and "detail" in detail.params:
            parts.append(f"({detail.params['detail']})")
    return " ".join(parts)
