"""Roles, memberships and deactivation of people."""

from __future__ import annotations

from conftest import PASSWORD
from django.test import Client
from django.urls import reverse

from socialdesk.accounts.models import AuditEvent, Role, User


def test_it_changes_role_and_departments_and_audits_both(client_as, people, departments):
    agent = people["agent"]
    response = client_as("admin").post(
        reverse("accounts:person_edit", args=[agent.pk]),
        {
            "role": Role.MANAGER,
            "departments": [departments["Legal"].pk, departments["Product Development"].pk],
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.role == Role.MANAGER
    assert sorted(agent.departments.values_list("name", flat=True)) == [
        "Legal",
        "Product Development",
    ]
    role_event = AuditEvent.objects.get(action="person.role_changed")
    assert (role_event.before, role_event.after) == ({"role": "agent"}, {"role": "manager"})
    assert role_event.actor == people["admin"]
    assert role_event.ip == "127.0.0.1"
    membership_event = AuditEvent.objects.get(action="person.departments_changed")
    assert membership_event.before == {"departments": ["Customer Service"]}
    assert membership_event.after == {"departments": ["Legal", "Product Development"]}


def test_it_lets_a_person_belong_to_several_departments(client_as, people, departments):
    page = client_as("viewer").get(
        reverse("accounts:people") + "?department=" + str(departments["Customer Service"].pk)
    )
    names = page.content.decode()
    assert "Max Manager" in names and "Alex Agent" in names and "Mia Member" not in names


def test_it_keeps_the_last_admin(client_as, people):
    admin = people["admin"]
    response = client_as("admin").post(
        reverse("accounts:person_edit", args=[admin.pk]), {"role": Role.AGENT}
    )
    assert response.status_code == 200
    assert "last admin" in response.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_it_ends_the_sessions_of_a_deactivated_person_at_once(client_as, people):
    agent_client = client_as("agent")
    assert agent_client.get(reverse("shell:home")).status_code == 200
    client_as("admin").post(reverse("accounts:person_deactivate", args=[people["agent"].pk]))

    response = agent_client.get(reverse("shell:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    event = AuditEvent.objects.get(action="person.deactivated")
    assert event.after["sessions_ended"] == 1


def test_it_refuses_sign_in_to_a_deactivated_person(client_as, people):
    client_as("admin").post(reverse("accounts:person_deactivate", args=[people["agent"].pk]))
    response = Client().post(
        reverse("accounts:login"), {"username": people["agent"].email, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in Client().session


def test_it_lets_an_admin_reactivate(client_as, people):
    admin = client_as("admin")
    admin.post(reverse("accounts:person_deactivate", args=[people["agent"].pk]))
    admin.post(reverse("accounts:person_reactivate", args=[people["agent"].pk]))
    assert User.objects.get(pk=people["agent"].pk).is_active
    response = Client().post(
        reverse("accounts:login"), {"username": people["agent"].email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_it_does_not_let_an_admin_deactivate_themselves(client_as, people):
    response = client_as("admin").post(
        reverse("accounts:person_deactivate", args=[people["admin"].pk]), follow=True
    )
    assert "cannot deactivate yourself" in response.content.decode()
    assert User.objects.get(pk=people["admin"].pk).is_active


def test_it_filters_people_with_htmx_returning_only_the_rows(client_as):
    response = client_as("agent").get(
        reverse("accounts:people") + "?q=mia", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert 'id="people-rows"' in html
    assert "<header" not in html
    assert "Mia Member" in html and "Max Manager" not in html


def test_it_answers_404_for_an_unknown_person(client_as):
    assert (
        client_as("admin").get(reverse("accounts:person_detail", args=[99999])).status_code == 404
    )


def test_it_uses_the_same_number_of_queries_for_a_long_people_list(
    client_as, departments, django_assert_max_num_queries
):
    client = client_as("viewer")
    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:people"))
    for i in range(40):
        user = User.objects.create_user(f"p{i}@example.com", "x", full_name=f"Person {i}")
        user.departments.set(departments.values())
    with django_assert_max_num_queries(12):
        client.get(reverse("accounts:people"))
