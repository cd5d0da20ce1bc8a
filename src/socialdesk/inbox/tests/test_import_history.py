"""Imported history that behaves: answered threads resolved, "waiting for us" first."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.inbox import services
from socialdesk.inbox.models import Conversation, ConversationEvent, Message, Status

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"


def _at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


# Our own small world: a ferry company and its customers 701..705.
ANSWERED = [  # the company wrote last
    ("1", "701", "True", _at(2, 8), "@FaehreNord Fährt die 9-Uhr-Fähre heute?", "2", ""),
    ("2", "FaehreNord", "False", _at(2, 8, 20), "@701 Ja, pünktlich.", "", "1.0"),
]
THANKED = [  # the customer thanks last: nothing to answer, nothing resolved either
    ("10", "702", "True", _at(2, 9), "@FaehreNord Kann ich ein Fahrrad mitnehmen?", "11", ""),
    ("11", "FaehreNord", "False", _at(2, 9, 10), "@702 Ja, 5 Euro.", "12", "10.0"),
    ("12", "702", "True", _at(2, 9, 11), "@FaehreNord danke!", "", "11.0"),
]
FOLLOW_UP = [  # answered early, but the customer asked again: waiting for us since 14:00
    ("20", "703", "True", _at(2, 7), "@FaehreNord Gibt es Kabinen?", "21", ""),
    ("21", "FaehreNord", "False", _at(2, 7, 5), "@703 Ja, ab 30 Euro.", "22", "20.0"),
    ("22", "703", "True", _at(2, 14), "@FaehreNord Wie buche ich eine Kabine?", "23", "21.0"),
    ("23", "703", "True", _at(2, 15), "@FaehreNord Hallo?? Wo bleibt die Antwort?", "", "22.0"),
]
UNANSWERED = [  # never answered: waiting for us since 12:00
    ("30", "704", "True", _at(2, 12), "@FaehreNord Wo finde ich mein Ticket?", "", ""),
]
LATE_ANSWER = [  # asked before everyone else, answered late: the customer waits no longer
    ("40", "705", "True", _at(2, 6), "@FaehreNord Ist der Hund erlaubt?", "41", ""),
    ("41", "FaehreNord", "False", _at(2, 18), "@705 Ja, an der Leine.", "", "40.0"),
]
ALL = ANSWERED + THANKED + FOLLOW_UP + UNANSWERED + LATE_ANSWER


def _write(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    buffer = StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(HEADER + "\n" + buffer.getvalue(), encoding="utf-8")
    return path


def _import(*args: str) -> str:
    out = StringIO()
    call_command("import", "--format", "twcs", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def _status(external_id: str) -> str:
    return str(Message.objects.get(external_id=external_id).conversation.status)


def _conversation(external_id: str) -> Conversation:
    return Message.objects.get(external_id=external_id).conversation


def test_it_resolves_the_conversations_the_company_answered_last(db, tmp_path):
    out = _import(str(_write(tmp_path / "a.csv", ALL)))
    assert {eid: _status(eid) for eid in ["1", "10", "20", "30", "40"]} == {
        "1": Status.RESOLVED,
        "10": Status.OPEN,  # "danke!" came last: a person decides
        "20": Status.OPEN,
        "30": Status.OPEN,
        "40": Status.RESOLVED,
    }
    assert "conversations resolved (answered last by the company): 2" in out
    answered = _conversation("1")
    assert answered.resolved_at == datetime(2026, 3, 2, 8, 20, tzinfo=UTC)
    event = ConversationEvent.objects.get(conversation=answered)
    assert (event.old_status, event.new_status, event.at, event.actor) == (
        Status.OPEN,
        Status.RESOLVED,
        datetime(2026, 3, 2, 8, 20, tzinfo=UTC),
        None,
    )


def test_it_keeps_every_conversation_open_when_asked_to(db, tmp_path):
    _import("--keep-open", str(_write(tmp_path / "a.csv", ALL)))
    assert set(Conversation.objects.values_list("status", flat=True)) == {Status.OPEN}
    assert not ConversationEvent.objects.exists()


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_it_settles_threads_spread_over_files_whatever_their_order(db, tmp_path, order):
    parts = [
        [ANSWERED[0], FOLLOW_UP[0]],  # questions
        [ANSWERED[1], FOLLOW_UP[1]],  # the company's answers
        FOLLOW_UP[2:],  # the customer asks again
    ]
    for index in order:
        _import(str(_write(tmp_path / f"part{index}.csv", parts[index])))
    assert _status("1") == Status.RESOLVED
    assert _status("20") == Status.OPEN
    follow_up = _conversation("20")
    assert follow_up.waiting_for_us_since == datetime(2026, 3, 2, 14, tzinfo=UTC)
    assert Conversation.objects.count() == 2


def test_it_changes_no_status_when_the_same_file_is_imported_again(db, tmp_path, people):
    path = _write(tmp_path / "a.csv", ALL)
    _import(str(path))
    reopened = _conversation("1")
    services.conversation_set_status(
        by=Acting(people["agent"]), conversation=reopened, status=Status.OPEN
    )
    events = ConversationEvent.objects.count()
    out = _import(str(path))
    assert "messages created: 0" in out
    assert _status("1") == Status.OPEN  # what a person decided stays
    assert ConversationEvent.objects.count() == events


def test_it_settles_the_status_in_a_fixed_number_of_queries(db, tmp_path):
    def queries(threads: int, offset: int) -> int:
        rows = []
        for n in range(threads):
            q, a = str(offset + 2 * n), str(offset + 2 * n + 1)
            rows += [
                (q, f"9{q}", "True", _at(3, 8), "@FaehreNord Fährt sie?", a, ""),
                (a, "FaehreNord", "False", _at(3, 9), f"@9{q} Ja.", "", f"{q}.0"),
            ]
        with CaptureQueriesContext(connection) as captured:
            _import(str(_write(tmp_path / f"{offset}.csv", rows)))
        return len(captured)

    queries(1, 500)  # the first import creates the company's account
    assert queries(5, 1000) == queries(60, 2000)
    assert Conversation.objects.filter(status=Status.RESOLVED).count() == 66


def test_it_lists_the_longest_waiting_for_us_first_and_answered_ones_last(client_as, tmp_path):
    _import("--keep-open", str(_write(tmp_path / "a.csv", ALL)))
    html = client_as("agent").get(reverse("inbox:list") + "?status=open").content.decode()
    order = [
        html.index(f'<span class="who">{customer}<')
        for customer in ["704", "703", "705", "702", "701"]
    ]
    # 704 waits since 12:00, 703 since 14:00 (asked again after our answer); 705 asked first
    # but was answered, like 702 and 701: they come last.
    assert order[0] < order[1] < min(order[2:]), order


def test_it_filters_the_threads_that_end_with_a_customers_question(client_as, tmp_path):
    _import(str(_write(tmp_path / "a.csv", ALL)))
    html = client_as("agent").get(reverse("inbox:list") + "?needs_reply=yes&status=all")
    page = html.content.decode()
    shown = {
        customer
        for customer in ["701", "702", "703", "704", "705"]
        if f'<span class="who">{customer}<' in page
    }
    assert shown == {"703", "704"}


def test_a_file_that_adds_to_a_conversation_with_a_target_moves_its_clocks(db, tmp_path):
    """The periodic SLA check only looks at clocks running out: an import that adds messages
    to a conversation that already has a policy tells its clocks itself (one with no policy,
    as every new one from history, is left as it was)."""
    from socialdesk.sla.models import SlaOutcome, SlaPolicy
    from socialdesk.sla.services import refresh_sla

    _import("--keep-open", str(_write(tmp_path / "a.csv", ANSWERED + UNANSWERED)))
    SlaPolicy.objects.create(
        name="Day", first_response_minutes=24 * 60, next_response_minutes=24 * 60
    )
    answered, waiting = _conversation("1"), _conversation("30")
    refresh_sla([answered.pk])  # it has a policy and its clocks now
    assert Conversation.objects.get(pk=answered.pk).sla_policy_id is not None
    before = set(SlaOutcome.objects.filter(conversation=answered).values_list("kind", "started_at"))
    follow_up = [("3", "701", "True", _at(3, 9), "@FaehreNord Und morgen?", "", "2.0")]
    _import("--keep-open", str(_write(tmp_path / "b.csv", follow_up)))
    after = set(SlaOutcome.objects.filter(conversation=answered).values_list("kind", "started_at"))
    assert _conversation("3").pk == answered.pk
    assert ("next_response", datetime(2026, 3, 3, 9, tzinfo=UTC)) in after - before
    assert Conversation.objects.get(pk=waiting.pk).sla_policy_id is None  # never had one
