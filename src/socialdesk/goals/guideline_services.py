"""Writing the guidelines: publish a version, confirm it, the one reminder, onboarding marks.

Every write goes through here, takes the acting person and is audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import Department, Role, User
from socialdesk.goals import strategy_wiki
from socialdesk.goals.guideline_models import (
    Confirmation,
    ConfirmationReminder,
    OnboardingItem,
    OnboardingMark,
    Publication,
)
from socialdesk.goals.guideline_selectors import audience, in_audience, is_current
from socialdesk.inbox.notify import notify

TITLE_MAX = 200
TEXT_MAX = 200_000
NOTIFICATION_KIND = "guidelines"


def _clean(value: str) -> str:
    return value.replace("\x00", "").strip()


def publish(
    *,
    by: Acting,
    title: str,
    text: str,
    departments: Iterable[Department] = (),
    everyone: bool = True,
) -> Publication:
    """Publish a new version of the text under this title (v1, then v2 supersedes v1 and asks
    its audience to confirm again)."""
    if by.user is None or by.user.role not in (Role.ADMIN, Role.MANAGER):
        raise PermissionDenied
    title, text = _clean(title), _clean(text)
    chosen = list(departments)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = str(_("Give the text a title."))
    elif len(title) > TITLE_MAX:
        errors["title"] = str(_("At most 200 characters."))
    if not text:
        errors["text"] = str(_("Write the text to publish."))
    elif len(text) > TEXT_MAX:
        errors["text"] = str(_("The text is too long (at most 200,000 characters)."))
    if not everyone and not chosen:
        errors["departments"] = str(_("Choose the departments, or publish to everyone."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        latest = (
            Publication.objects.select_for_update()
            .filter(title=title)
            .aggregate(v=Max("version"))["v"]
        )
        publication = Publication.objects.create(
            title=title,
            text=text,
            version=(latest or 0) + 1,
            everyone=everyone,
            published_by=by.user,
            published_at=timezone.now(),
        )
        if not everyone:
            publication.departments.set(chosen)
        record(
            by,
            "guidelines.published",
            publication,
            after={
                "version": publication.version,
                "departments": sorted(d.pk for d in chosen) if not everyone else [],
            },
            object_repr=str(publication)[:254],
        )
        strategy_wiki.publication_published(by=by, publication=publication)
    return publication


def confirm(*, by: Acting, publication: Publication) -> Confirmation:
    """The acting person read this version; only the current one, only if addressed to them."""
    user = by.user
    if user is None or not in_audience(user, publication):
        raise PermissionDenied
    if not is_current(publication):
        raise ValidationError(_("A newer version was published: read and confirm that one."))
    existing = Confirmation.objects.filter(person=user, publication=publication).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            confirmation = Confirmation.objects.create(
                person=user, publication=publication, confirmed_at=timezone.now()
            )
            record(by, "guidelines.confirmed", publication, object_repr=str(publication)[:254])
    except IntegrityError:  # a double click that raced
        return Confirmation.objects.get(person=user, publication=publication)
    return confirmation


def mark_onboarding(*, by: Acting, item: str, done: bool = True) -> None:
    """The acting person ticks (or unticks) an item the data cannot tell: the inbox tour."""
    if by.user is None:
        raise PermissionDenied
    if item != OnboardingItem.INBOX_TOUR:
        raise ValidationError(_("This item is ticked by what you do, not by hand."))
    with transaction.atomic():
        if done:
            _mark, created = OnboardingMark.objects.get_or_create(
                person=by.user, item=item, defaults={"done_at": timezone.now()}
            )
        else:
            created = bool(OnboardingMark.objects.filter(person=by.user, item=item).delete()[0])
        if created:
            record(by, "onboarding.marked", by.user, after={"item": item, "done": done})


def send_confirmation_reminders(now: datetime | None = None) -> int:
    """Remind, once, each person in the audience of a current publication who has not
    confirmed it GUIDELINES_REMIND_AFTER_DAYS after it was published; return how many."""
    from socialdesk.goals.guideline_selectors import current_publications

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.GUIDELINES_REMIND_AFTER_DAYS)
    sent = 0
    for publication in current_publications().filter(published_at__lte=cutoff):
        people = (
            audience(publication)
            .exclude(confirmations__publication=publication)
            .exclude(pk__in=publication.reminders.values("person_id"))
        )
        for person in people:
            sent += _remind(person, publication, now)
    return sent


def _remind(person: User, publication: Publication, now: datetime) -> int:
    with transaction.atomic():
        _reminder, created = ConfirmationReminder.objects.get_or_create(
            person=person, publication=publication, defaults={"sent_at": now}
        )
        if not created:
            return 0
        title, version = publication.title, publication.version
        notify(
            [person],
            kind=NOTIFICATION_KIND,
            path=reverse("goals:publication", args=[publication.pk]),
            title=lambda: (
                gettext("Please read and confirm: %(title)s (version %(version)s)")
                % {"title": title, "version": version}
            ),
            template="goals/guidelines/email/reminder.txt",
            context={"publication": publication},
        )
        record(
            Acting(user=None, label="reminders"),
            "guidelines.reminded",
            publication,
            after={"person": person.pk},
            object_repr=str(publication)[:254],
        )
    return 1
