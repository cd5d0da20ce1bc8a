"""Keep secrets that travel in links out of logs: tokens in paths and in query strings.

Digest links (``/feedback/act/<token>/``), invitations (``/invitation/<token>/``), password
resets (``/password-reset/<uid>/<token>/``) and OAuth callbacks (``?code=…&state=…``) carry a
credential in the URL. Web servers log the request line and the referring page, and Django
logs the path of every 4xx/5xx answer, so each log line that may hold a URL passes through
``redact_text``: a path segment or query value that looks like a token becomes ``[redacted]``,
as does every value of a parameter whose name says it is secret. The path around it stays, so
the log still tells which page was asked for.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Random tokens, signed values and reset tokens are at least this long; page paths are not.
TOKEN_MIN_LENGTH = 32
_TOKEN = re.compile(r"[A-Za-z0-9_\-.:~=%+]{" + str(TOKEN_MIN_LENGTH) + ",}")
_SECRET_NAMES = {"code", "state", "key", "sig", "auth", "otp", "nonce", "ticket", "hmac"}
_SECRET_NAME_PARTS = ("token", "secret", "password", "passwd", "signature", "apikey", "api_key")
# A URL with scheme and host, or a path starting at "/" (as in request lines and Django's
# "Not Found: /path"), up to the first space or quote.
_URL = re.compile(r"""https?://[^\s"'<>\\]+|/[^\s"'<>\\]*""")


def _secret_name(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_NAMES or any(part in lowered for part in _SECRET_NAME_PARTS)


def _redact_path(path: str) -> str:
    return "/".join(
        REDACTED if _TOKEN.fullmatch(segment) else segment for segment in path.split("/")
    )


def _redact_query(query: str) -> str:
    parts = []
    for pair in re.split(r"([&;])", query):
        if pair in {"&", ";"} or not pair:
            parts.append(pair)
            continue
        name, equals, value = pair.partition("=")
        if equals and value and (_secret_name(name) or _TOKEN.fullmatch(value)):
            parts.append(f"{name}={REDACTED}")
        elif not equals and _TOKEN.fullmatch(name):
            parts.append(REDACTED)
        else:
            parts.append(pair)
    return "".join(parts)


def redact_url(url: str) -> str:
    """Return a URL or path with token-like path segments and secret query values hidden."""
    prefix = ""
    match = re.match(r"(https?://)([^/?#]*)", url)
    if match:
        # "user:password@host" keeps only the host.
        prefix, url = match.group(1) + match.group(2).rpartition("@")[2], url[match.end() :]
    url, hash_mark, fragment = url.partition("#")
    path, question_mark, query = url.partition("?")
    redacted = prefix + _redact_path(path)
    if question_mark:
        redacted += "?" + _redact_query(query)
    if hash_mark:
        redacted += "#" + _redact_query(fragment)
    return redacted


def redact_text(text: str) -> str:
    """Return a log line with the secrets of every URL or path in it hidden."""
    if "/" not in text:
        return text
    return _URL.sub(lambda found: redact_url(found.group(0)), text)


class RedactSecretsFilter(logging.Filter):
    """A logging filter that hides link secrets in every record passing a handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a broken record is logged as it is; logging must not fail
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
