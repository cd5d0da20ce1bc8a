"""Feedback items from capture to the answer back to the customer."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department
from socialdesk.channels.models import ChannelAccount
from socialdesk.feedback import handoff, services
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus, ReplyDraft, RoutingRule, Topic
from socialdesk.inbox.models import Contact, Conversation, Direction, Message, Notification

BY = Acting(user=None, label="test")


@pytest.fixture
def say(db: None) -> Any:
    account = ChannelAccount.objects.create(network="webhook", handle="shop")
    counter = iter(range(1, 10_000))

    def make(text: str, *, name: str = "Kim", language: str = "de") -> Message:
        contact = Contact.objects.create(display_name=name)
        conversation = Conversation.objects.create(
            channel_account=account, contact=contact, language=language
        )
        return Message.objects.create(
            conversation=conversation, channel_account=account, external_id=str(next(counter)),
            direction=Direction.INBOUND, author_handle=name.lower(), contact=contact, text=text,
            created_at=timezone.now(), language=language,
        )  # fmt: skip

    return make


@pytest.fixture
def product(people: Any, departments: Any) -> Department:
    department: Department = departments["Product Development"]
    department.feedback_answer_hours = 48
    department.save()
    return department


def test_capture_suggest_and_link(say: Any) -> None:
    first = say("Der QR-Code wird am Gate nicht akzeptiert")
    item = services.item_create(by=BY, title="QR code not accepted at the gate", message=first)
    second = say("QR Code am Gate geht nicht, schon wieder nicht akzeptiert!")
    other = say("Das WLAN im Zug ist langsam")
    assert [i for i, _s in services.similar_items(second.text)] == [item]
    assert services.similar_items(other.text) == []
    services.item_link(by=BY, item=item, message=second)
    assert services.item_link(by=BY, item=item, message=second) is None  # once
    item.refresh_from_db()
    assert item.mention_count == 2 and item.first_seen == first.created_at
    assert item.last_seen == second.created_at


def test_routing_by_topic_and_by_rule(say: Any, departments: Any) -> None:
    legal, other = list(departments.values())[:2]
    topic = Topic.objects.create(name="App & website", keywords="app, website", department=other)
    item = services.item_create(by=BY, title="App crashes", message=say("App crasht"), topic=topic)
    assert item.department == other and item.due_at is not None
    RoutingRule.objects.create(query="datenschutz OR dsgvo", department=legal)
    item = services.item_create(by=BY, title="DSGVO", message=say("Datenschutz in der App?"),
                                topic=topic)  # fmt: skip
    assert item.department == legal


def test_forwarding_notifies_the_department_and_reminds_once(
    say: Any, product: Department, people: Any, django_capture_on_commit_callbacks: Any
) -> None:
    product.people.update(language="en")  # the e-mails speak each person's language
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_create(by=BY, title="QR code", message=say("QR geht nicht"))
        services.item_forward(by=BY, item=item, department=product)
    members = set(product.people.values_list("email", flat=True))
    assert members and {m.to[0] for m in mail.outbox} == members
    assert item.due_at is not None
    assert abs((item.due_at - timezone.now()) - timedelta(hours=48)) < timedelta(minutes=1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(timezone.now()) == 0  # not due yet
        later = timezone.now() + timedelta(hours=49)
        assert services.send_reminders(later) == len(members)
        assert services.send_reminders(later) == 0  # once
    assert all("Reminder" in m.subject for m in mail.outbox)


def test_done_drafts_an_answer_in_each_customers_language_and_sends_it(say: Any) -> None:
    german = say("QR-Code geht nicht am Gate", name="Kim", language="de")
    english = say("The QR code fails at the gate", name="Sam", language="en")
    item = services.item_create(by=BY, title="QR code not accepted at the gate", message=german)
    services.item_link(by=BY, item=item, message=english)
    with pytest.raises(ValidationError, match="Say why"):
        services.item_set_status(by=BY, item=item, status=FeedbackStatus.WONT_DO)
    services.item_set_status(by=BY, item=item, status=FeedbackStatus.DONE,
                             reason="the scanners were updated on 3 March")  # fmt: skip
    drafts = {d.language: d for d in ReplyDraft.objects.filter(item=item)}
    assert set(drafts) == {"de", "en"}
    assert drafts["de"].text.startswith("Hallo Kim") and "erledigt" in drafts["de"].text
    assert drafts["en"].text.startswith("Hi Sam") and "scanners were updated" in drafts["en"].text
    message = services.draft_send(by=BY, draft=drafts["en"], text=drafts["en"].text + " – Ana")
    assert message.direction == Direction.OUTBOUND
    assert message.conversation_id == english.conversation_id
    assert message.text.endswith("– Ana")
    assert ReplyDraft.objects.filter(item=item, state=ReplyDraft.State.SENT).count() == 1
    with pytest.raises(ValidationError):
        services.draft_send(by=BY, draft=drafts["en"], text="again")
    # A customer who says it after it was closed gets a draft too.
    late = say("QR code still broken?", name="Lee", language="en")
    services.item_link(by=BY, item=item, message=late)
    assert ReplyDraft.objects.filter(item=item).count() == 3


def test_digest_links_work_once_and_say_why_not_otherwise(
    say: Any, product: Department, django_capture_on_commit_callbacks: Any
) -> None:
    product.people.update(language="en")
    item = services.item_create(by=BY, title="QR code", message=say("QR geht nicht"))
    services.item_forward(by=BY, item=item, department=product)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_digests() == product.people.count()
        assert services.send_digests() == 0  # one a day
    body = mail.outbox[0].body
    done_link = next(line for line in body.splitlines() if line.strip().startswith("Done:"))
    path = done_link.split("http://127.0.0.1:8000", 1)[1].strip()
    client = Client()
    page = client.get(path)
    assert page.status_code == 200 and "QR code" in page.content.decode()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.NEW  # looking changes nothing
    assert client.post(path, {"reason": "fixed"}).status_code == 200
    item.refresh_from_db()
    assert item.status == FeedbackStatus.DONE and item.reason == "fixed"
    again = client.post(path)
    assert again.status_code == 400 and "used already" in again.content.decode()
    forged = path.replace("/act/", "/act/x")
    assert "not valid" in client.get(forged).content.decode()
    person = product.people.first()
    assert person is not None
    old = signing.dumps({"i": item.pk, "s": "planned", "u": person.pk, "n": "n1"},
                        salt=services.LINK_SALT, compress=True)  # fmt: skip
    old_path = f"/feedback/act/{old}/"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing, "time", type("T", (), {"time": staticmethod(
            lambda: timezone.now().timestamp() + 8 * 86400)}))  # fmt: skip
        expired = client.post(old_path)
    assert expired.status_code == 400 and "expired" in expired.content.decode()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.DONE


class _Tracker(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_hand_off_posts_signed_json(say: Any, product: Department, settings: Any) -> None:
    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    settings.FEEDBACK_HANDOFF_SECRET = "tracker-secret"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Tracker)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        product.issue_tracker_url = f"http://127.0.0.1:{httpd.server_address[1]}/issues"
        product.save()
        item = services.item_create(by=BY, title="QR code", message=say("QR geht nicht"))
        services.item_forward(by=BY, item=item, department=product)
        assert handoff.hand_off(by=BY, item=item) == "HTTP 201"
        headers, body = _Tracker.received[-1]
        expected = "sha256=" + hmac.new(b"tracker-secret", body, hashlib.sha256).hexdigest()
        assert headers["X-Socialdesk-Signature-256"] == expected
        document = json.loads(body)
        assert document["title"] == "QR code" and document["messages"][0]["text"] == "QR geht nicht"
        item.refresh_from_db()
        assert item.handed_off_at is not None
        settings.FEED_ADDRESS_POLICY = ""  # a tracker inside the network is refused
        with pytest.raises(ValidationError, match="not delivered"):
            handoff.hand_off(by=BY, item=item)
    finally:
        httpd.shutdown()


def test_feedback_notifications_link_to_the_item(say: Any, product: Department) -> None:
    item = services.item_create(by=BY, title="QR code", message=say("QR geht nicht"))
    services.item_forward(by=BY, item=item, department=product)
    note = Notification.objects.filter(kind=Notification.Kind.FEEDBACK).first()
    assert note is not None and note.link == f"/feedback/items/{item.pk}/"
    assert FeedbackItem.objects.get().department == product


def test_routing_rules_and_department_promises_are_set_on_pages(
    say: Any, departments: Any, client_as: Any
) -> None:
    legal = departments["Legal"]
    manager = client_as("manager")
    bad = manager.post("/feedback/topics/", {"kind": "rule", "query": "dsgvo OR",
                                              "department": legal.pk}, follow=True)  # fmt: skip
    assert "OR needs something on both sides" in bad.content.decode()
    assert not RoutingRule.objects.exists()
    manager.post("/feedback/topics/", {"kind": "rule", "query": "dsgvo OR datenschutz",
                                       "department": legal.pk})  # fmt: skip
    item = services.item_create(by=BY, title="Datenschutz", message=say("Wo ist die DSGVO-Info?"))
    assert item.department == legal
    admin = client_as("admin")
    admin.post(f"/departments/{legal.pk}/edit/", {
        "name": "Legal", "feedback_answer_hours": "24",
        "issue_tracker_url": "https://tracker.example.org/hooks/1"})  # fmt: skip
    legal.refresh_from_db()
    assert legal.feedback_answer_hours == 24
    assert legal.issue_tracker_url == "https://tracker.example.org/hooks/1"


def test_each_person_is_told_in_their_own_language(
    say: Any, product: Department, django_capture_on_commit_callbacks: Any
) -> None:
    person = product.people.first()
    assert person is not None
    product.people.update(language="de")
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_create(by=BY, title="QR code", message=say("QR geht nicht"))
        services.item_forward(by=BY, item=item, department=product)
    assert mail.outbox[-1].subject == "Neues Feedback für Ihre Abteilung: QR code"
    note = Notification.objects.filter(user=person, kind=Notification.Kind.FEEDBACK).get()
    assert note.title == "Neues Feedback für Ihre Abteilung: QR code"


def test_a_failed_hand_off_does_not_show_the_trackers_secret(
    say: Any, product: Department, settings: Any
) -> None:
    """Found in review: the error of an unreachable tracker quoted its URL with the token."""
    import socket

    from socialdesk.feedback.models import FeedbackEvent

    settings.FEED_ADDRESS_POLICY = "socialdesk.channels.mastodon.testpeer.loopback_only"
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    product.issue_tracker_url = f"http://bot:PwHook1@127.0.0.1:{port}/hook?token=HookSecret99"
    product.save()
    item = services.item_create(by=BY, title="QR code", message=say("QR geht nicht"))
    services.item_forward(by=BY, item=item, department=product)
    with pytest.raises(ValidationError) as raised:
        handoff.hand_off(by=BY, item=item)
    item.refresh_from_db()
    shown = [
        " ".join(raised.value.messages),
        item.handoff_result,
        *FeedbackEvent.objects.filter(item=item).values_list("text", flat=True),
    ]
    assert "not delivered" in item.handoff_result
    assert [text for text in shown if "HookSecret99" in text or "PwHook1" in text] == []
