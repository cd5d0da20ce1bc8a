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

import gettext
import re
import zoneinfo
from collections.abc import Callable, Iterator
from datetime import time, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import django
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from socialdesk.access import PAGES
from socialdesk.accounts import services as accounts_services
from socialdesk.accounts import site_services
from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import Department, Invitation, Organisation, User
from socialdesk.accounts.site_models import Site
from socialdesk.channels.models import ChannelAccount, Network
from socialdesk.feedback import services as feedback_services
from socialdesk.feedback.models import FeedbackItem, FeedbackStatus, ReplyDraft, RoutingRule, Topic
from socialdesk.goals import guideline_services
from socialdesk.goals.guideline_models import Publication
from socialdesk.goals.models import Goal, Objective
from socialdesk.inbox import services as inbox_services
from socialdesk.inbox.job_models import BulkJob, ImportJob
from socialdesk.inbox.models import Contact, Conversation, Message, Notification, SavedReply
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
    PostEvent,
    PostMetric,
    PostPart,
    PostStatus,
    PostTarget,
    TargetState,
)
from socialdesk.sla.models import BusinessHours, SlaPolicy
from tests import issue14

LOCALE = Path(__file__).resolve().parents[1] / "src/socialdesk/locale/de/LC_MESSAGES"
DJANGO_LOCALE = Path(django.__file__).parent / "conf/locale/de/LC_MESSAGES"
CONTRIB_LOCALES = [
    Path(django.__file__).parent / f"contrib/{app}/locale/de/LC_MESSAGES"
    for app in ("auth", "contenttypes", "sessions", "humanize")
]

# Words of English UI text that no catalogue lists as English (Django's newest strings, values
# that reach a page untranslated, words of raw library errors).
EXTRA_ENGLISH = {
    "select", "option", "positive", "negative", "listening", "none", "true",
    "false", "the", "and", "of", "for", "with", "from", "your", "this", "that", "is", "are",
    "was", "not", "only", "read", "public", "addresses", "error", "failed",
    "connection", "refused", "timeout", "timed", "out", "invalid", "unknown", "business",
    "hours", "accounts", "departments", "tags", "changed", "created", "deleted", "status",
    "forwarded", "acknowledged", "planned", "progress", "done", "won", "new", "open",
    "waiting", "resolved", "breached", "met", "settings", "channel", "channels", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week", "weeks",
    "day", "days", "hour", "minutes", "ago", "today", "yesterday",
}  # fmt: skip
# Words spelled alike in both languages, or names of things that are the same in German.
NOT_ENGLISH = {
    "admin", "api", "app", "atom", "bluesky", "csv", "dsgvo", "e", "feed", "feedback",
    "html", "http", "https", "id", "json", "jsonl", "mastodon", "monitor", "ok", "rss",
    "sla", "socialdesk", "tag", "tags", "team", "token", "tokens", "twcs", "twitter", "url",
    "webhook", "webhooks", "x", "board", "boards", "name", "status", "hashtag", "login",
    "link", "links", "e-mail", "mail", "kpi", "in", "an", "so", "was", "die", "am", "um",
    "man", "will", "war", "hat", "also", "bitte", "rest", "format", "details", "tipp",
    "digest", "global", "english", "deutsch", "feeds", "neutral", "ist", "zu", "wo", "alle", "handle", "handles", "ip", "art",
}  # fmt: skip

