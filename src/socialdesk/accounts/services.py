"""Every change to organisation, people and departments goes through these functions.

Views, API endpoints and commands all call them. Each validates, saves in one transaction,
writes the audit log and schedules side effects (e-mail) for after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from socialdesk.accounts.audit import Acting, record
from socialdesk.accounts.models import (
    INVITATION_VALID_FOR,
    Department,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
    hash_secret,
)
from socialdesk.core import changes
from socialdesk.core.redaction import redact_url
from socialdesk.core.tasks import send_email

# ---------------------------------------------------------------- departments


def _department_state(department: Department) -> dict[str, Any]:
    return {
        "name": department.name,
        "description": department.description,
        "email": department.email,
        "feedback_answer_hours": department.feedback_answer_hours,
        # The tracker's webhook address often carries its token: the log keeps it redacted
        # (the field holds the redacted form already; an address stored before holds it too).
        "issue_tracker_url": redact_url(department.issue_tracker_url),
    }


def department_create(
    *,
    by: Acting,
    name: str,
    description: str = "",
    email: str = "",
    feedback_answer_hours: int | None = None,
    issue_tracker_url: str = "",
) -> Department:
    """Create a department."""
    name = name.strip()
    if Department.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("A department with this name exists already.")})
    with transaction.atomic():
        department = Department(name=name, description=description.strip(), email=email.strip())
        if feedback_answer_hours:
            department.feedback_answer_hours = feedback_answer_hours
        department.set_issue_tracker_url(issue_tracker_url)
        department.full_clean()
        department.save()
        record(by, "department.created", department, after=_department_state(department))
    return department


def department_update(
    *,
    by: Acting,
    department: Department,
    name: str,
    description: str = "",
    email: str = "",
    feedback_answer_hours: int | None = None,
    issue_tracker_url: str | None = None,
) -> Department:
    """Rename or describe a department."""
    name = name.strip()
    if Department.objects.filter(name__iexact=name).exclude(pk=department.pk).exists():
        raise ValidationError({"name": _("A department with this name exists already.")})
    before = _department_state(department)
    with transaction.atomic():
        department.name, department.description, department.email = (
            name,
            description.strip(),
            email.strip(),
        )
        if feedback_answer_hours:
            department.feedback_answer_hours = feedback_answer_hours
        if issue_tracker_url is not None:
            department.set_issue_tracker_url(issue_tracker_url)
        department.full_clean()
        department.save()
        changes.changed("accounts.user", department.people.values_list("pk", flat=True))
        record(
            by, "department.updated", department, before=before, after=_department_state(department)
        )
    return department


def department_delete(*, by: Acting, department: Department) -> None:
    """Delete a department; its people stay and lose only this membership."""
    with transaction.atomic():
        members = sorted(department.people.values_list("email", flat=True))
        record(
            by,
            "department.deleted",
            department,
            before={**_department_state(department), "members": members},
        )
        department.delete()


# ---------------------------------------------------------------- people


def _active_admins() -> int:
    return User.objects.filter(role=Role.ADMIN, is_active=True).count()


def _department_names(user: User) -> list[str]:
    return sorted(user.departments.values_list("name", flat=True))


def user_change_role(*, by: Acting, user: User, role: str) -> User:
    """Give a person another role; the last active admin keeps theirs."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    if user.role == role:
        return user
    if user.role == Role.ADMIN and user.is_active and _active_admins() <= 1:
        raise ValidationError({"role": _("This is the last admin. Make someone else admin first.")})
    with transaction.atomic():
        before = {"role": user.role}
        user.role = role
        user.save(update_fields=["role"])
        changes.changed("accounts.user", [user.pk])
        record(by, "person.role_changed", user, before=before, after={"role": role})
    return user


def user_set_departments(*, by: Acting, user: User, departments: Iterable[Department]) -> User:
    """Make the person a member of exactly these departments."""
    wanted = {d.pk: d for d in departments}
    with transaction.atomic():
        before = _department_names(user)
        current = set(user.memberships.values_list("department_id", flat=True))
        user.memberships.exclude(department_id__in=wanted).delete()
        Membership.objects.bulk_create(
            [Membership(user=user, department=wanted[pk]) for pk in wanted.keys() - current]
        )
        after = _department_names(user)
        changes.changed("accounts.user", [user.pk])
        if before != after:
            record(
                by,
                "person.departments_changed",
                user,
                before={"departments": before},
                after={"departments": after},
            )
    return user


