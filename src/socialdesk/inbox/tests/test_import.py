"""`socialdesk import`: threading, duplicates, bad rows, encodings, and the summary."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, Conversation, Direction, Message

HEADER = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id"

# A small world of our own: a rail company and a streaming service, customers 501..504.
THREADS = [
    # customer asks, company answers, customer thanks
    (
        "10",
        "501",
        "True",
        "Mon Mar 02 08:00:00 +0000 2026",
        "@NordlichtBahn Wann fährt der nächste Zug nach Kiel?",
        "11",
        "",
    ),
    (
        "11",
        "NordlichtBahn",
        "False",
        "Mon Mar 02 08:30:00 +0000 2026",
        "@501 Um 9:12 ab Gleis 4.",
        "12",
        "10.0",
    ),
    ("12", "501", "True", "Mon Mar 02 08:31:00 +0000 2026", "@NordlichtBahn danke!", "", "11.0"),
    # customer asks, never answered
    (
        "20",
        "502",
        "True",
        "Mon Mar 02 09:00:00 +0000 2026",
        "@StreamCare why is my playlist gone?",
        "",
        "",
    ),
    # answered after 30 hours
    (
        "30",
        "503",
        "True",
        "Mon Mar 02 10:00:00 +0000 2026",
        "@StreamCare app crashes on start, please help",
        "31",
        "",
    ),
    (
        "31",
        "StreamCare",
        "False",
        "Tue Mar 03 16:00:00 +0000 2026",
        "@503 Sorry! Try the update.",
        "",
        "30.0",
    ),
]


def _write(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    header: str = HEADER,
    encoding: str = "utf-8",
    newline: str = "\n",
) -> Path:
    buffer = StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for row in rows:
        writer.writerow(row)
    path.write_bytes((header + newline + buffer.getvalue()).encode(encoding))
    return path


def _import(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_it_threads_a_twcs_file_into_conversations(db, tmp_path):
    code, out, _err = _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    assert code == 0
    assert "messages created: 6" in out and "rows rejected: 0" in out
    assert Conversation.objects.count() == 3
    first = Message.objects.get(external_id="10").conversation
    assert sorted(first.messages.values_list("external_id", flat=True)) == ["10", "11", "12"]
    assert first.channel_account.handle == "nordlichtbahn"
    assert first.needs_reply and first.first_message_inbound
    assert first.first_response_seconds == 30 * 60
    assert first.message_count == 3
    assert Message.objects.get(external_id="12").parent == Message.objects.get(external_id="11")
    assert Message.objects.get(external_id="11").direction == Direction.OUTBOUND


def test_it_gives_an_unanswered_conversation_to_the_company_it_mentions(db, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    unanswered = Message.objects.get(external_id="20").conversation
    assert unanswered.channel_account.handle == "streamcare"
    assert unanswered.first_response_at is None


def test_it_threads_rows_whatever_their_order(db, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", list(reversed(THREADS)))))
    assert Conversation.objects.count() == 3
    assert (
        Message.objects.get(external_id="12").conversation_id
        == Message.objects.get(external_id="10").conversation_id
    )


def test_it_joins_replies_to_a_parent_imported_later_from_another_file(db, tmp_path):
    replies = _write(tmp_path / "replies.csv", [THREADS[1], THREADS[2]])
    starts = _write(tmp_path / "starts.csv", [THREADS[0]])
    _import("--format", "twcs", str(replies))
    assert Conversation.objects.count() == 1  # a reply without its parent starts a conversation
    _import("--format", "twcs", str(starts))
    assert Conversation.objects.count() == 1
    conversation = Message.objects.get(external_id="10").conversation
    assert conversation.message_count == 3
    assert conversation.first_message_inbound and conversation.needs_reply
    assert conversation.first_response_seconds == 30 * 60


def test_it_merges_two_threads_that_a_late_parent_connects(db, tmp_path):
    rows = [
        (
            "1",
            "600",
            "True",
            "Mon Mar 02 07:00:00 +0000 2026",
            "@NordlichtBahn Ist der ICE pünktlich?",
            "2",
            "",
        ),
        ("2", "NordlichtBahn", "False", "Mon Mar 02 07:05:00 +0000 2026", "@600 Ja.", "3,4", "1.0"),
        ("3", "600", "True", "Mon Mar 02 07:06:00 +0000 2026", "@NordlichtBahn Danke", "", "2.0"),
        (
            "4",
            "601",
            "True",
            "Mon Mar 02 07:07:00 +0000 2026",
            "@NordlichtBahn @600 meiner auch?",
            "",
            "2.0",
        ),
    ]
    _import("--format", "twcs", str(_write(tmp_path / "x.csv", [rows[2], rows[3]])))
    assert Conversation.objects.count() == 2
    _import("--format", "twcs", str(_write(tmp_path / "y.csv", [rows[0], rows[1]])))
    assert Conversation.objects.count() == 1
    assert Conversation.objects.get().message_count == 4


def test_it_creates_nothing_new_when_a_file_is_imported_again(db, tmp_path):
    path = _write(tmp_path / "a.csv", THREADS)
    _import("--format", "twcs", str(path))
    code, out, _err = _import("--format", "twcs", str(path))
    assert code == 0
    assert "messages created: 0" in out and "duplicates skipped: 6" in out
    assert Message.objects.count() == 6 and Conversation.objects.count() == 3


def test_it_reports_bad_rows_with_line_and_reason_and_keeps_the_good_ones(db, tmp_path):
    rows = [
        THREADS[0],
        ("40", "504", "True", "yesterday", "@StreamCare hello?", "", ""),
        ("41", "504", "maybe", "Mon Mar 02 08:00:00 +0000 2026", "@StreamCare hi", "", ""),
        ("42", "504", "True", "Mon Mar 02 08:00:00 +0000 2026", "", "", ""),
        ("43", "504"),
        THREADS[3],
    ]
    report = tmp_path / "rejected.csv"
    code, out, err = _import(
        "--format", "twcs", str(_write(tmp_path / "bad.csv", rows)), "--report", str(report)
    )
    assert code == 1
    assert "rows rejected: 4" in out and "messages created: 2" in out
    assert "bad.csv:3: created_at 'yesterday' is not a date" in err
    assert "bad.csv:4: inbound 'maybe' is not True or False" in err
    assert "bad.csv:5: missing text" in err
    assert "bad.csv:6: expected 7 columns, found 2" in err
    with report.open() as handle:
        assert [r["line"] for r in csv.DictReader(handle)] == ["3", "4", "5", "6"]
    assert set(Message.objects.values_list("external_id", flat=True)) == {"10", "20"}


def test_it_reads_utf8_with_bom_crlf_and_quoted_newlines(db, tmp_path):
    rows = [
        (
            "50",
            "505",
            "True",
            "Mon Mar 02 08:00:00 +0000 2026",
            '@NordlichtBahn Zeile eins\nZeile "zwei", mit Komma – und Ümlaut?',
            "",
            "",
        )
    ]
    path = _write(tmp_path / "bom.csv", rows, newline="\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, _out, err = _import("--format", "twcs", str(path))
    assert code == 0, err
    assert (
        Message.objects.get().text
        == '@NordlichtBahn Zeile eins\nZeile "zwei", mit Komma – und Ümlaut?'
    )


def test_it_reads_latin1(db, tmp_path):
    rows = [
        (
            "60",
            "506",
            "True",
            "Mon Mar 02 08:00:00 +0000 2026",
            "@NordlichtBahn Verspätung in München?",
            "",
            "",
        )
    ]
    code, _out, err = _import(
        "--format", "twcs", str(_write(tmp_path / "latin.csv", rows, encoding="latin-1"))
    )
    assert code == 0, err
    assert Message.objects.get().text == "@NordlichtBahn Verspätung in München?"


def test_it_refuses_a_file_with_the_wrong_header(db, tmp_path):
    code, _out, err = _import(
        "--format", "twcs", str(_write(tmp_path / "h.csv", THREADS, header="id,user,text"))
    )
    assert code == 1
    assert "h.csv:1: header must be tweet_id,author_id" in err
    assert not Message.objects.exists()


def test_it_imports_a_csv_with_a_column_mapping(db, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        "MessageID,User,Body,Date,Reply to\n"
        "m1,kunde_anna,Wo bleibt meine Erstattung?,2026-03-02T08:00:00+01:00,\n"
        "m2,nordlicht,Wir prüfen das.,2026-03-02T09:00:00+01:00,m1\n",
        encoding="utf-8",
    )
    code, _out, err = _import(
        "--format", "csv", str(path), "--account", "nordlicht", "--network", "mastodon",
        "--map", "id=MessageID", "--map", "author=User", "--map", "text=Body",
        "--map", "created_at=Date", "--map", "parent_id=Reply to",
    )  # fmt: skip
    assert code == 0, err
    conversation = Conversation.objects.get()
    assert conversation.channel_account == ChannelAccount.objects.get(
        network="mastodon", handle="nordlicht"
    )
    assert conversation.first_response_seconds == 3600
    assert conversation.needs_reply  # a question, found by the detector
    assert Message.objects.get(external_id="m2").direction == Direction.OUTBOUND


def test_it_says_which_mapping_is_wrong(db, tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("a,b\n1,2\n")
    code, _out, err = _import("--format", "csv", str(path), "--map", "id=MessageID")
    assert code == 1
    assert "no column MessageID, author, text, created_at in the header" in err


def test_it_imports_json_lines_and_reports_broken_lines(db, tmp_path):
    path = tmp_path / "m.jsonl"
    lines = [
        json.dumps(
            {
                "id": "j1",
                "author": "kim",
                "text": "Can you help me with my bill?",
                "created_at": "2026-03-02T08:00:00Z",
                "account": "telcohelp",
                "inbound": True,
            }
        ),
        "{not json",
        json.dumps(["a list"]),
        json.dumps(
            {
                "id": "j2",
                "author": "telcohelp",
                "text": "Sure, DM us.",
                "created_at": "2026-03-02T08:10:00Z",
                "parent_id": "j1",
                "account": "telcohelp",
                "inbound": False,
            }
        ),
    ]
    path.write_text("\n".join(lines) + "\n")
    code, out, err = _import("--format", "jsonl", str(path))
    assert code == 1
    assert "m.jsonl:2: not JSON" in err and "m.jsonl:3: not a JSON object" in err
    assert "messages created: 2" in out
    assert Conversation.objects.get().first_response_seconds == 600


def test_it_keeps_one_contact_per_customer_handle(db, tmp_path):
    _import("--format", "twcs", str(_write(tmp_path / "a.csv", THREADS)))
    assert Contact.objects.count() == 3
    assert (
        Message.objects.get(external_id="12").contact
        == Message.objects.get(external_id="10").contact
    )


@pytest.mark.parametrize("chunk", ["1", "2", "5000"])
def test_it_gives_the_same_result_whatever_the_chunk_size(db, tmp_path, chunk):
    _import(
        "--format",
        "twcs",
        str(_write(tmp_path / "a.csv", list(reversed(THREADS)))),
        "--chunk-size",
        chunk,
    )
    assert Conversation.objects.count() == 3
    assert sorted(Conversation.objects.values_list("message_count", flat=True)) == [1, 2, 3]


def test_a_customer_added_by_another_process_meanwhile_is_reused_not_an_error(db, monkeypatch):
    """Two imports at once (two workers, two webhook batches) may both meet a new customer."""
    from datetime import UTC, datetime

    from socialdesk.channels.items.readers import ImportRow
    from socialdesk.inbox.importing import contacts, pipeline
    from socialdesk.inbox.models import ContactHandle

    real = contacts.insert_returning_ids  # type: ignore[attr-defined]

    def racing(model, fields, rows):
        ids = real(model, fields, rows)
        if model is Contact and rows:  # the other process commits the same handle now
            other = Contact.objects.create(display_name="Kim (other import)")
            ContactHandle.objects.create(contact=other, network="webhook", handle="kim")
        return ids

    monkeypatch.setattr(contacts, "insert_returning_ids", racing)
    row = ImportRow(external_id="k1", author="kim", inbound=True,
                    created_at=datetime(2026, 3, 2, tzinfo=UTC), text="Hallo?", parent_id="")  # fmt: skip
    importer = pipeline.Importer(network="webhook", company_handles={"shop"})
    importer.feed("test", [(1, row)])
    message = Message.objects.get(external_id="k1")
    assert message.contact is not None
    assert message.contact.display_name == "Kim (other import)"
    assert Contact.objects.count() == 1  # the contact made in vain is gone
