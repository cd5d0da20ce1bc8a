"""`socialdesk kpi sla`: met, breached and pending clocks from the recorded SLA outcomes."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from socialdesk.core.durations import human_duration
from socialdesk.sla import outcome_kpi
from socialdesk.sla.models import SlaOutcome

_LABELS = {
    "first_response": "First response",
    "next_response": "Next response",
    "resolution": "Resolution",
}


def _date(flag: str, value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag} {value!r} is not a date such as 2026-03-31") from None


def add_parser(sub: Any) -> None:
    """Add the `sla` subcommand to `socialdesk kpi`."""
    parser = sub.add_parser(
        "sla",
        help="met, breached and pending SLA clocks from the recorded outcomes",
        description=outcome_kpi.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--since", help="clocks started on or after this date (YYYY-MM-DD)")
    parser.add_argument("--until", help="clocks started on or before this date (YYYY-MM-DD)")
    parser.add_argument("--account", help="only this company handle")
    parser.add_argument("--policy", help="only this policy's outcomes (evaluated ones first)")
    parser.add_argument("--json", action="store_true", help="print JSON")


def run(command: BaseCommand, options: dict[str, Any]) -> None:
    for flag in ("since", "until", "account", "policy"):
        if "\x00" in (options.get(flag) or ""):
            raise CommandError(f"--{flag} contains a NUL byte")
    since = _date("--since", options.get("since"))
    until = _date("--until", options.get("until"))
    if since and until and since > until:
        raise CommandError("--since lies after --until")
    policy = options.get("policy")
    if policy and not SlaOutcome.objects.filter(policy_name=policy).exists():
        names = sorted(set(SlaOutcome.objects.values_list("policy_name", flat=True)))
        raise CommandError(
            f"no outcomes recorded for a policy {policy!r}"
            f" (there are: {', '.join(names) or 'none yet'};"
            " `socialdesk sla evaluate --policy NAME` applies a policy to history)"
        )
    result = outcome_kpi.sla_kpi(
        account=options.get("account"), policy=policy, since=since, until=until
    )
    if options.get("json"):
        command.stdout.write(json.dumps(result.as_dict(), indent=2))
        return
    lines = [
        "SLA outcomes"
        + (f" of {policy!r}" if policy else "")
        + (" (evaluated afterwards)" if result.evaluated else "")
    ]
    for kind, figures in result.as_dict().items():
        rate = figures["rate_met"]
        lines.append(
            f"  {_LABELS[kind]}: {figures['met']:,} met, {figures['breached']:,} breached,"
            f" {figures['pending']:,} pending"
            + (f"; {rate:.1%} met" if rate is not None else "; none decided yet")
            + f"; median {human_duration(figures['median_seconds'])},"
            f" 90th percentile {human_duration(figures['p90_seconds'])}"
        )
    command.stdout.write("\n".join(lines))