def _end_sessions(user: User) -> int:
    """Delete every stored session of this person; return how many ended."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def user_deactivate(*, by: Acting, user: User) -> User:
    """Stop a person from signing in; their sessions and API tokens end at once."""
    if by.user is not None and by.user.pk == user.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if user.role == Role.ADMIN and user.is_active and _active_admins() <= 1:
        raise ValidationError(_("This is the last admin. Make someone else admin first."))
    if not user.is_active:
        return user
    with transaction.atomic():
        user.is_active = False
        user.deactivated_at = timezone.now()
        user.save(update_fields=["is_active", "deactivated_at"])
        changes.changed("accounts.user", [user.pk])
        revoked = user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        ended = _end_sessions(user)
        record(
            by,
            "person.deactivated",
            user,
            before={"active": True},
            after={"active": False, "sessions_ended": ended, "api_tokens_revoked": revoked},
        )
    return user


def user_reactivate(*, by: Acting, user: User) -> User:
    """Let a deactivated person sign in again."""
    if user.is_active:
        return user
    with transaction.atomic():
        user.is_active = True
        user.deactivated_at = None
        user.save(update_fields=["is_active", "deactivated_at"])
        changes.changed("accounts.user", [user.pk])
        record(by, "person.reactivated", user, before={"active": False}, after={"active": True})
    return user


def user_update_preferences(
    *, by: Acting, user: User, full_name: str, language: str, time_zone: str
) -> User:
    """Save a person's own name, language and time zone."""
    before = {"full_name": user.full_name, "language": user.language, "time_zone": user.time_zone}
    with transaction.atomic():
        user.full_name, user.language, user.time_zone = full_name.strip(), language, time_zone
        user.full_clean(exclude=["password"])
        user.save(update_fields=["full_name", "language", "time_zone"])
        changes.changed("accounts.user", [user.pk])
        after = {
            "full_name": user.full_name,
            "language": user.language,
            "time_zone": user.time_zone,
        }
        if before != after:
            record(by, "person.preferences_changed", user, before=before, after=after)
    return user


def user_change_password(*, by: Acting, user: User, password: str) -> User:
    """Set a person's new password (already validated by the form) and audit the change.

    Their other sessions end with the old password's hash; the caller keeps the current one.
    """
    with transaction.atomic():
        user.set_password(password)
        user.save()
        record(by, "person.password_changed", user)
    return user


def admin_ensure(*, by: Acting, email: str, password: str) -> User:
    """Make the person with this address an active admin with this password (create them)."""
    with transaction.atomic():
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, full_name="Admin", role=Role.ADMIN)
        else:
            user.role, user.is_active = Role.ADMIN, True
            user.set_password(password)
            user.save()
        changes.changed("accounts.user", [user.pk])
        record(by, "person.admin_created", user, after={"role": "admin"})
    return user


# ---------------------------------------------------------------- invitations


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])


def _send_invitation(invitation: Invitation, token: str) -> None:
    organisation = Organisation.current()
    with translation.override(organisation.default_language):
        context = {
            "invitation": invitation,
            "organisation": organisation,
            "link": invitation_link(token),
            "inviter": invitation.invited_by,
            "role": invitation.get_role_display(),
        }
        subject = _("You are invited to %(organisation)s on socialdesk") % {
            "organisation": organisation.name
        }
        body = render_to_string("accounts/email/invitation.txt", context)
    send_email.enqueue(subject, body, [invitation.email])


