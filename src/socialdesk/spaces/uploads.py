"""Stop an upload as soon as a file passes the limit, so nothing large reaches memory or disk.

Put first in `request.upload_handlers` before `request.POST`/`FILES` is read (the view is
`csrf_exempt` outside and `csrf_protect` inside, as Django's documentation says for handlers
changed in a view). A file over the limit is skipped; its name is kept for the message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit or int(settings.SPACES_ATTACHMENT_MAX_MB) * 1024 * 1024
        self.too_big: list[str] = []
        self.files = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files += 1

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.too_big.append(str(self.file_name or ""))
            raise SkipFile
        return raw_data  # the next handlers (memory, temporary file) keep it

    def file_complete(self, file_size: int) -> None:
        return None
