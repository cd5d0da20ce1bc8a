"""How the fake Bluesky server shows what it holds: views, threads, sessions and tokens."""

from __future__ import annotations

import copy
import hashlib
import secrets
import urllib.parse

from socialdesk.channels.bluesky.testpeer.records import (
    _B58,
    ACCESS_SCOPE,
    POST,
    REFRESH_SCOPE,
    JsonDict,
    XrpcError,
    _Account,
    _b64url,
    _invalid,
    _jwt_decode,
    _jwt_encode,
    _Notification,
    _Record,
    _RefreshState,
    _reply_parent_uri,
    _strong_ref_uri,
)
from socialdesk.channels.bluesky.testpeer.state import _State


class _Views(_State):
    # ------------------------------------------------------------------ internals: views

    def _avatar_url(self, account: _Account) -> str | None:
        if account.avatar_cid is None or self._url is None:
            return None
        return f"{self.url}/img/avatar/plain/{account.did}/{account.avatar_cid}@jpeg"

    def _actor_viewer(self, did: str, viewer: str | None) -> JsonDict:
        state: JsonDict = {"muted": False, "blockedBy": False}
        if viewer is not None and viewer != did:
            following = self._follows.get((viewer, did))
            followed_by = self._follows.get((did, viewer))
            if following:
                state["following"] = following
            if followed_by:
                state["followedBy"] = followed_by
        return state

    def _profile_basic(self, did: str, viewer: str | None) -> JsonDict:
        account = self._accounts.get(did)
        if account is None:  # not ours: the AppView would still know a handle; invent one
            return {"did": did, "handle": "handle.invalid", "labels": []}
        view: JsonDict = {"did": did, "handle": account.handle}
        view["displayName"] = account.display_name
        avatar = self._avatar_url(account)
        if avatar:
            view["avatar"] = avatar
        view["associated"] = {"chat": {"allowIncoming": "all"}}
        view["viewer"] = self._actor_viewer(did, viewer)
        view["labels"] = []
        view["createdAt"] = account.created_at
        return view

    def _profile_view(self, did: str, viewer: str | None) -> JsonDict:
        view = self._profile_basic(did, viewer)
        account = self._accounts.get(did)
        if account is not None:
            if account.description is not None:
                view["description"] = account.description
            view["indexedAt"] = account.created_at
        return view

    def _profile_detailed(self, account: _Account, viewer: str | None) -> JsonDict:
        view = self._profile_view(account.did, viewer)
        view["associated"] = {
            "lists": 0,
            "feedgens": 0,
            "starterPacks": 0,
            "labeler": False,
            "chat": {"allowIncoming": "all"},
        }
        view["followersCount"] = sum(
            1 for _, s in self._follows if s == account.did
        ) + self._more_followers.get(account.did, 0)
        view["followsCount"] = sum(1 for f, _ in self._follows if f == account.did)
        view["postsCount"] = len(self._repos[account.did].get(POST, {}))
        return view

    def _embed_view(self, embed: object, viewer: str | None) -> JsonDict | None:
        """Views of record-quote and external-link embeds; media embeds are not modelled."""
        if not isinstance(embed, dict):
            return None
        if embed.get("$type") == "app.bsky.embed.external" and isinstance(
            embed.get("external"), dict
        ):
            external = embed["external"]
            return {
                "$type": "app.bsky.embed.external#view",
                "external": {
                    "uri": external.get("uri", ""),
                    "title": external.get("title", ""),
                    "description": external.get("description", ""),
                },
            }
        if embed.get("$type") != "app.bsky.embed.record":
            return None
        uri = _strong_ref_uri(embed.get("record")) or ""
        quoted = self._lookup(uri)
        if quoted is None:
            inner: JsonDict = {
                "$type": "app.bsky.embed.record#viewNotFound",
                "uri": uri,
                "notFound": True,
            }
        else:
            inner = {
                "$type": "app.bsky.embed.record#viewRecord",
                "uri": quoted.uri,
                "cid": quoted.cid,
                "author": self._profile_basic(quoted.did, viewer),
                "value": quoted.value,
                "labels": [],
                "likeCount": len(self._likes.get(quoted.uri, {})),
                "replyCount": len(self._replies.get(quoted.uri, [])),
                "repostCount": len(self._reposts.get(quoted.uri, {})),
                "quoteCount": len(self._quotes.get(quoted.uri, set())),
                "indexedAt": quoted.indexed_at,
                "embeds": [],
            }
        return {"$type": "app.bsky.embed.record#view", "record": inner}

    def _post_view(self, record: _Record, viewer: str | None) -> JsonDict:
        view: JsonDict = {
            "uri": record.uri,
            "cid": record.cid,
            "author": self._profile_basic(record.did, viewer),
            "record": record.value,
        }
        embed = self._embed_view(record.value.get("embed"), viewer)
        if embed is not None:
            view["embed"] = embed
        state: JsonDict = {"bookmarked": False, "threadMuted": False, "embeddingDisabled": False}
        if viewer is not None:
            like = self._likes.get(record.uri, {}).get(viewer)
            repost = self._reposts.get(record.uri, {}).get(viewer)
            if like:
                state["like"] = like
            if repost:
                state["repost"] = repost
        view.update(
            {
                "bookmarkCount": 0,
                "replyCount": len(self._replies.get(record.uri, [])),
                "repostCount": len(self._reposts.get(record.uri, {})),
                "likeCount": len(self._likes.get(record.uri, {})),
                "quoteCount": len(self._quotes.get(record.uri, set())),
                "indexedAt": record.indexed_at,
                "viewer": state,
                "labels": [],
            }
        )
        return view

    def _notification_view(self, notification: _Notification, account: _Account) -> JsonDict:
        view: JsonDict = {
            "uri": notification.uri,
            "cid": notification.cid,
            "author": self._profile_view(notification.author, account.did),
            "reason": notification.reason,
        }
        if notification.reason_subject is not None:
            view["reasonSubject"] = notification.reason_subject
        view["record"] = copy.deepcopy(notification.record)
        view["isRead"] = account.seen_at is not None and notification.indexed_at <= account.seen_at
        view["indexedAt"] = notification.indexed_at
        view["labels"] = []
        return view

    def _thread_node(
        self, record: _Record, viewer: str | None, depth: int, parent_height: int
    ) -> JsonDict:
        node: JsonDict = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._post_view(record, viewer),
        }
        parent = self._parent_node(record, viewer, parent_height)
        if parent is not None:
            node["parent"] = parent
        node["replies"] = self._reply_nodes(record, viewer, depth)
        return node

    def _parent_node(self, record: _Record, viewer: str | None, height: int) -> JsonDict | None:
        parent_uri = _reply_parent_uri(record.value)
        if parent_uri is None or height <= 0:
            return None
        parent = self._lookup(parent_uri)
        if parent is None:
            return {"$type": "app.bsky.feed.defs#notFoundPost", "uri": parent_uri, "notFound": True}
        node: JsonDict = {
            "$type": "app.bsky.feed.defs#threadViewPost",
            "post": self._post_view(parent, viewer),
        }
        grandparent = self._parent_node(parent, viewer, height - 1)
        if grandparent is not None:
            node["parent"] = grandparent
        return node

    def _reply_nodes(self, record: _Record, viewer: str | None, depth: int) -> list[JsonDict]:
        nodes: list[JsonDict] = []
        if depth <= 0:
            return nodes
        for uri in self._replies.get(record.uri, []):
            child = self._by_uri[uri]
            node: JsonDict = {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": self._post_view(child, viewer),
            }
            if depth > 1:
                node["replies"] = self._reply_nodes(child, viewer, depth - 1)
            nodes.append(node)
        return nodes

    # ------------------------------------------------------------------ internals: auth

    def _did_doc(self, account: _Account) -> JsonDict:
        digest = hashlib.sha256(account.did.encode()).digest()
        key = "zQ3sh" + "".join(_B58[byte % 58] for byte in digest) + _B58[digest[0] % 58] * 12
        return {
            "@context": [
                "https://www.w3.org/ns/did/v1",
                "https://w3id.org/security/multikey/v1",
                "https://w3id.org/security/suites/secp256k1-2019/v1",
            ],
            "id": account.did,
            "alsoKnownAs": [f"at://{account.handle}"],
            "verificationMethod": [
                {
                    "id": f"{account.did}#atproto",
                    "type": "Multikey",
                    "controller": account.did,
                    "publicKeyMultibase": key,
                }
            ],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": self.url,
                }
            ],
        }

    def _session_body(self, account: _Account, tokens: tuple[str, str] | None) -> JsonDict:
        body: JsonDict = {"did": account.did}
        if self.include_did_doc:
            body["didDoc"] = self._did_doc(account)
        body["handle"] = account.handle
        if account.email is not None:
            body["email"] = account.email
            body["emailConfirmed"] = True
            body["emailAuthFactor"] = False
        if tokens is not None:
            body["accessJwt"], body["refreshJwt"] = tokens
        body["active"] = True
        return body

    def _issue_tokens(self, did: str) -> tuple[str, str]:
        now = int(self._now())
        audience = f"did:web:{urllib.parse.quote(self.url.removeprefix('http://'), safe='')}"
        access = _jwt_encode(
            {"typ": "at+jwt", "alg": "HS256"},
            {
                "scope": ACCESS_SCOPE,
                "aud": audience,
                "sub": did,
                "iat": now,
                "exp": now + int(self.access_ttl_seconds),
            },
            self._secret,
        )
        jti = _b64url(secrets.token_bytes(24))
        refresh = _jwt_encode(
            {"typ": "refresh+jwt", "alg": "HS256"},
            {
                "scope": REFRESH_SCOPE,
                "aud": audience,
                "sub": did,
                "jti": jti,
                "iat": now,
                "exp": now + int(self.refresh_ttl_seconds),
            },
            self._secret,
        )
        self._refresh_tokens[jti] = _RefreshState(did)
        return access, refresh

    def _verify(self, token: str | None, scope: str) -> JsonDict:
        """Check a bearer token as the PDS does (errors and statuses as in its auth verifier)."""
        if not token:
            raise XrpcError(401, "AuthMissing", "Authentication Required")
        claims = _jwt_decode(token, self._secret)
        if claims is None:
            raise XrpcError(401, "InvalidToken", "Token could not be verified")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= self._now():
            raise _invalid("Token has expired", "ExpiredToken")
        if claims.get("scope") != scope:
            raise _invalid("Bad token scope", "InvalidToken")
        if claims.get("sub") not in self._accounts:
            raise XrpcError(401, "InvalidToken", "Token could not be verified")
        return claims

    def _token_subject(self, token: str | None) -> str | None:
        claims = _jwt_decode(token, self._secret) if token else None
        sub = claims.get("sub") if claims else None
        return sub if isinstance(sub, str) else None
