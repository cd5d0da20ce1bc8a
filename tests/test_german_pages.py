"""Every page, opened in German by every role that may open it, shows no English.

Method
------
1. Data: `socialdesk demo` fills an organisation (departments, people of every role, a few
   days of conversations under two SLA policies, topics, a monitor); on top come feedback
   items in several states (with reply drafts), notes that mention people (notifications),
   saved replies, a spike alert, channels (one with a connector error), audit entries, and
   business hours with a federal state, an invitation. Every person reads German
   (`language="de"`).
2. Pages: every URL name in `access.PAGES`, opened with GET by every role that may open it
   (`anonymous` too for public pages). URL arguments come from `ARGS`; a page that answers
   anything but HTML with 200/400/403/404 (POST-only 405, redirects, CSV, JSON) is skipped;
   a new page with URL arguments fails until `ARGS` says how to open it. The SLA forms are
   also posted empty so their field errors are read too.
3. What is read: the visible text of the page (text nodes outside `<script>`, `<style>`,
   `<textarea>` and the literals in `<code>`, `<kbd>`, `<pre>`: query syntax, keys, raw
   errors) and the attributes a person reads (`title`, `placeholder`, `aria-label`, `alt`,
   button values); time zones are named by their IANA identifiers and `{placeholders}` are
   syntax. Text the fixture wrote itself (customer messages, names, titles, queries, e-mail
   addresses: every string of `fixture_texts`) is cut out first. Also opened: the states in
   `QUERIES` (filters, a message with similar feedback items).
4. What fails:
   - an English word: the words of the English msgids (ours and Django's) that occur in no
     German msgstr (ours or Django's), plus `EXTRA_ENGLISH` (words of Django's own forms
     and of values shown raw: "select", "option", "positive", …), minus `NOT_ENGLISH`;
   - an ISO date (2026-11-16) or ISO week (2026-W48) in running text;
   - a Python value shown raw (`{'0': [[`, `['…']`, `None`, `True`, `False`);
   - English quotes in German text (“… ” opening with “ or closing with ”);
   - a singular count with a plural noun ("1 Nachrichten");
   - a similarity or share written as a fraction ("Ähnlichkeit 0,5");
   - a decimal point where German writes a comma ("üblich: 3.5");
   - a choice shown as its code (`<option>BB</option>` instead of "Brandenburg").
   Each failure names the URL, the role and the English text with a little context.
The self-tests at the end show the detector flags each kind and passes correct German.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from socialdesk.access import PAGES
from socialdesk.accounts import services as accounts_services
from socialdesk.accounts import site_services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Organisation, User
from socialdesk.accounts.site_models import Site
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.feedback import services as feedback_services
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus, ReplyDraft, RoutingRule, Topic
from socialdesk.goals import guideline_services
from socialdesk.inbox import services as inbox_services
from socialdesk.inbox.models import Contact, Conversation, Message, SavedReply
from socialdesk.listening.models import Monitor, SpikeAlert
from socialdesk.publishing import (
    campaign_services,
    idea_services,
    review_notify,
    review_services,
    slot_services,
)
from socialdesk.publishing import services as publishing_services
from socialdesk.publishing.models import (
    ApprovalLink,
    Campaign,
    Idea,
    IdeaComment,
    IdeaPhoto,
    Post,
    PostPart,
)
from socialdesk.sla.models import BusinessHours, SlaPolicy
from tests.german_args import ARGS, QUERIES
from tests.german_text import english_in, english_words


@pytest.fixture
def organisation_in_german(db: None, settings: Any) -> dict[str, Any]:
    """The demo organisation plus a bit of everything, everyone reading German."""
    settings.LANGUAGE_CODE = "de"
    call_command("demo", password="correct horse battery staple", stdout=_Null())
    User.objects.update(language="de")
    by_role = {user.role: user for user in User.objects.order_by("pk")}
    manager = Acting(user=by_role["manager"], ip="127.0.0.1")
    messages = list(Message.objects.filter(direction="in").order_by("pk"))
    items = []
    for number, message in enumerate(messages[:4]):
        item = feedback_services.item_create(
            by=manager, title=f"Wunsch {number}: {message.text[:30]}", message=message
        )
        items.append(item)
    product = Department.objects.get(name="Produktentwicklung")
    feedback_services.item_forward(by=manager, item=items[0], department=product)
    feedback_services.item_set_status(by=manager, item=items[0], status=FeedbackStatus.PLANNED)
    feedback_services.item_set_status(
        by=manager, item=items[1], status=FeedbackStatus.DONE, reason="Update 4.2 ist da"
    )
    feedback_services.item_set_status(
        by=manager, item=items[2], status=FeedbackStatus.WONT_DO, reason="zu teuer"
    )
    conversation = Conversation.objects.order_by("pk").first()
    assert conversation is not None
    inbox_services.conversation_add_note(
        by=manager, conversation=conversation, text="@mehmet.yildiz bitte übernehmen"
    )
    inbox_services.saved_reply_create(
        by=manager, title="Danke", body="Hallo {name}, danke für Ihre Nachricht! {agent}"
    )
    monitor = Monitor.objects.get()
    SpikeAlert.objects.create(monitor=monitor, hour=timezone.now(), count=40, usual=3.5)
    ChannelAccount.objects.create(
        network=Network.RSS,
        handle="blog",
        name="Firmenblog",
        url="https://blog.nordlicht-bahn.example/feed.xml",
        # What the network library raised: the page must say it in German; the raw text may
        # stand behind "details" in <code> or <pre> (not read, like every literal).
        last_error="HTTPSConnectionPool(host='blog.nordlicht-bahn.example'): Read timed out.",
        failures=3,
        last_polled_at=timezone.now() - timedelta(minutes=5),
    )
    BusinessHours.objects.filter(name="Kundenservice").update(german_state="BY")
    _calendar_posts(manager, by_role["admin"])
    admin = Acting(user=by_role["admin"], ip="127.0.0.1")
    accounts_services.user_invite(
        by=admin, email="neu@nordlicht-bahn.example", role="agent", full_name="Paula Neu"
    )
    # story ideas and campaigns (issue 12): a campaign, an idea with a photo and a comment,
    # one declined
    campaign = campaign_services.campaign_create(
        by=manager, name="Sommerfahrplan", colour="#ff8800", goal="Mehr Fahrgäste im Sommer"
    )
    idea = idea_services.idea_submit(
        by=Acting(user=by_role["member"]), title="Azubis bauen einen Lego-Zug",
        what_happened="Zehn Azubis bauten in Kiel einen Zug aus Lego.", department=product,
        campaign=campaign, photos=[idea_services.PhotoUpload(_jpeg(), "Der Lego-Zug")],
    )  # fmt: skip
    idea_services.idea_comment(by=manager, idea=idea, text="Schöne Geschichte!")
    declined = idea_services.idea_submit(by=manager, title="Kantine", what_happened="Essen")
    idea_services.idea_decline(by=manager, idea=declined, reason="Nicht für draußen.")
    composed = _publishing(by_role)
    # guidelines (issue 13 item 2): two versions, the first confirmed
    first = guideline_services.publish(by=manager, title="Leitlinien", text="# Ton\n\n- freundlich")
    guideline_services.confirm(by=Acting(user=by_role["member"]), publication=first)
    guideline_services.publish(by=manager, title="Leitlinien", text="# Ton\n\n- klar")
    # publishing, review: a post approved, then changed (back to review), with a comment and
    # an e-mailed approval link
    channel = ChannelAccount.objects.create(network=Network.MASTODON, handle="bahn@social.example")
    post = publishing_services.post_create(
        by=manager, text="Nachtschicht im Stellwerk", channels=[channel],
        scheduled_at=timezone.now() + timedelta(days=3),
    )  # fmt: skip
    publishing_services.post_submit(by=manager, post=post)
    publishing_services.post_approve(by=admin, post=post, comment="Gut so")
    publishing_services.post_update(by=manager, post=post, text="Die Nachtschicht im Stellwerk")
    review_services.post_comment_add(by=manager, post=post, text="Bitte bis Freitag prüfen")
    _strategy(by_role, manager, campaign)
    hamburg = Site.objects.filter(name="Hamburg").first() or site_services.site_create(
        by=manager, name="Hamburg", time_zone="Europe/Berlin"
    )  # the demo has its project rooms' sites
    site_services.user_set_site(by=manager, user=by_role["agent"], site=hamburg)
    site_services.department_set_site(by=manager, department=product, site=hamburg)
    link = ApprovalLink.objects.filter(post=post).order_by("-pk").first()
    assert link is not None
    return {
        "people": by_role, "items": items, "conversation": conversation, "post": post,
        "approval_token": review_notify.link_token(link), "composed": composed,
        "report_token": _reports(by_role, manager),
    }  # fmt: skip


def _reports(by_role: dict[str, User], manager: Acting) -> str:
    """Reports (issue 13 item 6): a schedule by e-mail and a share link (its token)."""
    from socialdesk.goals import report_services

    report_services.schedule_save(
        by=manager, schedule=None, name="Wochenbericht", frequency="weekly", send_at=time(8),
        attach_pdf=True, attach_xlsx=True,
        recipients=[report_services.Recipient(user=by_role["member"]),
                    report_services.Recipient(email="vorstand@beispiel.de", language="de")],
    )  # fmt: skip
    today = timezone.localdate()
    return report_services.share_create(
        by=manager, since=today - timedelta(days=7), until=today - timedelta(days=1), days=30
    ).token


def _strategy(by_role: dict[str, User], manager: Acting, campaign: Any) -> None:
    """The strategy (issue 13 item 1): objectives written, read by the member, then changed,
    so her page shows the words that changed; an objective; a campaign linked."""
    from socialdesk.goals import strategy_selectors, strategy_services

    strategy_services.section_save(
        by=manager, key="objectives", text="# Ziele\n\n- Alle Fragen in **24 Stunden** beantworten"
    )
    strategy_services.mark_read(user=by_role["member"], sections=strategy_selectors.sections())
    strategy_services.section_save(
        by=manager, key="objectives", text="# Ziele\n\n- Alle Fragen in **12 Stunden** beantworten"
    )
    strategy_services.section_save(
        by=manager, key="campaigns", text="Der Sommer zählt.", campaigns=[campaign]
    )
    objective = strategy_services.objective_add(
        by=manager, title="Schnell antworten", description="Niemand wartet länger als einen Tag."
    )
    from socialdesk.goals import goal_services

    goal_services.goal_create(
        by=manager,
        name="Alle Fragen binnen 24 Stunden",
        kpi="first_response_within",
        params={"within": "24h"},
        target=1.0,
        deadline=timezone.localdate() + timedelta(days=90),
        objective=objective,
    )
    archived = goal_services.goal_create(
        by=manager,
        name="Ideen im Quartal",
        kpi="ideas_submitted",
        target=20,
        deadline=timezone.localdate() + timedelta(days=90),
    )
    goal_services.goal_archive(by=manager, goal=archived)


def _publishing(by_role: dict[str, User]) -> Post:
    """A post for Mastodon and Bluesky: a thread, an own text for Bluesky, an image, a card."""
    from socialdesk.publishing import services as publishing
    from socialdesk.publishing.models import PostMedia

    mastodon = ChannelAccount.objects.create(
        network=Network.MASTODON, handle="nordlicht@social.example", name="Nordlicht Mastodon"
    )
    bluesky = ChannelAccount.objects.create(
        network=Network.BLUESKY, handle="nordlicht.bsky.social", name="Nordlicht Bluesky"
    )
    post = publishing.post_create(
        by=Acting(user=by_role["manager"]), text="Nachtschicht im Stellwerk Altona",
        thread=["Die Weichenheizung läuft"], channels=[mastodon, bluesky],
        variants={bluesky.pk: ["Nachtschicht im Stellwerk 🌙", "Weichenheizung 🔥"]},
        content_warning="Laute Geräusche", link_url="https://nordlicht-bahn.example/stellwerk",
        title="Stellwerk bei Nacht", scheduled_at=timezone.now() + timedelta(days=2),
    )  # fmt: skip
    post.link_card = {"uri": post.link_url, "title": "Das Stellwerk", "description": "Ein Blick",
                      "thumb": "", "thumb_mime": ""}  # fmt: skip
    post.save()
    PostMedia.objects.create(post=post, content=b"x", mime="image/png", alt_text="")
    return post


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (30, 20), (200, 100, 0)).save(out, "JPEG")
    return out.getvalue()


def _calendar_posts(manager: Acting, admin: User) -> None:
    """Posts in the calendar this week (one scheduled, in a campaign) and posting slots."""
    mastodon = ChannelAccount.objects.create(
        network=Network.MASTODON, handle="kalender@social.example"
    )
    campaign = Campaign.objects.create(name="Frühjahrsputz", colour="#16a34a")
    soon = timezone.now() + timedelta(hours=3)
    planned = publishing_services.post_create(
        by=manager, text="Nachtschicht im Stellwerk", title="Stellwerk", channels=[mastodon],
        scheduled_at=soon, campaign=campaign,
    )  # fmt: skip
    publishing_services.post_approve(by=Acting(user=admin), post=planned)
    publishing_services.post_create(
        by=manager, text="Unser Azubi-Tag", title="Azubi-Tag", channels=[mastodon],
        scheduled_at=soon + timedelta(days=1),
    )  # fmt: skip
    slot_services.slots_add_weekdays(by=manager, channel=mastodon, times=[time(9, 30)])


class _Null:
    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def fixture_texts() -> list[str]:
    """Every string the fixture wrote (customer text, names, titles), longest first."""
    texts: set[str] = set()
    for model, fields in [
        (Message, ["text", "author_handle"]),
        (Contact, ["display_name"]),
        (User, ["full_name", "email"]),
        (Department, ["name", "description", "email"]),
        (FeedbackItem, ["title", "description", "reason"]),
        (Topic, ["name", "keywords"]),
        (RoutingRule, ["query"]),
        (Monitor, ["name", "query"]),
        (SlaPolicy, ["name"]),
        (BusinessHours, ["name"]),
        (ChannelAccount, ["name", "handle", "url"]),
        (SavedReply, ["title", "body"]),
        (Organisation, ["name"]),
        (ReplyDraft, ["text"]),
        (Post, ["title", "text", "content_warning", "link_url"]),
        (PostPart, ["text"]),
        (Idea, ["title", "what_happened", "decline_reason"]),
        (IdeaComment, ["text"]),
        (IdeaPhoto, ["alt_text"]),
        (Campaign, ["name", "goal"]),
    ]:
        names = [f.name for f in model._meta.get_fields()]
        for row in model._default_manager.values(*[f for f in fields if f in names]):
            texts |= {" ".join(str(v).split()) for v in row.values() if v}
    texts |= {part for text in list(texts) for part in text.split() if part.startswith("@")}
    return sorted(texts, key=len, reverse=True)


# URL arguments of the pages that take some: name -> function of the fixture giving kwargs.
POSTED_EMPTY = {"sla:hours_create", "sla:policy_create"}
# Not pages: machine endpoints answering JSON or a redirect.
NOT_PAGES = {
    "shell:healthz",
    "shell:metrics",  # plain text for Prometheus (404 while METRICS_TOKEN is unset)
    "shell:set_language",
    "api:openapi-json",
    "accounts:logout",
}


def _url(name: str, data: dict[str, Any]) -> str:
    make = ARGS.get(name)
    try:
        return reverse(name, kwargs=make(data) if make else None)
    except NoReverseMatch:
        pytest.fail(f"{name} takes URL arguments: tell ARGS in {__file__} how to open it")


def _client(person: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="de")
    if person is not None:
        client.force_login(person)
    return client


@pytest.mark.slow
def test_it_shows_every_page_in_german_to_every_role(organisation_in_german):
    data = organisation_in_german
    vocabulary = english_words()
    fixture = fixture_texts()
    people = {role: _client(person) for role, person in data["people"].items()}
    people["anonymous"] = _client(None)
    problems: dict[tuple[str, str], list[str]] = {}
    opened = 0
    for name, roles in sorted(PAGES.items()):
        if name in NOT_PAGES:
            continue
        url = _url(name, data)
        queries = QUERIES[name](data) if name in QUERIES else []
        for role in sorted(roles):
            responses = [people[role].get(url + query) for query in ["", *queries]]
            if name in POSTED_EMPTY:
                responses.append(people[role].post(url, {}))
            for response in responses:
                if (
                    response.status_code not in (200, 400, 403, 404)
                    or "text/html" not in (response["Content-Type"])
                ):
                    continue
                opened += 1
                html = response.content.decode()
                for english in english_in(html, fixture=fixture, vocabulary=vocabulary):
                    seen = problems.setdefault((f"{url} ({name})", english), [])
                    if role not in seen:
                        seen.append(role)
    assert opened > 100
    report = [
        f"{page} as {', '.join(roles)}: {english}" for (page, english), roles in problems.items()
    ]
    assert report == [], f"{len(report)} English strings:\n" + "\n".join(report)


# --------------------------------------------------------------------------- the detector


@pytest.mark.parametrize(
    "html",
    [
        "<label>Business hours:</label>",
        "<select><option>- Select an option -</option></select>",
        "<h1>Listening</h1>",
        "<td>positive</td>",
        "<td>feedback.status_changed</td>",
        "<td>{'0': [['08:00', '18:00']]}</td>",
        "<time>2026-11-16</time>",
        "<span>2026-W48</span>",
        "<p>1 Nachrichten</p>",
        "<p>Ähnlichkeit 0,5</p>",
        "<p>40 in einer Stunde (üblich: 3.5)</p>",
        "<p>Sie hatten uns auf “Rechnung” hingewiesen</p>",
        '<button title="Mark as read">x</button>',
        '<select><option value="BB">BB</option></select>',
    ],
)
def test_it_flags_english_and_raw_values(db, html):
    assert english_in(html, fixture=[], vocabulary=english_words()) != []


def test_it_passes_correct_german_and_what_customers_wrote(db):
    html = (
        "<h1>Beobachtung</h1><p>1 Nachricht, 2 Nachrichten, KW 48, 16.11.2026, "
        "Ähnlichkeit 50 %, Mo–Fr 08:00–18:00, „Rechnung“, Brandenburg</p>"
        "<blockquote>Why does the app crash every time I open my ticket?</blockquote>"
        "<textarea>Mo-Fr 09:00-17:00\n2026-12-24</textarea><script>var x = 'the';</script>"
    )
    fixture = ["Why does the app crash every time I open my ticket?"]
    assert english_in(html, fixture=fixture, vocabulary=english_words()) == []
