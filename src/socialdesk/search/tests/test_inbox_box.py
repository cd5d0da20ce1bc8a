"""The inbox's search box reads the search index (`search.inbox_box`), on both databases.

Each test runs twice: a word in few entries (its conversations found first, as ids) and, with
RARE at 0, every word frequent (each conversation checked as the list reads it). Both must
list the same conversations, in the list's order, counted alike, and only those the person
may open.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, User
from socialdesk.channels.models import ChannelAccount
from socialdesk.core import changes
from socialdesk.inbox import selectors
from socialdesk.inbox.importing.pipeline import refresh_conversations
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Status
from socialdesk.search import inbox_box

THREADS = {  # contact → (department, the customer's messages, oldest first)
    "Lea Sommer": ("Customer Service", ["Mein Reisekoffer ist weg", "Hallo? Zauberwort"]),
    "Tom Winter": ("Customer Service", ["Zwei Koffers fehlen, Zauberwort", "Storno bitte"]),
    "Jana Quendel": ("Product Development", ["Die App geht nicht, Zauberwort"]),
    "Ole Herbst": ("Product Development", ["Wie ist die Lieferzeit?", "Zauberwort"]),
    "Kai Frost": ("", ["Es geht nicht mehr, Zauberwort"]),
}


@pytest.fixture(params=["rare", "frequent"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "frequent":
        monkeypatch.setattr(inbox_box, "RARE", 0)
    return str(request.param)


@pytest.fixture
def threads(people: dict[str, User], departments: dict[str, Department]) -> dict[str, int]:
    """The conversations (contact's name → id), each told to the search as ingest does."""
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht")
    now = timezone.now()
    made: dict[str, int] = {}
    for n, (name, (department, texts)) in enumerate(THREADS.items()):
        contact = Contact.objects.create(display_name=name)
        conversation = Conversation.objects.create(
            channel_account=account, contact=contact, department=departments.get(department)
        )
        for position, text in enumerate(texts):
            Message.objects.create(
                conversation=conversation,
                channel_account=account,
                external_id=f"m{n}-{position}",
                direction=Direction.INBOUND,
                contact=contact,
                text=text,
                needs_reply=True,
                created_at=now - timedelta(hours=10 - n, minutes=-position),
            )
        refresh_conversations({conversation.pk})
        changes.changed("inbox.contact", [contact.pk])
        changes.changed("inbox.message", list(conversation.messages.values_list("pk", flat=True)))
        changes.changed("inbox.conversation", [conversation.pk])
        made[name] = conversation.pk
    return made


def _client(user: User, language: str = "en") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    return client


def _listed(client: Client, query: str, **params: str) -> tuple[list[int], str]:
    html = client.get(reverse("inbox:list"), {"q": query, "status": "all", **params})
    text = html.content.decode()
    return [int(pk) for pk in re.findall(r'data-id="(\d+)"', text)], text


def _everything(client: Client) -> list[int]:
    return _listed(client, "")[0]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("koffer", {"Lea Sommer", "Tom Winter"}),  # a compound's part, a plural
        ("Zauberwort", set(THREADS)),  # not in the preview of Lea's or Ole's
        ("quendel", {"Jana Quendel"}),  # the contact's name
        ('"geht nicht"', {"Jana Quendel", "Kai Frost"}),  # a phrase
        ("liefer*", {"Ole Herbst"}),  # a prefix ("Lieferzeit")
        ("zauberwort -storno", set(THREADS) - {"Tom Winter"}),
        ("zauberwort koffer", {"Lea Sommer", "Tom Winter"}),  # both words
        ("regenschirm", set()),
    ],
)
def test_it_finds_words_as_the_search_does_in_the_lists_order(
    path: str,
    threads: dict[str, int],
    people: dict[str, User],
    query: str,
    expected: set[str],
) -> None:
    client = _client(people["agent"])
    listed, html = _listed(client, query)
    wanted = {threads[name] for name in expected}
    # the same order as the list without words, only those holding them
    assert listed == [pk for pk in _everything(client) if pk in wanted]
    if expected:
        count = re.search(r'data-total="([^"]+)"', html)
        assert count is not None and count.group(1) == str(len(expected))
    else:
        assert "No conversations here." in html


def test_a_member_finds_only_what_they_may_open(
    path: str, threads: dict[str, int], people: dict[str, User]
) -> None:
    member = people["member"]  # Product Development
    filters = selectors.with_text(selectors.InboxFilters(status="all", query="zauberwort"))
    assert filters.text is not None and filters.text.many == (path == "frequent")
    listed = {c.pk for c in selectors.inbox_list(member, filters)}
    theirs = {threads[n] for n, (d, _t) in THREADS.items() if d == "Product Development"}
    assert listed == theirs
    assert selectors.inbox_count(member, filters) == len(theirs)
    assert selectors.inbox_count(member, filters, 2) == 2  # a list's capped count
    # a name in another department's conversation is not found either
    assert _listed(_client(member), "sommer")[0] == []


def test_a_reply_just_sent_is_found_at_once(
    path: str, threads: dict[str, int], people: dict[str, User]
) -> None:
    client = _client(people["agent"])
    kai = threads["Kai Frost"]
    assert _listed(client, "gutschein")[0] == []
    client.post(reverse("inbox:reply", args=[kai]), {"reply-text": "Ihr Gutschein: 7Q2X"})
    assert _listed(client, "gutschein")[0] == [kai]
    assert _listed(client, "7q2x")[0] == [kai]


