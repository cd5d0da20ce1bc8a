"""The one door for writes to the strategy: save a section (a new version only when its text
changed), add, change, move and remove objectives, and note what a person has read."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Organisation, User
from socialdesk.goals import strategy_wiki
from socialdesk.goals.strategy_models import (
    TEXT_LIMIT,
    TITLE_LIMIT,
    Objective,
    SectionKey,
    StrategyRead,
    StrategySection,
    StrategyVersion,
)
from socialdesk.publishing.models import Campaign


def section_for(key: str, organisation: Organisation | None = None) -> StrategySection:
    """The organisation's section `key`, made empty the first time it is asked for."""
    if key not in SectionKey.values:
        raise ValidationError(_("There is no such section."))
    found, _created = StrategySection.objects.get_or_create(
        organisation=organisation or Organisation.current(), key=key
    )
    return found


def _checked_text(text: str, field: str) -> str:
    if "\x00" in text:
        raise ValidationError({field: _("This text contains a NUL character.")})
    if len(text) > TEXT_LIMIT:
        raise ValidationError(
            {
                field: _("Shorten this to %(limit)s characters (it has %(count)s).")
                % {
                    "limit": number_format(TEXT_LIMIT, force_grouping=True),
                    "count": number_format(len(text), force_grouping=True),
                }
            }
        )
    return text


@transaction.atomic
def section_save(
    *,
    by: Acting,
    key: str,
    text: str,
    campaigns: Iterable[Campaign] | None = None,
) -> StrategySection:
    """Store the section's text; a new version is written only when the text changed."""
    text = _checked_text(text.replace("\r\n", "\n").rstrip(), "text")
    section = StrategySection.objects.select_for_update().get(pk=section_for(key).pk)
    if campaigns is not None:
        chosen = sorted(c.pk for c in campaigns)
        if chosen != sorted(section.campaigns.values_list("pk", flat=True)):
            section.campaigns.set(chosen)
            record(by, "strategy.section_campaigns", section, after={"campaigns": chosen})
    if text == section.text and section.versions.exists():
        return section
    if text == section.text == "":
        return section
    number = (section.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    StrategyVersion.objects.create(
        section=section, number=number, text=text, author=by.user, author_label=by.name[:254]
    )
    before = section.text
    section.text = text
    section.updated_at = timezone.now()
    section.save(update_fields=["text", "updated_at"])
    record(
        by,
        "strategy.section_saved",
        section,
        before={"version": number - 1, "length": len(before)},
        after={"version": number, "length": len(text)},
    )
    strategy_wiki.section_saved(by=by)  # the wiki's copy, when there is one
    return section


def mark_read(*, user: User, sections: Iterable[StrategySection]) -> None:
    """Note that `user` has now seen the latest version of each section (not audited: reading
    changes nothing anyone else sees)."""
    for section in sections:
        number = section.versions.aggregate(n=Max("number"))["n"] or 0
        StrategyRead.objects.update_or_create(
            user=user, section=section, defaults={"number": number}
        )


def _objective_fields(title: str, description: str) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    title = title.strip()
    description = description.strip()
    if "\x00" in title:
        errors.setdefault("title", []).append(_("This text contains a NUL character."))
    elif not title:
        errors.setdefault("title", []).append(_("Give the objective a title."))
    elif len(title) > TITLE_LIMIT:
        errors.setdefault("title", []).append(
            _("Shorten the title to %(limit)s characters.") % {"limit": TITLE_LIMIT}
        )
    try:
        _checked_text(description, "description")
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return {"title": title, "description": description}


@transaction.atomic
def objective_add(*, by: Acting, title: str, description: str = "") -> Objective:
    fields = _objective_fields(title, description)
    organisation = Organisation.current()
    last = Objective.objects.filter(organisation=organisation).aggregate(n=Max("order"))["n"]
    made = Objective.objects.create(organisation=organisation, order=(last or 0) + 1, **fields)
    record(by, "strategy.objective_added", made, after={"title": made.title})
    return made


@transaction.atomic
def objective_update(
    *, by: Acting, objective: Objective, title: str, description: str = ""
) -> Objective:
    fields = _objective_fields(title, description)
    before = {"title": objective.title, "description": objective.description}
    objective.title, objective.description = fields["title"], fields["description"]
    objective.save(update_fields=["title", "description"])
    record(by, "strategy.objective_changed", objective, before=before, after=fields)
    return objective


@transaction.atomic
def objective_move(*, by: Acting, objective: Objective, direction: str) -> None:
    """Move the objective one place up or down; the others keep their order."""
    rows = list(Objective.objects.filter(organisation_id=objective.organisation_id))
    index = next(i for i, row in enumerate(rows) if row.pk == objective.pk)
    other = index - 1 if direction == "up" else index + 1
    if direction not in ("up", "down") or not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for order, row in enumerate(rows, start=1):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])
    position = next(i for i, row in enumerate(rows, start=1) if row.pk == objective.pk)
    record(
        by, "strategy.objective_moved", objective, before={"position": index + 1},
        after={"position": position},
    )  # fmt: skip


@transaction.atomic
def objective_remove(*, by: Acting, objective: Objective) -> None:
    record(by, "strategy.objective_removed", objective, before={"title": objective.title})
    objective.delete()
