"""Run background tasks from the database queue (several may run against one database)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background worker: sends e-mail and runs scheduled work from the task queue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then exit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--queue-name", "*", "--interval", str(options["interval"])]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        call_command("db_worker", *worker_args)
