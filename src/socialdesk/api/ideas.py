"""REST API: story ideas (list, get, submit, accept, decline) and campaigns (list, get, create),
with the same permissions and the same services as the pages."""

from __future__ import annotations

import base64
import binascii
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from socialdesk.accounts.models import Department
from socialdesk.api.auth import acting, allow
from socialdesk.api.inputs import Id, Text
from socialdesk.core.http import ApiRequest
from socialdesk.publishing import campaign_services, idea_services
from socialdesk.publishing.idea_selectors import photos_described
from socialdesk.publishing.idea_services import MAX_PHOTOS, PhotoUpload
from socialdesk.publishing.models import Campaign, Idea, IdeaStatus
from socialdesk.publishing.selectors import campaigns_for_user, idea_for_user, ideas_for_user

router = Router(tags=["ideas and campaigns"])
PAGE_LIMIT = 500


class PhotoOut(Schema):
    id: int
    url: str
    mime: str
    width: int
    height: int
    alt_text: str


class IdeaOut(Schema):
    id: int
    title: str
    what_happened: str
    why_it_matters: str
    department_id: int | None
    people_involved: str
    about_date: date | None
    campaign_id: int | None
    status: IdeaStatus
    decline_reason: str
    submitted_by: str | None
    created_at: datetime
    photos: list[PhotoOut]

    @staticmethod
    def of(idea: Idea) -> IdeaOut:
        return IdeaOut(
            id=idea.pk,
            title=idea.title,
            what_happened=idea.what_happened,
            why_it_matters=idea.why_it_matters,
            department_id=idea.department_id,
            people_involved=idea.people_involved,
            about_date=idea.about_date,
            campaign_id=idea.campaign_id,
            status=IdeaStatus(idea.status),
            decline_reason=idea.decline_reason,
            submitted_by=idea.submitted_by.email if idea.submitted_by else None,
            created_at=idea.created_at,
            photos=[
                PhotoOut(
                    id=p.pk,
                    url=reverse("publishing:idea_photo", args=[p.pk]),
                    mime=p.mime,
                    width=p.width,
                    height=p.height,
                    alt_text=p.alt_text,
                )
                for p in idea.photos.all()
            ],
        )


class PhotoIn(Schema):
    data_base64: str = Field(max_length=42_000_000, description="The image file, base64")
    alt_text: Text = Field(description="What the photo shows, for people who cannot see it")
    filename: Text = Field(default="", max_length=255)


class IdeaIn(Schema):
    title: Text = Field(description="At most 200 characters")
    what_happened: Text
    why_it_matters: Text = ""
    department_id: Id | None = None
    people_involved: Text = ""
    about_date: date | None = None
    campaign_id: Id | None = None
    photos: list[PhotoIn] = Field(default_factory=list, max_length=MAX_PHOTOS)


class DeclineIn(Schema):
    reason: Text = Field(description="Told to the submitter, in the app and by e-mail")


class CampaignOut(Schema):
    id: int
    name: str
    colour: str
    starts_on: date | None
    ends_on: date | None
    description: str
    goal: str
    archived: bool

    @staticmethod
    def of(campaign: Campaign) -> CampaignOut:
        return CampaignOut(
            id=campaign.pk,
            name=campaign.name,
            colour=campaign.colour,
            starts_on=campaign.starts_on,
            ends_on=campaign.ends_on,
            description=campaign.description,
            goal=campaign.goal,
            archived=campaign.archived_at is not None,
        )


class CampaignIn(Schema):
    name: Text
    colour: Text = "#2563eb"
    starts_on: date | None = None
    ends_on: date | None = None
    description: Text = ""
    goal: Text = ""


def _idea(request: ApiRequest, idea_id: int) -> IdeaOut:
    found = photos_described(ideas_for_user(request.auth))
    return IdeaOut.of(found.get(pk=idea_for_user(request.auth, idea_id).pk))


