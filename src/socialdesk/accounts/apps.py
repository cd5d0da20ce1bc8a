from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "socialdesk.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from socialdesk.accounts import signals  # noqa: F401 - connects the audit receivers
