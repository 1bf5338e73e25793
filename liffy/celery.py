"""Celery application. Without a broker (CELERY_BROKER_URL / REDIS_URL unset) tasks run eagerly.

Workers: the queues of WORKER_QUEUES (workload names, see `liffy.queues`), else all of them; logging
exactly as Django's LOGGING says (one line per record, LOG_FORMAT=json included); a shutdown request
reaches the running task (`liffy.shutdown`).
"""

import logging.config
import os

from billiard.process import current_process
from celery import Celery, signals

from liffy import logs, shutdown
from liffy.queues import queue_names

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liffy.settings")

app = Celery("liffy")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.celeryd_init.connect
def consume_the_configured_workloads(instance=None, options=None, **_):
    """WORKER_QUEUES=sending,imports → this worker takes those queues only (`-Q` given wins)."""
    from django.conf import settings

    if settings.WORKER_QUEUES and not (options or {}).get("queues"):
        app.amqp.queues.select(queue_names(app.conf.task_default_queue, settings.WORKER_QUEUES))


@signals.task_prerun.connect
def stop_pool_processes_at_a_safe_point(**_):
    """A prefork pool process exits at once on SIGTERM (billiard installs that handler after every hook
    Celery offers before the first task): here, before each task, it asks for a stop instead."""
    if current_process().name != "MainProcess":
        shutdown.stop_on_first_sigterm()


@signals.setup_logging.connect
def use_django_logging(**_):
    """Django's LOGGING, instead of Celery replacing the root logger's handlers with its own."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


signals.worker_shutting_down.connect(lambda **_: shutdown.request(), weak=False)
signals.before_task_publish.connect(logs.add_context_to_task_headers, weak=False)
signals.task_prerun.connect(logs.bind_task_context, weak=False)
signals.task_postrun.connect(logs.unbind_task_context, weak=False)
