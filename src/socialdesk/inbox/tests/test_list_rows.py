"""The inbox list's rows are made in Python (`inbox.list_rows`); a reader sees exactly what
the template's filters made before: the same names, labels, dates in their language and time
zone, preview and address."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from socialdesk.accounts.models import Department
from socialdesk.channels.models import ChannelAccount
from socialdesk.inbox.models import Contact, Conversation, SlaState, Status

# The row as the template made it before the rows were made in Python (filters, `url`, a
# translated label per row): the reference the list must still equal.
BEFORE = engines["django"].from_string(
    """{% load i18n shell %}{% for c in conversations %}
  <li class="conversation-row{% if c.needs_reply and not c.first_response_at %} unanswered{% endif %}" data-id="{{ c.pk }}">
    <input type="checkbox" class="pick" name="ids" value="{{ c.pk }}" form="bulk-form" aria-label="{% blocktranslate with who=c.contact|default:_('Unknown') %}Select the conversation with {{ who }}{% endblocktranslate %}">
    <a href="{% url 'inbox:conversation' c.pk %}">
      <span class="who">{{ c.contact|default:_("Unknown") }}</span>
      <span class="muted">→ {{ c.channel_account }}</span>
      {% if c.needs_reply and not c.first_response_at %}<span class="badge warn">{% translate "needs reply" %}</span>{% endif %}
      {% if c.sla_state %}<span class="badge sla-{{ c.sla_state }}">{{ c.get_sla_state_display }}{% if c.sla_due_at %} · {{ c.sla_due_at|date:"SHORT_DATETIME_FORMAT" }}{% endif %}</span>{% endif %}
      {% if c.assignee %}<span class="badge">{{ c.assignee.get_short_name }}</span>{% endif %}
      {% if c.department %}<span class="badge">{{ c.department.name }}</span>{% endif %}
      <span class="preview">{{ c.preview|translate_marks|truncatechars:160 }}</span>
      <time class="muted" datetime="{{ c.last_message_at|date:'c' }}">{{ c.last_message_at|date:"SHORT_DATETIME_FORMAT" }}</time>
    </a>
  </li>{% endfor %}"""
)
ROW = re.compile(r'<li class="conversation-row.*?</li>', re.S)


@pytest.fixture
def listed(people):
    account = ChannelAccount.objects.create(network="mastodon", handle="nordlicht", name="Nord")
    anna = Contact.objects.create(display_name="Anna <Ärger> & Co")
    legal = Department.objects.create(name="Recht & Datenschutz")
    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 in Berlin, before summer time
    Conversation.objects.create(  # everything a row can show
        channel_account=account, contact=anna, status=Status.OPEN, needs_reply=True,
        assignee=people["agent"], department=legal, sla_state=SlaState.BREACHED,
        sla_due_at=datetime(2026, 12, 31, 23, 5, tzinfo=UTC), last_message_at=at,
        preview="Wo bleibt [erased]s Paket? " + "Ärger " * 40,
    )  # fmt: skip
    Conversation.objects.create(  # nothing but the account: no contact, never a message
        channel_account=account, status=Status.OPEN, needs_reply=False, preview=""
    )
    return account


def _rows(html: str) -> list[str]:
    return [" ".join(row.split()) for row in ROW.findall(html)]


@pytest.mark.parametrize("language", ["de", "en"])
def test_every_row_reads_as_the_template_made_it(client_as, people, listed, language):
    people["agent"].language = language
    people["agent"].save()
    page = client_as("agent").get(reverse("inbox:list")).content.decode()
    shown = _rows(page)
    with translation.override(language):
        before = _rows(
            BEFORE.render({"conversations": Conversation.objects.order_by("last_message_at")})
        )
    assert len(shown) == 2
    assert sorted(shown) == sorted(before)
    full = next(row for row in shown if "unanswered" in row)
    if language == "de":  # what a German reader sees, in Berlin's time
        assert 'aria-label="Unterhaltung mit Anna &lt;Ärger&gt; &amp; Co auswählen"' in full
        assert "Überschritten · 01.01.2027 00:05" in full
        assert '<time class="muted" datetime="2026-03-29T01:30:00+01:00">29.03.2026 01:30' in full
        assert "Wo bleibt [gelöscht]s Paket?" in full
        assert "Unbekannt" in next(row for row in shown if row is not full)
    else:
        assert "needs reply" in full and "Breached" in full
    preview = re.search(r'<span class="preview">(.*?)</span>', full)
    assert preview is not None and len(preview.group(1)) == 160 and preview.group(1)[-1] == "…"


def test_a_member_without_bulk_actions_gets_rows_without_checkboxes(client_as, people, listed):
    Conversation.objects.update(department=people["member"].departments.first())
    page = client_as("member").get(reverse("inbox:list")).content.decode()
    assert len(_rows(page)) == 2
    assert 'class="pick"' not in page
    agent = client_as("agent").get(reverse("inbox:list")).content.decode()
    assert agent.count('class="pick"') == 2


def test_the_people_selects_mark_the_filter_and_leave_viewers_out_of_bulk_assignment(
    client_as, people, listed
):
    agent, viewer = people["agent"], people["viewer"]
    page = client_as("manager").get(reverse("inbox:list") + f"?assignee={agent.pk}").content
    html = page.decode()
    assert f'<option value="{agent.pk}" selected>{agent.full_name}</option>' in html
    assert html.count(" selected>") >= 1 and f'<option value="{viewer.pk}" selected>' not in html
    bulk = re.search(r'<select id="bulk-assignee".*?</select>', html, re.S)
    assert bulk is not None
    assert f'value="{agent.pk}"' in bulk.group(0) and f'value="{viewer.pk}"' not in bulk.group(0)
    assert f'<option value="{viewer.pk}">{viewer.full_name}</option>' in html  # the filter's
