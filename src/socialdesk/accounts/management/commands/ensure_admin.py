"""Create a first admin when there is none; never prompt (safe for scripts and `make run`)."""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from socialdesk.accounts import services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Organisation, Role, User


class Command(BaseCommand):
    help = (
        "Create the first admin if no active admin exists "
        "(password from SOCIALDESK_ADMIN_PASSWORD)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", default=settings.SOCIALDESK_ADMIN_EMAIL)

    def handle(self, *args: Any, **options: Any) -> None:
        Organisation.current()
        if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            self.stdout.write("An admin exists already; nothing to do.")
            return
        password = settings.SOCIALDESK_ADMIN_PASSWORD
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        email = options["email"].strip().lower()
        services.admin_ensure(
            by=Acting(user=None, label="ensure_admin"), email=email, password=password
        )
        self.stdout.write(self.style.SUCCESS(f"Created the first admin: {email}"))
        if generated:
            self.stdout.write(
                f"Password (shown only this once): {password}\n"
                "Set SOCIALDESK_ADMIN_PASSWORD to choose it yourself next time."
            )
