"""Tests for the "needs reply" detector.

The posts are invented: customers of a railway (@northrail, @NordBahn), a phone carrier
(@Telvia, @telvia_de) and a streaming service (@streamio, @streamio_de) writing in English
and German. One test measures the detector on a public sample of real support tweets when
the shared data folder is present.
"""

from __future__ import annotations

import csv
import re
import time
from pathlib import Path

import pytest

from socialdesk.insights.needs_reply import explain_needs_reply, needs_reply

HANDLES = ("northrail", "@NordBahn", "Telvia", "telvia_de", "@streamio", "streamio_de")

# (post, needs a reply?) — both languages, all three companies, both outcomes.
LABELLED_EN: list[tuple[str, bool]] = [
    # Railway, English.
    ("@northrail why is the 7:42 to Leeds cancelled again?", True),
    ("@northrail train sat outside York for 40 minutes, no announcements. Still waiting.", True),
    ("Thanks @northrail, the conductor on the 18:05 was brilliant!", False),
    ("@northrail can you tell me if the bike carriage is open on weekends", True),
    ("@northrail delay repay form keeps saying error when I submit it", True),
    ("Lovely sunset from the train window tonight 🌅 @northrail", False),
    ("@northrail the wifi on board is not working, again", True),
    ("@northrail How cool is that? New trains on the coast line!", False),
    ("@northrail Hi, is my Tuesday ticket valid on Wednesday", True),
    ("Great, another delay. Thanks for nothing @northrail", True),
    ("@northrail is it just me or is the app showing yesterday's timetable", True),
    ("@northrail 3rd time this week the 8:15 is short formed. Standing all the way.", True),
    ("@northrail whoever designed the new seats deserves a raise", False),
    (
        "@northrail The 17:10 was on time every day this week. "
        "Who are you and what have you done with my railway 😂",
        False,
    ),
    # Carrier, English.
    ("@Telvia no signal in Camden since yesterday, what's going on?", True),
    ("@telvia I was charged twice this month, please sort it out", True),
    ("@telvia love the new unlimited plan, great value 👍", False),
    ("@telvia switched to eSIM in 2 minutes, thank you so much for your help!", False),
    ("@telvia how do I transfer my number from another network", True),
    ("@telvia my phone shows SOS only, is there an outage in Leeds", True),
    ("@telvia https://example.com/status?region=north", False),
    ("@telvia Great job?!", False),
    ("@telvia internet is down for 3 days now. Fix this.", True),
    ("@telvia ??", True),
    ("@telvia roaming in Spain doesn't seem to work, tried restarting twice", True),
    ("@telvia Bill says £45 but my contract is £30", True),
    ("@telvia best coverage I've had in years, even in the countryside", False),
    ("@telvia thanks for the quick fix yesterday, all working", False),
    # Streaming, English.
    ("@streamio the app keeps crashing on my Samsung TV", True),
    ("@streamio just finished season 2 in one night. No regrets 😂", False),
    ("@streamio pls bring back the old subtitle style", True),
    ("@streamio when does the new season drop?", True),
    ("@streamio Who else is watching the finale tonight?", False),
    ("@streamio any update on the playback issue? it's been 2 weeks", True),
    ("@streamio loved the documentary, thanks!", False),
    ("@streamio could you add a sleep timer", True),
    ("@anna_k did you see the finale? omg", False),
    ('@streamio Your ad says "Why wait?" - love it', False),
    ("@streamio the app kept crashing but after the update it works again, thanks!", False),
    ("@streamio", False),
    ("@streamio I want to cancel my subscription but can't find the button", True),
    ("@streamio Download limit reached?? I only have 2 devices", True),
    ("@streamio the dark mode is gorgeous", False),
    ("@streamio audio out of sync on every episode of the new series", True),
    ("@streamio hey, the subtitles are in the wrong language for episode 4", True),
    ("@streamio_de please add German dubbing", True),
]