@pytest.mark.parametrize(
    ("language", "says"),
    [
        ("en", "Search: The quote is not closed at position 1"),
        ("de", "Suchen: Das Anführungszeichen wird nicht geschlossen an Position 1"),
    ],
)
def test_words_that_cannot_be_searched_say_why_and_list_nothing(
    threads: dict[str, int], people: dict[str, User], language: str, says: str
) -> None:
    listed, html = _listed(_client(people["agent"], language), '"Reise koffer')
    assert listed == []
    assert says in html.replace("&quot;", '"')
    assert 'value="&quot;Reise koffer"' in html and 'aria-invalid="true"' in html
    # the same through the API: 400 at `q`, nothing listed, nothing changed in bulk
    _token, key = api_tokens.api_token_create(
        by=Acting(user=people["agent"]), user=people["agent"], name="test"
    )
    api = Client(headers={"Authorization": f"Bearer {key}", "Accept-Language": language})
    answer = api.get("/api/v1/conversations", {"q": '"Reise koffer'})
    assert answer.status_code == 400
    assert says.split(": ", 1)[1] in answer.json()["errors"]["q"][0]
    bulk = api.post(
        "/api/v1/conversations/bulk",
        {"action": "resolve", "all_matching": True, "filters": {"q": "-storno"}},
        content_type="application/json",
    )
    assert bulk.status_code == 422 and list(bulk.json()["errors"]) == ["filters.q"]
    assert not Conversation.objects.filter(status=Status.RESOLVED).exists()


@pytest.mark.parametrize("query", ["a\x00b", "x" * 501, "*", "'; DROP TABLE x; --", "§$%"])
def test_hostile_words_get_an_answer_never_an_error_page(
    path: str, threads: dict[str, int], people: dict[str, User], query: str
) -> None:
    response = _client(people["agent"]).get(reverse("inbox:list"), {"q": query, "status": "all"})
    assert response.status_code == 200
    assert 'data-id="' not in response.content.decode()


def test_a_frequent_word_is_counted_up_to_its_cap(
    threads: dict[str, int], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_box, "RARE", 0)
    monkeypatch.setattr(selectors, "TEXT_COUNT_CAP", 3)
    listed, html = _listed(_client(people["agent"]), "zauberwort")
    assert len(listed) == 3
    assert "More than 3 conversations match. Narrow the filters" in html
    monkeypatch.setattr(inbox_box, "RARE", 20_000)  # counted in full when rare
    listed, html = _listed(_client(people["agent"]), "zauberwort")
    assert len(listed) == len(THREADS) and "More than" not in html


def test_the_page_asks_as_many_statements_for_any_word(
    threads: dict[str, int], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client(people["agent"])
    _listed(client, "koffer")  # warm: the session, the organisation

    def statements(query: str) -> int:
        with CaptureQueriesContext(connection) as ran:
            _listed(client, query)
        return len(ran)

    rare = statements("koffer")
    monkeypatch.setattr(inbox_box, "RARE", 0)
    assert statements("koffer") == rare
    assert statements("zauberwort") == rare


def test_words_that_must_meet_are_read_not_estimated(
    threads: dict[str, int], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every word frequent (RARE 0): a word alone is taken as the statistics say, but a phrase
    of two words that never stand side by side is read, found in no entry, and its empty
    answer given at once (PostgreSQL's estimate would have called it frequent and checked
    every conversation)."""
    monkeypatch.setattr(inbox_box, "RARE", 0)
    phrase = selectors.with_text(selectors.InboxFilters(query='"koffers zauberwort"'))
    assert phrase.text is not None and not phrase.text.many
    assert selectors.inbox_count(people["agent"], phrase) == 0
    word = selectors.with_text(selectors.InboxFilters(query="zauberwort"))
    assert word.text is not None and word.text.many


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's plan (PostgreSQL's: tests/test_explain_guards.py)",
)
def test_sqlite_asks_fts5_per_entry_not_every_match_per_conversation(
    threads: dict[str, int], people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A frequent word is checked per conversation by its entries' rowids: an `IN (SELECT rowid
    … MATCH)` there read every match of the word again for each conversation (9.7 s to count
    200 conversations at a million messages)."""
    monkeypatch.setattr(inbox_box, "RARE", 0)
    filters = selectors.with_text(selectors.InboxFilters(status="all", query="zauberwort"))
    with CaptureQueriesContext(connection) as ran:
        list(selectors.inbox_list(people["agent"], filters)[:50])
        selectors.inbox_count(people["agent"], filters, 201)
    with connection.cursor() as cursor:
        for query in ran.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            assert "LIST SUBQUERY" not in plan, plan
            assert "USING INDEX search_entry_conversation" in plan, plan
            assert "VIRTUAL TABLE INDEX 0:=M" in plan, plan  # FTS5 by rowid and MATCH


def test_the_rare_parts_make_one_list_of_ids(
    threads: dict[str, int], people: dict[str, User]
) -> None:
    """Two wanted words and an unwanted one, all rare: one list of ids in the statement (two
    of 20,000 would pass the values SQLite takes in one statement)."""
    filters = selectors.with_text(selectors.InboxFilters(query="zauberwort koffer -storno"))
    sql = str(selectors.inbox_list(people["agent"], filters).query)
    lists = re.findall(r'"inbox_conversation"\."id" (?:IN \(|= ANY\()', sql)
    assert len(lists) == 1, sql
    found = {c.pk for c in selectors.inbox_list(people["agent"], filters)}
    assert found == {threads["Lea Sommer"]}
