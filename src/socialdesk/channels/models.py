"""The company's own accounts on the networks it talks on."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from socialdesk.channels import crypto
from socialdesk.channels.addresses import has_secrets, redact


class Network(models.TextChoices):
    TWITTER = "twitter", "X/Twitter"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    RSS = "rss", "RSS/Atom"
    WEBHOOK = "webhook", "Webhook"
    OTHER = "other", _("Other")


class ChannelAccount(models.Model):
    """One handle of the company on one network (e.g. @NordlichtBahn on Mastodon).

    An account with an empty handle collects conversations whose company account is not
    known yet (an imported post that mentions no company handle and got no answer).
    """

    network = models.CharField(_("network"), max_length=16, choices=Network.choices)
    handle = models.CharField(_("handle"), max_length=255, blank=True)
    name = models.CharField(_("name"), max_length=120, blank=True)
    # Access tokens and app passwords, encrypted (channels.crypto); never shown anywhere.
    credentials_encrypted = models.TextField(blank=True, default="", editable=False)
    # Polling: where to read, how often, how far (cursor), and how the last polls went.
    # `url` is the address as shown (redacted: no user/password, secret query values •••);
    # an address that carries credentials is kept in full only encrypted (`set_url`).
    url = models.URLField(_("address"), max_length=1000, blank=True)
    url_encrypted = models.TextField(blank=True, default="", editable=False)
    poll_interval_seconds = models.PositiveIntegerField(default=300)
    cursor = models.JSONField(default=dict, blank=True)
    # Webhooks: where in a pushed JSON document each field is (dotted paths); see webhook/.
    mapping = models.JSONField(default=dict, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # The last failure: a code (channels.errors.Code, translated when shown) and the raw,
    # redacted detail of the library behind the "Details" disclosure.
    last_error = models.TextField(blank=True, default="")
    last_error_code = models.CharField(max_length=32, blank=True, default="")
    failures = models.PositiveIntegerField(default=0)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # A paused channel is not polled; a disconnected one has no credentials and no address
    # (its conversations and messages stay).
    paused_at = models.DateTimeField(null=True, blank=True)
    # What the network allows in a post, read when the channel connects and refreshed daily
    # (Mastodon: the instance's `configuration`): max_characters, characters_reserved_per_url,
    # max_media, image_size_limit, image_matrix_limit, refreshed_at (ISO 8601).
    limits = models.JSONField(default=dict, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        ordering = ["network", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["network", "handle"], name="unique_channel_handle")
        ]

    def __str__(self) -> str:
        if not self.handle:
            return str(
                _("%(network)s (no company account)") % {"network": self.get_network_display()}
            )
        return self.name or f"@{self.handle}"

    @property
    def is_imported(self) -> bool:
        """A brand handle known from an import: never connected (no credentials, no address)."""
        return (
            bool(self.handle)
            and not self.credentials_encrypted
            and not self.url
            and self.disconnected_at is None
        )

    @property
    def credentials(self) -> dict[str, Any]:
        """Return the decrypted credentials (raise CredentialError when the keys do not fit)."""
        return crypto.decrypt(self.credentials_encrypted)

    def set_credentials(self, values: dict[str, Any]) -> None:
        self.credentials_encrypted = crypto.encrypt(values)

    @property
    def address(self) -> str:
        """Return the full address to connect to (decrypted when it carries credentials)."""
        if not self.url_encrypted:
            return self.url
        return str(crypto.decrypt(self.url_encrypted).get("url", ""))

    def set_url(self, url: str) -> None:
        """Keep the address: shown redacted, in full only encrypted when it carries secrets."""
        if url and has_secrets(url):
            self.url, self.url_encrypted = redact(url), crypto.encrypt({"url": url})
        else:
            self.url, self.url_encrypted = url, ""

    @classmethod
    def normalise_handle(cls, handle: str) -> str:
        """Return a handle without leading @ and in lower case, as it is stored."""
        return handle.strip().lstrip("@").lower()


class SetAsideItem(models.Model):
    """An item a channel delivered that could not be read; kept so nothing is lost silently."""

    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="set_aside"
    )
    external_id = models.CharField(max_length=255, blank=True)
    reason = models.TextField()
    raw = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.channel_account}: {self.reason[:60]}"


class WebhookDelivery(models.Model):
    """A verified delivery, kept as received until the worker has stored its items.

    The endpoint answers as soon as this row is written; the items go into the inbox in
    batches (channels/webhook/receiver.py), together with marking the delivery processed.
    """

    channel_account = models.ForeignKey(
        ChannelAccount, on_delete=models.CASCADE, related_name="deliveries"
    )
    body = models.BinaryField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    stored = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="webhook_delivery_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_account} {self.received_at:%Y-%m-%d %H:%M:%S}"


from socialdesk.channels.follower_models import FollowerSnapshot as FollowerSnapshot  # noqa: E402