LABELLED_DE: list[tuple[str, bool]] = [
    # Railway, German.
    ("@NordBahn warum fällt der RE7 heute schon wieder aus?", True),
    ("@nordbahn Zug steht seit 40 Minuten vor Hamburg, keine Durchsage. Was ist los", True),
    ("Danke @nordbahn, super freundliche Zugbegleiterin heute im ICE!", False),
    ("@nordbahn Könnt ihr mir sagen, ob der Anschluss in Bremen wartet", True),
    ("@nordbahn Fahrkartenautomat in Lüneburg geht nicht", True),
    ("@nordbahn Ich warte immer noch auf meine Erstattung aus dem Sommer", True),
    ("@nordbahn Pünktlich, sauber, WLAN lief. Gerne wieder!", False),
    ("@nordbahn Wie lange dauert die Bearbeitung eines Erstattungsantrags", True),
    ("Endlich Wochenende! Mit der @nordbahn ab an die See 🌊", False),
    ("@nordbahn Zugausfall in Celle, Ersatzverkehr? Fehlanzeige.", True),
    ("@nordbahn Klimaanlage im Wagen 5 ausgefallen, 35 Grad hier drin", True),
    ("@nordbahn Zugbegleiter war richtig nett, hat mir beim Koffer geholfen", False),
    ("@nordbahn Reservierung weg, Sitzplatz doppelt vergeben. Toll gemacht.", True),
    ("@nordbahn Warum sind die Toiletten im IC eigentlich immer defekt", True),
    # Carrier, German.
    ("@telvia_de seit 3 Tagen kein Netz in Köln-Ehrenfeld", True),
    ("@telvia_de Danke, super Service!", False),
    ("@telvia_de Kann ich meinen Vertrag online kündigen?", True),
    ("@telvia_de bitte meldet euch, die Hotline legt immer auf", True),
    (
        "@telvia_de Router ist getauscht, Internet läuft wieder. Danke für die schnelle Hilfe!",
        False,
    ),
    ("@telvia_de mir wurde der Monat doppelt abgebucht. Frechheit.", True),
    ("@telvia_de Kann ich nur empfehlen, bester Tarif bisher", False),
    ("@telvia_de Ich möchte mich für die tolle Beratung im Shop bedanken", False),
    ("@telvia_de ich brauche eine neue SIM-Karte, meine ist kaputt", True),
    ("@telvia_de Rechnung ist 20 Euro höher als vereinbart", True),
    ("@telvia_de Vertragsverlängerung ging total easy online 👍", False),
    ("@telvia_de wo finde ich meine PUK?", True),
    ("@telvia_de Mein Paket mit dem neuen Handy ist nicht angekommen", True),
    # Streaming, German.
    ("@streamio_de die App lädt nicht mehr auf dem Fire TV", True),
    ("@streamio_de wann kommt Staffel 3?", True),
    ("@streamio_de Wie geil ist das denn?! Neue Folgen 😍", False),
    ("@streamio_de Abo gekündigt, trotzdem abgebucht. Wo ist mein Geld", True),
    ("@streamio_de Die Doku war großartig. Was will man mehr?", False),
    ("@streamio_de Hilfe! Mein Profil ist weg", True),
    (
        "@streamio_de Danke für die Empfehlung, hab die Serie an einem Wochenende durchgeschaut",
        False,
    ),
    ("@streamio_de gibt es die Serie auch mit Untertiteln", True),
    ("@streamio_de Bild ruckelt seit heute Morgen ständig", True),
    ("Heute Abend Filmabend mit @streamio_de und Popcorn 🍿", False),
    ("@streamio_de Läuft bei euch! Top Auswahl", False),
    ("@streamio_de https://example.org/serie", False),
    ("@lisa_m hast du die neue Staffel schon gesehen?", False),
    ("@streamio_de Ton und Bild sind asynchron, seit dem letzten Update", True),
    ("@streamio_de endlich in 4K, sieht fantastisch aus", False),
    ("@streamio_de habe das Jahresabo verlängert, tolles Angebot", False),
    ("@streamio_de Wer hat sich diese neue Startseite ausgedacht? Ich finde nichts mehr", True),
]

LABELLED = LABELLED_EN + LABELLED_DE

# Cases the detector must always get right: each pins one decision of the module.
HARD_CASES: list[tuple[str, bool]] = [
    # "?!" alone is sarcasm or exclamation, but counts next to another cue.
    ("@telvia Great job?!", False),
    ("@NordBahn warum fällt der RE7 heute schon wieder aus?!", True),
    # A question mark inside a URL or a quotation is not the customer's question.
    ("@telvia https://example.com/status?region=north", False),
    ('@streamio Your ad says "Why wait?" - love it', False),
    ("@streamio_de Euer Slogan „Warum warten?“ gefällt mir", False),
    # Rhetorical praise asks nothing.
    ("@northrail How cool is that? New trains on the coast line!", False),
    ("@streamio_de Die Doku war großartig. Was will man mehr?", False),
    ("@streamio_de Wie geil ist das denn?! Neue Folgen 😍", False),
    # Thanks for help is not a request for help.
    ("@telvia switched to eSIM in 2 minutes, thank you so much for your help!", False),
    ("@telvia_de Danke für die schnelle Hilfe!", False),
    ("@telvia_de Ich möchte mich für die tolle Beratung im Shop bedanken", False),
    ("@telvia_de Kann ich nur empfehlen, bester Tarif bisher", False),
    # A complaint that is over needs no reply; a question about it still does.
    ("@streamio the app kept crashing but after the update it works again, thanks!", False),
    ("@streamio it works again, but will the crash come back?", True),
    ("@telvia_de Internet läuft wieder, aber die Störung ist noch nicht behoben?", True),
    # Sarcastic thanks are a complaint.
    ("Great, another delay. Thanks for nothing @northrail", True),
    # Requests and complaints without a question mark.
    ("@northrail can you tell me if the bike carriage is open on weekends", True),
    ("@telvia_de seit 3 Tagen kein Netz in Köln-Ehrenfeld", True),
    ("@nordbahn Ich warte immer noch auf meine Erstattung aus dem Sommer", True),
    ("@streamio the app keeps crashing on my Samsung TV", True),
    # Interrogatives at the start of a clause, after a greeting or a comma.
    ("@nordbahn Hallo, wann fährt der erste Zug nach Kiel", True),
    ("@streamio Hi Streamio, why does the download stop at 99%", True),
    # Exclamations that look like interrogatives.
    ("@streamio what a finale 😭", False),
    ("@streamio_de Läuft bei euch! Top Auswahl", False),
    # Praise, a bare mention and a link are no reason to reply.
    ("@telvia_de Danke, super Service!", False),
    ("@streamio", False),
    ("@streamio_de https://example.org/serie", False),
    # A reply between two customers in the company's thread is not for the company.
    ("@anna_k did you see the finale? omg", False),
]


