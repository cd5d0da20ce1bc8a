"""Inbound webhooks: signed deliveries are stored once; unsigned ones change nothing."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent
from socialdesk.channels import base, services
from socialdesk.channels.models import ChannelAccount, SetAsideItem, WebhookDelivery
from socialdesk.channels.webhook.receiver import process_pending, signature
from socialdesk.inbox.models import Conversation, Message

SECRET = "hook-secret-for-tests"


@pytest.fixture
def hook(db):
    account, _secret = services.webhook_add(
        by=Acting(user=None, label="test"), name="Shop reviews", secret=SECRET
    )
    return account


def _post(
    account: ChannelAccount, payload: Any, *, secret: str = SECRET, header: bool = True
) -> Any:
    body = json.dumps(payload).encode()
    headers = {"X-Hub-Signature-256": signature(secret, body)} if header else {}
    return Client().post(
        f"/hooks/{account.pk}/", body, content_type="application/json", headers=headers
    )


DELIVERY = {
    "items": [
        {
            "id": "r1",
            "author": "kim",
            "text": "Wann kommt meine Bestellung?",
            "created_at": "2026-03-02T08:00:00Z",
        },
        {
            "id": "r2",
            "author": "shop",
            "text": "Morgen!",
            "created_at": "2026-03-02T09:00:00Z",
            "parent_id": "r1",
            "inbound": False,
        },
    ]
}


def test_it_stores_a_signed_delivery_as_a_thread(hook):
    response = _post(hook, DELIVERY)
    assert response.status_code == 202
    assert response.json() == {"accepted": 2, "rejected": []}
    assert process_pending() == 2  # the worker's part
    conversation = Conversation.objects.get()
    assert conversation.channel_account == hook
    assert conversation.first_response_seconds == 3600 and conversation.needs_reply


@pytest.mark.parametrize("case", ["missing", "wrong secret", "tampered"])
def test_it_refuses_an_unsigned_or_forged_delivery_and_writes_nothing(hook, case):
    if case == "missing":
        response = _post(hook, DELIVERY, header=False)
    elif case == "wrong secret":
        response = _post(hook, DELIVERY, secret="guess")
    else:
        body = json.dumps(DELIVERY).encode()
        response = Client().post(
            f"/hooks/{hook.pk}/", body.replace(b"Morgen", b"Never"), content_type="application/json",
            headers={"X-Hub-Signature-256": signature(SECRET, body)},
        )  # fmt: skip
    assert response.status_code == 401
    process_pending()
    assert not Message.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_a_replayed_delivery_creates_nothing_new(hook):
    _post(hook, DELIVERY)
    assert process_pending() == 2
    again = _post(hook, DELIVERY)
    assert again.json() == {"accepted": 2, "rejected": []}
    _post(hook, DELIVERY)  # and once more, before the worker ran
    assert process_pending() == 0
    assert Message.objects.count() == 2
    replays = WebhookDelivery.objects.order_by("pk")[1:]
    assert [(d.stored, d.duplicates) for d in replays] == [(0, 2), (0, 2)]
    assert WebhookDelivery.objects.filter(processed_at__isnull=True).count() == 0


def test_it_keeps_the_good_items_and_names_the_bad_ones(hook):
    response = _post(
        hook,
        {
            "items": [
                {"id": "x1", "author": "a", "text": "ok?", "created_at": "2026-03-02T08:00:00Z"},
                {"id": "x2", "text": "no author"},
                "not an object",
            ]
        },
    )
    assert response.status_code == 202
    body = response.json()
    assert body["accepted"] == 1
    assert process_pending() == 1
    assert body["rejected"] == [
        {"item": 1, "reason": "missing author, created_at"},
        {"item": 2, "reason": "an item is not a JSON object"},
    ]


def test_it_reads_nested_fields_through_the_mapping(hook):
    hook.mapping = {
        "items": "entry",
        "id": "message.mid",
        "author": "sender.id",
        "text": "message.text",
        "created_at": "time",
    }
    hook.save()
    response = _post(
        hook,
        {
            "entry": [
                {
                    "time": "2026-03-02T08:00:00Z",
                    "sender": {"id": "4711"},
                    "message": {"mid": "m.1", "text": "Hallo?"},
                }
            ]
        },
    )
    assert response.json()["accepted"] == 1
    process_pending()
    assert Message.objects.get().author_handle == "4711"


def test_a_delivery_without_any_readable_item_is_refused_and_not_kept(hook):
    response = _post(hook, {"items": [{"id": "only-id"}]})
    assert response.status_code == 400
    assert response.json()["rejected"] == [
        {"item": 0, "reason": "missing author, text, created_at"}
    ]
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("length", "status"), [("lots", 400), ("²", 400), ("-1", 400), ("9" * 5000, 413)]
)
def test_it_answers_a_bad_or_huge_content_length_in_json_and_keeps_nothing(hook, length, status):
    account = hook
    response = Client().generic(
        "POST",
        f"/hooks/{account.pk}/",
        b"{}",
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256="sha256=00",
        CONTENT_LENGTH=length,
    )
    assert response.status_code == status
    assert response["Content-Type"] == "application/json" and response.json()["error"]
    assert not WebhookDelivery.objects.exists()


def test_it_answers_400_to_a_body_that_is_not_json(hook):
    body = b"{not json"
    response = Client().post(
        f"/hooks/{hook.pk}/",
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature(SECRET, body)},
    )
    assert response.status_code == 400 and "not JSON" in response.json()["error"]


def test_the_command_line_prints_the_url_and_the_secret_once_and_the_audit_log_hides_it(db):
    out = StringIO()
    call_command("channels", "add", "webhook", "--name", "Partner Shop", stdout=out)
    assert "POST to http://127.0.0.1:8000/hooks/" in out.getvalue()
    secret = out.getvalue().split("shown only this once): ")[1].strip()
    assert len(secret) >= 40
    event = AuditEvent.objects.get(action="channel.added")
    assert secret not in json.dumps(event.after)


class _Listing(BaseHTTPRequestHandler):
    body = b""
    hits = 0

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(type(self).body)


def test_the_backfill_poll_catches_deliveries_that_never_arrived(db, settings):
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Listing)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        out = StringIO()
        call_command(
            "channels", "add", "webhook", "--name", "Shop", "--secret", SECRET,
            "--backfill-url", f"http://127.0.0.1:{httpd.server_address[1]}/recent", stdout=out,
        )  # fmt: skip
        hook = ChannelAccount.objects.get(name="Shop")
        _post(hook, {"items": [DELIVERY["items"][0]]})  # r1 arrived by push
        process_pending()
        lost = {"id": "r3", "author": "ole", "text": "Hallo?", "created_at": "2026-03-02T10:00Z"}
        _Listing.body = json.dumps({"items": [*DELIVERY["items"], lost, {"id": "bad"}]}).encode()
        hook.refresh_from_db()
        assert base.poll(hook) == 2  # r2 and r3 were never pushed
        assert base.poll(hook) == 0
        assert set(Message.objects.values_list("external_id", flat=True)) == {"r1", "r2", "r3"}
        assert SetAsideItem.objects.filter(channel_account=hook).count() == 1  # "bad", once
        hook.refresh_from_db()
        assert hook.last_success_at is not None and hook.next_poll_at is not None
    finally:
        httpd.shutdown()


def test_deliveries_arriving_while_a_batch_waits_to_start_join_it(
    hook, monkeypatch, django_capture_on_commit_callbacks
):
    """On the real queue: a delivery queues a batch task that starts GATHER seconds later;
    deliveries arriving before it starts queue nothing (it reads them too), in this web process
    or another; once a worker has taken it, the next delivery queues the next one. A running
    batch leaves what came after it started to that next one. Every item is stored once."""
    from django.tasks import TaskResultStatus, task_backends
    from django.utils import timezone
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from socialdesk.channels.tasks import process_webhooks
    from socialdesk.channels.webhook import receiver

    backend = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", backend, raising=False)  # type: ignore[attr-defined]
    monkeypatch.setattr(receiver, "_covered_until", 0.0)
    batches = DBTaskResult.objects.filter(task_path=process_webhooks.module_path)

    def deliver(number: int, *, other_process: bool = False) -> None:
        if other_process:  # it has not queued or seen a batch yet
            monkeypatch.setattr(receiver, "_covered_until", 0.0)
        item = {"id": f"q{number}", "author": "kim", "text": f"Frage {number}?",
                "created_at": "2026-03-02T08:00:00Z"}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(hook, {"items": [item]}).status_code == 202

    before = timezone.now()
    deliver(0)
    deliver(1)
    deliver(2, other_process=True)
    assert batches.count() == 1  # one batch waits; the later deliveries join it
    starts = batches.get().run_after
    assert before + timedelta(seconds=receiver.GATHER) <= starts
    assert starts <= timezone.now() + timedelta(seconds=receiver.GATHER)

    batches.update(status=TaskResultStatus.RUNNING)  # a worker took it ...
    assert process_pending() == 3  # ... and stored what had come
    deliver(3, other_process=True)
    assert batches.count() == 2 and batches.filter(status=TaskResultStatus.READY).count() == 1
    assert process_pending() == 1  # the next batch
    assert sorted(Message.objects.values_list("external_id", flat=True)) == [
        "q0", "q1", "q2", "q3"
    ]  # fmt: skip
    assert not WebhookDelivery.objects.filter(processed_at__isnull=True).exists()


def test_a_batch_leaves_what_arrives_while_it_runs_to_the_next_one(hook, monkeypatch):
    """A worker storing a batch does not go on with the deliveries that arrived meanwhile (they
    queued their own batch, which gathers more of them): it stops at the last delivery that
    was there when it began."""
    from socialdesk.channels.webhook import receiver

    assert _post(hook, DELIVERY).status_code == 202
    real_store = receiver._store
    arrived: list[int] = []

    def store_while_another_arrives(pending: Any, stuck: Any) -> int:
        if not arrived:
            later = {"items": [{"id": "later", "author": "kim", "text": "Und jetzt?",
                                "created_at": "2026-03-02T10:00:00Z"}]}  # fmt: skip
            assert _post(hook, later).status_code == 202
        arrived.append(len(pending))
        return real_store(pending, stuck)

    monkeypatch.setattr(receiver, "_store", store_while_another_arrives)
    assert process_pending() == 2
    assert arrived == [1]  # one batch: the delivery that was there
    assert WebhookDelivery.objects.filter(processed_at__isnull=True).count() == 1
    monkeypatch.setattr(receiver, "_store", real_store)
    assert process_pending() == 1
    assert Message.objects.filter(external_id="later").exists()


def test_a_delivery_reads_no_organisation_or_time_zone(hook):
    """The endpoint answers machines: no page, no dates. Its request reads the channel and
    writes the delivery; the organisation (for a time zone) is not read (a query per delivery
    at 100 deliveries/s)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Client().get("/login/")  # the first request of the process may create the organisation
    with CaptureQueriesContext(connection) as queries:
        assert _post(hook, DELIVERY).status_code == 202
    statements = " ".join(q["sql"] for q in queries.captured_queries)
    assert "channels_webhookdelivery" in statements
    assert "accounts_organisation" not in statements
