"""The production processes: static files with hashed names after collectstatic (debug off), gunicorn's
settings from the environment, the Procfile's process types. `.ci/run` runs the whole stack."""

import re
import runpy

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from honcho.environ import parse_procfile

import liffy.settings as production


@pytest.fixture
def collected_static(tmp_path, settings):
    """collectstatic into a fresh folder with the production storage, as scripts/serve and a deploy run it."""
    settings.DEBUG = False
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=production.STORAGES):
        call_command("collectstatic", "--noinput", verbosity=0)
        yield tmp_path


def test_the_admin_is_styled_with_debug_off(collected_static, db):
    client = Client()  # a new handler: whitenoise reads the collected files when it starts
    page = client.get("/admin/login/").content.decode()
    stylesheet = re.search(r'href="(/static/admin/css/base\.([0-9a-f]{12})\.css)"', page)
    assert stylesheet, "the admin must link its stylesheet under a content-hashed name"

    response = client.get(stylesheet.group(1), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/css")
    assert response["Content-Encoding"] == "gzip"  # compressed once by collectstatic, not per request
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
    assert (collected_static / "staticfiles.json").exists()


def test_gunicorn_takes_workers_threads_and_timeouts_from_the_environment(monkeypatch, settings):
    for name, value in {
        "PORT": "9100",
        "WEB_CONCURRENCY": "3",
        "WEB_THREADS": "6",
        "WEB_TIMEOUT": "45",
        "WEB_GRACEFUL_TIMEOUT": "20",
        "WEB_MAX_REQUESTS": "1000",
        "LOG_FORMAT": "json",
    }.items():
        monkeypatch.setenv(name, value)
    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"], config["threads"]) == ("0.0.0.0:9100", 3, 6)
    assert (config["timeout"], config["graceful_timeout"], config["max_requests"]) == (45, 20, 1000)
    assert config["logconfig_dict"]["handlers"]["console"]["formatter"] == "json"
    assert config["logconfig_dict"]["loggers"]["gunicorn.access"] == {
        "handlers": [],
        "level": "INFO",
        "propagate": True,
    }


def test_the_procfile_runs_web_worker_and_beat(settings):
    processes = parse_procfile((settings.BASE_DIR / "Procfile").read_text()).processes
    assert set(processes) == {"web", "worker", "beat"}
    assert processes["web"].startswith("gunicorn liffy.wsgi")
    assert processes["worker"].startswith("celery -A liffy worker")
    assert processes["beat"].startswith("celery -A liffy beat")
