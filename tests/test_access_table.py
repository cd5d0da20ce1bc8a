"""The access table in socialdesk.access covers every URL and API operation, and holds."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from socialdesk import access
from socialdesk.accounts import services
from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Invitation, Organisation, Role
from socialdesk.accounts.site_models import Site
from socialdesk.api.endpoints import api
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback.models import FeedbackItem, FeedbackLink, ReplyDraft
from socialdesk.goals.guideline_models import Publication
from socialdesk.goals.models import Objective
from socialdesk.inbox.models import Contact, Conversation, Message
from socialdesk.listening.models import Monitor
from socialdesk.publishing.models import Campaign, Idea, IdeaPhoto, Post, PostMedia, PostTarget
from socialdesk.sla.models import BusinessHours, SlaPolicy
from tests import issue14

ROLES = [*Role.values, "anonymous"]


def _named_patterns(resolver: URLResolver, namespace: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            found.update(_named_patterns(pattern, inner))
        elif pattern.name:
            found[namespace + pattern.name] = pattern
    return found


def _api_operations() -> list[tuple[str, str, str]]:
    """Return (operation id, method, path) for every operation in the OpenAPI schema."""
    schema = api.get_openapi_schema()
    return [
        (op["operationId"], method.upper(), path)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


def test_it_lists_every_url_in_the_table():
    """A URL without a row fails here, so nobody can add a page and forget who may open it."""
    names = set(_named_patterns(get_resolver()))
    api_operation_urls = {f"api:{op}" for op, _m, _p in _api_operations()}
    pages = names - api_operation_urls
    assert pages - set(access.PAGES) == set(), "pages missing from access.PAGES"
    assert set(access.PAGES) - pages == set(), "rows in access.PAGES without a URL"


def test_it_lists_every_api_operation_in_the_table():
    operations = {op for op, _m, _p in _api_operations()}
    assert operations - set(access.API) == set(), "operations missing from access.API"
    assert set(access.API) - operations == set(), "rows in access.API without an operation"


@pytest.fixture
def samples(people, departments):
    """Objects whose ids fill the URL patterns."""
    invitation, token = services.user_invite(
        by=Acting(user=people["admin"]), email="new@example.com", role=Role.AGENT
    )
    api_token, _key = api_tokens.api_token_create(
        by=Acting(user=people["viewer"]), user=people["viewer"], name="script"
    )
    account = ChannelAccount.objects.create(network="twitter", handle="nordlichtbahn")
    conversation = Conversation.objects.create(channel_account=account)
    message = Message.objects.create(
        conversation=conversation,
        channel_account=account,
        external_id="1",
        direction="in",
        text="Wann fährt der Zug?",
        created_at=timezone.now(),
    )
    hours = BusinessHours.objects.create(name="Office", weekly_hours={"0": [["09:00", "17:00"]]})
    policy = SlaPolicy.objects.create(name="Day", first_response_minutes=1440)
    monitor = Monitor.objects.create(name="App", query="app")
    item = FeedbackItem.objects.create(title="QR code", department=departments["Legal"])
    link = FeedbackLink.objects.create(item=item, message=message)
    draft = ReplyDraft.objects.create(item=item, conversation=conversation, language="de", text="x")
    contact = Contact.objects.create(display_name="Kim")
    post = Post.objects.create(text="Hinter den Kulissen", author=people["agent"])
    media = PostMedia.objects.create(post=post, content=b"x", mime="image/png")
    campaign = Campaign.objects.create(name="Sommer")
    idea = Idea.objects.create(title="Lego-Zug", what_happened="x", campaign=campaign)
    photo = IdeaPhoto.objects.create(idea=idea, content=b"x", mime="image/jpeg")
    objective = Objective.objects.create(organisation=Organisation.current(), title="Schnell")
    publication = Publication.objects.create(
        title="Leitlinien", text="# Hallo", version=1, published_at=timezone.now()
    )
    return {
        "objective": objective.pk,
        "publication": publication.pk,
        "post": post.pk,
        "post_media": media.pk,
        "idea": idea.pk,
        "idea_photo": photo.pk,
        "campaign": campaign.pk,
        "post_target": PostTarget.objects.create(post=post, channel=account).pk,
        "contact": contact.pk,
        "feedback_item": item.pk,
        "feedback_link": link.pk,
        "feedback_draft": draft.pk,
        "feedback_token": "not-a-token",
        "monitor": monitor.pk,
        "hours": hours.pk,
        "policy": policy.pk,
        "conversation": conversation.pk,
        "message": message.pk,
        "department": departments["Legal"].pk,
        "person": people["agent"].pk,
        "invitation": invitation.pk,
        "invitation_token": token,
        "api_token": api_token.pk,
        "channel": account.pk,
        "site": Site.objects.create(name="Berlin").pk,
    }


def _url(name: str, samples: dict[str, Any]) -> str:
    pattern = _named_patterns(get_resolver())[name]
    converters = set(pattern.pattern.converters)
    if not converters:
        return reverse(name)
    if name == "accounts:invitation_accept":
        return reverse(name, kwargs={"token": samples["invitation_token"]})
    if name == "accounts:password_reset_confirm":
        return reverse(name, kwargs={"uidb64": "MQ", "token": "set-password"})
    if name == "channels:webhook":
        return reverse(name, kwargs={"pk": samples["conversation"]})
    if name.startswith("channels:"):
        return reverse(name, kwargs={"pk": samples["channel"]})
    if name.startswith("sla:"):
        return reverse(name, kwargs={"pk": samples["hours" if "hours" in name else "policy"]})
    if name.startswith("inbox:"):
        messages = ("inbox:needs_reply", "inbox:retry_send", "inbox:delivery")
        key = "message" if name in messages else "conversation"
        return reverse(name, kwargs={"pk": samples[key]})
    if name == "privacy:contact_export":
        return reverse(name, kwargs={"pk": samples["contact"], "kind": "json"})
    if name.startswith("privacy:"):
        return reverse(name, kwargs={"pk": samples["contact"]})
    if name.startswith("listening:"):
        return reverse(name, kwargs={"pk": samples["monitor"]})
    if name == "publishing:approval_link":
        return reverse(name, kwargs={"token": "not-a-token"})
    if name.startswith("publishing:"):
        return reverse(name, kwargs=_publishing_kwargs(name, samples))
    if name.startswith("goals:strategy_"):
        return reverse(name, kwargs={"key": "objectives"})
    if name.startswith("goals:objective_"):
        return reverse(name, kwargs={"pk": samples["objective"]})
    if name == "feedback:act":
        return reverse(name, kwargs={"token": samples["feedback_token"]})
    if name == "shared_reports:report":  # a report share link (issue 13 item 6)
        return reverse(name, kwargs={"token": "not-a-token"})
    if name.startswith("goals:"):  # guidelines (issue 13 item 2)
        key = "department" if name.startswith("goals:adoption") else "publication"
        return reverse(name, kwargs={"pk": samples[key]})
    if name.startswith("publishing:"):
        key = "post_target" if "target" in name else "post"
        return reverse(name, kwargs={"pk": samples[key]})
    if any(name in getattr(module, "KINDS", {}) for module in issue14.MODULES):
        return reverse(
            name, kwargs={"pk": 999999}
        )  # issue 14: no such object, so object rules (author,
        # owner) cannot answer 403 before the table does
    for module in issue14.MODULES:  # issue 14: each work package's URL arguments from its file
        if name in getattr(module, "ARGS", {}):
            return reverse(name, kwargs=module.ARGS[name](samples))
    if name.startswith("feedback:"):
        key = {"feedback:link_remove": "feedback_link", "feedback:draft_send": "feedback_draft",
               "feedback:board": "department", "feedback:correct": "message",
               }.get(name, "feedback_item")  # fmt: skip
        return reverse(name, kwargs={"pk": samples[key]})
    key = {
        "department": "department",
        "person": "person",
        "invitation": "invitation",
        "token": "api_token",
        "site": "site",
    }[
        next(
            part for part in ("department", "person", "invitation", "token", "site") if part in name
        )
    ]
    return reverse(name, kwargs={"pk": samples[key]})


def _publishing_kwargs(name: str, samples: dict[str, Any]) -> dict[str, Any]:
    if name.startswith(("publishing:idea", "publishing:campaign")):  # ideas and campaigns
        key = {"publishing:idea_photo": "idea_photo"}.get(
            name, "campaign" if name.startswith("publishing:campaign") else "idea"
        )
        return {"pk": samples[key]}
    if name in ("publishing:post_reschedule", "publishing:post_queue"):
        return {"pk": 999999}  # the calendar's moves: no such post
    if name == "publishing:ical":
        return {"secret": "not-a-secret"}
    special = {
        "publishing:post_media_delete": {"pk": samples["post"], "media_pk": samples["post_media"]},
    }
    return special.get(name, {"pk": samples["post"]})


@pytest.mark.parametrize("role", ROLES)
def test_it_allows_and_denies_every_page_as_the_table_says(role, client_as, samples):
    client: Client = client_as(role)
    wrong = []
    for name, allowed_roles in access.PAGES.items():
        url = _url(name, samples)
        response = client.get(url)
        to_login = response.status_code == 302 and response["Location"].startswith(
            reverse("accounts:login")
        )
        if role in allowed_roles:
            # Public pages may send you on to sign-in (e.g. a second step with no first).
            if response.status_code == 403 or (to_login and allowed_roles != access.PUBLIC):
                wrong.append(f"{name}: {role} allowed by the table but got {response.status_code}")
        else:
            expected = "login" if role == "anonymous" else 403
            got = "login" if to_login else response.status_code
            post = client.post(url)
            got_post = (
                "login"
                if post.status_code == 302 and post["Location"].startswith("/login/")
                else post.status_code
            )
            if got != expected or got_post != expected:
                wrong.append(
                    f"{name}: {role} denied by the table but got GET {got}, POST {got_post}"
                )
    assert wrong == []


def _api_path(path: str, samples: dict[str, Any]) -> str:
    for module in issue14.MODULES:  # issue 14: each work package's path arguments from its file
        path = getattr(module, "api_path", lambda path, samples: path)(path, samples)
    return path.replace("{department_id}", str(samples["department"])).replace(
        "{person_id}", str(samples["person"])
    )


@pytest.mark.parametrize("role", Role.values)
def test_it_allows_and_denies_every_api_operation_as_the_table_says(role, people, samples):
    _token, key = api_tokens.api_token_create(
        by=Acting(user=people[role]), user=people[role], name="t"
    )
    client = Client(headers={"Authorization": f"Bearer {key}"})
    wrong = []
    for operation, method, path in _api_operations():
        if method in {"DELETE", "PATCH", "PUT"} and role in access.API[operation]:
            continue  # allowed writes are exercised in the API tests; here they would change the samples
        response = client.generic(
            method, _api_path(path, samples), "{}", content_type="application/json"
        )
        if role in access.API[operation]:
            if response.status_code in (401, 403):
                wrong.append(f"{operation}: {role} allowed but got {response.status_code}")
        elif response.status_code != 403:
            wrong.append(f"{operation}: {role} denied but got {response.status_code}")
    assert wrong == []


def test_it_answers_401_to_every_api_operation_without_a_token(samples):
    client = Client()
    for _operation, method, path in _api_operations():
        response = client.generic(
            method, _api_path(path, samples), "{}", content_type="application/json"
        )
        assert response.status_code == 401, path


def test_it_denies_a_page_that_is_missing_from_the_table(client_as, settings, monkeypatch):
    """Fail closed: a view someone forgot to list answers 403, not the page."""
    monkeypatch.delitem(access.PAGES, "accounts:department_list")
    response = client_as("admin").get(reverse("accounts:department_list"))
    assert response.status_code == 403
    assert Invitation.objects.count() == 0