PLURAL_NOUNS = (
    "Nachrichten", "Unterhaltungen", "Einträge", "Personen", "Antworten", "Erwähnungen",
    "Abteilungen", "Kanäle", "Stunden", "Minuten", "Tage", "Meldungen", "Beiträge", "Fragen",
    "Rückmeldungen", "Kunden", "Kontakte", "Monitore", "Themen", "Regeln", "Entwürfe",
    "Konversationen", "Mitglieder", "Wochen", "Fehler",
)  # fmt: skip
PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ISO date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("ISO week", re.compile(r"\b\d{4}-W\d{1,2}\b")),
    ("Python value", re.compile(r"[{\[]'|'[}\]]|\bNone\b|\bTrue\b|\bFalse\b")),
    ("English quote", re.compile(r"(?<![„\w])“(?=\w)|”")),
    ("singular with plural noun", re.compile(rf"(?<![\d.,]){{1}}\b1 ({'|'.join(PLURAL_NOUNS)})\b")),
    ("decimal point instead of a comma", re.compile(r"(?<![\d.,])\d+\.\d{1,2}(?![\d.])")),
    ("a code where a name belongs", re.compile(r"⟪[A-Z]{2}⟫")),
    ("fraction where a percentage belongs", re.compile(r"Ähnlichkeit:? 0,\d")),
]
TIME_ZONES = zoneinfo.available_timezones()
WORD = re.compile(r"[A-Za-zÄÖÜäöüß]+(?:'[a-z]+)?")


def _catalogue(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)


def _pairs(catalogue: gettext.GNUTranslations) -> Iterator[tuple[str, str]]:
    for key, value in catalogue._catalog.items():  # type: ignore[attr-defined]
        msgid = key[0] if isinstance(key, tuple) else key
        if msgid and "\x04" in msgid:
            msgid = msgid.split("\x04", 1)[1]
        if msgid:
            yield msgid, value


def _words(text: str) -> set[str]:
    text = re.sub(r"%\(\w+\)[sd]|\{\{?\s*\w+\s*\}?\}|%[sd]", " ", text)
    return {word.lower() for word in WORD.findall(text)}


def english_words() -> set[str]:
    """Words of English msgids that no German msgstr uses (ours and Django's catalogues)."""
    english: set[str] = set()
    german: set[str] = set()
    catalogues = [LOCALE / "django.mo", DJANGO_LOCALE / "django.mo"]
    catalogues += [path / "django.mo" for path in CONTRIB_LOCALES if path.exists()]
    for path in catalogues:
        for msgid, msgstr in _pairs(_catalogue(path)):
            english |= _words(msgid)
            german |= _words(msgstr)
    return ((english - german) | EXTRA_ENGLISH) - NOT_ENGLISH


