"""Tell whether a German or English post to the company needs a reply from the team.

A post needs a reply when it is addressed to the company and has one of these cues (the
reasons `explain_needs_reply` returns are named after them):

* "question mark": a question mark outside URLs and quoted passages;
* "interrogative": a question word or inverted verb at the start of a clause ("why ...",
  "is my ...", "wann kommt ...", "gibt es ..."), or "why"/"warum" with a verb anywhere;
* "request": request phrasing anywhere ("please", "let me know", "könnt ihr", "meldet euch");
* "waiting": waiting for the company ("still waiting", "seit 3 Tagen", "keine Antwort");
* "complaint": a broken or late service ("doesn't work", "funktioniert nicht", "Störung")
  or an angry verdict ("unacceptable", "Frechheit").

Decisions worth knowing, each also pinned by a test:

* Addressed: when the caller names no company handles, every post is taken as addressed
  (it sits in the company's inbox). With handles, a post is addressed when it @mentions
  one of them or mentions nobody at all (a comment or direct message); a post that only
  @mentions other accounts is a conversation between customers and needs no reply.
* "?!" or "!?" alone is exclamation or sarcasm ("Great job?!"), not a question; it still
  counts when another cue is present ("Why is my train late?!" has "why").
* A question mark inside a URL or a quoted passage ('your ad says "Why wait?"') is
  someone else's; it does not count.
* Rhetorical praise ("How cool is that?", "Was will man mehr?"), thanks for help ("thanks
  for your help", "danke für die Hilfe") and agents' offers ("let us know if you need
  anything") are removed before the rules run, so "help" or "Hilfe" in them is no request.
* Waiting and complaints followed by news that the problem is gone ("works again", "geht
  wieder", "behoben") need no reply, unless the post also asks or requests something.
* An @mention of the company alone, praise and link-only posts need no reply.
* Exclamations shaped like questions ("What a finale", "Läuft bei euch!", "Kann ich nur
  empfehlen") are excluded where the rule would otherwise fire.

The phrases of the rules are data in `insights/wordlists/needs_reply.py`. They are
compiled here once at import time, with their alternatives flattened and grouped by first
letter so that a call stays in the tens of microseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from socialdesk.insights.language import guess_language
from socialdesk.insights.wordlists import needs_reply as words

__all__ = ["explain_needs_reply", "needs_reply"]


def _compile(anywhere: str, clause_start: str = "") -> re.Pattern[str]:
    """Compile alternatives, one per line, into one pattern.

    `anywhere` alternatives match wherever a word starts; `clause_start` ones only at the
    start of a clause. A single space inside an alternative stands for a run of spaces
    (never a newline, which marks a clause boundary). The matched phrase is the
    pattern's only matching group, so a reason can quote it without the clause prefix.
    """
    branches: list[str] = []
    if clause_start.strip():
        branches.append(f"{words.CLAUSE_START}({_join(clause_start)})")
    if anywhere.strip():
        branches.append(rf"\b({_join(anywhere)})")
    return re.compile(rf"(?:{'|'.join(branches)})(?![\w'])", re.MULTILINE)


def _split(pattern: str) -> tuple[list[str], int]:
    """Split `pattern` at its top-level "|"; also return where a top-level ")" closes it."""
    options: list[str] = []
    depth, start, index, in_class = 0, 0, 0, False
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        elif char == "|" and depth == 0:
            options.append(pattern[start:index])
            start = index + 1
        index += 1
    options.append(pattern[start:index])
    return options, index


def _expand(alternative: str) -> list[str]:
    """Split "a|b" and a leading group "(?:a|b)rest" into one alternative per option.

    Python's regex engine must enter a group to learn that none of its options can match;
    flat alternatives let `_factor` share their first letters. An optional group
    "(?:a )?rest" also yields "rest". Other alternatives stay as they are.
    """
    options, _ = _split(alternative)
    if len(options) > 1:
        return [line for option in options for line in _expand(option)]
    if not alternative.startswith("(?:"):
        return [alternative]
    options, end = _split(alternative[3:])
    rest = alternative[3 + end + 1 :]
    if rest[:1] in ("*", "+", "{"):
        return [alternative]
    optional = rest.startswith("?")
    if optional:
        rest = rest[1:]
    expanded = [line for option in options for line in _expand(option + rest)]
    return expanded + _expand(rest) if optional else expanded


# A line break before a "|" that continues an alternative.
_CONTINUATION = re.compile(r"\n[ \t]*(?=\|)")

# A space in an alternative, unless it already carries a quantifier (" *", " ?").
_SPACE = re.compile(r" (?![*?+{])")


def _join(alternatives: str) -> str:
    """Join the non-empty lines of `alternatives` into one regex alternation.

    A line that starts with "|" continues the line before it, so that long alternations
    can be wrapped.
    """
    alternatives = _CONTINUATION.sub("", alternatives)
    lines = [
        # Clean-up can leave runs of spaces. Look-behinds must have a fixed width, so
        # they spell a space as \s, never as " ".
        _SPACE.sub(" +", expanded)
        for line in alternatives.splitlines()
        if line.strip()
        for expanded in _expand(line.strip())
    ]
    return _factor(lines, depth=3)


def _factor(alternatives: list[str], depth: int) -> str:
    """Return the alternation of `alternatives`, sharing first letters: "a(?:b|c)|d".

    The engine tries every alternative at every word; sharing the first letters lets it
    rule out all alternatives of a letter with one comparison. Alternatives that do not
    start with a plain letter are kept whole.
    """
    groups: dict[str, list[str]] = {}
    for alternative in alternatives:
        first = alternative[:1]
        # A letter followed by a quantifier ("s?") is not a plain first letter.
        plain = first.isalpha() and alternative[1:2] not in ("?", "*", "+", "{")
        groups.setdefault(first if plain and depth > 0 else alternative, []).append(alternative)
    parts: list[str] = []
    for key, members in groups.items():
        if len(key) != 1 or (key == members[0] and len(members) == 1):
            parts.extend(members)
            continue
        # An empty rest goes last, so a longer phrase is preferred when both match.
        rests = sorted((member[1:] for member in members), key=lambda rest: rest == "")
        inner = _factor(rests, depth - 1)
        parts.append(f"{key}(?:{inner})" if len(rests) > 1 else key + inner)
    return "|".join(parts)


# ---------------------------------------------------------------------------------------
# Clean-up passes, in the order they run.

_URL = re.compile(r"(?:https?://|www\.)\S+")

# Someone else's words: a quoted slogan or message is not the customer's own question.
# The length limit keeps one stray quote mark from swallowing the rest of the post.
_QUOTED = re.compile(
    r'"[^"\n]{1,120}"|„[^“”"\n]{1,120}[“”"]|“[^”\n]{1,120}”|«[^»\n]{1,120}»|»[^«\n]{1,120}«'
)

# Twitter-style @handle, optionally with a Mastodon-style @host.
# @user, @user@instance (Mastodon) and @name.domain (Bluesky handles).
_MENTION = re.compile(r"(?<![\w@])@(\w[\w-]*(?:\.[\w-]+)*(?:@[\w-]+(?:\.[\w-]+)+)?)")

# Thanks for help, offers of help and apologies for a delay, removed so "help", "Hilfe",
# "let us know" or "delay" inside them is not read as a request or complaint.
_POLITE_HINT = re.compile(words.POLITE_HINT)
_POLITE = _compile(words.POLITE)

# Rhetorical questions of praise: their question mark asks nothing of the company.
_RHETORIC = re.compile(r"(?<![\w'])(?:" + _join(words.RHETORIC) + r")[^?.!\n]*[?!]*")

# Every character that is not a letter, digit, space, apostrophe or hyphen ends a clause
# (commas, full stops, question marks, emoji, brackets); a spaced dash does too.
_BOUNDARY = re.compile(r"[^\w\s'-]+| -+ ")

# A run of question and exclamation marks; one without "!" is a plain question.
_QUESTION_MARKS = re.compile(r"[?!]*\?[?!]*")

# News that the problem is gone turns a complaint into a status report. The look-behinds
# keep "not fixed" and "nicht behoben" from counting as good news.
_RESOLVED = _compile(words.RESOLVED)


@dataclass(frozen=True, slots=True)
class _Rules:
    """The compiled rules for one language choice, tried in this order."""

    request: re.Pattern[str]
    interrogative: re.Pattern[str]
    waiting: re.Pattern[str]
    complaint: re.Pattern[str]


def _rules(*languages: str) -> _Rules:
    """Compile the rules of the given languages ("en", "de") into one set."""
    parts: dict[str, dict[str, str]] = {
        "en": {
            "request": words.REQUEST_EN,
            "request_start": words.REQUEST_START_EN,
            "interrogative": words.INTERROGATIVE_EN,
            "anywhere": words.INTERROGATIVE_ANYWHERE_EN,
            "waiting": words.WAITING_EN,
            "complaint": words.COMPLAINT_EN,
        },
        "de": {
            "request": words.REQUEST_DE,
            "request_start": words.REQUEST_START_DE,
            "interrogative": words.INTERROGATIVE_DE,
            "anywhere": words.INTERROGATIVE_ANYWHERE_DE,
            "waiting": words.WAITING_DE,
            "complaint": words.COMPLAINT_DE,
        },
    }

    def join(category: str) -> str:
        return "\n".join(parts[language][category] for language in languages)

    return _Rules(
        request=_compile(words.REQUEST_SHARED + "\n" + join("request"), join("request_start")),
        interrogative=_compile(join("anywhere"), clause_start=join("interrogative")),
        waiting=_compile(join("waiting")),
        complaint=_compile(join("complaint")),
    )


_RULES_BY_LANGUAGE = {"en": _rules("en"), "de": _rules("de")}
# Unknown or other languages get both rule sets: a missed question costs more than a
# needless look at a post.
_RULES_BOTH = _rules("en", "de")


def _clean(text: str) -> tuple[bool, str]:
    """Return whether `text` asks with a question mark, and its text ready for the rules.

    The text for the rules is lower-cased, without URLs, quotes, handles, thanks and
    rhetorical questions, with each clause on a line of its own.
    """
    cleaned = (
        text.lower()
        .replace("\u2019", "'")  # Phones type curly apostrophes; the rules use straight ones.
        .replace("\u2018", "'")
        .replace("\t", " ")
    )
    if "http" in cleaned or "www." in cleaned:
        cleaned = _URL.sub(" ", cleaned)
    cleaned = _QUOTED.sub(" ", cleaned)
    if "@" in cleaned:
        cleaned = _MENTION.sub(" ", cleaned)
    cleaned = cleaned.replace("#", "")
    if _POLITE_HINT.search(cleaned) is not None:
        cleaned = _POLITE.sub("\n", cleaned)
    cleaned = _RHETORIC.sub("\n", cleaned)
    # "?!" alone is exclamation or sarcasm; a run of marks without "!" asks.
    asks = "?" in cleaned and any("!" not in run for run in _QUESTION_MARKS.findall(cleaned))
    return asks, _BOUNDARY.sub("\n", cleaned)


def _normalise_handles(company_handles: Iterable[str]) -> frozenset[str]:
    """Return the handles lower-cased and without a leading @."""
    handles = (handle.strip().lstrip("@").lower() for handle in company_handles)
    return frozenset(handle for handle in handles if handle)


def _company_mentions(text: str, handles: frozenset[str]) -> tuple[bool, list[str]]:
    """Return whether `text` is addressed to the company, and its mentions of it."""
    if not handles:
        return True, []
    mentions = _MENTION.findall(text)
    ours = [
        mention
        for mention in mentions
        if mention.lower() in handles or mention.split("@", 1)[0].lower() in handles
    ]
    # A comment or direct message mentions nobody yet is addressed to the company; a post
    # that mentions only other accounts is talking to them.
    return bool(ours) or not mentions, ours


def _phrase(match: re.Match[str]) -> str:
    """Return the matched phrase (the one group that took part) with spaces collapsed."""
    return " ".join(match[match.lastindex or 0].split())


def _analyse(
    text: str, company_handles: Iterable[str], language: str | None, *, all_reasons: bool
) -> list[str]:
    """Return the reasons `text` needs a reply; stop at the first unless `all_reasons`."""
    addressed, mentions = _company_mentions(text, _normalise_handles(company_handles))
    if not addressed:
        return []
    if language is None:
        language = guess_language(text)
    # "de-AT" and "en_GB" use the rules of their language.
    rules = _RULES_BY_LANGUAGE.get(language[:2].lower(), _RULES_BOTH)
    asks, cleaned = _clean(text)

    reasons: list[str] = []
    seen: set[str] = set()

    def add(category: str, phrase: str) -> None:
        # One phrase can match twice ("could you" is a request and, at a clause start,
        # an interrogative); the first category is reason enough.
        if phrase not in seen:
            seen.add(phrase)
            reasons.append(f"{category}: {phrase}" if phrase else category)

    if asks:
        add("question mark", "")
        if not all_reasons:
            return reasons
    for category, pattern in (
        ("request", rules.request),
        ("interrogative", rules.interrogative),
    ):
        if all_reasons:
            for match in pattern.finditer(cleaned):
                add(category, _phrase(match))
        elif (found := pattern.search(cleaned)) is not None:
            return [f"{category}: {_phrase(found)}"]

    # Complaints and waiting count only while the problem lasts, unless the post also
    # asks something (then it needs an answer either way).
    if reasons or _RESOLVED.search(cleaned) is None:
        for category, pattern in (("waiting", rules.waiting), ("complaint", rules.complaint)):
            if all_reasons:
                for match in pattern.finditer(cleaned):
                    add(category, _phrase(match))
            elif (found := pattern.search(cleaned)) is not None:
                return [f"{category}: {_phrase(found)}"]

    if reasons:
        reasons.extend(f"mentions @{mention}" for mention in dict.fromkeys(mentions))
    return reasons


def needs_reply(
    text: str, *, company_handles: Iterable[str] = (), language: str | None = None
) -> bool:
    """Return whether the post `text` asks, requests or complains to the company.

    `company_handles` are the company's own accounts, with or without "@", in any case;
    when given, a post that @mentions only other accounts is not addressed to the company.
    `language` is "de" or "en" (or a regional code such as "de-AT"); None guesses it
    with `guess_language`, and "" or any other language applies both rule sets.
    """
    return bool(_analyse(text, company_handles, language, all_reasons=False))


def explain_needs_reply(
    text: str, *, company_handles: Iterable[str] = (), language: str | None = None
) -> list[str]:
    """Return why the post needs a reply, such as "interrogative: warum"; [] when it does not.

    The arguments are those of `needs_reply`, and the list is empty exactly when
    `needs_reply` returns False. Reasons come in the order question mark, request,
    interrogative, waiting, complaint, then "mentions @handle" for each company handle.
    """
    return _analyse(text, company_handles, language, all_reasons=True)
