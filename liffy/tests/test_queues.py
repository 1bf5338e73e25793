"""Queues by workload: every task routed, names derived from the deployment's prefix, workers choosing
their workloads. Real workers on two queues are in campaigns/tests/test_workers.py."""

import importlib
from importlib.util import find_spec
from pathlib import Path

import pytest
from django.apps import apps

from liffy.celery import app as celery_app
from liffy.celery import consume_the_configured_workloads
from liffy.queues import WORKLOADS, queue_names


def _project_tasks(settings):
    project = [config.name for config in apps.get_app_configs() if Path(config.path).is_relative_to(settings.BASE_DIR)]
    for name in project:
        if find_spec(f"{name}.tasks"):
            importlib.import_module(f"{name}.tasks")
    return {task for task in celery_app.tasks if task.split(".")[0] in project}


def test_every_task_of_the_project_goes_to_a_workload_queue(settings):
    assert _project_tasks(settings) == set(settings.CELERY_TASK_ROUTES)
    prefix = settings.CELERY_TASK_DEFAULT_QUEUE
    assert {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} == {f"{prefix}.{w}" for w in WORKLOADS}
    route = celery_app.amqp.router.route({}, "campaigns.tasks.send_campaign_task")
    assert route["queue"].name == route["queue"].routing_key == f"{prefix}.sending"  # its own binding, no fan-out


def test_a_worker_consumes_every_queue_unless_given_workloads(settings):
    prefix = settings.CELERY_TASK_DEFAULT_QUEUE
    assert set(celery_app.amqp.queues.consume_from) == {prefix, *(f"{prefix}.{w}" for w in WORKLOADS)}
    settings.WORKER_QUEUES = ["sending", "imports"]
    try:
        consume_the_configured_workloads(options={"queues": None})
        assert set(celery_app.amqp.queues.consume_from) == {f"{prefix}.sending", f"{prefix}.imports"}
    finally:
        celery_app.amqp.queues._consume_from = None


def test_an_unknown_workload_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match=r"sned.*sending, imports, mining, verification, maintenance"):
        queue_names("liffy", ["sned"])
