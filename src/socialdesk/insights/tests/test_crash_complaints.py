"""A crash complaint needs a reply without a question mark, and is never called "positive"."""

from __future__ import annotations

import pytest

from socialdesk.insights.needs_reply import explain_needs_reply, needs_reply
from socialdesk.insights.sentiment import lexicon_sentiment

COMPLAINT = "Eure App stürzt beim Bezahlen ab, seit dem letzten Update"


def test_it_flags_a_crash_complaint_without_a_question_mark():
    assert needs_reply(COMPLAINT)
    assert explain_needs_reply(COMPLAINT) == ["complaint: stürzt beim bezahlen ab"]
    assert needs_reply("Die App stürzte gestern beim Login ab")
    assert needs_reply(COMPLAINT, company_handles=["streamio"])  # no mention: addressed to us


@pytest.mark.parametrize(
    "text",
    [
        COMPLAINT,
        "Danke für das tolle Update, jetzt stürzt die App beim Bezahlen ab",
        "Super, die App ist schon wieder abgestürzt",
        "Die neue Version ist super schnell, stürzt aber beim Bezahlen ab",
        "Great update, now the app crashes every time I pay",
        "Thanks, the app keeps crashing",
    ],
)
def test_it_never_calls_a_crash_complaint_positive(text):
    assert lexicon_sentiment(text).label == "negative"


@pytest.mark.parametrize(
    "text",
    ["Danke, stürzt nicht mehr ab, super!", "No crashes since the update, great work"],
)
def test_it_reads_a_crash_that_is_gone_as_good_news(text):
    assert lexicon_sentiment(text).label == "positive"
