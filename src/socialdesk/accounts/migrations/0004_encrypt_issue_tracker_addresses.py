"""Keep a department's issue-tracker address encrypted when it carries a password or token.

Existing rows: an address with a user/password or secret query values goes into
`issue_tracker_url_encrypted` (Fernet, like the channels' credentials) and
`issue_tracker_url` keeps the redacted form that every page shows.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def encrypt_addresses(apps: Any, schema_editor: Any) -> None:
    from socialdesk.core import crypto
    from socialdesk.core.addresses import has_secrets, redact

    Department = apps.get_model("accounts", "Department")
    rows = Department.objects.exclude(issue_tracker_url="").filter(issue_tracker_url_encrypted="")
    for department in rows:
        full = department.issue_tracker_url
        if has_secrets(full):
            department.issue_tracker_url = redact(full)
            department.issue_tracker_url_encrypted = crypto.encrypt({"url": full})
            department.save(update_fields=["issue_tracker_url", "issue_tracker_url_encrypted"])


def decrypt_addresses(apps: Any, schema_editor: Any) -> None:
    from socialdesk.core import crypto

    Department = apps.get_model("accounts", "Department")
    for department in Department.objects.exclude(issue_tracker_url_encrypted=""):
        full = str(crypto.decrypt(department.issue_tracker_url_encrypted).get("url", ""))
        department.issue_tracker_url = full[:200]
        department.save(update_fields=["issue_tracker_url"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_add_organisation_retention")]

    operations = [
        migrations.AddField(
            model_name="department",
            name="issue_tracker_url_encrypted",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(encrypt_addresses, decrypt_addresses, elidable=False),
    ]
