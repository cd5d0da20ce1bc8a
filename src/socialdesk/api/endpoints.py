"""REST API v1: departments and people, with the same permissions as the pages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from ninja import NinjaAPI, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from socialdesk import __version__, access
from socialdesk.accounts import selectors, services
from socialdesk.accounts.models import Department, Role, User
from socialdesk.api.auth import acting, allow, docs_access
from socialdesk.api.errors import install_error_handlers
from socialdesk.api.inputs import Id, Text
from socialdesk.api.posts import router as posts_router
from socialdesk.core.http import ApiRequest


class DocumentedAPI(NinjaAPI):
    """The schema names, for every operation, the roles that may call it (`access.API`)."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                roles = access.API.get(operation.get("operationId", ""))
                if roles:
                    named = ", ".join(role for role in Role.values if role in roles)
                    text = operation.get("description", "")
                    operation["description"] = f"{text}\n\n**Roles:** {named}".strip()
        return schema


api = DocumentedAPI(
    title="socialdesk API",
    version=__version__,
    description=(
        "Send a personal API token as `Authorization: Bearer <token>`. Create tokens under "
        "Settings → API tokens or with `socialdesk tokens create`. Each operation allows the "
        "same roles as the pages (named under each). Errors are JSON with `detail` in the "
        "caller's language (Accept-Language): 400 a cursor not given out, 401 no or a wrong "
        "token, 403 a role or a read-only token that may not, 404 nothing the caller may see, "
        "405 a method the address does not take, 409 a conflict, 413 a body too large, 422 "
        "wrong values (`errors` per field), 429 too many requests (`Retry-After`). Lists "
        "page by `cursor` (the `next` of the page before)."
    ),
    urls_namespace="api",
    docs_decorator=docs_access,
)
install_error_handlers(api)
api.add_router("/posts", posts_router)  # issue 12: posts (api/posts.py)


class DepartmentRef(Schema):
    id: int
    name: str


class SiteRef(Schema):
    id: int
    name: str


class DepartmentOut(Schema):
    id: int
    name: str
    description: str
    email: str
    people_count: int = 0


class DepartmentIn(Schema):
    name: Text = Field(min_length=1, max_length=100)
    description: Text = ""
    email: Text = Field(default="", max_length=254)


class PersonOut(Schema):
    id: int
    email: str
    full_name: str
    role: Role
    active: bool
    departments: list[DepartmentRef]
    site: SiteRef | None = None

    @staticmethod
    def from_user(user: User) -> PersonOut:
        return PersonOut(
            id=user.pk,
            email=user.email,
            full_name=user.full_name,
            role=Role(user.role),
            active=user.is_active,
            departments=[DepartmentRef(id=d.pk, name=d.name) for d in user.departments.all()],
            site=SiteRef(id=user.site.pk, name=user.site.name) if user.site else None,
        )


class PersonPatch(Schema):
    role: Role | None = None
    department_ids: list[Id] | None = None
    active: bool | None = None


@api.get("/me", response=PersonOut, **allow("me"))
def me(request: ApiRequest) -> PersonOut:
    """Return the person the token belongs to."""
    return PersonOut.from_user(request.auth)


@api.get("/departments", response=list[DepartmentOut], **allow("list_departments"))
def list_departments(request: ApiRequest) -> Any:
    """List all departments with their number of active people."""
    return selectors.department_list()


@api.get("/departments/{department_id}", response=DepartmentOut, **allow("get_department"))
def get_department(request: ApiRequest, department_id: Id) -> Any:
    return selectors.department_for_user(request.auth, department_id)


@api.post("/departments", response={201: DepartmentOut}, **allow("create_department"))
def create_department(request: ApiRequest, payload: DepartmentIn) -> Any:
    department = services.department_create(
        by=acting(request), name=payload.name, description=payload.description, email=payload.email
    )
    return Status(201, selectors.department_for_user(request.auth, department.pk))


@api.put("/departments/{department_id}", response=DepartmentOut, **allow("update_department"))
def update_department(request: ApiRequest, department_id: Id, payload: DepartmentIn) -> Any:
    department = selectors.department_for_user(request.auth, department_id)
    services.department_update(
        by=acting(request),
        department=department,
        name=payload.name,
        description=payload.description,
        email=payload.email,
    )
    return selectors.department_for_user(request.auth, department_id)


