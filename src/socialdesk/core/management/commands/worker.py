"""Run background tasks from the database queue (several may run against one database)."""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished

from socialdesk.core import heartbeats, priority, schedule

logger = logging.getLogger(__name__)

_NOTE_RUN = "socialdesk.worker.note_run"


class Command(BaseCommand):
    help = (
        "Run the background worker: sends e-mail and runs scheduled work from the task queue. "
        "While it runs it reports a heartbeat every few seconds (socialdesk status, /metrics)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
        parser.add_argument(
            "--batch", action="store_true", help="run what is queued now, then exit"
        )
        parser.add_argument(
            "--sla-every", type=float, default=60.0, help="seconds between SLA checks"
        )
        parser.add_argument(
            "--channels-every",
            type=float,
            default=10.0,
            help="seconds between looks for due channel polls and replies to send",
        )
        parser.add_argument(
            "--publish-every",
            type=float,
            default=1.0,
            help="seconds between looks for posts due to be published",
        )
        parser.add_argument(
            "--nice",
            type=int,
            choices=range(20),
            metavar="0-19",
            default=settings.WORKER_NICE,
            help="CPU priority to lower this worker to, so that pages come first "
            "(default: WORKER_NICE, 10 on PostgreSQL, 0 on SQLite; 0 keeps it as started)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # First, before any thread starts: on Linux each thread has its own priority, and
        # threads started later take this one's.
        niceness = priority.lower_to(options["nice"])
        logger.info("worker running at CPU priority nice %d", niceness)
        worker_args = ["--queue-name", "*", "--interval", str(options["interval"])]
        me = heartbeats.this_worker()
        stop = threading.Event()  # set once db_worker has returned: the schedule thread ends
        # its loop before the heartbeat is removed, so no late beat brings the row back
        thread = None
        if options["batch"]:
            worker_args += ["--batch", "--no-startup-delay"]
        else:
            thread = threading.Thread(
                target=_schedule,
                args=(options["sla_every"], options["channels_every"], options["publish_every"]),
                kwargs={"worker": me, "stop": stop},
                daemon=True,
                name="schedule",
            )
            thread.start()
        task_finished.connect(_note_run, dispatch_uid=_NOTE_RUN)
        try:
            # db_worker stops on SIGTERM/SIGINT by returning or raising SystemExit: either way
            # the heartbeat goes below, so a clean stop leaves no worker that seems to hang.
            call_command("db_worker", *worker_args)
        finally:
            task_finished.disconnect(dispatch_uid=_NOTE_RUN)
            if thread is not None:
                stop.set()
                thread.join(timeout=10)
                try:
                    heartbeats.forget(me)
                except Exception as error:  # the database may be gone; the row then ages out
                    logger.warning("could not remove the worker's heartbeat: %s", error)


def _note_run(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """Note when a REGULAR task (the SLA check among them) last finished without error.

    Called by db_worker right after a task; an error here must not turn the task's success
    into a failure, so it is only logged.
    """
    if task_result.status != TaskResultStatus.SUCCESSFUL:
        return
    path = task_result.task.module_path
    if path not in {task.module_path for task in schedule.due(schedule.REGULAR)}:
        return
    try:
        heartbeats.record_run(path)
    except Exception as error:
        logger.warning("could not note the run of %s: %s", path, error)


def _schedule(
    sla_every: float,
    channels_every: float,
    publish_every: float = 1.0,
    worker: heartbeats.Worker | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Queue the tasks the apps registered (core/schedule.py) on their rhythm (all idempotent).

    Each channel is polled when its own interval is up (the task looks at which are due).
    Replies are also queued for sending the moment they are written; this round picks up
    retries and replies whose worker died. Posts due now are looked for every `publish_every`
    seconds. A task with a `when` is queued only when it says there is work. Every
    `heartbeats.BEAT_SECONDS` the worker says it is alive; once a REGULAR round, heartbeats of
    workers gone for an hour are removed.
    Runs until `stop` is set.
    """
    stop = stop or threading.Event()
    tick = max(0.1, min(sla_every, channels_every, publish_every, heartbeats.BEAT_SECONDS))
    last_sla = last_channels = last_publish = last_beat = time.monotonic()
    if worker is not None:
        _beat(worker)
    while not stop.wait(tick):
        now = time.monotonic()
        if worker is not None and now - last_beat >= heartbeats.BEAT_SECONDS:
            last_beat = now
            _beat(worker)
        try:
            if now - last_publish >= publish_every:
                last_publish = now
                for task in schedule.wanted(schedule.PROMPT):
                    task.enqueue()
            if now - last_channels >= channels_every:
                last_channels = now
                for task in schedule.wanted(schedule.FREQUENT):
                    task.enqueue()
            if now - last_sla >= sla_every:
                last_sla = now
                for task in schedule.wanted(schedule.REGULAR):
                    task.enqueue()
                heartbeats.prune()
        except Exception:  # the database may be busy or restarting: try again next round
            logger.exception("could not queue scheduled work")
        finally:
            close_old_connections()
    connection.close()


def _beat(worker: heartbeats.Worker) -> None:
    try:
        heartbeats.beat(worker)
    except Exception as error:  # busy or restarting: the next beat tries again
        logger.warning("could not report the worker's heartbeat: %s", error)
