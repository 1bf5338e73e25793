"""Log lines: JSON with request, organizer and task ids (LOG_FORMAT=json), request ids echoed, and each
record printed once."""

import io
import json
import logging
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings

from liffy.celery import app as celery_app
from liffy.logs import ContextFilter, JsonFormatter


@celery_app.task(name="tests.log_a_line")
def log_a_line():
    logging.getLogger("liffy.tests").warning("inside a task")


@pytest.fixture
def json_lines():
    """What the root logger writes in LOG_FORMAT=json, as parsed objects (call it to read)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


def test_a_request_s_lines_carry_its_id_and_the_organizer(member_client, organizer, json_lines):
    response = member_client.get(f"/api/persons/{uuid.uuid4()}", HTTP_X_REQUEST_ID="lb-7f3a.42")
    assert response.status_code == 404 and response["X-Request-ID"] == "lb-7f3a.42"
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert line["level"] == "WARNING" and line["message"].startswith("Not Found: /api/persons/")
    assert (line["request_id"], line["organizer_id"], line["task_id"]) == ("lb-7f3a.42", str(organizer.pk), None)
    assert line["time"].endswith("+00:00")


@pytest.mark.parametrize("incoming", [None, "", "two words", "x" * 129, "id\r\nSet-Cookie: a=b", "ü-umlaut"])
def test_a_missing_or_malformed_request_id_is_replaced_by_a_new_one(api_client, incoming, json_lines):
    headers = {} if incoming is None else {"HTTP_X_REQUEST_ID": incoming}
    response = api_client.get("/api/me", **headers)
    assert response.status_code == 401
    generated = response["X-Request-ID"]
    assert generated != incoming and len(generated) == 32 and int(generated, 16) >= 0
    [line] = [line for line in json_lines() if line["logger"] == "django.request"]
    assert (line["request_id"], line["organizer_id"]) == (generated, None)


def test_the_context_ends_with_the_request(member_client, json_lines):
    member_client.get("/api/me", HTTP_X_REQUEST_ID="req-1")
    logging.getLogger("liffy.tests").warning("after the request")
    assert json_lines()[-1]["request_id"] is None and json_lines()[-1]["organizer_id"] is None


def test_lines_inside_a_task_carry_its_id(json_lines):
    result = log_a_line.apply()
    [line] = [line for line in json_lines() if line["message"] == "inside a task"]
    assert line["task_id"] == result.id and line["logger"] == "liffy.tests"


def test_an_exception_is_in_the_object_not_on_lines_of_its_own(json_lines):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("liffy.tests").exception("it broke")
    [line] = json_lines()
    assert line["message"] == "it broke" and "ValueError: broken" in line["exception"]


def _log_from_a_fresh_process(**environment):
    """stderr of a process that sets Django up (as runserver, gunicorn or a worker do) and logs three records."""
    code = (
        "import django, logging; django.setup();"
        "logging.getLogger('django.request').warning('Not Found: /nope');"
        "logging.getLogger('django.server').info('GET /admin/ 200');"
        "logging.getLogger('liffy.tests').warning('an app line')"
    )
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "liffy.settings", "LOG_LEVEL": "INFO"} | environment
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stderr.splitlines()


def test_every_record_is_printed_once_with_debug_on_as_under_scripts_run():
    """Django's own "django" handlers printed django.* records a second time next to the root's."""
    lines = _log_from_a_fresh_process(DJANGO_DEBUG="true")
    assert [sum(message in line for line in lines) for message in ("Not Found", "GET /admin/", "an app line")] == [
        1,
        1,
        1,
    ]


def test_log_format_json_makes_every_line_one_object():
    lines = _log_from_a_fresh_process(LOG_FORMAT="json")
    assert [(entry["logger"], entry["message"]) for entry in map(json.loads, lines)] == [
        ("django.request", "Not Found: /nope"),
        ("django.server", "GET /admin/ 200"),
        ("liffy.tests", "an app line"),
    ]


def test_an_unknown_log_format_is_refused():
    with pytest.raises(subprocess.CalledProcessError) as refused:
        _log_from_a_fresh_process(LOG_FORMAT="xml")
    assert "LOG_FORMAT must be plain or json" in refused.value.stderr