@api.delete("/departments/{department_id}", response={204: None}, **allow("delete_department"))
def delete_department(request: ApiRequest, department_id: Id) -> Any:
    department = selectors.department_for_user(request.auth, department_id)
    services.department_delete(by=acting(request), department=department)
    return Status(204, None)


@api.get("/people", response=list[PersonOut], **allow("list_people"))
def list_people(
    request: ApiRequest,
    q: Text = "",
    role: Role | None = None,
    department_id: Id | None = None,
    active: bool = True,
) -> list[PersonOut]:
    """List people, filtered by text, role, department and whether they are active."""
    people = selectors.people_list(
        query=q,
        role=role.value if role else "",
        department=str(department_id or ""),
        active="yes" if active else "no",
    )
    return [PersonOut.from_user(p) for p in people]


@api.get("/people/{person_id}", response=PersonOut, **allow("get_person"))
def get_person(request: ApiRequest, person_id: Id) -> PersonOut:
    return PersonOut.from_user(selectors.person_for_user(request.auth, person_id))


@api.patch("/people/{person_id}", response=PersonOut, **allow("update_person"))
def update_person(request: ApiRequest, person_id: Id, payload: PersonPatch) -> PersonOut:
    """Change a person's role, departments or active state."""
    person = selectors.person_for_user(request.auth, person_id)
    by = acting(request)
    if payload.department_ids is not None:
        departments = list(Department.objects.filter(pk__in=payload.department_ids))
        missing = set(payload.department_ids) - {d.pk for d in departments}
        if missing:
            raise HttpError(422, f"No department with id {', '.join(map(str, sorted(missing)))}.")
    with transaction.atomic():  # all of the change, or none of it
        if payload.role is not None:
            services.user_change_role(by=by, user=person, role=payload.role.value)
        if payload.department_ids is not None:
            services.user_set_departments(by=by, user=person, departments=departments)
        if payload.active is True:
            services.user_reactivate(by=by, user=person)
        elif payload.active is False:
            services.user_deactivate(by=by, user=person)
    return PersonOut.from_user(selectors.person_for_user(request.auth, person_id))


api.add_router("/", "socialdesk.api.ideas.router")  # story ideas and campaigns (issue 12)
api.add_router("/", "socialdesk.api.kpis.router")  # the KPI registry (issue 13 item 8)
api.add_router("/", "socialdesk.api.goals.router")  # goals (issue 13 item 8)
api.add_router("/reports", "socialdesk.api.reports.router")  # reports (issue 13 item 6)
api.add_router("/", "socialdesk.api.rooms.router")  # project rooms (issue 14, WP2)
api.add_router("/wiki", "socialdesk.api.wiki.router")  # the wiki (issue 14, WP3)
api.add_router("/search", "socialdesk.api.search.router")  # one search (issue 14, WP4)
# Before the inbox's router: its `/conversations/{conversation_id}` would take `/bulk`.
api.add_router("/", "socialdesk.api.conversation_bulk.router")  # bulk actions (issue 15)
api.add_router("/", "socialdesk.api.conversations.router")  # the inbox (issue 15)
api.add_router("/", "socialdesk.api.imports.router")  # history imports (issue 15)
api.add_router("/", "socialdesk.api.contacts.router")  # contacts and channels (issue 15)
api.add_router("/", "socialdesk.api.team.router")  # saved replies, tags, notifications, audit
# Before the items' router: its `/feedback/{item_id}` would take `/topics`.
api.add_router("/feedback", "socialdesk.api.feedback_topics.router")  # topics, routing rules
api.add_router("/feedback", "socialdesk.api.feedback.router")  # feedback items (issue 15)
api.add_router("/", "socialdesk.api.listening.router")  # listening monitors (issue 15)
api.add_router("/", "socialdesk.api.webhooks.router")  # outgoing webhooks (issue 15)
api.add_router("/", "socialdesk.api.sla.router")  # SLA policies and business hours (issue 15)
