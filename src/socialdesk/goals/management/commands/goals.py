"""`socialdesk goals add|list|show|archive|refresh`: goals on the command line.

`add` writes through `goal_services.goal_create` as "cli" (the owner is `--owner EMAIL`, else
nobody in particular); a wrong value is named per field and nothing is stored. The target is
given in the KPI's unit: `95%` or `0.95` for a share, `24h` or `90m` for a duration.
`list` and `show` print the figures the goal keeps (baseline, current value, forecast,
status); `refresh` evaluates every open goal now, as the worker does every few minutes.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.goals import goal_services, kpis
from socialdesk.goals.goal_data import goal_as_data, parse_target
from socialdesk.goals.goal_models import Comparison, Goal, GoalStatus
from socialdesk.goals.goal_selectors import goals_all
from socialdesk.goals.kpis import KpiError
from socialdesk.goals.strategy_models import Objective

CLI = Acting(user=None, label="cli")


def _said(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "\n".join(
            f"  {field}: {' '.join(str(m) for m in messages)}"
            for field, messages in error.message_dict.items()
        )
    return "  " + " ".join(str(m) for m in error.messages)


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({option: f"{value!r} is not a date such as 2026-03-31"}) from None


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise ValidationError({"params": f"{pair!r} is not KEY=VALUE, e.g. within=24h"})
        params[key.strip()] = value.strip()
    return params


def _goal(pk: str) -> Goal:
    found = None
    if pk.isascii() and pk.isdigit() and len(pk) < 19:
        found = goals_all().filter(pk=int(pk)).first() or (
            goals_all(archived=True).filter(pk=int(pk)).first()
        )
    if found is None:
        raise CommandError(f"no goal with the id {pk!r} (see `socialdesk goals list`)")
    return found


class Command(BaseCommand):
    help = "Set goals and read their figures."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        add = sub.add_parser("add", help="set a goal: a KPI, a target and a deadline")
        add.add_argument("--name", required=True)
        add.add_argument("--kpi", required=True, help="the KPI's name (see `kpi list`)")
        add.add_argument("--param", action="append", default=[], metavar="K=V")
        add.add_argument("--target", required=True, help="e.g. 95%%, 0.95, 24h, 90m or 300")
        add.add_argument("--comparison", choices=Comparison.values, default=Comparison.AT_LEAST)
        add.add_argument("--start", help="first day (YYYY-MM-DD); default: today")
        add.add_argument("--deadline", required=True, help="last day (YYYY-MM-DD)")
        add.add_argument("--account", action="append", default=[], metavar="HANDLE")
        add.add_argument("--department", action="append", default=[], metavar="NAME")
        add.add_argument("--tag", action="append", default=[], metavar="TAG")
        add.add_argument("--business-hours", default="", metavar="CALENDAR")
        add.add_argument("--owner", metavar="EMAIL", help="who answers for it")
        add.add_argument("--objective", metavar="TITLE", help="the strategy objective it measures")
        add.add_argument("--json", action="store_true", help="print JSON")
        listing = sub.add_parser("list", help="the goals with their figures and status")
        listing.add_argument("--json", action="store_true", help="print JSON")
        listing.add_argument("--archived", action="store_true", help="the archived goals")
        show = sub.add_parser("show", help="one goal with its figures")
        show.add_argument("id", metavar="ID")
        show.add_argument("--json", action="store_true", help="print JSON")
        archive = sub.add_parser("archive", help="archive a goal (no longer evaluated)")
        archive.add_argument("id", metavar="ID")
        sub.add_parser("refresh", help="evaluate every open goal now")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            return self._add(options)
        if action == "list":
            return self._list(options)
        if action == "show":
            return self._show(options)
        if action == "archive":
            goal = goal_services.goal_archive(by=CLI, goal=_goal(options["id"]))
            self.stdout.write(f"archived goal {goal.pk}: {goal.name}")
            return None
        count = 0
        for goal in goals_all():
            with transaction.atomic():
                goal_services.evaluate(goal)
            count += 1
        self.stdout.write(f"evaluated {count} goal(s)")
        return None

    # ------------------------------------------------------------------ add
    def _add(self, options: dict[str, Any]) -> None:
        try:
            goal = goal_services.goal_create(by=CLI, **self._fields(options))
        except ValidationError as error:
            raise CommandError("the goal was not stored:\n" + _said(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(goal_as_data(goal), indent=2, ensure_ascii=False))
            return
        self.stdout.write(f"goal {goal.pk} set: {goal.name}")
        self._print(goal)

    def _fields(self, options: dict[str, Any]) -> dict[str, Any]:
        """The options as goal_create's arguments; every wrong one named at once."""
        errors: dict[str, list[str]] = {}

        def attempt(field: str, work: Any) -> Any:
            try:
                return work()
            except ValidationError as error:
                for messages in error.message_dict.values():
                    errors.setdefault(field, []).extend(messages)
            except ValueError as error:
                errors.setdefault(field, []).append(str(error))
            return None

        params = attempt("params", lambda: _params(options["param"])) or {}
        target = attempt("target", lambda: parse_target(options["target"], options["kpi"]))
        start = (
            attempt("start", lambda: _date("start", options["start"]))
            if options["start"]
            else timezone.localdate()
        )
        deadline = attempt("deadline", lambda: _date("deadline", options["deadline"]))
        departments = attempt("departments", lambda: self._departments(options["department"]))
        owner = attempt("owner", lambda: self._owner(options["owner"]))
        objective = attempt("objective", lambda: self._objective(options["objective"]))
        fields = {
            "name": options["name"],
            "kpi": options["kpi"],
            "params": params,
            "target": target if target is not None else 0.0,
            "comparison": options["comparison"],
            "start": start or timezone.localdate(),
            "deadline": deadline or timezone.localdate(),
            "accounts": options["account"],
            "departments": departments or [],
            "tags": options["tag"],
            "business_hours": options["business_hours"],
        }
        # The service names the rest (name, kpi, parameters, dates, scope) in one go.
        try:
            goal_services.check(**fields)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in errors:
                    errors[field] = list(messages)
        if errors:
            raise ValidationError(errors)
        return {**fields, "owner": owner, "objective": objective}

    @staticmethod
    def _departments(names: list[str]) -> list[Department]:
        found = []
        for name in names:
            if "\x00" in name:
                raise ValueError("a department's name has no NUL character")
            department = Department.objects.filter(name__iexact=name.strip()).first()
            if department is None:
                known = ", ".join(Department.objects.values_list("name", flat=True)) or "none"
                raise ValueError(f"no department {name[:60]!r} (there are: {known})")
            found.append(department)
        return found

    @staticmethod
    def _owner(email: str | None) -> User | None:
        if not email:
            return None
        if "\x00" in email:
            raise ValueError("an e-mail address has no NUL character")
        found = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
        if found is None:
            raise ValueError(f"nobody active with the e-mail address {email[:80]!r}")
        return found

    @staticmethod
    def _objective(title: str | None) -> Objective | None:
        if not title:
            return None
        if "\x00" in title:
            raise ValueError("a title has no NUL character")
        found = Objective.objects.filter(title__iexact=title.strip()).first()
        if found is None:
            raise ValueError(f"no objective {title[:80]!r} in the strategy")
        return found

    # ------------------------------------------------------------------ read
    def _list(self, options: dict[str, Any]) -> None:
        goals = list(goals_all(archived=options["archived"]).prefetch_related("departments"))
        if options["json"]:
            rows = [goal_as_data(g) for g in goals]
            self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
            return
        if not goals:
            self.stdout.write(
                "no archived goals" if options["archived"] else
                "no goals yet: set one with `socialdesk goals add --name … --kpi … "
                "--target … --deadline …`"
            )  # fmt: skip
            return
        header = ("id", "name", "kpi", "target", "baseline", "current", "forecast", "status",
                  "start", "deadline")  # fmt: skip
        table = [header] + [self._row(g) for g in goals]
        widths = [min(max(len(r[i]) for r in table), 40) for i in range(len(header))]
        for row in table:
            self.stdout.write("  ".join(c[:40].ljust(w) for c, w in zip(row, widths, strict=True)))

    @staticmethod
    def _row(goal: Goal) -> tuple[str, ...]:
        kpi = _kpi(goal)

        def fmt(value: float | None) -> str:
            if kpi is None:
                return "–" if value is None else f"{value:g}"
            return kpi.format(value).replace("\u00a0", " ")

        sign = "≥" if goal.comparison == Comparison.AT_LEAST else "≤"
        params = " ".join(f"{k}={v}" for k, v in goal.params.items())
        return (
            str(goal.pk),
            goal.name,
            goal.kpi + (f" ({params})" if params else ""),
            f"{sign} {fmt(goal.target)}",
            fmt(goal.baseline),
            fmt(goal.current),
            fmt(goal.forecast),
            str(GoalStatus(goal.status).label),
            goal.start.isoformat(),
            goal.deadline.isoformat(),
        )

    def _show(self, options: dict[str, Any]) -> None:
        goal = _goal(options["id"])
        if options["json"]:
            self.stdout.write(json.dumps(goal_as_data(goal), indent=2, ensure_ascii=False))
            return
        self._print(goal)

    def _print(self, goal: Goal) -> None:
        row = self._row(goal)
        data = goal_as_data(goal)
        lines = [
            f"{goal.name} (goal {goal.pk}{', archived' if data['archived'] else ''})",
            f"  KPI:       {row[2]}",
            f"  target:    {row[3]}",
            f"  period:    {row[8]} … {row[9]}",
            f"  baseline:  {row[4]}",
            f"  current:   {row[5]}",
            f"  forecast:  {row[6]}",
            f"  status:    {row[7]}",
        ]
        scope = [*data["accounts"], *data["departments"], *(f"#{t}" for t in data["tags"])]
        if scope:
            lines.append(f"  scope:     {', '.join(scope)}")
        if data["owner"]:
            lines.append(f"  owner:     {data['owner']}")
        if data["objective"]:
            lines.append(f"  objective: {data['objective']}")
        self.stdout.write("\n".join(lines))


def _kpi(goal: Goal) -> kpis.Kpi | None:
    try:
        return kpis.get(goal.kpi)
    except KpiError:
        return None
