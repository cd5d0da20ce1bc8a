"""Sites (Standorte): managed in the settings, set on people and departments, never lost."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from socialdesk.accounts import site_services
from socialdesk.accounts import tokens as api_tokens
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent, Department, Role, User
from socialdesk.accounts.site_models import Site


def _site(people, name: str = "Berlin", time_zone: str = "") -> Site:
    return site_services.site_create(
        by=Acting(user=people["manager"]), name=name, time_zone=time_zone
    )


def test_it_creates_a_site_on_the_settings_page_and_audits_it(client_as, people):
    client = client_as("manager")
    response = client.post(
        reverse("accounts:site_new"), {"name": "  Hamburg  ", "time_zone": "Europe/Berlin"}
    )
    assert response["Location"] == reverse("accounts:sites")
    site = Site.objects.get()
    assert (site.name, site.time_zone) == ("Hamburg", "Europe/Berlin")
    assert AuditEvent.objects.get(action="site.created").after == {
        "name": "Hamburg",
        "time_zone": "Europe/Berlin",
    }
    people["manager"].language = "de"
    people["manager"].save()
    page = client.get(reverse("accounts:sites")).content.decode()
    assert "Standorte" in page and "Hamburg" in page and "Neuer Standort" in page
    assert reverse("accounts:sites") in client.get(reverse("shell:settings")).content.decode()


def test_it_keeps_sites_to_managers(client_as, people):
    assert client_as("agent").get(reverse("accounts:sites")).status_code == 403
    assert client_as("member").post(reverse("accounts:site_new"), {"name": "X"}).status_code == 403
    assert (
        reverse("accounts:sites")
        not in client_as("agent").get(reverse("shell:settings")).content.decode()
    )
    assert not Site.objects.exists()


def test_it_stores_a_name_without_nul_bytes_or_control_characters(people):
    site = _site(people, name="Ber\x00lin\u200b \t Mitte\x07")
    site.refresh_from_db()
    assert site.name == "Berlin Mitte"


def test_it_refuses_a_name_of_nul_bytes_only_and_an_over_long_name(people):
    with pytest.raises(ValidationError) as empty:
        _site(people, name="\x00\x00 ")
    assert empty.value.message_dict == {"name": ["Enter a name."]}
    with pytest.raises(ValidationError) as long:
        _site(people, name="B" * 101)
    assert long.value.message_dict == {
        "name": ["A name has at most 100 characters (this one has 101)."]
    }
    assert _site(people, name="B" * 100).name == "B" * 100
    assert Site.objects.count() == 1


def test_it_refuses_hostile_values_on_the_page_beside_the_field(client_as):
    client = client_as("admin")
    nul = client.post(reverse("accounts:site_new"), {"name": "Ber\x00lin"})
    long = client.post(reverse("accounts:site_new"), {"name": "B" * 5000}).content.decode()
    zone = client.post(
        reverse("accounts:site_new"), {"name": "Köln", "time_zone": "Mars/Olympus"}
    ).content.decode()
    assert nul.status_code == 302  # the NUL middleware took the byte out before the form
    assert "Ensure this value has at most 100 characters (it has 5000)." in long
    assert "Select a valid choice." in zone
    assert list(Site.objects.values_list("name", flat=True)) == ["Berlin"]


def test_it_refuses_a_second_site_of_the_same_name_and_an_unknown_time_zone(people):
    berlin = _site(people)
    with pytest.raises(ValidationError, match=r"A site with this name exists already\."):
        _site(people, name="BERLIN")
    with pytest.raises(ValidationError, match=r"Choose one of the listed time zones\."):
        _site(people, name="Köln", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match=r"A site with this name exists already\."):
        site_services.site_update(
            by=Acting(user=people["admin"]), site=_site(people, name="Köln"), name=" berlin "
        )
    assert sorted(Site.objects.values_list("name", flat=True)) == [berlin.name, "Köln"]


def test_it_renames_a_site_with_before_and_after(client_as, people):
    site = _site(people)
    client_as("manager").post(
        reverse("accounts:site_edit", args=[site.pk]),
        {"name": "Berlin-Mitte", "time_zone": "Europe/Berlin"},
    )
    site.refresh_from_db()
    assert site.name == "Berlin-Mitte"
    event = AuditEvent.objects.get(action="site.updated")
    assert (event.before["name"], event.after["name"]) == ("Berlin", "Berlin-Mitte")


def test_it_refuses_to_delete_a_site_people_still_work_at(client_as, people):
    site = _site(people)
    for role in ("agent", "member", "viewer"):
        site_services.user_set_site(by=Acting(user=people["admin"]), user=people[role], site=site)
    people["admin"].language = "de"
    people["admin"].save()
    client = client_as("admin")
    response = client.post(reverse("accounts:site_delete", args=[site.pk]), follow=True)
    assert "Dieser Standort ist noch 3 Personen zugeordnet." in response.content.decode()
    assert Site.objects.filter(pk=site.pk).exists()
    with pytest.raises(ProtectedError):  # the database keeps the rule too
        Site.objects.filter(pk=site.pk).delete()
    for role in ("agent", "member", "viewer"):
        site_services.user_set_site(by=Acting(user=people["admin"]), user=people[role], site=None)
    client.post(reverse("accounts:site_delete", args=[site.pk]))
    assert not Site.objects.exists()
    assert AuditEvent.objects.get(action="site.deleted").before["name"] == "Berlin"


def test_it_refuses_to_delete_a_site_a_department_works_at(people, departments):
    site = _site(people)
    site_services.department_set_site(
        by=Acting(user=people["admin"]), department=departments["Legal"], site=site
    )
    with pytest.raises(ValidationError, match="still assigned to 1 department"):
        site_services.site_delete(by=Acting(user=people["admin"]), site=site)
    assert Site.objects.filter(pk=site.pk).exists()


def test_it_sets_a_persons_site_on_the_person_form_and_filters_by_it(client_as, people):
    hamburg = _site(people, name="Hamburg")
    agent = people["agent"]
    client = client_as("admin")
    client.post(
        reverse("accounts:person_edit", args=[agent.pk]),
        {"role": Role.AGENT, "departments": [], "site": hamburg.pk},
    )
    agent.refresh_from_db()
    assert agent.site == hamburg
    event = AuditEvent.objects.get(action="person.site_changed")
    assert (event.before, event.after) == ({"site": None}, {"site": "Hamburg"})
    assert (
        "Hamburg" in client.get(reverse("accounts:person_detail", args=[agent.pk])).content.decode()
    )
    page = client.get(reverse("accounts:people"), {"site": hamburg.pk}).content.decode()
    assert agent.email in page and people["manager"].email not in page
    assert (
        people["manager"].email
        in client.get(reverse("accounts:people"), {"site": "'; DROP TABLE x;--"}).content.decode()
    )  # a site that is not a number filters nothing


def test_it_sets_a_departments_site_on_the_department_form(client_as, people):
    kassel = _site(people, name="Kassel")
    client_as("manager").post(
        reverse("accounts:department_create"), {"name": "Lager", "site": kassel.pk}
    )
    assert Department.objects.get(name="Lager").site == kassel
    legal = Department.objects.get(name="Legal")
    client_as("manager").post(
        reverse("accounts:department_edit", args=[legal.pk]), {"name": "Legal", "site": ""}
    )
    legal.refresh_from_db()
    assert legal.site is None


def test_it_shows_a_persons_site_in_the_api(people):
    site = _site(people, name="Leipzig")
    site_services.user_set_site(by=Acting(user=people["admin"]), user=people["agent"], site=site)
    _token, key = api_tokens.api_token_create(
        by=Acting(user=people["admin"]), user=people["admin"], name="test"
    )
    client = Client(headers={"Authorization": f"Bearer {key}"})
    person = client.get(f"/api/v1/people/{people['agent'].pk}").json()
    assert person["site"] == {"id": site.pk, "name": "Leipzig"}
    assert client.get(f"/api/v1/people/{people['viewer'].pk}").json()["site"] is None


@pytest.mark.django_db(transaction=True)
def test_it_adds_sites_without_touching_people_or_departments():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_add_organisation_greeting")])
    old = executor.loader.project_state([("accounts", "0005_add_organisation_greeting")]).apps
    old_user = old.get_model("accounts", "User")
    old_user.objects.create(email="anna@example.com", full_name="Anna", role="agent")
    old.get_model("accounts", "Department").objects.create(name="Presse")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    anna = User.objects.get(email="anna@example.com")
    assert anna.site is None and Department.objects.get(name="Presse").site is None
    assert Site.objects.count() == 0
