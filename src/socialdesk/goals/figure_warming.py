"""The worker warms the kept figures of the pages people open (PostgreSQL, `core.figure_cache`).

A past period's first-response and SLA figures are kept in the database once computed, but the
first view after they changed (or after ten minutes unread) computes them again: at 10 million
messages half a second for the KPI page, three quarters for last quarter's dashboard. Every
`EVERY`, for each person who signed in within `ACTIVE`, the worker asks for the figures those
pages keep, the same way the pages do (`kpi_views.kpi_list`, `dashboard_data.key_figures` for
every preset of the overview): a figure still valid is only confirmed (one small statement),
a changed one is computed, so the next view finds it. Each person's figures are of their own
visibility; the people who see every conversation share theirs, so one of them is warmed.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from datetime import timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from socialdesk.accounts.models import User
from socialdesk.core import schedule
from socialdesk.core.models import TaskRun
from socialdesk.goals import kpis
from socialdesk.goals.dashboard_data import Focus, key_figures
from socialdesk.goals.dashboard_period import PRESETS, kpi_page_period, preset_choice
from socialdesk.goals.kpis import Kpi, KpiError, Scope
from socialdesk.inbox.selectors import sees_every_conversation

logger = logging.getLogger(__name__)

ACTIVE = timedelta(days=14)  # who signed in this lately is warmed for
EVERY = timedelta(minutes=3)  # under half of `figure_cache.KEEP`: a warmed figure stays kept
WARMED_PRESETS = [preset for preset, _label in PRESETS if preset != "custom"]
KEPT_FAMILY = "responses"  # the KPIs whose past periods are kept (first responses, SLA)


def kept(kpi: Kpi) -> bool:
    return kpi.family == KEPT_FAMILY


def readers() -> QuerySet[User]:
    """Who the figures are warmed for: active people who signed in within `ACTIVE`."""
    since = timezone.now() - ACTIVE
    return User.objects.filter(is_active=True, last_login__gte=since).order_by("pk")


def warm_for(user: User) -> None:
    """The KPI page's kept figures and those of each preset of the overview dashboard, as
    `user` would see them."""
    period = kpi_page_period()
    scope = Scope(user=user)
    with kpis.one_moment(periods=(period, period.previous())):  # as the KPI page
        for kpi in kpis.available():
            if kept(kpi):
                with suppress(KpiError):  # the page shows the error; nothing to keep
                    kpi.change(period, scope=scope)
    for preset in WARMED_PRESETS:
        choice = preset_choice(preset)
        with kpis.one_moment(every=False, periods=(choice.period, choice.comparison)):
            key_figures(user, choice, Focus(), only=kept)


def warm() -> int:
    """Warm the figures of every reader; for how many readers it computed them. Everyone who
    sees every conversation reads the same rows, so the first of them stands for all (their
    figures are one and the same kept figure); each department member is warmed alone. One
    reader's error is logged and the others are warmed all the same."""
    if connection.vendor != "postgresql":
        return 0
    warmed, everything_warmed = 0, False
    for user in readers():
        everything = sees_every_conversation(user)
        if everything and everything_warmed:
            continue
        try:
            warm_for(user)
        except Exception:
            logger.exception("could not warm the kept figures of user %s", user.pk)
            continue
        warmed += 1
        everything_warmed |= everything
    return warmed


def _not_warmed_lately() -> bool:
    """On PostgreSQL, when no worker finished warming within `EVERY`."""
    if connection.vendor != "postgresql":
        return False
    from socialdesk.goals.goal_tasks import warm_kept_figures

    since = timezone.now() - EVERY
    return not TaskRun.objects.filter(
        task=warm_kept_figures.module_path, finished_at__gte=since
    ).exists()


# Queued when no worker warmed within `EVERY` and this process did not queue it within `EVERY`
# (a run still under way is not queued again).
due = schedule.AtMostEvery(EVERY.total_seconds(), also=_not_warmed_lately)
