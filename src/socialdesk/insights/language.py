"""Guess whether a short social media post is German or English.

The guess counts frequent function words of each language and words spelt with German
letters (ä, ö, ü, ß). Function words make up a large share of any sentence and hardly
overlap between the two languages, so a handful of them decides even a tweet-length post,
with no model, no download and no dependency beyond `re`.
"""

from __future__ import annotations

import re

__all__ = ["guess_language"]

# Handles, URLs and hashtags are names, not language: "@DB_Bahn" says nothing about
# whether the customer writes German. Removing them first keeps them from voting.
_NOISE = re.compile(r"(?:https?://|www\.)\S+|[@#][\w.]+", re.IGNORECASE)

# Letters only (emoji, digits and punctuation fall out on their own); an apostrophe may
# join an English contraction such as "don't", which is a strong English word.
_WORD = re.compile(r"[a-zäöüß]+(?:'[a-z]+)?")


def _words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of `text` as a set."""
    return frozenset(text.split())


# Words that are frequent in one language and rare or absent in the other: function words
# and a few everyday words of customer posts ("love", "great"; "Zug", "Netz"). Words shared
# by both ("in", "so", "was", "will", "an", "am", "um", "also", "man", "hi", "hey", "ok",
# "sorry", "im" as tweeted for "I'm") are left out on purpose: they would vote for both.
_GERMAN_WORDS = _words(
    """
    der die das den dem des ein eine einen einem einer eines und oder aber doch sondern ist
    sind bin bist seid war waren wird werden wurde wurden hat habe hab haben habt hast hatte
    kann kannst können könnt konnte muss müssen musste soll sollen sollte darf möchte
    möchten würde würden gibt geht gehen ging funktioniert klappt läuft ich du er sie es wir
    ihr mich mir dich dir uns euch sich mein meine meinen meinem meiner dein deine euer eure
    euren ihre ihren unser unsere kein keine keinen keinem nicht nichts noch schon immer
    wieder mal nur sehr auch ja nein jetzt heute gestern morgen hier dort da dass weil wenn
    dann als wie warum wieso weshalb wann wo wer welche welcher welches woher wohin mit auf
    für von zu zum zur vom beim bei nach seit aus über unter gegen ohne durch bis vor hinter
    zwischen bitte danke hallo moin servus leider gerade einfach endlich eigentlich
    vielleicht wirklich etwas alles viel viele mehr fuer ueber koennt koennen moechte schoen
    natuerlich wuerde gut gute guten neu neue neuen nie zug netz fahrt karte warten minuten
    stunden tagen wochen
    """
)

_ENGLISH_WORDS = _words(
    """
    the a and or but of to for with on at by from about into over this that these those is
    are were be been being has have had do does did don't doesn't didn't can can't cannot
    could couldn't would wouldn't should shouldn't won't isn't aren't wasn't i'm i've i'll
    i'd it's you're we're they're that's there's what's let's i you he she it we they me my
    mine your yours our us them their his her its not no yes just still again now today
    yesterday here there when where why how what who which any some every all more most very
    really please thanks thank hello get got getting since because if then than while after
    before pls plz thx u ur love great new good like know need want one time day night
    tomorrow back going never ever only even much many other
    """
)


def guess_language(text: str) -> str:
    """Return "de" or "en" for the language `text` is written in, or "" when unsure.

    Unsure means the post is too short to tell (fewer than two scoring words) or mixes
    both languages so evenly that neither clearly wins.
    """
    # Phones type curly apostrophes; the word lists spell "don't" with a straight one.
    words = _WORD.findall(_NOISE.sub(" ", text).lower().replace("\u2019", "'"))
    german = english = 0
    for word in words:
        if word in _GERMAN_WORDS:
            german += 1
        elif word in _ENGLISH_WORDS:
            english += 1
        elif not word.isascii():
            # The only non-ASCII letters the word pattern admits are ä, ö, ü and ß.
            german += 1
    # One word is too little: "Danke!" or "Thanks!" is also said in the other language,
    # and callers fall back to rules for both languages when the answer is "".
    if german >= 2 and german * 2 > english * 3:
        return "de"
    if english >= 2 and english * 2 > german * 3:
        return "en"
    return ""
