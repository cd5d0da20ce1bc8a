"""A process's CPU priority: background work yields to the pages people wait for."""

from __future__ import annotations

import logging
import os

logger = logging.getLogger(__name__)


def lower_to(niceness: int) -> int:
    """Lower this process's CPU priority to `niceness` (never raise it: that needs privileges
    socialdesk should not have); return the niceness it now runs at. On Linux each thread has
    its own: call it before starting threads, which take the caller's."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if niceness > current:
        try:
            os.setpriority(os.PRIO_PROCESS, 0, niceness)
        except OSError as error:  # a sandbox that refuses it: the work still runs
            logger.warning("could not lower the CPU priority to %d: %s", niceness, error)
    return os.getpriority(os.PRIO_PROCESS, 0)
