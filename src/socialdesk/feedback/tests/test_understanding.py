"""Topics and sentiment learnt from corrections: the next suggestion is better at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback.models import Classification, Label, Task, Topic
from socialdesk.feedback.understanding import correct, topic_suggestions
from socialdesk.inbox.models import Conversation, Message

BY = Acting(user=None, label="test")


@pytest.fixture
def say(db: None) -> Any:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    counter = iter(range(1, 1000))

    def make(text: str) -> Message:
        conversation = Conversation.objects.create(channel_account=account)
        return Message.objects.create(
            conversation=conversation, channel_account=account, external_id=str(next(counter)),
            direction="in", author_handle="kim", text=text, created_at=timezone.now(),
        )  # fmt: skip

    return make


def test_keywords_suggest_a_topic_and_match_longer_words(say: Any) -> None:
    Topic.objects.create(name="Ticket purchase", keywords="ticket, fahrkarte")
    Topic.objects.create(name="Punctuality", keywords="verspätung, pünktlich")
    suggestions = topic_suggestions("Der Ticketkauf in der App bricht ab")
    assert [t.name for t, _c in suggestions] == ["Ticket purchase"]
    assert topic_suggestions("Schönes Wetter") == []


def test_a_correction_improves_the_next_suggestion_at_once(say: Any) -> None:
    Topic.objects.create(name="Staff", keywords="personal")
    Topic.objects.create(name="Punctuality", keywords="verspätung")
    first = say("Der Schaffner war heute sehr unfreundlich zu mir")
    later = "Schon wieder ein unfreundlicher Schaffner im Zug nach Kiel"
    assert topic_suggestions(later) == []  # no keyword says "Staff"
    found = correct(by=BY, message=first, task=Task.TOPICS, value="Staff")
    assert found.source == "person" and found.topics == [["Staff", 1.0]]
    assert Label.objects.filter(message=first, task=Task.TOPICS).count() == 1
    suggestions = topic_suggestions(later)
    assert [t.name for t, _c in suggestions] == ["Staff"]
    assert 0.3 <= suggestions[0][1] < 1
    # Correcting again replaces the label; it does not add a second one.
    correct(by=BY, message=first, task=Task.TOPICS, value="Punctuality")
    assert list(Label.objects.values_list("value", flat=True)) == ["Punctuality"]
    assert Classification.objects.get(message=first).topics == [["Punctuality", 1.0]]


def test_the_correct_page_takes_only_offered_values(say: Any, client_as: Any) -> None:
    Topic.objects.create(name="Staff", keywords="personal")
    message = say("Personal unfreundlich")
    team = client_as("agent")
    bad = team.post(f"/feedback/messages/{message.pk}/correct/",
                    {"task": "topics", "value": "<b>new</b>"}, follow=True)  # fmt: skip
    assert "Choose one of the offered values" in bad.content.decode()
    assert not Label.objects.exists()
    team.post(
        f"/feedback/messages/{message.pk}/correct/", {"task": "sentiment", "value": "negative"}
    )
    assert Label.objects.get().value == "negative"
    assert (
        client_as("viewer")
        .post(
            f"/feedback/messages/{message.pk}/correct/", {"task": "sentiment", "value": "positive"}
        )
        .status_code
        == 403
    )


def test_new_messages_are_classified_and_retraining_says_what_is_missing(say: Any) -> None:
    from socialdesk.feedback.models import TrainedModel
    from socialdesk.feedback.understanding import classify_new, retrain, sentiment_of

    say("Danke, super Service heute!")
    say("Der Zug ist schon wieder ausgefallen, furchtbar.")
    assert classify_new() == 2
    found = {c.message.text: c for c in Classification.objects.select_related("message")}
    assert found["Danke, super Service heute!"].sentiment == "positive"
    assert found["Der Zug ist schon wieder ausgefallen, furchtbar."].sentiment == "negative"
    assert classify_new() == 0
    assert "more" in retrain("sentiment")  # too few labels: it says how many more
    assert not TrainedModel.objects.exists()
    texts = {
        "positive": "Danke für die freundliche Hilfe, Nummer {n} war toll",
        "negative": "Zug {n} fällt aus und keiner sagt Bescheid, ärgerlich",
        "neutral": "Fährt der Zug {n} morgen ab Gleis drei",
    }
    for value, text in texts.items():
        for n in range(12):
            message = say(text.format(n=n))
            correct(by=BY, message=message, task=Task.SENTIMENT, value=value)
    assert "trained on 36" in retrain("sentiment")
    assert TrainedModel.objects.filter(task="sentiment").count() == 1
    assert sentiment_of("Zug 99 fällt aus und keiner sagt Bescheid")[0] == "negative"


def test_relevance_before_labels_is_whether_the_text_names_us(say: Any, client_as: Any) -> None:
    from socialdesk.accounts.models import Organisation

    organisation = Organisation.current()
    organisation.name = "Nordlicht Bahn"
    organisation.save()
    Topic.objects.create(name="Staff", keywords="personal")
    from socialdesk.feedback.understanding import classify_new

    about = say("Die Nordlicht Bahn hat wieder Verspätung")
    noise = say("Schönes Wetter heute in Kiel")
    classify_new()
    assert Classification.objects.get(message=about).relevant is True
    assert Classification.objects.get(message=noise).relevant is False
    page = client_as("manager").get("/feedback/topics/").content.decode()
    assert "What socialdesk has learnt" in page and "10 more “Staff”" in page
