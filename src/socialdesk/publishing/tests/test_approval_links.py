"""The e-mailed approval link: approve or ask for changes once, as its person, for its version.

Expired, forged, already used, for an older version, or for a step already decided: nothing
changes, and the page says which it was (in English and German).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.utils import timezone
from PIL import Image

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.publishing import approvals, review_services, services
from socialdesk.publishing.models import (
    Approval,
    ApprovalLink,
    Decision,
    Post,
    PostMedia,
    PostStatus,
)


@pytest.fixture
def setup(
    people: dict[str, User],
    departments: dict[str, Department],
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    marketing = Department.objects.create(name="Marketing")
    marta = User.objects.create_user(
        "marta@example.com", "pw-long-enough-1", full_name="Marta Marketing", role=Role.MEMBER,
        language="de",
    )  # fmt: skip
    marta.departments.set([marketing])
    mads = User.objects.create_user(
        "mads@example.com", "pw-long-enough-1", full_name="Mads Marketing", role=Role.MEMBER
    )
    mads.departments.set([marketing])
    lena = User.objects.create_user(
        "lena@example.com", "pw-long-enough-1", full_name="Lena Legal", role=Role.MEMBER
    )
    lena.departments.set([departments["Legal"]])
    mastodon = ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")
    bluesky = ChannelAccount.objects.create(network=Network.BLUESKY, handle="bahn.bsky.social")
    by = Acting(user=people["manager"])
    review_services.step_add(by=by, channel=mastodon, department=marketing)
    review_services.step_add(by=by, channel=bluesky, department=departments["Legal"])
    post = services.post_create(
        by=by, text="Nachtschicht im Stellwerk", channels=[mastodon, bluesky],
        variants={bluesky.pk: ["Nachtschicht (Bluesky)", "Teil 2 für Bluesky"]},
        content_warning="Lautes Video", scheduled_at=timezone.now() + timedelta(days=1),
    )  # fmt: skip
    picture = io.BytesIO()
    Image.new("RGB", (8, 6), "navy").save(picture, "PNG")
    PostMedia.objects.create(
        post=post, content=picture.getvalue(), mime="image/png", width=8, height=6,
        alt_text="Ein Stellwerk bei Nacht",
    )  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit(by=by, post=post)
    return {"post": post, "marta": marta, "mads": mads, "lena": lena, "by": by}


def link_in(email: str) -> str:
    """The approval link (path) of the latest e-mail to this address."""
    message = next(m for m in reversed(mail.outbox) if m.to == [email] and "/approve/" in m.body)
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/publishing/approve/\S+/)", str(message.body)
    )
    assert found, message.body
    return found.group(1)


def _state(post: Post) -> tuple[Any, ...]:
    post.refresh_from_db()
    return (post.status, post.version, Approval.objects.count(), post.events.count())


def test_it_mails_each_approver_their_own_link_in_their_language(setup):
    assert {tuple(m.to) for m in mail.outbox} == {("marta@example.com",), ("mads@example.com",)}
    german = next(m for m in mail.outbox if m.to == ["marta@example.com"])
    assert "freigeben" in german.subject.lower() or "freigabe" in german.body.lower()
    assert link_in("marta@example.com") != link_in("mads@example.com")


def test_it_shows_the_post_on_each_network_without_signing_in(setup):
    page = Client().get(link_in("mads@example.com"), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "bahn@mock.local" in text and "bahn.bsky.social" in text
    assert "Nachtschicht im Stellwerk" in text and "Teil 2 für Bluesky" in text
    assert "Lautes Video" in text
    assert 'alt="Ein Stellwerk bei Nacht"' in text and "data:image/png;base64," in text


def test_it_approves_by_link_as_its_person(setup):
    post = setup["post"]
    page = Client().post(
        link_in("mads@example.com"), {"decision": "approve", "comment": "passt"},
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip
    assert "You approved the post" in page.content.decode()
    approval = Approval.objects.get()
    assert (approval.user, approval.by_link, approval.comment) == (setup["mads"], True, "passt")
    assert approvals.current_step(post).step.department.name == "Legal"  # type: ignore[union-attr]
    assert ApprovalLink.objects.get(user=setup["mads"]).used_at is not None


def test_it_requests_changes_by_link_with_a_comment(setup):
    post = setup["post"]
    url = link_in("mads@example.com")
    empty = Client().post(url, {"decision": "changes", "comment": " "}, HTTP_ACCEPT_LANGUAGE="en")
    assert empty.status_code == 400 and "Say what should change" in empty.content.decode()
    assert ApprovalLink.objects.get(user=setup["mads"]).used_at is None
    page = Client().post(url, {"decision": "changes", "comment": "Bitte ohne Namen"})
    assert page.status_code == 200
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    assert Approval.objects.get().decision == Decision.CHANGES
    assert post.events.get(kind="changes_requested").data["comment"] == "Bitte ohne Namen"


def _refused(url: str, language: str = "en", **data: str) -> str:
    response = Client().post(url, {"decision": "approve", **data}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    return response.content.decode()


def test_an_expired_link_changes_nothing_and_says_so(setup, monkeypatch):
    post = setup["post"]
    before = _state(post)
    url = link_in("mads@example.com")
    later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr(time, "time", lambda: later)  # what the signature's age is read from
    assert "expired" in _refused(url)
    assert "abgelaufen" in _refused(url, "de")
    assert _state(post) == before


def test_a_forged_link_changes_nothing_and_says_so(setup):
    post = setup["post"]
    before = _state(post)
    url = link_in("mads@example.com")
    token = url.rstrip("/").rsplit("/", 1)[1]
    forged = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert "not valid" in _refused(forged)
    other = signing.dumps({"n": "made-up"}, salt="socialdesk.publishing.approval-link")
    assert "not valid" in _refused(f"/publishing/approve/{other}/")
    wrong_salt = signing.dumps({"n": ApprovalLink.objects.first().nonce})  # type: ignore[union-attr]
    assert "ungültig" in _refused(f"/publishing/approve/{wrong_salt}/", "de")
    assert _state(post) == before


def test_a_used_link_changes_nothing_and_says_so(setup):
    post = setup["post"]
    url = link_in("mads@example.com")
    Client().post(url, {"decision": "approve"})
    before = _state(post)
    assert "used already" in _refused(url)
    assert "schon benutzt" in _refused(url, "de")
    assert _state(post) == before


def test_a_link_for_an_older_version_changes_nothing_and_says_so(setup):
    post = setup["post"]
    url = link_in("mads@example.com")
    services.post_update(by=setup["by"], post=post, text="Neuer Text")
    before = _state(post)
    assert "older version" in _refused(url)
    assert "ältere Fassung" in _refused(url, "de")
    assert _state(post) == before
    assert ApprovalLink.objects.filter(version=2, user=setup["mads"]).exists()


def test_a_link_for_a_step_a_colleague_decided_changes_nothing(setup):
    post = setup["post"]
    services.post_approve(by=Acting(user=setup["marta"]), post=post)
    before = _state(post)
    assert "no longer waits" in _refused(link_in("mads@example.com"))
    assert _state(post) == before


def test_a_link_acts_as_its_person_whoever_opens_it(setup, client_as: Callable[[str], Client]):
    client = client_as("admin")
    client.post(link_in("mads@example.com"), {"decision": "approve"})
    assert Approval.objects.get().user == setup["mads"]


def test_hostile_comments_are_cleaned_or_refused(setup):
    url = link_in("mads@example.com")
    too_long = Client().post(url, {"decision": "approve", "comment": "x" * 6000})
    assert too_long.status_code == 400 and not Approval.objects.exists()
    Client().post(url, {"decision": "approve", "comment": "ok\x00 danke"})
    assert Approval.objects.get().comment == "ok danke"


def test_the_author_hears_of_changes_asked_for_and_of_the_approval(
    setup, django_capture_on_commit_callbacks: Any
):
    url = link_in("mads@example.com")
    User.objects.filter(email="max@example.com").update(language="en")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(url, {"decision": "changes", "comment": "Ohne Namen"})
    to_max = [m for m in mail.outbox if m.to == ["max@example.com"]]
    assert len(to_max) == 1 and "Ohne Namen" in str(to_max[0].body)
    assert "Mads Marketing asked for changes" in to_max[0].subject
    post = setup["post"]
    with django_capture_on_commit_callbacks(execute=True):
        services.post_submit(by=setup["by"], post=post)
        services.post_approve(by=Acting(user=setup["mads"]), post=post)
        services.post_approve(by=Acting(user=setup["lena"]), post=post)
    to_max = [m for m in mail.outbox if m.to == ["max@example.com"]]
    assert "is approved" in to_max[-1].subject
    # in each person's language
    User.objects.filter(email="max@example.com").update(language="de")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_request_changes(by=Acting(user=setup["lena"]), post=post, comment="Nein")
    assert "hat Änderungen an Ihrem Beitrag" in mail.outbox[-1].subject


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgres" not in __import__("os").environ.get("DATABASE_URL", ""),
    reason="two connections at once need PostgreSQL",
)
def test_two_clicks_at_once_on_postgresql_approve_once(people, departments) -> None:
    """The same link posted twice at the same moment (a double click, a mail scanner)."""
    import threading

    from django.db import connection

    marketing = Department.objects.create(name="Marketing")
    mads = User.objects.create_user(
        "mads@example.com", "pw-long-enough-1", full_name="Mads Marketing", role=Role.MEMBER
    )
    mads.departments.set([marketing])
    mastodon = ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")
    by = Acting(user=people["manager"])
    review_services.step_add(by=by, channel=mastodon, department=marketing)
    post = services.post_create(by=by, text="Nachtschicht", channels=[mastodon])
    services.post_submit(by=by, post=post)
    from socialdesk.publishing import review_notify

    url = f"/publishing/approve/{review_notify.link_token(ApprovalLink.objects.get())}/"
    answers: list[int] = []
    start = threading.Barrier(2)

    def click() -> None:
        start.wait()
        answers.append(Client().post(url, {"decision": "approve"}).status_code)
        connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 400]
    assert Approval.objects.count() == 1
    assert Post.objects.get(pk=post.pk).status == PostStatus.APPROVED
