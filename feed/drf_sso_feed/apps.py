"""App config: connects the signal receivers that record what the session state needs and
the database cannot say afterwards (re-issues, deletions)."""
from django.apps import AppConfig


class FeedConfig(AppConfig):
    name = "drf_sso_feed"
    label = "drf_sso_feed"
    verbose_name = "drf-sso edge feed"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from drf_sso_feed import signals

        signals.connect()
