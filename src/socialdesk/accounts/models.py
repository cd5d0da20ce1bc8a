"""Organisation, people, departments, invitations, API tokens and the audit log.

Sites are in `site_models` (imported here so every model of the app is in one place)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.site_models import Site
from socialdesk.core import crypto
from socialdesk.core.addresses import MASK, has_secrets, redact


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Social media manager")
    AGENT = "agent", _("Agent")
    MEMBER = "member", _("Department member")
    VIEWER = "viewer", _("Read-only")


ROLE_DESCRIPTIONS = {
    Role.ADMIN: _("Manages people, roles, security and settings; can do everything."),
    Role.MANAGER: _("Runs the channels, strategy and departments; coordinates the team."),
    Role.AGENT: _("Answers the community in the inbox."),
    Role.MEMBER: _("Works on what is handed to their departments."),
    Role.VIEWER: _("Sees everything they are allowed to, changes nothing."),
}


def hash_secret(value: str) -> str:
    """Return the SHA-256 hex digest under which a random token is stored."""
    return hashlib.sha256(value.encode()).hexdigest()


class GreetingForm(models.TextChoices):
    """How the organisation addresses customers in German: "du" or "Sie"."""

    SIE = "sie", _("formal (Sie)")
    DU = "du", _("informal (du)")


class Organisation(models.Model):
    """The company that runs this installation (one per installation)."""

    name = models.CharField(_("name"), max_length=120, default="socialdesk")
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Berlin")
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="de"
    )
    two_factor_roles = models.JSONField(
        _("roles that must use two-factor login"), default=list, blank=True
    )
    # Conversations whose last message is older than this are anonymised by the worker.
    retention_months = models.PositiveIntegerField(
        _("anonymise conversations older than (months)"), null=True, blank=True
    )
    # How reply drafts and saved replies speak to customers.
    greeting_form = models.CharField(
        _("how drafts address customers"),
        max_length=3,
        choices=GreetingForm.choices,
        default=GreetingForm.SIE,
    )
    greet_by_first_name = models.BooleanField(_("drafts greet by first name"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> Organisation:
        """Return the installation's organisation, creating it on first use (inside
        `remembered`, the one read when it began)."""
        organisation = _REMEMBERED.get()
        if organisation is None:
            organisation, _created = cls.objects.get_or_create(
                pk=1, defaults={"time_zone": settings.TIME_ZONE}
            )
        return organisation

    @classmethod
    @contextmanager
    def remembered(cls) -> Iterator[Organisation]:
        """Read the organisation once for the work inside (a page of figures that each ask
        for its time zone): only for work that reads it and does not change it."""
        organisation = cls.current()
        token = _REMEMBERED.set(organisation)
        try:
            yield organisation
        finally:
            _REMEMBERED.reset(token)

    def greeting_name(self, full_name: str) -> str:
        """Return how drafts name a customer: the first name or the full name, as chosen.

        Handles (@lena_k) and one-word names stay as they are.
        """
        name = " ".join(full_name.split())
        if not self.greet_by_first_name or name.startswith("@") or " " not in name:
            return name
        return name.split(" ", 1)[0]

    def requires_two_factor(self, role: str) -> bool:
        """Return whether people with this role must sign in with a second factor."""
        return role in self.two_factor_roles


# The organisation read once for a stretch of read-only work (`Organisation.remembered`).
_REMEMBERED: ContextVar[Organisation | None] = ContextVar("organisation_remembered", default=None)


def sign_in_address(value: object) -> str:
    """Return an e-mail address as signing in reads it: without surrounding space, lower case.

    Stored addresses, the sign-in lookup and the login throttle all use this one spelling, so
    "Ada@Example.com " and "ada@example.com" are the same person everywhere.
    """
    return str(value or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=sign_in_address(self.normalize_email(email)), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> User:
        """Find a person by e-mail address, whatever its capitalisation."""
        return self.get(email__iexact=sign_in_address(username))

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser):
    """A person who signs in; their role decides what they may do everywhere."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(
        _("language"),
        max_length=8,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_("Leave empty to follow your browser."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to use the organisation's time zone."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("deactivated"), null=True, blank=True)
    departments: models.ManyToManyField[Department, Membership] = models.ManyToManyField(
        "Department", through="Membership", related_name="people", blank=True
    )
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.email = sign_in_address(self.email)
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Department(models.Model):
    """A part of the company that touches the community (Marketing, PR, Legal, ...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(
        _("team e-mail"),
        blank=True,
        help_text=_("Where notices for the whole department go, if anywhere."),
    )
    feedback_answer_hours = models.PositiveIntegerField(
        _("answers feedback within (hours)"),
        default=48,
        help_text=_("The department's promise to the community team for new feedback."),
    )
    issue_tracker_url = models.URLField(
        _("issue tracker webhook"),
        blank=True,
        help_text=_("Feedback handed off is posted here as signed JSON."),
    )
    # The address is shown redacted (`issue_tracker_url`); when it carries a user/password or a
    # token, the full form is kept only encrypted here (`set_issue_tracker_url`).
    issue_tracker_url_encrypted = models.TextField(blank=True, default="", editable=False)
    site = models.ForeignKey(
        Site,
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def issue_tracker_address(self) -> str:
        """Return the full address to hand off to (decrypted when it carries secrets)."""
        if not self.issue_tracker_url_encrypted:
            return self.issue_tracker_url
        return str(crypto.decrypt(self.issue_tracker_url_encrypted).get("url", ""))

    def set_issue_tracker_url(self, url: str) -> None:
        """Keep the address: shown redacted, in full only encrypted when it carries secrets.

        The redacted form that is shown (and that a form sends back unchanged) keeps the
        stored address; any other value replaces it.
        """
        url = url.strip()
        if url and url == self.issue_tracker_url and self.issue_tracker_url_encrypted:
            return
        if MASK in url:  # an edited address that still hides the old secret
            raise ValidationError(
                {
                    "issue_tracker_url": _(
                        "Replace ••• with the password or token, or leave the address as it "
                        "was to keep the stored one."
                    )
                }
            )
        if url and has_secrets(url):
            self.issue_tracker_url = redact(url)
            self.issue_tracker_url_encrypted = crypto.encrypt({"url": url})
        else:
            self.issue_tracker_url, self.issue_tracker_url_encrypted = url, ""


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="unique_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.department}"


INVITATION_VALID_FOR = timedelta(days=7)


class Invitation(models.Model):
    """A link, sent by e-mail, with which a new person sets their own password."""

    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    departments = models.ManyToManyField(Department, blank=True, related_name="+")
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A personal key for the REST API; only its hash is stored."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    read_only = models.BooleanField(_("read only"), default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def last_day(self) -> date | None:
        """The last day it works, as it was given (it stops at the end of that day)."""
        if self.expires_at is None:
            return None
        return timezone.localtime(self.expires_at - timedelta(microseconds=1)).date()


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEvent(models.Model):
    """One change that matters: who did what to which object, when and from where."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    token_name = models.CharField(max_length=80, blank=True)  # done through this API token
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=254, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")

    @property
    def action_label(self) -> str:
        """Return what the action is called in the person's language."""
        from socialdesk.accounts.audit import ACTION_LABELS

        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def sentence(self) -> str:
        """Return what happened as a sentence in the person's language."""
        from socialdesk.accounts.audit_text import sentence

        return sentence(self)

    def readable_changes(self) -> list[tuple[str, str | None, str]]:
        """Return (field, before, after) with field names and values in the person's words."""
        from socialdesk.accounts.audit_text import changes

        return changes(self)

    def changes(self) -> list[tuple[str, Any, Any]]:
        """Return (field, before, after) for every field that differs."""
        keys = sorted(set(self.before) | set(self.after))
        return [
            (key, self.before.get(key), self.after.get(key))
            for key in keys
            if self.before.get(key) != self.after.get(key)
        ]
