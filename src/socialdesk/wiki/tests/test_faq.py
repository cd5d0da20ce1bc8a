"""Save as FAQ: a resolved conversation becomes a draft FAQ page, people taken out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, ContactHandle, Conversation, Direction, Message, Status
from socialdesk.wiki.faq import faq_draft
from socialdesk.wiki.models import WikiPage
from socialdesk.wiki.tests.helpers import org_space

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def _conversation(people: dict[str, User], status: str = Status.RESOLVED) -> Conversation:
    account = ChannelAccount.objects.create(network="mastodon", handle="nordbahn")
    contact = Contact.objects.create(display_name="Anna Schmidt")
    ContactHandle.objects.create(contact=contact, network="mastodon", handle="@anna@chaos.social")
    conversation = Conversation.objects.create(
        channel_account=account,
        contact=contact,
        status=status,
        first_message_at=AT,
    )
    texts = [
        (Direction.INBOUND, "Hallo, ich bin Anna. Wie bekomme ich mein Geld für den Ticketkauf "
         "zurück? Ruft mich an: +49 170 1234567 oder anna.schmidt@example.org", None),
        (Direction.INBOUND, "Die Bahn fiel gestern aus.", None),
        (Direction.OUTBOUND, "Hallo Anna, das Formular steht unter https://nordbahn.example/"
         "erstattung. Viele Grüße, Alex", people["agent"]),
        (Direction.INBOUND, "Danke, hat geklappt!", None),
    ]  # fmt: skip
    for n, (direction, text, author) in enumerate(texts):
        Message.objects.create(
            conversation=conversation,
            channel_account=account,
            external_id=f"m{n}",
            direction=direction,
            author_handle="@anna@chaos.social" if direction == Direction.INBOUND else "",
            author_user=author,
            text=text,
            created_at=AT + timedelta(minutes=n),
        )
    return conversation


def test_it_takes_names_handles_and_contact_details_out_of_the_draft(people):
    people["agent"].full_name = "Alex Agent"
    people["agent"].save()
    draft = faq_draft(_conversation(people))
    assert "Ticketkauf" in draft.question and "fiel gestern aus" in draft.question
    assert "Danke, hat geklappt" not in draft.question  # after the answer: not the question
    for gone in ("Anna", "Schmidt", "+49 170", "anna.schmidt@example.org", "chaos.social"):
        assert gone not in draft.question and gone not in draft.answer
    assert "Hallo, ich bin [Name]" in draft.question
    assert draft.answer.startswith("Hallo {name}, das Formular")
    assert draft.answer.endswith("Viele Grüße, {agent}")
    assert "https://nordbahn.example/erstattung" in draft.answer  # help links stay
    assert draft.title.startswith("Hallo, ich bin [Name]. Wie bekomme ich")


def test_it_offers_save_as_faq_on_resolved_conversations_to_the_team_only(people, client_as):
    resolved = _conversation(people)
    url = reverse("wiki:faq_from_conversation", args=[resolved.pk])
    page = client_as("agent").get(reverse("inbox:conversation", args=[resolved.pk]))
    assert url in page.content.decode()
    resolved.status = Status.OPEN
    resolved.save()
    page = client_as("agent").get(reverse("inbox:conversation", args=[resolved.pk]))
    assert url not in page.content.decode()
    assert client_as("agent").get(url).status_code == 403
    assert client_as("viewer").get(url).status_code == 403
    assert client_as("member").get(url).status_code == 403  # the team keeps the FAQ


def test_it_keeps_the_checked_draft_as_an_faq_page_in_german(people, client_as):
    space = org_space()
    conversation = _conversation(people)
    people["agent"].language = "de"
    people["agent"].save()
    client = client_as("agent")
    url = reverse("wiki:faq_from_conversation", args=[conversation.pk])
    form = client.get(url).content.decode()
    assert "Als FAQ speichern" in form and "Anna" not in form and "[Name]" in form
    response = client.post(
        url,
        {
            "space": space.pk,
            "title": "Erstattung nach Zugausfall",
            "question": "Wie bekomme ich mein Geld für den Ticketkauf zurück?",
            "answer": "Hallo {name}, das Formular steht unter https://nordbahn.example/erstattung.",
        },
    )
    page = WikiPage.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "wiki:page", args=[page.pk]
    )
    assert page.status == WikiPage.Status.DRAFT and page.template == WikiPage.Template.FAQ
    assert page.source_conversation_id == conversation.pk and page.space == space
    assert page.body.startswith("## Frage\n\n> Wie bekomme ich mein Geld")
    assert "## Antwort\n\nHallo {name}" in page.body and "## Quelle" in page.body
    assert "Anna" not in page.body


def test_it_keeps_what_was_typed_when_a_field_is_wrong(people, client_as):
    space = org_space()
    conversation = _conversation(people)
    url = reverse("wiki:faq_from_conversation", args=[conversation.pk])
    page = client_as("agent").post(
        url, {"space": space.pk, "title": "", "question": "Meine Frage bleibt", "answer": "x"}
    )
    assert page.status_code == 200 and "Meine Frage bleibt" in page.content.decode()
    assert 'id="id_title-errors"' in page.content.decode()
    assert not WikiPage.objects.exists()