def _refused(error: ValidationError) -> ValidationError:
    """Name the photo fields as the request does: photos.0 → photos.0.data_base64."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        is_file = key.startswith("photos.") and key.count(".") == 1
        renamed[f"{key}.data_base64" if is_file else key] = messages
    return ValidationError(renamed)


@router.get("/ideas", response=list[IdeaOut], **allow("list_ideas"))
def list_ideas(
    request: ApiRequest,
    status: IdeaStatus | None = None,
    department_id: Id | None = None,
    campaign_id: Id | None = None,
) -> list[IdeaOut]:
    """List the story ideas you may see, newest first, filtered by status, department or
    campaign (at most 500)."""
    ideas = photos_described(ideas_for_user(request.auth))
    if status is not None:
        ideas = ideas.filter(status=status.value)
    if department_id is not None:
        ideas = ideas.filter(department_id=department_id)
    if campaign_id is not None:
        ideas = ideas.filter(campaign_id=campaign_id)
    return [IdeaOut.of(i) for i in ideas[:PAGE_LIMIT]]


@router.get("/ideas/{idea_id}", response=IdeaOut, **allow("get_idea"))
def get_idea(request: ApiRequest, idea_id: Id) -> IdeaOut:
    return _idea(request, idea_id)


@router.post("/ideas", response={201: IdeaOut}, **allow("create_idea"))
def create_idea(request: ApiRequest, payload: IdeaIn) -> Any:
    """Submit a story idea; photos come base64-encoded, each with its alt text. A photo that
    cannot be used is an error at its place (`photos.<n>.data_base64`) and nothing is stored."""
    photos = []
    for index, photo in enumerate(payload.photos):
        try:
            data = base64.b64decode(photo.data_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({f"photos.{index}.data_base64": "This is not base64."}) from None
        photos.append(PhotoUpload(data=data, alt_text=photo.alt_text, filename=photo.filename))
    department = _existing(Department.objects.all(), payload.department_id, "department_id")
    campaign = _existing(campaigns_for_user(request.auth), payload.campaign_id, "campaign_id")
    try:
        idea = idea_services.idea_submit(
            by=acting(request),
            title=payload.title,
            what_happened=payload.what_happened,
            why_it_matters=payload.why_it_matters,
            department=department,
            people_involved=payload.people_involved,
            about_date=payload.about_date,
            campaign=campaign,
            photos=photos,
        )
    except ValidationError as error:
        raise _refused(error) from None
    return Status(201, _idea(request, idea.pk))


def _existing(queryset: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise HttpError(422, f"No {field.removesuffix('_id')} with id {pk}.")
    return found


@router.post("/ideas/{idea_id}/accept", response=IdeaOut, **allow("accept_idea"))
def accept_idea(request: ApiRequest, idea_id: Id) -> IdeaOut:
    """Accept a new (or declined) idea; its followers are told."""
    idea_services.idea_accept(by=acting(request), idea=idea_for_user(request.auth, idea_id))
    return _idea(request, idea_id)


@router.post("/ideas/{idea_id}/decline", response=IdeaOut, **allow("decline_idea"))
def decline_idea(request: ApiRequest, idea_id: Id, payload: DeclineIn) -> IdeaOut:
    """Decline an idea with a reason; the submitter is told in the app and by e-mail."""
    idea_services.idea_decline(
        by=acting(request), idea=idea_for_user(request.auth, idea_id), reason=payload.reason
    )
    return _idea(request, idea_id)


@router.get("/campaigns", response=list[CampaignOut], **allow("list_campaigns"))
def list_campaigns(request: ApiRequest, archived: bool = False) -> list[CampaignOut]:
    """List the active campaigns (or the archived ones)."""
    found = campaigns_for_user(request.auth).filter(archived_at__isnull=not archived)
    return [CampaignOut.of(c) for c in found]


@router.get("/campaigns/{campaign_id}", response=CampaignOut, **allow("get_campaign"))
def get_campaign(request: ApiRequest, campaign_id: Id) -> CampaignOut:
    found = campaigns_for_user(request.auth).filter(pk=campaign_id).first()
    if found is None:
        raise HttpError(404, "Not Found")
    return CampaignOut.of(found)


@router.post("/campaigns", response={201: CampaignOut}, **allow("create_campaign"))
def create_campaign(request: ApiRequest, payload: CampaignIn) -> Any:
    """Create a campaign: a unique name, a colour #rrggbb, dates (the end not before the
    start), a description and its goal."""
    campaign = campaign_services.campaign_create(
        by=acting(request),
        name=payload.name,
        colour=payload.colour,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        description=payload.description,
        goal=payload.goal,
    )
    return Status(201, CampaignOut.of(campaign))
