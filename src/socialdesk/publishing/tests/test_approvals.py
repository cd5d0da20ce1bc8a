"""Approval steps: Marketing then Legal, any one of / all of, own posts, departments, versions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Role, User
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.inbox.models import Notification
from socialdesk.publishing import approvals, review_services, services
from socialdesk.publishing.models import (
    Approval,
    ApprovalLink,
    ApprovalMode,
    ApprovalStep,
    Campaign,
    Post,
    PostStatus,
)


def _person(email: str, name: str, role: str, *departments: Department) -> User:
    user = User.objects.create_user(email, "pw-long-enough-1", full_name=name, role=role)
    user.departments.set(departments)
    return user


@pytest.fixture
def team(people: dict[str, User], departments: dict[str, Department]) -> dict[str, User]:
    marketing = Department.objects.create(name="Marketing")
    legal = departments["Legal"]
    return {
        **people,
        "marta": _person("marta@example.com", "Marta Marketing", Role.MEMBER, marketing),
        "mads": _person("mads@example.com", "Mads Marketing", Role.MEMBER, marketing),
        "lena": _person("lena@example.com", "Lena Legal", Role.MEMBER, legal),
        "leo": _person("leo@example.com", "Leo Legal", Role.MEMBER, legal),
    }


@pytest.fixture
def channel(db: None) -> ChannelAccount:
    return ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@mock.local")


def _steps(team: dict[str, User], channel: ChannelAccount, legal_mode: str = "any") -> None:
    by = Acting(user=team["manager"])
    review_services.step_add(
        by=by, channel=channel, department=Department.objects.get(name="Marketing")
    )
    review_services.step_add(
        by=by, channel=channel, department=Department.objects.get(name="Legal"), mode=legal_mode
    )


def _post(team: dict[str, User], channel: ChannelAccount, **extra: object) -> Post:
    by = Acting(user=team["manager"])
    at = timezone.now() + timedelta(days=2)
    post = services.post_create(
        by=by, text="Hinter den Kulissen im Stellwerk", channels=[channel], scheduled_at=at,
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return services.post_submit(by=by, post=post)


def _approve(person: User, post: Post) -> Post:
    return services.post_approve(by=Acting(user=person), post=post)


def test_it_needs_marketing_then_legal_before_the_post_is_scheduled(team, channel):
    _steps(team, channel)
    post = _post(team, channel)
    assert [approvals.describe(one.step) for one in approvals.needed(post)] == [
        "Marketing",
        "Legal",
    ]
    # Legal cannot approve before Marketing: the step is not theirs yet
    with pytest.raises(ValidationError) as refused:
        _approve(team["lena"], post)
    assert "Marketing" in refused.value.messages[0]
    _approve(team["marta"], post)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert approvals.current_step(post).step.department.name == "Legal"  # type: ignore[union-attr]
    _approve(team["leo"], post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_it_tells_the_approvers_of_each_step_in_turn(team, channel):
    _steps(team, channel)
    mail.outbox.clear()
    post = _post(team, channel)
    told = set(
        Notification.objects.filter(kind=Notification.Kind.POST).values_list(
            "user__email", flat=True
        )
    )
    assert told == {"marta@example.com", "mads@example.com"}
    assert set(ApprovalLink.objects.values_list("user__email", flat=True)) == told
    _approve(team["marta"], post)
    told_now = set(
        Notification.objects.filter(kind=Notification.Kind.POST).values_list(
            "user__email", flat=True
        )
    )
    assert told_now - told == {"lena@example.com", "leo@example.com"}


def test_all_of_a_department_needs_every_active_member(team, channel):
    _steps(team, channel, legal_mode=ApprovalMode.ALL)
    post = _post(team, channel)
    _approve(team["mads"], post)
    _approve(team["lena"], post)
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW
    assert [u.email for u in approvals.current_step(post).awaited] == ["leo@example.com"]  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="already"):
        _approve(team["lena"], post)
    _approve(team["leo"], post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_all_of_leaves_out_members_who_left(team, channel):
    _steps(team, channel, legal_mode=ApprovalMode.ALL)
    team["leo"].is_active = False
    team["leo"].save()
    post = _post(team, channel)
    _approve(team["mads"], post)
    _approve(team["lena"], post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED


def test_all_of_named_people_needs_each_of_them(team, channel):
    step = review_services.step_add(
        by=Acting(user=team["admin"]), channel=channel, people=[team["admin"], team["agent"]],
        mode=ApprovalMode.ALL,
    )  # fmt: skip
    post = _post(team, channel)
    assert {u.email for u in approvals.current_step(post).awaited} == {  # type: ignore[union-attr]
        "ada@example.com", "alex@example.com",
    }  # fmt: skip
    _approve(team["agent"], post)
    assert Post.objects.get(pk=post.pk).status == PostStatus.IN_REVIEW
    _approve(team["admin"], post)
    assert Post.objects.get(pk=post.pk).status == PostStatus.SCHEDULED
    assert set(Approval.objects.values_list("step", flat=True)) == {step.pk}


def test_any_one_of_needs_one(team, channel):
    _steps(team, channel)
    post = _post(team, channel)
    _approve(team["mads"], post)
    with pytest.raises(ValidationError):
        _approve(team["marta"], post)  # the step is done; Marketing is not asked for Legal's
    _approve(team["lena"], post)
    assert Post.objects.get(pk=post.pk).status == PostStatus.SCHEDULED


def test_approving_ones_own_post_is_refused_where_the_step_forbids_it(team, channel):
    marketing = Department.objects.get(name="Marketing")
    review_services.step_add(by=Acting(user=team["admin"]), channel=channel, department=marketing)
    team["manager"].departments.add(marketing)
    post = _post(team, channel)  # written by the manager, a Marketing member now
    with pytest.raises(ValidationError) as refused:
        _approve(team["manager"], post)
    assert "someone else" in refused.value.messages[0]
    assert not Approval.objects.exists()
    # Max is not even asked
    assert team["manager"] not in approvals.current_step(post).approvers  # type: ignore[union-attr]


def test_a_step_may_let_authors_approve(team, channel):
    marketing = Department.objects.get(name="Marketing")
    review_services.step_add(
        by=Acting(user=team["admin"]), channel=channel, department=marketing,
        authors_may_approve=True,
    )  # fmt: skip
    team["manager"].departments.add(marketing)
    post = _post(team, channel)
    _approve(team["manager"], post)
    assert Post.objects.get(pk=post.pk).status == PostStatus.SCHEDULED


def test_a_member_of_another_department_is_refused(team, channel):
    _steps(team, channel)
    post = _post(team, channel)
    for outsider in ("member", "agent", "viewer"):  # Product Development, Customer Service, none
        with pytest.raises(ValidationError):
            _approve(team[outsider], post)
    # and a manager neither, where steps name others
    with pytest.raises(ValidationError):
        _approve(team["admin"], post)
    assert not Approval.objects.exists()


def test_without_steps_managers_and_admins_approve_and_nobody_else(team, channel):
    post = _post(team, channel)
    for role in ("agent", "member", "viewer"):
        with pytest.raises(ValidationError, match="managers and admins"):
            _approve(team[role], post)
    _approve(team["admin"], post)
    assert Post.objects.get(pk=post.pk).status == PostStatus.SCHEDULED


def test_approvals_count_for_the_current_version_only(team, channel):
    _steps(team, channel)
    post = _post(team, channel)
    _approve(team["marta"], post)
    _approve(team["lena"], post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED and post.version == 1
    services.post_update(by=Acting(user=team["manager"]), post=post, text="Neuer Text")
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW and post.version == 2
    assert approvals.current_step(post).step.department.name == "Marketing"  # type: ignore[union-attr]
    # Marketing is asked again, with links for version 2
    assert ApprovalLink.objects.filter(version=2, user=team["marta"]).exists()
    _approve(team["marta"], post)
    assert approvals.current_step(post).step.department.name == "Legal"  # type: ignore[union-attr]


def test_a_change_while_partly_approved_asks_again_from_the_first_step(team, channel):
    _steps(team, channel)
    post = _post(team, channel)
    _approve(team["marta"], post)
    services.post_update(by=Acting(user=team["manager"]), post=post, text="Anders")
    post.refresh_from_db()
    assert post.status == PostStatus.IN_REVIEW and post.version == 2
    assert approvals.current_step(post).step.department.name == "Marketing"  # type: ignore[union-attr]
    assert post.events.filter(kind="back_to_review").exists()


def test_channel_and_campaign_steps_come_in_order_and_identical_ones_once(team, channel):
    campaign = Campaign.objects.create(name="Nachtschicht")
    by = Acting(user=team["admin"])
    marketing = Department.objects.get(name="Marketing")
    review_services.step_add(by=by, campaign=campaign, department=marketing)
    review_services.step_add(by=by, campaign=campaign, people=[team["admin"]])
    _steps(team, channel)
    post = _post(team, channel, campaign=campaign)
    assert [approvals.describe(one.step) for one in approvals.needed(post)] == [
        "Marketing", "Legal", "Ada Admin",
    ]  # fmt: skip


def test_the_review_page_shows_who_approved_and_who_is_awaited(team, channel, client):
    _steps(team, channel)
    post = _post(team, channel)
    _approve(team["marta"], post)
    client.force_login(team["lena"])
    page = client.get(reverse("publishing:post_review", args=[post.pk])).content.decode()
    assert "Marta Marketing" in page and "Leo Legal" in page
    assert reverse("publishing:post_approve", args=[post.pk]) in page
    response = client.post(reverse("publishing:post_approve", args=[post.pk]), {"comment": "ok"})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).status == PostStatus.SCHEDULED


def test_the_page_refuses_an_outsider_in_words(team, channel, client):
    _steps(team, channel)
    post = _post(team, channel)
    client.force_login(team["lena"])
    response = client.post(
        reverse("publishing:post_approve", args=[post.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "waits for Marketing" in response.content.decode()
    assert not Approval.objects.exists()


def test_managers_add_reorder_and_remove_steps_on_the_settings_page(team, channel, client):
    client.force_login(team["manager"])
    url = reverse("publishing:approval_steps")
    marketing = Department.objects.get(name="Marketing")
    legal = Department.objects.get(name="Legal")
    client.post(url, {"channel": channel.pk, "department": marketing.pk, "mode": "any"})
    client.post(
        url, {"channel": channel.pk, "people": [team["lena"].pk, team["admin"].pk], "mode": "all",
              "authors_may_approve": "on"},
    )  # fmt: skip
    client.post(url, {"channel": channel.pk, "department": legal.pk, "mode": "any"})
    steps = list(ApprovalStep.objects.filter(channel=channel).order_by("position"))
    assert [approvals.describe(s) for s in steps] == ["Marketing", "Ada Admin, Lena Legal", "Legal"]
    assert (steps[1].mode, steps[1].authors_may_approve) == ("all", True)
    client.post(url, {"step": steps[2].pk, "action": "up"})
    client.post(url, {"step": steps[1].pk, "action": "remove"})
    after = ApprovalStep.objects.filter(channel=channel).order_by("position")
    assert [approvals.describe(s) for s in after] == ["Marketing", "Legal"]
    page = client.get(url).content.decode()
    assert "bahn@mock.local" in page and "Legal" in page
    # a step needs someone: nothing is saved, and the page says why
    answer = client.post(url, {"channel": channel.pk, "mode": "any"}, follow=True)
    assert "Choose a department or at least one person" in answer.content.decode()
    assert ApprovalStep.objects.count() == 2


def test_only_managers_and_admins_open_the_steps_page(team, client):
    for role, status in (("member", 403), ("agent", 403), ("admin", 200)):
        client.force_login(team[role])
        assert client.get(reverse("publishing:approval_steps")).status_code == status


@pytest.mark.parametrize(
    "data",
    [
        {"department": "9" * 30, "mode": "any"},
        {"people": ["9" * 30], "mode": "any"},
        {"people": ["x\x00"], "mode": "all"},
        {"department": "1", "mode": "\x00" * 5000},
        {"step": "9" * 30, "action": "remove"},
        {"step": "-1", "action": "up"},
    ],
)
def test_hostile_step_settings_save_nothing_and_say_why(team, channel, client, data):
    client.force_login(team["manager"])
    url = reverse("publishing:approval_steps")
    response = client.post(url, {"channel": str(channel.pk), **data}, follow=True)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    assert not ApprovalStep.objects.exists()
