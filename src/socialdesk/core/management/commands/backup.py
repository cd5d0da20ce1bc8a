"""`socialdesk backup [--to DIR]`: one archive of the database, key files and uploads."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from socialdesk.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a consistent backup (database, key files, uploads, manifest) while running."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--to",
            default="",
            help="folder for the archive (default: backups/ in the data folder)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["to"]) if options["to"] else Path(settings.DATA_DIR) / "backups"
        try:
            result = create_backup(folder, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"wrote {result.path} ({result.size:,} bytes, {result.files} files) "
            f"in {result.seconds:.1f} s"
        )
        self.stdout.write(result.keys_note)
