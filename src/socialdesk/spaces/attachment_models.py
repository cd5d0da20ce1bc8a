"""Files on room posts. The bytes live once per content (`AttachmentBlob`, by SHA-256), so
lists never load them and backups of the database carry them; no media folder is needed.
"""

from __future__ import annotations

from django.db import models

from .post_models import RoomPost

ATTACHMENT_NAME_MAX = 120


class AttachmentBlob(models.Model):
    sha256 = models.CharField(max_length=64, unique=True)
    content = models.BinaryField()

    class Meta:
        app_label = "spaces"

    def __str__(self) -> str:
        return self.sha256


class Attachment(models.Model):
    post = models.ForeignKey(RoomPost, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=ATTACHMENT_NAME_MAX)  # sanitised, extension from content
    content_type = models.CharField(max_length=120)  # sniffed from the bytes, never the client's
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    blob = models.ForeignKey(AttachmentBlob, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        app_label = "spaces"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
