"""Goals: a KPI from the registry with parameters, a target, a comparison, a period and a scope,
an owner and the strategy objective it measures.

The figures the pages show (baseline, current value, forecast, status, the sparkline) are kept
on the goal by `goal_services.evaluate` (when it is created or changed and then by the worker
every GOALS_REFRESH_MINUTES), so the overview reads rows instead of recomputing twelve KPIs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department, Organisation
from socialdesk.goals.strategy_models import Objective

NAME_LIMIT = 200


class Comparison(models.TextChoices):
    AT_LEAST = "ge", _("at least (≥)")
    AT_MOST = "le", _("at most (≤)")


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("not started")  # before the start or nothing measured yet
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")
    REACHED = "reached", _("reached")
    MISSED = "missed", _("missed")


class Goal(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="goals")
    name = models.CharField(_("name"), max_length=NAME_LIMIT)
    kpi = models.CharField(_("KPI"), max_length=64)
    params: models.JSONField[dict[str, str]] = models.JSONField(
        _("parameters"), default=dict, blank=True
    )
    target = models.FloatField(_("target"))
    comparison = models.CharField(
        _("comparison"), max_length=2, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    start = models.DateField(_("start"))
    deadline = models.DateField(_("deadline"))
    # Scope (see goals.kpis.Scope): channel account handles, departments, tags, a calendar.
    accounts: models.JSONField[list[str]] = models.JSONField(
        _("channel accounts"), default=list, blank=True
    )
    departments = models.ManyToManyField(
        Department, blank=True, related_name="goals", verbose_name=_("departments")
    )
    tags: models.JSONField[list[str]] = models.JSONField(_("tags"), default=list, blank=True)
    business_hours = models.CharField(_("business hours"), max_length=100, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_goals",
        verbose_name=_("owner"),
    )
    objective = models.ForeignKey(
        Objective,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goals",
        verbose_name=_("objective"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    # Kept by goal_services.evaluate.
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    current = models.FloatField(_("current value"), null=True, blank=True)
    forecast = models.FloatField(_("forecast"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    # [[iso date of the bucket's first day, value or null], …] by the goal's grain.
    series: models.JSONField[list[list[Any]]] = models.JSONField(default=list, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "name", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        indexes = [models.Index(fields=["archived_at", "deadline"], name="goal_open")]

    def __str__(self) -> str:
        return self.name


class GoalStatusChange(models.Model):
    """Each change of a goal's status, when it was seen and the figures behind it."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="status_changes")
    before = models.CharField(max_length=12, choices=GoalStatus.choices)
    after = models.CharField(max_length=12, choices=GoalStatus.choices)
    current = models.FloatField(null=True, blank=True)
    forecast = models.FloatField(null=True, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.goal_id}: {self.before} → {self.after}"
