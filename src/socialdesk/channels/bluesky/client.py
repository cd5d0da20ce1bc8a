"""The Bluesky client: one SDK client per account on its stored session, and the SDK's errors.

The session (access and refresh token) is stored encrypted with the account and reused: a
client logs in only when there is no session or the refresh token is no longer accepted; the
SDK refreshes an expiring access token itself and every new session is saved again. `call`
turns the SDK's errors into `ChannelError` (try later) or `PermanentError` (never).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from atproto import Client
from atproto_client.exceptions import (
    BadRequestError,
    InvokeTimeoutError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from atproto_core.exceptions import AtProtocolError
from django.conf import settings
from django.utils import timezone

from socialdesk.channels.base import ChannelError, PermanentError, RateLimited
from socialdesk.channels.fetch import FetchError
from socialdesk.channels.models import ChannelAccount
from socialdesk.channels.net import public_httpx_transport


def _timeout() -> float:
    return float(settings.CHANNEL_TIMEOUT_SECONDS)


def new_client(service: str) -> Client:
    # trust_env=False: a proxy from the environment is chosen by our transport, after the check
    request = Request(
        transport=public_httpx_transport(_timeout()), timeout=_timeout(), trust_env=False
    )
    return Client(base_url=service, request=request)


def call[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call the SDK; turn its errors into ChannelError (later) or PermanentError (never)."""
    try:
        return function(*args, **kwargs)
    except RateLimitExceededError as error:
        retry_at = error.reset_at or timezone.now() + timedelta(seconds=error.retry_after or 300)
        raise RateLimited("Bluesky's rate limit is reached", retry_at=retry_at) from None
    except UnauthorizedError as error:
        raise PermanentError(
            f"Bluesky refused the credentials ({error})", code="credentials"
        ) from None
    except InvokeTimeoutError:
        raise ChannelError("Bluesky did not answer in time", code="timeout") from None
    except NetworkError as error:
        if error.response is not None and error.response.status_code == 413:  # too large
            raise PermanentError(f"Bluesky refused the request ({error})") from None
        cause = error.__cause__ or error.__context__
        if isinstance(cause, FetchError):
            raise PermanentError(str(cause)) from None
        raise ChannelError(
            f"Bluesky could not be reached ({error or type(error).__name__})"
        ) from None
    except BadRequestError as error:
        raise PermanentError(f"Bluesky refused the request ({error})") from None
    except RequestErrorBase as error:
        status = error.response.status_code if error.response is not None else 0
        if status >= 500 or status == 0:
            raise ChannelError(f"Bluesky had a server error ({error})") from None
        raise PermanentError(f"Bluesky refused the request ({error})") from None
    except FetchError as error:
        raise PermanentError(str(error)) from None
    except httpx.TransportError as error:  # e.g. the server closed without an answer
        cause = error.__cause__ or error.__context__
        if isinstance(cause, FetchError):
            raise PermanentError(str(cause)) from None
        reason = str(error) or type(error).__name__
        raise ChannelError(f"Bluesky could not be reached ({reason})") from None
    except AtProtocolError as error:
        raise ChannelError(f"Bluesky error: {error or type(error).__name__}") from None


def _is_expired(error: ChannelError) -> bool:
    text = str(error)
    return "ExpiredToken" in text or "InvalidToken" in text or "AuthenticationRequired" in text


def login(service: str, identifier: str, app_password: str) -> tuple[Client, str]:
    """Log in with an app password; return the client and its session string."""
    client = new_client(service)
    call(client.login, identifier, app_password, fetch_bsky_profile=False)
    return client, client.export_session_string()


def session_client(account: ChannelAccount) -> Client:
    """A client on the stored session (logging in only when there is none that works)."""
    credentials = account.credentials
    client = new_client(account.address)
    session = str(credentials.get("session", ""))
    if session:
        call(client.login, session_string=session, fetch_bsky_profile=False)
    else:
        call(client.login, credentials["identifier"], credentials["app_password"],
             fetch_bsky_profile=False)  # fmt: skip
        _save_session(account, client)

    def saved(_event: Any, _session: Any) -> None:
        _save_session(account, client)

    client.on_session_change(saved)
    return client


def _save_session(account: ChannelAccount, client: Client) -> None:
    credentials = account.credentials
    credentials["session"] = client.export_session_string()
    account.set_credentials(credentials)
    ChannelAccount.objects.filter(pk=account.pk).update(
        credentials_encrypted=account.credentials_encrypted
    )


def with_session[T](account: ChannelAccount, work: Callable[[Client], T]) -> T:
    """Run `work` with the stored session; when Bluesky no longer takes it, log in once."""
    client = session_client(account)
    try:
        return work(client)
    except PermanentError as error:
        if not _is_expired(error) or not account.credentials.get("session"):
            raise
    credentials = account.credentials
    credentials.pop("session", None)
    account.set_credentials(credentials)
    account.save(update_fields=["credentials_encrypted"])
    return work(session_client(account))


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def web_url(handle: str, uri: str) -> str:
    """The address of a post on bsky.app."""
    return f"https://bsky.app/profile/{handle}/post/{_rkey(uri)}"
