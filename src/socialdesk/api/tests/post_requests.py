"""Requests and posts the posts API tests share (`test_api_posts*.py`)."""

from __future__ import annotations

import base64
import io
import json
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone
from PIL import Image

from socialdesk.accounts.audit import Acting
from socialdesk.accounts.models import User
from socialdesk.channels.models import ChannelAccount
from socialdesk.publishing import services
from socialdesk.publishing.models import Post, PostStatus

HUGE = 2**70


def png(colour: str = "red") -> str:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, url, data, content_type="application/json")


def field_errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 422, response.content[:800]
    assert response["Content-Type"].startswith("application/json")
    errors: dict[str, list[str]] = response.json()["errors"]
    assert errors and all(errors.values())
    return errors


def new_post(people: dict[str, User], channels: dict[str, ChannelAccount], **fields: Any) -> Post:
    return services.post_create(
        by=Acting(user=people[fields.pop("author", "agent")]),
        text=fields.pop("text", "Hinter den Kulissen im Stellwerk"),
        channels=fields.pop("on", [channels["mastodon"], channels["bluesky"]]),
        **fields,
    )


def approved_post(people: dict[str, User], channels: dict[str, ChannelAccount]) -> Post:
    post = new_post(people, channels, scheduled_at=timezone.now() + timedelta(days=2))
    services.post_submit(by=Acting(user=people["agent"]), post=post)
    services.post_approve(by=Acting(user=people["manager"]), post=post)
    post.refresh_from_db()
    assert post.status == PostStatus.SCHEDULED
    return post


def create_post(client: Client, channels: dict[str, ChannelAccount], **fields: Any) -> Any:
    body = {"text": "Stellwerk", "channel_ids": [channels["mastodon"].pk], **fields}
    return send(client, "POST", "/api/v1/posts", body)
