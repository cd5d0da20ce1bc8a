"""`socialdesk kpi list` and `socialdesk kpi show NAME`: the KPI registry on the command line."""

from __future__ import annotations

import json
from argparse import ArgumentParser, _SubParsersAction
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from socialdesk.accounts.models import Department
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Grain, Kpi, KpiError, Period, Scope


def add_parsers(sub: _SubParsersAction[ArgumentParser]) -> None:
    listing = sub.add_parser("list", help="the KPIs socialdesk measures and their parameters")
    listing.add_argument("--json", action="store_true", help="print JSON")
    show = sub.add_parser(
        "show",
        help="one KPI over a period: value, previous period, change and the series",
        description=kpis.registry.__doc__,
    )
    show.add_argument("name", metavar="NAME", help="the KPI's name (see `kpi list`)")
    show.add_argument(
        "--param", action="append", default=[], metavar="K=V", help="a parameter, e.g. within=24h"
    )
    show.add_argument("--since", help="first day (YYYY-MM-DD); default: 4 weeks before --until")
    show.add_argument("--until", help="last day, included (YYYY-MM-DD); default: yesterday")
    show.add_argument("--by", choices=[g.value for g in Grain], default=Grain.WEEK.value)
    show.add_argument("--account", action="append", default=[], help="only this company handle")
    show.add_argument(
        "--department", action="append", default=[], metavar="NAME", help="only this department"
    )
    show.add_argument("--tag", action="append", default=[], metavar="TAG", help="only this tag")
    show.add_argument(
        "--business-hours", metavar="CALENDAR", default="", help="count open hours only"
    )
    show.add_argument("--json", action="store_true", help="print JSON")


def _date(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} {value!r} is not a date such as 2026-03-31") from None


def _params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key.strip():
            raise CommandError(f"--param {pair!r} is not KEY=VALUE, e.g. within=24h")
        params[key.strip()] = value.strip()
    return params


def _departments(names: list[str]) -> tuple[int, ...]:
    ids = []
    for name in names:
        found = None
        if "\x00" not in name:
            found = Department.objects.filter(name__iexact=name.strip()).first()
        if found is None:
            known = ", ".join(Department.objects.values_list("name", flat=True)) or "none"
            raise CommandError(f"no department {name[:60]!r} (there are: {known})")
        ids.append(found.pk)
    return tuple(sorted(set(ids)))


def describe(kpi: Kpi) -> dict[str, Any]:
    """The KPI as plain data (for `kpi list --json` and the API)."""
    return {
        "name": kpi.name,
        "label": str(kpi.label),
        "description": str(kpi.description),
        "unit": kpi.unit.value,
        "family": kpi.family,
        "parameters": [
            {"name": p.name, "type": p.kind, "default": p.default, "choices": list(p.choices)}
            for p in kpi.params
        ],
        "scopes": sorted(kpi.scopes),
        "point_in_time": kpi.point_in_time,
        "available": kpi.available,
        "reason": str(kpi.reason),
    }


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    if options["kpi"] == "list":
        return _list(command, options)
    return _show(command, options)


def _list(command: BaseCommand, options: dict[str, Any]) -> None:
    rows = [describe(k) for k in kpis.all_kpis()]
    if options["json"]:
        command.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        params = " ".join(f"{p['name']}={p['default'] or '…'}" for p in row["parameters"])
        state = "" if row["available"] else f"  [not available: {row['reason']}]"
        command.stdout.write(
            f"{row['name']:<30} {row['unit']:<9} {row['label']}"
            + (f"  ({params})" if params else "")
            + state
        )


def _show(command: BaseCommand, options: dict[str, Any]) -> None:
    try:
        kpi = kpis.get(options["name"])
    except KpiError as error:
        raise CommandError(str(error)) from None
    today = timezone.localdate()
    until = _date("--until", options["until"]) if options["until"] else today - timedelta(days=1)
    since = _date("--since", options["since"]) if options["since"] else until - timedelta(days=27)
    if since > until:
        raise CommandError("--since lies after --until")
    raw = _params(options["param"])
    scope = Scope(
        accounts=tuple(options["account"]),
        departments=_departments(options["department"]),
        tags=tuple(t.strip() for t in options["tag"] if t.strip()),
        business_hours=options["business_hours"],
    )
    period = Period.of_days(since, until)
    try:
        kpi.parse_params(raw)
        change = kpi.change(period, params=raw, scope=scope)
        series = kpi.series(period, options["by"], params=raw, scope=scope)
    except KpiError as error:
        raise CommandError(str(error)) from None
    shown = {p.name: raw.get(p.name, p.default) for p in kpi.params}
    if options["json"]:
        data = {
            "name": kpi.name,
            "unit": kpi.unit.value,
            "params": shown,
            "since": since.isoformat(),
            "until": until.isoformat(),
            "value": change.value,
            "previous": change.previous,
            "previous_since": change.previous_period.start.isoformat(),
            "previous_until": change.previous_period.last_day.isoformat(),
            "change": change.delta,
            "by": options["by"],
            "series": [
                {
                    "start": p.period.start.isoformat(),
                    "until": p.period.last_day.isoformat(),
                    "value": p.value,
                }
                for p in series
            ],
        }
        command.stdout.write(json.dumps(data, indent=2))
        return

    def text(value: float | None) -> str:
        return kpi.format(value).replace("\u00a0", " ")

    lines = [
        f"{kpi.label} ({kpi.name})"
        + (" " + " ".join(f"{k}={v}" for k, v in shown.items()) if shown else ""),
        f"  {since.isoformat()} … {until.isoformat()}: {text(change.value)}",
    ]
    if not kpi.point_in_time:
        lines += [
            f"  previous period {change.previous_period.start.isoformat()} …"
            f" {change.previous_period.last_day.isoformat()}: {text(change.previous)}",
            f"  change: {kpi.format_delta(change.delta).replace(chr(0xA0), ' ')}",
            f"  by {options['by']}:",
        ]
        lines += [f"    {p.period.start.isoformat()}  {text(p.value)}" for p in series]
    command.stdout.write("\n".join(lines))
