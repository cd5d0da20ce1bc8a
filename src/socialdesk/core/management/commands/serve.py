"""Serve the web app and the background worker together; Ctrl-C stops both.

`--nice N` lowers the server's CPU priority (and its session's, `core.priority`) before gunicorn
starts: a second server for machines only (webhook deliveries, `/hooks/`, behind the reverse
proxy; deploy/socialdesk-intake.service) then leaves the CPUs to the pages people wait for.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from socialdesk.core import priority


class Command(BaseCommand):
    help = "Run the web server (gunicorn) and one background worker until interrupted."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
        parser.add_argument("--no-worker", action="store_true", help="do not start a task worker")
        parser.add_argument(
            "--nice", type=int, choices=range(20), metavar="0-19", default=0,
            help="CPU priority to lower the server to (0: as started)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        if options["nice"]:  # before gunicorn starts: its processes and threads take it
            priority.lower_to(options["nice"])
        web = [
            sys.executable, "-m", "gunicorn", "socialdesk.wsgi",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(options["web_workers"]), "--threads", "4",
            "--access-logfile", "-", "--graceful-timeout", "5",
            # Links carry single-use tokens; the access log must not keep them.
            "--logger-class", "socialdesk.core.access_log.RedactingLogger",
        ]  # fmt: skip
        children = {"web": subprocess.Popen(web)}  # noqa: S603 - fixed argv, no shell
        if not options["no_worker"]:
            worker = [sys.executable, "-m", "socialdesk", "worker"]
            children["worker"] = subprocess.Popen(worker)  # noqa: S603
        self.stdout.write(
            f"socialdesk is running on http://{options['host']}:{options['port']}/ "
            f"({' and '.join(children)}); press Ctrl-C to stop."
        )

        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(
                        f"The {name} process stopped (exit {child.returncode}); stopping."
                    )
                    exit_code = child.returncode or 1
                    stopping = True
            time.sleep(0.3)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 10
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        self.stdout.write("socialdesk stopped.")
        if exit_code:
            raise SystemExit(exit_code)
