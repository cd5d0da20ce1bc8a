"""Campaigns: create, change, archive and bring back (the one door for writes to campaigns).

A campaign has a name (unique), a colour (#rrggbb, shown on the calendar and the lists), the
days it runs, a description and the goal it works to; posts and ideas belong to one.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.publishing.models import Campaign

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
NAME_LIMIT = 120
TEXT_LIMIT = 10_000


def _cleaned(
    *,
    name: str,
    colour: str,
    starts_on: date | None,
    ends_on: date | None,
    description: str,
    goal: str,
    campaign: Campaign | None = None,
) -> dict[str, Any]:
    """The fields as they are stored, or a ValidationError naming each wrong field."""
    errors: dict[str, list[str]] = {}
    texts = {"name": name.strip(), "description": description.strip(), "goal": goal.strip()}
    for field, value in texts.items():
        if "\x00" in value:
            errors.setdefault(field, []).append(_("This text contains a NUL character."))
    if not texts["name"]:
        errors.setdefault("name", []).append(_("Give the campaign a name."))
    elif len(texts["name"]) > NAME_LIMIT:
        errors.setdefault("name", []).append(
            _("Shorten the name to %(limit)s characters.") % {"limit": NAME_LIMIT}
        )
    elif "name" not in errors:
        same = Campaign.objects.filter(name__iexact=texts["name"])
        if campaign is not None:
            same = same.exclude(pk=campaign.pk)
        if same.exists():
            errors.setdefault("name", []).append(_("A campaign with this name exists already."))
    for field in ("description", "goal"):
        if len(texts[field]) > TEXT_LIMIT:
            errors.setdefault(field, []).append(
                _("Shorten this to %(limit)s characters.")
                % {"limit": number_format(TEXT_LIMIT, force_grouping=True)}
            )
    colour = colour.strip()
    if not COLOUR.fullmatch(colour):
        errors.setdefault("colour", []).append(
            _("Choose a colour written as # and six hexadecimal digits, e.g. #2563eb.")
        )
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors.setdefault("ends_on", []).append(_("The campaign cannot end before it starts."))
    if errors:
        raise ValidationError(errors)
    return {**texts, "colour": colour.lower(), "starts_on": starts_on, "ends_on": ends_on}


@transaction.atomic
def campaign_create(
    *,
    by: Acting,
    name: str,
    colour: str = "#2563eb",
    starts_on: date | None = None,
    ends_on: date | None = None,
    description: str = "",
    goal: str = "",
) -> Campaign:
    fields = _cleaned(
        name=name,
        colour=colour,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        goal=goal,
    )
    campaign = Campaign.objects.create(**fields, created_by=by.user)
    record(by, "campaign.created", campaign, after=_shown(fields))
    return campaign


def _shown(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in fields.items()}


@transaction.atomic
def campaign_update(
    *,
    by: Acting,
    campaign: Campaign,
    name: str,
    colour: str,
    starts_on: date | None,
    ends_on: date | None,
    description: str,
    goal: str,
) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    fields = _cleaned(
        name=name,
        colour=colour,
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
        goal=goal,
        campaign=campaign,
    )
    before = {k: getattr(campaign, k) for k in fields}
    changed = {k: v for k, v in fields.items() if before[k] != v}
    if changed:
        for key, value in changed.items():
            setattr(campaign, key, value)
        campaign.save(update_fields=list(changed))
        record(
            by,
            "campaign.changed",
            campaign,
            before=_shown({k: before[k] for k in changed}),
            after=_shown(changed),
        )
    return campaign


@transaction.atomic
def campaign_archive(*, by: Acting, campaign: Campaign, archived: bool = True) -> Campaign:
    """Archive a campaign (it leaves the lists and choices; its posts and ideas keep it), or
    bring it back with `archived=False`."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if archived == (campaign.archived_at is not None):
        return campaign
    campaign.archived_at = timezone.now() if archived else None
    campaign.save(update_fields=["archived_at"])
    record(by, "campaign.archived" if archived else "campaign.restored", campaign)
    return campaign
