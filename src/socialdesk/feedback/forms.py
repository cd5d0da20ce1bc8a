"""The forms of the feedback pages: each POST is read and checked here, not by hand in a view.

Errors reach the person as one flash message (`core.forms.form_error_text`), as before; the
services still check what only they can (a status move, a query, a draft's text).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from socialdesk.accounts.models import Department
from socialdesk.core.forms import IdField, ObjectField, WholeNumberField
from socialdesk.feedback.models import Task, Topic
from socialdesk.feedback.understanding import SENTIMENTS
from socialdesk.insights.query import check_query


def _text(*, strip: bool = False) -> forms.CharField:
    """An optional text, kept as sent unless `strip` (the service decides what it accepts)."""
    return forms.CharField(required=False, strip=strip)


class ItemNewForm(forms.Form):
    """Link a message to an existing item (`item`) or capture a new one (`title`, `topic`)."""

    message = IdField()
    item = IdField()
    title = _text()
    topic = ObjectField(Topic.objects.all())


class ForwardForm(forms.Form):
    department = ObjectField(
        Department.objects.all(),
        required=True,
        error_messages={"required": _("Choose a department.")},
    )


class StatusForm(forms.Form):
    status = _text()
    reason = _text()
    next = _text()  # the board the item was moved on, to go back to


class CorrectForm(forms.Form):
    """A person's correction of one understanding task: the value must be one on offer."""

    task = _text()
    value = _text()
    next = _text()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        valid: dict[str, set[str]] = {
            Task.TOPICS: set(Topic.objects.values_list("name", flat=True)),
            Task.SENTIMENT: set(SENTIMENTS),
            Task.RELEVANCE: {"true", "false"},
        }
        task, value = cleaned.get("task", ""), cleaned.get("value", "")
        if task not in valid or value not in valid[task]:
            raise ValidationError(_("Choose one of the offered values."))
        return cleaned


class DraftForm(forms.Form):
    action = _text()  # "discard" discards the draft; anything else sends it
    text = _text()


class ActForm(forms.Form):
    """The reason a person gives with a one-click digest link."""

    reason = _text()


class TopicForm(forms.Form):
    name = forms.CharField(error_messages={"required": _("Give the topic a name.")})
    keywords = _text()
    department = ObjectField(Department.objects.all())


class RuleForm(forms.Form):
    """Add a routing rule (query → department, checked by priority) or remove one (`remove`)."""

    remove = IdField()
    department = ObjectField(Department.objects.all())
    query = _text(strip=True)
    priority = WholeNumberField(default=100)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove") is None and cleaned.get("department") is None:
            check_query(cleaned.get("query", ""))  # a broken query is named before the department
            raise ValidationError(_("Choose a department."))
        return cleaned
