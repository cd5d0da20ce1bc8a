"""The composer's form: channels, the main text and its thread, a variant per channel, images
with alt text, content warning, language, visibility, link, campaign and time.

Repeated fields (`thread`, `variant_<channel id>`) are read with `getlist`; ids go through
`core.params` (a huge or foreign number names nothing). What each network accepts is checked
by `compose_services.post_compose` on what it would store.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from socialdesk.channels.items.normalise import clean_text
from socialdesk.channels.models import ChannelAccount
from socialdesk.core.forms import ObjectField, WholeNumberField
from socialdesk.core.params import id_param
from socialdesk.publishing import images
from socialdesk.publishing.compose_services import Composed, Upload
from socialdesk.publishing.models import Campaign, Post, Visibility

MAX_TEXT = 50_000  # per part: more than any network takes, less than a flood
MAX_PARTS = 25
NEW_IMAGES = 4  # upload slots per save
LANGUAGES = ("de", "en", "fr", "es", "it", "nl", "pl", "tr", "uk", "ar")


def language_choices() -> list[tuple[str, str]]:
    return [("", _("Guess from the text"))] + [
        (code, str(get_language_info(code)["name_translated"])) for code in LANGUAGES
    ]


class ComposeForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title (internal)"), max_length=200, required=False)
    text = forms.CharField(
        label=gettext_lazy("Text"),
        max_length=MAX_TEXT,
        strip=False,
        error_messages={"required": gettext_lazy("Write the text of the post.")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    content_warning = forms.CharField(
        label=gettext_lazy("Content warning"), max_length=500, required=False
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), required=False)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Visibility"), choices=Visibility.choices, initial=Visibility.PUBLIC
    )
    link_url = forms.URLField(
        label=gettext_lazy("Link for a preview card"),
        max_length=1000,
        required=False,
        assume_scheme="https",
    )
    campaign = ObjectField(
        Campaign.objects.filter(archived_at__isnull=True), label=gettext_lazy("Campaign")
    )
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Publish at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    action = forms.ChoiceField(choices=[("save", "save"), ("submit", "submit")], required=False)

    def __init__(
        self,
        *args: Any,
        channels: QuerySet[ChannelAccount],
        post: Post | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channel_options = channels
        self.post = post
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = language_choices()
        self.media_items = list(post.media.all()) if post is not None else []
        for media in self.media_items:
            self.fields[f"alt_{media.pk}"] = forms.CharField(
                label=gettext_lazy("Alt text"),
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        for i in range(NEW_IMAGES):
            self.fields[f"image_new_{i}"] = forms.FileField(
                label=gettext_lazy("Image"),
                required=False,
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}
                ),
            )
            self.fields[f"alt_new_{i}"] = forms.CharField(
                label=gettext_lazy("Alt text"),
                max_length=5000,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"part_new_{i}"] = WholeNumberField(
                default=1, minimum=1, maximum=MAX_PARTS, label=gettext_lazy("Part")
            )

    # ---------------------------------------------------------------- repeated fields

    def _list(self, name: str) -> list[str]:
        if self.data is None or not hasattr(self.data, "getlist"):
            return []
        return [str(v).replace("\r\n", "\n") for v in self.data.getlist(name)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        thread = [t for t in self._list("thread") if t.strip()]
        if len(thread) + 1 > MAX_PARTS:
            self.fail("thread", _("A thread has at most %(n)s parts.") % {"n": MAX_PARTS})
        if any(len(t) > MAX_TEXT for t in thread):
            self.fail("thread", _("A part holds at most %(n)s characters.") % {"n": MAX_TEXT})
        cleaned["thread"] = thread
        wanted = [id_param(v) for v in self._list("channels")]
        ids = [pk for pk in wanted if pk is not None]
        known = {c.pk: c for c in ChannelAccount.objects.filter(pk__in=ids)}
        if len(known) < len(wanted):
            self.fail("channels", _("A chosen channel does not exist."))
        chosen = [known[pk] for pk in dict.fromkeys(ids) if pk in known]
        if not chosen:
            self.fail("channels", _("Choose at least one channel."))
        cleaned["channels"] = chosen
        variants: dict[int, list[str] | None] = {}
        for channel in chosen:
            own = [t for t in self._list(f"variant_{channel.pk}") if t.strip()]
            customised = self.data.get(f"customise_{channel.pk}") == "on"
            if any(len(t) > MAX_TEXT for t in own) or len(own) > MAX_PARTS:
                self.fail(
                    f"variant_{channel.pk}",
                    _("A part holds at most %(n)s characters.") % {"n": MAX_TEXT},
                )
            variants[channel.pk] = own if customised and own else None
        cleaned["variants"] = variants
        uploads: list[Upload] = []
        for i in range(NEW_IMAGES):
            upload = cleaned.get(f"image_new_{i}")
            if isinstance(upload, UploadedFile):
                data = upload.read(images.UPLOAD_LIMIT + 1)
                uploads.append(
                    Upload(
                        data=data,
                        filename=clean_text(str(upload.name or ""))[:255],
                        alt_text=cleaned.get(f"alt_new_{i}") or "",
                        part=(cleaned.get(f"part_new_{i}") or 1) - 1,
                        field=f"image_new_{i}",
                    )
                )
        cleaned["uploads"] = uploads
        return cleaned

    def composed(self, idea: Any = None) -> Composed:
        data = self.cleaned_data
        return Composed(
            text=data["text"],
            channels=data["channels"],
            thread=data["thread"],
            variants=data["variants"],
            title=data["title"],
            campaign=data["campaign"],
            idea=idea,
            scheduled_at=data["scheduled_at"],
            language=data["language"],
            content_warning=data["content_warning"],
            visibility=data["visibility"],
            link_url=data["link_url"],
            alt_texts={m.pk: data.get(f"alt_{m.pk}") or "" for m in self.media_items},
            uploads=data["uploads"],
            submit=data.get("action") == "submit",
        )

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        """Put the errors of the rules (by field) on the form; unknown fields at the top."""
        for field, messages in errors.items():
            for message in messages:
                if field in self.fields:
                    self.add_error(field, message)
                else:
                    self.fail(field, message)

    def fail(self, field: str, message: str) -> None:
        bucket = self.extra_errors.setdefault(field, [])
        if message not in bucket:
            bucket.append(message)

    def valid(self) -> bool:
        return self.is_valid() and not self.extra_errors

    def all_errors(self) -> list[str]:
        """Every message once, fields in form order first (the summary above the form)."""
        found = [str(m) for errors in self.errors.values() for m in errors]
        found += [m for errors in self.extra_errors.values() for m in errors]
        return list(dict.fromkeys(found))

    @property
    def extra_errors(self) -> dict[str, list[str]]:
        """Errors of fields that are not Django fields (channels, thread, variants, media)."""
        if not hasattr(self, "_extra"):
            self._extra: dict[str, list[str]] = {}
        return self._extra


class MediaDeleteForm(forms.Form):
    """Removing an image needs nothing but the POST (and its CSRF token)."""
