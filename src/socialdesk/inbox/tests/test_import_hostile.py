"""`socialdesk import` with hostile files: bad rows alone are rejected, ids keep every digit.

Runs on SQLite and on PostgreSQL (which refuses NUL bytes and over-long values outright).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError

from socialdesk.channels.items.readers import ImportRow, parse_external_id
from socialdesk.inbox.importing import pipeline
from socialdesk.inbox.models import Contact, Conversation, Message
from socialdesk.inbox.tests.test_import import THREADS, _import, _write

CSV_HEADER = "id,author,text,created_at,parent_id,author_name\n"


def _csv(path: Path, rows: list[str]) -> Path:
    path.write_text(CSV_HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _record(external_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": external_id, "author": "kim", "text": f"Frage {external_id}?",
            "created_at": "2026-03-02T08:00:00Z", **fields}  # fmt: skip


def test_a_row_with_a_300_character_author_is_rejected_alone(db: None, tmp_path: Path) -> None:
    rows = [f"{n},kim,Frage {n}?,2026-03-02T08:0{n}:00Z,," for n in range(1, 6)]
    rows.insert(2, f"99,{'a' * 300},Hallo?,2026-03-02T08:00:00Z,,")
    rows.append(f"100,ole,Hallo?,2026-03-02T08:00:00Z,,{'N' * 10_000}")
    rows.append(f"101,{'b' * 230},Hallo?,2026-03-02T08:00:00Z,,")  # a name of 230: cut to 200
    code, out, err = _import("--format", "csv", str(_csv(tmp_path / "x.csv", rows)))
    assert code == 1
    assert f"{tmp_path / 'x.csv'}:4: author is longer than 255 characters" in err
    assert "Traceback" not in err
    assert "messages created: 7" in out and "rows rejected: 1" in out
    assert Contact.objects.get(messages__external_id="100").display_name == "N" * 200
    assert Contact.objects.get(messages__external_id="101").display_name == "b" * 200


def test_nul_bytes_are_removed_and_a_date_beyond_9999_is_rejected(db: None, tmp_path: Path) -> None:
    records = [_record(f"j{n}") for n in range(6)]
    records.append(_record("late", created_at="9999-12-31T23:59:59-05:00"))
    records.insert(3, _record("nul", text="Wo\x00 ist\x00 es?", author="k\x00im",
                              meta_ignored={"x": "\x00"}))  # fmt: skip
    path = _jsonl(tmp_path / "n.jsonl", records)
    code, out, err = _import("--format", "jsonl", str(path))
    assert code == 1
    assert f"{path}:8: created_at 9999-12-31 23:59:59-05:00 is out of range" in err
    assert "messages created: 7" in out
    stored = Message.objects.get(external_id="nul")
    assert (stored.text, stored.author_handle) == ("Wo ist es?", "kim")


def test_a_row_the_database_refuses_is_rejected_alone_with_line_and_reason(
    db: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def let_through(row: ImportRow) -> ImportRow:  # as if the normaliser missed something
        return dataclasses.replace(row, created_at=None) if row.external_id == "j3" else row  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "normalise", let_through)
    records = [_record(f"j{n}") for n in range(7)]
    path = _jsonl(tmp_path / "r.jsonl", records)
    code, out, err = _import("--format", "jsonl", str(path), "--chunk-size", "5000")
    assert code == 1
    assert f"{path}:4: the database refused the item:" in err
    assert "Traceback" not in err
    assert "messages created: 6" in out and "rows rejected: 1" in out
    assert Message.objects.count() == 6


def test_ids_are_parsed_as_exact_decimals() -> None:
    assert parse_external_id("1.216382480015450112e+18") == "1216382480015450112"
    assert parse_external_id("3.0") == "3"
    assert parse_external_id("1.2e3") == "1200"
    assert parse_external_id(" 1216382480015450112 ") == "1216382480015450112"
    assert parse_external_id("1.5") == "1.5"  # not an integer: kept as written
    assert parse_external_id("abc-1e5") == "abc-1e5"
    assert parse_external_id("١.0") == "١.0"  # other digits are text, not a number
    with pytest.raises(ValueError, match="only 6 significant digits"):
        parse_external_id("1.21638E+18")
    with pytest.raises(ValueError, match="too large"):
        parse_external_id("1e999999999")


def test_a_parent_written_as_a_float_joins_its_thread(db: None, tmp_path: Path) -> None:
    rows = [
        ("1216382480015450112", "501", "True", "Mon Mar 02 08:00:00 +0000 2026", "@Co Hilfe?", "", ""),
        ("1216382480015450113", "Co", "False", "Mon Mar 02 08:10:00 +0000 2026", "@501 Ja.", "",
         "1.216382480015450112e+18"),
        ("1216382480015450114", "501", "True", "Mon Mar 02 08:20:00 +0000 2026", "@Co Danke", "",
         "1216382480015450113.0"),
    ]  # fmt: skip
    code, _out, err = _import("--format", "twcs", str(_write(tmp_path / "f.csv", rows)))
    assert code == 0, err
    assert Conversation.objects.count() == 1
    assert Message.objects.get(external_id="1216382480015450114").parent is not None


def test_jsonl_numbers_keep_every_digit_and_lossy_floats_are_refused(
    db: None, tmp_path: Path
) -> None:
    path = tmp_path / "ids.jsonl"
    lines = [
        '{"id": 1216382480015450116, "author": "kim", "text": {"a": [1, 2.5]},'
        ' "created_at": "2026-03-02T08:00:00Z"}',
        '{"id": 1.216382480015450116e18, "author": "kim", "text": "x",'
        ' "created_at": "2026-03-02T08:00:00Z"}',
        '{"id": 7.0, "author": ["kim", "ole"], "text": "y", "created_at": "2026-03-02T08:00:00Z"}',
        '{"id": "8", "author": "kim", "text": ' + "1" * 5000 + ', "created_at": "2026-03-02"}',
        '{"id": "9", "author": "kim", "text": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ]
    path.write_text("\n".join(lines) + "\n")
    code, _out, err = _import("--format", "jsonl", str(path))
    assert code == 1
    assert (
        f"{path}:2: id 1.216382480015450116e18 is a floating-point number beyond 2^53 and may "
        "have lost digits; write it as a string or integer" in err
    )
    assert f"{path}:5: nested deeper than 64 levels" in err
    assert "Traceback" not in err
    stored = dict(Message.objects.values_list("external_id", "text"))
    assert stored["1216382480015450116"] == '{"a": [1, 2.5]}'
    assert stored["8"] == "1" * 5000
    assert Message.objects.get(external_id="7").author_handle == '["kim", "ole"]'


def test_the_same_ids_for_another_account_are_stored_not_duplicates(
    db: None, tmp_path: Path
) -> None:
    rows = [_record("1"), _record("2", parent_id="1")]
    path = _jsonl(tmp_path / "a.jsonl", rows)
    code, out, _err = _import("--format", "jsonl", str(path), "--account", "markeeins")
    assert code == 0 and "messages created: 2" in out
    code, out, _err = _import("--format", "jsonl", str(path), "--account", "markezwei")
    assert code == 0
    assert "messages created: 2" in out and "duplicates skipped: 0" in out
    code, out, _err = _import("--format", "jsonl", str(path), "--account", "markezwei")
    assert "messages created: 0" in out and "duplicates skipped: 2" in out
    assert Conversation.objects.count() == 2
    for handle in ("markeeins", "markezwei"):
        reply = Message.objects.get(channel_account__handle=handle, external_id="2")
        assert reply.parent is not None and reply.parent.channel_account == reply.channel_account
        assert reply.conversation.channel_account.handle == handle


def test_it_reads_utf16_files(db: None, tmp_path: Path) -> None:
    with_bom = _write(tmp_path / "bom.csv", THREADS[:3], encoding="utf-16")
    code, out, err = _import("--format", "twcs", str(with_bom))
    assert code == 0, err
    assert "messages created: 3" in out
    plain = tmp_path / "le.csv"
    plain.write_bytes(
        (CSV_HEADER + "m1,jürgen,Grüße?,2026-03-02T08:00:00Z,,\n").encode("utf-16-le")
    )
    code, out, err = _import("--format", "csv", str(plain))
    assert code == 0, err
    assert Message.objects.get(external_id="m1").text == "Grüße?"


def test_it_imports_every_matching_file_of_a_folder(db: None, tmp_path: Path) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    _write(folder / "b.csv", THREADS[3:])
    _write(folder / "a.csv", THREADS[:3])
    (folder / "notes.txt").write_text("not an import")
    code, out, err = _import("--format", "twcs", str(folder))
    assert code == 0, err
    assert "messages created: 6" in out
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match=r"is a folder without \.jsonl or \.json files"):
        _import("--format", "jsonl", str(empty))
    with pytest.raises(CommandError, match="no such file or folder"):
        _import("--format", "jsonl", str(tmp_path / "missing"))
