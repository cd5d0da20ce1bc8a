"""`socialdesk restore FILE`: restore a backup into an empty data folder and database."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.migrations.loader import MigrationLoader

from socialdesk.core.backup import BackupError, applied_migrations, keys_note
from socialdesk.core.restore import restore_backup


class Command(BaseCommand):
    help = "Restore a backup archive (checksums first) into an empty data folder and database."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="a socialdesk-backup-….tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            manifest = restore_backup(Path(options["file"]), progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        restored = set(applied_migrations())
        self.stdout.write(
            f"restored the backup of {manifest['created_at']} (socialdesk {manifest['version']}, "
            f"{len(manifest['files'])} files, {len(restored)} migrations) "
            f"in {time.monotonic() - started:.1f} s"
        )
        self.stdout.write(keys_note(manifest))
        known = {f"{app}.{name}" for app, name in MigrationLoader(None).disk_migrations}
        if newer := len(known - restored):
            self.stdout.write(
                f"this socialdesk has {newer} migrations the backup has not: "
                "run `socialdesk migrate`"
            )
