"""Run background tasks from the database queue (several may run against one database)."""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the background worker: sends e-mail and runs scheduled work from the task queue."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument(
            "--sla-every", type=float, default=60.0, help="seconds between SLA checks"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker_args = ["--queue-name", "*", "--interval", str(options["interval"])]
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        else:
            threading.Thread(
                target=_schedule, args=(options["sla_every"],), daemon=True, name="sla-schedule"
            ).start()
        call_command("db_worker", *worker_args)


def _schedule(every: float) -> None:
    """Queue the SLA check and the channel polls every `every` seconds (both idempotent)."""
    from django.db import close_old_connections

    from socialdesk.channels.tasks import poll_channels
    from socialdesk.sla.tasks import check_slas

    while True:
        time.sleep(every)
        try:
            check_slas.enqueue()
            poll_channels.enqueue()
        except Exception:  # the database may be busy or restarting: try again next round
            logger.exception("could not queue the SLA check")
        finally:
            close_old_connections()
