"""`socialdesk tokens`: personal API tokens from the command line (for set-up scripts).

    socialdesk tokens create --email E --name N [--expires YYYY-MM-DD] [--read-only]
    socialdesk tokens list [--email E]
    socialdesk tokens revoke PREFIX|ID

`create` prints the token once (only its hash is kept); `--expires D` makes it work through
the end of day D in the organisation's time zone.
"""

from __future__ import annotations

from argparse import ArgumentParser
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import ApiToken, User

BY = Acting(user=None, label="socialdesk tokens")


def _expiry(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--expires: {text!r} is not a date like 2027-03-31") from error
    return api_tokens.api_token_end_of(day)


def _when(value: datetime | None, never: str = "–") -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else never


def _state(token: ApiToken) -> str:
    if token.revoked_at:
        return "revoked"
    return "expired" if token.expired else "live"


class Command(BaseCommand):
    help = "Create, list and revoke personal API tokens."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token and print it once")
        create.add_argument("--email", required=True, help="the person the token acts as")
        create.add_argument("--name", required=True, help="what uses it, e.g. 'CRM sync'")
        create.add_argument("--expires", help="last day it works (YYYY-MM-DD)")
        create.add_argument("--read-only", action="store_true", help="it may only read")
        listing = actions.add_parser("list", help="every token (or one person's)")
        listing.add_argument("--email")
        revoke = actions.add_parser("revoke", help="make a token useless at once")
        revoke.add_argument("token", help="the token's number or the start it is shown with")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options: dict[str, Any]) -> None:
        email = options["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active person has the e-mail address {email}.")
        expires = _expiry(options["expires"]) if options["expires"] else None
        try:
            token, key = api_tokens.api_token_create(
                by=BY,
                user=user,
                name=options["name"],
                expires_at=expires,
                read_only=options["read_only"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(key)
        limits = ["read only" if token.read_only else "read and write"]
        if token.expires_at:
            limits.append(f"works until the end of {token.last_day}")
        self.stderr.write(
            f"Token {token.pk} “{token.name}” for {user.email} ({', '.join(limits)}). "
            "It is shown only this once: keep it now."
        )

    def _list(self, options: dict[str, Any]) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__email", "-created_at")
        if options["email"]:
            tokens = tokens.filter(user__email__iexact=options["email"].strip())
        rows = [("ID", "NAME", "PERSON", "STARTS WITH", "RIGHTS", "LAST DAY", "LAST USED", "STATE")]
        for t in tokens:
            rows.append(
                (
                    str(t.pk),
                    t.name,
                    t.user.email,
                    f"{t.prefix}…",
                    "read" if t.read_only else "read+write",
                    str(t.last_day) if t.last_day else "never",
                    _when(t.last_used_at, "never"),
                    _state(t),
                )
            )
        if len(rows) == 1:
            self.stdout.write("No tokens yet: create one with `socialdesk tokens create`.")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        wanted = options["token"].strip().rstrip("…")
        found = ApiToken.objects.select_related("user")
        matches = list(
            found.filter(pk=int(wanted)) if wanted.isdigit() else found.filter(prefix=wanted)
        )
        if len(matches) != 1:
            raise CommandError(
                f"No token {wanted}."
                if not matches
                else f"{wanted} names several tokens: use the ID."
            )
        token = matches[0]
        if token.revoked_at:
            self.stdout.write(f"Token {token.pk} “{token.name}” was revoked already.")
            return
        api_tokens.api_token_revoke(by=BY, token=token)
        self.stdout.write(f"Revoked token {token.pk} “{token.name}” of {token.user.email}.")
