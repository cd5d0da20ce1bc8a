"""A date field shows the browser its value as YYYY-MM-DD whatever the page's language: in a
German page a value "01.10.2026" is not a date to `<input type="date">`, which then shows an
empty field and refuses to submit it."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django import forms
from django.utils import translation

from socialdesk.accounts.forms import AuditFilterForm
from socialdesk.goals.dashboard_period import PeriodForm as DashboardPeriod
from socialdesk.goals.report_forms import PeriodForm as ReportPeriod
from socialdesk.goals.report_forms import ShareForm

FORMS: list[type[forms.Form]] = [AuditFilterForm, DashboardPeriod, ReportPeriod, ShareForm]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__module__ + "." + f.__name__)
@pytest.mark.parametrize("language", ["de", "en"])
def test_a_date_field_gives_the_browser_an_iso_date(
    form_class: type[forms.Form], language: str
) -> None:
    day = date(2026, 10, 1)
    fields = [n for n, f in form_class.base_fields.items() if isinstance(f, forms.DateField)]
    assert fields, form_class
    with translation.override(language):
        html = str(form_class(initial=dict.fromkeys(fields, day)))
    values = re.findall(r'type="date"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*type="date"', html)
    shown = {a or b for a, b in values}
    assert shown == {"2026-10-01"}, html
