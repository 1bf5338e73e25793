"""Celery application. Without a broker (CELERY_BROKER_URL / REDIS_URL unset) tasks run eagerly."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liffy.settings")

app = Celery("liffy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
