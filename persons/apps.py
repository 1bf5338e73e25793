from django.apps import AppConfig


class PersonsConfig(AppConfig):
    name = "persons"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # register the key checks of organizer settings
        from persons import zerobounce, zoho  # noqa: F401
