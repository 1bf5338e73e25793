from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # register the key checks of organizer settings
        from campaigns import sendgrid, webhook_signature  # noqa: F401