def user_invite(
    *,
    by: Acting,
    email: str,
    role: str,
    departments: Iterable[Department] = (),
    full_name: str = "",
) -> tuple[Invitation, str]:
    """Invite a person by e-mail; return the invitation and its secret token."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("A person with this e-mail address exists already.")})
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # A new invitation replaces any pending one for the same address.
        Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            email=email,
            full_name=full_name.strip(),
            role=role,
            invited_by=by.user,
            token_hash=hash_secret(token),
            created_at=now,
            expires_at=now + INVITATION_VALID_FOR,
        )
        invitation.departments.set(list(departments))
        record(
            by,
            "invitation.sent",
            invitation,
            after={
                "email": email,
                "role": role,
                "departments": sorted(d.name for d in invitation.departments.all()),
            },
        )
        transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation, token


def invitation_resend(*, by: Acting, invitation: Invitation) -> tuple[Invitation, str]:
    """Send a fresh link for an invitation that is pending or expired."""
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has been accepted already."))
    return user_invite(
        by=by,
        email=invitation.email,
        role=invitation.role,
        departments=list(invitation.departments.all()),
        full_name=invitation.full_name,
    )


def invitation_revoke(*, by: Acting, invitation: Invitation) -> Invitation:
    """Make an invitation's link useless."""
    if not invitation.is_pending:
        return invitation
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            by,
            "invitation.revoked",
            invitation,
            before={"state": "pending"},
            after={"state": "revoked"},
        )
    return invitation


def invitation_by_token(token: str) -> Invitation | None:
    """Return the invitation a link's token belongs to, in any state."""
    return Invitation.objects.filter(token_hash=hash_secret(token)).first()


def invitation_accept(
    *, invitation: Invitation, full_name: str, password: str, ip: str | None = None
) -> User:
    """Create the invited person with the password they chose."""
    if not invitation.is_pending:
        raise ValidationError(_("This invitation link is no longer valid."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.is_pending:
            raise ValidationError(_("This invitation link is no longer valid."))
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("A person with this e-mail address exists already."))
        user = User(email=invitation.email, full_name=full_name.strip(), role=invitation.role)
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.save()
        Membership.objects.bulk_create(
            [Membership(user=user, department=d) for d in invitation.departments.all()]
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_user = user
        changes.changed("accounts.user", [user.pk])
        invitation.save(update_fields=["accepted_at", "accepted_user"])
        record(
            Acting(user=user, ip=ip),
            "invitation.accepted",
            user,
            after={"email": user.email, "role": user.role, "departments": _department_names(user)},
        )
    return user


# ---------------------------------------------------------------- organisation


def _organisation_state(organisation: Organisation) -> dict[str, Any]:
    return {
        "name": organisation.name,
        "time_zone": organisation.time_zone,
        "default_language": organisation.default_language,
        "two_factor_roles": sorted(organisation.two_factor_roles),
        "retention_months": organisation.retention_months,
        "greeting_form": organisation.greeting_form,
        "greet_by_first_name": organisation.greet_by_first_name,
    }


def organisation_update(
    *,
    by: Acting,
    name: str,
    time_zone: str,
    default_language: str,
    two_factor_roles: Iterable[str],
    retention_months: int | None = None,
    greeting_form: str | None = None,
    greet_by_first_name: bool | None = None,
) -> Organisation:
    """Change the organisation's settings (retention: None keeps conversations for ever).

    `greeting_form` ("du"/"Sie") and `greet_by_first_name` decide how reply drafts and saved
    replies address customers; None (or empty) keeps what is set.
    """
    organisation = Organisation.current()
    before = _organisation_state(organisation)
    roles = sorted(set(two_factor_roles))
    if unknown := set(roles) - set(Role.values):
        raise ValidationError(
            {"two_factor_roles": _("Unknown roles: %s") % ", ".join(sorted(unknown))}
        )
    with transaction.atomic():
        organisation.name = name.strip()
        organisation.time_zone = time_zone
        organisation.default_language = default_language
        organisation.two_factor_roles = roles
        organisation.retention_months = retention_months or None
        if greeting_form:
            organisation.greeting_form = greeting_form
        if greet_by_first_name is not None:
            organisation.greet_by_first_name = greet_by_first_name
        organisation.full_clean()
        organisation.save()
        after = _organisation_state(organisation)
        if before != after:
            record(by, "settings.changed", organisation, before=before, after=after)
    return organisation
