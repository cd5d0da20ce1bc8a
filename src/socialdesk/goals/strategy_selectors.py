"""Reading the strategy: the document for a reader (each section with what changed since they
last read it), a section's versions, the objectives."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.safestring import SafeString

from socialdesk.accounts.models import Organisation, User
from socialdesk.goals.strategy_models import (
    Objective,
    SectionKey,
    StrategyRead,
    StrategySection,
    StrategyVersion,
)
from socialdesk.goals.strategy_render import DiffPart, render_markdown, word_diff
from socialdesk.publishing.models import Campaign


@dataclass
class SectionView:
    section: StrategySection
    label: str
    html: SafeString
    latest: StrategyVersion | None
    read_number: int
    changed: bool  # there is a version the reader has not seen
    diff: list[DiffPart] = field(default_factory=list)  # against the version they last read
    campaigns: list[Campaign] = field(default_factory=list)
    outline: str = ""  # what to write, shown while the section is empty


def sections(organisation: Organisation | None = None) -> list[StrategySection]:
    """All sections of the strategy in their fixed order (made empty on first use)."""
    organisation = organisation or Organisation.current()
    existing = {s.key: s for s in StrategySection.objects.filter(organisation=organisation)}
    for key in SectionKey.values:
        if key not in existing:
            existing[key], _made = StrategySection.objects.get_or_create(
                organisation=organisation, key=key
            )
    return [existing[key] for key in SectionKey.values]


def document_for(user: User) -> list[SectionView]:
    """The strategy as `user` sees it now, each section marked when it changed since their
    last reading, with the words changed since then."""
    found = sections()
    reads = dict(
        StrategyRead.objects.filter(user=user, section__in=found).values_list(
            "section_id", "number"
        )
    )
    views = []
    for section in found:
        latest = section.versions.select_related("author").first()
        read = reads.get(section.pk, 0)
        changed = latest is not None and latest.number > read
        diff: list[DiffPart] = []
        if changed and read:
            seen = section.versions.filter(number=read).first()
            diff = word_diff(seen.text if seen else "", section.text)
        views.append(
            SectionView(
                section=section,
                label=str(SectionKey(section.key).label),
                html=render_markdown(section.text),
                latest=latest,
                read_number=read,
                changed=changed,
                diff=diff,
                campaigns=list(section.campaigns.order_by("name")),
            )
        )
    return views


def versions_of(section: StrategySection) -> QuerySet[StrategyVersion]:
    return section.versions.select_related("author").order_by("-number")


def version_diff(section: StrategySection, number: int) -> list[DiffPart] | None:
    """The words changed from the version before `number` to `number` (None: no such one)."""
    found = section.versions.filter(number=number).first()
    if found is None:
        return None
    before = section.versions.filter(number__lt=number).order_by("-number").first()
    return word_diff(before.text if before else "", found.text)


def objectives(organisation: Organisation | None = None) -> QuerySet[Objective]:
    return Objective.objects.filter(organisation=organisation or Organisation.current())
