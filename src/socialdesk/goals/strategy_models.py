"""The strategy: one living document per organisation in sections, each saved as versions
(author, time, full text), the objectives as their own rows, and what each person last read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Organisation

TITLE_LIMIT = 200
TEXT_LIMIT = 100_000


class SectionKey(models.TextChoices):
    OBJECTIVES = "objectives", _("Objectives")
    AUDIENCES = "audiences", _("Audiences")
    CHANNELS = "channels", _("Channels and their role")
    TONE = "tone", _("Tone of voice")
    GUIDELINES = "guidelines", _("Social media guidelines for all employees")
    CRISIS = "crisis", _("Crisis playbook")
    CAMPAIGNS = "campaigns", _("Campaigns")


class StrategySection(models.Model):
    """One section of the organisation's strategy; `text` is its latest version's text."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="strategy_sections"
    )
    key = models.CharField(_("section"), max_length=20, choices=SectionKey.choices)
    text = models.TextField(_("text"), blank=True, default="")
    campaigns = models.ManyToManyField(
        "publishing.Campaign", blank=True, related_name="strategy_sections"
    )
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="strategy_section_once")
        ]

    def __str__(self) -> str:
        return str(SectionKey(self.key).label)


class StrategyVersion(models.Model):
    """One save of a section: the full text as it was, who wrote it and when."""

    section = models.ForeignKey(StrategySection, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("text"), blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254, blank=True, default="")
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["section", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["section", "number"], name="strategy_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.section} v{self.number}"


class StrategyRead(models.Model):
    """The version of a section a person last saw (0: none yet)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_reads"
    )
    section = models.ForeignKey(StrategySection, on_delete=models.CASCADE, related_name="reads")
    number = models.PositiveIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "section"], name="strategy_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.section_id} v{self.number}"


class Objective(models.Model):
    """One objective of the strategy; goals (issue 13 item 4) will link to it by its id."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="objectives"
    )
    title = models.CharField(_("title"), max_length=TITLE_LIMIT)
    description = models.TextField(_("description"), blank=True, default="")
    order = models.PositiveIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title
