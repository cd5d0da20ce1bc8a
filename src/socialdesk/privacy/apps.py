from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "socialdesk.privacy"
    label = "privacy"
    verbose_name = "Privacy"
