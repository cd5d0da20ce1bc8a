"""The fake Bluesky server's test controls: accounts, and posts, likes, reposts and follows
written on behalf of its accounts (as the real AppView would index them)."""

from __future__ import annotations

import copy
from collections.abc import Sequence

from socialdesk.channels.bluesky.testpeer.media import _Media
from socialdesk.channels.bluesky.testpeer.records import (
    _HANDLE_RE,
    FOLLOW,
    LIKE,
    POST,
    REPOST,
    JsonDict,
    _Account,
    _iso,
    did_for_handle,
    make_cid,
)


class _Actors(_Media):
    # ------------------------------------------------------------------ accounts and helpers

    def create_account(
        self,
        handle: str,
        password: str,
        *,
        display_name: str | None = None,
        description: str | None = None,
        email: str | None = None,
        avatar: bool = False,
    ) -> str:
        """Create an account and return its DID (derived from the handle)."""
        handle = handle.lower().removeprefix("@")
        if not _HANDLE_RE.match(handle):
            raise ValueError(f"not a valid handle: {handle!r}")
        did = did_for_handle(handle)
        with self._lock:
            if handle in self._handles:
                raise ValueError(f"handle already taken: {handle}")
            self._accounts[did] = _Account(
                did=did,
                handle=handle,
                password=password,
                display_name=display_name if display_name is not None else handle.split(".")[0],
                description=description,
                email=email,
                avatar_cid=make_cid({"avatar": did}) if avatar else None,
                created_at=_iso(self._now()),
            )
            self._handles[handle] = did
            self._repos[did] = {}
        return did

    def did_for(self, did_or_handle: str) -> str:
        """The DID of an account of the fake."""
        with self._lock:
            return self._account(did_or_handle).did

    def post_as(
        self,
        handle: str,
        text: str,
        *,
        reply_to_uri: str | None = None,
        mention: str | Sequence[str] | None = None,
        quote_uri: str | None = None,
        langs: Sequence[str] = ("en",),
        created_at: str | None = None,
        broken: JsonDict | None = None,
    ) -> str:
        """Write a post by ``handle`` (with mention/link facets and reply refs); return its URI.

        A mentioned handle missing from ``text`` is put in front of it. Mentioned, replied-to and
        quoted accounts of the fake get their notifications, as from the real AppView.
        ``broken`` replaces fields of the record (``None`` removes one) and writes it without
        validation, as a PDS does for ``createRecord`` with ``validate: false``.
        """
        mentions = [mention] if isinstance(mention, str) else list(mention or ())
        mentions = [m.lower().removeprefix("@") for m in mentions]
        for name in reversed(mentions):
            if f"@{name}" not in text:
                text = f"@{name} {text}"
        with self._lock:
            author = self._account(handle)
            record: JsonDict = {
                "$type": POST,
                "text": text,
                "createdAt": created_at or _iso(self._now()),
                "langs": list(langs),
            }
            facets = self._facets(text, mentions)
            if facets:
                record["facets"] = facets
            if reply_to_uri is not None:
                parent = self._require_record(reply_to_uri)
                reply = parent.value.get("reply")
                root = reply.get("root") if isinstance(reply, dict) else None
                if not isinstance(root, dict):
                    root = {"uri": parent.uri, "cid": parent.cid}
                record["reply"] = {
                    "root": {"uri": root["uri"], "cid": root["cid"]},
                    "parent": {"uri": parent.uri, "cid": parent.cid},
                }
            if quote_uri is not None:
                quoted = self._require_record(quote_uri)
                record["embed"] = {
                    "$type": "app.bsky.embed.record",
                    "record": {"uri": quoted.uri, "cid": quoted.cid},
                }
            for name, value in (broken or {}).items():
                if value is None:
                    record.pop(name, None)
                else:
                    record[name] = value
            validate = broken is None
            return self._write(author.did, POST, record, rkey=None, validate=validate).uri

    def like_as(self, handle: str, uri: str) -> str:
        """``handle`` likes the record at ``uri``; return the like's URI."""
        return self._subject_record_as(handle, LIKE, uri)

    def repost_as(self, handle: str, uri: str) -> str:
        """``handle`` reposts the record at ``uri``; return the repost's URI."""
        return self._subject_record_as(handle, REPOST, uri)

    def follow_as(self, handle: str, subject: str) -> str:
        """``handle`` follows ``subject`` (handle or DID); return the follow's URI."""
        with self._lock:
            author = self._account(handle)
            target = self._account(subject).did if not subject.startswith("did:") else subject
            record = {"$type": FOLLOW, "subject": target, "createdAt": _iso(self._now())}
            return self._write(author.did, FOLLOW, record, rkey=None, validate=True).uri

    def records(self, did_or_handle: str, collection: str = POST) -> list[JsonDict]:
        """The records of a repo collection, oldest first: ``{"uri", "cid", "value"}``."""
        with self._lock:
            did = self._account(did_or_handle).did
            stored = self._repos[did].get(collection, {})
            return [
                {"uri": r.uri, "cid": r.cid, "value": copy.deepcopy(r.value)}
                for _, r in sorted(stored.items())
            ]

    def notifications(self, did_or_handle: str) -> list[JsonDict]:
        """The notifications of an account, newest first, as listNotifications shows them."""
        with self._lock:
            account = self._account(did_or_handle)
            mine = [n for n in reversed(self._notifications) if n.recipient == account.did]
            return [self._notification_view(n, account) for n in mine]

    def set_followers_count(self, handle: str, count: int) -> None:
        """The profile's ``followersCount`` is ``count`` (the follows written here included),
        as for an account with more followers than a test can write follow records for."""
        with self._lock:
            did = self._account(handle).did
            written = sum(1 for _, subject in self._follows if subject == did)
            self._more_followers[did] = count - written

    def engage(
        self, uri: str, *, likes: int = 0, reposts: int = 0, replies: int = 0, quotes: int = 0
    ) -> dict[str, list[str]]:
        """Other accounts (``fan-1.test``, ``fan-2.test``, …, made when missing) like, repost,
        reply to and quote the post at ``uri``, each account at most once per kind, as on the
        network; return the URIs written by kind. ``app.bsky.feed.getPosts`` then counts them."""
        wanted = max(likes, reposts, replies, quotes, 0)
        fans = [f"fan-{n}.test" for n in range(1, wanted + 1)]
        for fan in fans:
            with self._lock:
                known = self._find_account(fan) is not None
            if not known:
                self.create_account(fan, f"{fan}-password")
        return {
            "likes": [self.like_as(f, uri) for f in fans[:likes] if not self._did(LIKE, f, uri)],
            "reposts": [
                self.repost_as(f, uri) for f in fans[:reposts] if not self._did(REPOST, f, uri)
            ],
            "replies": [
                self.post_as(fan, f"Antwort {n}", reply_to_uri=uri)
                for n, fan in enumerate(fans[:replies], start=1)
            ],
            "quotes": [
                self.post_as(fan, f"Zitat {n}", quote_uri=uri)
                for n, fan in enumerate(fans[:quotes], start=1)
            ],
        }

    def _did(self, collection: str, handle: str, uri: str) -> bool:
        """Whether `handle` already likes (reposts) the record at `uri`."""
        with self._lock:
            table = self._likes if collection == LIKE else self._reposts
            return self._account(handle).did in table.get(uri, {})
