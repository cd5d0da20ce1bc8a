"""Connector errors as people read them: a code stored on the channel, a sentence when shown.

A failure is kept as `last_error_code` (a `Code`) and `last_error` (the library's own words,
redacted, behind a "Details" disclosure). The sentence is made at display time in the reader's
language (`explain`), never frozen in the database. `classify` finds the code of an error: the
`code` an exception carries, its class, or (for the libraries' own words) what it says.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _


class Code(StrEnum):
    UNREACHABLE = "unreachable"
    REFUSED_ADDRESS = "refused_address"
    CREDENTIALS = "credentials"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    TLS = "tls"
    TIMEOUT = "timeout"
    NOT_FEED = "not_feed"
    SERVER = "server"
    REFUSED = "refused"
    UNKNOWN = "unknown"


# What the libraries say, in order: the first pattern that matches names the code.
_PATTERNS: list[tuple[Code, re.Pattern[str]]] = [
    (Code.REFUSED_ADDRESS, re.compile(r"address inside a network|only connects to public")),
    (Code.RATE_LIMITED, re.compile(r"rate limit|asks to wait|http 429|too many requests")),
    (Code.TLS, re.compile(r"certificate|ssl|tls|handshake")),
    (Code.TIMEOUT, re.compile(r"timed? ?out|no answer within|did not answer in time|timeout")),
    (Code.NOT_FEED, re.compile(r"not a readable rss|not an? (rss|atom|feed)")),
    (
        Code.CREDENTIALS,
        re.compile(
            r"\b401\b|unauthori[sz]ed|refused the credentials|invalid identifier or password"
            r"|invalid_token|access token|authenticationrequired|\b403\b|forbidden"
        ),
    ),
    (Code.NOT_FOUND, re.compile(r"\b404\b|not found|\b410\b")),
    (
        Code.UNREACHABLE,
        re.compile(
            r"does not resolve|could not be reached|connection refused|name or service"
            r"|max retries|failed to establish|connection reset|closed without|remote end"
            r"|no route|network is unreachable|connection aborted|connecterror"
        ),
    ),
    # A bare 500 … 504 is a status, unless it counts something ("maximum is 500 characters").
    (
        Code.SERVER,
        re.compile(
            r"server error|http 5\d\d|\b50[0-4]\b(?!\s*(characters|chars|zeichen|graphemes))"
        ),
    ),
    (Code.REFUSED, re.compile(r"refused the request|http \d\d\d")),
]


def classify(error: BaseException | str) -> Code:
    """Return the code of an error (an exception, or the detail stored before codes existed)."""
    if isinstance(error, BaseException):
        code = getattr(error, "code", None)
        if isinstance(code, str) and code in Code._value2member_map_:
            return Code(code)
        for kind, name in ((Code.REFUSED_ADDRESS, "UnsafeAddress"),):
            if any(cls.__name__ == name for cls in type(error).__mro__):
                return kind
        if any(cls.__name__ in ("RateLimited", "RateLimitedFetch") for cls in type(error).__mro__):
            return Code.RATE_LIMITED
        text = str(error)
    else:
        text = error
    lowered = text.lower()
    for kind, pattern in _PATTERNS:
        if pattern.search(lowered):
            return kind
    return Code.UNKNOWN


def _subject(network: str) -> str:
    return {
        "mastodon": _("The Mastodon instance"),
        "bluesky": _("The Bluesky server"),
        "rss": _("The feed"),
        "webhook": _("The back-fill address"),
    }.get(network, _("The server"))


def explain(code: str, network: str, *, until: datetime | None = None) -> str:
    """The short sentence for an error code, in the active language."""
    what = _subject(network)
    if code == Code.RATE_LIMITED and until is not None:
        when = formats.date_format(timezone.localtime(until), "SHORT_DATETIME_FORMAT")
        return _("%(what)s asks to wait (rate limit) until %(when)s.") % {
            "what": what,
            "when": when,
        }
    sentences = {
        Code.UNREACHABLE: _("%(what)s could not be reached. Check the address."),
        Code.REFUSED_ADDRESS: _(
            "%(what)s is on an internal network. socialdesk connects only to public addresses "
            "and to networks the operator names in SOCIALDESK_PRIVATE_NETWORKS."
        ),
        Code.CREDENTIALS: _(
            "%(what)s refused the credentials. Reconnect with a new token or app password."
        ),
        Code.NOT_FOUND: _("%(what)s answered “not found”. Check the address."),
        Code.RATE_LIMITED: _("%(what)s asks to wait (rate limit)."),
        Code.TLS: _("The secure connection (TLS) failed: the certificate is not valid."),
        Code.TIMEOUT: _("%(what)s did not answer in time."),
        Code.NOT_FEED: _("The address is not an RSS or Atom feed."),
        Code.SERVER: _("%(what)s has a server error; socialdesk tries again later."),
        Code.REFUSED: _("%(what)s refused the request."),
    }
    sentence = sentences.get(Code(code) if code in Code._value2member_map_ else Code.UNKNOWN)
    if sentence is None:
        return _("The last attempt failed; see the details.")
    return sentence % {"what": what} if "%(what)s" in sentence else sentence


def at_field(field: str, error: BaseException, network: str) -> ValidationError:
    """A ValidationError for a connect form's field: the sentence, and the raw detail kept in
    `params["detail"]` for the "Details" disclosure."""
    code = classify(error)
    sentence = explain(code, network, until=getattr(error, "retry_at", None))
    detail = str(error)[:500]
    return ValidationError(
        {field: ValidationError(sentence.replace("%", "%%"), code=code, params={"detail": detail})}
    )
