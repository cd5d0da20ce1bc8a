"""Creating, editing and deleting departments."""

from __future__ import annotations

from django.urls import reverse

from socialdesk.accounts.models import AuditEvent, Department


def test_it_creates_a_department_and_audits_it(client_as):
    response = client_as("manager").post(
        reverse("accounts:department_create"),
        {"name": "PR", "description": "Press and crisis communication"},
    )
    department = Department.objects.get(name="PR")
    assert response["Location"] == reverse("accounts:department_detail", args=[department.pk])
    event = AuditEvent.objects.get(action="department.created")
    assert event.after["name"] == "PR"


def test_it_rejects_a_duplicate_name_beside_the_field(client_as, departments):
    response = client_as("admin").post(reverse("accounts:department_create"), {"name": "legal"})
    assert response.status_code == 200
    assert "A department with this name exists already." in response.content.decode()
    assert Department.objects.filter(name__iexact="legal").count() == 1


def test_it_rejects_an_empty_name(client_as):
    response = client_as("admin").post(reverse("accounts:department_create"), {"name": "  "})
    assert "This field is required." in response.content.decode()
    assert sorted(Department.objects.values_list("name", flat=True)) == [
        "Customer Service",
        "Legal",
        "Product Development",
    ]


def test_it_renames_a_department_with_before_and_after(client_as, departments):
    legal = departments["Legal"]
    client_as("admin").post(
        reverse("accounts:department_edit", args=[legal.pk]), {"name": "Legal & Compliance"}
    )
    legal.refresh_from_db()
    assert legal.name == "Legal & Compliance"
    event = AuditEvent.objects.get(action="department.updated")
    assert event.changes() == [("name", "Legal", "Legal & Compliance")]


def test_it_deletes_a_department_but_keeps_its_people(client_as, people, departments):
    service = departments["Customer Service"]
    client_as("admin").post(reverse("accounts:department_delete", args=[service.pk]))
    assert not Department.objects.filter(pk=service.pk).exists()
    people["agent"].refresh_from_db()
    assert people["agent"].is_active
    assert AuditEvent.objects.get(action="department.deleted").before["members"] == [
        "alex@example.com",
        "max@example.com",
    ]


def test_it_shows_an_empty_state_that_says_what_to_do(client_as, db):
    Department.objects.all().delete()
    page = client_as("manager").get(reverse("accounts:department_list")).content.decode()
    assert "No departments yet." in page
    assert reverse("accounts:department_create") in page
    viewer_page = client_as("viewer").get(reverse("accounts:department_list")).content.decode()
    assert reverse("accounts:department_create") not in viewer_page


def test_it_audits_an_issue_tracker_address_without_its_secrets(db):
    """Found in review: the audit log kept the tracker's webhook address with token and password."""
    from socialdesk.accounts import services
    from socialdesk.accounts.audit import Acting

    by = Acting(user=None, label="test")
    department = services.department_create(by=by, name="Produkt")
    services.department_update(
        by=by,
        department=department,
        name="Produkt",
        issue_tracker_url="https://bot:PwHook1@tracker.example/hook?token=HookSecret99",
    )
    stored = [str(values) for values in AuditEvent.objects.values_list("before", "after")]
    assert any("tracker.example/hook" in text for text in stored)
    assert [text for text in stored if "PwHook1" in text or "HookSecret99" in text] == []
