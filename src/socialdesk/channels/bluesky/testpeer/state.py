"""The fake Bluesky server's state: accounts, repositories, indexes and notifications."""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from socialdesk.channels.bluesky.testpeer.records import (
    _MAX_POST_BYTES,
    _MAX_POST_GRAPHEMES,
    _REPLY_NOTIF_DEPTH,
    _URL_RE,
    FOLLOW,
    LIKE,
    POST,
    REPOST,
    JsonDict,
    LoggedRequest,
    _Account,
    _Fault,
    _invalid,
    _iso,
    _mentioned_dids,
    _Notification,
    _parse_at_uri,
    _quoted_uri,
    _Record,
    _RefreshState,
    _reply_parent_uri,
    _strong_ref_uri,
    did_for_handle,
    grapheme_length,
    make_cid,
    make_tid,
)

if TYPE_CHECKING:
    from socialdesk.channels.bluesky.testpeer.plumbing import _HttpServer


class _State:
    """Accounts, repositories and the AppView's indexes (every access under `_lock`)."""

    # createRecord on an existing rkey. The reference PDS has no explicit check: createRecord
    # takes no swapRecord, so the MST insert throws a plain Error ("There is already a value at
    # key") which xrpc-server turns into 500 InternalServerError. We mirror that by default;
    # set this to e.g. (400, "InvalidRequest", "Record already exists") for a friendlier PDS.
    duplicate_create_error: tuple[int, str, str] = (
        500,
        "InternalServerError",
        "Internal Server Error",
    )

    def __init__(
        self,
        *,
        access_ttl_seconds: int = 7200,
        rate_limit: int = 3000,
        rate_window_seconds: float = 300.0,
    ) -> None:
        self.access_ttl_seconds = access_ttl_seconds
        self.refresh_ttl_seconds = 90 * 24 * 3600
        self.refresh_grace_seconds = 7200.0
        self.timeout_delay = 30.0
        self.include_did_doc = True
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._secret = secrets.token_bytes(32)
        self._clock_offset = 0.0
        self._last_tid_micros = 0
        self._clock_id = secrets.randbelow(1024)
        self._httpd: _HttpServer | None = None
        self._url: str | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        # accounts and sessions
        self._accounts: dict[str, _Account] = {}
        self._handles: dict[str, str] = {}
        self._refresh_tokens: dict[str, _RefreshState] = {}
        self._login_count = 0
        self._refresh_count = 0
        # repositories and AppView indexes
        self._repos: dict[str, dict[str, dict[str, _Record]]] = {}
        self._by_uri: dict[str, _Record] = {}
        self._revs: dict[str, tuple[str, str]] = {}
        self._replies: dict[str, list[str]] = {}
        self._quotes: dict[str, set[str]] = {}
        self._likes: dict[str, dict[str, str]] = {}
        self._reposts: dict[str, dict[str, str]] = {}
        self._follows: dict[tuple[str, str], str] = {}
        # Followers the AppView counts besides the follows written here (set_followers_count).
        self._more_followers: dict[str, int] = {}
        self._notifications: list[_Notification] = []
        self._notification_seq = 0
        # operations
        self._rate_limit = rate_limit
        self._rate_window = rate_window_seconds
        self._buckets: dict[str, tuple[float, int]] = {}
        self._faults: list[_Fault] = []
        self._log: list[LoggedRequest] = []
        self._errors: list[Exception] = []

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321`` (the XRPC root is ``url + "/xrpc"``)."""
        if self._url is None:
            raise RuntimeError("FakeBluesky is not started")
        return self._url

    # ------------------------------------------------------------------ internals: state

    def _now(self) -> float:
        return time.time() + self._clock_offset

    def _next_tid(self) -> str:
        micros = max(int(self._now() * 1_000_000), self._last_tid_micros + 1)
        self._last_tid_micros = micros
        return make_tid(micros, self._clock_id)

    def _find_account(self, identifier: str) -> _Account | None:
        identifier = identifier.removeprefix("@")
        if identifier.startswith("did:"):
            return self._accounts.get(identifier)
        did = self._handles.get(identifier.lower())
        return self._accounts.get(did) if did else None

    def _account(self, identifier: str) -> _Account:
        account = self._find_account(identifier)
        if account is None:
            raise KeyError(f"no such account: {identifier}")
        return account

    def _lookup(self, uri: str) -> _Record | None:
        parts = _parse_at_uri(uri)
        if parts is None:
            return None
        account = self._find_account(parts[0])
        if account is None:
            return None
        return self._repos[account.did].get(parts[1], {}).get(parts[2])

    def _require_record(self, uri: str) -> _Record:
        record = self._lookup(uri)
        if record is None:
            raise KeyError(f"no such record: {uri}")
        return record

    def _facets(self, text: str, mentions: Sequence[str]) -> list[JsonDict]:
        data = text.encode("utf-8")
        facets: list[JsonDict] = []
        for name in mentions:
            needle = f"@{name}".encode()
            start = data.find(needle)
            account = self._find_account(name)
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": start + len(needle)},
                    "features": [
                        {
                            "$type": "app.bsky.richtext.facet#mention",
                            "did": account.did if account else did_for_handle(name),
                        }
                    ],
                }
            )
        for match in _URL_RE.finditer(text):
            start = len(text[: match.start()].encode("utf-8"))
            facets.append(
                {
                    "$type": "app.bsky.richtext.facet",
                    "index": {"byteStart": start, "byteEnd": start + len(match[0].encode())},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match[0]}],
                }
            )
        return sorted(facets, key=lambda facet: int(facet["index"]["byteStart"]))

    def _subject_record_as(self, handle: str, collection: str, uri: str) -> str:
        with self._lock:
            author = self._account(handle)
            subject = self._require_record(uri)
            record = {
                "$type": collection,
                "subject": {"uri": subject.uri, "cid": subject.cid},
                "createdAt": _iso(self._now()),
            }
            return self._write(author.did, collection, record, rkey=None, validate=True).uri

    def _validate(self, collection: str, record: JsonDict) -> None:
        """Check the fields the lexicon requires, with the PDS's wording."""
        prefix = f"Invalid {collection} record: "

        def require(name: str, kind: type) -> Any:
            value = record.get(name)
            if value is None:
                raise _invalid(f'{prefix}Record must have the property "{name}"')
            if not isinstance(value, kind):
                raise _invalid(f"{prefix}Record/{name} must be {kind.__name__}")
            return value

        if record.get("$type") != collection:
            raise _invalid(f"Invalid $type: expected {collection}, got {record.get('$type')}")
        if collection == POST:
            text = require("text", str)
            require("createdAt", str)
            if len(text.encode("utf-8")) > _MAX_POST_BYTES:
                raise _invalid(f"{prefix}Record/text must not be longer than 3000 characters")
            if grapheme_length(text) > _MAX_POST_GRAPHEMES:
                raise _invalid(f"{prefix}Record/text must not be longer than 300 graphemes")
            langs = record.get("langs")
            if langs is not None and (not isinstance(langs, list) or len(langs) > 3):
                raise _invalid(f"{prefix}Record/langs must not have more than 3 elements")
            reply = record.get("reply")
            if reply is not None:
                for part in ("root", "parent"):
                    ref = reply.get(part) if isinstance(reply, dict) else None
                    if not (isinstance(ref, dict) and {"uri", "cid"} <= ref.keys()):
                        raise _invalid(f'{prefix}Record/reply must have the property "{part}"')
        elif collection in (LIKE, REPOST):
            subject = require("subject", dict)
            require("createdAt", str)
            if not {"uri", "cid"} <= subject.keys():
                raise _invalid(f'{prefix}Record/subject must have the property "cid"')
        elif collection == FOLLOW:
            require("subject", str)
            require("createdAt", str)

    def _commit(self, did: str) -> JsonDict:
        rev = self._next_tid()
        commit_cid = make_cid({"did": did, "rev": rev, "prev": self._revs.get(did)})
        self._revs[did] = (commit_cid, rev)
        return {"cid": commit_cid, "rev": rev}

    def _write(
        self, did: str, collection: str, value: JsonDict, *, rkey: str | None, validate: bool | None
    ) -> _Record:
        """Create a record (no existing rkey), index it and notify; the caller holds the lock."""
        value.setdefault("$type", collection)
        if validate is not False and collection in (POST, LIKE, REPOST, FOLLOW):
            self._validate(collection, value)
        rkey = rkey or self._next_tid()
        record = _Record(did, collection, rkey, make_cid(value), value, _iso(self._now()))
        self._repos[did].setdefault(collection, {})[rkey] = record
        self._by_uri[record.uri] = record
        self._index(record)
        self._notify(record)
        return record

    def _index(self, record: _Record) -> None:
        value = record.value
        if record.collection == POST:
            parent = _reply_parent_uri(value)
            if parent is not None:
                self._replies.setdefault(parent, []).append(record.uri)
            quoted = _quoted_uri(value)
            if quoted is not None:
                self._quotes.setdefault(quoted, set()).add(record.uri)
        elif record.collection in (LIKE, REPOST):
            subject = _strong_ref_uri(value.get("subject"))
            if subject is not None:
                table = self._likes if record.collection == LIKE else self._reposts
                table.setdefault(subject, {})[record.did] = record.uri
        elif record.collection == FOLLOW and isinstance(value.get("subject"), str):
            self._follows[(record.did, value["subject"])] = record.uri

    def _unindex(self, record: _Record) -> None:
        value = record.value
        if record.collection == POST:
            parent = _reply_parent_uri(value)
            if parent is not None and record.uri in self._replies.get(parent, []):
                self._replies[parent].remove(record.uri)
            quoted = _quoted_uri(value)
            if quoted is not None:
                self._quotes.get(quoted, set()).discard(record.uri)
        elif record.collection in (LIKE, REPOST):
            subject = _strong_ref_uri(value.get("subject"))
            table = self._likes if record.collection == LIKE else self._reposts
            if subject is not None and table.get(subject, {}).get(record.did) == record.uri:
                del table[subject][record.did]
        elif record.collection == FOLLOW:
            key = (record.did, str(value.get("subject")))
            if self._follows.get(key) == record.uri:
                del self._follows[key]

    def _notify(self, record: _Record) -> None:
        """Notifications the AppView derives from a new record (one per account, never self)."""
        notified = {record.did}

        def notify(recipient: str, reason: str, subject: str | None) -> None:
            if recipient in notified or recipient not in self._accounts:
                return
            notified.add(recipient)
            self._notification_seq += 1
            self._notifications.append(
                _Notification(
                    seq=self._notification_seq,
                    recipient=recipient,
                    author=record.did,
                    reason=reason,
                    uri=record.uri,
                    cid=record.cid,
                    record=record.value,
                    indexed_at=record.indexed_at,
                    reason_subject=subject,
                )
            )

        value = record.value
        if record.collection == POST:
            for did in _mentioned_dids(value):
                notify(did, "mention", None)
            quoted = _quoted_uri(value)
            quoted_parts = _parse_at_uri(quoted) if quoted else None
            if quoted and quoted_parts and quoted_parts[1] == POST:
                target = self._lookup(quoted)
                notify(target.did if target else quoted_parts[0], "quote", quoted)
            # The AppView walks ancestors-and-self with parentHeight 5 and notifies heights 1-4.
            ancestor_uri = _reply_parent_uri(value)
            for _ in range(_REPLY_NOTIF_DEPTH - 1):
                ancestor = self._lookup(ancestor_uri) if ancestor_uri else None
                if ancestor is None:
                    break
                notify(ancestor.did, "reply", ancestor.uri)
                ancestor_uri = _reply_parent_uri(ancestor.value)
        elif record.collection in (LIKE, REPOST):
            subject = self._lookup(_strong_ref_uri(value.get("subject")) or "")
            if subject is not None:
                notify(subject.did, "like" if record.collection == LIKE else "repost", subject.uri)
        elif record.collection == FOLLOW:
            notify(str(value.get("subject")), "follow", None)
