"""Short leases renewed while the work goes on: a dead worker's claim runs out within a minute.

A worker claims a channel poll or a reply to send with a conditional UPDATE that sets a
lease. While it works, `renewing` renews the lease every third of its length from a thread
with its own database connection, so a long poll of a live worker is never taken over; a
worker that dies stops renewing, and another takes the work over when the lease runs out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection

logger = logging.getLogger(__name__)


@contextmanager
def renewing(lease: timedelta, renew: Callable[[], bool], what: str) -> Iterator[None]:
    """Call `renew` every third of the lease until the block ends.

    `renew` moves the lease on only while the claim is still ours and returns whether it
    did; when it did not (the work recorded its outcome, or another worker took over) the
    renewing stops. Inside an open transaction the claim is not visible to other workers
    anyway (and another connection could not renew it), so nothing is renewed there.
    """
    if connection.in_atomic_block:
        yield
        return
    done = threading.Event()

    def beat() -> None:
        from django.db import connection as own

        try:
            while not done.wait(lease.total_seconds() / 3):
                try:
                    if not renew():
                        return
                except Exception:  # a busy database: the next beat tries again
                    logger.warning("%s: could not renew the claim", what, exc_info=True)
        finally:
            own.close()

    thread = threading.Thread(target=beat, name=f"lease {what}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join(timeout=30)
