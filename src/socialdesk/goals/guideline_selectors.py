"""Reading the guidelines: which publications are current, who is in their audience, who
confirmed, and each person's onboarding checklist computed from the data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from socialdesk.accounts.models import Department, Role, User
from socialdesk.goals.guideline_models import (
    Confirmation,
    OnboardingItem,
    OnboardingMark,
    Publication,
)
from socialdesk.publishing.models import Idea


def current_publications() -> QuerySet[Publication]:
    """The newest version of every title (older versions are superseded)."""
    newer = Publication.objects.filter(title=OuterRef("title"), version__gt=OuterRef("version"))
    return Publication.objects.filter(~Exists(newer)).order_by("title")


def is_current(publication: Publication) -> bool:
    latest = Publication.objects.filter(title=publication.title).aggregate(v=Max("version"))["v"]
    return bool(latest == publication.version)


def addressed_to(user: User) -> Q:
    """Publications addressed to this person: to everyone or to one of their departments."""
    return Q(everyone=True) | Q(departments__in=user.departments.all())


def sees_all(user: User) -> bool:
    """The team and read-only people see every publication; department members only theirs."""
    return user.role != Role.MEMBER


def is_manager(user: User) -> bool:
    return user.role in (Role.ADMIN, Role.MANAGER)


def publications_for_user(user: User) -> QuerySet[Publication]:
    """Department members see those addressed to them or to everyone; the others all."""
    found = Publication.objects.all()
    if not sees_all(user):
        found = found.filter(addressed_to(user)).distinct()
    return found


def current_for_user(user: User) -> QuerySet[Publication]:
    """The current publications addressed to this person (what they are asked to confirm)."""
    ids = current_publications().filter(addressed_to(user)).values("pk")
    return Publication.objects.filter(pk__in=ids).order_by("title")


def in_audience(user: User, publication: Publication) -> bool:
    if not user.is_active:
        return False
    if publication.everyone:
        return True
    return publication.departments.filter(pk__in=user.departments.all()).exists()


def audience(publication: Publication) -> QuerySet[User]:
    """The active people the publication is addressed to."""
    people = User.objects.filter(is_active=True)
    if not publication.everyone:
        people = people.filter(departments__in=publication.departments.all()).distinct()
    return people.order_by("full_name", "email")


def has_confirmed(user: User, publication: Publication) -> bool:
    return Confirmation.objects.filter(person=user, publication=publication).exists()


def confirmations(publication: Publication) -> QuerySet[Confirmation]:
    return publication.confirmations.select_related("person").order_by("confirmed_at", "pk")


@dataclass(frozen=True)
class Share:
    """How many of how many: shown as "7 of 9 (78 %)"."""

    done: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None


@dataclass(frozen=True)
class DepartmentShare:
    department: Department | None  # None: people in no department
    share: Share


def share_per_department(publication: Publication) -> list[DepartmentShare]:
    """For managers: of the audience in each department, how many confirmed this version."""
    people = audience(publication)
    confirmed = set(publication.confirmations.values_list("person_id", flat=True))
    departments = (
        Department.objects.all() if publication.everyone else publication.departments.all()
    )
    rows = []
    for department in departments.order_by("name"):
        members = set(people.filter(departments=department).values_list("pk", flat=True))
        if members:
            rows.append(DepartmentShare(department, Share(len(members & confirmed), len(members))))
    if publication.everyone:
        loose = set(people.filter(departments=None).values_list("pk", flat=True))
        if loose:
            rows.append(DepartmentShare(None, Share(len(loose & confirmed), len(loose))))
    return rows


# Onboarding -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    item: OnboardingItem
    done: bool
    by_hand: bool  # the person ticks it (the data cannot tell)


def guidelines_read(user: User) -> bool:
    """True when the person confirmed every current publication addressed to them."""
    unconfirmed = current_for_user(user).exclude(
        Exists(Confirmation.objects.filter(person=user, publication=OuterRef("pk")))
    )
    return not unconfirmed.exists()


def checklist(user: User) -> list[ChecklistItem]:
    """The person's onboarding items, each done or not as the data says."""
    marked = set(OnboardingMark.objects.filter(person=user).values_list("item", flat=True))
    return [
        ChecklistItem(OnboardingItem.GUIDELINES, guidelines_read(user), False),
        ChecklistItem(
            OnboardingItem.TWO_FACTOR,
            TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            False,
        ),
        ChecklistItem(OnboardingItem.INBOX_TOUR, OnboardingItem.INBOX_TOUR in marked, True),
        ChecklistItem(
            OnboardingItem.FIRST_IDEA, Idea.objects.filter(submitted_by=user).exists(), False
        ),
    ]


@dataclass(frozen=True)
class Progress:
    person: User
    items: list[ChecklistItem]

    @property
    def share(self) -> Share:
        return Share(sum(1 for i in self.items if i.done), len(self.items))


def onboarding_progress(department: Department | None = None) -> list[Progress]:
    """Every active person's checklist (of one department when given), least done first."""
    people = User.objects.filter(is_active=True).order_by("full_name", "email")
    if department is not None:
        people = people.filter(departments=department)
    rows = [Progress(person, checklist(person)) for person in people]
    return sorted(rows, key=lambda row: row.share.done)
