"""`socialdesk contacts export|erase HANDLE_OR_ID`: a customer's rights from the command line."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from socialdesk.accounts.audit import Acting
from socialdesk.privacy import selectors, services


class Command(BaseCommand):
    help = "Export everything stored about a contact, or erase them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write contact-<id>.json and .html")
        export.add_argument("contact", help="the contact's id, handle or network:handle")
        export.add_argument("--out", default=".", help="folder for the files (default: here)")
        export.add_argument("--language", default="", help="de or en (default: organisation's)")
        erase = actions.add_parser("erase", help="erase the person everywhere")
        erase.add_argument("contact", help="the contact's id, handle or network:handle")
        erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            contact = selectors.contact_find(options["contact"])
        except selectors.ContactNotFound as error:
            raise CommandError(str(error)) from None
        by = Acting(user=None, label="cli")
        if options["action"] == "export":
            json_path, html_path = services.contact_export_files(
                by=by, contact=contact, out_dir=Path(options["out"]), language=options["language"]
            )
            self.stdout.write(f"wrote {json_path} and {html_path}")
            return
        contact_id = contact.pk
        messages = selectors.contact_messages(contact).count()
        conversations = selectors.contact_conversations(contact).count()
        if not options["yes"]:
            answer = input(
                f"Erase contact #{contact.pk}: {conversations} conversations and {messages} "
                "messages become [erased], their handles are deleted. Type 'erase' to go on: "
            )
            if answer.strip().lower() != "erase":
                raise CommandError("nothing erased")
        result = services.contact_erase(by=by, contact=contact)
        self.stdout.write(
            f"contact #{contact_id} erased "
            f"(conversations: {result.conversations}, messages: {result.messages})"
        )
