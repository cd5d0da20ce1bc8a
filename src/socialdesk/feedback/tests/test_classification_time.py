"""A classification carries the time its customer wrote the message (`written_at`): the
sentiment share counts a period's judged messages by it, whichever way they were judged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from socialdesk.accounts.audit import Acting
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import copies
from socialdesk.feedback.models import Classification, Task
from socialdesk.feedback.understanding import classify_new, correct
from socialdesk.goals import kpis
from socialdesk.goals.kpis import Period
from socialdesk.inbox.models import Conversation, Message

WRITTEN = datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
BEFORE = Period(date(2026, 3, 1), date(2026, 3, 10))  # up to 9 March, the day before
ON_THE_DAY = Period(date(2026, 3, 10), date(2026, 3, 11))


@pytest.fixture
def write(db: None) -> Any:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    counter = iter(range(1, 1000))

    def make(text: str, direction: str = "in", at: datetime = WRITTEN) -> Message:
        conversation = Conversation.objects.create(channel_account=account)
        return Message.objects.create(
            conversation=conversation, channel_account=account, external_id=str(next(counter)),
            direction=direction, author_handle="kim", text=text, created_at=at,
        )  # fmt: skip

    return make


def _share(period: Period, sentiment: str) -> float | None:
    return kpis.get("sentiment_share").value(period, params={"sentiment": sentiment})


def test_classified_messages_count_on_the_day_their_customer_wrote_them(write: Any) -> None:
    angry = write("Der Zug ist schon wieder ausgefallen, furchtbar.")
    write("Danke, super Service heute!")
    write("Danke, super Service heute!", at=WRITTEN - timedelta(days=5))
    assert classify_new() == 3
    stored = Classification.objects.get(message=angry)
    assert stored.written_at == WRITTEN
    assert _share(ON_THE_DAY, "negative") == pytest.approx(1 / 2)
    assert _share(BEFORE, "positive") == 1.0  # the older message, on its own day


def test_a_persons_correction_counts_on_the_messages_day(write: Any) -> None:
    """A correction of a message not judged yet creates its classification (through `save`):
    it carries the message's time too; our own messages carry none."""
    message = write("Fährt der Zug morgen ab Gleis drei?")
    correct(by=Acting(user=None, label="test"), message=message, task=Task.SENTIMENT,
            value="negative")  # fmt: skip
    assert Classification.objects.get(message=message).written_at == WRITTEN
    assert _share(ON_THE_DAY, "negative") == 1.0
    ours = write("Ja, ab Gleis drei.", direction="out")
    assert Classification.objects.create(message=ours, sentiment="neutral").written_at is None
    assert _share(ON_THE_DAY, "negative") == 1.0  # our reply is not a customer's sentiment


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_stored_classifications_their_messages_time() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([("feedback", "0002_add_labels_and_models")])
    old = executor.loader.project_state([("feedback", "0002_add_labels_and_models")]).apps
    # undone, the copies' triggers went first; `migrate`'s ensure() makes none without columns
    assert copies.installed() == set()
    assert not copies.ensure()
    assert copies.installed() == set()
    # only the feedback app went back: the other tables are as the models say
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    conversation = Conversation.objects.create(channel_account=account)
    for n, direction in enumerate(("in", "out")):
        message = Message.objects.create(
            conversation=conversation, channel_account=account, external_id=str(n),
            direction=direction, author_handle="kim", text="Hallo", created_at=WRITTEN,
        )  # fmt: skip
        old.get_model("feedback", "Classification").objects.create(
            message_id=message.pk, sentiment="neutral"
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert copies.ensure()  # as `migrate` does after every run: undone, its triggers went too
    found = dict(Classification.objects.values_list("message__direction", "written_at"))
    assert found == {"in": WRITTEN, "out": None}
    assert _share(ON_THE_DAY, "neutral") == 1.0
