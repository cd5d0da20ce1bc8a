"""Guidelines people actually read (issue 13 item 2): published texts, who confirmed which
version, the one reminder, and the onboarding marks a person sets by hand."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department

USER = settings.AUTH_USER_MODEL


class Publication(models.Model):
    """One version of a text published to everyone or to chosen departments.

    The text is a snapshot as published; a newer version of the same title supersedes it and
    asks its audience to confirm again."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    version = models.PositiveIntegerField(_("version"))
    everyone = models.BooleanField(_("everyone"), default=True)
    departments: models.ManyToManyField[Department, Any] = models.ManyToManyField(
        Department, blank=True, related_name="publications", verbose_name=_("departments")
    )
    published_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["title", "-version"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(fields=["title", "version"], name="unique_publication_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def publisher(self) -> str:
        """Who published it, as people read it ("–" when the account is gone)."""
        person = self.published_by
        if person is None:
            return "–"
        return person.full_name or person.email


class Confirmation(models.Model):
    """A person confirmed they read this version."""

    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="confirmations")
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="confirmations"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "publication"], name="unique_confirmation")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} read {self.publication_id}"


class ConfirmationReminder(models.Model):
    """The one reminder a person gets for a version they have not confirmed."""

    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "publication"], name="unique_reminder")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} reminded of {self.publication_id}"


class OnboardingItem(models.TextChoices):
    GUIDELINES = "guidelines", _("Read and confirm the guidelines")
    TWO_FACTOR = "two_factor", _("Set up two-factor login")
    INBOX_TOUR = "inbox_tour", _("Take the inbox tour")
    FIRST_IDEA = "first_idea", _("Submit a first story idea")


class OnboardingMark(models.Model):
    """An onboarding item the data cannot tell: the person says they did it (the inbox tour)."""

    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="onboarding_marks")
    item = models.CharField(max_length=16, choices=OnboardingItem.choices)
    done_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "item"], name="unique_onboarding_mark")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.item}"


__all__ = [
    "Confirmation",
    "ConfirmationReminder",
    "OnboardingItem",
    "OnboardingMark",
    "Publication",
]