def test_it_gets_at_least_90_percent_of_the_labelled_posts_right() -> None:
    """Decide at least 90 % of the labelled table correctly (and say which ones fail)."""
    wrong = [
        (text, expected)
        for text, expected in LABELLED
        if needs_reply(text, company_handles=HANDLES) != expected
    ]
    accuracy = 1 - len(wrong) / len(LABELLED)
    print(f"\nlabelled posts: {len(LABELLED)}, right: {accuracy:.1%}, wrong: {wrong}")
    assert accuracy >= 0.9, wrong


def test_it_labels_a_table_with_both_languages_and_outcomes() -> None:
    """Keep the table big and balanced enough to mean something."""
    assert len(LABELLED) >= 40
    assert len(LABELLED_EN) >= 20
    assert len(LABELLED_DE) >= 20
    assert sum(expected for _, expected in LABELLED) >= 20
    assert sum(not expected for _, expected in LABELLED) >= 20


@pytest.mark.parametrize(("text", "expected"), HARD_CASES)
def test_it_decides_the_hard_cases(text: str, expected: bool) -> None:
    """Get every case that pins a documented decision right."""
    assert needs_reply(text, company_handles=HANDLES) is expected, explain_needs_reply(
        text, company_handles=HANDLES
    )


@pytest.mark.parametrize(("text", "_expected"), LABELLED)
def test_it_explains_exactly_the_posts_it_flags(text: str, _expected: bool) -> None:
    """Return reasons for a post exactly when `needs_reply` says it needs a reply."""
    reasons = explain_needs_reply(text, company_handles=HANDLES)
    assert bool(reasons) is needs_reply(text, company_handles=HANDLES)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("@northrail why is my train late?", "question mark"),
        ("@NordBahn warum hält der Zug nicht in Celle", "interrogative: warum"),
        ("@streamio could you add a sleep timer", "request: could you"),
        ("@telvia_de bitte meldet euch", "request: meldet euch"),
        ("@streamio the app keeps crashing", "complaint: keeps crashing"),
        ("@telvia_de seit 3 Tagen kein Netz", "waiting: seit 3 tagen"),
        ("@telvia_de seit 3 Tagen kein Netz", "complaint: kein netz"),
        ("@NordBahn warum hält der Zug nicht in Celle", "mentions @NordBahn"),
    ],
)
def test_it_explains_why_a_post_needs_a_reply(text: str, reason: str) -> None:
    """Name the cue it found, quoting the matched words in lower case."""
    assert reason in explain_needs_reply(text, company_handles=HANDLES)


def test_it_returns_no_reasons_for_praise() -> None:
    """Explain nothing for a post that needs no reply, even if it mentions the company."""
    assert explain_needs_reply("@northrail love the new trains!", company_handles=HANDLES) == []


@pytest.mark.parametrize("handle", ["northrail", "@northrail", "NorthRail", "@NORTHRAIL"])
def test_it_matches_company_handles_in_any_case_with_or_without_at(handle: str) -> None:
    """Take handles with or without "@", and compare them case-insensitively."""
    text = "@NorthRail @anna_k why is the 8:15 cancelled?"
    assert needs_reply(text, company_handles=[handle])
    assert "mentions @NorthRail" in explain_needs_reply(text, company_handles=[handle])


def test_it_ignores_posts_that_mention_only_other_accounts() -> None:
    """Treat a post that @mentions other accounts but not the company as their business."""
    text = "@anna_k @ben why is the 8:15 cancelled?"
    assert not needs_reply(text, company_handles=HANDLES)


