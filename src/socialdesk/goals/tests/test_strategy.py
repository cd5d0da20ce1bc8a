"""The strategy: versions only on change, word diffs, "since you last read it" per person,
safe Markdown, who may write, hostile values."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import AuditEvent
from socialdesk.goals import strategy_selectors as selectors
from socialdesk.goals import strategy_services as services
from socialdesk.goals.strategy_models import Objective, StrategyRead, StrategyVersion
from socialdesk.goals.strategy_render import render_markdown, word_diff
from socialdesk.publishing import campaign_services


def by(person) -> Acting:
    return Acting(user=person)


def test_it_writes_a_version_only_when_the_text_changed(people):
    manager = by(people["manager"])
    services.section_save(by=manager, key="objectives", text="Wir antworten schnell.")
    services.section_save(by=manager, key="objectives", text="Wir antworten schnell.\r\n")
    services.section_save(by=manager, key="objectives", text="Wir antworten sehr schnell.")
    services.section_save(by=manager, key="audiences", text="")  # empty: allowed, no version
    versions = StrategyVersion.objects.order_by("number")
    assert [(v.section.key, v.number, v.text, v.author) for v in versions] == [
        ("objectives", 1, "Wir antworten schnell.", people["manager"]),
        ("objectives", 2, "Wir antworten sehr schnell.", people["manager"]),
    ]
    assert AuditEvent.objects.filter(action="strategy.section_saved").count() == 2


def test_it_keeps_an_emptied_section_as_a_version(people):
    manager = by(people["manager"])
    services.section_save(by=manager, key="tone", text="Du statt Sie.")
    services.section_save(by=manager, key="tone", text="")
    assert list(StrategyVersion.objects.values_list("text", flat=True).order_by("number")) == [
        "Du statt Sie.",
        "",
    ]


def test_it_shows_the_words_that_changed():
    parts = word_diff("Wir antworten schnell.", "Wir antworten sehr schnell!")
    assert [p for p in parts if p["kind"] != "same"] == [
        {"kind": "added", "text": "sehr "},
        {"kind": "removed", "text": "."},
        {"kind": "added", "text": "!"},
    ]


def test_it_marks_changes_since_each_person_last_read(people, client_as):
    manager = by(people["manager"])
    services.section_save(by=manager, key="objectives", text="Alle Fragen in 24 Stunden.")
    member, agent = client_as("member"), client_as("agent")
    first = member.get(reverse("goals:strategy")).content.decode()
    assert "New since you last read the strategy." in first
    again = member.get(reverse("goals:strategy")).content.decode()
    assert "New since you last read" not in again and "Changed since you" not in again
    services.section_save(by=manager, key="objectives", text="Alle Fragen in 12 Stunden.")
    changed = member.get(reverse("goals:strategy")).content.decode()
    assert "Changed since you last read it." in changed
    assert '<del title="removed">24</del><ins title="added">12</ins>' in changed
    # the agent never opened it: everything is new to them, no diff against nothing
    agent_view = agent.get(reverse("goals:strategy")).content.decode()
    assert "New since you last read the strategy." in agent_view and "<del" not in agent_view
    reads = dict(
        StrategyRead.objects.filter(section__key="objectives").values_list("user__role", "number")
    )
    assert reads["member"] == 2 and reads["agent"] == 2 and "viewer" not in reads


def test_it_escapes_the_diff(people, client_as):
    manager = by(people["manager"])
    services.section_save(by=manager, key="crisis", text="Ruhig bleiben.")
    client = client_as("viewer")
    client.get(reverse("goals:strategy"))
    services.section_save(by=manager, key="crisis", text="Ruhig <b onmouseover=x>bleiben</b>.")
    html = client.get(reverse("goals:strategy")).content.decode()
    assert "<b onmouseover" not in html and "&lt;b onmouseover=x&gt;" in html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hallo <script>alert(1)</script>",
        "[klick](javascript:alert(1))",
        "[klick](JAVASCRIPT:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        '<img src=x onerror="alert(1)">',
        "![bild](x.png)",
        "<iframe src='https://evil.example'></iframe>",
        "<div style='color:red'>roh</div>",
    ],
)
def test_it_never_lets_script_or_raw_html_through(text):
    html = str(render_markdown(text))
    parser = _Tags()
    parser.feed(html)
    allowed = {"p", "a", "em", "strong", "h1", "code", "pre"}
    for tag, attrs in parser.found:
        assert tag in allowed, html
        assert not any(name.startswith("on") for name in attrs), html
        assert "javascript" not in (attrs.get("href") or "").lower(), html
        assert "style" not in attrs


def test_it_renders_headings_lists_tables_and_safe_links():
    html = str(
        render_markdown(
            "# Ziele\n\n- eins\n- *zwei*\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\n"
            "[Leitfaden](https://intranet.example/leitfaden)\n\n> Zitat"
        )
    )
    assert "<h1>Ziele</h1>" in html and "<li><em>zwei</em></li>" in html
    assert "<table>" in html and "<td>1</td>" in html and "<blockquote>" in html
    assert 'rel="noopener noreferrer nofollow"' in html


@pytest.mark.parametrize("role", ["admin", "manager", "agent", "member", "viewer"])
def test_it_lets_everyone_read_and_only_managers_and_admins_write(people, client_as, role):
    client = client_as(role)
    assert client.get(reverse("goals:strategy")).status_code == 200
    assert client.get(reverse("goals:objectives")).status_code == 200
    writes = client.post(reverse("goals:strategy_edit", args=["tone"]), {"text": "Du."})
    may = role in ("admin", "manager")
    assert writes.status_code == (302 if may else 403)
    assert StrategyVersion.objects.filter(text="Du.").exists() == may
    made = client.post(reverse("goals:objective_new"), {"title": "Schnell antworten"})
    assert made.status_code == (302 if may else 403)
    assert Objective.objects.filter(title="Schnell antworten").exists() == may


def test_it_answers_404_for_a_section_that_does_not_exist(client_as):
    assert (
        client_as("manager").get(reverse("goals:strategy_edit", args=["nope"])).status_code == 404
    )


def test_it_refuses_a_megabyte_at_the_field_with_a_clear_message(client_as):
    response = client_as("manager").post(
        reverse("goals:strategy_edit", args=["guidelines"]), {"text": "a" * 1_000_000}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["text"]
    assert errors == ["Shorten this to 100,000 characters (it has 1,000,000)."]
    assert not StrategyVersion.objects.exists()


def test_it_refuses_nul_bytes_and_long_titles(people, client_as):
    manager = by(people["manager"])
    with pytest.raises(ValidationError) as nul:
        services.section_save(by=manager, key="tone", text="a\x00b")
    assert nul.value.message_dict == {"text": ["This text contains a NUL character."]}
    with pytest.raises(ValidationError) as long:
        services.objective_add(by=manager, title="x" * 201)
    assert long.value.message_dict == {"title": ["Shorten the title to 200 characters."]}
    response = client_as("manager").post(
        reverse("goals:objective_new"), {"title": "Ziel\x00", "description": "d"}
    )
    # the shell takes NUL bytes out of every form before any view reads it
    assert list(Objective.objects.values_list("title", flat=True)) == ["Ziel"]
    Objective.objects.all().delete()
    response = client_as("manager").post(reverse("goals:objective_new"), {"title": "y" * 5000})
    assert response.context["form"].errors["title"] == ["Shorten the title to 200 characters."]
    services.section_save(by=manager, key="tone", text="ä" * 100_000)  # the limit itself: kept
    assert StrategyVersion.objects.get().text == "ä" * 100_000


def test_it_adds_moves_changes_and_removes_objectives(people, client_as):
    manager = by(people["manager"])
    one = services.objective_add(by=manager, title="Schnell antworten")
    two = services.objective_add(by=manager, title="Mehr Reichweite", description="Mastodon")
    three = services.objective_add(by=manager, title="Mitarbeitende einbinden")
    client = client_as("manager")
    client.post(reverse("goals:objective_move", args=[three.pk]), {"direction": "up"})
    assert list(selectors.objectives().values_list("title", flat=True)) == [
        "Schnell antworten",
        "Mitarbeitende einbinden",
        "Mehr Reichweite",
    ]
    client.post(reverse("goals:objective_edit", args=[two.pk]), {"title": "Reichweite"})
    client.post(reverse("goals:objective_remove", args=[one.pk]))
    assert list(selectors.objectives().values_list("title", flat=True)) == [
        "Mitarbeitende einbinden",
        "Reichweite",
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"strategy.objective_added", "strategy.objective_moved"} <= actions
    assert {"strategy.objective_changed", "strategy.objective_removed"} <= actions


def test_it_shows_history_with_a_diff_between_any_version_and_the_one_before(people, client_as):
    manager = by(people["manager"])
    for text in ("Eins zwei drei.", "Eins zwei vier.", "Eins fünf vier."):
        services.section_save(by=manager, key="channels", text=text)
    client = client_as("viewer")
    url = reverse("goals:strategy_history", args=["channels"])
    html = client.get(url + "?version=2").content.decode()
    assert '<del title="removed">drei</del><ins title="added">vier</ins>' in html
    latest = client.get(url).content.decode()
    assert '<del title="removed">zwei</del><ins title="added">fünf</ins>' in latest
    assert "There is no such version" in client.get(url + "?version=99").content.decode()
    assert client.get(url + "?version=x").status_code == 200


def test_it_links_campaigns_to_a_section(people, client_as):
    manager = by(people["manager"])
    summer = campaign_services.campaign_create(by=manager, name="Sommerfahrplan")
    client = client_as("manager")
    client.post(
        reverse("goals:strategy_edit", args=["campaigns"]),
        {"text": "Der Sommer zählt.", "campaigns": [summer.pk]},
    )
    html = client_as("member").get(reverse("goals:strategy")).content.decode()
    assert reverse("publishing:campaign", args=[summer.pk]) in html


def test_it_shows_an_outline_while_a_section_is_empty(client_as):
    html = client_as("manager").get(reverse("goals:strategy")).content.decode()
    assert "Nothing written yet. Choose “Edit” and start with this outline:" in html
    assert "Which channel does what?" in html
