"""Shared pytest fixtures, loaded as a plugin from pytest.ini (`-p liffy.testing`).

Model imports stay inside the fixtures: this module is imported before Django is set up.
"""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

DEFAULT_TEST_BROKER = "redis://127.0.0.1:6379/15"
# Set before Django's settings are read: a test run publishes to a queue of its own, so runs that share
# a Redis never take each other's tasks.
os.environ.setdefault("CELERY_TASK_DEFAULT_QUEUE", f"liffy-test-{os.getpid()}")
# Tests speak plain HTTP with DEBUG off; every other production setting stays as deployed.
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")


def at_once(*calls):
    """Run each callable in its own thread, released together, each with its own database connection.

    Returns their results in order; the first exception raised in a thread is raised here.
    """
    from django.db import connection

    barrier, results, errors = threading.Barrier(len(calls)), [None] * len(calls), []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - re-raised below, in the test's thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing costs ~0.3 s a password; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _static_files_without_manifest():
    """Production serves static files under hashed names from `collectstatic`'s output; tests render
    pages without running it (liffy/tests/test_serving.py runs it and checks the hashed names)."""
    from django.test import override_settings

    with override_settings(
        STATIC_ROOT=None,
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ):
        yield


@pytest.fixture(autouse=True, scope="session")
def _cache_in_process_memory():
    """Tests count rates in this process's memory, never in a Redis that REDIS_URL or CACHE_URL may name
    (clearing it between tests would empty that Redis database)."""
    from django.test import override_settings

    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache(_cache_in_process_memory):
    """Throttle counters live in the cache; every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def reset_login_lockouts(request):
    """Failed logins of one test never lock the next one out (django-axes keeps them in the database).

    Acts for tests that use the database; a test may also call the returned `reset()` itself.
    """
    if not {"db", "transactional_db"} & set(request.fixturenames):
        return None
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    from axes.utils import reset

    reset()
    return reset


@pytest.fixture
def organizer(db):
    from liffy.tests.factories import OrganizerFactory

    return OrganizerFactory()


@pytest.fixture
def other_organizer(db):
    from liffy.tests.factories import OrganizerFactory

    return OrganizerFactory(name="Other organizer")


def _user(organizer, role):
    from liffy.tests.factories import UserFactory

    return UserFactory(organizer=organizer, role=role)


@pytest.fixture
def owner(organizer):
    return _user(organizer, "owner")


@pytest.fixture
def org_admin(organizer):
    return _user(organizer, "admin")


@pytest.fixture
def member(organizer):
    """A user with the plain `user` role."""
    return _user(organizer, "user")


def _client_for(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_client():
    """Unauthenticated API client."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def org_admin_client(org_admin):
    return _client_for(org_admin)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def staff_user(db):
    from liffy.models import User

    return User.objects.create_superuser("staff@liffy.test", "staff-password-123")


@pytest.fixture
def platform_admin(staff_user, client):
    """A test client logged in as a superuser of the staff organizer."""
    client.force_login(staff_user)
    return client


@pytest.fixture
def organizer_staff(organizer):
    """`organizer_staff(group="Editors", role="admin", organizer=None)`: a staff user of one organizer (not
    platform staff), in one of the admin groups kept by `liffy/admin_groups.py`."""
    from django.contrib.auth.models import Group

    def make(group="Editors", role="admin", organizer=organizer, **fields):
        user = _user(organizer, role)
        user.is_staff = True
        for name, value in fields.items():
            setattr(user, name, value)
        user.save()
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


def admin_client_for(user):
    """A Django test client logged in as `user` (for the admin)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def wait_until(condition, *, timeout=60.0, what="the condition", logs=()):
    """Poll `condition` until it returns something true; fail naming `what` (and showing `logs`) on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    tails = "".join(f"\n--- {path} ---\n{Path(path).read_text()[-3000:]}" for path in logs)
    pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}.{tails}")


def _broker_url():
    """TEST_BROKER_URL, else the local Redis; skips only when TEST_BROKER_URL is unset and no local Redis answers."""
    import redis

    url = os.environ.get("TEST_BROKER_URL") or DEFAULT_TEST_BROKER
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("TEST_BROKER_URL"):
            pytest.fail(f"TEST_BROKER_URL={url} is not reachable: {error}")
        pytest.skip(f"no Redis broker at {url} (set TEST_BROKER_URL)")
    return url


def _test_database_environment(name):
    """What makes a worker process's settings point at this run's test database `name`."""
    if os.environ.get("DATABASE_URL"):
        return {"DATABASE_URL": urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))}
    return {"EMBEDDED_PG_DB": name}


def _forget_queues(broker, names):
    """Delete the queues, their exchanges' bindings, and the unacknowledged messages of killed workers that
    Redis keeps for them (another run's worker would otherwise restore them after the visibility timeout)."""
    broker.delete(*names, *(f"_kombu.{kind}.{name}" for name in names for kind in ("binding", "binding_permanent")))
    for tag, entry in broker.hscan_iter("unacked"):
        if json.loads(entry)[-1] in names:
            broker.hdel("unacked", tag)
            broker.zrem("unacked_index", tag)


@pytest.fixture
def celery_workers(transactional_db):
    """Real Celery worker processes on a real Redis broker, working on this test's (committed) database.

    Yields `start(count, *, queues=None, pool="solo", **environment)`: `count` workers consuming the
    queues of the workloads named in `queues` (WORKER_QUEUES, `liffy.queues.WORKLOADS`; None: all). Tasks this
    process publishes and the workers' own follow-up tasks go to the test run's queues (named after its
    own default queue), emptied before and after; the workers stop at the end. `start` returns the
    paths of the workers' logs; `start.processes` lists the worker processes, in start order.
    """
    import redis
    from django.db import connection

    from liffy.celery import app
    from liffy.queues import queue_names

    url, prefix = _broker_url(), app.amqp.default_queue.name
    broker = redis.Redis.from_url(url)
    _forget_queues(broker, queue_names(prefix))
    saved = {name: app.conf[name] for name in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    # Eager calls have already built a producer pool for the default broker; drop it the way Celery does
    # in a forked child, so the next publish connects to `url`.
    app._after_fork()
    workers, logs = [], []

    def start(count=1, *, queues=None, pool="solo", **environment):
        env = (
            os.environ
            | {"LOG_LEVEL": "WARNING"}
            | {key: str(value) for key, value in environment.items()}
            | {
                "CELERY_BROKER_URL": url,
                "CELERY_TASK_DEFAULT_QUEUE": prefix,
                "WORKER_QUEUES": ",".join(queues or ()),
            }
            | _test_database_environment(connection.settings_dict["NAME"])
        )
        for _ in range(count):
            with tempfile.NamedTemporaryFile("w", prefix="celery-worker-", suffix=".log", delete=False) as log:
                logs.append(log.name)
                workers.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "celery",
                            "-A",
                            "liffy",
                            "worker",
                            "--pool",
                            pool,
                            "--hostname",
                            f"w{len(workers)}-{prefix}@%h",
                            "--without-gossip",
                            "--without-mingle",
                            "--without-heartbeat",
                        ],
                        cwd=Path(__file__).resolve().parent.parent,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )  # its own process group, as a process manager starts it
        return logs

    start.processes = workers
    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
    _forget_queues(broker, queue_names(prefix))
    app.conf.update(saved)
    app._after_fork()
    for path in logs:
        os.unlink(path)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (`item.report_call`…), for fixtures that act on failure
    (the browser tests' screenshots)."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