def test_it_treats_posts_without_mentions_as_addressed() -> None:
    """Treat a comment or direct message that mentions nobody as addressed to the company."""
    assert needs_reply("why is the 8:15 cancelled?", company_handles=HANDLES)


def test_it_treats_every_post_as_addressed_without_handles() -> None:
    """Judge only the wording when the caller names no company handles."""
    assert needs_reply("@anna_k @ben why is the 8:15 cancelled?")


def test_it_matches_mastodon_handles_with_a_host() -> None:
    """Recognise "@user@host" mentions by the full handle or by the user part."""
    text = "@streamio@social.example why does the app log me out?"
    assert needs_reply(text, company_handles=["streamio@social.example"])
    assert needs_reply(text, company_handles=["streamio"])
    assert not needs_reply(text, company_handles=["telvia"])


def test_it_guesses_the_language_when_none_is_given() -> None:
    """Apply the German rules to a German post when the language is guessed."""
    text = "wann kommt der Zug nach Kiel"
    assert needs_reply(text)
    assert not needs_reply(text, language="en")
    assert needs_reply(text, language="de")
    assert needs_reply(text, language="de-AT")


@pytest.mark.parametrize("language", ["", "fr", "xx"])
def test_it_applies_both_rule_sets_when_the_language_is_unknown(language: str) -> None:
    """Use the English and the German rules when the language is unknown or another one."""
    assert needs_reply("Hilfe!", language=language)
    assert needs_reply("Help!", language=language)
    # Too short to guess: both rule sets apply.
    assert needs_reply("Hilfe!")


def test_it_is_fast_enough_for_a_busy_inbox() -> None:
    """Decide comfortably more than 4,000 short posts a second (the target is 20,000;
    bench/bench_needs_reply.py measures it, this only catches gross slow-downs)."""
    texts = [text for text, _ in LABELLED] * 20
    start = time.perf_counter()
    for text in texts:
        needs_reply(text, company_handles=HANDLES)
    per_second = len(texts) / (time.perf_counter() - start)
    assert per_second > 4_000, f"{per_second:,.0f} texts/s"


# ---------------------------------------------------------------------------------------
# Real support tweets (Customer Support on Twitter, a public research sample). Looked for
# in the workplace's shared folder and next to the repository, as CI lays it out.

_TWCS = Path("twcs-customer-support-on-twitter", "random_sample_5000.csv")
_DATA_DIRS = (
    Path("/work/shared/data"),
    Path(__file__).resolve().parents[4].parent / "shared" / "data",
)

# What support agents write when they close a conversation.
_CLOSING = re.compile(
    r"you.re (?:very )?welcome|glad (?:to hear|we could|i could|that)|happy to hear"
    r"|have a (?:great|good|nice|wonderful|lovely)|enjoy|thanks for (?:letting|the update"
    r"|confirming|your patience)|no problem|anytime|cheers",
    re.IGNORECASE,
)


def _twcs_rows() -> list[dict[str, str]]:
    for folder in _DATA_DIRS:
        path = folder / _TWCS
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as file:
                return list(csv.DictReader(file))
    pytest.skip(f"shared data not found: {_TWCS}")


def test_it_flags_customer_tweets_that_companies_answered() -> None:
    """On real tweets, flag most answered thread starters and few agents' closing words.

    Thread starters that a company answered are what a support team answers; closers are
    agents' tweets that end a thread with thanks or wishes. The thresholds sit a little
    under what the detector measured (72 % of starters, 16 % of closers): the starters
    include praise, adverts and tweets in other languages that companies answered too,
    so 75 % is out of reach without flagging praise. The customers' @mentions of brands
    are anonymised in the data, so the figure that counts is without company handles.
    """
    rows = _twcs_rows()
    brands = {row["author_id"] for row in rows if row["inbound"] == "False"}
    starters = [
        row["text"]
        for row in rows
        if row["inbound"] == "True"
        and not row["in_response_to_tweet_id"]
        and row["response_tweet_id"]
    ]
    closers = [
        row["text"]
        for row in rows
        if row["inbound"] == "False" and not row["response_tweet_id"]
        if _CLOSING.search(row["text"])
    ]
    flagged_starters = sum(needs_reply(text) for text in starters) / len(starters)
    with_handles = sum(needs_reply(text, company_handles=brands) for text in starters) / len(
        starters
    )
    flagged_closers = sum(needs_reply(text) for text in closers) / len(closers)
    print(
        f"\nanswered thread starters: {len(starters)}, flagged {flagged_starters:.1%} "
        f"({with_handles:.1%} when only @brand mentions count as addressed)"
        f"\nagents' closing tweets: {len(closers)}, flagged {flagged_closers:.1%}"
    )
    assert flagged_starters >= 0.70
    assert flagged_closers <= 0.25
    assert flagged_starters - flagged_closers >= 0.40
