"""Real Mastodon responses (recorded by Mastodon.py's own tests) read by our connector.

Runs only when ../shared/data/mastodon-api-cassettes is present; nothing of it is copied.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mastodon.return_types import Context, Notification, Status
from mastodon.types_base import try_cast_recurse as _cast

from socialdesk.channels.mastodon.connector import row

CASSETTES = Path(__file__).resolve().parents[5] / "shared" / "data" / "mastodon-api-cassettes"
pytestmark = pytest.mark.skipif(not CASSETTES.is_dir(), reason="../shared data not present")


def try_cast_recurse(kind: Any, value: Any) -> Any:
    return _cast(kind, value)  # type: ignore[no-untyped-call]


def _bodies(name: str) -> list[Any]:
    yaml = pytest.importorskip("yaml")
    files = list(CASSETTES.glob(f"*/{name}.yaml"))
    if not files:
        pytest.skip(f"{name}.yaml not present")
    recorded = yaml.safe_load(files[0].read_text(encoding="utf-8"))
    return [
        json.loads(i["response"]["body"]["string"])
        for i in recorded["interactions"]
        if i["response"]["status"]["code"] == 200 and i["response"]["body"]["string"]
    ]


def _statuses() -> list[Any]:
    statuses: list[Any] = []
    for body in _bodies("test_entity_notification"):
        notes = [try_cast_recurse(Notification, n) for n in body]
        statuses += [n.status for n in notes if n.get("status")]
    for body in _bodies("test_entity_context"):
        context = try_cast_recurse(Context, body)
        statuses += list(context.ancestors) + list(context.descendants)
    for body in _bodies("test_entity_status"):
        statuses.append(try_cast_recurse(Status, body))
    return statuses


def test_real_statuses_become_plain_text_rows_with_thread_and_author() -> None:
    statuses = _statuses()
    assert len(statuses) >= 5
    for status in statuses:
        item = row(status, me="0", domain="mastodon.social")
        assert item.external_id == str(status.id)
        assert "<" not in item.text.replace("<3", "") or "&lt;" in str(status.content)
        assert "@" in item.author and item.author == item.author.lower()
        assert item.created_at.tzinfo is not None
        assert item.parent_id == str(status.in_reply_to_id or "")
        assert item.meta is not None
        assert item.meta["visibility"] in ("public", "unlisted", "private", "direct")
        assert item.meta["url"] == "" or item.meta["url"].startswith("http")
    # A mention in real Mastodon HTML (h-card spans) reads as "@name" in the text.
    assert any("@" in row(s, me="0", domain="mastodon.social").text for s in statuses)