class _Visible(HTMLParser):
    """Collect what a person reads: text nodes and the attributes shown as text."""

    HIDDEN = {"script", "style", "textarea", "template", "code", "kbd", "pre"}
    ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tag = tag
        if tag in self.HIDDEN:
            self.skip += 1
        values = dict(attrs)
        for name in self.ATTRIBUTES:
            if values.get(name):
                self.parts.append(str(values[name]))
        if tag == "input" and values.get("type") in {"submit", "button"} and values.get("value"):
            self.parts.append(str(values["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if self.skip or not text or text.replace(" ", "_") in TIME_ZONES:
            return  # time zones are named by their IANA identifiers, as everywhere
        if self.tag == "option" and re.fullmatch(r"[A-Z]{2}", text):
            text = f"⟪{text}⟫"  # a choice shown as its code (BB for Brandenburg)
        self.parts.append(text)


def visible_texts(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.parts


def english_in(html: str, *, fixture: list[str], vocabulary: set[str]) -> list[str]:
    """Return every English string of the page, each with a little context."""
    found: list[str] = []
    for text in visible_texts(html):
        for written in fixture:
            text = text.replace(written, " ")
        text = re.sub(r"\{\w+\}", " ", text)  # placeholders such as {name} are syntax
        for kind, pattern in PATTERNS:
            for match in pattern.finditer(text):
                found.append(f"{kind}: {_context(text, match.start(), match.end())}")
        for match in WORD.finditer(text):
            if match.group().lower() in vocabulary and not match.group().isupper():
                found.append(f"English word “{match.group()}”: {_context(text, *match.span())}")
    return found


def _context(text: str, start: int, end: int) -> str:
    return "…" + text[max(0, start - 40) : end + 40].strip() + "…"


# --------------------------------------------------------------------------- the organisation


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
def _import_job(data: dict[str, Any]) -> dict[str, Any]:
    """A finished import of a German manager, with a row the reader rejected."""
    job = ImportJob.objects.create(
        created_by=data["people"]["manager"], file_name="verlauf.csv", format="twcs",
        state="done", rows_total=4, rows_read=4, rows_stored=3, rejected=1,
        first_rejections=[["verlauf.csv", 5, "inbound: „vielleicht“ ist kein Wahrheitswert (wahr oder falsch)"]],
    )  # fmt: skip
    return {"pk": job.pk}


def _bulk_job(data: dict[str, Any]) -> dict[str, Any]:
    job = BulkJob.objects.create(
        created_by=data["people"]["agent"], action="resolve", state="done",
        total=3, done=3, changed=3,
    )  # fmt: skip
    return {"pk": job.pk}


def _published_post(data: dict[str, Any]) -> dict[str, Any]:
    """A post out on Mastodon with figures at three ages, a deletion elsewhere in its history."""
    channel, _new = ChannelAccount.objects.get_or_create(
        network=Network.MASTODON, handle="nordlicht@sozial.example",
        defaults={"name": "Nordlicht auf Mastodon"},
    )  # fmt: skip
    manager = data["people"]["manager"]
    post = Post.objects.create(text="Nachtschicht im Stellwerk", author=manager,
                               status=PostStatus.PUBLISHED)  # fmt: skip
    at = timezone.now() - timedelta(days=4)
    target = PostTarget.objects.create(post=post, channel=channel, state=TargetState.PUBLISHED,
                                       published_at=at, remote_id="1")  # fmt: skip
    PostPart.objects.create(target=target, text=post.text, key=f"k{post.pk}", state="sent",
                            remote_id="1", sent_at=at)  # fmt: skip
    for age, hours, likes in (("1h", 1, 12), ("24h", 24, 1234), ("72h", 72, 2345)):
        PostMetric.objects.create(target=target, age=age, taken_at=at + timedelta(hours=hours),
                                  likes=likes, reposts=likes // 10, replies=3, quotes=0)  # fmt: skip
    PostEvent.objects.create(post=post, actor=manager, kind="deleted_published",
                             data={"channel": "Nordlicht auf Mastodon"})  # fmt: skip
    PostEvent.objects.create(post=post, kind="metrics_set_aside",
                             data={"channel": "Nordlicht auf Mastodon", "values": {}})  # fmt: skip
    return {"pk": post.pk}


def _delivery(data: dict[str, Any]) -> dict[str, Any]:
    """A post published on one channel (a thread of two) and refused by another."""
    from socialdesk.publishing.models import PartState, Post, PostPart, PostTarget

    known = Post.objects.filter(text="Nachtschicht im Stellwerk, ausgeliefert").first()
    if known is not None:
        return {"pk": known.pk}
    post = Post.objects.create(
        text="Nachtschicht im Stellwerk, ausgeliefert",
        status="partly_published",
        author=data["people"]["agent"],
    )
    for network, state in (("mastodon", "published"), ("bluesky", "failed")):
        channel = ChannelAccount.objects.create(network=network, handle=f"nordlicht-{network}")
        target = PostTarget.objects.create(
            post=post, channel=channel, state=state, url="https://social.example/@n/1",
            error_code="refused" if state == "failed" else "",
            error="Bluesky refused the request (Text is too long)" if state == "failed" else "",
            published_at=timezone.now(),
        )  # fmt: skip
        for position in range(2):
            sent = state == "published" or position == 0
            PostPart.objects.create(
                target=target, position=position, text=f"Teil {position + 1}", key=f"k{network}{position}",
                state=PartState.SENT if sent else PartState.FAILED,
            )  # fmt: skip
    return {"pk": post.pk}


def _failed_target(data: dict[str, Any]) -> dict[str, Any]:
    from socialdesk.publishing.models import PostTarget

    _delivery(data)
    target = PostTarget.objects.filter(state="failed").order_by("pk").first()
    assert target is not None
    return {"pk": target.pk}


def _first(model_name: str) -> int:
    from django.apps import apps

    return int(apps.get_model("goals", model_name).objects.order_by("pk").first().pk)


def _pk(model: Any, **filters: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: {"pk": model.objects.filter(**filters).order_by("pk").first().pk}


ARGS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "shared_reports:report": lambda data: {"token": data["report_token"]},
    "publishing:post_delivery": _delivery,
    "publishing:post_publish_now": _delivery,
    "publishing:target_retry": _failed_target,
    "accounts:department_detail": _pk(Department),
    "accounts:department_edit": _pk(Department),
    "accounts:department_delete": _pk(Department),
    "accounts:site_edit": _pk(Site),
    "accounts:site_delete": _pk(Site),
    "accounts:person_detail": _pk(User, role="agent"),
    "accounts:person_edit": _pk(User, role="agent"),
    "accounts:person_deactivate": _pk(User, role="agent"),
    "accounts:person_reactivate": _pk(User, role="agent"),
    "accounts:person_reset_two_factor": _pk(User, role="agent"),
    "accounts:invitation_revoke": _pk(Invitation),
    "accounts:invitation_resend": _pk(Invitation),
    "accounts:invitation_accept": lambda data: {"token": "nicht-gueltig"},
    "accounts:password_reset_confirm": lambda data: {"uidb64": "MQ", "token": "x-y"},
    "accounts:token_revoke": lambda data: {"pk": 1},
    "inbox:conversation": lambda data: {"pk": data["conversation"].pk},
    "inbox:reply": _pk(Conversation),
    "inbox:note": _pk(Conversation),
    "inbox:assign": _pk(Conversation),
    "inbox:status": _pk(Conversation),
    "inbox:tags": _pk(Conversation),
    "inbox:presence": _pk(Conversation),
    "inbox:needs_reply": _pk(Message),
    "inbox:retry_send": _pk(Message),
    "inbox:delivery": _pk(Message),
    "inbox:saved_reply_delete": _pk(SavedReply),
    "inbox:saved_reply_edit": _pk(SavedReply),
    "inbox:notification_open": _pk(Notification),
    "listening:monitor": _pk(Monitor),
    "listening:monitor_edit": _pk(Monitor),
    "listening:monitor_delete": _pk(Monitor),
    "feedback:item": lambda data: {"pk": data["items"][1].pk},
    "feedback:item_forward": _pk(FeedbackItem),
    "feedback:item_status": _pk(FeedbackItem),
    "feedback:item_handoff": _pk(FeedbackItem),
    "feedback:link_remove": lambda data: {"pk": 1},
    "feedback:draft_send": _pk(ReplyDraft),
    "feedback:board": _pk(Department, name="Produktentwicklung"),
    "feedback:act": lambda data: {"token": "nicht-gueltig"},
    "feedback:correct": _pk(Message),
    "sla:hours_edit": _pk(BusinessHours),
    "sla:policy_edit": _pk(SlaPolicy),
    "sla:policy_delete": _pk(SlaPolicy),
    "privacy:contact": _pk(Contact),
    "privacy:contact_export": lambda data: {**_pk(Contact)(data), "kind": "json"},
    "privacy:contact_erase": _pk(Contact),
    "channels:webhook": _pk(ChannelAccount),
    "inbox:import_job": _import_job,
    "inbox:import_rejected": _import_job,
    "inbox:bulk_job": _bulk_job,
    "inbox:bulk_undo": _bulk_job,
    "channels:channel": _pk(ChannelAccount),
    "channels:pause": _pk(ChannelAccount),
    "channels:resume": _pk(ChannelAccount),
    "channels:reconnect": _pk(ChannelAccount),
    "channels:disconnect": _pk(ChannelAccount),
    "channels:webhook_secret": _pk(ChannelAccount),
    "publishing:post": lambda data: {"pk": data["composed"].pk},
    "publishing:post_edit": lambda data: {"pk": data["composed"].pk},
    "publishing:post_media_delete": lambda data: {
        "pk": data["composed"].pk,
        "media_pk": data["composed"].media.get().pk,
    },
    "publishing:post_review": lambda data: {"pk": data["post"].pk},
    "publishing:post_submit": lambda data: {"pk": data["post"].pk},
    "publishing:post_approve": lambda data: {"pk": data["post"].pk},
    "publishing:post_changes": lambda data: {"pk": data["post"].pk},
    "publishing:post_comment": lambda data: {"pk": data["post"].pk},
    "publishing:approval_link": lambda data: {"token": data["approval_token"]},
    "publishing:idea": _pk(Idea),
    "goals:strategy_edit": lambda data: {"key": "objectives"},
    "goals:strategy_history": lambda data: {"key": "objectives"},
    "goals:objective_edit": _pk(Objective),
    "goals:objective_move": _pk(Objective),
    "goals:objective_remove": _pk(Objective),
    "goals:publication": _pk(Publication),
    "goals:goal": _pk(Goal),
    "goals:goal_edit": _pk(Goal),
    "goals:goal_archive": _pk(Goal),
    "goals:goal_evaluate": _pk(Goal),
    "goals:publication_confirm": _pk(Publication),
    "goals:adoption_department": _pk(Department),
    "goals:dashboard_department": _pk(Department),
    "goals:dashboard_channel": _pk(ChannelAccount),
    "publishing:idea_photo": _pk(IdeaPhoto),
    "publishing:idea_comment": _pk(Idea),
    "publishing:idea_follow": _pk(Idea),
    "publishing:idea_accept": _pk(Idea),
    "publishing:idea_decline": _pk(Idea),
    "publishing:idea_plan": _pk(Idea),
    "publishing:idea_campaign": _pk(Idea),
    "publishing:campaign": _pk(Campaign),
    "publishing:campaign_edit": _pk(Campaign),
    "publishing:campaign_archive": _pk(Campaign),
    "publishing:post_after": _published_post,
    "publishing:post_edit_published": _published_post,
    "publishing:post_delete_published": _published_post,
    "publishing:post_reschedule": lambda data: {"pk": 999999},
    "publishing:post_queue": lambda data: {"pk": 999999},
    "publishing:ical": lambda data: {"secret": "nicht-gueltig"},
    # reports (issue 13 item 6)
    "goals:report_share_revoke": lambda data: {"pk": _first("ReportShare")},
    "goals:report_schedule": lambda data: {"pk": _first("ReportSchedule")},
    "goals:report_schedule_pause": lambda data: {"pk": _first("ReportSchedule")},
    "goals:report_schedule_delete": lambda data: {"pk": _first("ReportSchedule")},
}
# Also opened with these queries, to show the states they lead to.
QUERIES: dict[str, Callable[[dict[str, Any]], list[str]]] = {
    "publishing:posts": lambda data: ["?status=draft", "?status=published"],
    "feedback:item_new": lambda data: [f"?message={data['items'][3].links.get().message_id}"],
    "feedback:items": lambda data: ["?status=all"],
    "inbox:list": lambda data: ["?needs_reply=1", "?order=waiting"],
    "publishing:ideas": lambda data: ["?status=declined", "?status=published"],
    "publishing:campaigns": lambda data: ["?archived=yes"],
    "goals:strategy_history": lambda data: ["?version=1", "?version=99"],
    "goals:dashboard": lambda data: [
        "?range=last_month&compare=year",
        "?range=custom&since=2025-03-01&until=2025-02-01",
    ],
    "publishing:calendar": lambda data: ["?view=week", "?view=list"],
    "goals:goals": lambda data: ["?archived=1"],
    "goals:goal_new": lambda data: [
        "?template=answer_within_24h",
        "?kpi=first_response_median",
        "?kpi=sentiment_share",
        "?kpi=inbound_volume",
        "?kpi=engagement_per_post",
    ],
    "goals:goal_edit": lambda data: ["?kpi=feedback_deadlines_kept"],
}
for _module in issue14.MODULES:  # issue 14: each work package's pages from its own file
    ARGS.update(getattr(_module, "ARGS", {}))
# Also posted empty, so the field errors are read too.
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
