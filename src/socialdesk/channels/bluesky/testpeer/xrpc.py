"""The XRPC endpoints of the fake Bluesky server."""

from __future__ import annotations

import hmac

from socialdesk.channels.bluesky.testpeer.records import (
    _RKEY_RE,
    FOLLOW,
    LIKE,
    POST,
    REPOST,
    JsonDict,
    XrpcError,
    _bool_param,
    _Call,
    _field,
    _int_param,
    _invalid,
    _Notification,
    _param,
    _Record,
    make_cid,
)
from socialdesk.channels.bluesky.testpeer.views import _Views


class _Xrpc(_Views):
    # ------------------------------------------------------------------ endpoints

    def _create_session(self, call: _Call) -> JsonDict:
        identifier = _field(call.body, "identifier")
        password = _field(call.body, "password")
        account = self._find_account(identifier)
        if account is None or not hmac.compare_digest(account.password.encode(), password.encode()):
            raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
        self._login_count += 1
        return self._session_body(account, self._issue_tokens(account.did))

    def _refresh_session(self, call: _Call) -> JsonDict:
        assert call.claims is not None and call.viewer is not None
        state = self._refresh_tokens.get(str(call.claims.get("jti")))
        now = self._now()
        if state is None or state.revoked:
            raise _invalid("Token has been revoked", "ExpiredToken")
        if state.used_at is not None and now - state.used_at > self.refresh_grace_seconds:
            state.revoked = True
            raise _invalid("Token has been revoked", "ExpiredToken")
        if state.used_at is None:
            state.used_at = now
        self._refresh_count += 1
        account = self._accounts[call.viewer]
        return self._session_body(account, self._issue_tokens(account.did))

    def _get_session(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        return self._session_body(self._accounts[call.viewer], None)

    def _delete_session(self, call: _Call) -> None:
        assert call.claims is not None
        state = self._refresh_tokens.get(str(call.claims.get("jti")))
        if state is not None:
            state.revoked = True

    def _resolve_handle(self, call: _Call) -> JsonDict:
        handle = _param(call, "handle").lower()
        account = None if handle.startswith("did:") else self._find_account(handle)
        if account is None:
            raise _invalid("Unable to resolve handle")
        return {"did": account.did}

    def _get_profile(self, call: _Call) -> JsonDict:
        account = self._find_account(_param(call, "actor"))
        if account is None:
            raise _invalid("Profile not found")
        return self._profile_detailed(account, call.viewer)

    def _get_profiles(self, call: _Call) -> JsonDict:
        actors = call.params.get("actors", [])
        if len(actors) > 25:
            raise _invalid("Error: actors must not have more than 25 elements")
        found = [self._find_account(actor) for actor in actors]
        return {"profiles": [self._profile_detailed(a, call.viewer) for a in found if a]}

    def _list_notifications(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        account = self._accounts[call.viewer]
        limit = _int_param(call, "limit", 50, 1, 100)
        reasons = set(call.params.get("reasons", []))
        cursor = call.params.get("cursor", [""])[0]
        if cursor and not cursor.isdigit():
            raise _invalid("Malformed cursor")
        page: list[_Notification] = []
        for notification in reversed(self._notifications):
            if notification.recipient != account.did:
                continue
            if cursor and notification.seq >= int(cursor):
                continue
            if reasons and notification.reason not in reasons:
                continue
            page.append(notification)
            if len(page) == limit:
                break
        body: JsonDict = {"notifications": [self._notification_view(n, account) for n in page]}
        # The AppView's keyset cursor is set whenever the page is not empty, so a client sees
        # one last empty page before the cursor disappears. Ours is opaque, as theirs should be.
        if page:
            body["cursor"] = str(page[-1].seq)
        body["priority"] = False
        if account.seen_at is not None:
            body["seenAt"] = account.seen_at
        return body

    def _unread_count(self, call: _Call) -> JsonDict:
        assert call.viewer is not None
        account = self._accounts[call.viewer]
        count = sum(
            1
            for n in self._notifications
            if n.recipient == account.did
            and (account.seen_at is None or n.indexed_at > account.seen_at)
        )
        return {"count": count}

    def _update_seen(self, call: _Call) -> None:
        assert call.viewer is not None
        self._accounts[call.viewer].seen_at = _field(call.body, "seenAt")

    def _writable_repo(self, call: _Call) -> str:
        repo = _field(call.body, "repo")
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        if account.did != call.viewer:
            raise XrpcError(401, "AuthenticationRequired", "Authentication Required")
        return account.did

    @staticmethod
    def _record_input(call: _Call) -> tuple[str, JsonDict, bool | None]:
        collection = _field(call.body, "collection")
        record = call.body.get("record")
        if not isinstance(record, dict):
            raise _invalid('Input must have the property "record"')
        validate = call.body.get("validate")
        return collection, record, validate if isinstance(validate, bool) else None

    @staticmethod
    def _check_rkey(rkey: object) -> str | None:
        if rkey is None:
            return None
        if not isinstance(rkey, str) or not _RKEY_RE.match(rkey) or rkey in (".", ".."):
            raise _invalid("Input/rkey must be a valid Record Key")
        return rkey

    def _write_response(self, record: _Record, commit: JsonDict, known: bool) -> JsonDict:
        return {
            "uri": record.uri,
            "cid": record.cid,
            "commit": commit,
            "validationStatus": "valid" if known else "unknown",
        }

    def _create_record(self, call: _Call) -> JsonDict:
        did = self._writable_repo(call)
        collection, value, validate = self._record_input(call)
        rkey = self._check_rkey(call.body.get("rkey"))
        if rkey is not None and rkey in self._repos[did].get(collection, {}):
            raise XrpcError(*self.duplicate_create_error)
        record = self._write(did, collection, value, rkey=rkey, validate=validate)
        known = validate is not False and collection in (POST, LIKE, REPOST, FOLLOW)
        return self._write_response(record, self._commit(did), known)

    def _put_record(self, call: _Call) -> JsonDict:
        did = self._writable_repo(call)
        collection, value, validate = self._record_input(call)
        rkey = self._check_rkey(call.body.get("rkey"))
        if rkey is None:
            raise _invalid('Input must have the property "rkey"')
        current = self._repos[did].get(collection, {}).get(rkey)
        value.setdefault("$type", collection)
        known = validate is not False and collection in (POST, LIKE, REPOST, FOLLOW)
        # As in the PDS: an identical record is a no-op (200, no commit) before any swap check;
        # otherwise swapRecord null means "must not exist" and a CID means "must be at this CID".
        if current is not None and current.cid == make_cid(value):
            return {"uri": current.uri, "cid": current.cid, "validationStatus": "valid"}
        if "swapRecord" in call.body:
            swap = call.body["swapRecord"]
            if (swap is None and current is not None) or (
                swap is not None and (current is None or current.cid != swap)
            ):
                at = current.cid if current else "null"
                raise _invalid(f"Record was at {at}", "InvalidSwap")
        if current is not None:
            if known:
                self._validate(collection, value)
            self._unindex(current)
            current.value, current.cid = value, make_cid(value)
            self._index(current)
            return self._write_response(current, self._commit(did), known)
        record = self._write(did, collection, value, rkey=rkey, validate=validate)
        return self._write_response(record, self._commit(did), known)

    def _delete_record(self, call: _Call) -> JsonDict:
        did = self._writable_repo(call)
        collection = _field(call.body, "collection")
        rkey = _field(call.body, "rkey")
        record = self._repos[did].get(collection, {}).get(rkey)
        swap = call.body.get("swapRecord")
        if swap is not None and (record is None or record.cid != swap):
            raise _invalid(f"Record was at {record.cid if record else 'null'}", "InvalidSwap")
        if record is None:  # deleting what is not there is a no-op without a commit
            return {}
        del self._repos[did][collection][rkey]
        del self._by_uri[record.uri]
        self._unindex(record)
        self._notifications = [n for n in self._notifications if n.uri != record.uri]
        return {"commit": self._commit(did)}

    def _get_record(self, call: _Call) -> JsonDict:
        repo = _param(call, "repo")
        collection = _param(call, "collection")
        rkey = _param(call, "rkey")
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        record = self._repos[account.did].get(collection, {}).get(rkey)
        wanted_cid = call.params.get("cid", [None])[0]
        if record is None or (wanted_cid and record.cid != wanted_cid):
            uri = f"at://{account.did}/{collection}/{rkey}"
            raise _invalid(f"Could not locate record: {uri}", "RecordNotFound")
        return {"uri": record.uri, "cid": record.cid, "value": record.value}

    def _list_records(self, call: _Call) -> JsonDict:
        repo = _param(call, "repo")
        collection = _param(call, "collection")
        limit = _int_param(call, "limit", 50, 1, 100)
        reverse = _bool_param(call, "reverse")
        cursor = call.params.get("cursor", [""])[0]
        account = self._find_account(repo)
        if account is None:
            raise _invalid(f"Could not find repo: {repo}")
        # The PDS lists by rkey, newest (highest TID) first unless reverse=true; the cursor is
        # the last rkey and is returned whenever the page is not empty.
        stored = sorted(self._repos[account.did].get(collection, {}).items(), reverse=not reverse)
        if cursor:
            stored = [(k, r) for k, r in stored if (k > cursor if reverse else k < cursor)]
        page = [r for _, r in stored[:limit]]
        body: JsonDict = {"records": [{"uri": r.uri, "cid": r.cid, "value": r.value} for r in page]}
        if page:
            body["cursor"] = page[-1].rkey
        return body

    def _get_posts(self, call: _Call) -> JsonDict:
        uris = call.params.get("uris", [])
        if len(uris) > 25:
            raise _invalid("Error: uris must not have more than 25 elements")
        found = [self._lookup(uri) for uri in uris]
        posts = [self._post_view(r, call.viewer) for r in found if r and r.collection == POST]
        return {"posts": posts}

    def _get_post_thread(self, call: _Call) -> JsonDict:
        uri = _param(call, "uri")
        depth = _int_param(call, "depth", 6, 0, 1000)
        parent_height = _int_param(call, "parentHeight", 80, 0, 1000)
        record = self._lookup(uri)
        if record is None or record.collection != POST:
            raise _invalid(f"Post not found: {uri}", "NotFound")
        return {"thread": self._thread_node(record, call.viewer, depth, parent_height)}
