"""The form fields for ids, numbers and flags read posted values as core.params does."""

from __future__ import annotations

from django import forms

from socialdesk.accounts.models import Department
from socialdesk.core.forms import FlagField, IdField, ObjectField, WholeNumberField, form_error_text


class _Posted(forms.Form):
    item = IdField()
    department = ObjectField(Department.objects.all())
    priority = WholeNumberField(default=100)
    typing = FlagField(on="1")


class _Required(forms.Form):
    department = ObjectField(
        Department.objects.all(), required=True, error_messages={"required": "Choose one."}
    )


def test_it_reads_a_value_that_names_nothing_as_none_not_as_an_error(db):
    form = _Posted({"item": "²", "department": "9" * 23, "priority": "-5", "typing": "yes"})
    assert form.is_valid()
    assert form.cleaned_data == {"item": None, "department": None, "priority": 100, "typing": False}


def test_it_reads_ids_numbers_and_flags(db):
    product = Department.objects.create(name="Product")
    form = _Posted({"item": " 42 ", "department": str(product.pk), "priority": "5", "typing": "1"})
    assert form.is_valid()
    assert form.cleaned_data == {"item": 42, "department": product, "priority": 5, "typing": True}


def test_it_names_a_missing_required_object_in_one_sentence(db):
    form = _Required({"department": "0"})
    assert not form.is_valid()
    assert form_error_text(form) == "Choose one."
