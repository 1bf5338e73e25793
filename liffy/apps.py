from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LiffyConfig(AppConfig):
    name = "liffy"
    verbose_name = "Liffy core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from liffy import checks, lookups  # noqa: F401 - register the deploy checks and the admin search lookups
        from liffy.admin_groups import sync_after_migrate

        post_migrate.connect(sync_after_migrate, dispatch_uid="liffy.admin_groups")
