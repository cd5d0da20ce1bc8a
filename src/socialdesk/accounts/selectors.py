"""Reads for the accounts app: one access-checked fetch per model."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from socialdesk.accounts.models import ApiToken, AuditEvent, Department, Invitation, User
from socialdesk.accounts.site_models import Site
from socialdesk.core.params import id_param


def department_list() -> QuerySet[Department]:
    """Return all departments with their number of active people."""
    return (
        Department.objects.select_related("site")
        .annotate(people_count=Count("memberships", filter=Q(memberships__user__is_active=True)))
        .order_by("name")
    )


def department_for_user(user: User, pk: int) -> Department:
    """Return the department; every signed-in person may see every department."""
    try:
        return department_list().get(pk=pk)
    except Department.DoesNotExist:
        raise Http404 from None


def site_list() -> QuerySet[Site]:
    """Return all sites with their number of active people and of departments."""
    return Site.objects.annotate(
        people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
        department_count=Count("departments", distinct=True),
    ).order_by("name")


def site_for_user(user: User, pk: int) -> Site:
    """Return a site; every signed-in person may see every site."""
    try:
        return site_list().get(pk=pk)
    except Site.DoesNotExist:
        raise Http404 from None


def people_list(
    *,
    query: str = "",
    role: str = "",
    department: str = "",
    active: str = "yes",
    site: str = "",
) -> QuerySet[User]:
    """Return people filtered by a search text, role, department, site and active state."""
    people = User.objects.select_related("site").prefetch_related(
        Prefetch("departments", queryset=Department.objects.order_by("name"))
    )
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if role:
        people = people.filter(role=role)
    if (department_id := id_param(department)) is not None:
        people = people.filter(memberships__department_id=department_id)
    if (site_id := id_param(site)) is not None:
        people = people.filter(site_id=site_id)
    if active == "yes":
        people = people.filter(is_active=True)
    elif active == "no":
        people = people.filter(is_active=False)
    return people.order_by("full_name", "email").distinct()


def person_for_user(user: User, pk: int) -> User:
    """Return a person; the directory is visible to every signed-in person."""
    try:
        return User.objects.select_related("site").prefetch_related("departments").get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


def invitation_for_user(user: User, pk: int) -> Invitation:
    """Return an invitation; only admins reach the pages that call this."""
    try:
        return Invitation.objects.get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_for_user(user: User, pk: int) -> ApiToken:
    """Return one of the person's own tokens; other people's tokens do not exist for them."""
    try:
        return ApiToken.objects.select_related("user").get(pk=pk, user=user)
    except ApiToken.DoesNotExist:
        raise Http404 from None


def audit_events(
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    since: object = None,
    until: object = None,
) -> QuerySet[AuditEvent]:
    """Return audit events, newest first, filtered as the audit log page asks."""
    events = AuditEvent.objects.all()
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if since is not None:
        events = events.filter(at__date__gte=since)
    if until is not None:
        events = events.filter(at__date__lte=until)
    return events.order_by("-at", "-pk")
