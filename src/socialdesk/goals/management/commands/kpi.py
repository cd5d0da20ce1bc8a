"""`socialdesk kpi`: the KPI registry (`list`, `show`), the SLA reports (`first-response`,
`sla`), which live in `sla` and are offered here, above them, and `rebuild-rollups`."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from socialdesk.core.durations import human_duration
from socialdesk.goals.management import kpi_registry
from socialdesk.inbox import rollups, waiting
from socialdesk.inbox.rollup_models import MessageRollup
from socialdesk.sla import kpi, kpi_groups
from socialdesk.sla.management import kpi_sla
from socialdesk.sla.models import BusinessHours


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date such as 2026-03-31") from None


def _hours(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{human_duration(seconds)} ({seconds:,.0f} s)".replace("\u00a0", " ")


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _groups(title: str, rows: list[kpi_groups.GroupKpi], nobody: str) -> str:
    """A small table: name, first responses, median, met %."""
    if not rows:
        return ""
    lines = [f"\n{title}", f"  {'':<32} {'first responses':>15} {'median':>16} {'met':>7}"]
    for row in rows:
        median = "–" if row.median_seconds is None else human_duration(row.median_seconds)
        lines.append(
            f"  {(row.name or nobody)[:32]:<32} {row.first_responses:>15,}"
            f" {median.replace(chr(0xA0), ' '):>16} {_rate(row.rate_within):>7}"
        )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Compute a KPI from the stored conversations."
    # A read-only report: skipping the system checks halves its start-up time.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="kpi", required=True, metavar="KPI")
        first = sub.add_parser(
            "first-response",
            help="share of questions whose first response came within a target",
            description=kpi.__doc__,
        )
        first.add_argument("--within", required=True, help="target, e.g. 24h, 90m, 1d")
        first.add_argument("--account", help="only this company handle")
        first.add_argument("--since", help="first message on or after this date (YYYY-MM-DD)")
        first.add_argument("--until", help="first message on or before this date (YYYY-MM-DD)")
        first.add_argument(
            "--business-hours",
            metavar="CALENDAR",
            help="count only the open hours of this business calendar",
        )
        first.add_argument("--json", action="store_true", help="print JSON")
        kpi_sla.add_parser(sub)
        kpi_registry.add_parsers(sub)
        sub.add_parser(
            "rebuild-rollups",
            help="recount the message rollup and the waiting conversations the KPIs read",
            description=rollups.__doc__,
        )

    def _rebuild(self) -> None:
        started = time.monotonic()
        installed = rollups.ensure()  # missing triggers: installed, and recounted already
        rows = rollups.rebuild() if not installed else MessageRollup.objects.count()
        totals = MessageRollup.objects.aggregate(n=Sum("inbound"), r=Sum("needs_reply"))
        counted = waiting.ensure()  # the same for the count of waiting conversations
        if not counted:
            waiting.rebuild()
        self.stdout.write(
            f"Rollup recounted in {time.monotonic() - started:.1f} s: {rows:,} hour rows, "
            f"{totals['n'] or 0:,} inbound messages, {totals['r'] or 0:,} needing a reply"
            + (" (its triggers were missing and are installed again)" if installed else "")
            + f"; {waiting.count():,} conversations waiting for a reply"
            + (" (their count's triggers were missing and are installed again)" if counted else "")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kpi"] == "sla":
            return kpi_sla.run(self, options)
        if options["kpi"] in ("list", "show"):
            return kpi_registry.run(self, options)
        if options["kpi"] == "rebuild-rollups":
            return self._rebuild()
        try:
            within = kpi.parse_duration(options["within"])
        except ValueError as error:
            raise CommandError(f"--within {error}") from None
        since = _date(options["since"]) if options["since"] else None
        until = _date(options["until"]) if options["until"] else None
        if since and until and since > until:
            raise CommandError("--since lies after --until")
        calendar = None
        if options["business_hours"]:
            stored = BusinessHours.objects.filter(name=options["business_hours"]).first()
            if stored is None:
                names = (
                    ", ".join(BusinessHours.objects.values_list("name", flat=True)) or "none yet"
                )
                raise CommandError(
                    f"no business calendar {options['business_hours']!r} (there are: {names})"
                )
            calendar = stored.calendar()
        result = kpi.first_response(
            within=within,
            account=options["account"],
            since=since,
            until=until,
            calendar=calendar,
            calendar_name=options["business_hours"],
        )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), indent=2))
            return
        self.stdout.write(
            f"First response within {options['within']}"
            + (f" (business hours: {options['business_hours']})" if calendar else "")
            + "\n"
            f"  conversations that need a reply: {result.conversations:,}\n"
            f"  answered:                        {result.answered:,}\n"
            f"  answered within the target:      {result.answered_within:,}"
            f" ({_rate(result.rate_within)})\n"
            f"  still inside the target:         {result.pending:,}"
            " (not answered yet; not counted in the rate)\n"
            f"  missed (late or overdue):        {result.missed:,}\n"
            f"  median first response:           {_hours(result.median_seconds)}\n"
            f"  90th percentile:                 {_hours(result.p90_seconds)}"
            + _groups("By department", result.by_department, "(no department)")
            + _groups(
                "By person (first responses written in socialdesk)",
                result.by_person,
                "(written outside socialdesk)",
            )
        )
