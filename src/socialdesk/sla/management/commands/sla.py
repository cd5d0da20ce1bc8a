"""`socialdesk sla`: set up SLA policies from scripts and apply a policy to history.

  socialdesk sla policies add "Social 24h" --first-response 24h --next-response 4h \\
      --resolution 3d --business-hours Office --account nordlicht --department Legal --tag vip
  socialdesk sla policies list [--json]
  socialdesk sla evaluate --policy "Social 24h" [--since 2026-01-01] [--until 2026-03-31]
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Model

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.durations import human_duration
from socialdesk.inbox.models import Tag
from socialdesk.sla import services
from socialdesk.sla.forms import SlaPolicyForm
from socialdesk.sla.kpi import parse_duration
from socialdesk.sla.models import BusinessHours, SlaPolicy

BY = Acting(user=None, label="cli")
_LONGEST = timedelta(days=366)


def refuse_nul(options: dict[str, Any]) -> None:
    """Refuse a NUL byte in any argument before it reaches a query (PostgreSQL cannot hold it)."""
    for flag, value in options.items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(v, str) and "\x00" in v for v in values):
            raise CommandError(f"--{flag.replace('_', '-')} contains a NUL byte")


def _minutes(flag: str, text: str | None) -> int | None:
    if text is None:
        return None
    try:
        seconds = parse_duration(text).total_seconds()
    except ValueError as error:
        raise CommandError(f"{flag} {error}") from None
    if seconds > _LONGEST.total_seconds():
        raise CommandError(f"{flag} {text!r}: a target can be at most 366 days")
    if seconds < 60 or seconds % 60:
        raise CommandError(f"{flag} {text!r}: give whole minutes, at least 1m (e.g. 90m, 4h, 3d)")
    return int(seconds // 60)


def _known(kind: str, flag: str, model: type[Model], field: str, names: list[str]) -> list[int]:
    """Return the primary keys of the named rows; refuse a name that does not exist."""
    pks = []
    for name in names:
        value = ChannelAccount.normalise_handle(name) if model is ChannelAccount else name.strip()
        found = model._default_manager.filter(**{f"{field}__iexact": value}).first()
        if found is None:
            known = ", ".join(model._default_manager.values_list(field, flat=True)) or "none yet"
            raise CommandError(f"{flag}: no {kind} {name!r} (there are: {known})")
        pks.append(found.pk)
    return pks


def _policy_row(policy: SlaPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "active": policy.is_active,
        "priority": policy.priority,
        "first_response_minutes": policy.first_response_minutes,
        "next_response_minutes": policy.next_response_minutes,
        "resolution_minutes": policy.resolution_minutes,
        "business_hours": policy.business_hours.name if policy.business_hours else None,
        "accounts": sorted(a.handle for a in policy.channel_accounts.all()),
        "departments": sorted(d.name for d in policy.departments.all()),
        "tags": sorted(t.name for t in policy.tags.all()),
    }


def _boundary(flag: str, value: str | None, *, end: bool) -> datetime | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date such as 2026-03-31") from None
    zone = ZoneInfo(Organisation.current().time_zone)
    return datetime.combine(day + timedelta(days=1) if end else day, time.min, tzinfo=zone)


class Command(BaseCommand):
    help = "Set up SLA policies and apply a policy to the stored history."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True, metavar="policies|evaluate")
        policies = sub.add_parser("policies", help="add or list SLA policies")
        actions = policies.add_subparsers(dest="action", required=True, metavar="add|list")
        add = actions.add_parser("add", help="add an SLA policy")
        add.add_argument("name")
        add.add_argument("--first-response", required=True, help="target, e.g. 1h, 90m, 1d")
        add.add_argument("--next-response", help="target for every next answer, e.g. 4h")
        add.add_argument("--resolution", help="target until resolved, e.g. 3d")
        add.add_argument("--business-hours", metavar="NAME", help="count only these open hours")
        add.add_argument("--account", nargs="+", default=[], metavar="H", help="company handles")
        add.add_argument("--department", nargs="+", default=[], metavar="N", help="departments")
        add.add_argument("--tag", nargs="+", default=[], metavar="T", help="tags")
        add.add_argument("--priority", type=int, default=100, help="lower comes first")
        add.add_argument("--warn-before", default="15m", help="warn so long before a deadline")
        add.add_argument("--json", action="store_true", help="print the policy as JSON")
        listing = actions.add_parser("list", help="list the SLA policies")
        listing.add_argument("--json", action="store_true", help="print JSON")
        evaluate = sub.add_parser(
            "evaluate",
            help="apply a policy to history: how the team would have done",
            description="Outcomes are stored as evaluated afterwards; they never change the"
            " live clocks. `socialdesk kpi sla --policy NAME` reads them.",
        )
        evaluate.add_argument("--policy", required=True, metavar="NAME")
        evaluate.add_argument("--since", help="first message on or after this date (YYYY-MM-DD)")
        evaluate.add_argument("--until", help="first message on or before this date (YYYY-MM-DD)")
        evaluate.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_nul(options)
        if options["area"] == "evaluate":
            self._evaluate(options)
        elif options["action"] == "add":
            self._add(options)
        else:
            self._list(options)

    def _add(self, options: dict[str, Any]) -> None:
        hours: list[int] = []
        if options["business_hours"]:
            hours = _known("business hours", "--business-hours", BusinessHours, "name",
                           [options["business_hours"]])  # fmt: skip
        warn = (
            _minutes("--warn-before", options["warn_before"])
            if options["warn_before"] != "0"
            else 0
        )
        form = SlaPolicyForm(
            data={
                "name": options["name"].strip(),
                "is_active": True,
                "priority": options["priority"],
                "first_response_minutes": _minutes("--first-response", options["first_response"]),
                "next_response_minutes": _minutes("--next-response", options["next_response"]),
                "resolution_minutes": _minutes("--resolution", options["resolution"]),
                "business_hours": hours[0] if hours else "",
                "warn_before_minutes": warn,
                "channel_accounts": _known(
                    "account", "--account", ChannelAccount, "handle", options["account"]
                ),
                "departments": _known(
                    "department", "--department", Department, "name", options["department"]
                ),
                "tags": _known("tag", "--tag", Tag, "name", options["tag"]),
            }
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(str(e) for e in errors)}"
                for field, errors in form.errors.items()
            )
            raise CommandError(f"policy not added: {problems}")
        policy = services.policy_save(by=BY, form=form)
        if options["json"]:
            self.stdout.write(json.dumps(_policy_row(policy), indent=2))
        else:
            self.stdout.write(f"Added SLA policy {policy.name!r}.")

    def _list(self, options: dict[str, Any]) -> None:
        rows = [
            _policy_row(p)
            for p in SlaPolicy.objects.select_related("business_hours").prefetch_related(
                "channel_accounts", "departments", "tags"
            )
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        if not rows:
            self.stdout.write("No SLA policies yet: add one with `socialdesk sla policies add`.")
            return
        for row in rows:
            targets = ", ".join(
                f"{label} {human_duration(row[key] * 60)}"
                for label, key in [
                    ("first response", "first_response_minutes"),
                    ("next response", "next_response_minutes"),
                    ("resolution", "resolution_minutes"),
                ]
                if row[key]
            )
            scope = "; ".join(
                f"{label}: {', '.join(row[key])}"
                for label, key in [
                    ("accounts", "accounts"),
                    ("departments", "departments"),
                    ("tags", "tags"),
                ]
                if row[key]
            )
            self.stdout.write(
                f"{row['priority']:>4}  {row['name']}{'' if row['active'] else ' (inactive)'}:"
                f" {targets}"
                + (f"; business hours {row['business_hours']}" if row["business_hours"] else "")
                + (f"; {scope}" if scope else "; every conversation")
            )

    def _evaluate(self, options: dict[str, Any]) -> None:
        since = _boundary("--since", options["since"], end=False)
        until = _boundary("--until", options["until"], end=True)
        if since and until and since >= until:
            raise CommandError("--since lies after --until")
        policy = SlaPolicy.objects.filter(name=options["policy"]).first()
        if policy is None:
            names = ", ".join(SlaPolicy.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"no SLA policy {options['policy']!r} (there are: {names})")
        counts = services.policy_evaluate(by=BY, policy=policy, since=since, until=until)
        summary = {
            kind: {
                **figures,
                "rate_met": (
                    figures["met"] / (figures["met"] + figures["breached"])
                    if figures["met"] + figures["breached"]
                    else None
                ),
            }
            for kind, figures in counts.items()
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        lines = [f"Policy {policy.name!r} applied to history (outcomes marked as evaluated):"]
        for kind, figures in summary.items():
            rate = figures["rate_met"]
            lines.append(
                f"  {kind.replace('_', ' ')}: {figures['met']:,} met,"
                f" {figures['breached']:,} breached, {figures['pending']:,} pending"
                + (f" ({rate:.1%} met)" if rate is not None else " (none decided)")
            )
        self.stdout.write("\n".join(lines))
