from django.apps import AppConfig


class LiffyConfig(AppConfig):
    name = "liffy"
    verbose_name = "Liffy core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liffy import checks  # noqa: F401 - registers the deploy checks
