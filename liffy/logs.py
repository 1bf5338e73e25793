"""Log context (request id, organizer id, Celery task id) and the JSON line format (LOG_FORMAT=json).

Every record gets `request_id`, `organizer_id` and `task_id` attributes from `ContextFilter`; the JSON
formatter writes them with the time, level, logger and message as one object per line.

- The request id comes from a well-formed incoming `X-Request-ID` header (a proxy's or load balancer's),
  else a new one; the response echoes it. Tasks queued during a request carry it (and the organizer)
  in their message headers, so a task's lines name the request that queued it.
- The organizer is the authenticated user's once the API has authenticated the request, or the one
  a task was queued for. Beat's periodic tasks span organizers and name none.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished
from django.utils.functional import SimpleLazyObject, empty

LOG_FORMATS = ("plain", "json")
REQUEST_ID_HEADER = "X-Request-ID"
WELL_FORMED_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
TASK_HEADERS = {"request_id": "liffy_request_id", "organizer_id": "liffy_organizer_id"}

_request_id = contextvars.ContextVar("request_id", default=None)
_organizer_id = contextvars.ContextVar("organizer_id", default=None)
_request = contextvars.ContextVar("request", default=None)


def current_request_id():
    return _request_id.get()


def current_organizer_id():
    """The organizer a task was queued for, else the authenticated user's of the current request."""
    organizer_id = _organizer_id.get()
    if organizer_id is None and (request := _request.get()) is not None:
        user = request.__dict__.get("user")
        if isinstance(user, SimpleLazyObject):  # never evaluate it here: that would query the session
            user = None if user._wrapped is empty else user._wrapped
        organizer_id = getattr(user, "organizer_id", None)
    return None if organizer_id is None else str(organizer_id)


def current_task_id():
    from celery import current_task

    task = current_task._get_current_object()
    return task.request.id if task is not None and not task.request.called_directly else None


def logging_config(level, log_format):
    """LOGGING for every process (Django's settings, gunicorn's `logconfig_dict`, Celery through Django):
    one handler, on the root logger, on stderr. The loggers of Django and gunicorn, which come with
    handlers of their own, hand their records to it instead, so each record is printed once."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be plain or json, not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "liffy.logs.ContextFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "liffy.logs.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            **{
                name: {"handlers": [], "level": level, "propagate": True}
                for name in ("django", "django.server", "gunicorn.error", "gunicorn.access")
            },
            "environ": {"level": "WARNING"},  # "no .env file" is the normal case in production
        },
    }


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id()
        record.organizer_id = current_organizer_id()
        record.task_id = current_task_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, organizer_id,
    task_id, and the traceback as `exception` when there is one."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "organizer_id": getattr(record, "organizer_id", None),
            "task_id": getattr(record, "task_id", None),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class RequestIdMiddleware:
    """Binds the request id (and the request, for its organizer) to the log context and echoes the id.

    The context stays bound until the response is closed (`request_finished`), so Django's own
    "Not Found" / "Internal Server Error" lines, written after the middleware returns, carry it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request.request_id = incoming if WELL_FORMED_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        _request_id.set(request.request_id)
        _request.set(request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


def unbind_request(**_):
    _request_id.set(None)
    _request.set(None)


request_finished.connect(unbind_request, dispatch_uid="liffy.logs.unbind_request")


def add_context_to_task_headers(headers=None, **_):
    """Celery `before_task_publish`: a task carries the request id and organizer of whoever queued it."""
    if headers is None:
        return
    for name, header in TASK_HEADERS.items():
        value = current_request_id() if name == "request_id" else current_organizer_id()
        if value is not None:
            headers.setdefault(header, value)


_task_tokens = {}


def bind_task_context(task_id=None, task=None, **_):
    """Celery `task_prerun`: the context the task's message carries, for the task's log lines."""
    request = getattr(task, "request", None)
    values = {name: getattr(request, header, None) for name, header in TASK_HEADERS.items()}
    if any(values.values()):
        _task_tokens[task_id] = (_request_id.set(values["request_id"]), _organizer_id.set(values["organizer_id"]))


def unbind_task_context(task_id=None, **_):
    """Celery `task_postrun`."""
    tokens = _task_tokens.pop(task_id, None)
    if tokens:
        _request_id.reset(tokens[0])
        _organizer_id.reset(tokens[1])
