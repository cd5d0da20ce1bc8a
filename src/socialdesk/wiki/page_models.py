"""Wiki pages, their revisions, links, old titles and the kept drafts of a conflict."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .space_models import WikiSpace

TITLE_MAX = 200
BODY_MAX = 200_000
NOTE_MAX = 200
SLUG_MAX = 80


class WikiPage(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class Template(models.TextChoices):
        NONE = "", _("Empty page")
        FAQ = "faq", _("FAQ answer")
        MEETING = "meeting", _("Meeting notes")
        PLAYBOOK = "playbook", _("Playbook")

    space = models.ForeignKey(WikiSpace, on_delete=models.PROTECT, related_name="pages")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    title_key = models.CharField(max_length=TITLE_MAX)
    slug = models.CharField(max_length=SLUG_MAX + 8)
    body = models.TextField(_("text"), blank=True)
    # the body's words without Markdown (`rendering.plain_text`), written with it by
    # `page_services`: search builds entries and snippets from it without rendering each time
    plain_text = models.TextField(blank=True, default="", editable=False)
    revision = models.PositiveIntegerField(default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    template = models.CharField(max_length=20, choices=Template.choices, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="wiki_pages_owned",
        verbose_name=_("owner"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    review_every_days = models.PositiveIntegerField(null=True, blank=True)
    review_reminded_for = models.DateField(null=True, blank=True)  # the due date last reminded
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    managed_by = models.CharField(max_length=100, blank=True)
    source_conversation = models.ForeignKey(
        "inbox.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        app_label = "wiki"
        verbose_name = _("wiki page")
        verbose_name_plural = _("wiki pages")
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["space", "title_key"],
                condition=Q(deleted_at__isnull=True),
                name="wiki_page_title_unique_live",
            ),
            models.UniqueConstraint(fields=["space", "slug"], name="wiki_page_slug_unique"),
        ]
        indexes = [
            models.Index(fields=["review_by"], name="wiki_page_review_by"),
            models.Index(fields=["-updated_at"], name="wiki_page_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class WikiRevision(models.Model):
    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=NOTE_MAX, blank=True)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    merged_base = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        app_label = "wiki"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="wiki_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.page_id} v{self.number}"


class WikiLink(models.Model):
    """A `[[link]]` on a page, recomputed on every save; `target` null: the page is missing."""

    source = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(
        WikiPage, null=True, blank=True, on_delete=models.SET_NULL, related_name="links_in"
    )
    target_space_key = models.CharField(max_length=60)
    target_title_key = models.CharField(max_length=TITLE_MAX)
    title = models.CharField(max_length=TITLE_MAX)  # the title as written, for "create this page"

    class Meta:
        app_label = "wiki"
        indexes = [
            models.Index(fields=["target_space_key", "target_title_key"], name="wiki_link_key")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_title_key}"


class WikiAlias(models.Model):
    """An old title of a renamed page: links to it keep working, nobody's page is rewritten."""

    space = models.ForeignKey(WikiSpace, on_delete=models.CASCADE, related_name="+")
    title_key = models.CharField(max_length=TITLE_MAX)
    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        app_label = "wiki"
        constraints = [
            models.UniqueConstraint(fields=["space", "title_key"], name="wiki_alias_unique")
        ]

    def __str__(self) -> str:
        return self.title_key


class WikiDraft(models.Model):
    """The losing side of a conflict, kept until its writer merges or drops it."""

    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="drafts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=TITLE_MAX)
    body = models.TextField(blank=True)
    base_revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "wiki"
        constraints = [models.UniqueConstraint(fields=["page", "user"], name="wiki_draft_unique")]

    def __str__(self) -> str:
        return f"{self.page_id} draft of {self.user_id}"


class WikiReply(models.Model):
    """A saved reply that follows a page (or one section of it); WP1's `replies` keeps it."""

    page = models.ForeignKey(WikiPage, on_delete=models.CASCADE, related_name="replies")
    saved_reply = models.OneToOneField(
        "inbox.SavedReply", on_delete=models.CASCADE, related_name="wiki_source"
    )
    section = models.CharField(max_length=TITLE_MAX, blank=True)
    synced_revision = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "wiki"

    def __str__(self) -> str:
        return f"{self.page_id} -> reply {self.saved_reply_id}"
