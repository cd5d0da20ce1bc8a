"""Reply drafts and saved replies speak as the organisation chose: du or Sie, first or full name."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts import services as accounts_services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, GreetingForm, Organisation
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import services
from socialdesk.feedback.models import FeedbackStatus, ReplyDraft
from socialdesk.inbox.models import Contact, Conversation, Direction, Message
from socialdesk.inbox.services import fill_placeholders

BY = Acting(user=None, label="test")


@pytest.fixture
def closed_item(db: None) -> Any:
    """Return a function: close one feedback item said by Lena Kaiser (de) and Sam Lee (en)."""
    account = ChannelAccount.objects.create(network="webhook", handle="shop")

    def close() -> dict[str, ReplyDraft]:
        messages = []
        for number, (name, language) in enumerate([("Lena Kaiser", "de"), ("Sam Lee", "en")]):
            contact = Contact.objects.create(display_name=name)
            conversation = Conversation.objects.create(
                channel_account=account, contact=contact, language=language
            )
            messages.append(
                Message.objects.create(
                    conversation=conversation,
                    channel_account=account,
                    external_id=f"{name}-{number}-{Message.objects.count()}",
                    direction=Direction.INBOUND,
                    author_handle=name,
                    contact=contact,
                    text="Die App stürzt ab",
                    language=language,
                    created_at=timezone.now(),
                )
            )
        item = services.item_create(by=BY, title="App stürzt ab", message=messages[0])
        services.item_link(by=BY, item=item, message=messages[1])
        services.item_set_status(by=BY, item=item, status=FeedbackStatus.DONE)
        return {draft.language: draft for draft in item.drafts.all()}

    return close


def _choose(form: str, first_name: bool) -> None:
    organisation = Organisation.current()
    accounts_services.organisation_update(
        by=BY, name=organisation.name, time_zone=organisation.time_zone,
        default_language="de", two_factor_roles=[], greeting_form=form,
        greet_by_first_name=first_name,
    )  # fmt: skip


def test_it_drafts_formally_with_the_full_name_by_default(closed_item: Any) -> None:
    drafts = closed_item()
    assert drafts["de"].text.startswith("Hallo Lena Kaiser, Sie hatten uns auf „App stürzt ab“")
    assert drafts["en"].text.startswith("Hi Sam Lee, you told us about “App stürzt ab”")


def test_it_drafts_with_du_and_the_first_name_when_the_organisation_chose_so(
    closed_item: Any,
) -> None:
    _choose(GreetingForm.DU, first_name=True)
    drafts = closed_item()
    assert drafts["de"].text.startswith("Hallo Lena, du hattest uns auf „App stürzt ab“")
    assert " Sie " not in drafts["de"].text
    assert drafts["en"].text.startswith("Hi Sam, you told us")


def test_it_keeps_sie_with_the_first_name_and_du_with_the_full_name(closed_item: Any) -> None:
    _choose(GreetingForm.SIE, first_name=True)
    assert closed_item()["de"].text.startswith("Hallo Lena, Sie hatten")
    ReplyDraft.objects.all().delete()
    _choose(GreetingForm.DU, first_name=False)
    assert closed_item()["de"].text.startswith("Hallo Lena Kaiser, du hattest")


def test_it_fills_the_name_of_a_saved_reply_as_chosen(db: None) -> None:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    conversation = Conversation.objects.create(
        channel_account=account, contact=Contact.objects.create(display_name="Lena Kaiser")
    )
    handle = Conversation.objects.create(
        channel_account=account, contact=Contact.objects.create(display_name="@lena_k")
    )
    assert fill_placeholders("Hallo {name}!", conversation=conversation, agent=None) == (
        "Hallo Lena Kaiser!"
    )
    _choose(GreetingForm.SIE, first_name=True)
    assert fill_placeholders("Hallo {name}!", conversation=conversation, agent=None) == (
        "Hallo Lena!"
    )
    assert fill_placeholders("Hallo {name}!", conversation=handle, agent=None) == "Hallo @lena_k!"


def test_the_organisation_page_sets_du_and_first_names_and_audits_it(client_as: Any) -> None:
    admin = client_as("admin")
    page = admin.get(reverse("accounts:organisation"), HTTP_ACCEPT_LANGUAGE="de")
    response = admin.post(
        reverse("accounts:organisation"),
        {
            "name": "Nordlicht",
            "time_zone": "Europe/Berlin",
            "default_language": "de",
            "greeting_form": "du",
            "greet_by_first_name": "on",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.current()
    assert (organisation.greeting_form, organisation.greet_by_first_name) == ("du", True)
    event = AuditEvent.objects.get(action="settings.changed")
    assert event.after["greeting_form"] == "du" and event.after["greet_by_first_name"] is True
    assert "greeting_form" in page.content.decode()
